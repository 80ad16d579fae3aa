//! The report as an XLSX workbook: an overview, one sheet per level (市/县/督学责任区/学校),
//! the rectification list (整改清单) and supervision orders (督办单). Header rows are frozen
//! and filtered (and repeated on every printed page), numbers are numbers in the format of
//! their kind (percentages for shares, 是/否 for yes/no, two decimals for scores), deadlines are
//! dates, not-met cells are filled; sheets print landscape on A4, one page wide.

use rules_sdk::wire::{Level, Status};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::numbers::Kind;
use super::{PublishError, Report, status_words};

/// Fill of a not-met cell.
pub const NOT_MET_FILL: u32 = 0xF8CBAD;

struct Formats {
    date: Format,
    header: Format,
    not_met: Format,
    not_met_number: Format,
    number: Format,
}

fn sheet_name(level: Level) -> &'static str {
    match level {
        Level::City => "市",
        Level::County => "县",
        Level::Zone => "督学责任区",
        Level::School => "学校",
    }
}

/// Paper size code of A4 in the workbook's page setup.
const A4: u8 = 9;

/// Widest a column is fitted to its content, in pixels.
const MAX_COLUMN_PIXELS: u32 = 360;

fn headers(sheet: &mut Worksheet, formats: &Formats, names: &[&str]) -> Result<(), XlsxError> {
    for (column, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_paper_size(A4).set_landscape().set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// The autofilter over the written rows, and column widths fitted to the content.
fn filter(sheet: &mut Worksheet, rows: u32, columns: usize) -> Result<(), XlsxError> {
    sheet.autofilter(0, 0, rows.max(1), (columns.max(1) - 1) as u16)?;
    sheet.set_autofit_max_width(MAX_COLUMN_PIXELS).autofit();
    Ok(())
}

/// The number format of a value by the kind of its unit: `0.00%` for shares, 是/否 for
/// yes/no, three decimals for a coefficient of variation, else whole numbers as such and
/// two decimals otherwise.
pub(super) fn value_format(unit: Option<&str>, value: Option<f64>) -> &'static str {
    match Kind::of(unit) {
        Kind::Share => "0.00%",
        Kind::ShareChange => "0.00%",
        Kind::YesNo => r#"[=1]"是";[=0]"否";0"#,
        Kind::Cv => "0.000",
        _ if value.is_some_and(|value| value.fract() == 0.0) => "0",
        _ => "0.00",
    }
}

/// A `YYYY-MM-DD` date as a date cell (text when it is not one).
fn write_date(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    date: Option<&str>,
    format: &Format,
) -> Result<(), XlsxError> {
    let parsed = date.and_then(|date| {
        let (year, month, day) =
            (date.get(0..4)?.parse().ok()?, date.get(5..7)?.parse().ok()?, date.get(8..10)?.parse().ok()?);
        ExcelDateTime::from_ymd(year, month, day).ok()
    });
    match (parsed, date) {
        (Some(parsed), _) => sheet.write_date_with_format(row, column, &parsed, format).map(|_| ()),
        (None, Some(text)) => sheet.write_string(row, column, text).map(|_| ()),
        (None, None) => sheet.write_blank(row, column, format).map(|_| ()),
    }
}

fn write_number(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(value) => sheet.write_number_with_format(row, column, value, format).map(|_| ()),
        None => sheet.write_blank(row, column, format).map(|_| ()),
    }
}

