//! Cutting a prepared dataset into the units a pack evaluates.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Prepared;
use rules_sdk::wire::{Level, Record, Unit, UnitSpec};

/// The wire shape of a unit, borrowing the prepared records (it serialises exactly as
/// [`Unit`]).
#[derive(Serialize)]
struct UnitRef<'a> {
    level: Level,
    subject: &'a Record,
    members: BTreeMap<Level, Vec<&'a Record>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<&'a Record>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    previous_members: BTreeMap<Level, Vec<&'a Record>>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    params: &'a Record,
}

fn unit_ref<'a>(prepared: &'a Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> UnitRef<'a> {
    let level = spec.level;
    let records = &prepared.packs[pack].records;
    let mut members = BTreeMap::new();
    for lower in &spec.include {
        let indices = prepared.members.get(&(level, *lower)).map(|lists| lists[subject].as_slice()).unwrap_or(&[]);
        let lower_records = records.get(lower).map(Vec::as_slice).unwrap_or(&[]);
        members.insert(*lower, indices.iter().map(|&index| &lower_records[index]).collect::<Vec<_>>());
    }
    let subject_record = &records[&level][subject];
    let mut previous = None;
    let mut previous_members = BTreeMap::new();
    if spec.previous
        && let Some(period) = &prepared.previous
    {
        let id_of = |record: &Record| record.get("id").and_then(|id| id.as_str()).map(str::to_owned);
        previous = id_of(subject_record).and_then(|id| period.record(pack, level, &id));
        for (lower, list) in &members {
            let found: Vec<&Record> = list
                .iter()
                .filter_map(|record| id_of(record).and_then(|id| period.record(pack, *lower, &id)))
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
    let unit = unit_ref(prepared, pack, spec, subject);
    let owned = |map: BTreeMap<Level, Vec<&Record>>| -> BTreeMap<Level, Vec<Record>> {
        map.into_iter().map(|(level, records)| (level, records.into_iter().cloned().collect())).collect()
    };
    Unit {
        level: spec.level,
        subject: unit.subject.clone(),
        members: owned(unit.members),
        previous: unit.previous.cloned(),
        previous_members: owned(unit.previous_members),
        params: unit.params.clone(),
    }
}
