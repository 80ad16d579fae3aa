//! How the libraries' typed errors are shown: each variant through the message catalogue
//! (`locales/cli.toml`), in the language in force, with what to do next. The libraries keep
//! their own (English) `Display`; the technical detail they carry (a validator's or parser's
//! message, a list of problems) is shown inside the catalogue's sentence as it is.

use dudao_authoring::build::BuildError;
use dudao_authoring::scaffold::ScaffoldError;
use dudao_dataset::{DataErrors, DatasetError};
use dudao_engine::accept::AcceptError;
use dudao_engine::casetest::CaseError;
use dudao_engine::declarative::DeclarativeError;
use dudao_engine::impact::ImpactError;
use dudao_engine::impact::scoped::ScopeError;
use dudao_engine::pack::PackError;
use dudao_engine::plan::PlanError;
use dudao_engine::round::RunError;
use dudao_engine::sandbox::{EvalError, StopReason, SubjectFailure};
use dudao_publish::report::PublishError;
use rules_sdk::Level;
use rust_i18n::t;

use crate::lang;

/// How many data problems are printed before the rest are only counted.
pub const SHOWN_DATA_ERRORS: usize = 200;

/// The message of a failed command: the first typed error of the chain the catalogue knows,
/// else the error's own text (messages the command line made itself are already localised).
pub fn describe(error: &anyhow::Error) -> String {
    for cause in error.chain() {
        if let Some(text) = describe_typed(cause) {
            return text;
        }
    }
    error.to_string()
}

fn describe_typed(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(error) = error.downcast_ref::<RunError>() {
        return Some(run(error));
    }
    if let Some(error) = error.downcast_ref::<PackError>() {
        return Some(pack(error));
    }
    if let Some(error) = error.downcast_ref::<PlanError>() {
        return Some(plan(error));
    }
    if let Some(error) = error.downcast_ref::<DatasetError>() {
        return Some(dataset(error));
    }
    if let Some(error) = error.downcast_ref::<DataErrors>() {
        return Some(error.render(SHOWN_DATA_ERRORS, lang()));
    }
    if let Some(error) = error.downcast_ref::<ScopeError>() {
        return Some(scope(error));
    }
    if let Some(error) = error.downcast_ref::<ImpactError>() {
        return Some(impact(error));
    }
    if let Some(error) = error.downcast_ref::<CaseError>() {
        return Some(case(error));
    }
    if let Some(error) = error.downcast_ref::<AcceptError>() {
        return Some(accept(error));
    }
    if let Some(error) = error.downcast_ref::<BuildError>() {
        return Some(build(error));
    }
    if let Some(error) = error.downcast_ref::<DeclarativeError>() {
        return Some(declarative(error));
    }
    if let Some(error) = error.downcast_ref::<ScaffoldError>() {
        return Some(scaffold(error));
    }
    if let Some(error) = error.downcast_ref::<PublishError>() {
        return Some(publish(error));
    }
    None
}

/// An I/O error's reason: the common kinds in the catalogue's words, others as the system says.
pub fn io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => t!("io.not_found").into_owned(),
        ErrorKind::PermissionDenied => t!("io.permission_denied").into_owned(),
        ErrorKind::NotADirectory => t!("io.not_a_directory").into_owned(),
        ErrorKind::IsADirectory => t!("io.is_a_directory").into_owned(),
        ErrorKind::AlreadyExists => t!("io.already_exists").into_owned(),
        _ => error.to_string(),
    }
}

/// Items as an indented list, one per line (each after a newline).
fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

fn run(error: &RunError) -> String {
    match error {
        RunError::Plan(error) => plan(error),
        RunError::Pack(error) => pack(error),
        RunError::Dataset(error) => dataset(error),
        RunError::Data(errors) => errors.render(SHOWN_DATA_ERRORS, lang()),
        RunError::DuplicatePack(id) => t!("pack.duplicate", id = id).into_owned(),
        other => other.to_string(),
    }
}

/// A dataset that cannot be read: the I/O reason in the catalogue's words, the rest as the
/// dataset crate renders it (its own stable codes).
fn dataset(error: &DatasetError) -> String {
    match error {
        DatasetError::Io { path, source } => {
            t!("dataset.read", path = path.display(), reason = io(source)).into_owned()
        }
        other => other.render(lang()),
    }
}

