//! `dudao diff --old A.wasm --new B.wasm --data DATASET`: the impact of a rule change.

use std::path::PathBuf;

use dudao_dataset::Dataset;
use dudao_engine::impact::{self, ImpactError};
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;
use dudao_publish::impact as render;

use rust_i18n::t;

use super::{Exit, Failure, LimitArgs, emit};

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A readable report: manifest changes, then each changed indicator with its subjects
    /// (`table` is accepted too).
    #[value(alias = "table")]
    Text,
    /// Everything, for tools.
    Json,
    /// One row per changed (indicator, subject), full precision; no manifest changes.
    Csv,
}

/// Arguments of `dudao diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack as it is now (for example the accepted module).
    #[arg(long, value_name = "A.wasm")]
    old: PathBuf,
    /// The changed pack (same pack id).
    #[arg(long, value_name = "B.wasm")]
    new: PathBuf,
    /// The dataset both are evaluated on: a folder of CSV files or a `.json` file.
    #[arg(long, value_name = "DATASET")]
    data: PathBuf,
    /// The previous period's dataset, for packs with value-added indicators.
    #[arg(long, value_name = "DATASET")]
    previous_data: Option<PathBuf>,
    /// Compare as this evaluation plan runs the pack: only the subjects it applies to (a
    /// local pack: its county), with the plan's parameter values.
    #[arg(long, value_name = "PLAN.toml")]
    plan: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Evaluates the dataset with both packs and reports what changed: exit 0 when nothing did,
/// 1 when something did, 2 for trouble (any failure: `main` maps them to 2 for `diff`).
pub fn diff(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let old = LoadedPack::load(&sandbox, &args.old).map_err(Failure::bad_input)?;
    let new = LoadedPack::load(&sandbox, &args.new).map_err(Failure::bad_input)?;
    let data = Dataset::load(&args.data).map_err(Failure::bad_input)?;
    let previous = args.previous_data.as_deref().map(Dataset::load).transpose().map_err(Failure::bad_input)?;
    let compared = match &args.plan {
        Some(plan) => {
            let scope = impact::scoped::scope_of(&sandbox, plan, &new.manifest.id).map_err(Failure::bad_input)?;
            impact::scoped::compare_in_scope(&sandbox, &old, &new, &data, previous.as_ref(), &scope)
        }
        None => impact::compare(&sandbox, &old, &new, &data, previous.as_ref()),
    };
    let impact = compared.map_err(|error: ImpactError| Failure::bad_input(error))?;
    let scope_line = match &args.plan {
        Some(plan) => format!("{}\n", t!("diff.scope", path = plan.display())),
        None => String::new(),
    };
    let text = match args.format {
        Format::Text => scope_line + &render::table(&impact, crate::exit::lang()),
        Format::Json => render::json(&impact),
        Format::Csv => render::csv(&impact),
    };
    emit(args.output.as_ref(), &text)?;
    if let Some(path) = &args.output {
        crate::ui::info(t!("common.wrote", path = path.display()));
    }
    let failures = &impact.sandbox_failures;
    if failures.old + failures.new > 0 && (args.format != Format::Text || args.output.is_some()) {
        crate::ui::warning(t!("diff.sandbox_failures", old = failures.old, new = failures.new));
    }
    if args.output.is_some() || args.format != Format::Text {
        crate::ui::info(if impact.changed { t!("diff.changed") } else { t!("diff.same") });
    }
    Ok(if impact.changed { Exit::Failure } else { Exit::Success })
}
