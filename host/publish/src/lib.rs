//! Every rendering of a dudao evaluation, and nothing that evaluates.
//!
//! - [`results`]: what `dudao run` writes — the terminal summary, the city's flat results
//!   table (CSV), the JSON audit record and the score listing;
//! - [`report`]: what `dudao report` writes for a round — one view model ([`report::Report`])
//!   rendered as self-contained HTML, Markdown and XLSX, the rectification list (整改清单),
//!   the follow-up of the previous round (回头看, 督办单) and `results.json`;
//! - [`impact`]: the rendering of `dudao diff` (table, JSON, CSV);
//! - [`explain`]: why one subject got its result (`dudao explain`), as a tree;
//! - [`text`]: number and value formatting shared by all of them, and atomic file writes.
//!
//! Evaluation, scoring and plans are `dudao-engine`'s; this crate only reads their results.

pub mod explain;
pub mod impact;
pub mod report;
pub mod results;
pub mod text;
