//! The audit record: results nested by subject, with what produced them.

use std::collections::BTreeMap;

use rules_sdk::wire::{Level, Status};
use serde::Serialize;

use super::rows;
use crate::evaluate::{DatasetInfo, Evaluation, PackInfo};

#[derive(Serialize)]
struct Record<'a> {
    dudao: Tool,
    dataset: &'a DatasetInfo,
    packs: &'a [PackInfo],
    summary: Summary,
    subjects: Vec<SubjectEntry<'a>>,
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
}

/// The evaluation as pretty-printed JSON: the tool, dataset and pack versions and digests, a
/// summary, and every subject with its results from every pack.
pub fn json(evaluation: &Evaluation) -> String {
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
                }
            });
            entry.results.push(ResultEntry {
                pack: row.pack_id,
                indicator: row.indicator_id,
                value: row.value,
                status: row.status,
                note: row.note,
            });
        }
    }
    let record = Record {
        dudao: Tool { version: env!("CARGO_PKG_VERSION"), abi: rules_sdk::wire::AbiVersion::CURRENT.to_string() },
        dataset: &evaluation.dataset,
        packs: &evaluation.packs,
        summary,
        subjects: subjects.into_values().collect(),
    };
    let mut text = serde_json::to_string_pretty(&record).expect("results always serialise");
    text.push('\n');
    text
}
