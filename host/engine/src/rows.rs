//! The flat results of an evaluation: one row per indicator result (a failed unit is one
//! `error` row), then the host's roll-ups. The city's results table, the JSON record, test
//! cases and impact diffs all read these rows, so they are built in one place.

use rules_sdk::wire::{Aggregation, Level, Status};

use crate::evaluate::Evaluation;

/// Where a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A result the pack returned.
    Result,
    /// The unit failed in the sandbox: one `error` row with the error as its note.
    Failed,
    /// The host rolled the indicator up from `members` lower-level results.
    Rollup {
        /// How the members were aggregated.
        method: Aggregation,
        /// How many members were aggregated.
        members: usize,
    },
}

/// One row of the flat results table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow<'a> {
    /// Pack id.
    pub pack_id: &'a str,
    /// Index of the pack in the evaluation.
    pub pack: usize,
    /// Level of the unit the result came from.
    pub level: Level,
    /// Index of the unit at its level (in `Prepared::subjects`).
    pub unit: usize,
    /// Where the row comes from.
    pub kind: RowKind,
    /// Subject id (a school part such as `S1:primary` for nine-year schools).
    pub subject_id: String,
    /// Subject name (a part's name says which part).
    pub subject_name: String,
    /// Indicator id; empty on an `error` row.
    pub indicator_id: &'a str,
    /// The value, if any.
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
    /// The pack's note, or the error message on an `error` row.
    pub note: String,
    /// The leaf's score (0–100), when the indicator is scored.
    pub score: Option<f64>,
}

/// The name of a subject or of one of its parts (`<name>（小学部）`).
pub fn subject_name(base: &str, subject_id: &str, unit_id: &str) -> String {
    match subject_id.strip_prefix(unit_id).and_then(|rest| rest.strip_prefix(':')) {
        Some("primary") => format!("{base}（小学部）"),
        Some("junior") => format!("{base}（初中部）"),
        Some(part) => format!("{base}（{part}）"),
        None => base.to_owned(),
    }
}

/// The score of leaf `indicator` in a score card's tree, if it was scored.
fn leaf_score_in(nodes: &[crate::score::ScoreNode], indicator: &str) -> Option<f64> {
    nodes.iter().find_map(|node| {
        if node.status.is_some() && *node.id == *indicator {
            Some(node.score)
        } else {
            leaf_score_in(&node.children, indicator)
        }
    })
}

/// Chinese name of an aggregation, for notes.
pub fn aggregation_words(method: Aggregation) -> &'static str {
    match method {
        Aggregation::Sum => "合计",
        Aggregation::Mean => "平均",
        Aggregation::WeightedMean => "加权平均",
        Aggregation::Min => "最低",
        Aggregation::Max => "最高",
        Aggregation::ShareMet => "达标比例",
        Aggregation::Cv => "差异系数",
    }
}

/// Every result as a flat row: the packs' results in outcome order (a failed unit is one
/// `error` row), then the host's roll-ups to higher levels.
pub fn rows(evaluation: &Evaluation) -> Vec<ResultRow<'_>> {
    rows_iter(evaluation).collect()
}

/// The rows of [`rows`], one at a time: what writes a national table uses, so that the rows
/// are never all held at once.
pub fn rows_iter(evaluation: &Evaluation) -> impl Iterator<Item = ResultRow<'_>> {
    let cards = outcome_cards(evaluation);
    let (packs, prepared) = (&evaluation.packs, &evaluation.prepared);
    let results = evaluation
        .outcomes
        .iter()
        .zip(cards)
        .flat_map(move |(outcome, card)| outcome_rows(packs, prepared, outcome, card));
    let rollups = evaluation.scores.rollups.iter().map(move |rolled| rollup_row(evaluation, rolled));
    results.chain(rollups)
}

/// Each outcome's score card (in outcome order, like `evaluation.outcomes`), if it has one.
pub fn outcome_cards(evaluation: &Evaluation) -> Vec<Option<&crate::score::ScoreCard>> {
    // Score cards are made in outcome order, at most one per outcome: walk them alongside.
    let mut cards = evaluation.scores.cards.iter().peekable();
    evaluation
        .outcomes
        .iter()
        .map(|outcome| {
            let key = (outcome.pack, outcome.level, outcome.subject);
            cards.next_if(|card| (card.pack, card.level, card.subject) == key)
        })
        .collect()
}

/// The row of one roll-up.
pub fn rollup_row<'a>(evaluation: &'a Evaluation, rolled: &'a crate::score::RolledUp) -> ResultRow<'a> {
    let subject = evaluation.prepared.subject(rolled.level, rolled.subject);
    let member_level = evaluation.packs[rolled.pack]
        .manifest
        .node(&rolled.indicator)
        .and_then(|node| node.level)
        .map_or("", |level| level.chinese());
    ResultRow {
        pack_id: &evaluation.packs[rolled.pack].info.id,
        pack: rolled.pack,
        level: rolled.level,
        unit: rolled.subject,
        kind: RowKind::Rollup { method: rolled.method, members: rolled.members },
        subject_id: subject.id.clone(),
        subject_name: subject.name.clone(),
        indicator_id: &rolled.indicator,
        value: rolled.value,
        status: rolled.status,
        note: format!("{}个{member_level}{}", rolled.members, aggregation_words(rolled.method)),
        score: None,
    }
}

/// The rows of one outcome, with leaf scores from its score card.
pub fn outcome_rows<'a>(
    packs: &'a [crate::outcome::EvaluatedPack],
    prepared: &'a dudao_dataset::Prepared,
    outcome: &'a crate::outcome::UnitOutcome,
    card: Option<&'a crate::score::ScoreCard>,
) -> Vec<ResultRow<'a>> {
    let pack_id = packs[outcome.pack].info.id.as_str();
    let subject = prepared.subject(outcome.level, outcome.subject);
    match &outcome.result {
        Ok(results) => results
            .iter()
            .map(|result| ResultRow {
                pack_id,
                pack: outcome.pack,
                level: outcome.level,
                unit: outcome.subject,
                kind: RowKind::Result,
                subject_name: subject_name(&subject.name, &result.subject, &subject.id),
                subject_id: result.subject.clone(),
                indicator_id: &result.indicator,
                value: result.value,
                status: result.status,
                note: result.note.clone().unwrap_or_default(),
                score: (result.subject == subject.id)
                    .then(|| card.and_then(|card| leaf_score_in(&card.tree, &result.indicator)))
                    .flatten(),
            })
            .collect(),
        Err(error) => vec![ResultRow {
            pack_id,
            pack: outcome.pack,
            level: outcome.level,
            unit: outcome.subject,
            kind: RowKind::Failed,
            subject_id: subject.id.clone(),
            subject_name: subject.name.clone(),
            indicator_id: "",
            value: None,
            status: Status::Error,
            note: format!("{} ({})", error, error.kind()),
            score: None,
        }],
    }
}

/// A number in the shortest form that reads back to the same double (`4.2`, `0.515…`), as
/// every machine-readable output writes it.
pub fn format_value(value: f64) -> String {
    let value = value + 0.0;
    format!("{value}")
}
