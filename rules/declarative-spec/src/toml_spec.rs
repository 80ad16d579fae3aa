//! Reading `pack.toml` into the authoring model, keeping line and column of every value.
//!
//! Unknown keys are errors (a misspelt key is never silently ignored), and every syntax or
//! shape error names the line and column where it is.

use std::collections::BTreeMap;

use rules_sdk::wire::{GradeBand, Rollup, Scoring};
use serde::Deserialize;
use toml::Spanned;

use crate::check::Problem;
use crate::spec::{
    At, BoundRef, CheckDecl, DerivedDecl, DimensionDecl, IndicatorDecl, InputDecl, Loc, PackDecl, ParameterDecl,
    SourceRef, Spec, ThresholdDecl, VetoDecl,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    pack: Spanned<RawPack>,
    #[serde(default)]
    sources: BTreeMap<String, Spanned<RawSource>>,
    #[serde(default)]
    input: Vec<RawInput>,
    #[serde(default)]
    parameter: Vec<RawParameter>,
    #[serde(default)]
    derived: Vec<RawDerived>,
    #[serde(default)]
    check: Vec<RawCheck>,
    #[serde(default)]
    dimension: Vec<RawDimension>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
    #[serde(default)]
    grade: Vec<GradeBand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    id: Spanned<String>,
    version: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    county: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: String,
    item: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSourceRef {
    Named(String),
    Inline { document: String, item: String },
}

impl From<RawSourceRef> for SourceRef {
    fn from(raw: RawSourceRef) -> SourceRef {
        match raw {
            RawSourceRef::Named(name) => SourceRef::Named(name),
            RawSourceRef::Inline { document, item } => SourceRef::Inline { document, item },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    level: Spanned<String>,
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    default: Spanned<toml::Value>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: Option<Spanned<RawSourceRef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDerived {
    level: Spanned<String>,
    name: Spanned<String>,
    value: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    level: Spanned<String>,
    rule: Spanned<String>,
    message: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    parent: Option<Spanned<String>>,
    #[serde(default)]
    weight: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    dimension: Option<Spanned<String>>,
    level: Spanned<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    formula: Option<String>,
    #[serde(default)]
    reported: Option<Spanned<String>>,
    #[serde(default)]
    applies: Option<Spanned<String>>,
    value: Spanned<String>,
    #[serde(default)]
    note: Option<Spanned<String>>,
    #[serde(default)]
    missing_note: String,
    #[serde(default)]
    not_applicable_note: String,
    #[serde(default)]
    threshold: Option<Spanned<RawThreshold>>,
    #[serde(default)]
    scoring: Option<Spanned<Scoring>>,
    #[serde(default)]
    veto: Option<Spanned<RawVeto>>,
    #[serde(default)]
    rollup: Vec<Rollup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    op: Spanned<String>,
    value: Option<Spanned<RawBound>>,
    source: Option<Spanned<RawSourceRef>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawBound {
    Number(f64),
    Parameter(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVeto {
    cap: String,
    reason: String,
    source: RawSourceRef,
}

/// Byte offsets to line and column.
#[derive(Debug)]
pub struct Lines {
    starts: Vec<usize>,
    text: String,
}

impl Lines {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts, text: text.to_owned() }
    }

    /// Line and column (1-based, column in characters) of a byte offset.
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset).map_or(offset - start, |prefix| prefix.chars().count()) + 1;
        Loc::Text { line, column }
    }

    /// The position of a spanned value (of its first character).
    pub fn at<T>(&self, spanned: Spanned<T>) -> At<T> {
        let at = self.loc(spanned.span().start);
        At::new(spanned.into_inner(), at)
    }

    /// The position of the text inside a spanned string (after its opening quotes), so that
    /// a column inside an expression can be added to it.
    pub fn string_at(&self, spanned: Spanned<String>) -> At<String> {
        let span = spanned.span();
        let raw = self.text.get(span.clone()).unwrap_or("");
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            // A multi-line string: the text starts after the quotes (and the newline right after them).
            if raw[3..].starts_with('\n') {
                4
            } else if raw[3..].starts_with("\r\n") {
                5
            } else {
                3
            }
        } else if raw.starts_with('"') || raw.starts_with('\'') {
            1
        } else {
            0
        };
        let at = self.loc(span.start + quote);
        At::new(spanned.into_inner(), at)
    }
}

/// Reads a `pack.toml`.
///
/// # Errors
///
/// The TOML syntax or shape error, with its line and column.
pub fn read(file: &str, text: &str) -> Result<Spec, Problem> {
    let lines = Lines::new(text);
    let raw: RawSpec = toml::from_str(text).map_err(|error| Problem {
        at: error.span().map(|span| lines.loc(span.start)).unwrap_or_default(),
        message: translate(error.message()),
    })?;
    let source_ref = |raw: Spanned<RawSourceRef>| {
        let at = lines.at(raw);
        At::new(SourceRef::from(at.value), at.at)
    };
    let pack_at = lines.loc(raw.pack.span().start);
    let pack = raw.pack.into_inner();
    Ok(Spec {
        file: file.to_owned(),
        pack: PackDecl {
            id: lines.at(pack.id),
            version: lines.at(pack.version),
            title: lines.at(pack.title),
            description: pack.description,
            county: pack.county.map(|county| lines.at(county)),
            at: pack_at,
        },
        sources: raw
            .sources
            .into_iter()
            .map(|(name, source)| {
                let at = lines.loc(source.span().start);
                let source = source.into_inner();
                (At::new(name, at.clone()), At::new((source.document, source.item), at))
            })
            .collect(),
        inputs: raw
            .input
            .into_iter()
            .map(|input| InputDecl {
                level: lines.at(input.level),
                name: lines.at(input.name),
                kind: lines.at(input.kind),
                values: input.values,
                min: input.min,
                optional: input.optional,
                description: input.description,
            })
            .collect(),
        parameters: raw
            .parameter
            .into_iter()
            .map(|parameter| {
                let default = lines.at(parameter.default);
                ParameterDecl {
                    name: lines.at(parameter.name),
                    kind: lines.at(parameter.kind),
                    default: At::new(toml_to_json(default.value), default.at),
                    description: parameter.description,
                    source: parameter.source.map(source_ref),
                }
            })
            .collect(),
        derived: raw
            .derived
            .into_iter()
            .map(|derived| DerivedDecl {
                level: lines.at(derived.level),
                name: lines.at(derived.name),
                expr: lines.string_at(derived.value),
            })
            .collect(),
        checks: raw
            .check
            .into_iter()
            .map(|check| CheckDecl {
                level: lines.at(check.level),
                rule: lines.string_at(check.rule),
                message: lines.at(check.message),
            })
            .collect(),
        dimensions: raw
            .dimension
            .into_iter()
            .map(|dimension| DimensionDecl {
                id: lines.at(dimension.id),
                name: lines.at(dimension.name),
                parent: dimension.parent.map(|parent| lines.at(parent)),
                weight: dimension.weight.map(|weight| lines.at(weight)),
            })
            .collect(),
        indicators: raw
            .indicator
            .into_iter()
            .map(|indicator| {
                let at = lines.loc(indicator.span().start);
                let indicator = indicator.into_inner();
                IndicatorDecl {
                    id: lines.at(indicator.id),
                    name: lines.at(indicator.name),
                    dimension: indicator.dimension.map(|dimension| lines.at(dimension)),
                    level: lines.at(indicator.level),
                    unit: indicator.unit,
                    weight: indicator.weight.map(|weight| lines.at(weight)),
                    formula: indicator.formula,
                    reported: indicator.reported.map(|expr| lines.string_at(expr)),
                    applies: indicator.applies.map(|expr| lines.string_at(expr)),
                    value: lines.string_at(indicator.value),
                    note: indicator.note.map(|expr| lines.string_at(expr)),
                    missing_note: indicator.missing_note,
                    not_applicable_note: indicator.not_applicable_note,
                    threshold: indicator.threshold.map(|threshold| {
                        let at = lines.loc(threshold.span().start);
                        let threshold = threshold.into_inner();
                        ThresholdDecl {
                            op: lines.at(threshold.op),
                            value: threshold.value.map(|value| {
                                let value = lines.at(value);
                                At::new(
                                    match value.value {
                                        RawBound::Number(number) => BoundRef::Number(number),
                                        RawBound::Parameter(name) => BoundRef::Parameter(name),
                                    },
                                    value.at,
                                )
                            }),
                            source: threshold.source.map(source_ref),
                            at,
                        }
                    }),
                    scoring: indicator.scoring.map(|scoring| lines.at(scoring)),
                    veto: indicator.veto.map(|veto| {
                        let veto = lines.at(veto);
                        At::new(
                            VetoDecl {
                                cap: veto.value.cap,
                                reason: veto.value.reason,
                                source: veto.value.source.into(),
                            },
                            veto.at,
                        )
                    }),
                    rollup: indicator.rollup,
                    at,
                }
            })
            .collect(),
        grades: raw.grade,
    })
}

/// TOML's messages with a Chinese lead where the cause is common.
fn translate(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("未知的键 {rest}（拼写错误？）");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("缺少必填的键 {rest}");
    }
    if message.starts_with("data did not match any variant of untagged enum RawSourceRef") {
        return "来源（source）应为 [sources] 中的名称，或 { document = \"文件名称及文号\", item = \"条款\" }"
            .to_owned();
    }
    if message.starts_with("data did not match any variant of untagged enum RawBound") {
        return "阈值（value）应为数字，或参数名".to_owned();
    }
    format!("TOML 格式错误：{message}")
}

fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(text) => serde_json::Value::String(text),
        toml::Value::Integer(number) => serde_json::Value::from(number),
        toml::Value::Float(number) => serde_json::Value::from(number),
        toml::Value::Boolean(flag) => serde_json::Value::Bool(flag),
        toml::Value::Datetime(datetime) => serde_json::Value::String(datetime.to_string()),
        toml::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => {
            serde_json::Value::Object(table.into_iter().map(|(key, value)| (key, toml_to_json(value))).collect())
        }
    }
}
