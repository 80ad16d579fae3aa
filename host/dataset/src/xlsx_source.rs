//! Reading a dataset from one XLSX workbook: one sheet per table, named like the CSV files
//! (`cities`, `counties`, `zones`, `schools`) or in Chinese (市, 县, 督学责任区, 学校), with the
//! same columns. Rows are numbered as Excel shows them: the header is row 1.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use rules_sdk::wire::Level;

use super::{Cell, DataError, DataErrors, DatasetError, TABLES, Table};
use crate::csv_source::chinese_name;
use crate::messages::Args;
use crate::sheet::Grid;

/// The spreadsheet letters of a 0-based column (`A`, `Z`, `AA`).
pub fn column_letters(mut column: usize) -> String {
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

/// The cell as the dataset holds it. A date shows as the date Excel shows (`2026-08-31`).
fn cell_of(cell: &Data) -> Cell {
    match cell {
        Data::Empty => Cell::Empty,
        Data::Int(value) => Cell::Number(*value as f64),
        Data::Float(value) => Cell::Number(*value),
        Data::Bool(value) => Cell::Bool(*value),
        Data::String(text) => match text.trim() {
            "" => Cell::Empty,
            text => Cell::Text(text.into()),
        },
        Data::DateTime(value) => Cell::Date(match value.as_datetime() {
            Some(date) if date.time() == chrono::NaiveTime::MIN => date.date().to_string(),
            Some(date) => date.to_string(),
            None => value.to_string(),
        }),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Date(text.clone()),
        Data::Error(error) => Cell::SheetError(error.to_string()),
    }
}

/// The names of a workbook's sheets (for messages), quoted as sheets.
pub(super) fn sheet_names(bytes: &[u8]) -> Vec<String> {
    std::panic::catch_unwind(|| {
        Xlsx::new(Cursor::new(bytes))
            .map(|workbook: Xlsx<_>| workbook.sheet_names().iter().map(|name| format!("sheet `{name}`")).collect())
            .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// Reads every table sheet present in the workbook. Problems of every sheet are collected
/// before giving up.
pub(super) fn load(path: &Path, bytes: &[u8]) -> Result<BTreeMap<Level, Table>, DatasetError> {
    // The XLSX reader can panic on malformed workbooks (an arithmetic overflow was found by
    // fuzzing); a bad file must be a named problem, never a crash of the host.
    std::panic::catch_unwind(|| load_workbook(path, bytes)).unwrap_or_else(|_| {
        Err(DatasetError::Problems(DataErrors(vec![DataError::new(
            "not_xlsx",
            Args::none().with("detail", "the workbook is malformed and cannot be read"),
            path.display().to_string(),
        )])))
    })
}

fn load_workbook(path: &Path, bytes: &[u8]) -> Result<BTreeMap<Level, Table>, DatasetError> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned());
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|error| {
        DatasetError::Problems(DataErrors(vec![DataError::new(
            "not_xlsx",
            Args::none().with("detail", error),
            path.display().to_string(),
        )]))
    })?;
    let sheets = workbook.sheet_names();
    let mut tables = BTreeMap::new();
    let mut problems = Vec::new();
    for spec in &TABLES {
        let Some(sheet) =
            sheets.iter().find(|name| name.trim() == spec.name || name.trim() == chinese_name(spec.level)).cloned()
        else {
            continue;
        };
        let source = format!("{file} ({sheet})");
        let range = match workbook.worksheet_range(&sheet) {
            Ok(range) => range,
            Err(error) => {
                problems.push(DataError::new("unreadable_sheet", Args::none().with("detail", error), source));
                continue;
            }
        };
        let Some((first_row, first_column)) = range.start() else {
            let mut error = DataError::new("no_header", Args::none(), source);
            error.row = Some(1);
            problems.push(error);
            continue;
        };
        if first_column > 0 && first_row == 0 {
            let mut error = DataError::new("header_not_in_a", Args::none(), source);
            error.row = Some(1);
            problems.push(error);
            continue;
        }
        // Rows above and columns left of the used range are empty.
        let (first_row, first_column) = (first_row as usize, first_column as usize);
        let mut grid =
            Grid { level: spec.level, source, header: Vec::new(), rows: Vec::new(), ragged_rows_matter: false };
        let lead = vec![Cell::Empty; first_column];
        for (offset, cells) in range.rows().enumerate() {
            let number = first_row + offset + 1;
            let cells: Vec<Cell> = lead.iter().cloned().chain(cells.iter().map(cell_of)).collect();
            if number == 1 {
                grid.header = cells;
            } else {
                grid.rows.push((number, cells));
            }
        }
        match grid.into_table() {
            Ok(table) => {
                tables.insert(spec.level, table);
            }
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        return Err(DatasetError::Problems(DataErrors(problems)));
    }
    Ok(tables)
}
