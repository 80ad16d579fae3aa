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
