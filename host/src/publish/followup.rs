//! Follow-up against the previous round (回头看) and supervision orders (督办单).

use std::path::Path;

use rules_sdk::wire::Level;
use serde::{Deserialize, Serialize};

use super::PublishError;
use super::rectification::{Item, Rectification};

/// The previous round's `rectification` section, read back from its `results.json`.
pub type PreviousRound = Rectification;

/// What the follow-up found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The previous round's id.
    pub previous_round: String,
    /// Its date.
    pub previous_date: String,
    /// Items of the previous round no longer found (已整改).
    pub fixed: Vec<Item>,
    /// Ids of this round's items carried over from the previous round (回头看未整改).
    pub still_open: Vec<String>,
}

/// A supervision order (督办单): one per responsible unit with overdue items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Order number (`督办〔2027〕1号`).
    pub number: String,
    /// Level of the unit.
    pub level: Level,
    /// Responsible unit id.
    pub unit_id: String,
    /// Its name.
    pub unit_name: String,
    /// Its supervising county, for a school.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_name: Option<String>,
    /// Ids of the overdue items.
    pub items: Vec<String>,
}

/// Reads the `rectification` section of an earlier `dudao report`'s `results.json`.
///
/// # Errors
///
/// [`PublishError::PreviousRead`] or [`PublishError::PreviousInvalid`].
pub fn read_previous(path: &Path) -> Result<PreviousRound, PublishError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| PublishError::PreviousRead { path: path.to_owned(), source })?;
    let invalid = |message: String| PublishError::PreviousInvalid { path: path.to_owned(), message };
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|error| invalid(error.to_string()))?;
    let section = value
        .get_mut("rectification")
        .map(serde_json::Value::take)
        .ok_or_else(|| invalid("it has no `rectification` section (write it with `dudao report`)".to_owned()))?;
    serde_json::from_value(section).map_err(|error| invalid(format!("`rectification`: {error}")))
}
