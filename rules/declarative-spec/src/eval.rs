//! Evaluating a [`Program`] on one unit: the same code runs inside the interpreter module and,
//! at build time, natively on sample records (so type errors are found before a module exists).
//!
//! Expressions are CEL (the Common Expression Language) with one change of dialect: **every
//! number is a decimal** (CEL's `double`). Record fields of type `integer` and `number` arrive as
//! decimals and integer literals in the source are read as decimals ([`decimalize`]), so `3 / 2`
//! is 1.5, never CEL's integer division 1. The functions below add the aggregations county
//! authors need; thresholds are judged with the data dictionary's rule ([`Comparison::holds`]):
//! a value equal to its bound meets `>=` and `<=`, whatever rounding did to the last digit.

use std::collections::HashMap;
use std::sync::Arc;

use cel::objects::{Key, Map};
use cel::{Context, Env, ExecutionError, Value};
use rules_sdk::UnitExt;
use rules_sdk::wire::{IndicatorResult, Level, Record, Status, Unit};

use crate::program::{Derived, IndicatorProgram, LevelProgram, Runtime};

/// Why an expression failed while a unit was evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalFailure {
    /// What was evaluated, in Chinese (`指标 410825.x 的 value`).
    pub what: String,
    /// The expression.
    pub expr: String,
    /// What went wrong, in Chinese.
    pub message: String,
}

impl std::fmt::Display for EvalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（表达式 `{}`）：{}", self.what, self.expr, self.message)
    }
}

/// The outcome of evaluating a unit: the results, or why the unit is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Evaluated.
    Results(Vec<IndicatorResult>),
    /// A data check failed: the pack refuses the subject with this message.
    Refused(String),
}

/// The CEL environment of an evaluation: CEL's operators and macros (`all`, `exists`,
/// `exists_one`, `map`, `filter`, `has`), with the functions of [`FUNCTIONS`] instead of CEL's
/// standard function library. Building the standard library costs more than evaluating a
/// whole unit, and every unit runs in a fresh instance, so the interpreter does without it.
pub fn environment() -> Arc<Env> {
    Arc::new(Env::default())
}

/// Rewrites integer literals as decimal literals (`1` → `1.0`), leaving strings, identifiers,
/// decimal, hexadecimal and unsigned literals alone. Returns the new source and, for every
/// byte offset of it, the offset in the original (for error positions).
pub fn decimalize(source: &str) -> (String, Vec<usize>) {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len() + 8);
    let mut map = Vec::with_capacity(source.len() + 8);
    let mut i = 0;
    let push = |out: &mut String, map: &mut Vec<usize>, text: &str, at: usize| {
        out.push_str(text);
        map.extend(std::iter::repeat_n(at, text.len()));
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            // A string literal (also triple-quoted): copy up to its closing quote.
            let triple = bytes.len() >= i + 3 && bytes[i + 1] == c && bytes[i + 2] == c;
            let quote_len = if triple { 3 } else { 1 };
            let mut j = i + quote_len;
            while j < bytes.len() {
                if bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if bytes[j] == c && (!triple || (j + 2 < bytes.len() && bytes[j + 1] == c && bytes[j + 2] == c)) {
                    j += quote_len;
                    break;
                }
                j += 1;
            }
            let j = j.min(bytes.len());
            out.push_str(&source[i..j]);
            map.extend(i..j);
            i = j;
        } else if c.is_ascii_alphabetic() || c == b'_' || !c.is_ascii() {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || !bytes[j].is_ascii()) {
                j += 1;
            }
            // A string prefix (r'…', b"…") is handled with the quote on the next turn.
            out.push_str(&source[i..j]);
            map.extend(i..j);
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            if c == b'0' && bytes.get(i + 1).is_some_and(|next| *next == b'x' || *next == b'X') {
                j += 2;
                while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
                    j += 1;
                }
                out.push_str(&source[i..j]);
                map.extend(i..j);
                i = j;
                continue;
            }
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let decimal = bytes.get(j).is_some_and(|next| *next == b'.' || *next == b'e' || *next == b'E')
                || (i > 0 && bytes[i - 1] == b'.');
            let unsigned = bytes.get(j).is_some_and(|next| *next == b'u' || *next == b'U');
            out.push_str(&source[i..j]);
            map.extend(i..j);
            if !decimal && !unsigned {
                push(&mut out, &mut map, ".0", j.saturating_sub(1));
            }
            i = j;
        } else {
            out.push(c as char);
            map.push(i);
            i += 1;
        }
    }
    map.push(source.len());
    (out, map)
}

