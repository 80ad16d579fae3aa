//! Declarative packs on the host: reading `pack.toml` or an XLSX indicator table, checking it
//! and writing the program into the embedded interpreter module (`dudao build pack.toml`).
//!
//! The result is an ordinary ABI 1 module: [`crate::pack::LoadedPack`] loads it like any other
//! (the same sandbox, limits, ABI and manifest checks, pins, layering rules). No Rust toolchain
//! is involved: the interpreter is the committed reproducible build of `rules/declarative`,
//! embedded in the binary (see `declarative_spec::slot`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use declarative_spec::check::{self, Problem, Problems};
use declarative_spec::spec::{
    At, BoundRef, DerivedDecl, DimensionDecl, IndicatorDecl, InputDecl, Loc, PackDecl, ParameterDecl, SourceRef, Spec,
    ThresholdDecl,
};
use declarative_spec::{slot, toml_spec};
use rules_sdk::wire::Scoring;

/// Why a declarative pack could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarativeError {
    /// The file cannot be read.
    #[error("无法读取指标包 `{}`：{source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec has problems (each with its position); no module was made.
    #[error("{0}")]
    Spec(Problems),
    /// The program does not fit the interpreter.
    #[error("指标包 `{}`：{message}", path.display())]
    Patch {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The module could not be written.
    #[error("无法写入 `{}`：{source}", path.display())]
    Write {
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl DeclarativeError {
    /// Each problem on a line of its own, with its position (`文件:行:列：…`) — for a page
    /// that lists an upload's problems — or the error itself as one line.
    pub fn lines(&self) -> Vec<String> {
        match self {
            DeclarativeError::Spec(problems) => problems
                .problems
                .iter()
                .map(|problem| match problem.at {
                    Loc::Text { .. } => format!("{}:{problem}", problems.file),
                    _ => problem.to_string(),
                })
                .collect(),
            other => vec![other.to_string()],
        }
    }
}

/// Whether a path names a declarative spec (`.toml`, or an `.xlsx` indicator table).
pub fn is_spec(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("toml") || ext.eq_ignore_ascii_case("xlsx"))
}

/// Reads a spec file (TOML or XLSX) into the authoring model.
///
/// # Errors
///
/// A [`DeclarativeError`] with the file's position of the problem.
pub fn read(path: &Path) -> Result<Spec, DeclarativeError> {
    let bytes = std::fs::read(path).map_err(|source| DeclarativeError::Read { path: path.to_owned(), source })?;
    read_bytes(&path.display().to_string(), &bytes)
}

/// Reads a spec from the bytes of a file named `file` (TOML, or XLSX when the name ends in
/// `.xlsx`), as [`read`] does from a path: an uploaded file has no path.
///
/// # Errors
///
/// A [`DeclarativeError::Spec`] with the file's position of the problem.
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Spec, DeclarativeError> {
    let spec_error =
        |problem: Problem| DeclarativeError::Spec(Problems { file: file.to_owned(), problems: vec![problem] });
    if Path::new(file).extension().is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx")) {
        return xlsx(file, bytes)
            .map_err(|problems| DeclarativeError::Spec(Problems { file: file.to_owned(), problems }));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| spec_error(Problem { at: Loc::None, message: "文件不是 UTF-8 文本".to_owned() }))?;
    toml_spec::read(file, text).map_err(spec_error)
}

/// Reads, checks and compiles a spec into a module (the interpreter carrying the program).
///
/// # Errors
///
/// A [`DeclarativeError`]; with any problem in the spec, no module is made.
pub fn compile(path: &Path) -> Result<Vec<u8>, DeclarativeError> {
    let bytes = std::fs::read(path).map_err(|source| DeclarativeError::Read { path: path.to_owned(), source })?;
    compile_bytes(&path.display().to_string(), &bytes)
}

