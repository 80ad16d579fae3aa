//! Budgets of a whole run, per pack, and the rule that stops a pack for the rest of the run.
//!
//! Per-unit limits (fuel, memory, deadline, output, results) bound one evaluation; these
//! bound the sum, so that a pack that spins, burns its deadline or floods results in every
//! unit costs a bounded amount however many units there are:
//!
//! - **fuel per run**: the fuel a pack's units consumed, together;
//! - **results per run**: the results a pack's units returned, together;
//! - **time per run**: the wall-clock time a pack's units took, together (the one budget that
//!   depends on the machine: a run it stops is not reproducible, every other one is);
//! - **identical failures**: after this many units of a pack failed the same way (the same
//!   error kind; refusals do not count, a pack may refuse what it cannot judge), the pack is
//!   stopped.
//!
//! A stopped pack's remaining units are not run; their outcome is [`EvalError::Stopped`] with
//! one [`StopReason`]. Whether a unit counts as run is decided in the fixed outcome order
//! (pack, unit level, subject), never by which worker finished first: unit *k* of a pack is
//! judged only by the outcomes of the units before it, so the results (failures included) are
//! the same at any thread count.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::sandbox::EvalError;

pub use crate::sandbox::RunLimits;

pub use crate::sandbox::StopReason;

/// What a pack has spent so far in the run, in outcome order.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackSpend {
    fuel: u64,
    time: Duration,
    results: usize,
    failures: BTreeMap<&'static str, usize>,
    stopped: Option<StopReason>,
}

impl PackSpend {
    /// The reason the pack is stopped, if it is.
    pub(crate) fn stopped(&self) -> Option<&StopReason> {
        self.stopped.as_ref()
    }

    /// Accounts one unit's outcome (in outcome order) and returns the outcome to keep: the
    /// unit's own, or [`EvalError::Stopped`] when the pack was stopped before it or it takes
    /// the pack over the results budget.
    pub(crate) fn account<T>(
        &mut self,
        limits: &RunLimits,
        (fuel, time): (u64, Duration),
        result: Result<Vec<T>, EvalError>,
    ) -> Result<Vec<T>, EvalError> {
        if let Some(reason) = &self.stopped {
            return Err(EvalError::Stopped { reason: reason.clone() });
        }
        self.fuel = self.fuel.saturating_add(fuel);
        self.time = self.time.saturating_add(time);
        let kept = match result {
            Ok(results) if self.results.saturating_add(results.len()) > limits.results => {
                let reason = StopReason::Results { limit: limits.results };
                self.stopped = Some(reason.clone());
                return Err(EvalError::Stopped { reason });
            }
            Ok(results) => {
                self.results += results.len();
                Ok(results)
            }
            Err(error) => {
                if !matches!(error, EvalError::Refused { .. } | EvalError::Stopped { .. }) {
                    let count = self.failures.entry(error.kind()).or_insert(0);
                    *count += 1;
                    if *count >= limits.identical_failures {
                        self.stopped = Some(StopReason::RepeatedFailure { kind: error.kind(), count: *count });
                    }
                }
                Err(error)
            }
        };
        if self.stopped.is_none() && self.fuel > limits.fuel {
            self.stopped = Some(StopReason::Fuel { budget: limits.fuel });
        }
        if self.stopped.is_none() && self.time > limits.time {
            self.stopped = Some(StopReason::Time { seconds: limits.time.as_secs() });
        }
        kept
    }
}
