//! `dudao run`: evaluates a dataset with packs (`--pack …`) or a round (`--plan PLAN`).

use std::path::PathBuf;

use anyhow::anyhow;
use dudao::report;
use dudao::round::{self, RunError};

use super::{Exit, Failure, LimitArgs, emit};

/// How many data problems are printed before the rest are only counted.
const SHOWN_DATA_ERRORS: usize = 200;

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A readable summary for a terminal.
    Table,
    /// Results nested by subject, with scores, pack and dataset digests for audit.
    Json,
    /// The flat results table (pack_id, subject_id, indicator_id, value, status, …).
    Csv,
    /// The flat scores table: every scored node and total per pack and subject, with grades.
    Scores,
}

/// Arguments of `dudao run`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["packs", "plan"])))]
pub struct Args {
    /// A pack module (`.wasm` or `.wat`); repeat for several packs.
    #[arg(long = "pack", value_name = "PACK.wasm")]
    packs: Vec<PathBuf>,
    /// An evaluation plan (TOML): packs with sha256 pins, scopes, parameters, grades, sampling.
    #[arg(long, value_name = "PLAN.toml", conflicts_with = "packs")]
    plan: Option<PathBuf>,
    /// The dataset: a folder of CSV files (counties.csv, schools.csv, …) or a `.json` file.
    #[arg(long, value_name = "DATASET")]
    data: PathBuf,
    /// The previous period's dataset, for value-added indicators (overrides the plan's).
    #[arg(long, value_name = "DATASET")]
    previous_data: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core). Results are identical for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print the packs' log lines to standard error.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

pub(super) fn failure(error: RunError) -> Failure {
    match error {
        RunError::Sandbox(error) => Failure::unexpected(error),
        RunError::Data(mut errors) => {
            let total = errors.0.len();
            let hidden = total.saturating_sub(SHOWN_DATA_ERRORS);
            errors.0.truncate(SHOWN_DATA_ERRORS);
            let mut message = errors.to_string();
            if hidden > 0 {
                message =
                    message.replacen(&format!("has {SHOWN_DATA_ERRORS} problems"), &format!("has {total} problems"), 1);
                message.push_str(&format!("\n  … and {hidden} more"));
            }
            Failure::bad_input(anyhow!(message))
        }
        other => Failure::bad_input(other),
    }
}

/// Loads, validates, evaluates and writes the results.
pub fn run(args: Args) -> Result<Exit, Failure> {
    let (evaluation, round) = match &args.plan {
        Some(plan) => {
            let (evaluation, round) =
                round::run_plan(plan, &args.data, args.previous_data.as_deref(), args.threads).map_err(failure)?;
            (evaluation, Some(round))
        }
        None => {
            let evaluation = round::run_packs(
                args.limits.limits(),
                &args.packs,
                &args.data,
                args.previous_data.as_deref(),
                args.threads,
            )
            .map_err(failure)?;
            (evaluation, None)
        }
    };
    if args.verbose {
        for outcome in &evaluation.outcomes {
            let subject = evaluation.prepared.subject(outcome.level, outcome.subject);
            for line in &outcome.logs {
                eprintln!("[{} {}] {line}", evaluation.packs[outcome.pack].id, subject.id);
            }
        }
    }
    let text = match args.format {
        Format::Table => report::table(&evaluation, round.as_ref()),
        Format::Json => report::json(&evaluation, round.as_ref()),
        Format::Csv => report::csv(&evaluation),
        Format::Scores => report::scores_csv(&evaluation, round.as_ref()),
    };
    emit(args.output.as_ref(), &text)?;
    let failures = evaluation.failures();
    if failures.is_empty() {
        return Ok(Exit::Success);
    }
    if args.format != Format::Table || args.output.is_some() {
        // A stopped pack is one error, with the number of evaluations it left undone.
        let mut stopped: Vec<(&str, String, usize)> = Vec::new();
        for failure in &failures {
            match &failure.error {
                dudao::sandbox::EvalError::Stopped { reason } => {
                    match stopped.iter_mut().find(|(pack, _, _)| *pack == failure.pack) {
                        Some((_, _, count)) => *count += 1,
                        None => stopped.push((&failure.pack, reason.to_string(), 1)),
                    }
                }
                _ => eprintln!("error: {failure}"),
            }
        }
        for (pack, reason, count) in stopped {
            eprintln!("error: pack `{pack}`: {reason}; {count} evaluations were not run");
        }
    }
    eprintln!(
        "{} of {} evaluations failed in the sandbox; their results have status `error`",
        failures.len(),
        evaluation.outcomes.len()
    );
    Ok(Exit::SubjectsFailed)
}