/// [`compile`] for the bytes of a file named `file` (an upload).
///
/// # Errors
///
/// As [`compile`].
pub fn compile_bytes(file: &str, bytes: &[u8]) -> Result<Vec<u8>, DeclarativeError> {
    let spec = read_bytes(file, bytes)?;
    let program = check::check(&spec).map_err(DeclarativeError::Spec)?;
    let json = serde_json::to_vec(&program).expect("a program always serialises");
    slot::patch(slot::INTERPRETER, &json)
        .map_err(|error| DeclarativeError::Patch { path: PathBuf::from(file), message: error.to_string() })
}

/// Builds `spec` into `<out_dir>/<file stem>.wasm`.
///
/// # Errors
///
/// As [`compile`], or when the module cannot be written.
pub fn build(spec: &Path, out_dir: &Path) -> Result<PathBuf, DeclarativeError> {
    let module = compile(spec)?;
    let stem = spec.file_stem().map_or_else(|| "pack".to_owned(), |stem| stem.to_string_lossy().into_owned());
    std::fs::create_dir_all(out_dir).map_err(|source| DeclarativeError::Write { path: out_dir.to_owned(), source })?;
    let destination = out_dir.join(format!("{stem}.wasm"));
    crate::files::write_atomically(&destination, &module)
        .map_err(|source| DeclarativeError::Write { path: destination.clone(), source })?;
    Ok(destination)
}

// ---------------------------------------------------------------------------------------------
// The XLSX indicator table.

/// Sheet names of the indicator table.
pub const SHEET_PACK: &str = "指标包";
/// Inputs.
pub const SHEET_INPUTS: &str = "输入字段";
/// Parameters.
pub const SHEET_PARAMETERS: &str = "参数";
/// Derived values.
pub const SHEET_DERIVED: &str = "派生量";
/// Dimensions.
pub const SHEET_DIMENSIONS: &str = "维度";
/// Indicators.
pub const SHEET_INDICATORS: &str = "指标";

/// The columns of each sheet: (key, Chinese header). A header cell is written `中文 key`; the
/// reader matches the key (the last word), so the Chinese part may be reworded.
pub const COLUMNS: [(&str, &[(&str, &str)]); 6] = [
    (SHEET_PACK, &[("key", "项目"), ("value", "内容")]),
    (
        SHEET_INPUTS,
        &[
            ("level", "层级"),
            ("name", "字段名"),
            ("type", "类型"),
            ("optional", "可为空"),
            ("min", "最小值"),
            ("values", "可选值"),
            ("description", "说明"),
        ],
    ),
    (
        SHEET_PARAMETERS,
        &[
            ("name", "参数名"),
            ("type", "类型"),
            ("default", "默认值"),
            ("description", "说明"),
            ("source_document", "来源文件"),
            ("source_item", "来源条款"),
        ],
    ),
    (SHEET_DERIVED, &[("level", "层级"), ("name", "名称"), ("value", "表达式")]),
    (SHEET_DIMENSIONS, &[("id", "维度代码"), ("name", "维度名称"), ("parent", "上级维度"), ("weight", "权重")]),
    (
        SHEET_INDICATORS,
        &[
            ("id", "指标代码"),
            ("name", "指标名称"),
            ("dimension", "所属维度"),
            ("level", "层级"),
            ("unit", "单位"),
            ("reported", "已填报条件"),
            ("missing_note", "未填报说明"),
            ("applies", "适用条件"),
            ("not_applicable_note", "不适用说明"),
            ("value", "计算表达式"),
            ("operator", "比较符"),
            ("threshold", "阈值"),
            ("weight", "权重"),
            ("source_document", "来源文件"),
            ("source_item", "来源条款"),
            ("scoring", "计分"),
            ("note", "结果说明"),
            ("formula", "计算方法"),
        ],
    ),
];

struct Sheet {
    name: String,
    header: Vec<Option<String>>,
    rows: Vec<(u32, Vec<Data>)>,
}

impl Sheet {
    fn column(&self, key: &str) -> Option<usize> {
        self.header.iter().position(|header| header.as_deref() == Some(key))
    }

