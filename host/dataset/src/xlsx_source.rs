//! Reading a dataset from one XLSX workbook: one sheet per table, named like the CSV files
//! (`cities`, `counties`, `zones`, `schools`) or in Chinese (市, 县, 督学责任区, 学校), with the
//! same columns. Rows are numbered as Excel shows them: the header is row 1.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use rules_sdk::wire::Level;

use super::{Cell, DatasetError, Row, TABLES, Table};

/// The Chinese sheet name of a level.
fn chinese_name(level: Level) -> &'static str {
    match level {
        Level::City => "市",
        Level::County => "县",
        Level::Zone => "督学责任区",
        Level::School => "学校",
    }
}

/// The spreadsheet letters of a 0-based column (`A`, `Z`, `AA`).
pub(super) fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Reads every table sheet present in the workbook.
pub(super) fn load(path: &Path, bytes: &[u8]) -> Result<BTreeMap<Level, Table>, DatasetError> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned());
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|error| DatasetError::Syntax {
        source_name: path.display().to_string(),
        location: None,
        message: format!("not a readable XLSX workbook: {error}"),
    })?;
    let sheets = workbook.sheet_names();
    let mut tables = BTreeMap::new();
    for spec in &TABLES {
        let Some(sheet) =
            sheets.iter().find(|name| name.trim() == spec.name || name.trim() == chinese_name(spec.level)).cloned()
        else {
            continue;
        };
        let source = format!("{file} ({sheet})");
        let syntax = |row: Option<usize>, message: String| DatasetError::Syntax {
            source_name: source.clone(),
            location: row.map(|row| (row, None)),
            message,
        };
        let range = workbook.worksheet_range(&sheet).map_err(|error| syntax(None, error.to_string()))?;
        let Some((first_row, first_column)) = range.start() else {
            return Err(syntax(Some(1), "the sheet is empty; row 1 must hold the column names".to_owned()));
        };
        let first_row = first_row as usize;
        let first_column = first_column as usize;
        if first_row > 0 {
            return Err(syntax(Some(1), "row 1 must hold the column names, but it is empty".to_owned()));
        }
        let mut rows_iter = range.rows();
        let header = rows_iter.next().unwrap_or_default();
        let mut columns = Vec::new();
        for (index, cell) in header.iter().enumerate() {
            let name = match cell {
                Data::Empty => String::new(),
                other => other.to_string().trim().to_owned(),
            };
            let letters = column_letters(first_column + index);
            if name.is_empty() {
                if header[index..].iter().all(|cell| matches!(cell, Data::Empty)) {
                    break;
                }
                return Err(syntax(Some(1), format!("column {letters} has no name in the header")));
            }
            if columns.contains(&name) {
                return Err(syntax(Some(1), format!("column `{name}` (column {letters}) appears twice in the header")));
            }
            columns.push(name);
        }
        // Columns left of the first used one are empty: the header must start in column A.
        if first_column > 0 {
            return Err(syntax(Some(1), "the column names must start in column A".to_owned()));
        }
        let mut rows = Vec::new();
        for (offset, cells) in rows_iter.enumerate() {
            let number = first_row + offset + 2;
            if cells.iter().all(|cell| matches!(cell, Data::Empty)) {
                continue;
            }
            let mut row_cells = Vec::with_capacity(columns.len());
            for (index, cell) in cells.iter().enumerate() {
                if index >= columns.len() {
                    if !matches!(cell, Data::Empty) {
                        return Err(DatasetError::Syntax {
                            source_name: source.clone(),
                            location: Some((number, Some(index + 1))),
                            message: format!(
                                "column {} holds `{cell}` but has no name in the header",
                                column_letters(index)
                            ),
                        });
                    }
                    continue;
                }
                row_cells.push(match cell {
                    Data::Empty => Cell::Empty,
                    Data::Int(value) => Cell::Number(*value as f64),
                    Data::Float(value) => Cell::Number(*value),
                    Data::Bool(value) => Cell::Bool(*value),
                    Data::String(text) => match text.trim() {
                        "" => Cell::Empty,
                        text => Cell::Text(text.to_owned()),
                    },
                    Data::DateTime(value) => Cell::Number(value.as_f64()),
                    Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
                    Data::Error(error) => {
                        return Err(DatasetError::Syntax {
                            source_name: source.clone(),
                            location: Some((number, Some(index + 1))),
                            message: format!(
                                "column `{}` (column {}{number}) holds the spreadsheet error `{error}`",
                                columns[index],
                                column_letters(index)
                            ),
                        });
                    }
                });
            }
            row_cells.resize(columns.len(), Cell::Empty);
            rows.push(Row { number, cells: row_cells });
        }
        tables.insert(spec.level, Table { level: spec.level, source, row_label: "row", columns, rows });
    }
    Ok(tables)
}
