//! Test cases of a pack (`dudao test`): small datasets with the results the author expects,
//! run through the real sandbox exactly as `dudao run` would.
//!
//! A **case** is a folder (its name is the case's name) holding
//!
//! - a dataset: `counties.csv` (and `schools.csv`, …) in the folder itself, or exactly one
//!   `.json` dataset file;
//! - `expected.csv` with the columns `subject_id,indicator_id,value,status` (others are
//!   ignored). An empty `value` is not checked; a number is compared with a relative tolerance
//!   of 1e-9 ([`crate::impact::same_value`]), so write at least ten significant digits or the
//!   shortest form `dudao run --format csv` prints. `status` is `met`, `not_met`,
//!   `not_applicable` or `error` (a subject the pack refuses or fails on: leave
//!   `indicator_id` empty).
//!
//! A case **fails** when an expected row is missing from the pack's results, has another
//! status, or (when given) another value; and when the pack fails on a subject (an `error`
//! row) that `expected.csv` does not list. Other results the pack produces are not checked,
//! so a case can focus on a few subjects.
//!
//! **Coverage**: across all cases, every indicator of the manifest (a node with a `level`)
//! should have produced `met` at least once and `not_met` at least once; a test suite that
//! never sees an indicator fail cannot tell a wrong threshold from a right one.
//!
//! **Where the cases are** ([`default_cases_dir`]): for a module built into
//! `<crate>/target/packs/`, the crate's `cases/` folder; otherwise a `cases/` folder beside the
//! module file (as for a hand-written `pack.wat`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rules_sdk::wire::{Manifest, Status};
use serde::Serialize;

use crate::evaluate::{self, RunOptions};
use crate::impact::same_value;
use crate::pack::LoadedPack;
use dudao_dataset::Dataset;

use crate::sandbox::Sandbox;

/// The file of expected results in a case folder.
pub const EXPECTED_FILE: &str = "expected.csv";

/// The columns `expected.csv` must have.
pub const EXPECTED_COLUMNS: [&str; 4] = ["subject_id", "indicator_id", "value", "status"];

/// Why cases cannot be run. Every variant names the folder or file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// The cases folder cannot be listed.
    #[error("cannot read the cases folder `{}`: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The cases folder has no case in it.
    #[error("the cases folder `{}` has no case: add a folder per case with a dataset and `{EXPECTED_FILE}`", path.display())]
    NoCases {
        /// The folder.
        path: PathBuf,
    },
    /// A case folder has no dataset, or more than one.
    #[error("case `{case}` has {found}: put `counties.csv` (and `schools.csv`) or exactly one `.json` dataset in `{}`", path.display())]
    Dataset {
        /// The case name.
        case: String,
        /// The folder.
        path: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// `expected.csv` cannot be read or has a bad row.
    #[error(
        "{}{}{}{}: {message}",
        path.display(),
        row.map(|row| format!(", row {row}")).unwrap_or_default(),
        column.as_ref().map(|column| format!(", column `{column}`")).unwrap_or_default(),
        value.as_ref().map(|value| format!(", value `{value}`")).unwrap_or_default()
    )]
    Expected {
        /// The file.
        path: PathBuf,
        /// The row (the header is row 1), when the problem is in one.
        row: Option<usize>,
        /// The column, when the problem is in one.
        column: Option<String>,
        /// The offending cell.
        value: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The case's dataset cannot be read or does not satisfy the pack's manifest.
    #[error("case `{case}`: {message}")]
    Data {
        /// The case name.
        case: String,
        /// The dataset error, naming file, row, column and value.
        message: String,
    },
}

/// One row of `expected.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedRow {
    /// Its row in the file (the header is row 1).
    pub row: usize,
    /// The subject (or part, `S1:primary`).
    pub subject_id: String,
    /// The indicator; empty for an `error` row.
    pub indicator_id: String,
    /// The value to check, if given.
    pub value: Option<f64>,
    /// The status to check.
    pub status: Status,
}

/// A case, read from its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The folder name.
    pub name: String,
    /// The folder.
    pub path: PathBuf,
    /// The dataset: the folder itself (CSV files) or the `.json` file in it.
    pub dataset: PathBuf,
    /// The expected rows, in file order.
    pub expected: Vec<ExpectedRow>,
}

/// A result as the pack produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActualRow {
    /// The value, if any.
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
    /// The pack's note, or the error message of an `error` row.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// How an expected row and the pack's result disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// The pack produced no result for the subject and indicator.
    Missing,
    /// The status differs.
    Status,
    /// The status agrees, the value does not.
    Value,
    /// The pack failed on a subject `expected.csv` does not list as failing.
    UnexpectedError,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// What kind.
    pub kind: MismatchKind,
    /// The subject.
    pub subject_id: String,
    /// The indicator (empty for an `error` row).
    pub indicator_id: String,
    /// The expected row (absent for an unexpected error).
    pub expected: Option<ExpectedRow>,
    /// What the pack produced (absent when missing).
    pub actual: Option<ActualRow>,
}