/// A compiled expression with its source.
struct Compiled<'a> {
    what: String,
    source: &'a str,
    expression: cel::IdedExpr,
}

/// Parses an expression with CEL's hand-written (Pratt) parser, which expands the standard
/// macros like the default one but needs no parse tables: an interpreter instance lives for
/// one unit, and building the ANTLR parser's tables in every instance would cost more than the
/// whole evaluation. The build-time checker also parses with the default parser for its error
/// positions, and its trial evaluation runs through this one.
fn compile<'a>(_env: &Env, what: String, source: &'a str) -> Result<Compiled<'a>, EvalFailure> {
    let (decimal, _) = decimalize(source);
    cel::parser::PrattParser::new()
        .parse(&decimal)
        .map(|expression| Compiled { what: what.clone(), source, expression })
        .map_err(|errors| EvalFailure { what, expr: source.to_owned(), message: format!("无法解析：{errors}") })
}

impl Compiled<'_> {
    fn run(&self, context: &Context) -> Result<Value, EvalFailure> {
        Value::resolve(&self.expression, context).map_err(|error| self.failure(describe_error(&error)))
    }

    fn failure(&self, message: String) -> EvalFailure {
        EvalFailure { what: self.what.clone(), expr: self.source.to_owned(), message }
    }
}

/// An execution error in Chinese, with CEL's own wording kept for the details.
pub fn describe_error(error: &ExecutionError) -> String {
    match error {
        ExecutionError::UndeclaredReference(name) => {
            format!("`{name}` 未声明：不是输入字段、参数、派生量，也不是可用的函数")
        }
        ExecutionError::UnsupportedBinaryOperator(op, left, right) => format!(
            "类型不符：运算 `{op}` 不能用于 {} 和 {}{}",
            type_name(left),
            type_name(right),
            if matches!(left, Value::Null) || matches!(right, Value::Null) {
                "（未填报的空值请先用 reported 条件排除，或用 coalesce(字段, 0) 说明按多少计）"
            } else {
                ""
            }
        ),
        ExecutionError::NoSuchKey(key) => format!("记录中没有字段 `{key}`"),
        ExecutionError::FunctionError { function, message } => format!("函数 {function}()：{message}"),
        other => format!("计算失败：{other}"),
    }
}

fn type_name(value: &Value) -> String {
    match value {
        Value::List(_) => "列表".to_owned(),
        Value::Map(_) => "记录".to_owned(),
        Value::Int(_) | Value::UInt(_) => "整数".to_owned(),
        Value::Float(number) => format!("数字 {number}"),
        Value::String(text) => format!("文本 \"{text}\""),
        Value::Bool(flag) => format!("布尔值 {flag}"),
        Value::Null => "空值 null（未填报）".to_owned(),
        other => format!("{other:?}"),
    }
}

/// A JSON value of a record as a CEL value: numbers become decimals.
pub fn to_cel(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(flag) => Value::Bool(*flag),
        serde_json::Value::Number(number) => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(text) => Value::String(Arc::new(text.clone())),
        serde_json::Value::Array(items) => Value::List(Arc::new(items.iter().map(to_cel).collect())),
        serde_json::Value::Object(entries) => {
            record_value(entries.iter().map(|(key, value)| (key.clone(), to_cel(value))))
        }
    }
}

fn record_value(entries: impl Iterator<Item = (String, Value)>) -> Value {
    let map: HashMap<Key, Value> = entries.map(|(key, value)| (Key::String(Arc::new(key)), value)).collect();
    Value::Map(Map { map: Arc::new(map) })
}

fn function_error(name: &str, message: impl Into<String>) -> ExecutionError {
    ExecutionError::function_error(name, message.into())
}

