//! `dudao run --pack PACK.wasm … --data DATASET`: evaluates a dataset.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::anyhow;
use dudao::dataset::{self, Dataset};
use dudao::evaluate::{self, RunOptions};
use dudao::pack::LoadedPack;
use dudao::report;
use dudao::sandbox::Sandbox;

use super::{Exit, Failure, LimitArgs, emit};

/// How many data problems are printed before the rest are only counted.
const SHOWN_DATA_ERRORS: usize = 200;

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A readable summary for a terminal.
    Table,
    /// Results nested by subject, with pack and dataset digests for audit.
    Json,
    /// The flat results table (pack_id, subject_id, indicator_id, value, status, …).
    Csv,
}

/// Arguments of `dudao run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A pack module (`.wasm`); repeat for several packs.
    #[arg(long = "pack", value_name = "PACK.wasm", required = true)]
    packs: Vec<PathBuf>,
    /// The dataset: a folder of CSV files (counties.csv, schools.csv) or a `.json` file.
    #[arg(long, value_name = "DATASET")]
    data: PathBuf,
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

/// Loads the packs and the dataset, validates, evaluates and writes the results.
pub fn run(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let mut packs = Vec::with_capacity(args.packs.len());
    let mut ids = BTreeSet::new();
    for path in &args.packs {
        let pack = LoadedPack::load(&sandbox, path).map_err(Failure::bad_input)?;
        if !ids.insert(pack.manifest.id.clone()) {
            return Err(Failure::bad_input(anyhow!(
                "pack id `{}` is given twice (`{}`); each pack may run once",
                pack.manifest.id,
                path.display()
            )));
        }
        packs.push(pack);
    }
    let data = Dataset::load(&args.data).map_err(Failure::bad_input)?;
    let manifests: Vec<_> = packs.iter().map(|pack| &pack.manifest).collect();
    let prepared = dataset::prepare(&data, &manifests).map_err(|mut errors| {
        let hidden = errors.0.len().saturating_sub(SHOWN_DATA_ERRORS);
        let total = errors.0.len();
        errors.0.truncate(SHOWN_DATA_ERRORS);
        let mut message = errors.to_string();
        if hidden > 0 {
            message =
                message.replacen(&format!("has {SHOWN_DATA_ERRORS} problems"), &format!("has {total} problems"), 1);
            message.push_str(&format!("\n  … and {hidden} more"));
        }
        Failure::bad_input(anyhow!(message))
    })?;
    let evaluation = evaluate::evaluate(&sandbox, &packs, &data, prepared, RunOptions { threads: args.threads });
    if args.verbose {
        for outcome in &evaluation.outcomes {
            let subject = evaluation.prepared.subject(outcome.level, outcome.subject);
            for line in &outcome.logs {
                eprintln!("[{} {}] {line}", evaluation.packs[outcome.pack].id, subject.id);
            }
        }
    }
    let text = match args.format {
        Format::Table => report::table(&evaluation),
        Format::Json => report::json(&evaluation),
        Format::Csv => report::csv(&evaluation),
    };
    emit(args.output.as_ref(), &text)?;
    let failures = evaluation.failures();
    if failures.is_empty() {
        return Ok(Exit::Success);
    }
    if args.format != Format::Table || args.output.is_some() {
        for failure in &failures {
            eprintln!("error: {failure}");
        }
    }
    eprintln!(
        "{} of {} evaluations failed in the sandbox; their results have status `error`",
        failures.len(),
        evaluation.outcomes.len()
    );
    Ok(Exit::SubjectsFailed)
}
