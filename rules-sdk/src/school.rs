//! The columns every school record has (data dictionary §schools), for packs that read a few
//! columns of their own on top of them.

use serde::Deserialize;

/// A school's identity and students. A pack embeds it with `#[serde(flatten)]` and reads its
/// own columns next to it:
///
/// ```
/// use rules_sdk::SchoolBasics;
///
/// #[derive(serde::Deserialize)]
/// struct School {
///     #[serde(flatten)]
///     basics: SchoolBasics,
///     taiji_participants: Option<f64>,
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SchoolBasics {
    /// School id.
    pub id: String,
    /// School name.
    pub name: String,
    /// The county-level unit the school belongs to.
    pub county_id: String,
    /// 小学段在校生数.
    pub primary_students: f64,
    /// 初中段在校生数.
    pub junior_students: f64,
}

impl SchoolBasics {
    /// All students of the school (小学段 + 初中段).
    pub fn students(&self) -> f64 {
        self.primary_students + self.junior_students
    }
}