fn number_list(name: &str, args: &[Value]) -> Result<Vec<f64>, ExecutionError> {
    let Some(Value::List(items)) = args.first() else {
        return Err(function_error(name, "参数应为一个列表，例如 schools.map(s, s.students)"));
    };
    if args.len() != 1 {
        return Err(function_error(name, format!("应有 1 个参数，实有 {} 个", args.len())));
    }
    items
        .iter()
        .map(|item| match item {
            Value::Float(number) => Ok(*number),
            Value::Int(number) => Ok(*number as f64),
            Value::UInt(number) => Ok(*number as f64),
            Value::Bool(flag) => Ok(f64::from(u8::from(*flag))),
            Value::Null => Err(function_error(
                name,
                "列表中有空值（未填报）：请用 coalesce(字段, 0) 说明空值按多少计，或先用 filter 去掉",
            )),
            other => Err(function_error(name, format!("列表元素应为数字，实为{}", type_name(other)))),
        })
        .collect()
}

pub fn registered(context: &mut Context) {
    let add =
        |context: &mut Context, name: &'static str, f: fn(&'static str, &[Value]) -> Result<Value, ExecutionError>| {
            let _ = context
                .add_function(name, move |cel::extractors::Arguments(args): cel::extractors::Arguments| f(name, &args));
        };
    add(context, "sum", |name, args| Ok(Value::Float(number_list(name, args)?.iter().sum())));
    add(context, "count", |name, args| match args {
        [Value::List(items)] => Ok(Value::Float(items.len() as f64)),
        _ => Err(function_error(name, "参数应为一个列表，例如 count(schools.filter(s, s.x > 0))")),
    });
    add(context, "mean", |name, args| {
        let values = number_list(name, args)?;
        Ok(if values.is_empty() { Value::Null } else { Value::Float(values.iter().sum::<f64>() / values.len() as f64) })
    });
    add(context, "min", |name, args| {
        Ok(number_list(name, args)?.into_iter().reduce(f64::min).map_or(Value::Null, Value::Float))
    });
    add(context, "max", |name, args| {
        Ok(number_list(name, args)?.into_iter().reduce(f64::max).map_or(Value::Null, Value::Float))
    });
    add(context, "share", |name, args| match args {
        [Value::List(items)] => {
            let mut met = 0usize;
            for item in items.iter() {
                match item {
                    Value::Bool(true) => met += 1,
                    Value::Bool(false) => {}
                    other => {
                        return Err(function_error(
                            name,
                            format!(
                                "列表元素应为条件（true/false），实为{}，例如 share(schools.map(s, s.x >= 1))",
                                type_name(other)
                            ),
                        ));
                    }
                }
            }
            Ok(if items.is_empty() { Value::Null } else { Value::Float(met as f64 / items.len() as f64) })
        }
        _ => Err(function_error(name, "参数应为一个条件列表，例如 share(schools.map(s, s.x >= 1))")),
    });
    add(context, "weighted_mean", |name, args| {
        let [values, weights] = args else {
            return Err(function_error(name, "应有 2 个参数：值的列表和权重的列表"));
        };
        let values = number_list(name, std::slice::from_ref(values))?;
        let weights = number_list(name, std::slice::from_ref(weights))?;
        if values.len() != weights.len() {
            return Err(function_error(name, format!("值有 {} 个，权重有 {} 个", values.len(), weights.len())));
        }
        let total: f64 = weights.iter().sum();
        Ok(if total == 0.0 {
            Value::Null
        } else {
            Value::Float(values.iter().zip(&weights).map(|(value, weight)| value * weight).sum::<f64>() / total)
        })
    });
    add(context, "size", |name, args| match args {
        [Value::List(items)] => Ok(Value::Float(items.len() as f64)),
        [Value::String(text)] => Ok(Value::Float(text.chars().count() as f64)),
        _ => Err(function_error(name, "参数应为一个列表或文本")),
    });
    add(context, "string", |name, args| match args {
        [Value::String(text)] => Ok(Value::String(text.clone())),
        [Value::Float(number)] => Ok(Value::String(Arc::new((number + 0.0).to_string()))),
        [Value::Int(number)] => Ok(Value::String(Arc::new(number.to_string()))),
        [Value::UInt(number)] => Ok(Value::String(Arc::new(number.to_string()))),
        [Value::Bool(flag)] => Ok(Value::String(Arc::new(if *flag { "是" } else { "否" }.to_owned()))),
        [other] => Err(function_error(name, format!("不能把{}转为文本", type_name(other)))),
        _ => Err(function_error(name, "应有 1 个参数")),
    });
    add(context, "coalesce", |name, args| match args {
        [Value::Null, fallback] => Ok(fallback.clone()),
        [value, _] => Ok(value.clone()),
        _ => Err(function_error(name, "应有 2 个参数：coalesce(字段, 空值时的取值)")),
    });
    add(context, "join", |name, args| match args {
        [Value::List(items), Value::String(separator)] => {
            let parts: Result<Vec<String>, ExecutionError> = items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.as_str().to_owned()),
                    Value::Float(number) => Ok(number.to_string()),
                    other => Err(function_error(name, format!("列表元素应为文本，实为{}", type_name(other)))),
                })
                .collect();
            Ok(Value::String(Arc::new(parts?.join(separator.as_str()))))
        }
        _ => Err(function_error(name, "应有 2 个参数：文本列表和分隔符，例如 join(names, '、')")),
    });
}

