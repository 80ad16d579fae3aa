//! The data-entry workbook (填报模板) for a set of packs: one sheet per table the packs
//! evaluate, with exactly the columns they require, Chinese headers that keep the codes
//! (`学段（stage）`, which the readers map back to `stage`), a note on each header, data
//! validation (drop-downs for enumerations and yes/no fields, whole numbers ≥ 0 for counts),
//! and a sheet explaining every field. A workbook filled in from it reads as a dataset without
//! renaming anything.

use std::collections::BTreeSet;

use rules_sdk::wire::{FieldSpec, FieldType, IndicatorNode, Level, Manifest};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, Note, Workbook, XlsxError,
};

use crate::TABLES;
use crate::csv_source::chinese_name;
use crate::validate::{enum_labels, visible_levels};

/// How many rows below the header carry the data validation.
const VALIDATED_ROWS: u32 = 5000;

/// Excel's limit on a data validation's input message (characters).
const INPUT_MESSAGE_LIMIT: usize = 255;

/// Excel's limit on a data validation's title (characters).
const INPUT_TITLE_LIMIT: usize = 32;

/// Why the workbook could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the data-entry workbook: {0}")]
pub struct TemplateError(#[from] XlsxError);

/// One column of a template sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateColumn {
    /// The code (`stage`).
    pub code: String,
    /// Its Chinese name (`学段`).
    pub label: String,
    /// What it holds, from the data dictionary (the pack's description).
    pub description: String,
    /// The field spec, for pack fields (`None` for `id`, `name` and links).
    pub field: Option<FieldSpec>,
    /// The packs that require it.
    pub packs: Vec<String>,
}

impl TemplateColumn {
    /// The header written in row 1: `学段（stage）`.
    pub fn header(&self) -> String {
        format!("{}（{}）", self.label, self.code)
    }
}

/// The columns of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateSheet {
    /// The level.
    pub level: Level,
    /// The columns, core columns first, then each pack's fields in the packs' order.
    pub columns: Vec<TemplateColumn>,
}

/// The short Chinese name of a field: its description up to the first colon or parenthesis.
fn short_label(description: &str, code: &str) -> String {
    let label = description.split(['：', ':', '（', '(', '，', '；']).next().unwrap_or("").trim();
    if label.is_empty() { code.to_owned() } else { label.to_owned() }
}

fn core_column(code: &str, label: &str, description: &str) -> TemplateColumn {
    TemplateColumn {
        code: code.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        field: None,
        packs: Vec::new(),
    }
}

/// The levels an indicator tree rolls results up to.
fn rollup_levels(nodes: &[IndicatorNode], levels: &mut BTreeSet<Level>) {
    for node in nodes {
        levels.extend(node.rollup.iter().map(|rollup| rollup.to));
        rollup_levels(&node.children, levels);
    }
}

/// The tables and columns the packs require: every level a pack evaluates or rolls results up
/// to (and `counties`, which every dataset has), with `id`, `name`, the links to the levels
/// above and every field the packs declare.
pub fn sheets(manifests: &[&Manifest]) -> Vec<TemplateSheet> {
    let mut levels: BTreeSet<Level> = manifests.iter().flat_map(|manifest| visible_levels(manifest)).collect();
    for manifest in manifests {
        rollup_levels(&manifest.indicators, &mut levels);
    }
    levels.insert(Level::County);
    let mut sheets = Vec::new();
    for spec in TABLES.iter().filter(|spec| levels.contains(&spec.level)) {
        let mut columns = vec![
            core_column("id", "编号", "唯一编号（县用行政区划代码）；每行一个，不能重复，不能含空格或冒号"),
            core_column("name", "名称", "名称"),
        ];
        for link in spec.links {
            if link.required || levels.contains(&link.level) {
                let label = format!("所属{}编号", chinese_name(link.level));
                let description = format!("必须是“{}”表中的一个编号", chinese_name(link.level));
                columns.push(core_column(link.column, &label, &description));
            }
        }
        for manifest in manifests {
            for field in manifest.fields(spec.level) {
                if let Some(column) = columns.iter_mut().find(|column| column.code == field.name) {
                    if !column.packs.contains(&manifest.id) {
                        column.packs.push(manifest.id.clone());
                    }
                    continue;
                }
                columns.push(TemplateColumn {
                    code: field.name.clone(),
                    label: short_label(&field.description, &field.name),
                    description: field.description.clone(),
                    field: Some(field.clone()),
                    packs: vec![manifest.id.clone()],
                });
            }
        }
        sheets.push(TemplateSheet { level: spec.level, columns });
    }
    sheets
}

/// What a field's cells take, in Chinese.
fn kind_text(column: &TemplateColumn) -> String {
    let Some(field) = &column.field else { return "文本".to_owned() };
    let min = field.min.map(|min| format!("，≥ {min}")).unwrap_or_default();
    match field.kind {
        FieldType::Text => "文本".to_owned(),
        FieldType::Integer => format!("整数{min}"),
        FieldType::Number => format!("数字{min}"),
        FieldType::Boolean => "是/否".to_owned(),
        FieldType::Enum => "从下拉列表中选择".to_owned(),
    }
}

