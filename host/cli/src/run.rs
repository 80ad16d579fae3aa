//! `dudao run`: evaluates a dataset with packs (`--pack …`) or a round (`--plan PLAN`).

use std::path::PathBuf;

use dudao_publish::results as report;

use crate::inputs::{RunArgs, evaluate_streaming, evaluate_with_progress};
use dudao_engine::evaluate::{Evaluation, Finished, Stretch};
use dudao_engine::round::Round;
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

/// Loads, validates and evaluates, writing the results table while units finish: a thread
/// writes each stretch of final outcomes (formatted on the thread pool while the next units
/// run), and the roll-ups follow the last unit. Nothing is written when the run cannot start;
/// a file is replaced only when the whole table is written.
fn evaluate_into_csv(args: &Args) -> Result<(Evaluation, Option<Round>), Failure> {
    let mut evaluated = None;
    let written = emit_with(args.output.as_ref(), |out| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        // The table is the only reader of the results and the cards' trees: once a stretch's
        // rows are formatted the run keeps only what the roll-ups, totals and failures read.
        let finished = Finished::new(move |stretch: Stretch<'_>| {
            let cards: Vec<_> = stretch.cards.iter().map(Option::as_ref).collect();
            let mut rows = Vec::new();
            report::write_outcome_rows(stretch.packs, stretch.prepared, stretch.outcomes, &cards, &mut rows)
                .expect("writing to memory");
            // The writer stops at an I/O error, which it reports; the run goes on.
            let _ = sender.send(rows);
        })
        .sole_reader();
        let (result, header) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| -> std::io::Result<bool> {
                let mut header = false;
                for rows in receiver {
                    if !header {
                        out.write_all(&report::csv_header())?;
                        header = true;
                    }
                    out.write_all(&rows)?;
                }
                Ok(header)
            });
            // `finished` (and every sender) is dropped when the evaluation returns, which ends
            // the writer's loop.
            let result = evaluate_streaming(&args.inputs, Some(finished));
            (result, writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        let result = evaluated.insert(result);
        let Ok((evaluation, _)) = result else {
            return Err(std::io::Error::other("the run did not start"));
        };
        if !header? {
            out.write_all(&report::csv_header())?;
        }
        report::write_rollup_rows(evaluation, out)?;
        out.flush()
    });
    let evaluated = evaluated.expect("the table's writer always runs")?;
    written?;
    Ok(evaluated)
}

/// Loads, validates, evaluates and writes the results.
pub fn run(args: Args) -> Result<Exit, Failure> {
    if let Some(output) = &args.output {
        crate::guard::refuse_overwrite(std::slice::from_ref(output), &args.inputs.input_files())?;
    }
    let (evaluation, round) = match args.format {
        // The results table is the one output that grows with the dataset: written while units
        // finish, a stretch of rows at a time, never held whole.
        Format::Csv => evaluate_into_csv(&args)?,
        _ => evaluate_with_progress(&args.inputs)?,
    };
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
        Format::Csv => {}
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