/// The names of the functions added to CEL's standard library.
pub const FUNCTIONS: [&str; 11] =
    ["sum", "count", "mean", "min", "max", "share", "weighted_mean", "coalesce", "join", "size", "string"];

/// Evaluates one unit.
///
/// # Errors
///
/// An [`EvalFailure`] when an expression cannot be evaluated on this unit's data (a null
/// where a number is needed, a division by zero…).
pub fn evaluate(program: &Runtime, env: &Arc<Env>, unit: &Unit) -> Result<Outcome, EvalFailure> {
    let Some(level) = program.level(unit.level) else { return Ok(Outcome::Results(Vec::new())) };
    let subject = match unit.subject_as::<Record>() {
        Ok(subject) => subject,
        Err(error) => return Ok(Outcome::Refused(error.message().to_owned())),
    };
    let subject_id = unit.subject_id().to_owned();
    if let Some(county) = &program.county {
        let in_scope = match unit.level {
            Level::County => subject_id == *county,
            _ => subject.get("county_id").and_then(|id| id.as_str()) == Some(county.as_str()),
        };
        if !in_scope {
            return Ok(Outcome::Results(Vec::new()));
        }
    }
    let mut context = Context::with_env(env.clone());
    registered(&mut context);
    for (name, value) in &unit.params {
        context.add_variable_from_value(name.clone(), to_cel(value));
    }
    for (name, default) in &program.defaults {
        if !unit.params.contains_key(name) {
            context.add_variable_from_value(name.clone(), to_cel(default));
        }
    }
    if let Some(members) = &level.members {
        let records = match unit.members_as::<Record>(members.level) {
            Ok(records) => records,
            Err(error) => return Ok(Outcome::Refused(error.message().to_owned())),
        };
        let list = member_records(env, &context, &members.derived, members.level, &records)?;
        context.add_variable_from_value(members.variable.clone(), Value::List(Arc::new(list)));
    }
    for (key, value) in &subject {
        context.add_variable_from_value(key.clone(), to_cel(value));
    }
    let what = |kind: &str, name: &str| format!("{}{} `{name}`", unit.level.chinese(), kind);
    for derived in &level.derived {
        let compiled = compile(env, what("派生量", &derived.name), &derived.expr)?;
        let value = compiled.run(&context)?;
        context.add_variable_from_value(derived.name.clone(), value);
    }
    for check in &level.checks {
        let compiled = compile(env, format!("{}数据校验", unit.level.chinese()), &check.rule)?;
        match compiled.run(&context)? {
            Value::Bool(true) => {}
            Value::Bool(false) => {
                let name = subject.get("name").and_then(|name| name.as_str()).unwrap_or("");
                return Ok(Outcome::Refused(format!(
                    "{} `{subject_id}`（{name}）未通过数据校验：{}",
                    unit.level.chinese(),
                    check.message
                )));
            }
            other => return Err(compiled.failure(format!("校验条件应为 true 或 false，实为{}", type_name(&other)))),
        }
    }
    let mut results = Vec::with_capacity(level.indicators.len());
    for indicator in &level.indicators {
        results.push(indicator_result(env, &context, &subject_id, unit, indicator)?);
    }
    Ok(Outcome::Results(results))
}

