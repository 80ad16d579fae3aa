//! The dudao rules SDK: write an indicator pack in plain Rust over typed records.
//!
//! A pack is a type that implements [`Pack`]: it describes itself with a [`Manifest`] and
//! evaluates one [`Unit`] (a subject with the records it asked for) into
//! [`IndicatorResult`]s. [`export_pack!`] turns such a type into a WebAssembly module that
//! speaks ABI version 1 (see `docs/abi.md`); the author never touches memory or pointers.
//!
//! The same crate compiles natively, so a pack's unit tests call its `evaluate` directly.
//!
//! ```
//! use rules_sdk::prelude::*;
//!
//! struct Demo;
//!
//! impl Pack for Demo {
//!     fn manifest() -> Manifest {
//!         ManifestBuilder::new("demo", "0.1.0", "示例").unit(Level::School, &[]).build()
//!     }
//!     fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
//!         Ok(Vec::new())
//!     }
//! }
//!
//! rules_sdk::export_pack!(Demo);
//! ```

pub mod abi;
mod builder;
pub mod compact;
mod finding;
#[cfg(target_arch = "wasm32")]
mod heap;
pub mod log;
mod param;
mod record;
mod rule;
mod school;
pub mod wire;

pub use builder::{FieldBuilder, ManifestBuilder, NodeBuilder};
pub use finding::Finding;
pub use param::{Parameter, Params};
pub use record::UnitExt;
pub use rule::Rule;
pub use school::SchoolBasics;
pub use wire::{
    Aggregation, Comparison, FieldSpec, FieldType, GradeBand, IndicatorNode, IndicatorResult, Level, Manifest, Record,
    ScoreBand, Scoring, Source, Status, Threshold, Unit,
};

use std::fmt;

/// An indicator pack: its manifest and its evaluation of one unit.
pub trait Pack {
    /// The pack's manifest. Called once per run by the host, and must not depend on data.
    fn manifest() -> Manifest;

    /// Evaluates one unit: its subject, with the member records the manifest asked for.
    ///
    /// # Errors
    ///
    /// Return a [`PackError`] when the unit cannot be evaluated; the host reports it for this
    /// subject (status `error`) and goes on with the others.
    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError>;
}

/// Why a pack could not evaluate a unit. The message reaches the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    message: String,
}

impl PackError {
    /// An error with this message (lowercase, no trailing period, name the record and field).
    pub fn new(message: impl Into<String>) -> PackError {
        PackError { message: message.into() }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PackError {}

/// Builds an [`IndicatorResult`] with no note.
pub fn result(
    subject: impl Into<String>,
    indicator: impl Into<String>,
    value: Option<f64>,
    status: Status,
) -> IndicatorResult {
    IndicatorResult { subject: subject.into(), indicator: indicator.into(), value, status, note: None }
}

/// Everything a pack author usually needs.
pub mod prelude {
    pub use crate::wire::{
        Aggregation, Comparison, FieldType, IndicatorNode, IndicatorResult, Level, Manifest, Record, ScoreBand,
        Scoring, Source, Status, Threshold, Unit,
    };
    pub use crate::{ManifestBuilder, NodeBuilder, Pack, PackError, UnitExt, result};
}
