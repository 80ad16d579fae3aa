//! Writing an evaluation: the flat results table (CSV), the audit record (JSON) and a
//! readable summary for a terminal.
//!
//! Every format is a pure function of the evaluation, so the same inputs give the same bytes
//! on any thread count. Numbers are written in the shortest form that reads back to the same
//! double.

mod csv_table;
mod json_record;
mod summary;

pub use csv_table::{csv, csv_header, scores_csv, write_csv, write_outcome_rows, write_rollup_rows};
pub use json_record::{json, json_with_section};
pub use summary::table;

pub use dudao_engine::rows::{ResultRow, RowKind, aggregation_words, rows, rows_iter, subject_name};