/// The outcome of one case that could be run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseReport {
    /// The case name.
    pub name: String,
    /// Expected rows checked.
    pub checked: usize,
    /// Rows the pack produced.
    pub produced: usize,
    /// Every disagreement, in `expected.csv` order, then unexpected errors.
    pub mismatches: Vec<Mismatch>,
    /// (indicator, status) pairs the pack produced on rows that `expected.csv` checks, for
    /// coverage (statuses as written).
    #[serde(skip)]
    pub observed: BTreeSet<(String, &'static str)>,
}

impl CaseReport {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Whether one indicator produced both statuses somewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorCoverage {
    /// The indicator id.
    pub indicator: String,
    /// Its Chinese name.
    pub name: String,
    /// Some case produced `met`.
    pub met: bool,
    /// Some case produced `not_met`.
    pub not_met: bool,
}

impl IndicatorCoverage {
    /// Both statuses were produced.
    pub fn covered(&self) -> bool {
        self.met && self.not_met
    }
}

/// The cases folder used when none is given: `<crate>/cases` for a module in
/// `<crate>/target/packs/`, else `cases/` beside the module file. `None` when that folder does
/// not exist.
pub fn default_cases_dir(pack: &Path) -> Option<PathBuf> {
    let folder = pack.parent().map(|parent| if parent.as_os_str().is_empty() { Path::new(".") } else { parent })?;
    let in_target = folder.file_name().is_some_and(|name| name == "packs")
        && folder.parent().and_then(Path::file_name).is_some_and(|name| name == "target");
    let candidate = if in_target {
        folder.parent().and_then(Path::parent).map(|krate| krate.join("cases"))?
    } else {
        folder.join("cases")
    };
    candidate.is_dir().then_some(candidate)
}

/// The case folders in `dir`, by name.
///
/// # Errors
///
/// [`CaseError::Folder`] when it cannot be listed, [`CaseError::NoCases`] when it has no
/// sub-folder.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, CaseError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CaseError::Folder { path: dir.to_owned(), source })?;
    let mut cases: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .filter(|path| !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.')))
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(CaseError::NoCases { path: dir.to_owned() });
    }
    Ok(cases)
}

impl Case {
    /// Reads a case folder: finds its dataset and reads `expected.csv`.
    ///
    /// # Errors
    ///
    /// [`CaseError::Dataset`] or [`CaseError::Expected`].
    pub fn read(path: &Path) -> Result<Case, CaseError> {
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let dataset_error = |found: String| CaseError::Dataset { case: name.clone(), path: path.to_owned(), found };
        let dataset = if path.join("counties.csv").is_file() {
            path.to_owned()
        } else {
            let entries =
                std::fs::read_dir(path).map_err(|error| dataset_error(format!("an unreadable folder ({error})")))?;
            let mut json: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|file| file.is_file() && file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")))
                .collect();
            json.sort();
            match json.len() {
                1 => json.remove(0),
                0 => return Err(dataset_error("no dataset".to_owned())),
                count => return Err(dataset_error(format!("{count} `.json` files"))),
            }
        };
        let expected = read_expected(&path.join(EXPECTED_FILE))?;
        Ok(Case { name, path: path.to_owned(), dataset, expected })
    }

    /// Runs the case through the sandbox and compares the results with `expected.csv`.
    ///
    /// # Errors
    ///
    /// [`CaseError::Data`] when the dataset cannot be read or fails validation against the
    /// pack's manifest: the case is broken, not failed.
    pub fn run(&self, sandbox: &Sandbox, pack: &LoadedPack) -> Result<CaseReport, CaseError> {
        let data_error = |message: String| CaseError::Data { case: self.name.clone(), message };
        let data = Dataset::load(&self.dataset).map_err(|error| data_error(error.to_string()))?;
        let prepared =
            dudao_dataset::prepare(&data, &[&pack.manifest]).map_err(|errors| data_error(errors.to_string()))?;
        let evaluation =
            evaluate::evaluate(sandbox, std::slice::from_ref(pack), &data, prepared, RunOptions::default());
        let rows = crate::rows::rows(&evaluation);
        let listed: BTreeSet<(&str, &str)> =
            self.expected.iter().map(|row| (row.subject_id.as_str(), row.indicator_id.as_str())).collect();
        let mut actual: BTreeMap<(&str, &str), ActualRow> = BTreeMap::new();
        let mut observed = BTreeSet::new();
        for row in &rows {
            // Coverage counts what the case checks: a result no expected row names proves
            // nothing about the indicator.
            if listed.contains(&(row.subject_id.as_str(), row.indicator_id)) {
                observed.insert((row.indicator_id.to_owned(), row.status.as_str()));
            }
            actual.insert(
                (row.subject_id.as_str(), row.indicator_id),
                ActualRow { value: row.value, status: row.status, note: row.note.clone() },
            );
        }
        let mut mismatches = Vec::new();
        for expected in &self.expected {
            let found = actual.get(&(expected.subject_id.as_str(), expected.indicator_id.as_str()));
            let kind = match found {
                None => Some(MismatchKind::Missing),
                Some(found) if found.status != expected.status => Some(MismatchKind::Status),
                Some(found) => match (expected.value, found.value) {
                    (None, _) => None,
                    (Some(want), got) => (!same_value(Some(want), got)).then_some(MismatchKind::Value),
                },
            };
            if let Some(kind) = kind {
                mismatches.push(Mismatch {
                    kind,
                    subject_id: expected.subject_id.clone(),
                    indicator_id: expected.indicator_id.clone(),
                    expected: Some(expected.clone()),
                    actual: found.cloned(),
                });
            }
        }
        for row in rows.iter().filter(|row| row.status == Status::Error) {
            if !listed.contains(&(row.subject_id.as_str(), row.indicator_id)) {
                mismatches.push(Mismatch {
                    kind: MismatchKind::UnexpectedError,
                    subject_id: row.subject_id.clone(),
                    indicator_id: row.indicator_id.to_owned(),
                    expected: None,
                    actual: Some(ActualRow { value: row.value, status: row.status, note: row.note.clone() }),
                });
            }
        }
        Ok(CaseReport {
            name: self.name.clone(),
            checked: self.expected.len(),
            produced: rows.len(),
            mismatches,
            observed,
        })
    }
}