/// A pack that cannot be used.
pub fn pack(error: &PackError) -> String {
    match error {
        PackError::Read { path, source } => t!("pack.read", path = path.display(), reason = io(source)).into_owned(),
        PackError::TooLarge { path, size, limit } => {
            t!("pack.too_large", path = path.display(), size = size, limit = limit).into_owned()
        }
        PackError::NotWasm { path, message } => {
            t!("pack.not_wasm", path = path.display(), detail = message).into_owned()
        }
        PackError::Wat { path, message } => t!("pack.wat", path = path.display(), detail = message).into_owned(),
        PackError::Declarative(error) => declarative(error),
        PackError::Abi { path, violations } => {
            t!("pack.abi", path = path.display(), list = list(violations)).into_owned()
        }
        PackError::AbiVersion { path, found, supported } => {
            t!("pack.abi_version", path = path.display(), found = found, supported = supported.major).into_owned()
        }
        PackError::Describe { path, error } => {
            t!("pack.describe", path = path.display(), detail = eval(error)).into_owned()
        }
        PackError::Limit { path, error } => t!("pack.limit", path = path.display(), detail = error).into_owned(),
        PackError::Manifest { path, problems } => {
            t!("pack.manifest", path = path.display(), list = list(problems)).into_owned()
        }
        other => other.to_string(),
    }
}

fn plan(error: &PlanError) -> String {
    match error {
        PlanError::Read { path, source } => t!("plan.read", path = path.display(), reason = io(source)).into_owned(),
        PlanError::Syntax { path, message } => t!("plan.syntax", path = path.display(), detail = message).into_owned(),
        PlanError::Invalid { path, problems } => {
            t!("plan.invalid", path = path.display(), list = list(problems)).into_owned()
        }
        PlanError::PinMismatch { plan, pack, expected, found } => {
            t!("plan.pin_mismatch", pack = pack.display(), plan = plan.display(), expected = expected, found = found)
                .into_owned()
        }
        PlanError::Layering { pack, problems } => t!("plan.layering", pack = pack, list = list(problems)).into_owned(),
        other => other.to_string(),
    }
}

fn scope(error: &ScopeError) -> String {
    match error {
        ScopeError::Plan(error) => plan(error),
        ScopeError::NotInPlan { plan, pack, known } => {
            t!("plan.not_in_plan", plan = plan.display(), pack = pack, known = known).into_owned()
        }
        other => other.to_string(),
    }
}

fn impact(error: &ImpactError) -> String {
    match error {
        ImpactError::DifferentPacks { old, old_path, new, new_path } => t!(
            "diff.different_packs",
            old = old,
            old_path = old_path.display(),
            new = new,
            new_path = new_path.display()
        )
        .into_owned(),
        ImpactError::Data { which, path, errors } => {
            let which = if *which == "old" { t!("diff.old") } else { t!("diff.new") };
            t!("diff.data", which = which, path = path.display(), detail = errors.render(SHOWN_DATA_ERRORS, lang()))
                .into_owned()
        }
        other => other.to_string(),
    }
}

/// A case that cannot be run.
pub fn case(error: &CaseError) -> String {
    match error {
        CaseError::Folder { path, source } => {
            t!("test.cases_folder", path = path.display(), reason = io(source)).into_owned()
        }
        CaseError::NoCases { path } => t!("test.no_cases", path = path.display()).into_owned(),
        CaseError::Dataset { case, path, found } => {
            t!("test.case_dataset", case = case, path = path.display(), found = found).into_owned()
        }
        CaseError::Expected { path, row, column, value, message } => {
            let mut place = path.display().to_string();
            if let Some(row) = row {
                place.push_str(&t!("test.where_row", row = row));
            }
            if let Some(column) = column {
                place.push_str(&t!("test.where_column", column = column));
            }
            if let Some(value) = value {
                place.push_str(&t!("test.where_value", value = value));
            }
            t!("test.case_expected", place = place, detail = message).into_owned()
        }
        CaseError::Data { case, message } => t!("test.case_data", case = case, detail = message).into_owned(),
        other => other.to_string(),
    }
}

fn accept(error: &AcceptError) -> String {
    match error {
        AcceptError::Data { case, message } => t!("test.accept_data", case = case, detail = message).into_owned(),
        AcceptError::Write { path, source } => {
            t!("common.cannot_write", path = path.display(), reason = io(source)).into_owned()
        }
        other => other.to_string(),
    }
}

fn build(error: &BuildError) -> String {
    match error {
        BuildError::NotACrate { path } => t!("build.not_a_crate", path = path.display()).into_owned(),
        BuildError::Cargo(source) => t!("build.cargo", reason = io(source)).into_owned(),
        BuildError::MissingTarget => t!("build.missing_target").into_owned(),
        BuildError::Failed { path } => t!("build.failed", path = path.display()).into_owned(),
        BuildError::NoModule { path } => t!("build.no_module", path = path.display()).into_owned(),
        BuildError::Copy { path, source } => t!("build.copy", path = path.display(), reason = io(source)).into_owned(),
        other => other.to_string(),
    }
}

