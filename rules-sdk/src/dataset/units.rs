//! Cutting a prepared dataset into the units a pack evaluates.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Prepared;
use crate::wire::{Level, Record, Unit};

/// The wire shape of a unit, borrowing the prepared records (it serialises exactly as
/// [`Unit`]).
#[derive(Serialize)]
struct UnitRef<'a> {
    level: Level,
    subject: &'a Record,
    members: BTreeMap<Level, Vec<&'a Record>>,
}

fn unit_ref<'a>(prepared: &'a Prepared, pack: usize, level: Level, subject: usize, include: &[Level]) -> UnitRef<'a> {
    let records = &prepared.packs[pack].records;
    let mut members = BTreeMap::new();
    for lower in include {
        let indices = prepared.members.get(&(level, *lower)).map(|lists| lists[subject].as_slice()).unwrap_or(&[]);
        let lower_records = &records[lower];
        members.insert(*lower, indices.iter().map(|&index| &lower_records[index]).collect());
    }
    UnitRef { level, subject: &records[&level][subject], members }
}

/// The unit of subject number `subject` at `level` for pack number `pack`, with its members at
/// the `include`d levels, serialised as the JSON `dudao_evaluate` receives.
pub fn unit_json(prepared: &Prepared, pack: usize, level: Level, subject: usize, include: &[Level]) -> Vec<u8> {
    serde_json::to_vec(&unit_ref(prepared, pack, level, subject, include)).expect("records always serialise")
}

/// The same unit as a [`Unit`] value, for calling a pack natively.
pub fn unit(prepared: &Prepared, pack: usize, level: Level, subject: usize, include: &[Level]) -> Unit {
    let unit = unit_ref(prepared, pack, level, subject, include);
    Unit {
        level,
        subject: unit.subject.clone(),
        members: unit
            .members
            .into_iter()
            .map(|(level, records)| (level, records.into_iter().cloned().collect()))
            .collect(),
    }
}
