//! `dudao report`: runs a round and writes its reports, rectification list and results.json
//! into a folder.

use std::path::PathBuf;

use dudao_publish::report::{self as publish, PublishError, PublishOptions};
use rules_sdk::wire::Level;

use crate::inputs::{RunArgs, evaluate_with_progress};
use rust_i18n::t;

use crate::{Exit, Failure, errors};

/// Arguments of `dudao report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: RunArgs,
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
    /// Write only this county's documents (its report and supervision orders), by its code.
    #[arg(long, value_name = "CODE")]
    county: Option<String>,
    /// Also write one document per zone (督学责任区) and/or per school, into `zones/` and
    /// `schools/<county>/` (`--units zone,school`).
    #[arg(long, value_name = "LEVEL", value_delimiter = ',')]
    units: Vec<UnitLevel>,
    /// Also print every HTML document to PDF (A4) with a headless Chromium.
    #[arg(long)]
    pdf: bool,
    /// The Chromium to print PDFs with (default: /usr/bin/chromium or `chromium` on PATH).
    #[arg(long, value_name = "PATH", requires = "pdf")]
    chromium: Option<PathBuf>,
    /// The round's date (YYYY-MM-DD); required unless the plan sets `date`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
}

/// A level below the county that can get a document per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum UnitLevel {
    /// Each zone (督学责任区): its schools, findings, rectification list and orders.
    Zone,
    /// Each school: its results, findings, rectification list and orders.
    School,
}

fn publish_failure(error: PublishError) -> Failure {
    match error {
        PublishError::Write { .. } | PublishError::Workbook(_) | PublishError::Document(_) => {
            Failure::unexpected(error)
        }
        other => Failure::bad_input(other),
    }
}

/// Runs the round and writes every report.
pub fn report(args: Args) -> Result<Exit, Failure> {
    if let Some(date) = &args.date
        && !dudao_engine::plan::is_date(date)
    {
        return Err(publish_failure(PublishError::BadDate(date.clone())));
    }
    if !args.inputs.has_plan() && args.date.is_none() {
        return Err(publish_failure(PublishError::NoDate));
    }
    let outputs: Vec<PathBuf> = publish::FILES.iter().map(|name| args.out_dir.join(name)).collect();
    let mut inputs = args.inputs.input_files();
    inputs.extend(args.previous.clone());
    crate::guard::refuse_overwrite(&outputs, &inputs)?;
    let previous = match &args.previous {
        Some(path) => Some((path.clone(), publish::read_previous(path).map_err(publish_failure)?)),
        None => None,
    };
    let chromium = if args.pdf {
        Some(crate::pdf::find_chromium(args.chromium.as_deref()).map_err(Failure::bad_input)?)
    } else {
        None
    };
    let (evaluation, round) = evaluate_with_progress(&args.inputs)?;
    let options = PublishOptions { date: args.date.clone(), public: args.public, previous };
    let report = publish::build(&evaluation, round.as_ref(), &options).map_err(publish_failure)?;
    let scope = match &args.county {
        None => publish::Scope::All,
        Some(code) => publish::Scope::County(report.county_index(code).ok_or_else(|| {
            let known: Vec<String> =
                report.level(Level::County).iter().map(|county| format!("{} {}", county.id, county.name)).collect();
            Failure::bad_input(anyhow::anyhow!(
                t!("report.no_county", code = code, known = known.join(&t!("common.list_separator"))).into_owned()
            ))
        })?),
    };
    let units = args
        .units
        .iter()
        .map(|unit| match unit {
            UnitLevel::Zone => Level::Zone,
            UnitLevel::School => Level::School,
        })
        .collect();
    let documents = publish::Documents { scope, units };
    let written =
        publish::write_all(&args.out_dir, &report, &evaluation, round.as_ref(), &documents).map_err(publish_failure)?;
    for path in &written {
        crate::ui::info(t!("common.wrote", path = path.display()));
    }
    if let Some(chromium) = &chromium {
        for html in written.iter().filter(|path| path.extension().is_some_and(|ext| ext == "html")) {
            let pdf = html.with_extension("pdf");
            crate::pdf::print(chromium, html, &pdf).map_err(Failure::unexpected)?;
            crate::ui::info(t!("common.wrote", path = pdf.display()));
        }
    }
    if let Some(overview) = written.iter().find(|path| path.file_name().is_some_and(|name| name == "report.html")) {
        crate::ui::info(t!("report.next", path = overview.display()));
    }
    let failures = evaluation.failures();
    if failures.is_empty() {
        return Ok(Exit::Success);
    }
    for failure in &failures {
        crate::ui::error(errors::subject_failure(failure));
    }
    eprintln!("{}", t!("report.failed_summary", failed = failures.len(), total = evaluation.outcomes.len()));
    Ok(Exit::SubjectsFailed)
}
