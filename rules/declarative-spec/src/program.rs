//! The compiled form of a declarative pack: what `dudao build pack.toml` writes into the
//! interpreter module and what the interpreter reads back at every instantiation.
//!
//! It is the checked spec, with everything resolved: the manifest the pack describes itself
//! with, and per evaluated level the expressions (CEL source text, already parsed and tried at
//! build time) that compute its derived values, its data checks and its indicators.

use rules_sdk::wire::{Comparison, Level, Manifest};
use serde::{Deserialize, Serialize};

/// Version of the [`Program`] layout; the interpreter refuses any other.
pub const PROGRAM_FORMAT: u32 = 1;

/// A checked declarative pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    /// Always [`PROGRAM_FORMAT`].
    pub format: u32,
    /// What `dudao_describe` returns.
    pub manifest: Manifest,
    /// What evaluating a unit needs; the interpreter reads only this part per unit.
    pub runtime: Runtime,
}

/// The part of a [`Program`] that evaluates units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runtime {
    /// For a county-local pack: the county code. Only that county and its schools (records
    /// whose `county_id` is the code) get results; every other subject gets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// The parameters' defaults, used when the plan does not set them.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// One entry per evaluated level, in manifest order.
    pub levels: Vec<LevelProgram>,
}

/// A [`Program`] read for evaluation only: the manifest is skipped, not built.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuntimeOnly {
    /// Always [`PROGRAM_FORMAT`].
    pub format: u32,
    /// The runtime part.
    pub runtime: Runtime,
}

impl Runtime {
    /// The program of one level, if the pack evaluates it.
    pub fn level(&self, level: Level) -> Option<&LevelProgram> {
        self.levels.iter().find(|program| program.level == level)
    }
}

/// What is computed for the subjects of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelProgram {
    /// The subjects' level.
    pub level: Level,
    /// The lower level whose records come with each subject (`school` for a county), and the
    /// variable they are bound to (`schools`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Members>,
    /// Derived values of the subject, in order; each sees the previous ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Derived>,
    /// Data checks: a subject that fails one is refused with its message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// The indicators reported for these subjects, in manifest order.
    pub indicators: Vec<IndicatorProgram>,
}

/// The member records of a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Members {
    /// Their level.
    pub level: Level,
    /// The expression variable holding them, a list of records (`schools`).
    pub variable: String,
    /// Derived values computed on every member record before the subject's own (so
    /// `schools.map(s, s.students)` works when `students` is a derived school value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Derived>,
}

/// A named value computed from a record (派生量).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// The variable name.
    pub name: String,
    /// The CEL expression.
    pub expr: String,
}

/// A data check (数据校验).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// A CEL expression that must be true.
    pub rule: String,
    /// The Chinese message when it is not.
    pub message: String,
}

/// How one indicator is computed and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorProgram {
    /// The indicator id.
    pub id: String,
    /// CEL: whether the subject reported what the indicator needs; false → `not_met` with
    /// `missing_note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<String>,
    /// CEL: whether the indicator applies; false → `not_applicable` with
    /// `not_applicable_note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<String>,
    /// CEL: the value (a number, a boolean counted 1/0, or null for "no value": `not_met`
    /// with `missing_note`).
    pub value: String,
    /// CEL: a note for the result (a string, or null for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The note when not reported.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub missing_note: String,
    /// The note when not applicable.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub not_applicable_note: String,
    /// The bound the value is judged against.
    pub threshold: Bound,
}

/// A threshold as the interpreter applies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    /// The comparison.
    pub op: Comparison,
    /// The bound written in the manifest (the parameter's default when `parameter` is set).
    pub value: f64,
    /// A parameter of the pack whose value, set by the plan, replaces `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}
