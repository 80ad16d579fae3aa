//! Where a pack applies: every subject, or one county's subtree (a county-local pack). The
//! scope decides which records are validated for a pack, which reach it, and which subjects it
//! evaluates — all three from [`Prepared`], so it is applied in one place.

use rules_sdk::wire::Level;

use crate::Prepared;

/// Where a pack applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every subject.
    #[default]
    All,
    /// The county with this code and its zones and schools only.
    County(String),
}

impl Prepared {
    /// The subjects at `level` that pack number `pack` evaluates, in dataset order.
    pub fn subjects_in_scope(&self, pack: usize, level: Level) -> Vec<usize> {
        let count = self.subjects.get(&level).map_or(0, Vec::len);
        match &self.packs[pack].scope {
            Scope::All => (0..count).collect(),
            Scope::County(county) => {
                let Some(index) =
                    self.subjects.get(&Level::County).and_then(|c| c.iter().position(|s| &s.id == county))
                else {
                    return Vec::new();
                };
                match level {
                    Level::County => vec![index],
                    Level::City => Vec::new(),
                    lower => {
                        self.members.get(&(Level::County, lower)).map(|lists| lists[index].clone()).unwrap_or_default()
                    }
                }
            }
        }
    }
}
