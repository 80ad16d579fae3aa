//! Scoring, grading and roll-up, done by the host from the manifest so that every pack is
//! scored the same way and every score can be traced to the leaf results that made it.
//!
//! - A leaf indicator with a [`Scoring`] rule gets a score from 0 to 100 from its result.
//! - A dimension's score is the weighted mean of its scored children (weight 1 when none is
//!   given); children without a score (not applicable, not evaluated) are left out.
//! - A pack's total for a subject is the weighted mean of its top-level nodes.
//! - The grade is the highest band whose `min` the total reaches; a not-met indicator with a
//!   [`Veto`](rules_sdk::wire::Veto) caps it (一票否决).
//! - Indicators with [`Rollup`]s are aggregated up the hierarchy (school → zone → county →
//!   city), and so are pack totals (mean) and grade counts.

use std::collections::BTreeMap;
use std::sync::Arc;

use rules_sdk::wire::{
    Aggregation, Comparison, GradeBand, IndicatorNode, IndicatorResult, Level, Manifest, Rollup, Scoring, Status,
};
use serde::Serialize;

use crate::outcome::{EvaluatedPack, UnitOutcome};
use dudao_dataset::Prepared;

/// One node of a score trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreNode {
    /// Indicator or dimension id (shared by every card of the pack: a national run has
    /// millions of nodes).
    pub id: Arc<str>,
    /// Chinese name (shared like the id).
    pub name: Arc<str>,
    /// Weight among its siblings.
    pub weight: f64,
    /// Score from 0 to 100.
    pub score: f64,
    /// The leaf's value, for leaves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The leaf's status, for leaves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Scored children, for dimensions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ScoreNode>,
}

/// A veto that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VetoHit {
    /// The indicator that was not met.
    pub indicator: String,
    /// Its name.
    pub name: String,
    /// The grade the subject is capped at.
    pub cap: String,
    /// Why, in the document's words.
    pub reason: String,
}

/// The scores of one pack for one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreCard {
    /// Index of the pack.
    #[serde(skip)]
    pub pack: usize,
    /// Level of the subject.
    pub level: Level,
    /// Index of the subject at its level.
    #[serde(skip)]
    pub subject: usize,
    /// The total from 0 to 100.
    pub total: f64,
    /// The grade, when grade bands are defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Vetoes that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<VetoHit>,
    /// The trace: every scored node down to the leaves.
    pub tree: Vec<ScoreNode>,
}

/// An indicator aggregated to a higher level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolledUp {
    /// Index of the pack.
    #[serde(skip)]
    pub pack: usize,
    /// The level aggregated to.
    pub level: Level,
    /// Index of the subject at that level.
    #[serde(skip)]
    pub subject: usize,
    /// The indicator.
    pub indicator: String,
    /// The aggregation.
    pub method: Aggregation,
    /// How many member results went in.
    pub members: usize,
    /// The aggregated value.
    pub value: Option<f64>,
    /// Status against the roll-up thresholds, or met when every member with a status met it.
    pub status: Status,
}

/// Pack totals aggregated to a higher level: mean total and how many members got each grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// Index of the pack.
    #[serde(skip)]
    pub pack: usize,
    /// The level aggregated to.
    pub level: Level,
    /// Index of the subject at that level.
    #[serde(skip)]
    pub subject: usize,
    /// Level of the members.
    pub member_level: Level,
    /// Number of scored members.
    pub members: usize,
    /// Mean total.
    pub mean_total: f64,
    /// Members per grade.
    pub grades: BTreeMap<String, usize>,
    /// Members with a veto.
    pub vetoed: usize,
}

/// Everything the host derived from the leaf results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Score cards, in outcome order.
    pub cards: Vec<ScoreCard>,
    /// Rolled-up indicators.
    pub rollups: Vec<RolledUp>,
    /// Rolled-up totals and grade counts.
    pub summaries: Vec<ScoreSummary>,
}

