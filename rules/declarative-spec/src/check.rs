//! Checking a spec and compiling it into a [`Program`]: every problem is listed, each with the
//! line and column (or cell) where it is. A spec with any problem never produces a module.
//!
//! Besides the shape (ids, levels, types, sources), every expression is parsed, its names are
//! checked against what the level declares (fields, parameters, derived values, the member
//! list), and the whole program is then evaluated natively on sample records of the declared
//! types, with and without the optional fields, so that type errors (text plus number, a null
//! in arithmetic, a value that is not a number) are found at build time, not in a round.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use rules_sdk::wire::{
    AbiVersion, Comparison, FieldSpec, FieldType, IndicatorNode, InputSpec, Level, Manifest, ParameterSpec, Record,
    Source, Threshold, Unit, UnitSpec, Veto,
};

use crate::eval::{self, Outcome};
use crate::program::{
    Bound, Check, Derived, IndicatorProgram, LevelProgram, Members, PROGRAM_FORMAT, Program, Runtime,
};
use crate::spec::{At, BoundRef, Loc, SourceRef, Spec};

/// One problem of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub at: Loc,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Loc::None => f.write_str(&self.message),
            at => write!(f, "{at}: {}", self.message),
        }
    }
}

/// Every problem of a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    /// The file.
    pub file: String,
    /// The problems, in the order of the file.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "指标包 `{}` 有 {} 处错误，未生成模块：", self.file, self.problems.len())?;
        for problem in &self.problems {
            match &problem.at {
                Loc::Text { .. } => write!(f, "\n  {}:{problem}", self.file)?,
                _ => write!(f, "\n  {problem}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// The levels a declarative pack evaluates, and the variable holding a county's schools.
const LEVELS: [(&str, Level); 2] = [("school", Level::School), ("county", Level::County)];
/// The variable holding a county unit's schools.
pub const SCHOOLS: &str = "schools";

/// CEL macros, which take a variable name as their first argument.
const MACROS: [&str; 5] = ["map", "filter", "all", "exists", "exists_one"];

struct Checker<'a> {
    spec: &'a Spec,
    problems: Vec<Problem>,
    sources: BTreeMap<String, (String, String)>,
    /// Expression text → where it was written, to place evaluation failures.
    places: HashMap<String, Loc>,
}

impl Checker<'_> {
    fn problem(&mut self, at: &Loc, message: impl Into<String>) {
        self.problems.push(Problem { at: at.clone(), message: message.into() });
    }

    fn level(&mut self, level: &At<String>) -> Option<Level> {
        let found = LEVELS.iter().find(|(name, _)| *name == level.value).map(|(_, level)| *level);
        if found.is_none() {
            self.problem(
                &level.at,
                format!("层级 `{}` 无效：声明式指标包评价 `school`（学校）或 `county`（县）", level.value),
            );
        }
        found
    }

    fn source(&mut self, source: &At<SourceRef>) -> Option<Source> {
        let (document, item) = match &source.value {
            SourceRef::Named(name) => match self.sources.get(name) {
                Some(found) => found.clone(),
                None => {
                    let known: Vec<&str> = self.sources.keys().map(String::as_str).collect();
                    self.problem(
                        &source.at,
                        format!(
                            "来源 `{name}` 未在 [sources] 中定义{}",
                            if known.is_empty() {
                                String::new()
                            } else {
                                format!("（已定义：{}）", known.join("、"))
                            }
                        ),
                    );
                    return None;
                }
            },
            SourceRef::Inline { document, item } => (document.clone(), item.clone()),
        };
        if document.trim().is_empty() || item.trim().is_empty() {
            self.problem(
                &source.at,
                "来源的 document（文件名称及文号）和 item（条款）都不能为空：每个阈值都要注明出处",
            );
            return None;
        }
        Some(Source { document, item })
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn field_type(name: &str) -> Option<FieldType> {
    Some(match name {
        "text" => FieldType::Text,
        "integer" => FieldType::Integer,
        "number" => FieldType::Number,
        "enum" => FieldType::Enum,
        "boolean" => FieldType::Boolean,
        _ => return None,
    })
}

fn comparison(op: &str) -> Option<Comparison> {
    Some(match op {
        ">=" | "≥" => Comparison::AtLeast,
        "<=" | "≤" => Comparison::AtMost,
        ">" => Comparison::Above,
        "<" => Comparison::Below,
        _ => return None,
    })
}

/// Names an expression refers to that are not bound by one of its own macros
/// (`schools.map(s, …)` binds `s`).
fn free_names(program: &cel::Program, source: &str) -> Vec<String> {
    let mut bound = BTreeSet::new();
    for name in MACROS {
        let pattern = format!(".{name}(");
        for (start, _) in source.match_indices(&pattern) {
            let rest = &source[start + pattern.len()..];
            let variable: String =
                rest.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !variable.is_empty() {
                bound.insert(variable);
            }
        }
    }
    let references = program.references();
    let mut names: Vec<String> =
        references.variables().into_iter().map(str::to_owned).filter(|name| !bound.contains(name)).collect();
    names.sort();
    names.dedup();
    names
}

/// Checks a spec and compiles it.
///
/// # Errors
///
/// Every problem found, with its position.
pub fn check(spec: &Spec) -> Result<Program, Problems> {
    let mut checker = Checker { spec, problems: Vec::new(), sources: BTreeMap::new(), places: HashMap::new() };
    let program = checker.run();
    if checker.problems.is_empty()
        && let Some(program) = program
    {
        checker.trial(&program);
        if checker.problems.is_empty() {
            return Ok(program);
        }
    }
    Err(Problems { file: spec.file.clone(), problems: checker.problems })
}

impl Checker<'_> {
    #[allow(clippy::too_many_lines)]
    fn run(&mut self) -> Option<Program> {
        let spec = self.spec;
        let pack = &spec.pack;
        // The pack.
        let county = pack.county.as_ref().map(|county| {
            if county.value.len() != 6 || !county.value.chars().all(|c| c.is_ascii_digit()) {
                self.problem(&county.at, format!("县（市、区）代码 `{}` 应为 6 位数字，如 410825", county.value));
            }
            county.value.clone()
        });
        let id = &pack.id;
        if id.value.is_empty()
            || !id.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            self.problem(&id.at, format!("指标包 id `{}` 无效：只能用小写字母、数字、`-` 和 `.`", id.value));
        } else if let Some(county) = &county
            && !id.value.starts_with(&format!("{county}-"))
        {
            self.problem(&id.at, format!("县级指标包的 id 应以县代码开头：`{county}-…`，而不是 `{}`", id.value));
        }
        let version = &pack.version;
        let parts: Vec<&str> = version.value.split('.').collect();
        if parts.len() != 3 || parts.iter().any(|part| part.is_empty() || !part.chars().all(|c| c.is_ascii_digit())) {
            self.problem(&version.at, format!("版本 `{}` 应为 主.次.修订 三段数字，如 0.1.0", version.value));
        }
        if pack.title.value.trim().is_empty() {
            self.problem(&pack.title.at, "title（中文名称）不能为空");
        }
        // Sources.
        for (name, source) in &spec.sources {
            let (document, item) = &source.value;
            if document.trim().is_empty() || item.trim().is_empty() {
                self.problem(&source.at, format!("来源 `{}` 的 document 和 item 都不能为空", name.value));
            }
            self.sources.insert(name.value.clone(), source.value.clone());
        }
        // Inputs.
        let mut fields: BTreeMap<Level, Vec<FieldSpec>> = BTreeMap::new();
        for input in &spec.inputs {
            let level = self.level(&input.level);
            let name = &input.name.value;
            if !is_identifier(name) {
                self.problem(&input.name.at, format!("字段名 `{name}` 无效：用小写字母、数字和下划线，以字母开头"));
            } else if name == "id" || name == "name" {
                self.problem(&input.name.at, format!("`{name}` 是每条记录都有的列，不需要声明"));
            }
            let kind = field_type(&input.kind.value);
            if kind.is_none() {
                self.problem(
                    &input.kind.at,
                    format!("字段类型 `{}` 无效：可用 text、integer、number、enum、boolean", input.kind.value),
                );
            }
            if kind == Some(FieldType::Enum) && input.values.is_empty() {
                self.problem(&input.kind.at, format!("枚举字段 `{name}` 需要 values（可选值列表）"));
            }
            if let (Some(level), Some(kind)) = (level, kind) {
                let list = fields.entry(level).or_default();
                if list.iter().any(|field| field.name == *name) {
                    self.problem(&input.name.at, format!("{level} 字段 `{name}` 重复声明"));
                }
                list.push(FieldSpec {
                    name: name.clone(),
                    kind,
                    values: input.values.clone(),
                    min: input.min,
                    optional: input.optional,
                    description: input.description.clone(),
                });
            }
        }
        if county.is_some() {
            let schools = fields.entry(Level::School).or_default();
            if !schools.iter().any(|field| field.name == "county_id") {
                schools.insert(
                    0,
                    FieldSpec {
                        name: "county_id".to_owned(),
                        kind: FieldType::Text,
                        values: Vec::new(),
                        min: None,
                        optional: false,
                        description: "所属县（市、区）代码，用于只评价本县学校".to_owned(),
                    },
                );
            }
        }
        // Parameters.
        let mut parameters: Vec<ParameterSpec> = Vec::new();
        for parameter in &spec.parameters {
            let name = &parameter.name.value;
            if !is_identifier(name) {
                self.problem(&parameter.name.at, format!("参数名 `{name}` 无效：用小写字母、数字和下划线，以字母开头"));
            }
            if parameters.iter().any(|known| known.name == *name) {
                self.problem(&parameter.name.at, format!("参数 `{name}` 重复声明"));
            }
            let kind = field_type(&parameter.kind.value).filter(|kind| *kind != FieldType::Enum);
            let default = &parameter.default.value;
            match kind {
                None => self.problem(
                    &parameter.kind.at,
                    format!("参数类型 `{}` 无效：可用 integer、number、text、boolean", parameter.kind.value),
                ),
                Some(kind) => {
                    let fits = match kind {
                        FieldType::Integer => default.is_i64(),
                        FieldType::Number => default.is_number(),
                        FieldType::Text => default.is_string(),
                        FieldType::Boolean => default.is_boolean(),
                        FieldType::Enum => false,
                    };
                    if !fits {
                        self.problem(
                            &parameter.default.at,
                            format!("参数 `{name}` 的默认值 {default} 不是{}", kind.describe()),
                        );
                    }
                }
            }
            let source = parameter.source.as_ref().and_then(|source| self.source(source));
            if let Some(kind) = kind {
                parameters.push(ParameterSpec {
                    name: name.clone(),
                    kind,
                    default: default.clone(),
                    description: parameter.description.clone(),
                    source,
                });
            }
        }
        // Names: fields, parameters and derived values must not collide.
        let mut derived: BTreeMap<Level, Vec<Derived>> = BTreeMap::new();
        for item in &spec.derived {
            let Some(level) = self.level(&item.level) else { continue };
            let name = &item.name.value;
            let taken = fields.get(&level).is_some_and(|list| list.iter().any(|field| field.name == *name))
                || parameters.iter().any(|parameter| parameter.name == *name)
                || derived.get(&level).is_some_and(|list| list.iter().any(|known| known.name == *name))
                || name == "id"
                || name == "name"
                || name == SCHOOLS;
            if !is_identifier(name) {
                self.problem(&item.name.at, format!("派生量名 `{name}` 无效：用小写字母、数字和下划线，以字母开头"));
            } else if taken {
                self.problem(&item.name.at, format!("派生量 `{name}` 与已有的字段、参数或派生量重名"));
            }
            let known = self.known(level, &fields, &parameters, &derived);
            self.expression(&item.expr, &known);
            derived.entry(level).or_default().push(Derived { name: name.clone(), expr: item.expr.value.clone() });
        }
        let mut checks: BTreeMap<Level, Vec<Check>> = BTreeMap::new();
        for item in &spec.checks {
            let Some(level) = self.level(&item.level) else { continue };
            let known = self.known(level, &fields, &parameters, &derived);
            self.expression(&item.rule, &known);
            if item.message.value.trim().is_empty() {
                self.problem(&item.message.at, "数据校验需要 message（不通过时显示的中文说明）");
            }
            checks
                .entry(level)
                .or_default()
                .push(Check { rule: item.rule.value.clone(), message: item.message.value.clone() });
        }
        // The indicator tree.
        let prefix = county.as_ref().map(|county| format!("{county}."));
        let mut ids: BTreeSet<String> = BTreeSet::new();
        let mut node_id = |checker: &mut Checker, id: &At<String>| {
            if id.value.is_empty() || id.value.chars().any(char::is_whitespace) {
                checker.problem(&id.at, format!("id `{}` 无效：不能为空，不能有空格", id.value));
            } else if let Some(prefix) = &prefix
                && !id.value.starts_with(prefix.as_str())
            {
                checker.problem(&id.at, format!("县级指标包的指标 id 应以 `{prefix}` 开头，而不是 `{}`", id.value));
            }
            if !ids.insert(id.value.clone()) {
                checker.problem(&id.at, format!("id `{}` 重复", id.value));
            }
        };
        let mut dimensions: Vec<(IndicatorNode, Option<String>)> = Vec::new();
        for dimension in &spec.dimensions {
            node_id(self, &dimension.id);
            if dimension.name.value.trim().is_empty() {
                self.problem(&dimension.name.at, "维度的 name（中文名称）不能为空");
            }
            let weight = dimension.weight.as_ref().map(|weight| self.weight(weight));
            dimensions.push((
                node(&dimension.id.value, &dimension.name.value, None, weight),
                dimension.parent.as_ref().map(|parent| parent.value.clone()),
            ));
        }
        for dimension in &spec.dimensions {
            if let Some(parent) = &dimension.parent
                && !spec.dimensions.iter().any(|other| other.id.value == parent.value)
            {
                self.problem(&parent.at, format!("上级维度 `{}` 未定义", parent.value));
            }
        }
        let mut leaves: Vec<(IndicatorNode, Option<String>)> = Vec::new();
        let mut per_level: BTreeMap<Level, Vec<IndicatorProgram>> = BTreeMap::new();
        for indicator in &spec.indicators {
            node_id(self, &indicator.id);
            if indicator.name.value.trim().is_empty() {
                self.problem(&indicator.name.at, "指标的 name（中文名称）不能为空");
            }
            if let Some(dimension) = &indicator.dimension
                && !spec.dimensions.iter().any(|other| other.id.value == dimension.value)
            {
                self.problem(&dimension.at, format!("维度 `{}` 未定义（用 [[dimension]] 定义）", dimension.value));
            }
            let level = self.level(&indicator.level);
            let weight = indicator.weight.as_ref().map(|weight| self.weight(weight));
            let known = level.map(|level| self.known(level, &fields, &parameters, &derived)).unwrap_or_default();
            for expr in [&indicator.reported, &indicator.applies, &indicator.note].into_iter().flatten() {
                self.expression(expr, &known);
            }
            self.expression(&indicator.value, &known);
            let Some(threshold) = &indicator.threshold else {
                self.problem(
                    &indicator.at,
                    format!(
                        "指标 `{}` 缺少阈值 threshold = {{ op = \">=\", value = …, source = … }}",
                        indicator.id.value
                    ),
                );
                continue;
            };
            let op = comparison(&threshold.op.value);
            if op.is_none() {
                self.problem(&threshold.op.at, format!("比较符 `{}` 无效：可用 >=、<=、>、<", threshold.op.value));
            }
            let bound = match &threshold.value {
                None => {
                    self.problem(&threshold.at, "阈值缺少 value（数字或参数名）");
                    None
                }
                Some(At { value: BoundRef::Number(number), at }) => {
                    if !number.is_finite() {
                        self.problem(at, "阈值应为有限数");
                    }
                    Some((*number, None))
                }
                Some(At { value: BoundRef::Parameter(name), at }) => {
                    match parameters.iter().find(|parameter| parameter.name == *name) {
                        Some(parameter) if parameter.default.is_number() => {
                            Some((parameter.default.as_f64().unwrap_or(0.0), Some(name.clone())))
                        }
                        Some(_) => {
                            self.problem(at, format!("参数 `{name}` 不是数字，不能作阈值"));
                            None
                        }
                        None => {
                            self.problem(at, format!("阈值引用的参数 `{name}` 未声明（用 [[parameter]] 声明）"));
                            None
                        }
                    }
                }
            };
            let source = match &threshold.source {
                None => {
                    self.problem(
                        &threshold.at,
                        format!("指标 `{}` 的阈值缺少来源 source：每个阈值都要注明文件和条款", indicator.id.value),
                    );
                    None
                }
                Some(source) => self.source(source),
            };
            let veto = match &indicator.veto {
                Some(veto) if county.is_some() => {
                    self.problem(&veto.at, "县级指标包不得设一票否决（veto）：这是市级方案的分层规则");
                    None
                }
                Some(veto) => {
                    let source = self.source(&At::new(veto.value.source.clone(), veto.at.clone()));
                    source.map(|source| Veto { cap: veto.value.cap.clone(), reason: veto.value.reason.clone(), source })
                }
                None => None,
            };
            for rollup in &indicator.rollup {
                if county.is_some() && rollup.to == Level::City {
                    self.problem(&indicator.at, "县级指标包的指标不得汇总到市级（rollup to = \"city\"）");
                }
            }
            let (Some(level), Some(op), Some((value, parameter)), Some(source)) = (level, op, bound, source) else {
                continue;
            };
            let mut leaf = node(&indicator.id.value, &indicator.name.value, Some(level), weight);
            leaf.unit = indicator.unit.clone();
            leaf.formula = indicator.formula.clone().unwrap_or_else(|| indicator.value.value.clone());
            leaf.thresholds = vec![Threshold { op, value, applies_to: None, source }];
            leaf.scoring = indicator.scoring.as_ref().map(|scoring| scoring.value.clone());
            leaf.veto = veto;
            leaf.rollup = indicator.rollup.clone();
            leaves.push((leaf, indicator.dimension.as_ref().map(|dimension| dimension.value.clone())));
            per_level.entry(level).or_default().push(IndicatorProgram {
                id: indicator.id.value.clone(),
                reported: indicator.reported.as_ref().map(|expr| expr.value.clone()),
                applies: indicator.applies.as_ref().map(|expr| expr.value.clone()),
                value: indicator.value.value.clone(),
                note: indicator.note.as_ref().map(|expr| expr.value.clone()),
                missing_note: indicator.missing_note.clone(),
                not_applicable_note: indicator.not_applicable_note.clone(),
                threshold: Bound { op, value, parameter },
            });
        }
        if spec.indicators.is_empty() {
            self.problem(&pack.at, "指标包没有指标：至少写一个 [[indicator]]");
        }
        if !self.problems.is_empty() {
            return None;
        }
        // Assemble the tree: leaves into their dimensions, dimensions into their parents.
        let mut nodes: Vec<(IndicatorNode, Option<String>)> = dimensions;
        for (leaf, parent) in leaves {
            nodes.push((leaf, parent));
        }
        let indicators = assemble(nodes);
        let levels: Vec<Level> =
            [Level::School, Level::County].into_iter().filter(|level| per_level.contains_key(level)).collect();
        let units = levels
            .iter()
            .map(|level| UnitSpec {
                level: *level,
                include: if *level == Level::County { vec![Level::School] } else { Vec::new() },
                previous: false,
            })
            .collect();
        let inputs = [Level::School, Level::County]
            .into_iter()
            .filter_map(|level| fields.remove(&level).map(|fields| InputSpec { level, fields }))
            .collect();
        let manifest = Manifest {
            abi: AbiVersion::CURRENT,
            id: pack.id.value.clone(),
            version: pack.version.value.clone(),
            title: pack.title.value.clone(),
            description: pack.description.clone(),
            units,
            inputs,
            indicators,
            grades: spec.grades.clone(),
            parameters,
        };
        let school_derived = derived.get(&Level::School).cloned().unwrap_or_default();
        let programs = levels
            .iter()
            .map(|level| LevelProgram {
                level: *level,
                members: (*level == Level::County).then(|| Members {
                    level: Level::School,
                    variable: SCHOOLS.to_owned(),
                    derived: school_derived.clone(),
                }),
                derived: derived.get(level).cloned().unwrap_or_default(),
                checks: checks.get(level).cloned().unwrap_or_default(),
                indicators: per_level.remove(level).unwrap_or_default(),
            })
            .collect();
        let defaults =
            manifest.parameters.iter().map(|parameter| (parameter.name.clone(), parameter.default.clone())).collect();
        Some(Program { format: PROGRAM_FORMAT, manifest, runtime: Runtime { county, defaults, levels: programs } })
    }

    fn weight(&mut self, weight: &At<f64>) -> f64 {
        if !weight.value.is_finite() || weight.value < 0.0 {
            self.problem(&weight.at, format!("权重 {} 应为不小于 0 的数", weight.value));
        }
        weight.value
    }

    /// The names an expression at `level` may use.
    fn known(
        &self,
        level: Level,
        fields: &BTreeMap<Level, Vec<FieldSpec>>,
        parameters: &[ParameterSpec],
        derived: &BTreeMap<Level, Vec<Derived>>,
    ) -> BTreeSet<String> {
        let mut known: BTreeSet<String> = ["id", "name"].into_iter().map(str::to_owned).collect();
        known.extend(fields.get(&level).into_iter().flatten().map(|field| field.name.clone()));
        known.extend(parameters.iter().map(|parameter| parameter.name.clone()));
        known.extend(derived.get(&level).into_iter().flatten().map(|item| item.name.clone()));
        if level == Level::County {
            known.insert(SCHOOLS.to_owned());
        }
        known
    }

    /// Parses an expression and checks the names it uses.
    fn expression(&mut self, expr: &At<String>, known: &BTreeSet<String>) {
        self.places.entry(expr.value.clone()).or_insert_with(|| expr.at.clone());
        if expr.value.trim().is_empty() {
            self.problem(&expr.at, "表达式为空");
            return;
        }
        // CEL's own parser and standard macros, for exact error positions and the names used;
        // the trial evaluation then runs the interpreter's parser on every expression.
        let env = cel::Env::stdlib();
        let (decimal, offsets) = eval::decimalize(&expr.value);
        match env.compile(&decimal) {
            Err(errors) => {
                for error in errors.errors {
                    let at = inside(&expr.at, &expr.value, &offsets, error.pos);
                    self.problem(&at, format!("表达式无法解析：{}", error.msg));
                }
            }
            Ok(program) => {
                for name in free_names(&program, &decimal) {
                    if !known.contains(&name) {
                        let at = match expr.value.find(name.as_str()) {
                            Some(offset) => shift(&expr.at, &expr.value[..offset]),
                            None => expr.at.clone(),
                        };
                        let mut names: Vec<&str> = known.iter().map(String::as_str).collect();
                        names.truncate(30);
                        self.problem(
                            &at,
                            format!(
                                "`{name}` 未声明：不是本层级的输入字段、参数或派生量（可用：{}）",
                                names.join("、")
                            ),
                        );
                    }
                }
            }
        }
    }

    /// Evaluates the program on sample records of the declared types.
    fn trial(&mut self, program: &Program) {
        let env = eval::environment();
        let county = program.runtime.county.clone().unwrap_or_else(|| "410000".to_owned());
        for with_optional in [true, false] {
            let sample = |level: Level, index: usize| -> Record {
                let mut record = Record::new();
                let id = if level == Level::County { county.clone() } else { format!("{county}{index:04}") };
                record.insert("id".to_owned(), id.into());
                record.insert("name".to_owned(), format!("示例{}{index}", level.chinese()).into());
                for field in program.manifest.fields(level) {
                    let value = if field.optional && !with_optional {
                        serde_json::Value::Null
                    } else if field.name == "county_id" {
                        county.clone().into()
                    } else {
                        match field.kind {
                            FieldType::Text => "示例".into(),
                            FieldType::Enum => field.values.first().cloned().unwrap_or_default().into(),
                            FieldType::Boolean => true.into(),
                            FieldType::Integer => serde_json::Value::from(
                                field.min.unwrap_or(0.0).max(0.0) as i64 + 10 * (index as i64 + 1),
                            ),
                            FieldType::Number => {
                                serde_json::Value::from(field.min.unwrap_or(0.0).max(0.0) + 10.5 * (index as f64 + 1.0))
                            }
                        }
                    };
                    record.insert(field.name.clone(), value);
                }
                record
            };
            let params: Record = program
                .manifest
                .parameters
                .iter()
                .map(|parameter| (parameter.name.clone(), parameter.default.clone()))
                .collect();
            for level in &program.runtime.levels {
                let mut unit = Unit::new(level.level, &sample(level.level, 0)).with_params(params.clone());
                if let Some(spec) = &level.members {
                    let members: Vec<Record> = (1..=2).map(|index| sample(spec.level, index)).collect();
                    unit = unit.with_members(spec.level, &members);
                }
                match eval::evaluate(&program.runtime, &env, &unit) {
                    Ok(Outcome::Results(_) | Outcome::Refused(_)) => {}
                    Err(failure) => {
                        let at = self.places.get(&failure.expr).cloned().unwrap_or_default();
                        let case = if with_optional {
                            "示例数据"
                        } else {
                            "可选字段为空（未填报）的示例数据"
                        };
                        let message = format!("{}：在{case}上{}", failure.what, failure.message);
                        if !self
                            .problems
                            .iter()
                            .any(|known| known.at == at && (at != Loc::None || known.message == message))
                        {
                            self.problem(&at, message);
                        }
                    }
                }
            }
        }
    }
}

fn node(id: &str, name: &str, level: Option<Level>, weight: Option<f64>) -> IndicatorNode {
    IndicatorNode {
        id: id.to_owned(),
        name: name.to_owned(),
        level,
        unit: None,
        weight,
        thresholds: Vec::new(),
        formula: String::new(),
        children: Vec::new(),
        scoring: None,
        veto: None,
        rollup: Vec::new(),
    }
}

/// Nests nodes under their parents (declaration order kept); parents must exist.
fn assemble(nodes: Vec<(IndicatorNode, Option<String>)>) -> Vec<IndicatorNode> {
    fn children_of(parent: Option<&str>, nodes: &[(IndicatorNode, Option<String>)]) -> Vec<IndicatorNode> {
        nodes
            .iter()
            .filter(|(_, of)| of.as_deref() == parent)
            .map(|(node, _)| {
                let mut node = node.clone();
                if node.level.is_none() {
                    node.children = children_of(Some(&node.id), nodes);
                }
                node
            })
            .collect()
    }
    children_of(None, &nodes)
}

/// The position `prefix` characters after `at` (inside a one-line expression).
fn shift(at: &Loc, prefix: &str) -> Loc {
    match at {
        Loc::Text { line, column } => match prefix.rfind('\n') {
            Some(newline) => Loc::Text {
                line: line + prefix.matches('\n').count(),
                column: prefix[newline + 1..].chars().count() + 1,
            },
            None => Loc::Text { line: *line, column: column + prefix.chars().count() },
        },
        other => other.clone(),
    }
}

/// The position of a CEL parse error (1-based line, 0-based column of the rewritten source).
fn inside(at: &Loc, source: &str, offsets: &[usize], (line, column): (isize, isize)) -> Loc {
    let (decimal, _) = eval::decimalize(source);
    let line = usize::try_from(line).unwrap_or(1).max(1);
    let column = usize::try_from(column).unwrap_or(0);
    let start: usize = decimal.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let offset_in_decimal: usize =
        start + decimal[start..].char_indices().nth(column).map_or(decimal.len() - start, |(i, _)| i);
    let original = offsets.get(offset_in_decimal).copied().unwrap_or(source.len()).min(source.len());
    shift(at, &source[..original])
}
