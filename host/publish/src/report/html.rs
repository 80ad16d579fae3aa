//! The reports as self-contained HTML documents: inline CSS, inline SVG charts drawn here, no
//! scripts and nothing fetched; printable on A4. This module has the city overview and what
//! every document shares (style, cover, tables); [`super::county`] has the county reports and
//! the supervision orders (督办单).

use std::fmt::Write;

use rules_sdk::wire::{Level, Status};

use super::rectification::{Item, ItemStatus};
use super::{IndicatorLine, Report, numbers, shown_value, status_words};
use crate::text::format_rounded;

pub(super) const PALETTE: [&str; 8] =
    ["#2f6db5", "#e08a1e", "#3a9a5b", "#c0392b", "#7d5ba6", "#8c6d4f", "#d35f9f", "#5f6b73"];

const STYLE: &str = r#"
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  font-size: 10.5pt; color: #1d1d1f; line-height: 1.5; }
main { max-width: 182mm; margin: 0 auto; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; border-bottom: 2px solid #2f6db5; padding-bottom: 1mm; margin-top: 8mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1.5mm 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 2mm 0 4mm; font-size: 8.5pt; line-height: 1.3; }
th, td { border: 1px solid #b8c0c8; padding: 0.8mm 1.2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef2f6; }
thead { display: table-header-group; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
tr.not-met td { background: #fde8e6; }
.status-not_met { color: #b3261e; font-weight: bold; }
.veto { color: #b3261e; font-weight: bold; }
.meta { color: #555; font-size: 9pt; }
td .meta { font-size: 7.5pt; }
.notice { border: 1px solid #e08a1e; background: #fff6e8; padding: 2mm; }
.cover { min-height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; break-after: page; page-break-after: always; }
.cover .issuer { font-size: 15pt; color: #b3261e; letter-spacing: 0.1em; }
.cover .docno { font-size: 11pt; margin: 6mm 0 14mm; }
.cover h1 { font-size: 22pt; margin: 0 0 8mm; }
.cover .unit { font-size: 16pt; margin-bottom: 20mm; }
.cover .date { font-size: 12pt; }
.foreword p { text-indent: 2em; }
.findings li { margin: 1mm 0; }
.part { break-before: page; page-break-before: always; }
.order { break-before: page; page-break-before: always; }
.order h2 { text-align: center; border: none; font-size: 16pt; margin-top: 0; }
.order table { font-size: 7.5pt; line-height: 1.25; }
.order.long table { font-size: 7pt; line-height: 1.2; }
.order.long td .meta { display: none; }
.order.long h2 { font-size: 14pt; margin-bottom: 1mm; }
.order.long p { margin: 0.8mm 0; }
.order.long .sign { margin-top: 3mm; }
.order.long td, .order.long th { padding: 0.4mm 0.8mm; }
.order .number { text-align: center; }
.order .sign { text-align: right; margin-top: 8mm; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #444; }
svg text { font-family: inherit; }
tr { break-inside: avoid; page-break-inside: avoid; }
"#;

/// Escapes text for HTML.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id made safe for an attribute (`.` and `:` become `-`).
pub(super) fn slug(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect()
}

/// A number for SVG coordinates (two decimals, trailing zeros dropped).
fn px(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Grouped vertical bars (0–100): one group per category, one bar per series.
pub(super) fn grouped_bars(id: &str, categories: &[String], series: &[String], values: &[Vec<Option<f64>>]) -> String {
    let (width, height, left, bottom, top) = (720.0, 260.0, 36.0, 44.0, 12.0);
    let plot_h = height - bottom - top;
    let legend_rows = series.len().div_ceil(3) as f64;
    let total_h = height + legend_rows * 16.0 + 4.0;
    let group_w = (width - left - 8.0) / categories.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" width="100%" role="img">"#,
        px(total_h)
    );
    for tick in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] {
        let y = top + plot_h * (1.0 - tick / 100.0);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{y}" x2="{width}" y2="{y}" stroke="#dde3e8"/><text x="{}" y="{}" font-size="9" text-anchor="end">{tick}</text>"##,
            left - 4.0,
            px(y + 3.0),
            y = px(y)
        );
    }
    for (c, category) in categories.iter().enumerate() {
        let x0 = left + group_w * c as f64 + group_w * 0.1;
        for (s, name) in series.iter().enumerate() {
            let Some(value) = values.get(c).and_then(|row| row.get(s)).copied().flatten() else { continue };
            let h = plot_h * value.clamp(0.0, 100.0) / 100.0;
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}：{}</title></rect>"#,
                px(x0 + bar_w * s as f64),
                px(top + plot_h - h),
                px(bar_w.max(1.0) - 0.5),
                px(h),
                PALETTE[s % PALETTE.len()],
                esc(category),
                esc(name),
                numbers::score(value)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            px(x0 + group_w * 0.4),
            px(top + plot_h + 14.0),
            esc(category)
        );
    }
    for (s, name) in series.iter().enumerate() {
        let (col, row) = (s % 3, s / 3);
        let x = left + col as f64 * 228.0;
        let y = height + row as f64 * 16.0 - 8.0;
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="10">{}</text>"#,
            px(x),
            px(y),
            PALETTE[s % PALETTE.len()],
            px(x + 14.0),
            px(y + 9.0),
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars of one value per category against an upper limit (drawn as a dashed line).
fn bars_with_limit(id: &str, categories: &[String], values: &[Option<f64>], limit: f64) -> String {
    let (width, height, left, bottom, top) = (720.0, 220.0, 44.0, 28.0, 12.0);
    let plot_h = height - bottom - top;
    let max = values.iter().flatten().copied().fold(limit, f64::max) * 1.15;
    let group_w = (width - left - 8.0) / categories.len().max(1) as f64;
    let y_of = |value: f64| top + plot_h * (1.0 - value / max);
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" data-limit="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img">"#,
        format_rounded(limit)
    );
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{}" x2="{width}" y2="{}" stroke="#888"/>"##,
        px(top + plot_h),
        px(top + plot_h)
    );
    for (c, category) in categories.iter().enumerate() {
        let x = left + group_w * c as f64 + group_w * 0.2;
        if let Some(value) = values.get(c).copied().flatten() {
            let over = value > limit;
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}"><title>{}：{}</title></rect><text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>"##,
                px(x),
                px(y_of(value)),
                px(group_w * 0.6),
                px(plot_h - (y_of(value) - top)),
                if over { "#c0392b" } else { "#2f6db5" },
                format_rounded(value),
                esc(category),
                numbers::decimals(value, 3),
                px(x + group_w * 0.3),
                px(y_of(value) - 3.0),
                numbers::decimals(value, 3)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            px(x + group_w * 0.3),
            px(top + plot_h + 14.0),
            esc(category)
        );
    }
    let _ = write!(
        svg,
        r##"<line class="limit" x1="{left}" y1="{y}" x2="{width}" y2="{y}" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/><text x="{}" y="{}" font-size="10" fill="#c0392b" text-anchor="end">限值 {}</text>"##,
        px(width - 2.0),
        px(y_of(limit) - 4.0),
        numbers::decimals(limit, 3),
        y = px(y_of(limit))
    );
    svg.push_str("</svg>");
    svg
}

/// Horizontal stacked bars: one bar per category, one segment per grade.
pub(super) fn stacked_bars(id: &str, categories: &[String], grades: &[String], counts: &[Vec<usize>]) -> String {
    let (width, left, row_h) = (720.0, 72.0, 20.0);
    let plot_w = width - left - 40.0;
    let height = categories.len() as f64 * row_h + 30.0;
    let max = counts.iter().map(|row| row.iter().sum::<usize>()).max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" width="100%" role="img">"#,
        px(height)
    );
    for (c, category) in categories.iter().enumerate() {
        let y = c as f64 * row_h + 4.0;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"#,
            px(left - 4.0),
            px(y + 12.0),
            esc(category)
        );
        let mut x = left;
        let row = counts.get(c).cloned().unwrap_or_default();
        for (g, count) in row.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let w = plot_w * *count as f64 / max;
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}：{}</title></rect><text x="{}" y="{}" font-size="9" fill="#fff" text-anchor="middle">{}</text>"##,
                px(x),
                px(y),
                px(w),
                px(row_h - 5.0),
                PALETTE[g % PALETTE.len()],
                esc(category),
                esc(&grades[g]),
                count,
                px(x + w / 2.0),
                px(y + 11.0),
                count
            );
            x += w;
        }
    }
    let legend_y = categories.len() as f64 * row_h + 12.0;
    for (g, grade) in grades.iter().enumerate() {
        let x = left + g as f64 * 90.0;
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="10">{}</text>"#,
            px(x),
            px(legend_y),
            PALETTE[g % PALETTE.len()],
            px(x + 14.0),
            px(legend_y + 9.0),
            esc(grade)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A whole HTML document around `body`.
pub(super) fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        esc(title)
    )
}

/// The cover: issuing office, document number, title, the unit reported on, date; then the
/// foreword and, in the public version, what it leaves out.
pub(super) fn cover(out: &mut String, report: &Report, unit: Option<&str>, kind: &str) {
    let _ = write!(
        out,
        r#"<section class="cover" id="cover"><div class="issuer" id="issuer">{}</div><div class="docno" id="document-number">{}</div><h1 id="title">{}{kind}{}</h1><div class="unit">{}</div><div class="date" id="round-date" data-date="{}">{}</div></section>"#,
        esc(report.issuer.as_deref().unwrap_or("")),
        esc(report.document_number.as_deref().unwrap_or("")),
        esc(&report.title),
        if report.public { "（公开版）" } else { "" },
        esc(unit.unwrap_or("")),
        esc(&report.date),
        esc(&chinese_date(&report.date))
    );
    if !report.foreword.is_empty() {
        out.push_str(r#"<section class="foreword" id="foreword">"#);
        for paragraph in &report.foreword {
            let _ = write!(out, "<p>{}</p>", esc(paragraph));
        }
        out.push_str("</section>");
    }
    if report.public {
        let _ = write!(
            out,
            r#"<p class="notice" id="public-notice">公开版：{}等{}项指标的结果不公开，本报告未列出。{}</p>"#,
            esc(&report.hidden_names.join("、")),
            report.hidden_names.len(),
            super::PUBLIC_SCORE_RULE
        );
    }
}

/// `2026-11-29` as `2026年11月29日`.
pub(super) fn chinese_date(date: &str) -> String {
    match (date.get(0..4), date.get(5..7), date.get(8..10)) {
        (Some(year), Some(month), Some(day)) => {
            format!("{year}年{}月{}日", month.trim_start_matches('0'), day.trim_start_matches('0'))
        }
        _ => date.to_owned(),
    }
}

/// A pack's title as a reader sees it, marked 地方 for a county's local pack.
pub(super) fn pack_title(report: &Report, pack: usize) -> String {
    let line = &report.packs[pack];
    format!("{}{}", line.title, if line.local { "（地方）" } else { "" })
}

/// A table of indicator results: names, values and requirements as a reader sees them; ids
/// only in attributes.
pub(super) fn indicator_table(out: &mut String, report: &Report, owner: &str, lines: &[&IndicatorLine]) {
    out.push_str(r#"<table class="indicators"><colgroup><col style="width:15%"><col style="width:13%"><col style="width:30%"><col style="width:11%"><col style="width:14%"><col style="width:8%"><col style="width:9%"></colgroup><thead><tr><th>指标体系</th><th>对象</th><th>指标</th><th>值</th><th>标准</th><th>状态</th><th>说明</th></tr></thead><tbody>"#);
    for line in lines {
        let not_met = line.status == Status::NotMet;
        let _ = write!(
            out,
            r#"<tr id="ind-{}-{}" data-indicator="{}" data-status="{}"{}><td>{}</td><td>{}</td><td>{}{}</td><td class="num" data-value="{}">{}</td><td>{}</td><td class="status-{}">{}</td><td>{}</td></tr>"#,
            slug(owner),
            slug(&format!("{}-{}", line.subject, line.id)),
            esc(&line.id),
            line.status.as_str(),
            if not_met { r#" class="not-met""# } else { "" },
            esc(&report.packs[line.pack].title),
            esc(&line.subject_name),
            esc(&line.name),
            if line.veto { r#" <span class="veto">一票否决</span>"# } else { "" },
            line.value.map(format_rounded).unwrap_or_default(),
            esc(&shown_value(line.value, line.unit.as_deref())),
            esc(line.threshold.as_deref().unwrap_or("")),
            line.status.as_str(),
            status_words(line.status),
            esc(&line.note)
        );
    }
    out.push_str("</tbody></table>");
}

/// An item's status as an attribute value.
pub(super) fn status_key(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::New => "new",
        ItemStatus::Open => "open",
        ItemStatus::Overdue => "overdue",
    }
}

/// The rectification list (整改清单) as a table: unit, finding, value, requirement,
/// deadline, status. Ids stay in attributes (and in rectification.csv).
pub(super) fn items_table(out: &mut String, items: &[&Item]) {
    out.push_str(r#"<table class="items"><colgroup><col style="width:5%"><col style="width:17%"><col style="width:34%"><col style="width:11%"><col style="width:13%"><col style="width:11%"><col style="width:9%"></colgroup><thead><tr><th>序号</th><th>责任单位</th><th>问题（指标）</th><th>现状值</th><th>标准</th><th>整改期限</th><th>状态</th></tr></thead><tbody>"#);
    for (number, item) in items.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tr data-item="{}" data-status="{}"><td class="num">{}</td><td>{}</td><td>{}{}<br><span class="meta">{}</span></td><td class="num">{}</td><td>{}</td><td class="nowrap">{}</td><td>{}</td></tr>"#,
            esc(&item.id),
            status_key(item.status),
            number + 1,
            esc(&item.unit_name),
            esc(&item.indicator_name),
            if item.veto { r#" <span class="veto">一票否决</span>"# } else { "" },
            esc(&format!("{}{}", item.pack_title, if item.local { "（地方）" } else { "" })),
            esc(&shown_value(item.value, item.unit.as_deref())),
            esc(item.threshold.as_deref().unwrap_or("")),
            esc(item.deadline.as_deref().unwrap_or("")),
            item.status.chinese()
        );
    }
    out.push_str("</tbody></table>");
}

/// The city overview (全市总报告): cover, the county results with charts, each county's main
/// findings, the rectification and follow-up in numbers, the list of supervision orders, and
/// exemption and accountability. Each county's details, its full rectification list and its
/// orders are in its own report ([`super::county_html`]).
pub fn html(report: &Report) -> String {
    let mut out = String::new();
    cover(&mut out, report, Some("全市总报告"), "报告");
    city_results(&mut out, report);
    county_findings(&mut out, report);
    rectification_summary(&mut out, report);
    incentives(&mut out, report);
    document(&format!("{}报告{}", report.title, if report.public { "（公开版）" } else { "" }), &out)
}

/// 一、全市概况: the overview table, the charts and the city's own indicators.
fn city_results(out: &mut String, report: &Report) {
    let counties = report.level(Level::County);
    let packs = report.county_packs();
    out.push_str(r#"<section id="city"><h2>一、全市概况</h2>"#);
    let graded: Vec<(String, usize)> = report
        .grade_names
        .iter()
        .map(|grade| {
            let count = counties
                .iter()
                .filter(|county| county.overall.as_ref().and_then(|o| o.grade.as_ref()) == Some(grade))
                .count();
            (grade.clone(), count)
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    let vetoed = counties.iter().filter(|c| c.overall.as_ref().is_some_and(|o| !o.vetoes.is_empty())).count();
    let _ = write!(
        out,
        r#"<p id="city-summary">本轮对{}个县（市、区）、{}所学校进行督导评估。县级综合等级：{}。{}整改事项共 {} 项。</p>"#,
        counties.len(),
        report.level(Level::School).len(),
        if graded.is_empty() {
            "未定级".to_owned()
        } else {
            graded.iter().map(|(grade, count)| format!("{grade}{count}个")).collect::<Vec<_>>().join("，")
        },
        if vetoed > 0 { format!("{vetoed}个县（市、区）触发一票否决。") } else { String::new() },
        report.rectification.items.len()
    );
    out.push_str(r#"<table id="overview"><colgroup><col style="width:12%">"#);
    let rest = 100.0 - 12.0 - 9.0 - 8.0 - 22.0;
    for _ in &packs {
        let _ = write!(out, r#"<col style="width:{}%">"#, px(rest / packs.len().max(1) as f64));
    }
    out.push_str(r#"<col style="width:9%"><col style="width:8%"><col style="width:22%"></colgroup><thead><tr><th>县（市、区）</th>"#);
    for &pack in &packs {
        let _ = write!(out, "<th>{}</th>", esc(&pack_title(report, pack)));
    }
    out.push_str("<th>综合得分</th><th>综合等级</th><th>一票否决</th></tr></thead><tbody>");
    for county in counties {
        let _ = write!(out, r#"<tr data-county="{}"><td>{}</td>"#, esc(&county.id), esc(&county.name));
        for &pack in &packs {
            match county.score(pack) {
                Some(score) => {
                    let _ = write!(
                        out,
                        r#"<td class="num" id="score-{}-{}" data-value="{}">{}<br><span data-grade="{}">{}</span></td>"#,
                        slug(&county.id),
                        slug(&report.packs[pack].id),
                        format_rounded(score.total),
                        numbers::score(score.total),
                        esc(score.grade.as_deref().unwrap_or("")),
                        esc(score.grade.as_deref().unwrap_or("—"))
                    );
                }
                None => out.push_str("<td class=\"num\">—</td>"),
            }
        }
        match &county.overall {
            Some(overall) => {
                let _ = write!(
                    out,
                    r#"<td class="num" id="overall-{id}-total" data-value="{value}">{total}</td><td id="overall-{id}-grade" data-grade="{grade}">{grade}</td><td class="veto">{vetoes}</td>"#,
                    id = slug(&county.id),
                    value = format_rounded(overall.total),
                    total = numbers::score(overall.total),
                    grade = esc(overall.grade.as_deref().unwrap_or("—")),
                    vetoes =
                        esc(&overall.vetoes.iter().map(|(finding, _)| finding.as_str()).collect::<Vec<_>>().join("；"))
                );
            }
            None => out.push_str("<td>—</td><td>—</td><td></td>"),
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    city_charts(out, report);
    for city in report.level(Level::City) {
        if !city.indicators.is_empty() {
            let _ = write!(out, "<h3>{}指标</h3>", esc(&city.name));
            indicator_table(out, report, &city.id, &city.indicators.iter().collect::<Vec<_>>());
        }
    }
    out.push_str("</section>");
}

/// The charts of the overview: grade distribution of schools, dimension scores per pack,
/// coefficients of variation against their limits.
fn city_charts(out: &mut String, report: &Report) {
    let counties = report.level(Level::County);
    let names: Vec<String> = counties.iter().map(|county| county.name.clone()).collect();
    if !report.grade_names.is_empty() && !report.level(Level::School).is_empty() {
        let counts: Vec<Vec<usize>> = (0..counties.len())
            .map(|index| report.grade_distribution(index).into_iter().map(|(_, count)| count).collect())
            .collect();
        let _ = write!(
            out,
            "<figure>{}<figcaption>图1 各县（市、区）学校综合等级分布（所数）</figcaption></figure>",
            stacked_bars("chart-grades", &names, &report.grade_names, &counts)
        );
    }
    let mut figure = 2;
    for pack in report.county_packs() {
        let mut series: Vec<String> = Vec::new();
        for county in counties {
            for (name, _) in county.score(pack).map(|score| score.dimensions.as_slice()).unwrap_or_default() {
                if !series.contains(name) {
                    series.push(name.clone());
                }
            }
        }
        if series.len() < 2 || report.packs[pack].local {
            continue;
        }
        let values: Vec<Vec<Option<f64>>> = counties
            .iter()
            .map(|county| {
                series
                    .iter()
                    .map(|name| {
                        county.score(pack).and_then(|score| {
                            score.dimensions.iter().find(|(dimension, _)| dimension == name).map(|(_, value)| *value)
                        })
                    })
                    .collect()
            })
            .collect();
        let _ = write!(
            out,
            "<figure>{}<figcaption>图{figure} {}：各县（市、区）维度得分</figcaption></figure>",
            grouped_bars(&format!("chart-dims-{}", slug(&report.packs[pack].id)), &names, &series, &values),
            esc(&report.packs[pack].title)
        );
        figure += 1;
    }
    for (id, name, limit) in report.cv_indicators() {
        let values: Vec<Option<f64>> = counties
            .iter()
            .map(|county| county.indicators.iter().find(|line| line.id == id).and_then(|line| line.value))
            .collect();
        let _ = write!(
            out,
            "<figure>{}<figcaption>图{figure} {}与限值 {}</figcaption></figure>",
            bars_with_limit(&format!("chart-cv-{}", slug(&id)), &names, &values, limit),
            esc(&name),
            numbers::decimals(limit, 3)
        );
        figure += 1;
    }
}

/// A not-met result worded as a finding: `生均教学及辅助用房面积为 3.9 m²，未达到标准（≥ 4.2 m²）`.
pub(super) fn finding(line: &IndicatorLine) -> String {
    if let Some(reason) = &line.veto_reason {
        return format!("{reason}（{}：{}）", line.name, shown_value(line.value, line.unit.as_deref()));
    }
    match &line.threshold {
        Some(threshold) => {
            format!("{}为{}，未达到标准（{}）", line.name, shown_value(line.value, line.unit.as_deref()), threshold)
        }
        None => format!("{}未达标", line.name),
    }
}

/// Whether a not-met line is a veto already listed among the unit's fired vetoes.
pub(super) fn fired(unit: &super::UnitReport, line: &IndicatorLine) -> bool {
    let fired = unit.overall.as_ref().map_or(&[][..], |overall| overall.vetoes.as_slice());
    line.veto_reason.as_ref().is_some_and(|reason| fired.iter().any(|(finding, _)| finding == reason))
}

/// 二、各县（市、区）主要问题: each county's vetoes and not-met county indicators, worded as
/// findings, and how many of its schools have findings.
fn county_findings(out: &mut String, report: &Report) {
    out.push_str(r#"<section class="part" id="counties"><h2>二、各县（市、区）主要问题</h2>"#);
    for (index, county) in report.level(Level::County).iter().enumerate() {
        let _ = write!(
            out,
            r#"<h3 id="county-{}" data-county="{}">{}</h3>"#,
            slug(&county.id),
            esc(&county.id),
            esc(&county.name)
        );
        if let Some(overall) = &county.overall {
            let _ = write!(
                out,
                "<p>综合得分 {}，综合等级{}。</p>",
                numbers::score(overall.total),
                esc(overall.grade.as_deref().unwrap_or("未定"))
            );
        }
        out.push_str(r#"<ul class="findings">"#);
        if let Some(overall) = &county.overall {
            for (finding, cap) in &overall.vetoes {
                let _ =
                    write!(out, r#"<li class="veto">一票否决：{}（综合等级最高为{}）</li>"#, esc(finding), esc(cap));
            }
        }
        let lines: Vec<&IndicatorLine> = county.not_met().filter(|line| !fired(county, line)).collect();
        for line in &lines {
            let _ = write!(out, "<li>{}</li>", esc(&finding(line)));
        }
        let schools: Vec<_> = report.schools_of(index).collect();
        let with_findings = schools.iter().filter(|school| school.not_met().next().is_some()).count();
        if lines.is_empty() && county.overall.as_ref().is_none_or(|o| o.vetoes.is_empty()) {
            out.push_str("<li>县级指标全部达标。</li>");
        }
        if !schools.is_empty() {
            let _ = write!(
                out,
                "<li>所属{}所学校中，{}所存在未达标指标（详见本县报告）。</li>",
                schools.len(),
                with_findings
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

/// 三、整改与回头看: items, overdue items and supervision orders per county, and the
/// follow-up of the previous round; the orders themselves are pages of each county's orders
/// document.
fn rectification_summary(out: &mut String, report: &Report) {
    let rect = &report.rectification;
    let _ = write!(
        out,
        r#"<section class="part" id="rectification"><h2>三、整改清单与回头看</h2><p>整改事项共 <b id="items-count">{}</b> 项{}，各县（市、区）的整改清单见其报告。</p>"#,
        rect.items.len(),
        rect.deadline_days.map(|days| format!("，整改期限为督导之日起 {days} 天")).unwrap_or_default()
    );
    out.push_str(r#"<table id="items-by-county"><thead><tr><th>县（市、区）</th><th>整改事项</th><th>其中新发现</th><th>逾期未整改</th><th>督办单</th></tr></thead><tbody>"#);
    for (index, county) in report.level(Level::County).iter().enumerate() {
        let items = report.items_of(index);
        let count = |status: ItemStatus| items.iter().filter(|item| item.status == status).count();
        let _ = write!(
            out,
            r#"<tr data-county="{}"><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&county.id),
            esc(&county.name),
            items.len(),
            count(ItemStatus::New),
            count(ItemStatus::Overdue),
            report.orders_of(index).len()
        );
    }
    out.push_str("</tbody></table>");
    match &rect.followup {
        None => out.push_str("<p>本轮无上一轮整改记录。</p>"),
        Some(followup) => {
            let _ = write!(
                out,
                r#"<p>对照上一轮（{}）：已整改 <b id="fixed-count">{}</b> 项，回头看未整改 <b id="open-count">{}</b> 项，督办单 <b id="orders-count">{}</b> 份。</p>"#,
                esc(&chinese_date(&followup.previous_date)),
                followup.fixed.len(),
                followup.still_open.len(),
                rect.orders.len()
            );
        }
    }
    if !rect.orders.is_empty() {
        out.push_str("<p>督办单逐单成页，随各县（市、区）报告另附（按责任单位所在县区）。</p>");
    }
    out.push_str("</section>");
}

/// 四、免除督导与问责建议, with the rule that keeps them apart.
pub(super) fn incentives(out: &mut String, report: &Report) {
    let rect = &report.rectification;
    out.push_str(r#"<section id="incentives"><h2>四、免除督导与问责建议</h2>"#);
    match rect.exemption_rounds {
        Some(rounds) => {
            let _ = write!(
                out,
                r#"<p id="exemption">连续 {rounds} 轮综合等级为{}、且本轮无一票否决和逾期未整改问题的单位，可免除督导：{}</p>"#,
                esc(rect.top_grade.as_deref().unwrap_or("优秀")),
                if rect.exemption.is_empty() {
                    "无。".to_owned()
                } else {
                    esc(&rect.exemption.iter().map(|unit| unit.name.as_str()).collect::<Vec<_>>().join("、"))
                }
            );
        }
        None => out.push_str("<p>本轮计划未设免除督导条件。</p>"),
    }
    if rect.accountability.is_empty() {
        out.push_str("<p>问责建议（不得评优评先）：无。</p>");
    } else {
        out.push_str(r#"<p>问责建议（不得评优评先；列入问责建议的单位不免除督导）：</p><table id="accountability"><colgroup><col style="width:35%"><col style="width:65%"></colgroup><thead><tr><th>单位</th><th>原因</th></tr></thead><tbody>"#);
        for unit in &rect.accountability {
            let _ = write!(
                out,
                r#"<tr data-unit="{}"><td>{}</td><td>{}</td></tr>"#,
                esc(&unit.id),
                esc(&unit.name),
                esc(&unit.reasons.join("；"))
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}
