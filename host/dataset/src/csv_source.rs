//! Reading a dataset folder of CSV files.

use std::collections::BTreeMap;
use std::path::Path;

use rules_sdk::wire::Level;

use super::{Cell, DatasetError, FolderDigest, Row, TABLES, Table};

/// Reads every table file present in the folder; returns the tables and the folder digest.
pub(super) fn load(folder: &Path) -> Result<(BTreeMap<Level, Table>, String), DatasetError> {
    let mut tables = BTreeMap::new();
    let mut digest = FolderDigest::new();
    for spec in &TABLES {
        let file = format!("{}.csv", spec.name);
        let path = folder.join(&file);
        if !path.exists() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| DatasetError::Io { path: path.clone(), source })?;
        digest.add(&file, &bytes);
        tables.insert(spec.level, parse(spec.level, &path.display().to_string(), &bytes)?);
    }
    Ok((tables, digest.finish()))
}

/// Parses one CSV table. Cells are trimmed; an empty cell is [`Cell::Empty`].
pub(super) fn parse(level: Level, source: &str, bytes: &[u8]) -> Result<Table, DatasetError> {
    let syntax = |row: Option<usize>, message: String| DatasetError::Syntax {
        source_name: source.to_owned(),
        location: row.map(|row| (row, None)),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        let line = bytes.iter().take(utf8_error_offset(bytes)).filter(|&&b| b == b'\n').count() + 1;
        return Err(syntax(Some(line), "the file is not UTF-8 text; save it as \"CSV UTF-8\"".to_owned()));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
    let headers = reader.headers().map_err(|error| syntax(Some(1), error.to_string()))?.clone();
    let columns: Vec<String> = headers.iter().map(|name| name.trim().to_owned()).collect();
    for (index, name) in columns.iter().enumerate() {
        if name.is_empty() {
            return Err(syntax(Some(1), format!("column {} has no name in the header", index + 1)));
        }
        if columns[..index].contains(name) {
            return Err(syntax(Some(1), format!("column `{name}` appears twice in the header")));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let row = error.position().map(|position| position.line() as usize);
            let message = match error.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                    format!("the row has {len} cells but the header has {expected_len} columns")
                }
                _ => error.to_string(),
            };
            syntax(row, message)
        })?;
        let number = record.position().map_or(rows.len() + 2, |position| position.line() as usize);
        let cells = record
            .iter()
            .map(|cell| match cell.trim() {
                "" => Cell::Empty,
                text => Cell::Text(text.to_owned()),
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Ok(Table { level, source: source.to_owned(), row_label: "row", columns, rows })
}

fn utf8_error_offset(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(error) => error.valid_up_to(),
    }
}
