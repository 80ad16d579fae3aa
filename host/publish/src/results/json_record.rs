//! The audit record: results nested by subject, with what produced them.

use std::collections::BTreeMap;

use rules_sdk::wire::{Aggregation, GradeBand, Level, Status};
use serde::Serialize;

use super::rows;
use dudao_engine::evaluate::Evaluation;
use dudao_engine::outcome::{DatasetInfo, PackInfo};
use dudao_engine::plan::{RoundKind, SampleGroup, Scope};
use dudao_engine::round::{Overall, Round};
use dudao_engine::score::{ScoreCard, ScoreSummary};

#[derive(Serialize)]
struct Record<'a> {
    dudao: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    round: Option<RoundEntry<'a>>,
    dataset: &'a DatasetInfo,
    packs: Vec<PackEntry<'a>>,
    summary: Summary,
    subjects: Vec<SubjectEntry<'a>>,
}

#[derive(Serialize)]
struct RoundEntry<'a> {
    id: &'a str,
    title: &'a str,
    period: &'a str,
    kind: RoundKind,
    plan: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    indicators: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    grades: &'a [GradeBand],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sampling: Vec<&'a SampleGroup>,
}

#[derive(Serialize)]
struct PackEntry<'a> {
    #[serde(flatten)]
    info: &'a PackInfo,
    scope: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    grades: &'a [GradeBand],
}

#[derive(Serialize)]
struct Tool {
    version: &'static str,
    abi: String,
}

#[derive(Serialize, Default)]
struct Summary {
    results: usize,
    met: usize,
    not_met: usize,
    not_applicable: usize,
    errors: usize,
}

#[derive(Serialize)]
struct SubjectEntry<'a> {
    id: String,
    name: String,
    level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    results: Vec<ResultEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scores: Vec<CardEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    score_rollups: Vec<SummaryEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overall: Option<&'a Overall>,
}

#[derive(Serialize)]
struct CardEntry<'a> {
    pack: &'a str,
    #[serde(flatten)]
    card: &'a ScoreCard,
}

#[derive(Serialize)]
struct SummaryEntry<'a> {
    pack: &'a str,
    #[serde(flatten)]
    summary: &'a ScoreSummary,
}

#[derive(Serialize)]
struct ResultEntry<'a> {
    pack: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    indicator: &'a str,
    value: Option<f64>,
    status: Status,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rollup: Option<RollupEntry>,
}

#[derive(Serialize)]
struct RollupEntry {
    method: Aggregation,
    members: usize,
}

/// The evaluation as pretty-printed JSON: the round (with a plan), the tool, dataset and pack
/// versions and digests, a summary, and every subject with its results from every pack, its
/// score cards (each a trace down to the leaves), rolled-up figures and overall result.
pub fn json(evaluation: &Evaluation, round: Option<&Round>) -> String {
    to_text(&record(evaluation, round))
}

/// The audit record of [`json`] with one more top-level section at its end (`dudao report`
/// adds the round's `rectification` section this way).
pub fn json_with_section(
    evaluation: &Evaluation,
    round: Option<&Round>,
    name: &'static str,
    section: &impl Serialize,
) -> String {
    #[derive(Serialize)]
    struct WithSection<'a, S: Serialize> {
        #[serde(flatten)]
        record: Record<'a>,
        #[serde(flatten)]
        section: BTreeMap<&'static str, &'a S>,
    }
    to_text(&WithSection { record: record(evaluation, round), section: BTreeMap::from([(name, section)]) })
}

fn to_text(record: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(record).expect("results always serialise");
    text.push('\n');
    text
}

