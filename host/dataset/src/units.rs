//! Cutting a prepared dataset into the units a pack evaluates.

use std::collections::BTreeMap;

use super::{PackRecord, Prepared};
use rules_sdk::wire::{Level, Unit, UnitSpec};

/// The unit of subject number `subject` (at `spec.level`) for pack number `pack`, serialised as
/// the JSON `dudao_evaluate` receives: byte for byte what serialising the [`Unit`] writes
/// (`level`, `subject`, `members`, then `previous`, `previous_members` and `params` when
/// present), with each record written from its values and its table's field names.
pub fn unit_json(prepared: &Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> Vec<u8> {
    let level = spec.level;
    let records = &prepared.packs[pack].records;
    let members_of = |lower: &Level| -> &[usize] {
        prepared.members.get(&(level, *lower)).map(|lists| lists[subject].as_slice()).unwrap_or(&[])
    };
    let mut members: BTreeMap<Level, Vec<&PackRecord>> = BTreeMap::new();
    for lower in &spec.include {
        let lower_records = records.get(lower).map(Vec::as_slice).unwrap_or(&[]);
        members.insert(*lower, members_of(lower).iter().map(|&index| &lower_records[index]).collect());
    }
    let mut previous = None;
    let mut previous_members: BTreeMap<Level, Vec<&PackRecord>> = BTreeMap::new();
    if spec.previous
        && let Some(period) = &prepared.previous
    {
        // A record's `id` is its subject's id: records and subjects are read from the same rows.
        let id_of = |level: Level, index: usize| prepared.subject(level, index).id.as_str();
        previous = period.record(pack, level, id_of(level, subject));
        for lower in &spec.include {
            let found = members_of(lower)
                .iter()
                .filter_map(|&index| period.record(pack, *lower, id_of(*lower, index)))
                .collect();
            previous_members.insert(*lower, found);
        }
    }
    let subject_record = &records[&level][subject];
    let size = |list: &[&PackRecord]| list.iter().map(|record| record.json_len_bound() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(
        64 + subject_record.json_len_bound()
            + members.values().map(|list| size(list) + 16).sum::<usize>()
            + previous.map_or(0, PackRecord::json_len_bound)
            + previous_members.values().map(|list| size(list) + 16).sum::<usize>(),
    );
    out.extend_from_slice(b"{\"level\":");
    write_level(&mut out, level);
    out.extend_from_slice(b",\"subject\":");
    subject_record.write_json(&mut out);
    out.extend_from_slice(b",\"members\":");
    write_lists(&mut out, &members);
    if let Some(record) = previous {
        out.extend_from_slice(b",\"previous\":");
        record.write_json(&mut out);
    }
    if !previous_members.is_empty() {
        out.extend_from_slice(b",\"previous_members\":");
        write_lists(&mut out, &previous_members);
    }
    let params = &prepared.packs[pack].params;
    if !params.is_empty() {
        out.extend_from_slice(b",\"params\":");
        serde_json::to_writer(&mut out, params).expect("parameters always serialise");
    }
    out.push(b'}');
    out
}

fn write_level(out: &mut Vec<u8>, level: Level) {
    serde_json::to_writer(out, &level).expect("a level always serialises");
}

/// Records per level, as the object `{"school":[{…},…],…}`.
fn write_lists(out: &mut Vec<u8>, lists: &BTreeMap<Level, Vec<&PackRecord>>) {
    out.push(b'{');
    for (position, (level, records)) in lists.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_level(out, *level);
        out.extend_from_slice(b":[");
        for (index, record) in records.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            record.write_json(out);
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// The same unit as a [`Unit`] value, for calling a pack natively.
pub fn unit(prepared: &Prepared, pack: usize, spec: &UnitSpec, subject: usize) -> Unit {
    serde_json::from_slice(&unit_json(prepared, pack, spec, subject)).expect("a unit's own JSON reads back")
}
