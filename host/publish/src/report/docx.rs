//! The county report and its supervision orders as DOCX (editable in WPS and Word): the same
//! parts, in the same order and numbering, as the HTML documents ([`super::county_html`],
//! [`super::orders_html`]), with real headings (styles 标题 1/2), the figures as native charts
//! ([`super::drawingml`]), tables with fixed column widths, not-met cells filled, and a page
//! break before each order. A4 portrait.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, Shading, Style, StyleType, Table, TableCell,
    TableLayoutType, TableRow, WidthType,
};
use rules_sdk::wire::{Level, Status};

use super::chart::county_charts;
use super::county::{Followup, deadline_sentence, followup};
use super::drawingml;
use super::html::{chinese_date, finding, fired};
use super::rectification::{ItemStatus, Order};
use super::{IndicatorLine, PublishError, Report, numbers, shown_value, status_words};
use dudao_engine::plan;

/// Fill of a not-met cell (the workbook's, [`super::NOT_MET_FILL`]).
const NOT_MET_FILL: &str = "F8CBAD";

/// A4 in twentieths of a point, and the text width inside 18 mm margins.
const A4: (u32, u32) = (11_906, 16_838);
const MARGIN: i32 = 1_020;
const TEXT_WIDTH: usize = 11_906 - 2 * 1_020;

fn document() -> Docx {
    Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(PageMargin {
            top: MARGIN,
            left: MARGIN,
            bottom: MARGIN,
            right: MARGIN,
            header: 567,
            footer: 567,
            gutter: 0,
        })
        .default_fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"))
        .default_size(21)
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("heading 1").size(32).bold())
        .add_style(Style::new("Heading2", StyleType::Paragraph).name("heading 2").size(28).bold())
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").size(44).bold())
}

