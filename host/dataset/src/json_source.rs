//! Reading a dataset held in one JSON file.

use std::collections::BTreeMap;
use std::path::Path;

use rules_sdk::wire::Level;
use serde_json::Value;

use super::{Cell, DataError, DataErrors, DatasetError, Row, TABLES, Table, TableSpec};
use crate::messages::Args;

/// The largest integer every id digit of which a double holds exactly (2^53).
const EXACT_INTEGER_LIMIT: u64 = 1 << 53;

/// Whether a JSON number reads back as exactly the digits written: integers up to 2^53 in
/// magnitude (beyond that, a double rounds them, and so did every tool that wrote the file).
fn exact(number: &serde_json::Number) -> bool {
    match (number.as_u64(), number.as_i64()) {
        (Some(value), _) => value <= EXACT_INTEGER_LIMIT,
        (None, Some(value)) => value.unsigned_abs() <= EXACT_INTEGER_LIMIT,
        (None, None) => number.as_f64().is_some_and(|value| value.abs() < EXACT_INTEGER_LIMIT as f64),
    }
}

/// Reads the tables of a JSON dataset: an object with one array of records per table name.
/// A leading UTF-8 byte order mark is accepted, as in CSV files.
pub(super) fn load(path: &Path, bytes: &[u8]) -> Result<BTreeMap<Level, Table>, DatasetError> {
    let file = path.display().to_string();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let fail = |error: DataError| DatasetError::Problems(DataErrors(vec![error]));
    let root: Value = serde_json::from_slice(bytes).map_err(|error| {
        let mut problem = DataError::new("not_json", Args::none().with("detail", &error), file.clone());
        problem.row = Some(error.line());
        problem.column = Some(error.column().to_string());
        fail(problem)
    })?;
    let Value::Object(root) = root else {
        return Err(fail(DataError::new("json_not_object", Args::none(), file)));
    };
    let mut tables = BTreeMap::new();
    let mut problems = Vec::new();
    for spec in &TABLES {
        let Some(value) = root.get(spec.name) else { continue };
        let source = format!("{file} ({})", spec.name);
        let at = |code: &'static str, args: Args, record: Option<usize>, column: Option<&str>| {
            let mut error = DataError::new(code, args, source.clone());
            error.row = record;
            error.row_label = "record";
            error.column = column.map(str::to_owned);
            error
        };
        let Value::Array(records) = value else {
            problems.push(at("json_not_array", Args::none().with("table", spec.name), None, None));
            continue;
        };
        let mut columns: Vec<String> = Vec::new();
        let mut readable = true;
        for (index, record) in records.iter().enumerate() {
            let Value::Object(record) = record else {
                problems.push(at("json_record_not_object", Args::none(), Some(index + 1), None));
                readable = false;
                continue;
            };
            for key in record.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
        if !readable {
            continue;
        }
        let ids: Vec<&str> =
            std::iter::once("id").chain(TableSpec::of(spec.level).links.iter().map(|link| link.column)).collect();
        let mut table_problems = Vec::new();
        let mut rows = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let number = index + 1;
            let Some(record) = record.as_object() else { continue };
            let mut cells = Vec::with_capacity(columns.len());
            for column in &columns {
                cells.push(match record.get(column) {
                    None | Some(Value::Null) => Cell::Empty,
                    Some(Value::String(text)) if text.trim().is_empty() => Cell::Empty,
                    Some(Value::String(text)) => Cell::Text(text.trim().into()),
                    Some(Value::Number(value)) => {
                        if ids.contains(&column.as_str()) && !exact(value) {
                            let mut error = at("inexact_id", Args::none(), Some(number), Some(column));
                            error.value = Some(value.to_string());
                            table_problems.push(error);
                            Cell::Text(value.to_string().into())
                        } else {
                            Cell::Number(value.as_f64().unwrap_or(f64::NAN))
                        }
                    }
                    Some(Value::Bool(value)) => Cell::Bool(*value),
                    Some(_) => {
                        table_problems.push(at("nested_value", Args::none(), Some(number), Some(column)));
                        Cell::Empty
                    }
                });
            }
            rows.push(Row { number, cells });
        }
        tables.insert(
            spec.level,
            Table { level: spec.level, source, row_label: "record", columns, rows, problems: table_problems },
        );
    }
    if !problems.is_empty() {
        return Err(DatasetError::Problems(DataErrors(problems)));
    }
    Ok(tables)
}
