//! Writing an [`Impact`]: a readable report for a terminal, the changed results as CSV, or
//! everything as JSON. Each is a pure function of the impact.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::text::{format_rounded, format_value};
use dudao_engine::impact::{Bound, Change, Impact, NodeChange, Observed};

/// Columns of the CSV form: one row per changed (indicator, subject).
pub const CSV_COLUMNS: [&str; 10] = [
    "indicator_id",
    "indicator_name",
    "subject_id",
    "subject_name",
    "old_value",
    "new_value",
    "old_status",
    "new_status",
    "value_changed",
    "status_changed",
];

/// Pads `text` with spaces to `width` terminal columns (CJK characters count two).
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

fn value_text(side: Option<&Observed>) -> String {
    match side {
        None => "—".to_owned(),
        Some(Observed { value: None, .. }) => "(none)".to_owned(),
        Some(Observed { value: Some(value), .. }) => format_rounded(*value),
    }
}

fn status_text(side: Option<&Observed>) -> String {
    side.map_or_else(|| "—".to_owned(), |side| side.status.as_str().to_owned())
}

fn arrow(old: String, new: String, changed: bool) -> String {
    if changed { format!("{old} → {new}") } else { new }
}

fn bound_text(bound: &Option<Bound>) -> String {
    bound.as_ref().map_or_else(|| "(none)".to_owned(), |bound| format_value(bound.value))
}

fn optional<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "(none)".to_owned(), ToString::to_string)
}

fn change_line(change: &NodeChange) -> String {
    match change {
        NodeChange::Name(Change { old, new }) => format!("name: {old} → {new}"),
        NodeChange::Level(Change { old, new }) => format!("level: {} → {}", optional(old), optional(new)),
        NodeChange::Unit(Change { old, new }) => format!("unit: {} → {}", optional(old), optional(new)),
        NodeChange::Weight(Change { old, new }) => format!(
            "weight: {} → {}",
            old.map_or_else(|| "(none)".to_owned(), format_value),
            new.map_or_else(|| "(none)".to_owned(), format_value)
        ),
        NodeChange::Formula(Change { old, new }) => format!("formula: {old} → {new}"),
        NodeChange::Threshold { applies_to, op, old, new } => {
            let whom = applies_to.as_deref().map(|stage| format!(" {stage}")).unwrap_or_default();
            let mut line = format!("threshold{whom} {}: {} → {}", op.symbol(), bound_text(old), bound_text(new));
            match (old, new) {
                (Some(before), Some(after)) if before.source != after.source => {
                    let _ = write!(
                        line,
                        "; source {} {} → {} {}",
                        before.source.document, before.source.item, after.source.document, after.source.item
                    );
                }
                (_, Some(after)) | (Some(after), None) => {
                    let _ = write!(line, " ({} {})", after.source.document, after.source.item);
                }
                (None, None) => {}
            }
            line
        }
    }
}