/// The score of one leaf under its rule (`None` when it has no value to score).
pub fn leaf_score(scoring: &Scoring, value: Option<f64>, status: Status) -> Option<f64> {
    if status == Status::NotApplicable || status == Status::Error {
        return None;
    }
    let score = match scoring {
        Scoring::PassFail => {
            if status == Status::Met {
                100.0
            } else {
                0.0
            }
        }
        Scoring::Linear { zero, full } => {
            let value = value?;
            if full == zero {
                return Some(if value >= *full { 100.0 } else { 0.0 });
            }
            ((value - zero) / (full - zero)).clamp(0.0, 1.0) * 100.0
        }
        Scoring::Bands { bands, otherwise } => {
            let value = value?;
            bands
                .iter()
                .find(|band| {
                    band.min.is_none_or(|min| Comparison::AtLeast.holds(value, min))
                        && band.max.is_none_or(|max| Comparison::AtMost.holds(value, max))
                })
                .map_or(*otherwise, |band| band.score)
        }
        Scoring::Checklist { items } => {
            let value = value?;
            if items.is_empty() {
                return None;
            }
            (value / items.len() as f64).clamp(0.0, 1.0) * 100.0
        }
    };
    Some(score)
}

/// The grade of a total under bands given highest first (or in any order: the highest `min`
/// reached wins).
pub fn grade_of(total: f64, bands: &[GradeBand]) -> Option<&GradeBand> {
    let mut sorted: Vec<&GradeBand> = bands.iter().collect();
    sorted.sort_by(|a, b| b.min.total_cmp(&a.min));
    sorted.into_iter().find(|band| Comparison::AtLeast.holds(total, band.min))
}

/// The grade of `total` under `bands`, lowered to the cap of every veto that fired: a pack's
/// score card and a round's overall result are graded by this one rule.
pub fn capped_grade(total: f64, vetoes: &[VetoHit], bands: &[GradeBand]) -> Option<String> {
    let mut grade = grade_of(total, bands)?.name.as_str();
    for veto in vetoes {
        grade = capped(grade, &veto.cap, bands);
    }
    Some(grade.to_owned())
}

/// Lowers `grade` to `cap` when the cap is a lower band.
fn capped<'a>(grade: &'a str, cap: &'a str, bands: &[GradeBand]) -> &'a str {
    let rank = |name: &str| bands.iter().find(|band| band.name == name).map(|band| band.min);
    match (rank(grade), rank(cap)) {
        (Some(current), Some(limit)) if limit < current => cap,
        _ => grade,
    }
}

/// A manifest's indicator tree with each node's id and name made shareable once, for every
/// score card of the pack.
struct Names {
    id: Arc<str>,
    name: Arc<str>,
    children: Vec<Names>,
}

impl Names {
    fn of(nodes: &[IndicatorNode]) -> Vec<Names> {
        nodes
            .iter()
            .map(|node| Names {
                id: Arc::from(node.id.as_str()),
                name: Arc::from(node.name.as_str()),
                children: Names::of(&node.children),
            })
            .collect()
    }
}

fn score_node(
    node: &IndicatorNode,
    names: &Names,
    level: Level,
    results: &BTreeMap<&str, &IndicatorResult>,
    vetoes: &mut Vec<VetoHit>,
) -> Option<ScoreNode> {
    let weight = node.weight.unwrap_or(1.0);
    if node.level == Some(level) {
        let result = results.get(node.id.as_str())?;
        if let Some(veto) = &node.veto
            && result.status == Status::NotMet
        {
            vetoes.push(VetoHit {
                indicator: node.id.clone(),
                name: node.name.clone(),
                cap: veto.cap.clone(),
                reason: veto.reason.clone(),
            });
        }
        let score = leaf_score(node.scoring.as_ref()?, result.value, result.status)?;
        return Some(ScoreNode {
            id: names.id.clone(),
            name: names.name.clone(),
            weight,
            score,
            value: result.value,
            status: Some(result.status),
            children: Vec::new(),
        });
    }
    let children: Vec<ScoreNode> = node
        .children
        .iter()
        .zip(&names.children)
        .filter_map(|(child, names)| score_node(child, names, level, results, vetoes))
        .collect();
    let score = weighted_mean(&children)?;
    let (id, name) = (names.id.clone(), names.name.clone());
    Some(ScoreNode { id, name, weight, score, value: None, status: None, children })
}

fn weighted_mean(nodes: &[ScoreNode]) -> Option<f64> {
    let total: f64 = nodes.iter().map(|node| node.weight).sum();
    (total > 0.0).then(|| nodes.iter().map(|node| node.weight * node.score).sum::<f64>() / total)
}

