//! Running units in parallel while applying the run budgets ([`crate::budget`]) in the
//! fixed outcome order.
//!
//! Tasks are run in consecutive batches. Within a batch units run in parallel; after it, their
//! outcomes are accounted in order, and a pack stopped by an outcome has every later outcome
//! (in this batch, already run, and in later batches, not run) replaced by
//! [`EvalError::Stopped`](crate::sandbox::EvalError::Stopped). The outcome of a unit thus
//! depends only on the units before it, not on the batch size or thread count; the batch size
//! only decides how much work past a stop is wasted. It starts at two units per worker,
//! doubles after each batch without a failure up to 256 per worker, and falls back after one.

use crate::budget::{PackSpend, RunLimits, StopReason};
use crate::outcome::UnitOutcome;

/// Runs `tasks` in order-preserving batches with `run_batch` (which must return one outcome,
/// its fuel and its wall-clock time per task, in task order) and applies the run budgets per pack (`pack_of`);
/// tasks of a stopped pack get `stopped(task, reason, ran)`, where `ran` tells whether the
/// task had run (in the batch that stopped its pack) and its outcome was dropped.
///
/// Once a batch is accounted its outcomes are final: they go to `finished`, in order and each
/// once, while the next batch runs (the last batch's after it).
#[expect(clippy::too_many_arguments, reason = "one internal caller; the callbacks are its three steps")]
pub(crate) fn run_in_order<T, R, S, F>(
    tasks: &[T],
    pack_of: impl Fn(&T) -> usize,
    packs: usize,
    workers: usize,
    limits: &RunLimits,
    run_batch: R,
    stopped: S,
    finished: F,
) -> Vec<UnitOutcome>
where
    T: Sync,
    R: Fn(&[&T]) -> Vec<(UnitOutcome, (u64, std::time::Duration))> + Sync,
    S: Fn(&T, StopReason, bool) -> UnitOutcome,
    F: Fn(&mut [UnitOutcome]) + Sync,
{
    let workers = workers.max(1);
    let (smallest, largest) = (workers * 2, workers * 256);
    let mut size = smallest;
    let mut spend = vec![PackSpend::default(); packs];
    let mut outcomes = Vec::with_capacity(tasks.len());
    let mut start = 0;
    let mut final_until = 0;
    while start < tasks.len() {
        let end = (start + size).min(tasks.len());
        let slice = &tasks[start..end];
        let stopped_before: Vec<bool> = spend.iter().map(|pack| pack.stopped().is_some()).collect();
        let runnable: Vec<&T> = slice.iter().filter(|task| !stopped_before[pack_of(task)]).collect();
        let last_batch = &mut outcomes[final_until..];
        let (ran, ()) = rayon::join(|| run_batch(&runnable), || finished(last_batch));
        final_until = outcomes.len();
        let mut ran = ran.into_iter();
        let mut failed = false;
        for task in slice {
            let pack = pack_of(task);
            // Stopped before this batch: not run. Stopped by an earlier unit of this batch:
            // run, but its outcome is dropped.
            let outcome = if stopped_before[pack] { None } else { ran.next() };
            if let Some(reason) = spend[pack].stopped() {
                outcomes.push(stopped(task, reason.clone(), outcome.is_some()));
                continue;
            }
            let Some((mut outcome, spent)) = outcome else { break };
            failed |= outcome.result.is_err();
            outcome.result = spend[pack].account(limits, spent, outcome.result);
            if matches!(outcome.result, Err(crate::sandbox::EvalError::Stopped { .. })) {
                outcome.logs.clear();
            }
            outcomes.push(outcome);
        }
        size = if failed { smallest } else { (size * 2).min(largest) };
        start = end;
    }
    finished(&mut outcomes[final_until..]);
    outcomes
}
