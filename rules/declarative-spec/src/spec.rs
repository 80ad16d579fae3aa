//! The authoring model of a declarative pack, whatever it was written in (`pack.toml` or an
//! XLSX indicator table): every value keeps where it was written, so that each problem the
//! checker finds points at its line and column (or sheet, row and column).

use std::fmt;

use rules_sdk::wire::{GradeBand, Rollup, Scoring};

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loc {
    /// Line and column (1-based) of a text file.
    Text {
        /// Line.
        line: usize,
        /// Column, in characters.
        column: usize,
    },
    /// A cell of a workbook.
    Cell {
        /// Sheet name.
        sheet: String,
        /// Row, 1-based as Excel shows it.
        row: u32,
        /// Column letter(s) as Excel shows them.
        column: String,
    },
    /// Nowhere in particular (a value the checker supplied).
    #[default]
    None,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Text { line, column } => write!(f, "{line}:{column}"),
            Loc::Cell { sheet, row, column } => write!(f, "{sheet}!{column}{row}"),
            Loc::None => Ok(()),
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub at: Loc,
}

impl<T> At<T> {
    /// A value written at `at`.
    pub fn new(value: T, at: Loc) -> At<T> {
        At { value, at }
    }
}

/// A threshold's source: a name from `[sources]`, or the document and item themselves.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceRef {
    /// A named source.
    Named(String),
    /// Written in place.
    Inline {
        /// The document.
        document: String,
        /// The item.
        item: String,
    },
}

/// A threshold's bound: a number, or the name of a parameter (whose default is the bound in
/// the manifest and whose plan value replaces it).
#[derive(Debug, Clone, PartialEq)]
pub enum BoundRef {
    /// A number.
    Number(f64),
    /// A parameter.
    Parameter(String),
}

/// A named source: its name and (document, item).
pub type NamedSource = (At<String>, At<(String, String)>);

/// A whole spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spec {
    /// The file it was read from (for messages).
    pub file: String,
    /// `[pack]`.
    pub pack: PackDecl,
    /// `[sources.NAME]`: name, (document, item).
    pub sources: Vec<NamedSource>,
    /// `[[input]]`.
    pub inputs: Vec<InputDecl>,
    /// `[[parameter]]`.
    pub parameters: Vec<ParameterDecl>,
    /// `[[derived]]`.
    pub derived: Vec<DerivedDecl>,
    /// `[[check]]`.
    pub checks: Vec<CheckDecl>,
    /// `[[dimension]]`.
    pub dimensions: Vec<DimensionDecl>,
    /// `[[indicator]]`.
    pub indicators: Vec<IndicatorDecl>,
    /// `[[grade]]`.
    pub grades: Vec<GradeBand>,
}

/// `[pack]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PackDecl {
    /// Pack id (`410825-taiji`).
    pub id: At<String>,
    /// Semantic version.
    pub version: At<String>,
    /// Chinese title.
    pub title: At<String>,
    /// Description.
    pub description: String,
    /// County code of a county-local pack.
    pub county: Option<At<String>>,
    /// Where `[pack]` is.
    pub at: Loc,
}

/// `[[input]]`: a data field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputDecl {
    /// `school` or `county`.
    pub level: At<String>,
    /// Column name.
    pub name: At<String>,
    /// `text`, `integer`, `number`, `enum`, `boolean`.
    pub kind: At<String>,
    /// For `enum`.
    pub values: Vec<String>,
    /// Smallest allowed value.
    pub min: Option<f64>,
    /// May be empty.
    pub optional: bool,
    /// Chinese description.
    pub description: String,
}

/// `[[parameter]]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParameterDecl {
    /// Name.
    pub name: At<String>,
    /// `integer`, `number`, `text`, `boolean`.
    pub kind: At<String>,
    /// Default value.
    pub default: At<serde_json::Value>,
    /// Chinese description.
    pub description: String,
    /// Where the default comes from.
    pub source: Option<At<SourceRef>>,
}

/// `[[derived]]`: a named value computed from a record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DerivedDecl {
    /// Level of the records.
    pub level: At<String>,
    /// Variable name.
    pub name: At<String>,
    /// CEL expression.
    pub expr: At<String>,
}

/// `[[check]]`: a data check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckDecl {
    /// Level of the subjects.
    pub level: At<String>,
    /// CEL condition that must hold.
    pub rule: At<String>,
    /// Chinese message.
    pub message: At<String>,
}

/// `[[dimension]]`: a node with children.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DimensionDecl {
    /// Id.
    pub id: At<String>,
    /// Chinese name.
    pub name: At<String>,
    /// Parent dimension id.
    pub parent: Option<At<String>>,
    /// Weight among siblings.
    pub weight: Option<At<f64>>,
}

/// `[[indicator]]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorDecl {
    /// Id.
    pub id: At<String>,
    /// Chinese name.
    pub name: At<String>,
    /// Parent dimension id.
    pub dimension: Option<At<String>>,
    /// `school` or `county`.
    pub level: At<String>,
    /// Unit of the value.
    pub unit: Option<String>,
    /// Weight among siblings.
    pub weight: Option<At<f64>>,
    /// The formula in words (default: the value expression).
    pub formula: Option<String>,
    /// CEL: reported?
    pub reported: Option<At<String>>,
    /// CEL: applies?
    pub applies: Option<At<String>>,
    /// CEL: the value.
    pub value: At<String>,
    /// CEL: the note.
    pub note: Option<At<String>>,
    /// Note when not reported.
    pub missing_note: String,
    /// Note when not applicable.
    pub not_applicable_note: String,
    /// The threshold.
    pub threshold: Option<ThresholdDecl>,
    /// Scoring.
    pub scoring: Option<At<Scoring>>,
    /// Veto.
    pub veto: Option<At<VetoDecl>>,
    /// Roll-ups.
    pub rollup: Vec<Rollup>,
    /// Where the indicator starts.
    pub at: Loc,
}

/// A threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThresholdDecl {
    /// `>=`, `<=`, `>`, `<`.
    pub op: At<String>,
    /// The bound.
    pub value: Option<At<BoundRef>>,
    /// Its source.
    pub source: Option<At<SourceRef>>,
    /// Where the threshold is.
    pub at: Loc,
}

/// A veto.
#[derive(Debug, Clone, PartialEq)]
pub struct VetoDecl {
    /// Grade cap.
    pub cap: String,
    /// Reason.
    pub reason: String,
    /// Source.
    pub source: SourceRef,
}
