//! The report as one self-contained HTML file: inline CSS, inline SVG charts drawn here, no
//! scripts and nothing fetched; printable on A4 with a page break before each county.

use std::fmt::Write;

use rules_sdk::wire::{Level, Status};

use super::rectification::value_with_unit;
use super::{IndicatorLine, Report, format_rounded, status_words};

const PALETTE: [&str; 8] = ["#2f6db5", "#e08a1e", "#3a9a5b", "#c0392b", "#7d5ba6", "#8c6d4f", "#d35f9f", "#5f6b73"];

const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  font-size: 10.5pt; color: #1d1d1f; margin: 0 auto; max-width: 190mm; line-height: 1.45; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; border-bottom: 2px solid #2f6db5; padding-bottom: 1mm; margin-top: 8mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt; }
th, td { border: 1px solid #b8c0c8; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.not-met td { background: #fde8e6; }
.status-not_met { color: #b3261e; font-weight: bold; }
.veto { color: #b3261e; font-weight: bold; }
.meta { color: #555; font-size: 9pt; }
.notice { border: 1px solid #e08a1e; background: #fff6e8; padding: 2mm; }
.county { break-before: page; page-break-before: always; }
.part { break-before: page; page-break-before: always; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9pt; color: #444; }
svg text { font-family: inherit; }
tr { break-inside: avoid; page-break-inside: avoid; }
"#;

/// Escapes text for HTML.
fn esc(text: &str) -> String {
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
fn slug(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect()
}

/// A number for SVG coordinates (two decimals, trailing zeros dropped).
fn px(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Grouped vertical bars (0–100): one group per category, one bar per series.
fn grouped_bars(id: &str, categories: &[String], series: &[String], values: &[Vec<Option<f64>>]) -> String {
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
                format_rounded(value)
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
                format_rounded(value),
                px(x + group_w * 0.3),
                px(y_of(value) - 3.0),
                format_rounded(value)
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
        format_rounded(limit),
        y = px(y_of(limit))
    );
    svg.push_str("</svg>");
    svg
}

/// Horizontal stacked bars: one bar per category, one segment per grade.
fn stacked_bars(id: &str, categories: &[String], grades: &[String], counts: &[Vec<usize>]) -> String {
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

fn indicator_table(out: &mut String, report: &Report, owner: &str, lines: &[&IndicatorLine]) {
    out.push_str("<table><thead><tr><th>指标包</th><th>对象</th><th>指标</th><th>值</th><th>标准</th><th>状态</th><th>说明</th></tr></thead><tbody>");
    for line in lines {
        let pack = &report.packs[line.pack];
        let not_met = line.status == Status::NotMet;
        let _ = write!(
            out,
            r#"<tr id="ind-{}-{}" data-indicator="{}" data-status="{}"{}><td>{}{}</td><td>{}</td><td>{}{}<br><span class="meta">{}</span></td><td class="num" data-value="{}">{}</td><td class="num">{}</td><td class="status-{}">{}</td><td>{}</td></tr>"#,
            slug(owner),
            slug(&format!("{}-{}", line.subject, line.id)),
            esc(&line.id),
            line.status.as_str(),
            if not_met { r#" class="not-met""# } else { "" },
            esc(&pack.id),
            if pack.local { "（地方）" } else { "" },
            esc(&line.subject_name),
            esc(&line.name),
            if line.veto { r#" <span class="veto">一票否决</span>"# } else { "" },
            esc(&line.id),
            line.value.map(format_rounded).unwrap_or_default(),
            esc(&value_with_unit(line.value, line.unit.as_deref())),
            esc(line.threshold.as_deref().unwrap_or("")),
            line.status.as_str(),
            status_words(line.status),
            esc(&line.note)
        );
    }
    out.push_str("</tbody></table>");
}

/// The report as one self-contained HTML file.
pub fn html(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("{}报告{}", report.title, if report.public { "（公开版）" } else { "" });
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = write!(
        out,
        r#"<header><h1 id="title">{}</h1><p class="meta">轮次 <span id="round-id">{}</span>（{}） · 日期 <span id="round-date">{}</span> · 数据 sha256 {}</p>"#,
        esc(&title),
        esc(&report.round_id),
        esc(&report.period),
        esc(&report.date),
        esc(&report.dataset_sha256)
    );
    if report.public {
        let _ = write!(
            out,
            r#"<p class="notice" id="public-notice">公开版：以下指标不公开，本报告未列出：{}</p>"#,
            esc(&report.hidden.join("、"))
        );
    }
    out.push_str("</header>");

    // 一、全市概况
    let counties = report.level(Level::County);
    let names: Vec<String> = counties.iter().map(|county| county.name.clone()).collect();
    let packs = report.county_packs();
    out.push_str(r#"<section id="city"><h2>一、全市概况</h2><table id="overview"><thead><tr><th>县（市、区）</th>"#);
    for &pack in &packs {
        let line = &report.packs[pack];
        let _ = write!(out, "<th>{}{}</th>", esc(&line.title), if line.local { "（地方）" } else { "" });
    }
    out.push_str("<th>综合得分</th><th>综合等级</th><th>一票否决</th></tr></thead><tbody>");
    for county in counties {
        let _ = write!(out, r#"<tr data-county="{}"><td>{}</td>"#, esc(&county.id), esc(&county.name));
        for &pack in &packs {
            match county.score(pack) {
                Some(score) => {
                    let _ = write!(
                        out,
                        r#"<td class="num" id="score-{}-{}" data-value="{}">{} <span data-grade="{}">{}</span></td>"#,
                        slug(&county.id),
                        slug(&report.packs[pack].id),
                        format_rounded(score.total),
                        format_rounded(score.total),
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
                    r#"<td class="num" id="overall-{id}-total" data-value="{total}">{total}</td><td id="overall-{id}-grade" data-grade="{grade}">{grade}</td><td class="veto">{vetoes}</td>"#,
                    id = slug(&county.id),
                    total = format_rounded(overall.total),
                    grade = esc(overall.grade.as_deref().unwrap_or("—")),
                    vetoes = esc(&overall.vetoes.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join("；"))
                );
            }
            None => out.push_str("<td>—</td><td>—</td><td></td>"),
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");

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
    for &pack in &packs {
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
            "<figure>{}<figcaption>图{figure} {}（{}）与限值 {}</figcaption></figure>",
            bars_with_limit(&format!("chart-cv-{}", slug(&id)), &names, &values, limit),
            esc(&name),
            esc(&id),
            format_rounded(limit)
        );
        figure += 1;
    }
    for city in report.level(Level::City) {
        if !city.indicators.is_empty() {
            let _ = write!(out, "<h3>{}指标</h3>", esc(&city.name));
            indicator_table(&mut out, report, &city.id, &city.indicators.iter().collect::<Vec<_>>());
        }
    }
    out.push_str("</section>");

    // 二、各县（市、区）
    for (index, county) in counties.iter().enumerate() {
        let _ = write!(
            out,
            r#"<section class="county" id="county-{}" data-county="{}"><h2>{}（{}）</h2>"#,
            slug(&county.id),
            esc(&county.id),
            esc(&county.name),
            esc(&county.id)
        );
        if let Some(overall) = &county.overall {
            let _ = write!(
                out,
                r#"<p>综合得分 <b data-value="{total}">{total}</b>，综合等级 <b>{}</b>。</p>"#,
                esc(overall.grade.as_deref().unwrap_or("—")),
                total = format_rounded(overall.total)
            );
        }
        indicator_table(&mut out, report, &county.id, &county.indicators.iter().collect::<Vec<_>>());
        let schools: Vec<_> = report.schools_of(index).collect();
        if !schools.is_empty() {
            out.push_str("<h3>学校概况</h3><table><thead><tr><th>学校</th><th>代码</th><th>综合得分</th><th>综合等级</th><th>未达标指标数</th></tr></thead><tbody>");
            for school in schools {
                let (total, grade) = match &school.overall {
                    Some(overall) => {
                        (format_rounded(overall.total), overall.grade.clone().unwrap_or_else(|| "—".to_owned()))
                    }
                    None => ("—".to_owned(), "—".to_owned()),
                };
                let _ = write!(
                    out,
                    r#"<tr data-school="{}"><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td class="num">{}</td></tr>"#,
                    esc(&school.id),
                    esc(&school.name),
                    esc(&school.id),
                    total,
                    esc(&grade),
                    school.not_met().count()
                );
            }
            out.push_str("</tbody></table>");
        }
        out.push_str("</section>");
    }

    // 三、学校未达标指标
    out.push_str(r#"<section class="part" id="schools"><h2>三、学校未达标指标</h2>"#);
    for school in report.level(Level::School) {
        let lines: Vec<_> = school.not_met().collect();
        if lines.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>{}（{}）</h3>", esc(&school.name), esc(&school.id));
        indicator_table(&mut out, report, &school.id, &lines);
    }
    out.push_str("</section>");

    // 四、整改清单
    let rect = &report.rectification;
    let _ = write!(
        out,
        r#"<section class="part" id="rectification"><h2>四、整改清单</h2><p>共 <b id="items-count">{}</b> 项{}。</p>"#,
        rect.items.len(),
        rect.deadline_days.map(|days| format!("，整改期限为督导之日起 {days} 天")).unwrap_or_default()
    );
    out.push_str("<table><thead><tr><th>编号</th><th>责任单位</th><th>督办单位</th><th>指标</th><th>值</th><th>标准</th><th>整改期限</th><th>状态</th></tr></thead><tbody>");
    for item in &rect.items {
        let _ = write!(
            out,
            r#"<tr data-item="{}" data-status="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}{}{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(&item.id),
            serde_json::to_value(item.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            esc(&item.id),
            esc(&item.unit_name),
            esc(item.supervisor_name.as_deref().unwrap_or("")),
            esc(&item.indicator_name),
            if item.local { "（地方）" } else { "" },
            if item.veto { r#" <span class="veto">一票否决</span>"# } else { "" },
            item.value.map(format_rounded).unwrap_or_default(),
            esc(item.threshold.as_deref().unwrap_or("")),
            esc(item.deadline.as_deref().unwrap_or("")),
            item.status.chinese()
        );
    }
    out.push_str("</tbody></table></section>");

    // 五、回头看与督办
    out.push_str(r#"<section id="followup"><h2>五、回头看与督办</h2>"#);
    match &rect.followup {
        None => out.push_str("<p>本轮无上一轮整改记录。</p>"),
        Some(followup) => {
            let _ = write!(
                out,
                r#"<p>对照上一轮 {}（{}）：已整改 <b id="fixed-count">{}</b> 项，回头看未整改 <b id="open-count">{}</b> 项，督办单 <b id="orders-count">{}</b> 份。</p>"#,
                esc(&followup.previous_round),
                esc(&followup.previous_date),
                followup.fixed.len(),
                followup.still_open.len(),
                rect.orders.len()
            );
            if !followup.fixed.is_empty() {
                out.push_str(
                    "<h3>已整改</h3><table><thead><tr><th>编号</th><th>责任单位</th><th>指标</th></tr></thead><tbody>",
                );
                for item in &followup.fixed {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&item.id),
                        esc(&item.unit_name),
                        esc(&item.indicator_name)
                    );
                }
                out.push_str("</tbody></table>");
            }
        }
    }
    for order in &rect.orders {
        let _ = write!(
            out,
            r#"<div class="order" data-order="{}"><h3>{} 督办单：{}</h3><p>{}逾期未整改 {} 项，请于收到本督办单后限期整改并书面报告：</p><ul>"#,
            esc(&order.number),
            esc(&order.number),
            esc(&order.unit_name),
            order.supervisor_name.as_ref().map(|name| format!("督办单位：{}。", esc(name))).unwrap_or_default(),
            order.items.len()
        );
        for item in &order.items {
            let _ = write!(out, "<li>{}</li>", esc(item));
        }
        out.push_str("</ul></div>");
    }
    out.push_str("</section>");

    // 六、免除督导与问责建议
    out.push_str(r#"<section id="incentives"><h2>六、免除督导与问责建议</h2>"#);
    match rect.exemption_rounds {
        Some(rounds) => {
            let _ = write!(
                out,
                r#"<p id="exemption">连续 {rounds} 轮综合等级为{}的单位可免除督导：{}</p>"#,
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
        out.push_str("<p>问责建议（不得评优评先）：</p><table id=\"accountability\"><thead><tr><th>单位</th><th>代码</th><th>原因</th></tr></thead><tbody>");
        for unit in &rect.accountability {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&unit.name),
                esc(&unit.id),
                esc(&unit.reasons.join("；"))
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section></body></html>\n");
    out
}
