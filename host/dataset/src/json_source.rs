//! Reading a dataset held in one JSON file.

use std::collections::BTreeMap;
use std::path::Path;

use rules_sdk::wire::Level;
use serde_json::Value;

use super::{Cell, DatasetError, Row, TABLES, Table};

/// Reads the tables of a JSON dataset: an object with one array of records per table name.
pub(super) fn load(path: &Path, bytes: &[u8]) -> Result<BTreeMap<Level, Table>, DatasetError> {
    let file = path.display().to_string();
    let root: Value = serde_json::from_slice(bytes).map_err(|error| DatasetError::Syntax {
        source_name: file.clone(),
        location: Some((error.line(), Some(error.column()))),
        message: format!("not valid JSON: {error}"),
    })?;
    let Value::Object(root) = root else {
        return Err(DatasetError::Syntax {
            source_name: file,
            location: None,
            message: "the file must hold an object such as {\"counties\": [...], \"schools\": [...]}".to_owned(),
        });
    };
    let mut tables = BTreeMap::new();
    for spec in &TABLES {
        let Some(value) = root.get(spec.name) else { continue };
        let source = format!("{file} ({})", spec.name);
        let syntax = |row: Option<usize>, message: String| DatasetError::Syntax {
            source_name: source.clone(),
            location: row.map(|row| (row, None)),
            message,
        };
        let Value::Array(records) = value else {
            return Err(syntax(None, format!("`{}` must be an array of records", spec.name)));
        };
        let mut columns: Vec<String> = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let Value::Object(record) = record else {
                return Err(syntax(Some(index + 1), "a record must be an object".to_owned()));
            };
            for key in record.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
        let mut rows = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let number = index + 1;
            let record = record.as_object().expect("checked above");
            let mut cells = Vec::with_capacity(columns.len());
            for column in &columns {
                cells.push(match record.get(column) {
                    None | Some(Value::Null) => Cell::Empty,
                    Some(Value::String(text)) if text.trim().is_empty() => Cell::Empty,
                    Some(Value::String(text)) => Cell::Text(text.trim().to_owned()),
                    Some(Value::Number(number)) => Cell::Number(number.as_f64().unwrap_or(f64::NAN)),
                    Some(Value::Bool(value)) => Cell::Bool(*value),
                    Some(_) => {
                        return Err(syntax(Some(number), format!("field `{column}` holds a nested array or object; values must be text, numbers or booleans")));
                    }
                });
            }
            rows.push(Row { number, cells });
        }
        tables.insert(spec.level, Table { level: spec.level, source, row_label: "record", columns, rows });
    }
    Ok(tables)
}
