//! Reading the previous round back for the follow-up (回头看). The follow-up itself and the
//! supervision orders (督办单) are part of the rectification section ([`super::rectification`]).

use std::path::Path;

use super::PublishError;
use super::rectification::PreviousRound;

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