/// The allowed values of an enumeration or yes/no field, as offered in the drop-down.
fn choices(field: &FieldSpec) -> Option<Vec<String>> {
    match field.kind {
        FieldType::Enum => Some(enum_labels(field).unwrap_or_else(|| field.values.clone())),
        FieldType::Boolean => Some(vec!["是".to_owned(), "否".to_owned()]),
        _ => None,
    }
}

fn truncated(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(limit.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// The data validation of a column, if it has one.
fn validation(column: &TemplateColumn) -> Result<Option<DataValidation>, XlsxError> {
    let Some(field) = &column.field else { return Ok(None) };
    let rule = match (field.kind, choices(field)) {
        (_, Some(list)) => DataValidation::new().allow_list_strings(&list)?,
        (FieldType::Integer, None) => {
            let min = field.min.map_or(i32::MIN, |min| min.ceil() as i32);
            DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(min))
        }
        (FieldType::Number, None) => {
            let min = field.min.unwrap_or(f64::MIN);
            DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(min))
        }
        _ => return Ok(None),
    };
    let rule = rule
        .ignore_blank(true)
        .set_input_title(truncated(&column.label, INPUT_TITLE_LIMIT))?
        .set_input_message(truncated(&format!("{}（{}）", column.description, kind_text(column)), INPUT_MESSAGE_LIMIT))?
        .set_error_title("数据不符合要求")?
        .set_error_message(truncated(&format!("“{}”应为：{}", column.label, kind_text(column)), INPUT_MESSAGE_LIMIT))?
        .set_error_style(DataValidationErrorStyle::Stop);
    Ok(Some(rule))
}

/// The workbook for these packs, as XLSX bytes.
///
/// # Errors
///
/// A [`TemplateError`] when the workbook cannot be written.
pub fn workbook(manifests: &[&Manifest]) -> Result<Vec<u8>, TemplateError> {
    let sheets = sheets(manifests);
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_background_color(0xDDEBF7);
    let text = Format::new().set_num_format("@");
    for sheet in &sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(chinese_name(sheet.level))?;
        worksheet.set_row_height(0, 45)?;
        worksheet.set_freeze_panes(1, 0)?;
        for (index, column) in sheet.columns.iter().enumerate() {
            let col = u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)?;
            worksheet.write_string_with_format(0, col, column.header(), &header)?;
            worksheet.set_column_width(col, 16)?;
            let note = format!("{}\n列代码：{}\n{}", column.label, column.code, column.description);
            worksheet.insert_note(0, col, &Note::new(note).add_author_prefix(false).set_width(320).set_height(120))?;
            if column.field.is_none() {
                // Ids are text: a long code typed as a number would lose digits.
                worksheet.set_column_format(col, &text)?;
            }
            if let Some(rule) = validation(column)? {
                worksheet.add_data_validation(1, col, VALIDATED_ROWS, col, &rule)?;
            }
        }
    }
    let guide = workbook.add_worksheet();
    guide.set_name("填报说明")?;
    let titles = ["工作表", "表头", "列代码", "类型", "是否必填", "可选值", "说明", "需要此列的指标包"];
    for (index, title) in titles.iter().enumerate() {
        guide.write_string_with_format(0, index as u16, *title, &header)?;
    }
    let widths = [12, 28, 28, 16, 10, 30, 60, 30];
    for (index, width) in widths.iter().enumerate() {
        guide.set_column_width(index as u16, *width)?;
    }
    let wrap = Format::new().set_text_wrap();
    let mut row = 1;
    for sheet in &sheets {
        for column in &sheet.columns {
            let required = column.field.as_ref().is_none_or(|field| !field.optional);
            let allowed = match &column.field {
                Some(field) if field.kind == FieldType::Enum => {
                    let labels = choices(field).unwrap_or_default();
                    let pairs: Vec<String> =
                        labels.iter().zip(&field.values).map(|(label, code)| format!("{label}（{code}）")).collect();
                    pairs.join("、")
                }
                Some(field) if field.kind == FieldType::Boolean => "是、否".to_owned(),
                _ => String::new(),
            };
            let cells = [
                chinese_name(sheet.level).to_owned(),
                column.header(),
                column.code.clone(),
                kind_text(column),
                if required { "必填" } else { "可空" }.to_owned(),
                allowed,
                column.description.clone(),
                column.packs.join("、"),
            ];
            for (index, cell) in cells.iter().enumerate() {
                guide.write_string_with_format(row, index as u16, cell, &wrap)?;
            }
            row += 1;
        }
    }
    guide.write_string(
        row + 1,
        0,
        "每张工作表第 1 行是表头，请勿修改；从第 2 行起每行填写一条记录。表头括号中的代码是程序识别的列名。",
    )?;
    guide.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
