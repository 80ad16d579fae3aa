//! Cutting a prepared dataset into the units a pack evaluates.

use std::collections::BTreeMap;

use serde::Serialize;

use serde_json::value::RawValue;

use super::{PackRecord, Prepared};
use rules_sdk::wire::{Level, Record, Unit, UnitSpec};

/// The wire shape of a unit, borrowing the prepared records (it serialises exactly as
/// [`Unit`]).
#[derive(Serialize)]
struct UnitRef<'a> {
    level: Level,
    subject: &'a RawValue,
    members: BTreeMap<Level, Vec<&'a RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    previous_members: BTreeMap<Level, Vec<&'a RawValue>>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    params: &'a Record,
}

fn unit_ref<'a>(prepared: &'a Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> UnitRef<'a> {
    let level = spec.level;
    let records = &prepared.packs[pack].records;
    let members_of = |lower: &Level| -> &[usize] {
        prepared.members.get(&(level, *lower)).map(|lists| lists[subject].as_slice()).unwrap_or(&[])
    };
    let mut members = BTreeMap::new();
    for lower in &spec.include {
        let lower_records = records.get(lower).map(Vec::as_slice).unwrap_or(&[]);
        members.insert(*lower, members_of(lower).iter().map(|&index| lower_records[index].json()).collect::<Vec<_>>());
    }
    let subject_record = records[&level][subject].json();
    let mut previous = None;
    let mut previous_members = BTreeMap::new();
    if spec.previous
        && let Some(period) = &prepared.previous
    {
        // A record's `id` is its subject's id: records and subjects are read from the same rows.
        let id_of = |level: Level, index: usize| prepared.subject(level, index).id.as_str();
        previous = period.record(pack, level, id_of(level, subject)).map(PackRecord::json);
        for lower in &spec.include {
            let found: Vec<&RawValue> = members_of(lower)
                .iter()
                .filter_map(|&index| period.record(pack, *lower, id_of(*lower, index)).map(PackRecord::json))
                .collect();
            previous_members.insert(*lower, found);
        }
    }
    let params = &prepared.packs[pack].params;
    UnitRef { level, subject: subject_record, members, previous, previous_members, params }
}

/// The unit of subject number `subject` (at `spec.level`) for pack number `pack`, serialised as
/// the JSON `dudao_evaluate` receives.
pub fn unit_json(prepared: &Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> Vec<u8> {
    serde_json::to_vec(&unit_ref(prepared, pack, spec, subject)).expect("records always serialise")
}

/// The same unit as a [`Unit`] value, for calling a pack natively.
pub fn unit(prepared: &Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> Unit {
    serde_json::from_slice(&unit_json(prepared, pack, spec, subject)).expect("a unit's own JSON reads back")
}
