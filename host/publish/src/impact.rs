//! Writing an [`Impact`]: a readable report for a terminal, the changed results as CSV, or
//! everything as JSON. Each is a pure function of the impact.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::text::{format_rounded, format_value};
use dudao_dataset::Lang;
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

/// The words of the diff report, in one language (the CLI passes the user's).
struct Words {
    pack: &'static str,
    old: &'static str,
    new: &'static str,
    data: &'static str,
    manifest_changes: &'static str,
    nothing: &'static str,
    none: &'static str,
    version: &'static str,
    title: &'static str,
    units: &'static str,
    added: &'static str,
    removed: &'static str,
    name: &'static str,
    level: &'static str,
    unit: &'static str,
    weight: &'static str,
    formula: &'static str,
    threshold: &'static str,
    source: &'static str,
    field: &'static str,
    optional: &'static str,
    now_required: &'static str,
    no_longer_read: &'static str,
    result_changes: &'static str,
    error_rows: &'static str,
    header: [&'static str; 4],
    all_unchanged: fn(usize) -> String,
    changed_summary: fn(usize, usize, usize) -> String,
    subjects_changed: fn(usize, usize, usize, usize) -> String,
    scores_changed: fn(usize) -> String,
    failures: fn(usize, usize) -> String,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::En => Words {
                pack: "pack",
                old: "old",
                new: "new",
                data: "data",
                manifest_changes: "manifest changes:",
                nothing: "none",
                none: "(none)",
                version: "version",
                title: "title",
                units: "units",
                added: "added",
                removed: "removed",
                name: "name",
                level: "level",
                unit: "unit",
                weight: "weight",
                formula: "formula",
                threshold: "threshold",
                source: "source",
                field: "field",
                optional: ", optional",
                now_required: "now required",
                no_longer_read: "no longer read",
                result_changes: "result changes:",
                error_rows: "(error rows)",
                header: ["subject_id", "name", "value (old → new)", "status (old → new)"],
                all_unchanged: |n| format!("none: all {n} indicators with results are unchanged"),
                changed_summary: |n, subjects, unchanged| {
                    format!("{n} indicators changed ({subjects} subject results), {unchanged} unchanged")
                },
                subjects_changed: |changed, of, value, status| {
                    format!("{changed} of {of} subjects changed: {value} in value, {status} in status")
                },
                scores_changed: |n| format!("subjects whose total or grade changed ({n}):"),
                failures: |old, new| {
                    format!("warning: subjects failed in the sandbox: {old} with the old pack, {new} with the new one")
                },
            },
            Lang::Zh => Words {
                pack: "指标包",
                old: "旧版",
                new: "新版",
                data: "数据",
                manifest_changes: "清单变化：",
                nothing: "无",
                none: "（无）",
                version: "版本",
                title: "名称",
                units: "评估单元",
                added: "新增",
                removed: "删除",
                name: "名称",
                level: "层级",
                unit: "单位",
                weight: "权重",
                formula: "计算方法",
                threshold: "阈值",
                source: "来源",
                field: "字段",
                optional: "，可为空",
                now_required: "新需要的数据",
                no_longer_read: "不再读取",
                result_changes: "结果变化：",
                error_rows: "（沙箱错误）",
                header: ["对象代码", "名称", "值（旧 → 新）", "状态（旧 → 新）"],
                all_unchanged: |n| format!("无：有结果的 {n} 个指标全部未变"),
                changed_summary: |n, subjects, unchanged| {
                    format!("{n} 个指标有变化（{subjects} 个对象结果），{unchanged} 个未变")
                },
                subjects_changed: |changed, of, value, status| {
                    format!("{of} 个对象中 {changed} 个有变化：值变化 {value} 个，状态变化 {status} 个")
                },
                scores_changed: |n| format!("总分或等级变化的对象（{n} 个）："),
                failures: |old, new| format!("警告：有评估对象在沙箱中失败：旧版 {old} 个，新版 {new} 个"),
            },
        }
    }
}

fn value_text(side: Option<&Observed>, words: &Words) -> String {
    match side {
        None => "—".to_owned(),
        Some(Observed { value: None, .. }) => words.none.to_owned(),
        Some(Observed { value: Some(value), .. }) => format_rounded(*value),
    }
}

fn status_text(side: Option<&Observed>) -> String {
    side.map_or_else(|| "—".to_owned(), |side| side.status.as_str().to_owned())
}

fn arrow(old: String, new: String, changed: bool) -> String {
    if changed { format!("{old} → {new}") } else { new }
}

fn bound_text(bound: &Option<Bound>, words: &Words) -> String {
    bound.as_ref().map_or_else(|| words.none.to_owned(), |bound| format_value(bound.value))
}

fn optional<T: ToString>(value: &Option<T>, words: &Words) -> String {
    value.as_ref().map_or_else(|| words.none.to_owned(), ToString::to_string)
}