fn text(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn heading(level: u8, title: &str) -> Paragraph {
    Paragraph::new().style(if level == 1 { "Heading1" } else { "Heading2" }).add_run(Run::new().add_text(title))
}

fn centered(title: &str, size: usize, color: Option<&str>) -> Paragraph {
    let run = Run::new().add_text(title).size(size);
    let run = match color {
        Some(color) => run.color(color),
        None => run,
    };
    Paragraph::new().align(AlignmentType::Center).add_run(run)
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// A table with fixed column widths (shares of the text width); `filled` rows get the
/// not-met fill.
fn table(header: &[&str], widths: &[usize], rows: Vec<(Vec<String>, bool)>) -> Table {
    let twips: Vec<usize> = widths.iter().map(|share| TEXT_WIDTH * share / 100).collect();
    let cell = |content: &str, width: usize, fill: Option<&str>, bold: bool| {
        let run = Run::new().add_text(content).size(18);
        let run = if bold { run.bold() } else { run };
        let cell = TableCell::new().width(width, WidthType::Dxa).add_paragraph(Paragraph::new().add_run(run));
        match fill {
            Some(fill) => cell.shading(Shading::new().fill(fill)),
            None => cell,
        }
    };
    let mut all = vec![TableRow::new(
        header.iter().zip(&twips).map(|(name, width)| cell(name, *width, Some("EEF2F6"), true)).collect(),
    )];
    for (cells, filled) in rows {
        all.push(
            TableRow::new(
                cells
                    .iter()
                    .zip(&twips)
                    .map(|(content, width)| cell(content, *width, filled.then_some(NOT_MET_FILL), false))
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(all).set_grid(twips).layout(TableLayoutType::Fixed).width(TEXT_WIDTH, WidthType::Dxa)
}

fn cover(mut doc: Docx, report: &Report, unit: &str, kind: &str) -> Docx {
    doc = doc
        .add_paragraph(centered(report.issuer.as_deref().unwrap_or(""), 32, Some("B3261E")))
        .add_paragraph(centered(report.document_number.as_deref().unwrap_or(""), 24, None))
        .add_paragraph(Paragraph::new().style("Title").align(AlignmentType::Center).add_run(
            Run::new().add_text(format!("{}{kind}{}", report.title, if report.public { "（公开版）" } else { "" })),
        ))
        .add_paragraph(centered(unit, 32, None))
        .add_paragraph(centered(&chinese_date(&report.date), 24, None));
    for paragraph in &report.foreword {
        doc = doc.add_paragraph(text(&format!("　　{paragraph}")));
    }
    doc
}

fn pack(doc: Docx) -> Result<Vec<u8>, PublishError> {
    let mut bytes = Cursor::new(Vec::new());
    doc.build().pack(&mut bytes).map_err(|error| PublishError::Document(error.to_string()))?;
    Ok(bytes.into_inner())
}

/// The county report of county number `county` as DOCX.
///
/// # Errors
///
/// [`PublishError::Document`] when the document cannot be packed.
pub fn county_docx(report: &Report, county: usize) -> Result<Vec<u8>, PublishError> {
    let unit = &report.level(Level::County)[county];
    let mut doc = cover(document(), report, &unit.name, "报告");
    doc = doc.add_paragraph(page_break()).add_paragraph(heading(1, "一、总体情况"));
    if let Some(overall) = &unit.overall {
        doc = doc.add_paragraph(text(&format!(
            "{}本轮综合得分 {}，综合等级{}。",
            unit.name,
            numbers::score(overall.total),
            overall.grade.as_deref().unwrap_or("未定")
        )));
    }
    for score in &unit.scores {
        doc = doc.add_paragraph(text(&format!(
            "{}：{}{}",
            report.packs[score.pack].title,
            numbers::score(score.total),
            score.grade.as_ref().map(|grade| format!("（{grade}）")).unwrap_or_default()
        )));
    }
    doc = doc.add_paragraph(heading(1, "二、主要问题"));
    let mut number = 0;
    if let Some(overall) = &unit.overall {
        for (finding, cap) in &overall.vetoes {
            number += 1;
            doc = doc.add_paragraph(text(&format!("{number}. 一票否决：{finding}（综合等级最高为{cap}）。")));
        }
    }
    for line in unit.not_met().filter(|line| !fired(unit, line)) {
        number += 1;
        doc = doc.add_paragraph(text(&format!("{number}. {}。", finding(line))));
    }
    if number == 0 {
        doc = doc.add_paragraph(text("县级指标全部达标。"));
    }
    let charts = county_charts(report, county);
    doc = doc.add_paragraph(heading(1, "三、图表"));
    for (index, chart) in charts.iter().enumerate() {
        // The placeholder becomes the chart when the archive is rewritten.
        doc = doc.add_paragraph(text(&drawingml::placeholder(index))).add_paragraph(centered(&chart.caption, 18, None));
    }
    doc = doc.add_paragraph(heading(1, "四、指标结果"));
    let rows = unit.indicators.iter().map(|line: &IndicatorLine| {
        (
            vec![
                report.packs[line.pack].title.clone(),
                format!("{}{}", line.name, if line.veto { "（一票否决）" } else { "" }),
                shown_value(line.value, line.unit.as_deref()),
                line.threshold.clone().unwrap_or_default(),
                status_words(line.status).to_owned(),
            ],
            line.status == Status::NotMet,
        )
    });
    doc = doc.add_table(table(&["指标体系", "指标", "值", "标准", "状态"], &[20, 38, 14, 16, 12], rows.collect()));
    let schools: Vec<_> = report.schools_of(county).collect();
    if !schools.is_empty() {
        doc = doc.add_paragraph(heading(1, "五、学校情况"));
        let rows = schools.iter().map(|school| {
            let (total, grade) = match &school.overall {
                Some(overall) => (numbers::score(overall.total), overall.grade.clone().unwrap_or_default()),
                None => ("—".to_owned(), "—".to_owned()),
            };
            (vec![school.name.clone(), total, grade, school.not_met().count().to_string()], false)
        });
        doc = doc.add_table(table(&["学校", "综合得分", "综合等级", "未达标指标"], &[46, 18, 18, 18], rows.collect()));
    }
    let items = report.items_of(county);
    doc = doc.add_paragraph(heading(1, "六、整改清单")).add_paragraph(text(&format!(
        "共 {} 项{}。",
        items.len(),
        deadline_sentence(report)
    )));
    let rows = items.iter().enumerate().map(|(index, item)| {
        (
            vec![
                (index + 1).to_string(),
                item.unit_name.clone(),
                item.indicator_name.clone(),
                shown_value(item.value, item.unit.as_deref()),
                item.threshold.clone().unwrap_or_default(),
                item.deadline.clone().unwrap_or_default(),
                item.status.chinese().to_owned(),
            ],
            item.status == ItemStatus::Overdue,
        )
    });
    doc = doc.add_table(table(
        &["序号", "责任单位", "问题（指标）", "现状值", "标准", "整改期限", "状态"],
        &[6, 18, 32, 11, 12, 12, 9],
        rows.collect(),
    ));
    doc = doc.add_paragraph(heading(1, "七、回头看与督办")).add_paragraph(text(&match followup(report, county) {
        None => "本轮无上一轮整改记录。".to_owned(),
        Some(Followup { previous_date, fixed, open }) => format!(
            "对照上一轮（{}）：已整改 {fixed} 项，回头看未整改 {open} 项，督办单 {} 份（另附）。",
            chinese_date(previous_date),
            report.orders_of(county).len()
        ),
    }));
    drawingml::embed(pack(doc)?, &charts, TEXT_WIDTH, &report.date)
}

/// The supervision orders of county number `county` as DOCX, one page each; `None` when there
/// are none.
///
/// # Errors
///
/// [`PublishError::Document`] when the document cannot be packed.
pub fn orders_docx(report: &Report, county: usize) -> Result<Option<Vec<u8>>, PublishError> {
    let orders = report.orders_of(county);
    if orders.is_empty() {
        return Ok(None);
    }
    let mut doc = document();
    for (index, order) in orders.into_iter().enumerate() {
        if index > 0 {
            doc = doc.add_paragraph(page_break());
        }
        doc = order_page(doc, report, order);
    }
    pack(doc).map(Some)
}

fn order_page(mut doc: Docx, report: &Report, order: &Order) -> Docx {
    let today = plan::parse_date(&report.date);
    doc = doc
        .add_paragraph(
            Paragraph::new().style("Heading1").align(AlignmentType::Center).add_run(Run::new().add_text("督办单")),
        )
        .add_paragraph(centered(&order.number, 24, None))
        .add_paragraph(text(&format!(
            "{}{}：",
            order.unit_name,
            order.supervisor_name.as_ref().map(|name| format!("（督办单位：{name}）")).unwrap_or_default()
        )))
        .add_paragraph(text(&format!(
            "　　{}回头看发现，你单位下列问题已超过整改期限仍未整改到位：",
            chinese_date(&report.date)
        )));
    let rows = order.items.iter().filter_map(|id| report.item(id)).enumerate().map(|(index, item)| {
        let overdue = match (today, item.deadline.as_deref().and_then(plan::parse_date)) {
            (Some(today), Some(due)) => format!("{}天", today - due),
            _ => "—".to_owned(),
        };
        (
            vec![
                (index + 1).to_string(),
                item.indicator_name.clone(),
                shown_value(item.value, item.unit.as_deref()),
                item.threshold.clone().unwrap_or_default(),
                item.source.clone().unwrap_or_default(),
                item.deadline.clone().unwrap_or_default(),
                overdue,
            ],
            false,
        )
    });
    doc = doc.add_table(table(
        &["序号", "问题（指标）", "现状值", "标准", "依据", "原整改期限", "逾期天数"],
        &[6, 26, 11, 12, 23, 12, 10],
        rows.collect(),
    ));
    doc.add_paragraph(text(&format!(
        "　　请于{}前整改到位，并将整改情况书面报告。逾期仍未整改的，列入问责建议，不得评优评先。",
        order.deadline.as_deref().map(chinese_date).unwrap_or_else(|| "限期".to_owned())
    )))
    .add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(report.issuer.as_deref().unwrap_or(""))),
    )
    .add_paragraph(
        Paragraph::new().align(AlignmentType::Right).add_run(Run::new().add_text(chinese_date(&report.date))),
    )
}