fn declarative(error: &DeclarativeError) -> String {
    match error {
        DeclarativeError::Read { path, source } => {
            t!("build.declarative_read", path = path.display(), reason = io(source)).into_owned()
        }
        DeclarativeError::Spec(problems) => t!("build.declarative_problems", detail = problems).into_owned(),
        DeclarativeError::Patch { path, message } => {
            t!("build.declarative_patch", path = path.display(), detail = message).into_owned()
        }
        DeclarativeError::Write { path, source } => {
            t!("common.cannot_write", path = path.display(), reason = io(source)).into_owned()
        }
        other => other.to_string(),
    }
}

fn scaffold(error: &ScaffoldError) -> String {
    match error {
        ScaffoldError::Name { name, reason } => t!("new.bad_name", name = name, reason = reason).into_owned(),
        ScaffoldError::County { code } => t!("new.bad_county", code = code).into_owned(),
        ScaffoldError::Sdk { path } => t!("new.no_sdk", path = path.display()).into_owned(),
        ScaffoldError::Exists { path } => t!("new.exists", path = path.display()).into_owned(),
        ScaffoldError::Write { path, source } => {
            t!("common.cannot_write", path = path.display(), reason = io(source)).into_owned()
        }
        other => other.to_string(),
    }
}

fn publish(error: &PublishError) -> String {
    match error {
        PublishError::NoDate => t!("report.no_date").into_owned(),
        PublishError::BadDate(date) => t!("report.bad_date", date = date).into_owned(),
        PublishError::PreviousRead { path, source } => {
            t!("report.previous_read", path = path.display(), reason = io(source)).into_owned()
        }
        PublishError::PreviousNotEarlier { path, message } => {
            t!("report.previous_not_earlier", path = path.display(), detail = message).into_owned()
        }
        PublishError::PreviousInvalid { path, message } => {
            t!("report.previous_invalid", path = path.display(), detail = message).into_owned()
        }
        PublishError::Document(detail) => t!("report.document", detail = detail).into_owned(),
        PublishError::Workbook(detail) => t!("report.workbook", detail = detail).into_owned(),
        PublishError::Write { path, source } => {
            t!("common.cannot_write", path = path.display(), reason = io(source)).into_owned()
        }
        other => other.to_string(),
    }
}

/// What went wrong in one evaluation, by its stable kind.
pub fn eval(error: &EvalError) -> String {
    match error {
        EvalError::OutOfFuel { budget } => t!("eval.out_of_fuel", budget = budget).into_owned(),
        EvalError::Deadline { millis } => t!("eval.deadline", millis = millis).into_owned(),
        EvalError::MemoryLimit { limit, .. } => {
            t!("eval.memory_limit", limit = format!("{:.1}", *limit as f64 / 1_048_576.0)).into_owned()
        }
        EvalError::StackOverflow => t!("eval.stack_overflow").into_owned(),
        EvalError::Panic { message } => t!("eval.panic", message = message).into_owned(),
        EvalError::Trap { message } => t!("eval.trap", message = message).into_owned(),
        EvalError::Refused { message } => t!("eval.refused", message = message).into_owned(),
        EvalError::Stopped { reason } => stop(reason),
        other => t!("eval.other", detail = other, kind = other.kind()).into_owned(),
    }
}

/// Why a pack was stopped for the rest of a run.
pub fn stop(reason: &StopReason) -> String {
    match reason {
        StopReason::RepeatedFailure { kind, count } => {
            t!("eval.stop_repeated", kind = kind, count = count).into_owned()
        }
        StopReason::Fuel { budget } => t!("eval.stop_fuel", budget = budget).into_owned(),
        StopReason::Results { limit } => t!("eval.stop_results", limit = limit).into_owned(),
        StopReason::Time { seconds } => t!("eval.stop_time", seconds = seconds).into_owned(),
        other => other.to_string(),
    }
}

/// A level's name (`county`, `县（市、区）`).
pub fn level(level: Level) -> String {
    match level {
        Level::City => t!("level.city"),
        Level::County => t!("level.county"),
        Level::Zone => t!("level.zone"),
        Level::School => t!("level.school"),
    }
    .into_owned()
}

/// One failed evaluation: the pack, the subject and what happened.
pub fn subject_failure(failure: &SubjectFailure) -> String {
    t!(
        "eval.failure",
        pack = failure.pack,
        level = level(failure.level),
        subject = failure.subject,
        detail = eval(&failure.error)
    )
    .into_owned()
}

/// A file the command could not write.
pub fn cannot_write(path: &std::path::Path, error: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(t!("common.cannot_write", path = path.display(), reason = io(error)).into_owned())
}
