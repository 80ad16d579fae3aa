//! `dudao test PACK.wasm [--cases DIR]`: runs a pack's test cases through the sandbox and
//! reports each case, a diff of what disagrees, and indicator coverage.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use dudao_engine::casetest::{
    self, Case, CaseError, CaseReport, EXPECTED_FILE, IndicatorCoverage, Mismatch, MismatchKind,
};
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;
use dudao_publish::text::format_value;
use serde_json::json;

use super::{Exit, Failure, LimitArgs, TextOrJson, emit};

/// Exit statuses of `dudao test`.
pub const EXIT_CODES: &str = "Exit status:
  0  every case passed (and, with --require-coverage, every indicator was covered)
  1  some case failed (or an indicator was not covered, with --require-coverage)
  2  bad usage, an unusable pack, no cases, or a broken case (unreadable dataset or expected.csv)";

/// Arguments of `dudao test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack module (`.wasm`, or `.wat` text).
    pack: PathBuf,
    /// The folder of cases, one sub-folder per case with a dataset and `expected.csv`
    /// (default: `<crate>/cases` for a module in `<crate>/target/packs/`, else `cases/`
    /// beside the module).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Fail (exit 1) when some indicator never produced both `met` and `not_met`.
    #[arg(long)]
    require_coverage: bool,
    /// After showing the differences, write each failing case's actual results as its new
    /// `expected.csv` (also for a case folder that has none yet); review them with `git diff`.
    #[arg(long)]
    accept: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What happened to one case.
enum Outcome {
    Ran(CaseReport),
    Broken(String, CaseError),
}

