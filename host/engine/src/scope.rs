//! Where a pack applies and what a round covers.
//!
//! A pack's [`Scope`] (every subject, or one county's subtree for a county-local pack) is
//! defined with the dataset, because it decides which records are validated and delivered;
//! [`dudao_dataset::Prepared::subjects_in_scope`] is the one place it is applied. A special
//! round's indicator patterns are matched here ([`matches`], [`Selection`]).

pub use dudao_dataset::Scope;

/// Whether `indicator` matches `pattern` (exact, or a prefix ending in `*`).
pub fn matches(pattern: &str, indicator: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => indicator.starts_with(prefix),
        None => pattern == indicator,
    }
}

/// The indicators an evaluation covers: everything (a comprehensive round), or those matching
/// one of a special round's patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Selection {
    /// Every indicator.
    #[default]
    All,
    /// Indicators matching one of these patterns (exact ids, or prefixes ending in `*`).
    Patterns(Vec<String>),
}

impl Selection {
    /// Whether the selection covers `indicator`.
    pub fn covers(&self, indicator: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Patterns(patterns) => patterns.iter().any(|pattern| matches(pattern, indicator)),
        }
    }

    /// Whether some indicators are left out.
    pub fn is_partial(&self) -> bool {
        matches!(self, Selection::Patterns(_))
    }
}
