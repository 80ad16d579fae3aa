//! `dudao test PACK.wasm [--cases DIR] [--case NAME]… [--watch]`: runs a pack's test cases
//! through the sandbox and reports each case, a diff of what disagrees, and indicator
//! coverage; `--watch` runs them again whenever the pack or a case changes.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use dudao_engine::casetest::{
    self, Case, CaseError, CaseReport, EXPECTED_FILE, IndicatorCoverage, Mismatch, MismatchKind,
};
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;
use dudao_publish::text::format_value;
use rust_i18n::t;
use serde_json::json;

use super::{Exit, Failure, LimitArgs, TextOrJson, emit};

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
    /// Run only the case of this name (its folder's name); repeat for several.
    #[arg(long = "case", value_name = "NAME")]
    only: Vec<String>,
    /// After the first run, watch the pack and its cases and run them again on every change
    /// (stop with Ctrl-C).
    #[arg(long, conflicts_with = "accept")]
    watch: bool,
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

/// Runs the cases and reports; with `--watch`, again on every change.
pub fn test(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let first = run_once(&args, &sandbox);
    if !args.watch {
        return first;
    }
    let cases_dir = cases_dir(&args)?;
    let mut changes = crate::watch::FsChanges::new(&args.pack, &cases_dir)?;
    let watched = format!("`{}`, `{}`", args.pack.display(), cases_dir.display());
    crate::ui::info(t!("test.watching", paths = watched));
    Ok(crate::watch::rerun_on_changes(first, &mut changes, || run_once(&args, &sandbox)))
}

/// The folder of cases: `--cases`, else the default next to the module.
fn cases_dir(args: &Args) -> Result<PathBuf, Failure> {
    match &args.cases {
        Some(dir) => Ok(dir.clone()),
        None => casetest::default_cases_dir(&args.pack).ok_or_else(|| {
            Failure::bad_input(anyhow!(t!("test.no_cases_dir", path = args.pack.display()).into_owned()))
        }),
    }
}

/// The case folders to run: all of them, or those `--case` names (each must exist).
fn selected(args: &Args, cases_dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let folders = casetest::discover(cases_dir).map_err(Failure::bad_input)?;
    if args.only.is_empty() {
        return Ok(folders);
    }
    let name_of = |folder: &PathBuf| folder.file_name().map(|name| name.to_string_lossy().into_owned());
    if let Some(missing) =
        args.only.iter().find(|name| !folders.iter().any(|folder| name_of(folder).as_ref() == Some(name)))
    {
        let known: Vec<String> = folders.iter().filter_map(name_of).collect();
        return Err(Failure::bad_input(anyhow!(
            t!("test.no_such_case", name = missing, path = cases_dir.display(), known = known.join(", ")).into_owned()
        )));
    }
    Ok(folders.into_iter().filter(|folder| name_of(folder).is_some_and(|name| args.only.contains(&name))).collect())
}