/// Scores one outcome (`None` when the pack scores nothing at this level or the unit failed).
fn score_card(
    manifest: &Manifest,
    names: &[Names],
    grades: &[GradeBand],
    outcome: &UnitOutcome,
    subject_id: &str,
) -> Option<ScoreCard> {
    let results = outcome.result.as_ref().ok()?;
    let own: BTreeMap<&str, &IndicatorResult> = results
        .iter()
        .filter(|result| result.subject == subject_id)
        .map(|result| (result.indicator.as_str(), result))
        .collect();
    let mut vetoes = Vec::new();
    let tree: Vec<ScoreNode> = manifest
        .indicators
        .iter()
        .zip(names)
        .filter_map(|(node, names)| score_node(node, names, outcome.level, &own, &mut vetoes))
        .collect();
    let total = weighted_mean(&tree)?;
    let grade = capped_grade(total, &vetoes, grades);
    Some(ScoreCard { pack: outcome.pack, level: outcome.level, subject: outcome.subject, total, grade, vetoes, tree })
}

/// Aggregates values with a method (`weights` only for weighted means and weighted CVs).
pub fn aggregate(method: Aggregation, values: &[f64], weights: Option<&[f64]>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let weighted = |values: &[f64]| -> Option<(f64, f64)> {
        let weights = weights?;
        let total: f64 = weights.iter().sum();
        (total > 0.0).then(|| (values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total, total))
    };
    match method {
        Aggregation::Sum => Some(values.iter().sum()),
        Aggregation::Mean => Some(values.iter().sum::<f64>() / n),
        Aggregation::WeightedMean => weighted(values).map(|(mean, _)| mean),
        Aggregation::Min => values.iter().copied().reduce(f64::min),
        Aggregation::Max => values.iter().copied().reduce(f64::max),
        Aggregation::ShareMet => None,
        Aggregation::Cv => {
            let (mean, variance) = match (weights, weighted(values)) {
                (Some(weights), Some((mean, total))) => {
                    let variance = values.iter().zip(weights).map(|(v, w)| w / total * (v - mean).powi(2)).sum::<f64>();
                    (mean, variance)
                }
                _ => {
                    let mean = values.iter().sum::<f64>() / n;
                    (mean, values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
                }
            };
            (mean != 0.0).then(|| variance.sqrt() / mean)
        }
    }
}

/// One member's result for a roll-up.
struct MemberResult<'a> {
    result: &'a IndicatorResult,
    weight: Option<f64>,
}