    fn loc(&self, row: u32, key: &str) -> Loc {
        Loc::Cell {
            sheet: self.name.clone(),
            row,
            column: self.column(key).map_or_else(|| "?".to_owned(), dudao_dataset::column_letters),
        }
    }

    fn text(&self, row: &(u32, Vec<Data>), key: &str) -> Option<At<String>> {
        let index = self.column(key)?;
        let text = match row.1.get(index)? {
            Data::Empty => return None,
            Data::String(text) => text.trim().to_owned(),
            Data::Float(number) => number.to_string(),
            Data::Int(number) => number.to_string(),
            Data::Bool(flag) => flag.to_string(),
            other => other.to_string(),
        };
        (!text.is_empty()).then(|| At::new(text, self.loc(row.0, key)))
    }

    fn required(&self, row: &(u32, Vec<Data>), key: &str, problems: &mut Vec<Problem>) -> At<String> {
        self.text(row, key).unwrap_or_else(|| {
            let at = self.loc(row.0, key);
            problems.push(Problem { at: at.clone(), message: format!("`{key}` 列不能为空") });
            At::new(String::new(), at)
        })
    }

    fn number(&self, row: &(u32, Vec<Data>), key: &str, problems: &mut Vec<Problem>) -> Option<At<f64>> {
        let text = self.text(row, key)?;
        match text.value.parse::<f64>() {
            Ok(number) => Some(At::new(number, text.at)),
            Err(_) => {
                problems
                    .push(Problem { at: text.at, message: format!("`{key}` 应为数字，实为 `{}`", text.value) });
                None
            }
        }
    }
}

/// The key of a header cell (`指标代码 id` → `id`).
fn header_key(cell: &Data) -> Option<String> {
    match cell {
        Data::String(text) => text.split_whitespace().last().map(str::to_owned),
        _ => None,
    }
}

fn sheets(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|error: calamine::XlsxError| error.to_string())?;
    let mut out = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|error| error.to_string())?;
        let start_row = range.start().map_or(0, |(row, _)| row);
        let start_column = range.start().map_or(0, |(_, column)| column) as usize;
        let mut rows = range.rows();
        let header: Vec<Option<String>> =
            std::iter::repeat_n(None, start_column).chain(rows.next().into_iter().flatten().map(header_key)).collect();
        let rows = rows
            .enumerate()
            .map(|(index, cells)| {
                let padded: Vec<Data> =
                    std::iter::repeat_n(Data::Empty, start_column).chain(cells.iter().cloned()).collect();
                (start_row + index as u32 + 2, padded)
            })
            .filter(|(_, cells)| cells.iter().any(|cell| !matches!(cell, Data::Empty)))
            .collect();
        out.push(Sheet { name, header, rows });
    }
    Ok(out)
}

fn source_ref(document: Option<At<String>>, item: Option<At<String>>, fallback: Loc) -> Option<At<SourceRef>> {
    match (document, item) {
        (None, None) => None,
        (document, item) => {
            let at = document.as_ref().or(item.as_ref()).map_or(fallback, |cell| cell.at.clone());
            Some(At::new(
                SourceRef::Inline {
                    document: document.map(|cell| cell.value).unwrap_or_default(),
                    item: item.map(|cell| cell.value).unwrap_or_default(),
                },
                at,
            ))
        }
    }
}

