//! The flat results table of the data dictionary.

use super::{format_value, rows};
use crate::evaluate::Evaluation;

/// Columns of the results table; the first five are the data dictionary's.
pub const COLUMNS: [&str; 8] =
    ["pack_id", "subject_id", "indicator_id", "value", "status", "level", "subject_name", "note"];

/// The results table as CSV (UTF-8, header row, `\n` line ends).
pub fn csv(evaluation: &Evaluation) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer.write_record(COLUMNS).expect("writing to memory");
    for row in rows(evaluation) {
        let value = row.value.map(format_value).unwrap_or_default();
        writer
            .write_record([
                row.pack_id,
                &row.subject_id,
                row.indicator_id,
                &value,
                row.status.as_str(),
                row.level.as_str(),
                &row.subject_name,
                &row.note,
            ])
            .expect("writing to memory");
    }
    let bytes = writer.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("every cell is UTF-8")
}
