//! A pack's finding for one indicator: a value judged against a threshold, or not applicable.

use crate::wire::{Comparison, IndicatorResult, Status};

/// The value, status and note of one indicator for one subject, before it is tied to a subject
/// and indicator id.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The value, if there is one.
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
    /// Explanation.
    pub note: Option<String>,
}

impl Finding {
    /// `value` judged against `op bound` (a value equal to the bound, within
    /// [`THRESHOLD_TOLERANCE`](crate::wire::THRESHOLD_TOLERANCE), meets `>=` and `<=`).
    pub fn judged(value: f64, op: Comparison, bound: f64) -> Finding {
        let status = if op.holds(value, bound) { Status::Met } else { Status::NotMet };
        Finding { value: Some(value), status, note: None }
    }

    /// Not applicable, with the reason.
    pub fn not_applicable(note: &str) -> Finding {
        Finding { value: None, status: Status::NotApplicable, note: Some(note.to_owned()) }
    }

    /// The same finding with a note.
    pub fn noted(mut self, note: impl Into<String>) -> Finding {
        self.note = Some(note.into());
        self
    }

    /// The finding as the result of `indicator` for `subject`.
    pub fn result(self, subject: impl Into<String>, indicator: impl Into<String>) -> IndicatorResult {
        IndicatorResult {
            subject: subject.into(),
            indicator: indicator.into(),
            value: self.value,
            status: self.status,
            note: self.note,
        }
    }
}
