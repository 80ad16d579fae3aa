//! `dudao report`: runs a round and writes its reports, rectification list and results.json
//! into a folder.

use std::path::PathBuf;

use anyhow::anyhow;
use dudao::evaluate::Progress;
use dudao::publish::{self, PublishError, PublishOptions};
use dudao::round;

use super::run::failure;
use super::{Exit, Failure, LimitArgs};

/// Arguments of `dudao report`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["packs", "plan"])))]
pub struct Args {
    /// An evaluation plan (TOML).
    #[arg(long, value_name = "PLAN.toml", conflicts_with = "packs")]
    plan: Option<PathBuf>,
    /// A pack module instead of a plan; repeat for several packs.
    #[arg(long = "pack", value_name = "PACK.wasm")]
    packs: Vec<PathBuf>,
    /// The dataset: a folder of CSV files, a `.json` file or a `.xlsx` workbook.
    #[arg(long, value_name = "DATASET")]
    data: PathBuf,
    /// The previous period's dataset, for value-added indicators (overrides the plan's).
    #[arg(long, value_name = "DATASET")]
    previous_data: Option<PathBuf>,
    /// Where to write results.json, report.html, report.md, report.xlsx and rectification.csv.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// The previous round's results.json (from `dudao report`), for the follow-up (回头看).
    #[arg(long, value_name = "results.json")]
    previous: Option<PathBuf>,
    /// Write the public version: indicators the plan lists as `not_public` are left out (and
    /// results.json is not written).
    #[arg(long)]
    public: bool,
    /// The round's date (YYYY-MM-DD); required unless the plan sets `date`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Worker threads (default: one per core). Results are identical for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// A progress bar on standard error when it is a terminal; nothing otherwise (tests, CI).
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} 评估 {bar:40} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    Some(bar)
}

fn publish_failure(error: PublishError) -> Failure {
    match error {
        PublishError::Write { .. } | PublishError::Workbook(_) => Failure::unexpected(error),
        other => Failure::bad_input(other),
    }
}

/// Runs the round and writes every report.
pub fn report(args: Args) -> Result<Exit, Failure> {
    if let Some(date) = &args.date
        && !dudao::plan::is_date(date)
    {
        return Err(publish_failure(PublishError::BadDate(date.clone())));
    }
    if args.plan.is_none() && args.date.is_none() {
        return Err(publish_failure(PublishError::NoDate));
    }
    let previous = args.previous.as_deref().map(publish::read_previous).transpose().map_err(publish_failure)?;
    let bar = progress_bar();
    let (evaluation, round) = match &args.plan {
        Some(plan) => {
            let progress = bar.clone().map(|bar| {
                Progress(std::sync::Arc::new(move |done: usize, total: usize| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                }))
            });
            let result =
                round::run_plan_with_progress(plan, &args.data, args.previous_data.as_deref(), args.threads, progress);
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let (evaluation, round) = result.map_err(failure)?;
            (evaluation, Some(round))
        }
        None => (
            round::run_packs(
                args.limits.limits(),
                &args.packs,
                &args.data,
                args.previous_data.as_deref(),
                args.threads,
            )
            .map_err(failure)?,
            None,
        ),
    };
    let options = PublishOptions { date: args.date.clone(), public: args.public, previous };
    let report = publish::build(&evaluation, round.as_ref(), &options).map_err(publish_failure)?;
    let written = publish::write_all(&args.out_dir, &report, &evaluation, round.as_ref()).map_err(publish_failure)?;
    for path in &written {
        eprintln!("wrote {}", path.display());
    }
    let failures = evaluation.failures();
    if failures.is_empty() {
        return Ok(Exit::Success);
    }
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    eprintln!("{}", anyhow!("{} of {} evaluations failed in the sandbox", failures.len(), evaluation.outcomes.len()));
    Ok(Exit::SubjectsFailed)
}