fn roll(rollup: &Rollup, members: &[MemberResult<'_>]) -> (Option<f64>, Status) {
    let judged: Vec<&MemberResult<'_>> =
        members.iter().filter(|m| matches!(m.result.status, Status::Met | Status::NotMet)).collect();
    let value = if rollup.method == Aggregation::ShareMet {
        (!judged.is_empty())
            .then(|| judged.iter().filter(|m| m.result.status == Status::Met).count() as f64 / judged.len() as f64)
    } else {
        let with_values: Vec<&MemberResult<'_>> = members.iter().filter(|m| m.result.value.is_some()).collect();
        let values: Vec<f64> = with_values.iter().filter_map(|m| m.result.value).collect();
        let weights: Option<Vec<f64>> =
            rollup.weight_field.as_ref().map(|_| with_values.iter().map(|m| m.weight.unwrap_or(0.0)).collect());
        aggregate(rollup.method, &values, weights.as_deref())
    };
    let status = if !rollup.thresholds.is_empty() {
        match value {
            Some(value) if rollup.thresholds.iter().all(|threshold| threshold.met_by(value)) => Status::Met,
            Some(_) => Status::NotMet,
            None => Status::NotApplicable,
        }
    } else if judged.is_empty() {
        Status::NotApplicable
    } else if judged.iter().all(|m| m.result.status == Status::Met) {
        Status::Met
    } else {
        Status::NotMet
    };
    (value, status)
}

/// Scores every outcome and rolls indicators and totals up the hierarchy.
///
/// `grades[pack]` are the bands in force for each pack (the plan's, or the manifest's).
pub fn score(packs: &[EvaluatedPack], outcomes: &[UnitOutcome], prepared: &Prepared) -> Scores {
    let cards = cards_of(packs, outcomes, prepared).into_iter().flatten().collect();
    score_with_cards(packs, outcomes, prepared, cards)
}

/// The score card of each outcome (`None` where it has none), in outcome order. Each card
/// depends on its own outcome only: they are made in parallel on the current thread pool.
pub fn cards_of(packs: &[EvaluatedPack], outcomes: &[UnitOutcome], prepared: &Prepared) -> Vec<Option<ScoreCard>> {
    use rayon::prelude::*;
    let names: Vec<Vec<Names>> = packs.iter().map(|pack| Names::of(&pack.manifest.indicators)).collect();
    outcomes
        .par_iter()
        .map(|outcome| {
            let subject = prepared.subject(outcome.level, outcome.subject);
            let pack = &packs[outcome.pack];
            score_card(&pack.manifest, &names[outcome.pack], &pack.grades, outcome, &subject.id)
        })
        .collect()
}

/// The (level, indicator) pairs of a pack whose results roll up to a higher level: the only
/// results the roll-ups read.
pub(crate) fn rolled_up(manifest: &Manifest) -> std::collections::HashSet<(Level, &str)> {
    manifest
        .nodes()
        .into_iter()
        .filter(|node| !node.rollup.is_empty())
        .filter_map(|node| node.level.map(|level| (level, node.id.as_str())))
        .collect()
}

/// [`score`] with the cards already made (those of [`cards_of`], in outcome order): rolls
/// indicators and totals up the hierarchy.
pub fn score_with_cards(
    packs: &[EvaluatedPack],
    outcomes: &[UnitOutcome],
    prepared: &Prepared,
    cards: Vec<ScoreCard>,
) -> Scores {
    let mut scores = Scores { cards, ..Scores::default() };

    // Index results: (pack, indicator) → subject index at the indicator's level → result.
    // One pass over the results per pack, not one per roll-up indicator: both counts are the
    // pack's to choose, so the work must stay linear in them.
    for (pack, manifest) in packs.iter().map(|pack| &pack.manifest).enumerate() {
        let nodes = manifest.nodes();
        let rolled = rolled_up(manifest);
        let mut index: std::collections::HashMap<(Level, &str), BTreeMap<usize, &IndicatorResult>> =
            std::collections::HashMap::new();
        if !rolled.is_empty() {
            for outcome in outcomes.iter().filter(|o| o.pack == pack) {
                let id = &prepared.subject(outcome.level, outcome.subject).id;
                let Ok(results) = &outcome.result else { continue };
                for result in results.iter().filter(|r| &r.subject == id) {
                    let key = (outcome.level, result.indicator.as_str());
                    if rolled.contains(&key) {
                        // The first result counts, as before (duplicates are refused anyway).
                        index.entry(key).or_default().entry(outcome.subject).or_insert(result);
                    }
                }
            }
        }
        let empty = BTreeMap::new();
        // The weight fields' values, read from the records once per (level, field).
        let mut weights: std::collections::HashMap<(Level, &str), Vec<Option<f64>>> = std::collections::HashMap::new();
        for node in &nodes {
            let Some(level) = node.level else { continue };
            if node.rollup.is_empty() {
                continue;
            }
            let by_subject = index.get(&(level, node.id.as_str())).unwrap_or(&empty);
            for rollup in &node.rollup {
                let Some(lists) = prepared.members.get(&(rollup.to, level)) else { continue };
                let weight_of = rollup.weight_field.as_deref().map(|field| {
                    &*weights.entry((level, field)).or_insert_with(|| {
                        let records = prepared.packs[pack].records.get(&level).map(Vec::as_slice).unwrap_or(&[]);
                        records.iter().map(|record| record.field(field).and_then(|value| value.as_f64())).collect()
                    })
                });
                for (upper, members) in lists.iter().enumerate() {
                    let member_results: Vec<MemberResult<'_>> = members
                        .iter()
                        .filter_map(|index| {
                            by_subject.get(index).map(|result| MemberResult {
                                result,
                                weight: weight_of.and_then(|weights| weights.get(*index).copied().flatten()),
                            })
                        })
                        .collect();
                    if member_results.is_empty() {
                        continue;
                    }
                    let (value, status) = roll(rollup, &member_results);
                    scores.rollups.push(RolledUp {
                        pack,
                        level: rollup.to,
                        subject: upper,
                        indicator: node.id.clone(),
                        method: rollup.method,
                        members: member_results.len(),
                        value,
                        status,
                    });
                }
            }
        }
    }

    // Totals and grades up the hierarchy.
    for pack in 0..packs.len() {
        let levels: Vec<Level> = {
            let mut levels: Vec<Level> =
                scores.cards.iter().filter(|card| card.pack == pack).map(|c| c.level).collect();
            levels.sort();
            levels.dedup();
            levels
        };
        for level in levels {
            let cards: BTreeMap<usize, &ScoreCard> = scores
                .cards
                .iter()
                .filter(|card| card.pack == pack && card.level == level)
                .map(|card| (card.subject, card))
                .collect();
            for upper in Level::ALL.iter().filter(|upper| **upper < level) {
                let Some(lists) = prepared.members.get(&(*upper, level)) else { continue };
                for (index, members) in lists.iter().enumerate() {
                    let scored: Vec<&&ScoreCard> = members.iter().filter_map(|m| cards.get(m)).collect();
                    if scored.is_empty() {
                        continue;
                    }
                    let mut grades_count = BTreeMap::new();
                    for card in &scored {
                        if let Some(grade) = &card.grade {
                            *grades_count.entry(grade.clone()).or_insert(0) += 1;
                        }
                    }
                    scores.summaries.push(ScoreSummary {
                        pack,
                        level: *upper,
                        subject: index,
                        member_level: level,
                        members: scored.len(),
                        mean_total: scored.iter().map(|card| card.total).sum::<f64>() / scored.len() as f64,
                        grades: grades_count,
                        vetoed: scored.iter().filter(|card| !card.vetoes.is_empty()).count(),
                    });
                }
            }
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules_sdk::wire::ScoreBand;

    fn bands() -> Vec<GradeBand> {
        [("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)]
            .iter()
            .map(|(name, min)| GradeBand { name: (*name).to_owned(), min: *min })
            .collect()
    }

    #[test]
    fn leaf_rules_score_as_documented() {
        assert_eq!(leaf_score(&Scoring::PassFail, None, Status::Met), Some(100.0));
        assert_eq!(leaf_score(&Scoring::PassFail, Some(3.0), Status::NotMet), Some(0.0));
        assert_eq!(leaf_score(&Scoring::PassFail, None, Status::NotApplicable), None);
        let linear = Scoring::Linear { zero: 0.5, full: 1.0 };
        assert_eq!(leaf_score(&linear, Some(0.75), Status::NotMet), Some(50.0));
        assert_eq!(leaf_score(&linear, Some(2.0), Status::Met), Some(100.0));
        assert_eq!(leaf_score(&linear, Some(0.1), Status::NotMet), Some(0.0));
        let less_is_better = Scoring::Linear { zero: 120.0, full: 60.0 };
        assert_eq!(leaf_score(&less_is_better, Some(90.0), Status::NotMet), Some(50.0));
        let bands = Scoring::Bands {
            bands: vec![
                ScoreBand { min: Some(0.95), max: None, score: 100.0 },
                ScoreBand { min: Some(0.85), max: None, score: 60.0 },
            ],
            otherwise: 0.0,
        };
        assert_eq!(leaf_score(&bands, Some(0.95), Status::Met), Some(100.0));
        assert_eq!(leaf_score(&bands, Some(0.9), Status::NotMet), Some(60.0));
        assert_eq!(leaf_score(&bands, Some(0.5), Status::NotMet), Some(0.0));
        let checklist = Scoring::Checklist { items: vec!["a".into(), "b".into(), "c".into(), "d".into()] };
        assert_eq!(leaf_score(&checklist, Some(3.0), Status::NotMet), Some(75.0));
    }

    #[test]
    fn grades_use_the_highest_band_reached_and_equal_meets() {
        assert_eq!(grade_of(90.0, &bands()).map(|b| b.name.as_str()), Some("优秀"));
        assert_eq!(grade_of(89.999_999, &bands()).map(|b| b.name.as_str()), Some("良好"));
        assert_eq!(grade_of(59.0, &bands()).map(|b| b.name.as_str()), Some("不合格"));
        assert_eq!(capped("优秀", "不合格", &bands()), "不合格");
        assert_eq!(capped("合格", "良好", &bands()), "合格");
    }

    #[test]
    fn aggregations_compute_what_they_say() {
        let values = [1.0, 2.0, 3.0, 6.0];
        assert_eq!(aggregate(Aggregation::Sum, &values, None), Some(12.0));
        assert_eq!(aggregate(Aggregation::Mean, &values, None), Some(3.0));
        assert_eq!(aggregate(Aggregation::Min, &values, None), Some(1.0));
        assert_eq!(aggregate(Aggregation::Max, &values, None), Some(6.0));
        assert_eq!(aggregate(Aggregation::WeightedMean, &values, Some(&[1.0, 1.0, 1.0, 5.0])), Some(4.5));
        // Population CV of 1,2,3,6: mean 3, variance (4+1+0+9)/4 = 3.5.
        let cv = aggregate(Aggregation::Cv, &values, None).expect("defined");
        assert!((cv - 3.5_f64.sqrt() / 3.0).abs() < 1e-12);
        assert_eq!(aggregate(Aggregation::Mean, &[], None), None);
    }
}
