//! Reading a dataset folder of CSV files.
//!
//! Rows are counted as records and numbered as Excel numbers them (the header is row 1),
//! whatever the line endings (CRLF, as Excel writes on Windows; LF; CR) and however many
//! line breaks quoted cells hold.

use std::collections::BTreeMap;
use std::path::Path;

use rules_sdk::wire::Level;

use super::{Cell, DataError, DataErrors, DatasetError, FolderDigest, TABLES, Table};
use crate::messages::Args;
use crate::sheet::Grid;

/// The Chinese name of a table, as someone may have named its file (`学校.csv`).
pub(crate) fn chinese_name(level: Level) -> &'static str {
    match level {
        Level::City => "市",
        Level::County => "县",
        Level::Zone => "督学责任区",
        Level::School => "学校",
    }
}

/// The names of the files in a folder, sorted (for messages).
pub(super) fn listing(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries.filter_map(Result::ok).map(|entry| entry.file_name().to_string_lossy().into_owned()).collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A file in the folder that was probably meant to be table `name`: `schools.csv.csv`
/// (Windows hides the extension), `Schools.CSV`, `schools.txt`, `学校.csv`.
fn near_miss(names: &[String], name: &str, level: Level) -> Option<String> {
    let expected = format!("{name}.csv");
    names
        .iter()
        .find(|found| {
            let lower = found.to_lowercase();
            let stem = lower.split('.').next().unwrap_or("");
            **found != expected && (stem == name || stem == chinese_name(level))
        })
        .cloned()
}

/// Reads every table file present in the folder; returns the tables and the folder digest.
/// Problems of every file are collected before giving up.
pub(super) fn load(folder: &Path) -> Result<(BTreeMap<Level, Table>, String), DatasetError> {
    let mut tables = BTreeMap::new();
    let mut digest = FolderDigest::new();
    let mut problems = Vec::new();
    let names = listing(folder);
    for spec in &TABLES {
        let file = format!("{}.csv", spec.name);
        let path = folder.join(&file);
        let source = path.display().to_string();
        if !path.exists() {
            if path.symlink_metadata().is_ok() {
                problems.push(DataError::new("dangling_link", Args::none().with("expected", &file), source));
            } else if let Some(found) = near_miss(&names, spec.name, spec.level) {
                let args = Args::none().with("expected", &file).with("found", found);
                problems.push(DataError::new("misnamed_table", args, folder.display().to_string()));
            }
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                problems.push(DataError::new("unreadable_file", Args::none().with("detail", error), source));
                continue;
            }
        };
        digest.add(&file, &bytes);
        match parse(spec.level, &source, &bytes) {
            Ok(table) => {
                tables.insert(spec.level, table);
            }
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        return Err(DatasetError::Problems(DataErrors(problems)));
    }
    Ok((tables, digest.finish()))
}

/// Parses one CSV table. Cells are trimmed; an empty cell is [`Cell::Empty`].
pub(super) fn parse(level: Level, source: &str, bytes: &[u8]) -> Result<Table, Vec<DataError>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut grid =
        Grid { level, source: source.to_owned(), header: Vec::new(), rows: Vec::new(), ragged_rows_matter: true };
    let mut record = csv::ByteRecord::new();
    let mut number = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let mut problem = DataError::new("csv_syntax", Args::none().with("detail", &error), source);
                problem.row = Some(number + 1);
                return Err(vec![problem]);
            }
        }
        // The record's index counts records, not lines: a quoted cell may hold line breaks.
        number = record.position().map_or(number + 1, |position| position.record() as usize + 1);
        let mut cells = Vec::with_capacity(record.len());
        for field in &record {
            let Ok(text) = std::str::from_utf8(field) else {
                let mut problem = DataError::new("not_utf8", Args::none(), source);
                problem.row = Some(number);
                return Err(vec![problem]);
            };
            cells.push(match text.trim() {
                "" => Cell::Empty,
                text => Cell::Text(text.into()),
            });
        }
        if number == 1 {
            grid.header = cells;
        } else {
            grid.rows.push((number, cells));
        }
    }
    grid.into_table()
}