/// Reads the XLSX indicator table into the authoring model.
fn xlsx(file: &str, bytes: &[u8]) -> Result<Spec, Vec<Problem>> {
    let sheets = sheets(bytes).map_err(|message| {
        vec![Problem { at: Loc::None, message: format!("无法读取 XLSX 工作簿：{message}") }]
    })?;
    let mut problems = Vec::new();
    let sheet = |name: &str| sheets.iter().find(|sheet| sheet.name == name);
    for required in [SHEET_PACK, SHEET_INPUTS, SHEET_INDICATORS] {
        if sheet(required).is_none() {
            let names: Vec<&str> = sheets.iter().map(|sheet| sheet.name.as_str()).collect();
            problems.push(Problem {
                at: Loc::None,
                message: format!("缺少工作表「{required}」（工作簿中有：{}）", names.join("、")),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for sheet in &sheets {
        let Some((_, columns)) = COLUMNS.iter().find(|(name, _)| *name == sheet.name) else { continue };
        for (index, key) in sheet.header.iter().enumerate() {
            if let Some(key) = key
                && !columns.iter().any(|(known, _)| known == key)
            {
                let known: Vec<&str> = columns.iter().map(|(known, _)| *known).collect();
                problems.push(Problem {
                    at: Loc::Cell { sheet: sheet.name.clone(), row: 1, column: dudao_dataset::column_letters(index) },
                    message: format!("未知的列 `{key}`（可用：{}）", known.join("、")),
                });
            }
        }
    }
    let mut spec = Spec { file: file.to_owned(), ..Spec::default() };
    // 指标包: key/value rows.
    if let Some(pack) = sheet(SHEET_PACK) {
        let mut decl = PackDecl {
            at: Loc::Cell { sheet: pack.name.clone(), row: 1, column: "A".to_owned() },
            ..PackDecl::default()
        };
        let mut seen = Vec::new();
        for row in &pack.rows {
            let Some(key) = pack.text(row, "key") else { continue };
            let value = pack.text(row, "value").unwrap_or_else(|| At::new(String::new(), pack.loc(row.0, "value")));
            seen.push(key.value.clone());
            match key.value.as_str() {
                "id" => decl.id = value,
                "version" => decl.version = value,
                "title" => decl.title = value,
                "description" => decl.description = value.value,
                "county" => decl.county = Some(value),
                other => problems.push(Problem {
                    at: key.at,
                    message: format!("未知的项目 `{other}`（可用：id、version、title、description、county）"),
                }),
            }
        }
        for required in ["id", "version", "title"] {
            if !seen.iter().any(|key| key == required) {
                problems
                    .push(Problem {
                        at: decl.at.clone(), message: format!("「{SHEET_PACK}」缺少 `{required}` 一行")
                    });
            }
        }
        spec.pack = decl;
    }
    if let Some(inputs) = sheet(SHEET_INPUTS) {
        for row in &inputs.rows {
            let optional = inputs
                .text(row, "optional")
                .is_some_and(|cell| matches!(cell.value.to_lowercase().as_str(), "是" | "true" | "yes" | "1" | "y"));
            spec.inputs.push(InputDecl {
                level: inputs.required(row, "level", &mut problems),
                name: inputs.required(row, "name", &mut problems),
                kind: inputs.required(row, "type", &mut problems),
                values: inputs
                    .text(row, "values")
                    .map(|cell| cell.value.split(['、', ',', '，']).map(|value| value.trim().to_owned()).collect())
                    .unwrap_or_default(),
                min: inputs.number(row, "min", &mut problems).map(|cell| cell.value),
                optional,
                description: inputs.text(row, "description").map(|cell| cell.value).unwrap_or_default(),
            });
        }
    }
    if let Some(parameters) = sheet(SHEET_PARAMETERS) {
        for row in &parameters.rows {
            let kind = parameters.required(row, "type", &mut problems);
            let default = parameters.required(row, "default", &mut problems);
            let value = match kind.value.as_str() {
                "integer" => default
                    .value
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.fract() == 0.0)
                    .map(|n| serde_json::Value::from(n as i64)),
                "number" => default.value.parse::<f64>().ok().map(serde_json::Value::from),
                "boolean" => default.value.parse::<bool>().ok().map(serde_json::Value::from),
                _ => Some(serde_json::Value::from(default.value.clone())),
            }
            .unwrap_or_else(|| serde_json::Value::from(default.value.clone()));
            spec.parameters.push(ParameterDecl {
                name: parameters.required(row, "name", &mut problems),
                kind,
                default: At::new(value, default.at.clone()),
                description: parameters.text(row, "description").map(|cell| cell.value).unwrap_or_default(),
                source: source_ref(
                    parameters.text(row, "source_document"),
                    parameters.text(row, "source_item"),
                    default.at,
                ),
            });
        }
    }
    if let Some(derived) = sheet(SHEET_DERIVED) {
        for row in &derived.rows {
            spec.derived.push(DerivedDecl {
                level: derived.required(row, "level", &mut problems),
                name: derived.required(row, "name", &mut problems),
                expr: derived.required(row, "value", &mut problems),
            });
        }
    }
    if let Some(dimensions) = sheet(SHEET_DIMENSIONS) {
        for row in &dimensions.rows {
            spec.dimensions.push(DimensionDecl {
                id: dimensions.required(row, "id", &mut problems),
                name: dimensions.required(row, "name", &mut problems),
                parent: dimensions.text(row, "parent"),
                weight: dimensions.number(row, "weight", &mut problems),
            });
        }
    }
    if let Some(indicators) = sheet(SHEET_INDICATORS) {
        for row in &indicators.rows {
            let at = indicators.loc(row.0, "id");
            let op = indicators.text(row, "operator");
            let threshold = indicators.text(row, "threshold");
            let source =
                source_ref(indicators.text(row, "source_document"), indicators.text(row, "source_item"), at.clone());
            let threshold = (op.is_some() || threshold.is_some() || source.is_some()).then(|| ThresholdDecl {
                op: op.unwrap_or_else(|| At::new(String::new(), indicators.loc(row.0, "operator"))),
                value: threshold.map(|cell| {
                    let bound = match cell.value.parse::<f64>() {
                        Ok(number) => BoundRef::Number(number),
                        Err(_) => BoundRef::Parameter(cell.value.clone()),
                    };
                    At::new(bound, cell.at)
                }),
                source,
                at: indicators.loc(row.0, "operator"),
            });
            let scoring = indicators.text(row, "scoring").and_then(|cell| match scoring(&cell.value) {
                Ok(scoring) => Some(At::new(scoring, cell.at)),
                Err(message) => {
                    problems.push(Problem { at: cell.at, message });
                    None
                }
            });
            spec.indicators.push(IndicatorDecl {
                id: indicators.required(row, "id", &mut problems),
                name: indicators.required(row, "name", &mut problems),
                dimension: indicators.text(row, "dimension"),
                level: indicators.required(row, "level", &mut problems),
                unit: indicators.text(row, "unit").map(|cell| cell.value),
                weight: indicators.number(row, "weight", &mut problems),
                formula: indicators.text(row, "formula").map(|cell| cell.value),
                reported: indicators.text(row, "reported"),
                applies: indicators.text(row, "applies"),
                value: indicators.required(row, "value", &mut problems),
                note: indicators.text(row, "note"),
                missing_note: indicators.text(row, "missing_note").map(|cell| cell.value).unwrap_or_default(),
                not_applicable_note: indicators
                    .text(row, "not_applicable_note")
                    .map(|cell| cell.value)
                    .unwrap_or_default(),
                threshold,
                scoring,
                veto: None,
                rollup: Vec::new(),
                at,
            });
        }
    }
    if problems.is_empty() { Ok(spec) } else { Err(problems) }
}

/// A scoring cell: `pass_fail` (or 达标计分), or `linear ZERO FULL` (or 线性 ZERO FULL).
fn scoring(text: &str) -> Result<Scoring, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["pass_fail" | "达标计分"] => Ok(Scoring::PassFail),
        ["linear" | "线性", zero, full] => match (zero.parse::<f64>(), full.parse::<f64>()) {
            (Ok(zero), Ok(full)) => Ok(Scoring::Linear { zero, full }),
            _ => Err(format!("计分 `{text}`：线性计分写作 `linear 零分值 满分值`，如 `linear 0.4 0.8`")),
        },
        _ => Err(format!("计分 `{text}` 无效：写 `pass_fail`（达标得满分），或 `linear 零分值 满分值`")),
    }
}
