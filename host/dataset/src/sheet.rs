//! What CSV files and XLSX sheets share: a header row and rows of cells, numbered as Excel
//! numbers them (the header is row 1). Both formats treat the layouts people make in Excel the
//! same way: a title row above the header is refused with what to do, blank rows are skipped,
//! and a trailing column with no name and no values is ignored.

use rules_sdk::wire::Level;

use crate::messages::Args;
use crate::{Cell, DataError, Row, Table, column_letters};

/// How many rows below the first are searched for a header when the first row has no `id`.
const HEADER_SEARCH_ROWS: usize = 10;

/// The column name a header cell gives: the cell trimmed, or the code in a trailing
/// parenthesis, so that `学段（stage）` and `学段(stage)` (the template's headers) name `stage`.
pub fn column_name(header: &str) -> String {
    let header = header.trim();
    if let Some(inner) = header.strip_suffix('）').or_else(|| header.strip_suffix(')'))
        && let Some(open) = inner.rfind(['（', '('])
    {
        let code = inner[open..].trim_start_matches(['（', '(']).trim();
        if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return code.to_owned();
        }
    }
    header.to_owned()
}

/// A table read from a grid of cells, with its problems.
pub(crate) struct Grid {
    pub level: Level,
    /// As shown in messages.
    pub source: String,
    /// Row 1.
    pub header: Vec<Cell>,
    /// The other rows, with their Excel row numbers.
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// Whether a row with a different number of cells than the header is a problem of that row
    /// (CSV); a sheet is rectangular, so there cells beyond the header are an unnamed column.
    pub ragged_rows_matter: bool,
}

fn is_blank(cells: &[Cell]) -> bool {
    cells.iter().all(|cell| *cell == Cell::Empty)
}

impl Grid {
    /// The table, or the problems that make it unreadable (every one found).
    pub(crate) fn into_table(self) -> Result<Table, Vec<DataError>> {
        let source = self.source.clone();
        let file_error = |code: &'static str, args: Args, row: Option<usize>, column: Option<usize>| {
            let mut error = DataError::new(code, args, source.clone());
            error.row = row;
            if let (Some(row), Some(column)) = (row, column) {
                error.cell = Some(format!("{}{row}", column_letters(column)));
            }
            error
        };
        let names: Vec<String> = self.header.iter().map(|cell| column_name(&cell.to_string())).collect();
        if is_blank(&self.header) && self.rows.iter().all(|(_, cells)| is_blank(cells)) {
            return Err(vec![file_error("no_header", Args::none(), Some(1), None)]);
        }
        if !names.iter().any(|name| name == "id") {
            let below = self.rows.iter().take(HEADER_SEARCH_ROWS).find(|(_, cells)| {
                cells.iter().any(|cell| matches!(cell, Cell::Text(text) if column_name(text) == "id"))
            });
            if let Some((number, _)) = below {
                return Err(vec![file_error("title_row", Args::none().with("header", number), Some(1), None)]);
            }
        }
        let width = names.len().max(self.rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0));
        let has_values =
            |index: usize| self.rows.iter().any(|(_, cells)| cells.get(index).is_some_and(|cell| *cell != Cell::Empty));
        let mut problems = Vec::new();
        let mut columns: Vec<String> = Vec::new();
        // Columns up to the last named one, or the last one holding values in a sheet.
        let mut kept = 0;
        for index in 0..width {
            let name = names.get(index).map_or("", String::as_str);
            if name.is_empty() {
                let named_later = names[index.min(names.len())..].iter().any(|name| !name.is_empty());
                if named_later || (index < names.len() || !self.ragged_rows_matter) && has_values(index) {
                    problems.push(file_error(
                        "unnamed_column",
                        Args::none().with("letters", column_letters(index)),
                        Some(1),
                        Some(index),
                    ));
                }
                continue;
            }
            if columns.contains(&name.to_owned()) {
                problems.push(file_error("duplicate_column", Args::none().with("name", name), Some(1), Some(index)));
                continue;
            }
            columns.push(name.to_owned());
            kept = index + 1;
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut table_problems = Vec::new();
        let mut rows = Vec::with_capacity(self.rows.len());
        for (number, mut cells) in self.rows {
            if is_blank(&cells) {
                continue;
            }
            let extra_values = cells.iter().skip(kept).any(|cell| *cell != Cell::Empty);
            if self.ragged_rows_matter && (cells.len() < names.len() || extra_values) {
                let len = if extra_values {
                    cells.iter().rposition(|cell| *cell != Cell::Empty).map_or(0, |last| last + 1)
                } else {
                    cells.len()
                };
                let mut error = file_error(
                    "ragged_row",
                    Args::none().with("len", len).with("expected", names.len()),
                    Some(number),
                    None,
                );
                let at = |name: &str| columns.iter().position(|column| column == name).and_then(|i| cells.get(i));
                error.subject = match (at("id"), at("name")) {
                    (Some(Cell::Text(id)), Some(Cell::Text(name))) => Some(format!("{id} {name}")),
                    _ => None,
                };
                table_problems.push(error);
            }
            cells.truncate(kept);
            cells.resize(kept, Cell::Empty);
            rows.push(Row { number, cells });
        }
        Ok(Table { level: self.level, source: self.source, row_label: "row", columns, rows, problems: table_problems })
    }
}
