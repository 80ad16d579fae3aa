//! Reading the previous round back for the follow-up (回头看). The follow-up itself and the
//! supervision orders (督办单) are part of the rectification section ([`super::rectification`]).

use std::collections::BTreeSet;
use std::path::Path;

use rules_sdk::wire::Level;

use super::rectification::PreviousRound;
use super::{PublishError, View};
use dudao_engine::plan;

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

/// Checks that `previous` is an earlier round of the same family over the same units as
/// `report`, the only record a follow-up may read: the same round (or a later one) fed back
/// would make this round's findings look carried over and its grades look repeated, which
/// would wrongly exempt units from inspection.
///
/// The rules, in order: the family (`family` of the plan, else its kind) is the same; the
/// round is another one (its id differs); its date is strictly earlier; its county-level
/// units are exactly this round's.
///
/// # Errors
///
/// [`PublishError::PreviousNotEarlier`], naming both rounds.
pub(super) fn check_previous(path: &Path, previous: &PreviousRound, report: &View) -> Result<(), PublishError> {
    let refuse = |message: String| Err(PublishError::PreviousNotEarlier { path: path.to_owned(), message });
    if previous.family.is_empty() {
        return refuse(format!(
            "它（轮次 {}）没有记录督导系列（family），无法确认是同一系列的上一轮；请用当前版本的 dudao report 重新生成",
            previous.round
        ));
    }
    if previous.family != report.family {
        return refuse(format!(
            "它属于督导系列“{}”（轮次 {}），本轮属于“{}”（轮次 {}）；回头看只能对照同一系列的上一轮",
            previous.family, previous.round, report.family, report.round_id
        ));
    }
    if previous.round == report.round_id {
        return refuse(format!(
            "它就是本轮（轮次 {}，日期 {}）；回头看须对照更早的一轮",
            previous.round, previous.date
        ));
    }
    let earlier = match (plan::parse_date(&previous.date), plan::parse_date(&report.date)) {
        (Some(before), Some(now)) => before < now,
        _ => false,
    };
    if !earlier {
        return refuse(format!(
            "它的日期 {}（轮次 {}）不早于本轮日期 {}（轮次 {}）；回头看须对照更早的一轮",
            previous.date, previous.round, report.date, report.round_id
        ));
    }
    let now: BTreeSet<&str> = report.level(Level::County).iter().map(|county| county.id.as_str()).collect();
    let before: BTreeSet<&str> = previous.counties.iter().map(String::as_str).collect();
    if now != before {
        let only = |a: &BTreeSet<&str>, b: &BTreeSet<&str>| {
            let list: Vec<&str> = a.difference(b).copied().collect();
            if list.is_empty() { "无".to_owned() } else { list.join("、") }
        };
        return refuse(format!(
            "它（轮次 {}）评估的县级单位与本轮数据不同（仅上一轮有：{}；仅本轮有：{}）；回头看须针对同一批单位",
            previous.round,
            only(&before, &now),
            only(&now, &before)
        ));
    }
    Ok(())
}
