//! The one access rule every route applies: an account sees and changes only the subtree of
//! its unit — the city all, a county its county, a 责任督学 the schools of its zone, a school
//! itself.

use crate::model::{Role, Unit, User};

/// Whether `user` may see `unit` (and its data, results, items and attachments).
pub fn sees(user: &User, unit: &Unit) -> bool {
    match user.role {
        Role::CityAdmin | Role::CityInspector => true,
        Role::CountyAdmin => unit.id == user.unit.id || unit.county_id.as_deref() == Some(user.unit.id.as_str()),
        Role::ZoneInspector => {
            unit.id == user.unit.id
                || (unit.level == "school" && unit.zone_id.as_deref() == Some(user.unit.id.as_str()))
        }
        Role::School => unit.id == user.unit.id,
    }
}

/// Whether `user` may submit data for `unit` in a round: a county administrator for its
/// county, a school for itself, the city administrator for anyone.
pub fn submits_data(user: &User, unit: &Unit) -> bool {
    match user.role {
        Role::CityAdmin => unit.level == "county" || unit.level == "school",
        Role::CountyAdmin => unit.level == "county" && unit.id == user.unit.id,
        Role::School => unit.id == user.unit.id,
        Role::CityInspector | Role::ZoneInspector => false,
    }
}

/// Whether `user` may record a 挂牌督导 visit to `school`: its zone's 责任督学.
pub fn records_visit(user: &User, school: &Unit) -> bool {
    user.role == Role::ZoneInspector && school.level == "school" && sees(user, school)
}

/// Whether `user` may submit a rectification report for an item of `unit`: the responsible
/// unit's own account (a school for a school, the county administrator for a county).
pub fn reports_rectification(user: &User, unit: &Unit) -> bool {
    match user.role {
        Role::School => unit.id == user.unit.id,
        Role::CountyAdmin => unit.level == "county" && unit.id == user.unit.id,
        _ => false,
    }
}

/// Whether `user` may accept or return a rectification report for an item of `unit`: a
/// school's 责任督学 (or a city inspector when the school has no zone), a county's city
/// inspector; the city administrator for any.
pub fn decides_rectification(user: &User, unit: &Unit) -> bool {
    match user.role {
        Role::CityAdmin => true,
        Role::CityInspector => unit.level == "county" || (unit.level == "school" && unit.zone_id.is_none()),
        Role::ZoneInspector => records_visit(user, unit),
        Role::CountyAdmin | Role::School => false,
    }
}

/// Whether `user` runs rounds (create, lock, run, publish) and reads the audit log.
pub fn administers_city(user: &User) -> bool {
    user.role == Role::CityAdmin
}

/// The columns of a table's rows that [`sees`] decides on: the unit's id, level, county and
/// zone (`("unit_id", "level", "county_id", "zone_id")` for results and items).
#[derive(Debug, Clone, Copy)]
pub struct UnitColumns {
    /// The unit's id.
    pub id: &'static str,
    /// Its level.
    pub level: &'static str,
    /// Its county.
    pub county: &'static str,
    /// Its zone.
    pub zone: &'static str,
}

/// Results and items.
pub const RESULT_COLUMNS: UnitColumns =
    UnitColumns { id: "unit_id", level: "level", county: "county_id", zone: "zone_id" };
/// The units table.
pub const UNIT_COLUMNS: UnitColumns = UnitColumns { id: "id", level: "level", county: "county_id", zone: "zone_id" };

/// [`sees`] as an SQL condition on `columns`, so that lists are filtered by the database: the
/// condition and the value to bind as parameter `$param` (none for city accounts, whose
/// condition is `1 = 1`). The two must agree; `tests/access.rs` checks every list against
/// [`sees`].
pub fn sees_sql(user: &User, columns: UnitColumns, param: usize) -> (String, Option<String>) {
    let UnitColumns { id, level, county, zone } = columns;
    let unit = Some(user.unit.id.clone());
    match user.role {
        Role::CityAdmin | Role::CityInspector => ("1 = 1".to_owned(), None),
        Role::CountyAdmin => (format!("({id} = ${param} OR {county} = ${param})"), unit),
        Role::ZoneInspector => (format!("({id} = ${param} OR ({level} = 'school' AND {zone} = ${param}))"), unit),
        Role::School => (format!("{id} = ${param}"), unit),
    }
}

/// [`sees_sql`] for rows of one `level` only: the same rule, written so that each condition is
/// one indexed column (a county's own row is found by its id, the rows below it by their
/// county; a zone's by its id, its schools by their zone). `sees_sql`'s `OR` over two columns
/// keeps a database from using either index, which on a national round means reading every
/// result row of the round to list one county's. `None` at a level the user sees nothing of.
/// Unit ids are unique across levels, so this selects what `sees_sql` does among rows of that
/// level; `tests/access.rs` checks it.
pub fn sees_level_sql(
    user: &User,
    columns: UnitColumns,
    level: &str,
    param: usize,
) -> Option<(String, Option<String>)> {
    let UnitColumns { id, county, zone, .. } = columns;
    let unit = Some(user.unit.id.clone());
    let column = match (user.role, level) {
        (Role::CityAdmin | Role::CityInspector, _) => return Some(("1 = 1".to_owned(), None)),
        (Role::CountyAdmin, "county") | (Role::ZoneInspector, "zone") | (Role::School, "school") => id,
        (Role::CountyAdmin, "zone" | "school") => county,
        (Role::ZoneInspector, "school") => zone,
        _ => return None,
    };
    Some((format!("{column} = ${param}"), unit))
}