/// Runs every case and reports.
pub fn test(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let pack = LoadedPack::load(&sandbox, &args.pack).map_err(Failure::bad_input)?;
    let cases_dir = match &args.cases {
        Some(dir) => dir.clone(),
        None => casetest::default_cases_dir(&args.pack).ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "no cases folder for `{}`: give one with `--cases DIR` (by default `cases/` of the crate when the module is in `<crate>/target/packs/`, else `cases/` beside the module)",
                args.pack.display()
            ))
        })?,
    };
    let folders = casetest::discover(&cases_dir).map_err(Failure::bad_input)?;
    let outcomes: Vec<Outcome> = folders
        .iter()
        .map(|folder| {
            let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            match Case::read(folder).and_then(|case| case.run(&sandbox, &pack)) {
                Ok(report) => Outcome::Ran(report),
                Err(error) => Outcome::Broken(name, error),
            }
        })
        .collect();
    let reports: Vec<CaseReport> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Ran(report) => Some(report.clone()),
            Outcome::Broken(..) => None,
        })
        .collect();
    let coverage = casetest::coverage(&pack.manifest, &reports);
    let passed = reports.iter().filter(|report| report.passed()).count();
    let failed = reports.len() - passed;
    let broken = outcomes.len() - reports.len();
    let uncovered = coverage.iter().filter(|indicator| !indicator.covered()).count();

    let text = match args.format {
        TextOrJson::Text => text_report(&pack, &cases_dir, &outcomes, &coverage, (passed, failed, broken)),
        TextOrJson::Json => json_report(&pack, &cases_dir, &outcomes, &coverage, (passed, failed, broken)),
    };
    emit(None, &text)?;
    if args.accept {
        return accept(&sandbox, &pack, &folders, &outcomes);
    }
    Ok(if broken > 0 {
        Exit::BadInput
    } else if failed > 0 || (args.require_coverage && uncovered > 0) {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// `--accept`: writes the actual results of every failing case (and of every case folder
/// without `expected.csv`) as its `expected.csv`.
fn accept(sandbox: &Sandbox, pack: &LoadedPack, folders: &[PathBuf], outcomes: &[Outcome]) -> Result<Exit, Failure> {
    let mut text = String::new();
    let mut still_broken = 0;
    for (folder, outcome) in folders.iter().zip(outcomes) {
        let wanted = match outcome {
            Outcome::Ran(report) => !report.passed(),
            Outcome::Broken(..) => !folder.join(EXPECTED_FILE).exists(),
        };
        if !wanted {
            if matches!(outcome, Outcome::Broken(..)) {
                still_broken += 1;
            }
            continue;
        }
        let Some(dataset) = dudao_engine::accept::dataset_of(folder) else {
            let _ = writeln!(
                text,
                "未接受 {}：用例文件夹中没有数据集（counties.csv 等，或一个 .json/.xlsx 文件）",
                folder.display()
            );
            still_broken += 1;
            continue;
        };
        match dudao_engine::accept::accept(folder, &dataset, sandbox, pack) {
            Ok((path, rows)) => {
                let _ = writeln!(text, "已接受：{}（{rows} 行）；请用 git diff 复核后提交", path.display());
            }
            Err(error) => {
                let _ = writeln!(text, "未接受：{error}");
                still_broken += 1;
            }
        }
    }
    if text.is_empty() {
        text.push_str("没有需要接受的用例：全部通过\n");
    }
    emit(None, &format!("\n{text}"))?;
    Ok(if still_broken > 0 { Exit::BadInput } else { Exit::Success })
}

/// "1 expected row", "3 expected rows".
fn rows(count: usize) -> String {
    format!("{count} expected row{}", if count == 1 { "" } else { "s" })
}

/// An expected or actual row as a CSV line of `expected.csv`'s columns.
fn line(subject: &str, indicator: &str, value: Option<f64>, status: &str) -> String {
    format!("{subject},{indicator},{},{status}", value.map(format_value).unwrap_or_default())
}

fn mismatch_lines(out: &mut String, mismatch: &Mismatch) {
    let subject = &mismatch.subject_id;
    let indicator = &mismatch.indicator_id;
    if let Some(expected) = &mismatch.expected {
        let _ = writeln!(
            out,
            "      - {:<60} (expected.csv row {})",
            line(subject, indicator, expected.value, expected.status.as_str()),
            expected.row
        );
    }
    let why = match mismatch.kind {
        MismatchKind::Missing => "the pack produced no result for this subject and indicator".to_owned(),
        MismatchKind::Status => "status differs".to_owned(),
        MismatchKind::Value => {
            let want = mismatch.expected.as_ref().and_then(|row| row.value).map(format_value).unwrap_or_default();
            let got =
                mismatch.actual.as_ref().and_then(|row| row.value).map_or_else(|| "no value".to_owned(), format_value);
            format!("value differs: expected {want}, got {got}")
        }
        MismatchKind::UnexpectedError => "the pack failed on a subject expected.csv does not list".to_owned(),
    };
    match &mismatch.actual {
        Some(actual) => {
            let _ =
                writeln!(out, "      + {:<60} {why}", line(subject, indicator, actual.value, actual.status.as_str()));
            if !actual.note.is_empty() && mismatch.kind != MismatchKind::Value {
                let _ = writeln!(out, "        note: {}", actual.note);
            }
        }
        None => {
            let _ = writeln!(out, "      + {:<60} {why}", "(no such row)");
        }
    }
}

fn text_report(
    pack: &LoadedPack,
    cases_dir: &Path,
    outcomes: &[Outcome],
    coverage: &[IndicatorCoverage],
    (passed, failed, broken): (usize, usize, usize),
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "testing pack `{}` {} (sha256 {}) with {} cases in `{}`\n",
        pack.manifest.id,
        pack.manifest.version,
        pack.sha256,
        outcomes.len(),
        cases_dir.display()
    );
    for outcome in outcomes {
        match outcome {
            Outcome::Ran(report) if report.passed() => {
                let _ = writeln!(out, "PASS  {}  ({} checked)", report.name, rows(report.checked));
            }
            Outcome::Ran(report) => {
                let _ = writeln!(
                    out,
                    "FAIL  {}  ({} of {} differ; - expected, + actual)",
                    report.name,
                    report.mismatches.iter().filter(|mismatch| mismatch.expected.is_some()).count(),
                    rows(report.checked)
                );
                let _ = writeln!(out, "        subject_id,indicator_id,value,status");
                for mismatch in &report.mismatches {
                    mismatch_lines(&mut out, mismatch);
                }
            }
            Outcome::Broken(name, error) => {
                let _ = writeln!(out, "BROKEN  {name}");
                for line in error.to_string().lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
    }
    let covered = coverage.iter().filter(|indicator| indicator.covered()).count();
    let _ = writeln!(
        out,
        "\ncoverage: {covered} of {} indicators produced both `met` and `not_met` in some case",
        coverage.len()
    );
    let missing: Vec<&IndicatorCoverage> = coverage.iter().filter(|indicator| !indicator.covered()).collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "warning: {} indicators are not covered:", missing.len());
        for indicator in missing {
            let lacking: Vec<&str> = [(indicator.met, "`met`"), (indicator.not_met, "`not_met`")]
                .into_iter()
                .filter(|(seen, _)| !seen)
                .map(|(_, status)| status)
                .collect();
            let _ = writeln!(
                out,
                "  {}  {}  (no case produced {})",
                indicator.indicator,
                indicator.name,
                lacking.join(" or ")
            );
        }
    }
    let _ = writeln!(out, "\n{} cases: {passed} passed, {failed} failed, {broken} broken", outcomes.len());
    if broken > 0 {
        let _ = writeln!(out, "a broken case has an unreadable dataset or {EXPECTED_FILE}; fix it and run again");
    }
    out
}

fn json_report(
    pack: &LoadedPack,
    cases_dir: &Path,
    outcomes: &[Outcome],
    coverage: &[IndicatorCoverage],
    (passed, failed, broken): (usize, usize, usize),
) -> String {
    let cases: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Ran(report) => json!({
                "name": report.name,
                "outcome": if report.passed() { "pass" } else { "fail" },
                "checked": report.checked,
                "produced": report.produced,
                "mismatches": report.mismatches,
            }),
            Outcome::Broken(name, error) => json!({
                "name": name,
                "outcome": "broken",
                "error": error.to_string(),
            }),
        })
        .collect();
    let uncovered: Vec<&str> = coverage
        .iter()
        .filter(|indicator| !indicator.covered())
        .map(|indicator| indicator.indicator.as_str())
        .collect();
    let record = json!({
        "pack": {
            "path": pack.path.display().to_string(),
            "id": pack.manifest.id,
            "version": pack.manifest.version,
            "sha256": pack.sha256,
        },
        "cases_dir": cases_dir.display().to_string(),
        "cases": cases,
        "coverage": coverage,
        "uncovered": uncovered,
        "summary": {"cases": outcomes.len(), "passed": passed, "failed": failed, "broken": broken},
    });
    format!("{}\n", serde_json::to_string_pretty(&record).expect("reports serialise"))
}