/// The impact as a readable report.
pub fn table(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "dudao diff: pack `{}`", impact.pack_id);
    for (label, side) in [("old", &impact.old), ("new", &impact.new)] {
        let _ = writeln!(out, "  {label}  {} {}  sha256 {}", side.pack.version, side.path, side.pack.sha256);
    }
    let _ =
        writeln!(out, "  data {} ({}, sha256 {})", impact.dataset.path, impact.dataset.format, impact.dataset.sha256);

    let manifest = &impact.manifest;
    let _ = writeln!(out, "\n清单变化 (manifest changes):");
    if manifest.is_empty() {
        let _ = writeln!(out, "  none");
    }
    if let Some(Change { old, new }) = &manifest.version {
        let _ = writeln!(out, "  version: {old} → {new}");
    }
    if let Some(Change { old, new }) = &manifest.title {
        let _ = writeln!(out, "  title: {old} → {new}");
    }
    if let Some(Change { old, new }) = &manifest.units {
        let _ = writeln!(out, "  units: {} → {}", old.join(", "), new.join(", "));
    }
    for node in &manifest.added {
        let level = node.level.map(|level| format!(" ({level})")).unwrap_or_default();
        let _ = writeln!(out, "  + {}  {}{level}  added", node.id, node.name);
    }
    for node in &manifest.removed {
        let level = node.level.map(|level| format!(" ({level})")).unwrap_or_default();
        let _ = writeln!(out, "  - {}  {}{level}  removed", node.id, node.name);
    }
    for node in &manifest.changed {
        let _ = writeln!(out, "  ~ {}  {}", node.id, node.name);
        for change in &node.changes {
            let _ = writeln!(out, "      {}", change_line(change));
        }
    }
    for (sign, fields, what) in
        [("+", &manifest.fields_added, "now required"), ("-", &manifest.fields_removed, "no longer read")]
    {
        for field in fields {
            let optional = if field.optional { ", optional" } else { "" };
            let _ = writeln!(out, "  {sign} field {} `{}`{optional}  {what}", field.level, field.name);
        }
    }

    let _ = writeln!(out, "\n结果变化 (result changes):");
    if impact.indicators.is_empty() {
        let _ = writeln!(out, "  none: all {} indicators with results are unchanged", impact.unchanged_indicators);
    } else {
        let subjects: usize = impact.indicators.iter().map(|indicator| indicator.changes.len()).sum();
        let _ = writeln!(
            out,
            "  {} indicators changed ({} subject results), {} unchanged",
            impact.indicators.len(),
            subjects,
            impact.unchanged_indicators
        );
    }
    for indicator in &impact.indicators {
        let _ = writeln!(
            out,
            "\n  {}  {}\n  {} of {} subjects changed: {} in value, {} in status",
            if indicator.indicator_id.is_empty() { "(error rows)" } else { &indicator.indicator_id },
            indicator.name,
            indicator.changes.len(),
            indicator.subjects,
            indicator.value_changed,
            indicator.status_changed
        );
        let lines: Vec<[String; 4]> = indicator
            .changes
            .iter()
            .map(|change| {
                [
                    change.subject_id.clone(),
                    change.subject_name.clone(),
                    arrow(value_text(change.old.as_ref()), value_text(change.new.as_ref()), change.value_changed),
                    arrow(status_text(change.old.as_ref()), status_text(change.new.as_ref()), change.status_changed),
                ]
            })
            .collect();
        let header = ["subject_id", "name", "value (old → new)", "status (old → new)"].map(str::to_owned);
        let widths: Vec<usize> = (0..3)
            .map(|column| lines.iter().chain([&header]).map(|line| line[column].width()).max().unwrap_or(0))
            .collect();
        for line in [&header].into_iter().chain(&lines) {
            let _ = writeln!(
                out,
                "    {}  {}  {}  {}",
                pad(&line[0], widths[0]),
                pad(&line[1], widths[1]),
                pad(&line[2], widths[2]),
                line[3]
            );
        }
    }
    if !impact.scores.is_empty() {
        let _ = writeln!(out, "\n总分或等级变化的对象 ({}):", impact.scores.len());
        for change in &impact.scores {
            let total = |side: Option<f64>| side.map(format_value).unwrap_or_else(|| "—".to_owned());
            let grade = |side: &Option<String>| side.clone().unwrap_or_else(|| "—".to_owned());
            let _ = writeln!(
                out,
                "    {} {}: {} → {}, {} → {}",
                change.subject_id,
                change.subject_name,
                total(change.total.old),
                total(change.total.new),
                grade(&change.grade.old),
                grade(&change.grade.new)
            );
        }
    }
    let failures = &impact.sandbox_failures;
    if failures.old + failures.new > 0 {
        let _ = writeln!(
            out,
            "\nwarning: subjects failed in the sandbox: {} with the old pack, {} with the new one",
            failures.old, failures.new
        );
    }
    out
}

/// The changed results as CSV (UTF-8, header row, `\n` line ends), full precision. Manifest
/// changes are not in this form: see [`table`] or [`json`].
pub fn csv(impact: &Impact) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS).expect("writing to memory");
    let value = |side: Option<&Observed>| side.and_then(|side| side.value).map(format_value).unwrap_or_default();
    let status = |side: Option<&Observed>| side.map(|side| side.status.as_str()).unwrap_or_default();
    for indicator in &impact.indicators {
        for change in &indicator.changes {
            writer
                .write_record([
                    indicator.indicator_id.as_str(),
                    &indicator.name,
                    &change.subject_id,
                    &change.subject_name,
                    &value(change.old.as_ref()),
                    &value(change.new.as_ref()),
                    status(change.old.as_ref()),
                    status(change.new.as_ref()),
                    if change.value_changed { "true" } else { "false" },
                    if change.status_changed { "true" } else { "false" },
                ])
                .expect("writing to memory");
        }
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("every cell is UTF-8")
}

/// Everything as pretty-printed JSON.
pub fn json(impact: &Impact) -> String {
    format!("{}\n", serde_json::to_string_pretty(impact).expect("an impact always serialises"))
}