fn record<'a>(evaluation: &'a Evaluation, round: Option<&'a Round>) -> Record<'a> {
    let mut summary = Summary::default();
    // Subjects keyed by (level, index at level, id) so parts follow their school.
    let mut subjects: BTreeMap<(Level, usize, String), SubjectEntry<'_>> = BTreeMap::new();
    let all_rows = rows(evaluation);
    let mut outcome_rows = all_rows.into_iter();
    for outcome in &evaluation.outcomes {
        let subject = evaluation.prepared.subject(outcome.level, outcome.subject);
        let count = match &outcome.result {
            Ok(results) => results.len(),
            Err(_) => 1,
        };
        for row in outcome_rows.by_ref().take(count) {
            summary.results += 1;
            match row.status {
                Status::Met => summary.met += 1,
                Status::NotMet => summary.not_met += 1,
                Status::NotApplicable => summary.not_applicable += 1,
                Status::Error => summary.errors += 1,
            }
            let entry = subjects.entry((outcome.level, outcome.subject, row.subject_id.clone())).or_insert_with(|| {
                SubjectEntry {
                    id: row.subject_id.clone(),
                    name: row.subject_name.clone(),
                    level: outcome.level,
                    parent: subject.parent.as_deref(),
                    results: Vec::new(),
                    scores: Vec::new(),
                    score_rollups: Vec::new(),
                    overall: None,
                }
            });
            entry.results.push(ResultEntry {
                pack: row.pack_id,
                indicator: row.indicator_id,
                value: row.value,
                status: row.status,
                note: row.note,
                score: row.score,
                rollup: None,
            });
        }
    }
    let prepared = &evaluation.prepared;
    fn entry<'s, 'a>(
        subjects: &'s mut BTreeMap<(Level, usize, String), SubjectEntry<'a>>,
        prepared: &'a dudao_dataset::Prepared,
        level: Level,
        index: usize,
    ) -> &'s mut SubjectEntry<'a> {
        let subject = prepared.subject(level, index);
        subjects.entry((level, index, subject.id.clone())).or_insert_with(|| SubjectEntry {
            id: subject.id.clone(),
            name: subject.name.clone(),
            level,
            parent: subject.parent.as_deref(),
            results: Vec::new(),
            scores: Vec::new(),
            score_rollups: Vec::new(),
            overall: None,
        })
    }
    for rolled in &evaluation.scores.rollups {
        summary.results += 1;
        match rolled.status {
            Status::Met => summary.met += 1,
            Status::NotMet => summary.not_met += 1,
            Status::NotApplicable => summary.not_applicable += 1,
            Status::Error => summary.errors += 1,
        }
        entry(&mut subjects, prepared, rolled.level, rolled.subject).results.push(ResultEntry {
            pack: &evaluation.packs[rolled.pack].info.id,
            indicator: &rolled.indicator,
            value: rolled.value,
            status: rolled.status,
            note: String::new(),
            score: None,
            rollup: Some(RollupEntry { method: rolled.method, members: rolled.members }),
        });
    }
    for card in &evaluation.scores.cards {
        entry(&mut subjects, prepared, card.level, card.subject)
            .scores
            .push(CardEntry { pack: &evaluation.packs[card.pack].info.id, card });
    }
    for rolled in &evaluation.scores.summaries {
        entry(&mut subjects, prepared, rolled.level, rolled.subject)
            .score_rollups
            .push(SummaryEntry { pack: &evaluation.packs[rolled.pack].info.id, summary: rolled });
    }
    if let Some(round) = round {
        for overall in &round.overall {
            entry(&mut subjects, prepared, overall.level, overall.subject).overall = Some(overall);
        }
    }
    let packs = evaluation
        .packs
        .iter()
        .map(|pack| PackEntry {
            info: &pack.info,
            scope: match &pack.scope {
                Scope::All => "standard".to_owned(),
                Scope::County(county) => format!("local:{county}"),
            },
            grades: &pack.grades,
        })
        .collect();
    let round = round.map(|round| RoundEntry {
        id: &round.plan.id,
        title: &round.plan.title,
        period: &round.plan.period,
        kind: round.plan.kind,
        plan: round.path.display().to_string(),
        indicators: &round.plan.indicators,
        grades: &round.plan.grades,
        sampling: round.sample.iter().collect(),
    });
    Record {
        dudao: Tool { version: env!("CARGO_PKG_VERSION"), abi: rules_sdk::wire::AbiVersion::CURRENT.to_string() },
        round,
        dataset: &evaluation.dataset,
        packs,
        summary,
        subjects: subjects.into_values().collect(),
    }
}
