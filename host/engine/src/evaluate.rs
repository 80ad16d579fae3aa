//! Evaluating a dataset with packs: cutting it into units, running them in the sandbox in
//! parallel, and collecting the outcomes in a fixed order.
//!
//! Units are evaluated in parallel across a thread pool, but outcomes are always ordered by
//! pack (as given), unit level (as in the manifest) and subject (dataset order), so the output
//! is byte-for-byte the same whatever the thread count.

use rayon::prelude::*;
use rules_sdk::wire::{GradeBand, UnitSpec};

use dudao_dataset::{Dataset, Prepared};

use crate::outcome::{DatasetInfo, EvaluatedPack, PackInfo, UnitOutcome};
use crate::pack::LoadedPack;
use crate::sandbox::{EvalError, Sandbox, SubjectFailure};
use crate::scope::Selection;
use crate::score::{ScoreCard, Scores};

/// How to run an evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
    /// The indicators covered (a special round's patterns); by default every one.
    pub selection: Selection,
    /// Per pack (in order): the grade bands in force, as a plan resolves them
    /// ([`crate::plan::Plan::grade_bands`]). A pack without an entry uses its manifest's.
    pub grades: Vec<Vec<GradeBand>>,
    /// Told how many units are done after each one; it never changes the results.
    pub progress: Option<Progress>,
    /// Given every stretch of final outcomes, in order, while later units still run.
    pub finished: Option<Finished>,
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

/// A stretch of outcomes that will not change, in outcome order, with each one's score card
/// (`None` where it has none), and what is needed to read them: told while later units still
/// run, so that a national results table is written as units finish. Stretches come one after
/// the other, never two at once, and together they are every outcome once.
#[derive(Debug)]
pub struct Stretch<'a> {
    /// The packs, in the order given.
    pub packs: &'a [EvaluatedPack],
    /// The validated dataset.
    pub prepared: &'a Prepared,
    /// The outcomes.
    pub outcomes: &'a [UnitOutcome],
    /// Their score cards, one per outcome.
    pub cards: &'a [Option<ScoreCard>],
}

/// A callback given each [`Stretch`] of final outcomes, from any thread.
#[derive(Clone)]
pub struct Finished {
    call: std::sync::Arc<dyn Fn(Stretch<'_>) + Send + Sync>,
    keep_all: bool,
}

impl Finished {
    /// Calls `call` with every stretch; the evaluation keeps everything.
    pub fn new(call: impl Fn(Stretch<'_>) + Send + Sync + 'static) -> Finished {
        Finished { call: std::sync::Arc::new(call), keep_all: true }
    }

    /// The same callback, as the only reader of the results and of the score cards' trees:
    /// once a stretch has been given to it, the evaluation keeps only what totals, roll-ups
    /// and the failures list read. Of each card: its total, grade and vetoes (not its tree);
    /// of each outcome: its failure, logs, and the results of indicators that roll up.
    /// A national four-pack run has millions of results and tens of millions of tree nodes;
    /// a results table written as units finish reads none of them again.
    pub fn sole_reader(mut self) -> Finished {
        self.keep_all = false;
        self
    }
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Finished")
    }
}

impl PartialEq for Finished {
    /// Callbacks do not change results: any two are equal.
    fn eq(&self, _: &Finished) -> bool {
        true
    }
}

/// A finished evaluation.
#[derive(Debug)]
pub struct Evaluation {
    /// The packs, in the order given.
    pub packs: Vec<EvaluatedPack>,
    /// The dataset.
    pub dataset: DatasetInfo,
    /// The validated dataset (subjects, hierarchy).
    pub prepared: Prepared,
    /// Every unit's outcome, in pack, level, subject order.
    pub outcomes: Vec<UnitOutcome>,
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
                    pack: self.packs[outcome.pack].info.id.clone(),
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
    evaluate_prepared(sandbox, packs, DatasetInfo::of(dataset), prepared, options)
}

/// [`evaluate`] with only the dataset's record ([`DatasetInfo`]): the evaluation reads the
/// prepared dataset alone, so a caller may free the dataset's tables before it starts (a
/// national dataset's cells are several times the size of its files).
pub fn evaluate_prepared(
    sandbox: &Sandbox,
    packs: &[LoadedPack],
    dataset: DatasetInfo,
    prepared: Prepared,
    options: RunOptions,
) -> Evaluation {
    let mut tasks = Vec::new();
    for (pack_index, pack) in packs.iter().enumerate() {
        let selected =
            pack.manifest.nodes().iter().any(|node| node.level.is_some() && options.selection.covers(&node.id));
        if !selected {
            continue;
        }
        for unit in &pack.manifest.units {
            for subject in prepared.subjects_in_scope(pack_index, unit.level) {
                tasks.push(Task { pack: pack_index, spec: unit, subject });
            }
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = tasks.len();
    let run = |task: &Task| {
        let level = task.spec.level;
        let started = std::time::Instant::now();
        let bytes = dudao_dataset::unit_json(&prepared, task.pack, task.spec, task.subject);
        let subject_id = &prepared.subject(level, task.subject).id;
        let (mut result, logs, fuel) = packs[task.pack].evaluate_metered(sandbox, level, subject_id, &bytes);
        if let (Ok(results), true) = (&mut result, options.selection.is_partial()) {
            results.retain(|result| options.selection.covers(&result.indicator));
        }
        if let Some(progress) = &options.progress {
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            (progress.0)(finished, total);
        }
        (UnitOutcome { pack: task.pack, level, subject: task.subject, result, logs }, (fuel, started.elapsed()))
    };
    let evaluated: Vec<EvaluatedPack> = packs
        .iter()
        .enumerate()
        .map(|(index, pack)| EvaluatedPack {
            info: PackInfo::of(pack),
            manifest: pack.manifest.clone(),
            scope: prepared.packs[index].scope.clone(),
            grades: options.grades.get(index).cloned().unwrap_or_else(|| pack.manifest.grades.clone()),
        })
        .collect();
    let pool =
        options.threads.and_then(|threads| rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build().ok());
    // Score cards are made for each stretch of final outcomes while the next batch runs.
    let cards = std::sync::Mutex::new(Vec::new());
    // Per pack, the (level, indicator) pairs whose results roll up: all that is kept of the
    // results for a sole reader.
    let rolled: Vec<_> = evaluated.iter().map(|pack| crate::score::rolled_up(&pack.manifest)).collect();
    let finish = |outcomes: &mut [UnitOutcome]| {
        if outcomes.is_empty() {
            return;
        }
        let make = || crate::score::cards_of(&evaluated, outcomes, &prepared);
        let mut made = match &pool {
            Some(pool) => pool.install(make),
            None => make(),
        };
        if let Some(finished) = &options.finished {
            (finished.call)(Stretch { packs: &evaluated, prepared: &prepared, outcomes, cards: &made });
            if !finished.keep_all {
                for card in made.iter_mut().flatten() {
                    card.tree = Vec::new();
                }
                for outcome in outcomes.iter_mut() {
                    if let Ok(results) = &mut outcome.result {
                        let rolled = &rolled[outcome.pack];
                        results.retain(|result| rolled.contains(&(outcome.level, result.indicator.as_str())));
                        results.shrink_to_fit();
                    }
                }
            }
        }
        cards.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(made.into_iter().flatten());
    };
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
        finish,
    );
    let cards = cards.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let scores = crate::score::score_with_cards(&evaluated, &outcomes, &prepared, cards);
    Evaluation { packs: evaluated, dataset, prepared, outcomes, scores }
}