/// Loads the pack, runs the selected cases once and prints the report.
fn run_once(args: &Args, sandbox: &Sandbox) -> Result<Exit, Failure> {
    let pack = LoadedPack::load(sandbox, &args.pack).map_err(Failure::bad_input)?;
    let cases_dir = cases_dir(args)?;
    let folders = selected(args, &cases_dir)?;
    let outcomes: Vec<Outcome> = folders
        .iter()
        .map(|folder| {
            let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            match Case::read(folder).and_then(|case| case.run(sandbox, &pack)) {
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
        TextOrJson::Text => {
            let mut text = text_report(&pack, &cases_dir, &outcomes, &coverage, (passed, failed, broken));
            if failed > 0 && !args.accept {
                let _ = writeln!(text, "{}", t!("test.fail_hint", path = args.pack.display()));
            }
            text
        }
        TextOrJson::Json => json_report(&pack, &cases_dir, &outcomes, &coverage, (passed, failed, broken)),
    };
    emit(None, &text)?;
    if args.accept {
        return accept(sandbox, &pack, &folders, &outcomes);
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
            let _ = writeln!(text, "{}", t!("test.not_accepted_no_dataset", path = folder.display()));
            still_broken += 1;
            continue;
        };
        match dudao_engine::accept::accept(folder, &dataset, sandbox, pack) {
            Ok((path, rows)) => {
                let _ = writeln!(text, "{}", t!("test.accepted", path = path.display(), rows = rows));
            }
            Err(error) => {
                let _ = writeln!(
                    text,
                    "{}",
                    t!("test.not_accepted", detail = crate::errors::describe(&anyhow::Error::new(error)))
                );
                still_broken += 1;
            }
        }
    }
    if text.is_empty() {
        let _ = writeln!(text, "{}", t!("test.nothing_to_accept"));
    }
    emit(None, &format!("\n{text}"))?;
    Ok(if still_broken > 0 { Exit::BadInput } else { Exit::Success })
}

/// "1 expected row", "3 expected rows".
fn rows(count: usize) -> String {
    if count == 1 { t!("test.row").into_owned() } else { t!("test.rows", count = count).into_owned() }
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
            "      - {:<60} {}",
            line(subject, indicator, expected.value, expected.status.as_str()),
            t!("test.expected_row", row = expected.row)
        );
    }
    let why = match mismatch.kind {
        MismatchKind::Missing => t!("test.missing").into_owned(),
        MismatchKind::Status => t!("test.status_differs").into_owned(),
        MismatchKind::Value => {
            let want = mismatch.expected.as_ref().and_then(|row| row.value).map(format_value).unwrap_or_default();
            let got = mismatch
                .actual
                .as_ref()
                .and_then(|row| row.value)
                .map_or_else(|| t!("test.no_value").into_owned(), format_value);
            t!("test.value_differs", want = want, got = got).into_owned()
        }
        MismatchKind::UnexpectedError => t!("test.unexpected_error").into_owned(),
    };
    match &mismatch.actual {
        Some(actual) => {
            let _ =
                writeln!(out, "      + {:<60} {why}", line(subject, indicator, actual.value, actual.status.as_str()));
            if !actual.note.is_empty() && mismatch.kind != MismatchKind::Value {
                let _ = writeln!(out, "        {}", t!("test.note", note = actual.note));
            }
        }
        None => {
            let _ = writeln!(out, "      + {:<60} {why}", t!("test.no_such_row"));
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
        "{}\n",
        t!(
            "test.heading",
            id = pack.manifest.id,
            version = pack.manifest.version,
            sha256 = pack.sha256,
            count = outcomes.len(),
            path = cases_dir.display()
        )
    );
    for outcome in outcomes {
        match outcome {
            Outcome::Ran(report) if report.passed() => {
                let _ = writeln!(out, "{}", t!("test.pass", name = report.name, rows = rows(report.checked)));
            }
            Outcome::Ran(report) => {
                let differ = report.mismatches.iter().filter(|mismatch| mismatch.expected.is_some()).count();
                let _ = writeln!(
                    out,
                    "{}",
                    t!("test.fail", name = report.name, differ = differ, rows = rows(report.checked))
                );
                let _ = writeln!(out, "        subject_id,indicator_id,value,status");
                for mismatch in &report.mismatches {
                    mismatch_lines(&mut out, mismatch);
                }
            }
            Outcome::Broken(name, error) => {
                let _ = writeln!(out, "{}", t!("test.broken", name = name));
                for line in crate::errors::case(error).lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
    }
    let covered = coverage.iter().filter(|indicator| indicator.covered()).count();
    let _ = writeln!(out, "\n{}", t!("test.coverage", covered = covered, total = coverage.len()));
    let missing: Vec<&IndicatorCoverage> = coverage.iter().filter(|indicator| !indicator.covered()).collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "{}", t!("test.uncovered", count = missing.len()));
        for indicator in missing {
            let lacking: Vec<&str> = [(indicator.met, "`met`"), (indicator.not_met, "`not_met`")]
                .into_iter()
                .filter(|(seen, _)| !seen)
                .map(|(_, status)| status)
                .collect();
            let lacking = t!("test.uncovered_line", lacking = lacking.join(&t!("test.or")));
            let _ = writeln!(out, "  {}  {}  {lacking}", indicator.indicator, indicator.name);
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        t!("test.summary", count = outcomes.len(), passed = passed, failed = failed, broken = broken)
    );
    if broken > 0 {
        let _ = writeln!(out, "{}", t!("test.broken_hint"));
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
