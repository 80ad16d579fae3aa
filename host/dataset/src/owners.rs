//! Which county a zone or school belongs to: one answer, from the dataset's membership lists,
//! for every renderer (terminal summary, reports, rectification list).

use rules_sdk::wire::Level;

use crate::validate::Prepared;

impl Prepared {
    /// The index of the county that subject number `index` at `level` belongs to: the county
    /// itself at county level, `None` at city level or for a subject in no county.
    pub fn county_of(&self, level: Level, index: usize) -> Option<usize> {
        match level {
            Level::City => None,
            Level::County => Some(index),
            _ => self.members.get(&(Level::County, level))?.iter().position(|members| members.contains(&index)),
        }
    }

    /// [`Prepared::county_of`] for every subject at `level`, in dataset order (one pass over
    /// the membership lists).
    pub fn counties_of(&self, level: Level) -> Vec<Option<usize>> {
        let count = self.subjects.get(&level).map_or(0, Vec::len);
        match level {
            Level::City => vec![None; count],
            Level::County => (0..count).map(Some).collect(),
            _ => {
                let mut owners = vec![None; count];
                for (county, members) in self.members.get(&(Level::County, level)).into_iter().flatten().enumerate() {
                    for &member in members {
                        if let Some(owner) = owners.get_mut(member) {
                            *owner = Some(county);
                        }
                    }
                }
                owners
            }
        }
    }
}
