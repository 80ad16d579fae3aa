//! What one evaluation produced, unit by unit, and the records of what went in (the packs'
//! identity, the dataset's digest). Scoring reads these outcomes; it never re-runs a pack.

use std::collections::BTreeMap;

use dudao_dataset::Scope;
use dudao_dataset::{Dataset, DatasetFormat};
use rules_sdk::wire::{GradeBand, IndicatorResult, Level, Manifest};
use serde::Serialize;

use crate::pack::LoadedPack;
use crate::sandbox::EvalError;

/// What a result record says about the pack that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackInfo {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// Chinese title.
    pub title: String,
    /// ABI version the module reports.
    pub abi: String,
    /// sha256 of the module file.
    pub sha256: String,
}

impl PackInfo {
    /// The record of a loaded pack.
    pub fn of(pack: &LoadedPack) -> PackInfo {
        PackInfo {
            id: pack.manifest.id.clone(),
            version: pack.manifest.version.clone(),
            title: pack.manifest.title.clone(),
            abi: pack.abi.to_string(),
            sha256: pack.sha256.clone(),
        }
    }
}

/// What a result record says about the dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    /// The path given.
    pub path: String,
    /// `csv`, `json` or `xlsx`.
    pub format: &'static str,
    /// sha256 of the content (see [`Dataset::sha256`]).
    pub sha256: String,
    /// Number of records per table.
    pub records: BTreeMap<String, usize>,
}

impl DatasetInfo {
    /// The record of a dataset.
    pub fn of(dataset: &Dataset) -> DatasetInfo {
        DatasetInfo {
            path: dataset.path.display().to_string(),
            format: match dataset.format {
                DatasetFormat::CsvFolder => "csv",
                DatasetFormat::Json => "json",
                DatasetFormat::Xlsx => "xlsx",
            },
            sha256: dataset.sha256.clone(),
            records: dataset
                .tables()
                .map(|table| (dudao_dataset::TableSpec::of(table.level).name.to_owned(), table.rows.len()))
                .collect(),
        }
    }
}

/// The outcome of one unit: one pack on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitOutcome {
    /// Index of the pack in [`Evaluation::packs`].
    pub pack: usize,
    /// Level of the subject.
    pub level: Level,
    /// Index of the subject at its level (into [`Prepared::subjects`]).
    pub subject: usize,
    /// The checked results, or the named failure.
    pub result: Result<Vec<IndicatorResult>, EvalError>,
    /// Log lines the pack wrote.
    pub logs: Vec<String>,
}

/// One pack of an evaluation: what it is, its manifest, where it applied and the grade bands
/// it was graded with. Outcomes, score cards and roll-ups name a pack by its index in
/// [`crate::evaluate::Evaluation::packs`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedPack {
    /// Identity and digest.
    pub info: PackInfo,
    /// The manifest (names, units and thresholds for reports).
    pub manifest: Manifest,
    /// Where it applied (as the dataset was prepared for it).
    pub scope: Scope,
    /// The grade bands in force.
    pub grades: Vec<GradeBand>,
}