fn member_records(
    env: &Arc<Env>,
    context: &Context,
    derived: &[Derived],
    level: Level,
    records: &[Record],
) -> Result<Vec<Value>, EvalFailure> {
    let compiled: Vec<(String, Compiled)> = derived
        .iter()
        .map(|derived| {
            Ok((
                derived.name.clone(),
                compile(env, format!("{}派生量 `{}`", level.chinese(), derived.name), &derived.expr)?,
            ))
        })
        .collect::<Result<_, EvalFailure>>()?;
    records
        .iter()
        .map(|record| {
            let mut entries: Vec<(String, Value)> =
                record.iter().map(|(key, value)| (key.clone(), to_cel(value))).collect();
            if !compiled.is_empty() {
                let mut scope = context.new_inner_scope();
                for (key, value) in &entries {
                    scope.add_variable_from_value(key.clone(), value.clone());
                }
                for (name, expr) in &compiled {
                    let value = expr.run(&scope).map_err(|mut failure| {
                        let id = record.get("id").and_then(|id| id.as_str()).unwrap_or("");
                        failure.what = format!("{}（{} `{id}`）", failure.what, level.chinese());
                        failure
                    })?;
                    scope.add_variable_from_value(name.clone(), value.clone());
                    entries.push((name.clone(), value));
                }
            }
            Ok(record_value(entries.into_iter()))
        })
        .collect()
}

fn indicator_result(
    env: &Arc<Env>,
    context: &Context,
    subject: &str,
    unit: &Unit,
    indicator: &IndicatorProgram,
) -> Result<IndicatorResult, EvalFailure> {
    let id = &indicator.id;
    let row = |value: Option<f64>, status: Status, note: &str| IndicatorResult {
        subject: subject.to_owned(),
        indicator: id.clone(),
        value,
        status,
        note: (!note.is_empty()).then(|| note.to_owned()),
    };
    let condition = |field: &str, source: &str| -> Result<bool, EvalFailure> {
        let compiled = compile(env, format!("指标 `{id}` 的 {field}"), source)?;
        match compiled.run(context)? {
            Value::Bool(flag) => Ok(flag),
            other => Err(compiled.failure(format!("应为 true 或 false，实为{}", type_name(&other)))),
        }
    };
    if let Some(reported) = &indicator.reported
        && !condition("reported", reported)?
    {
        return Ok(row(None, Status::NotMet, &indicator.missing_note));
    }
    if let Some(applies) = &indicator.applies
        && !condition("applies", applies)?
    {
        return Ok(row(None, Status::NotApplicable, &indicator.not_applicable_note));
    }
    let compiled = compile(env, format!("指标 `{id}` 的 value"), &indicator.value)?;
    let value = match compiled.run(context)? {
        Value::Null => return Ok(row(None, Status::NotMet, &indicator.missing_note)),
        Value::Float(number) => number,
        Value::Int(number) => number as f64,
        Value::UInt(number) => number as f64,
        Value::Bool(flag) => f64::from(u8::from(flag)),
        other => return Err(compiled.failure(format!("指标的值应为数字或条件，实为{}", type_name(&other)))),
    };
    if !value.is_finite() {
        return Err(compiled.failure(format!("指标的值 {value} 不是有限数（是否除以了零？请用 applies 排除）")));
    }
    let bound = match &indicator.threshold.parameter {
        Some(name) => match unit.params.get(name).and_then(serde_json::Value::as_f64) {
            Some(bound) => bound,
            None => indicator.threshold.value,
        },
        None => indicator.threshold.value,
    };
    let status = if indicator.threshold.op.holds(value, bound) { Status::Met } else { Status::NotMet };
    let note = match &indicator.note {
        None => String::new(),
        Some(source) => {
            let compiled = compile(env, format!("指标 `{id}` 的 note"), source)?;
            match compiled.run(context)? {
                Value::Null => String::new(),
                Value::String(text) => text.as_str().to_owned(),
                other => return Err(compiled.failure(format!("说明应为文本或 null，实为{}", type_name(&other)))),
            }
        }
    };
    Ok(row(Some(value), status, &note))
}