fn change_line(change: &NodeChange, words: &Words) -> String {
    match change {
        NodeChange::Name(Change { old, new }) => format!("{}: {old} → {new}", words.name),
        NodeChange::Level(Change { old, new }) => {
            format!("{}: {} → {}", words.level, optional(old, words), optional(new, words))
        }
        NodeChange::Unit(Change { old, new }) => {
            format!("{}: {} → {}", words.unit, optional(old, words), optional(new, words))
        }
        NodeChange::Weight(Change { old, new }) => format!(
            "{}: {} → {}",
            words.weight,
            old.map_or_else(|| words.none.to_owned(), format_value),
            new.map_or_else(|| words.none.to_owned(), format_value)
        ),
        NodeChange::Formula(Change { old, new }) => format!("{}: {old} → {new}", words.formula),
        NodeChange::Threshold { applies_to, op, old, new } => {
            let whom = applies_to.as_deref().map(|stage| format!(" {stage}")).unwrap_or_default();
            let mut line = format!(
                "{}{whom} {}: {} → {}",
                words.threshold,
                op.symbol(),
                bound_text(old, words),
                bound_text(new, words)
            );
            match (old, new) {
                (Some(before), Some(after)) if before.source != after.source => {
                    let _ = write!(
                        line,
                        "; {} {} {} → {} {}",
                        words.source,
                        before.source.document,
                        before.source.item,
                        after.source.document,
                        after.source.item
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

/// The impact as a readable report, in `lang`.
pub fn table(impact: &Impact, lang: Lang) -> String {
    let words = Words::of(lang);
    let words = &words;
    let mut out = String::new();
    let _ = writeln!(out, "dudao diff: {} `{}`", words.pack, impact.pack_id);
    for (label, side) in [(words.old, &impact.old), (words.new, &impact.new)] {
        let _ = writeln!(out, "  {label}  {} {}  sha256 {}", side.pack.version, side.path, side.pack.sha256);
    }
    let _ = writeln!(
        out,
        "  {} {} ({}, sha256 {})",
        words.data, impact.dataset.path, impact.dataset.format, impact.dataset.sha256
    );

    let manifest = &impact.manifest;
    let _ = writeln!(out, "\n{}", words.manifest_changes);
    if manifest.is_empty() {
        let _ = writeln!(out, "  {}", words.nothing);
    }
    if let Some(Change { old, new }) = &manifest.version {
        let _ = writeln!(out, "  {}: {old} → {new}", words.version);
    }
    if let Some(Change { old, new }) = &manifest.title {
        let _ = writeln!(out, "  {}: {old} → {new}", words.title);
    }
    if let Some(Change { old, new }) = &manifest.units {
        let _ = writeln!(out, "  {}: {} → {}", words.units, old.join(", "), new.join(", "));
    }
    for node in &manifest.added {
        let level = node.level.map(|level| format!(" ({level})")).unwrap_or_default();
        let _ = writeln!(out, "  + {}  {}{level}  {}", node.id, node.name, words.added);
    }
    for node in &manifest.removed {
        let level = node.level.map(|level| format!(" ({level})")).unwrap_or_default();
        let _ = writeln!(out, "  - {}  {}{level}  {}", node.id, node.name, words.removed);
    }
    for node in &manifest.changed {
        let _ = writeln!(out, "  ~ {}  {}", node.id, node.name);
        for change in &node.changes {
            let _ = writeln!(out, "      {}", change_line(change, words));
        }
    }
    for (sign, fields, what) in
        [("+", &manifest.fields_added, words.now_required), ("-", &manifest.fields_removed, words.no_longer_read)]
    {
        for field in fields {
            let optional = if field.optional { words.optional } else { "" };
            let _ = writeln!(out, "  {sign} {} {} `{}`{optional}  {what}", words.field, field.level, field.name);
        }
    }

    let _ = writeln!(out, "\n{}", words.result_changes);
    if impact.indicators.is_empty() {
        let _ = writeln!(out, "  {}", (words.all_unchanged)(impact.unchanged_indicators));
    } else {
        let subjects: usize = impact.indicators.iter().map(|indicator| indicator.changes.len()).sum();
        let _ = writeln!(
            out,
            "  {}",
            (words.changed_summary)(impact.indicators.len(), subjects, impact.unchanged_indicators)
        );
    }
    for indicator in &impact.indicators {
        let _ = writeln!(
            out,
            "\n  {}  {}\n  {}",
            if indicator.indicator_id.is_empty() { words.error_rows } else { &indicator.indicator_id },
            indicator.name,
            (words.subjects_changed)(
                indicator.changes.len(),
                indicator.subjects,
                indicator.value_changed,
                indicator.status_changed
            )
        );
        let lines: Vec<[String; 4]> = indicator
            .changes
            .iter()
            .map(|change| {
                [
                    change.subject_id.clone(),
                    change.subject_name.clone(),
                    arrow(
                        value_text(change.old.as_ref(), words),
                        value_text(change.new.as_ref(), words),
                        change.value_changed,
                    ),
                    arrow(status_text(change.old.as_ref()), status_text(change.new.as_ref()), change.status_changed),
                ]
            })
            .collect();
        let header = words.header.map(str::to_owned);
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
        let _ = writeln!(out, "\n{}", (words.scores_changed)(impact.scores.len()));
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
        let _ = writeln!(out, "\n{}", (words.failures)(failures.old, failures.new));
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
