//! A pack's rule: the bound an indicator is judged against and the document it comes from.
//!
//! Packs keep their rules as constants and build both the manifest and the evaluation from
//! them, so the threshold a user reads is the one the pack applies.

use crate::finding::Finding;
use crate::wire::{Comparison, Status};

/// A bound an indicator is judged against, and where it comes from. When `param` is set, an
/// evaluation plan may replace the default `bound` with that parameter (a local choice).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The indicator id.
    pub id: &'static str,
    /// The comparison.
    pub op: Comparison,
    /// The default bound.
    pub bound: f64,
    /// The plan parameter that may replace the bound.
    pub param: Option<&'static str>,
    /// Document and item (article, numbered item, and what the text says).
    pub source: (&'static str, &'static str),
}

impl Rule {
    /// A rule with a fixed bound.
    pub const fn new(id: &'static str, op: Comparison, bound: f64, source: (&'static str, &'static str)) -> Rule {
        Rule { id, op, bound, param: None, source }
    }

    /// The same rule, with a plan parameter that may replace its bound.
    pub const fn with_param(mut self, name: &'static str) -> Rule {
        self.param = Some(name);
        self
    }

    /// `value` judged against this rule's comparison and `bound` (the default bound or the
    /// plan's, see [`Params::bound`](crate::Params::bound)).
    pub fn judge(&self, value: f64, bound: f64) -> Finding {
        Finding::judged(value, self.op, bound)
    }
}

impl Status {
    /// [`Status::Met`] when `met`, else [`Status::NotMet`].
    pub fn of(met: bool) -> Status {
        if met { Status::Met } else { Status::NotMet }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_judges_with_its_comparison_and_the_bound_in_force() {
        let rule = Rule::new("x", Comparison::AtMost, 0.5, ("文件", "第六条"));
        assert_eq!(rule.judge(0.5, rule.bound).status, Status::Met);
        assert_eq!(rule.judge(0.51, rule.bound).status, Status::NotMet);
        assert_eq!(rule.judge(0.51, 0.6).status, Status::Met);
    }

    #[test]
    fn status_of_a_condition() {
        assert_eq!(Status::of(true), Status::Met);
        assert_eq!(Status::of(false), Status::NotMet);
    }
}