/// The level program's expressions, for checks that walk them all.
pub fn expressions(level: &LevelProgram) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    if let Some(members) = &level.members {
        out.extend(members.derived.iter().map(|derived| derived.expr.as_str()));
    }
    out.extend(level.derived.iter().map(|derived| derived.expr.as_str()));
    out.extend(level.checks.iter().map(|check| check.rule.as_str()));
    for indicator in &level.indicators {
        out.extend(indicator.reported.as_deref());
        out.extend(indicator.applies.as_deref());
        out.push(&indicator.value);
        out.extend(indicator.note.as_deref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Bound, Members};
    use rules_sdk::wire::Comparison;

    fn school(id: &str, students: i64, participants: Option<i64>) -> Record {
        let mut record = Record::new();
        record.insert("id".to_owned(), id.into());
        record.insert("name".to_owned(), format!("学校{id}").into());
        record.insert("students".to_owned(), students.into());
        record.insert("participants".to_owned(), participants.map_or(serde_json::Value::Null, Into::into));
        record
    }

    fn indicator(id: &str, value: &str, bound: f64) -> IndicatorProgram {
        IndicatorProgram {
            id: id.to_owned(),
            reported: None,
            applies: None,
            value: value.to_owned(),
            note: None,
            missing_note: "未填报".to_owned(),
            not_applicable_note: String::new(),
            threshold: Bound { op: Comparison::AtLeast, value: bound, parameter: None },
        }
    }

    fn run(level: LevelProgram, unit: Unit) -> Result<Outcome, EvalFailure> {
        let runtime = Runtime { county: None, defaults: Default::default(), levels: vec![level] };
        evaluate(&runtime, &environment(), &unit)
    }

    fn unit(level: Level, subject: Record, schools: Vec<Record>) -> Unit {
        let unit = Unit::new(level, &subject);
        if schools.is_empty() { unit } else { unit.with_members(Level::School, &schools) }
    }

    #[test]
    fn a_value_equal_to_its_threshold_meets_it_and_integers_divide_as_decimals() {
        // 420 / 600 is 0.7 only up to rounding; 0.7 meets `>= 0.7`. 7 / 2 is 3.5, not 3.
        let level = LevelProgram {
            level: Level::School,
            members: None,
            derived: Vec::new(),
            checks: Vec::new(),
            indicators: vec![indicator("rate", "participants / students", 0.7), indicator("half", "7 / 2", 3.5)],
        };
        let Ok(Outcome::Results(rows)) = run(level, unit(Level::School, school("S1", 600, Some(420)), Vec::new()))
        else {
            panic!("evaluates")
        };
        assert_eq!((rows[0].value, rows[0].status), (Some(0.7), Status::Met));
        assert_eq!((rows[1].value, rows[1].status), (Some(3.5), Status::Met));
    }

    #[test]
    fn aggregations_over_members_and_nulls_that_must_be_handled() {
        let level = LevelProgram {
            level: Level::County,
            members: Some(Members { level: Level::School, variable: "schools".to_owned(), derived: Vec::new() }),
            derived: Vec::new(),
            checks: Vec::new(),
            indicators: vec![
                indicator("share", "share(schools.map(s, coalesce(s.participants, 0) >= 100))", 1.0),
                indicator(
                    "pooled",
                    "sum(schools.map(s, coalesce(s.participants, 0))) / sum(schools.map(s, s.students))",
                    0.5,
                ),
                indicator(
                    "weighted",
                    "weighted_mean(schools.map(s, coalesce(s.participants, 0) / s.students), schools.map(s, s.students))",
                    0.5,
                ),
            ],
        };
        let schools = vec![school("A", 200, Some(150)), school("B", 100, None)];
        let Ok(Outcome::Results(rows)) = run(level.clone(), unit(Level::County, school("C", 0, None), schools.clone()))
        else {
            panic!("evaluates")
        };
        assert_eq!((rows[0].value, rows[0].status), (Some(0.5), Status::NotMet));
        assert_eq!((rows[1].value, rows[1].status), (Some(0.5), Status::Met));
        assert_eq!(rows[2].value, Some(0.5));
        // A null in a sum is an error naming the function, not a silent zero.
        let mut strict = level;
        strict.indicators = vec![indicator("strict", "sum(schools.map(s, s.participants))", 1.0)];
        let failure = run(strict, unit(Level::County, school("C", 0, None), schools)).expect_err("null in sum");
        assert!(failure.message.contains("函数 sum()") && failure.message.contains("空值"), "{failure}");
    }

    #[test]
    fn integer_literals_become_decimals_outside_strings() {
        assert_eq!(
            decimalize("a / 2 + 1.5 + 'x 3' + b2 + 1e3 + 0x1F + 3u").0,
            "a / 2.0 + 1.5 + 'x 3' + b2 + 1e3 + 0x1F + 3u"
        );
        let (text, map) = decimalize("x >= 10");
        assert_eq!(text, "x >= 10.0");
        assert_eq!(map[text.len()], "x >= 10".len());
    }
}