/// Reads `expected.csv`.
///
/// # Errors
///
/// [`CaseError::Expected`] naming the file, row and column of the first problem.
pub fn read_expected(path: &Path) -> Result<Vec<ExpectedRow>, CaseError> {
    let problem = |row: Option<usize>, message: String| CaseError::Expected {
        path: path.to_owned(),
        row,
        column: None,
        value: None,
        message,
    };
    let bytes =
        std::fs::read(path).map_err(|error| problem(None, format!("cannot read the expected results: {error}")))?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let headers = reader.headers().map_err(|error| problem(Some(1), error.to_string()))?.clone();
    let mut columns = [0; 4];
    for (slot, name) in columns.iter_mut().zip(EXPECTED_COLUMNS) {
        *slot = headers.iter().position(|header| header.trim() == name).ok_or_else(|| {
            problem(
                Some(1),
                format!("the column `{name}` is missing; the header must name {}", EXPECTED_COLUMNS.join(",")),
            )
        })?;
    }
    let mut rows: Vec<ExpectedRow> = Vec::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in reader.records() {
        let record = record
            .map_err(|error| problem(error.position().map(|position| position.line() as usize), error.to_string()))?;
        let row = record.position().map_or(rows.len() + 2, |position| position.line() as usize);
        let cell = |index: usize| record.get(columns[index]).unwrap_or("").trim();
        let at = |column: &str, value: &str, message: &str| CaseError::Expected {
            path: path.to_owned(),
            row: Some(row),
            column: Some(column.to_owned()),
            value: (!value.is_empty()).then(|| value.to_owned()),
            message: message.to_owned(),
        };
        let subject_id = cell(0).to_owned();
        if subject_id.is_empty() {
            return Err(at("subject_id", "", "the subject id is empty"));
        }
        let status = match cell(3) {
            "met" => Status::Met,
            "not_met" => Status::NotMet,
            "not_applicable" => Status::NotApplicable,
            "error" => Status::Error,
            other => return Err(at("status", other, "not one of `met`, `not_met`, `not_applicable`, `error`")),
        };
        let indicator_id = cell(1).to_owned();
        if indicator_id.is_empty() && status != Status::Error {
            return Err(at("indicator_id", "", "the indicator id is empty (only an `error` row may leave it empty)"));
        }
        let value = match cell(2) {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(number) if number.is_finite() => Some(number),
                _ => return Err(at("value", text, "not a finite number")),
            },
        };
        if let Some(first) = seen.insert((subject_id.clone(), indicator_id.clone()), row) {
            return Err(problem(
                Some(row),
                format!(
                    "subject `{subject_id}` and indicator `{indicator_id}` are listed twice (first on row {first})"
                ),
            ));
        }
        rows.push(ExpectedRow { row, subject_id, indicator_id, value, status });
    }
    Ok(rows)
}

/// Coverage of every indicator of `manifest` by the cases' results, in manifest order.
pub fn coverage(manifest: &Manifest, reports: &[CaseReport]) -> Vec<IndicatorCoverage> {
    manifest
        .nodes()
        .into_iter()
        .filter(|node| node.level.is_some())
        .map(|node| {
            let seen = |status: Status| {
                reports.iter().any(|report| report.observed.contains(&(node.id.clone(), status.as_str())))
            };
            IndicatorCoverage {
                indicator: node.id.clone(),
                name: node.name.clone(),
                met: seen(Status::Met),
                not_met: seen(Status::NotMet),
            }
        })
        .collect()
}
