//! `dudao run`: evaluates a dataset with packs (`--pack …`) or a round (`--plan PLAN`).

use std::path::PathBuf;

use dudao_publish::results as report;

use crate::inputs::{RunArgs, evaluate_with_progress};
use rust_i18n::t;

use crate::{Exit, Failure, emit, emit_with, errors};

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A readable summary for a terminal (`table` is accepted too).
    #[value(alias = "table")]
    Text,
    /// Results nested by subject, with scores, pack and dataset digests for audit.
    Json,
    /// The flat results table (pack_id, subject_id, indicator_id, value, status, …).
    Csv,
    /// The flat scores table: every scored node and total per pack and subject, with grades.
    Scores,
}

/// Arguments of `dudao run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the packs' log lines to standard error.
    #[arg(long, short)]
    verbose: bool,
}

/// Loads, validates, evaluates and writes the results.
pub fn run(args: Args) -> Result<Exit, Failure> {
    if let Some(output) = &args.output {
        crate::guard::refuse_overwrite(std::slice::from_ref(output), &args.inputs.input_files())?;
    }
    let (evaluation, round) = evaluate_with_progress(&args.inputs)?;
    // The process ends after this command: its memory goes back to the system at once, where
    // freeing a national run's outcomes and records one by one takes seconds.
    let evaluation = std::mem::ManuallyDrop::new(evaluation);
    if args.verbose {
        for outcome in &evaluation.outcomes {
            let subject = evaluation.prepared.subject(outcome.level, outcome.subject);
            for line in &outcome.logs {
                let pack = &evaluation.packs[outcome.pack].info.id;
                eprintln!("{}", t!("run.log", pack = pack, subject = subject.id, line = line));
            }
        }
    }
    match args.format {
        // The results table is the one output that grows with the dataset: written a row at a
        // time, never held whole.
        Format::Csv => emit_with(args.output.as_ref(), |out| report::write_csv(&evaluation, out))?,
        Format::Text => emit(args.output.as_ref(), &report::table(&evaluation, round.as_ref()))?,
        Format::Json => emit(args.output.as_ref(), &report::json(&evaluation, round.as_ref()))?,
        Format::Scores => emit(args.output.as_ref(), &report::scores_csv(&evaluation, round.as_ref()))?,
    }
    if let Some(path) = &args.output {
        crate::ui::info(t!("common.wrote", path = path.display()));
    }
    let failures = evaluation.failures();
    if failures.is_empty() {
        return Ok(Exit::Success);
    }
    if args.format != Format::Text || args.output.is_some() {
        // A stopped pack is one error, with the number of evaluations it left undone.
        let mut stopped: Vec<(&str, String, usize)> = Vec::new();
        for failure in &failures {
            match &failure.error {
                dudao_engine::sandbox::EvalError::Stopped { reason } => {
                    match stopped.iter_mut().find(|(pack, _, _)| *pack == failure.pack) {
                        Some((_, _, count)) => *count += 1,
                        None => stopped.push((&failure.pack, errors::stop(reason), 1)),
                    }
                }
                _ => crate::ui::error(errors::subject_failure(failure)),
            }
        }
        for (pack, reason, count) in stopped {
            crate::ui::error(t!("eval.stopped", pack = pack, reason = reason, count = count));
        }
    }
    eprintln!("{}", t!("eval.summary", failed = failures.len(), total = evaluation.outcomes.len()));
    Ok(Exit::SubjectsFailed)
}