fn build(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation time: the same report gives the same bytes.
    let (year, month, day) = (
        report.date[0..4].parse().unwrap_or(2000),
        report.date[5..7].parse().unwrap_or(1),
        report.date[8..10].parse().unwrap_or(1),
    );
    let created = ExcelDateTime::from_ymd(year, month, day)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{}报告", report.title))
            .set_author("dudao")
            .set_creation_datetime(&created),
    );
    let formats = Formats {
        date: Format::new().set_num_format("yyyy-mm-dd"),
        header: Format::new().set_bold().set_background_color(Color::RGB(0xDDE6F0)),
        not_met: Format::new().set_background_color(Color::RGB(NOT_MET_FILL)).set_font_color(Color::RGB(0x9C0006)),
        not_met_number: Format::new()
            .set_background_color(Color::RGB(NOT_MET_FILL))
            .set_font_color(Color::RGB(0x9C0006)),
        number: Format::new().set_num_format("0.00"),
    };
    let plain = Format::new();

    // 总览: counties' scores per pack and overall.
    {
        let packs = report.county_packs();
        let sheet = workbook.add_worksheet();
        sheet.set_name("总览")?;
        let mut names: Vec<String> = vec!["代码".into(), "县（市、区）".into()];
        for &pack in &packs {
            names.push(format!("{}得分", report.packs[pack].title));
            names.push(format!("{}等级", report.packs[pack].title));
        }
        names.extend(["综合得分".into(), "综合等级".into(), "一票否决".into()]);
        headers(sheet, &formats, &names.iter().map(String::as_str).collect::<Vec<_>>())?;
        let mut row = 0;
        for county in report.level(Level::County) {
            row += 1;
            sheet.write_string(row, 0, &county.id)?;
            sheet.write_string(row, 1, &county.name)?;
            let mut column = 2;
            for &pack in &packs {
                let score = county.score(pack);
                write_number(sheet, row, column, score.map(|score| score.total), &formats.number)?;
                sheet.write_string(row, column + 1, score.and_then(|score| score.grade.as_deref()).unwrap_or(""))?;
                column += 2;
            }
            if let Some(overall) = &county.overall {
                let vetoed = !overall.vetoes.is_empty();
                write_number(sheet, row, column, Some(overall.total), &formats.number)?;
                sheet.write_string_with_format(
                    row,
                    column + 1,
                    overall.grade.as_deref().unwrap_or(""),
                    if vetoed { &formats.not_met } else { &plain },
                )?;
                let vetoes: Vec<&str> = overall.vetoes.iter().map(|(name, _)| name.as_str()).collect();
                sheet.write_string_with_format(
                    row,
                    column + 2,
                    vetoes.join("；"),
                    if vetoed { &formats.not_met } else { &plain },
                )?;
            }
        }
        filter(sheet, row, names.len())?;
    }

    // One sheet per level: every indicator result.
    for (level, units) in &report.units {
        if units.iter().all(|unit| unit.indicators.is_empty()) {
            continue;
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(*level))?;
        let names = [
            "代码",
            "名称",
            "所属县",
            "指标包",
            "对象",
            "指标代码",
            "指标名称",
            "值",
            "单位",
            "标准",
            "状态",
            "说明",
            "综合等级",
        ];
        headers(sheet, &formats, &names)?;
        let counties = report.level(Level::County);
        let mut row = 0;
        for unit in units {
            let county = unit.county.and_then(|index| counties.get(index)).map_or("", |county| county.name.as_str());
            let grade = unit.overall.as_ref().and_then(|overall| overall.grade.as_deref()).unwrap_or("");
            for line in &unit.indicators {
                row += 1;
                let not_met = line.status == Status::NotMet;
                let pack = &report.packs[line.pack];
                sheet.write_string(row, 0, &unit.id)?;
                sheet.write_string(row, 1, &unit.name)?;
                sheet.write_string(row, 2, county)?;
                sheet.write_string(row, 3, format!("{}{}", pack.id, if pack.local { "（地方）" } else { "" }))?;
                sheet.write_string(row, 4, dudao_engine::textguard::neutralise_formula(&line.subject_name))?;
                sheet.write_string(row, 5, &line.id)?;
                sheet.write_string(row, 6, &line.name)?;
                let kind = value_format(line.unit.as_deref(), line.value);
                write_number(
                    sheet,
                    row,
                    7,
                    line.value,
                    &if not_met { formats.not_met_number.clone() } else { Format::new() }.set_num_format(kind),
                )?;
                sheet.write_string(row, 8, line.unit.as_deref().unwrap_or(""))?;
                sheet.write_string(row, 9, line.threshold.as_deref().unwrap_or(""))?;
                sheet.write_string_with_format(
                    row,
                    10,
                    status_words(line.status),
                    if not_met { &formats.not_met } else { &plain },
                )?;
                sheet.write_string(row, 11, dudao_engine::textguard::neutralise_formula(&line.note))?;
                sheet.write_string(row, 12, grade)?;
            }
        }
        filter(sheet, row, names.len())?;
    }

    // 整改清单
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("整改清单")?;
        let names: Vec<&str> =
            super::rectification::ITEM_COLUMNS.into_iter().filter(|column| *column != "匹配键").collect();
        headers(sheet, &formats, &names)?;
        let mut row = 0;
        for item in &report.rectification.items {
            row += 1;
            sheet.write_string(row, 0, &item.id)?;
            sheet.write_string(row, 1, item.level.chinese())?;
            sheet.write_string(row, 2, &item.unit_id)?;
            sheet.write_string(row, 3, dudao_engine::textguard::neutralise_formula(&item.unit_name))?;
            sheet.write_string(row, 4, item.supervisor_name.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 5, &item.pack)?;
            sheet.write_string(row, 6, if item.local { "地方" } else { "" })?;
            sheet.write_string(row, 7, &item.indicator)?;
            sheet.write_string(row, 8, &item.indicator_name)?;
            let kind = value_format(item.unit.as_deref(), item.value);
            write_number(sheet, row, 9, item.value, &formats.not_met_number.clone().set_num_format(kind))?;
            sheet.write_string(row, 10, item.threshold.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 11, dudao_engine::textguard::neutralise_formula(&item.note))?;
            sheet.write_string_with_format(
                row,
                12,
                if item.veto { "是" } else { "" },
                if item.veto { &formats.not_met } else { &plain },
            )?;
            sheet.write_string(row, 13, &item.found_in)?;
            write_date(sheet, row, 14, item.deadline.as_deref(), &formats.date)?;
            sheet.write_string(row, 15, item.status.chinese())?;
        }
        filter(sheet, row, names.len())?;
    }

    // 督办单
    if !report.rectification.orders.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name("督办单")?;
        let names = [
            "督办单号",
            "责任单位代码",
            "责任单位",
            "督办单位",
            "逾期未整改项数",
            "整改项编号",
            "逾期问题",
            "整改期限",
        ];
        headers(sheet, &formats, &names)?;
        let mut row = 0;
        for order in &report.rectification.orders {
            row += 1;
            sheet.write_string(row, 0, &order.number)?;
            sheet.write_string(row, 1, &order.unit_id)?;
            sheet.write_string(row, 2, &order.unit_name)?;
            sheet.write_string(row, 3, order.supervisor_name.as_deref().unwrap_or(""))?;
            sheet.write_number(row, 4, order.items.len() as f64)?;
            sheet.write_string(row, 5, order.items.join("\n"))?;
            let problems: Vec<&str> =
                order.items.iter().filter_map(|id| report.item(id)).map(|item| item.indicator_name.as_str()).collect();
            sheet.write_string(row, 6, problems.join("\n"))?;
            write_date(sheet, row, 7, order.deadline.as_deref(), &formats.date)?;
        }
        filter(sheet, row, names.len())?;
    }
    workbook.save_to_buffer()
}

/// The report as an XLSX workbook.
///
/// # Errors
///
/// [`PublishError::Workbook`] when the workbook cannot be made.
pub fn xlsx(report: &Report) -> Result<Vec<u8>, PublishError> {
    build(report).map_err(|error| PublishError::Workbook(error.to_string()))
}
