//! Evaluating a dataset with packs: cutting it into units, running them in the sandbox in
//! parallel, and collecting the outcomes in a fixed order.
//!
//! Units are evaluated in parallel across a thread pool, but outcomes are always ordered by
//! pack (as given), unit level (as in the manifest) and subject (dataset order), so the output
//! is byte-for-byte the same whatever the thread count.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rules_sdk::wire::{GradeBand, IndicatorResult, Level, Manifest, UnitSpec};
use serde::Serialize;

use crate::dataset::{Dataset, DatasetFormat, Prepared};
use crate::pack::LoadedPack;
use crate::plan::{Scope, matches};
use crate::sandbox::{EvalError, Sandbox, SubjectFailure};
use crate::score::Scores;

/// How to run an evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
    /// Per pack (in order): where it applies. Missing entries mean everywhere.
    pub scopes: Vec<Scope>,
    /// Indicator patterns a special round covers (exact ids, or prefixes ending in `*`);
    /// `None` covers everything.
    pub selection: Option<Vec<String>>,
    /// Per pack: the grade bands in force (a plan's); missing or empty entries use the
    /// manifest's.
    pub grades: Vec<Vec<GradeBand>>,
    /// Told how many units are done after each one; it never changes the results.
    pub progress: Option<Progress>,
}

/// A progress callback: called with (units done, units in all) after each unit, from any
/// worker thread.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl PartialEq for Progress {
    /// Progress callbacks do not change results: any two are equal.
    fn eq(&self, _: &Progress) -> bool {
        true
    }
}

impl RunOptions {
    fn selects(&self, indicator: &str) -> bool {
        self.selection.as_ref().is_none_or(|patterns| patterns.iter().any(|pattern| matches(pattern, indicator)))
    }
}

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
                .map(|table| (crate::dataset::TableSpec::of(table.level).name.to_owned(), table.rows.len()))
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

/// A finished evaluation.
#[derive(Debug)]
pub struct Evaluation {
    /// The packs, in the order given.
    pub packs: Vec<PackInfo>,
    /// Their manifests, in the same order (names, units and thresholds for reports).
    pub manifests: Vec<Manifest>,
    /// The dataset.
    pub dataset: DatasetInfo,
    /// The validated dataset (subjects, hierarchy).
    pub prepared: Prepared,
    /// Every unit's outcome, in pack, level, subject order.
    pub outcomes: Vec<UnitOutcome>,
    /// Where each pack applied.
    pub scopes: Vec<Scope>,
    /// The grade bands in force for each pack.
    pub grades: Vec<Vec<GradeBand>>,
    /// Scores, grades and roll-ups derived from the results.
    pub scores: Scores,
}

impl Evaluation {
    /// Every failed unit, with its pack and subject.
    pub fn failures(&self) -> Vec<SubjectFailure> {
        self.outcomes
            .iter()
            .filter_map(|outcome| {
                outcome.result.as_ref().err().map(|error| SubjectFailure {
                    pack: self.packs[outcome.pack].id.clone(),
                    level: outcome.level,
                    subject: self.prepared.subject(outcome.level, outcome.subject).id.clone(),
                    error: error.clone(),
                })
            })
            .collect()
    }
}

struct Task<'a> {
    pack: usize,
    spec: &'a UnitSpec,
    subject: usize,
}

/// Evaluates every unit of every pack over a prepared dataset.
///
/// A failing unit does not stop the others: its outcome carries the [`EvalError`].
pub fn evaluate(
    sandbox: &Sandbox,
    packs: &[LoadedPack],
    dataset: &Dataset,
    prepared: Prepared,
    options: RunOptions,
) -> Evaluation {
    let scopes: Vec<Scope> = (0..packs.len()).map(|i| options.scopes.get(i).cloned().unwrap_or_default()).collect();
    let mut tasks = Vec::new();
    for (pack_index, pack) in packs.iter().enumerate() {
        let selected = pack.manifest.nodes().iter().any(|node| node.level.is_some() && options.selects(&node.id));
        if !selected {
            continue;
        }
        for unit in &pack.manifest.units {
            for subject in subjects_in_scope(&prepared, &scopes[pack_index], unit.level) {
                tasks.push(Task { pack: pack_index, spec: unit, subject });
            }
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = tasks.len();
    let run = |task: &Task| {
        let level = task.spec.level;
        let bytes = crate::dataset::unit_json(&prepared, task.pack, task.spec, task.subject);
        let subject_id = &prepared.subject(level, task.subject).id;
        let (mut result, logs, fuel) = packs[task.pack].evaluate_metered(sandbox, level, subject_id, &bytes);
        if let (Ok(results), Some(_)) = (&mut result, &options.selection) {
            results.retain(|result| options.selects(&result.indicator));
        }
        if let Some(progress) = &options.progress {
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            (progress.0)(finished, total);
        }
        (UnitOutcome { pack: task.pack, level, subject: task.subject, result, logs }, fuel)
    };
    let pool =
        options.threads.and_then(|threads| rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build().ok());
    let workers = pool.as_ref().map_or_else(rayon::current_num_threads, rayon::ThreadPool::current_num_threads);
    let outcomes = crate::batches::run_in_order(
        &tasks,
        |task| task.pack,
        packs.len(),
        workers,
        &sandbox.limits().run,
        |batch| match &pool {
            Some(pool) => pool.install(|| batch.par_iter().map(|task| run(task)).collect()),
            None => batch.par_iter().map(|task| run(task)).collect(),
        },
        |task, reason, ran| {
            if let (Some(progress), false) = (&options.progress, ran) {
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                (progress.0)(finished, total);
            }
            UnitOutcome {
                pack: task.pack,
                level: task.spec.level,
                subject: task.subject,
                result: Err(EvalError::Stopped { reason }),
                logs: Vec::new(),
            }
        },
    );
    let manifests: Vec<Manifest> = packs.iter().map(|pack| pack.manifest.clone()).collect();
    let grades: Vec<Vec<GradeBand>> = manifests
        .iter()
        .enumerate()
        .map(|(i, manifest)| match options.grades.get(i) {
            Some(bands) if !bands.is_empty() => bands.clone(),
            _ => manifest.grades.clone(),
        })
        .collect();
    let scores = crate::score::score(&manifests, &grades, &outcomes, &prepared);
    Evaluation {
        packs: packs.iter().map(PackInfo::of).collect(),
        manifests,
        dataset: DatasetInfo::of(dataset),
        prepared,
        outcomes,
        scopes,
        grades,
        scores,
    }
}

/// The subjects at `level` a pack with `scope` evaluates, in dataset order.
pub fn subjects_in_scope(prepared: &Prepared, scope: &Scope, level: Level) -> Vec<usize> {
    let count = prepared.subjects.get(&level).map_or(0, Vec::len);
    match scope {
        Scope::All => (0..count).collect(),
        Scope::County(county) => {
            let Some(index) =
                prepared.subjects.get(&Level::County).and_then(|c| c.iter().position(|s| &s.id == county))
            else {
                return Vec::new();
            };
            match level {
                Level::County => vec![index],
                Level::City => Vec::new(),
                lower => {
                    prepared.members.get(&(Level::County, lower)).map(|lists| lists[index].clone()).unwrap_or_default()
                }
            }
        }
    }
}
