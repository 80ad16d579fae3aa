//! What commands that run packs take, resolved in one place: the sandbox limits given on the
//! command line, and for `run` and `report` the packs or plan, the dataset, the previous
//! period and the worker threads.

use std::path::PathBuf;

use dudao_engine::evaluate::{Evaluation, Finished, Progress};
use dudao_engine::round::{self, Round, RunSettings};
use dudao_engine::sandbox::{LimitOverrides, Limits};

use crate::Failure;

/// Sandbox budgets, shared by every command that runs a pack. A limit given here applies to
/// every run, a plan's included (it replaces the plan's `[limits]`).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Fuel per evaluation (about one unit per WebAssembly instruction) [default: 2000000000,
    /// or the plan's].
    #[arg(long, value_name = "UNITS")]
    fuel: Option<u64>,
    /// Memory cap per pack instance, in MiB [default: 256, or the plan's].
    #[arg(long, value_name = "MIB")]
    memory_mib: Option<usize>,
    /// Wall-clock deadline per evaluation, in milliseconds [default: 10000, or the plan's].
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Fuel all evaluations of one pack may use in a run; then the pack is stopped
    /// [default: 2000000000000].
    #[arg(long, value_name = "UNITS")]
    run_fuel: Option<u64>,
    /// Evaluations of one pack that may fail the same way before it is stopped for the run
    /// [default: 10].
    #[arg(long, value_name = "N")]
    max_identical_failures: Option<usize>,
    /// Wall-clock seconds all evaluations of one pack may take together in a run; then the
    /// pack is stopped [default: 600].
    #[arg(long, value_name = "SECONDS")]
    run_seconds: Option<u64>,
}

impl LimitArgs {
    /// The limits given, as overrides.
    pub fn overrides(&self) -> LimitOverrides {
        LimitOverrides {
            fuel: self.fuel,
            memory_mib: self.memory_mib,
            timeout_ms: self.timeout_ms,
            run_fuel: self.run_fuel,
            max_identical_failures: self.max_identical_failures,
            run_seconds: self.run_seconds,
        }
    }

    /// The default limits with those given applied.
    pub fn limits(&self) -> Limits {
        self.overrides().apply(Limits::default())
    }
}

/// What a run evaluates: pack files or a plan, over a dataset.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["packs", "plan"])))]
pub struct RunArgs {
    /// A pack module (`.wasm` or `.wat`); repeat for several packs.
    #[arg(long = "pack", value_name = "PACK.wasm")]
    packs: Vec<PathBuf>,
    /// An evaluation plan (TOML): packs with sha256 pins, scopes, parameters, grades, sampling.
    #[arg(long, value_name = "PLAN.toml", conflicts_with = "packs")]
    plan: Option<PathBuf>,
    /// The dataset: a folder of CSV files (counties.csv, schools.csv, …), a `.json` file or a
    /// `.xlsx` workbook.
    #[arg(long, value_name = "DATASET")]
    pub data: PathBuf,
    /// The previous period's dataset, for value-added indicators (overrides the plan's).
    #[arg(long, value_name = "DATASET")]
    previous_data: Option<PathBuf>,
    /// Worker threads (default: one per core). Results are identical for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

impl RunArgs {
    /// Makes `--threads` the size of the process's thread pool, which validation, scoring and
    /// writing use besides the evaluation's own workers (results are the same for any size).
    fn size_thread_pool(&self) {
        if let Some(threads) = self.threads {
            // Only fails when the pool already exists, which it does not before a command.
            let _ = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build_global();
        }
    }

    /// Whether a plan was given.
    pub fn has_plan(&self) -> bool {
        self.plan.is_some()
    }

    /// The files the run reads: the plan and its previous-period dataset, the packs, and every
    /// file of the datasets.
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut files = self.packs.clone();
        files.extend(crate::guard::dataset_files(&self.data));
        if let Some(previous) = &self.previous_data {
            files.extend(crate::guard::dataset_files(previous));
        }
        if let Some(plan) = &self.plan {
            files.push(plan.clone());
            if let Ok(loaded) = dudao_engine::plan::Plan::load(plan) {
                let base = plan.parent().unwrap_or(std::path::Path::new("."));
                if let Some(previous) = &loaded.previous_data {
                    files.extend(crate::guard::dataset_files(&base.join(previous)));
                }
                files.extend(loaded.packs.iter().map(|pack| base.join(&pack.path)));
            }
        }
        files
    }

    /// Loads and validates without evaluating anything.
    pub fn check(&self) -> Result<dudao_dataset::Prepared, Failure> {
        self.size_thread_pool();
        let settings = RunSettings {
            previous_data: self.previous_data.clone(),
            threads: self.threads,
            limits: self.limits.overrides(),
            progress: None,
            finished: None,
            cache: dudao_engine::cache::ModuleCache::from_env(),
        };
        Ok(match &self.plan {
            Some(plan) => round::check_plan(plan, &self.data, &settings)?,
            None => round::check_packs(&self.packs, &self.data, &settings)?,
        })
    }

    /// Loads, validates and evaluates; a plan's round-level results come with it.
    /// `finished` is given the final outcomes while later units run ([`Finished`]).
    pub fn evaluate(
        &self,
        progress: Option<Progress>,
        finished: Option<Finished>,
    ) -> Result<(Evaluation, Option<Round>), Failure> {
        self.size_thread_pool();
        let settings = RunSettings {
            previous_data: self.previous_data.clone(),
            threads: self.threads,
            limits: self.limits.overrides(),
            progress,
            finished,
            cache: dudao_engine::cache::ModuleCache::from_env(),
        };
        match &self.plan {
            Some(plan) => {
                let (evaluation, round) = round::run_plan(plan, &self.data, &settings)?;
                Ok((evaluation, Some(round)))
            }
            None => Ok((round::run_packs(&self.packs, &self.data, &settings)?, None)),
        }
    }
}

/// A progress bar on standard error when it is a terminal and `--quiet` was not given; nothing
/// otherwise (tests, CI).
pub fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if crate::ui::quiet() || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} 评估 {bar:40} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    Some(bar)
}

/// Evaluates with a progress bar on a terminal, cleared when done.
pub fn evaluate_with_progress(args: &RunArgs) -> Result<(Evaluation, Option<Round>), Failure> {
    evaluate_streaming(args, None)
}

/// [`evaluate_with_progress`], giving `finished` the final outcomes while later units run.
pub fn evaluate_streaming(args: &RunArgs, finished: Option<Finished>) -> Result<(Evaluation, Option<Round>), Failure> {
    let bar = progress_bar();
    let progress = bar.clone().map(|bar| {
        Progress(std::sync::Arc::new(move |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }))
    });
    let result = args.evaluate(progress, finished);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result
}
