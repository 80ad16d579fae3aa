//! Running an evaluation end to end — from pack files or from a plan — and the round-level
//! results a plan adds: the random selection and the overall result per subject.

use std::path::{Path, PathBuf};

use rules_sdk::wire::{GradeBand, Level};
use serde::Serialize;

use crate::cache::ModuleCache;
use crate::evaluate::{self, Evaluation, RunOptions};
use crate::outcome::DatasetInfo;
use crate::pack::{LoadedPack, PackError};
use crate::plan::{self, Plan, PlanError, PlanPack, SampleGroup, ScopeKind};
use crate::sandbox::{LimitOverrides, Limits, Sandbox, SandboxError};
use crate::score::{VetoHit, capped_grade};
use dudao_dataset::{DataErrors, Dataset, DatasetError, PrepareOptions, Prepared};

/// Why an evaluation could not start. Nothing was evaluated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The engine could not be set up.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// A plan cannot be used.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A pack cannot be used.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// A dataset cannot be read.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A dataset's values are wrong.
    #[error(transparent)]
    Data(#[from] DataErrors),
    /// The same pack id twice.
    #[error("pack id `{0}` is given twice; each pack may run once")]
    DuplicatePack(String),
}

/// The overall result of one subject in a round: the standard packs' totals, weighted, plus
/// the local packs' bonus points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    /// Level of the subject.
    pub level: Level,
    /// Index of the subject at its level.
    #[serde(skip)]
    pub subject: usize,
    /// Weighted mean of the standard packs' totals (0–100).
    pub standard: f64,
    /// Bonus points from local packs, each at most its cap.
    pub bonus: f64,
    /// `standard + bonus`, at most 100.
    pub total: f64,
    /// The grade under the plan's bands, capped by vetoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Vetoes of the standard packs that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<VetoHit>,
}

/// What a plan adds to an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// The plan.
    pub plan: Plan,
    /// Where it was read from.
    pub path: PathBuf,
    /// The random selection for unannounced inspections.
    pub sample: Vec<SampleGroup>,
    /// Overall results per subject.
    pub overall: Vec<Overall>,
}

/// What every run takes besides its packs or plan and its dataset.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// The previous period's dataset, for value-added indicators (for a plan, replaces its
    /// `previous_data`).
    pub previous_data: Option<PathBuf>,
    /// Worker threads; `None` uses one per core. Results are identical for any number.
    pub threads: Option<usize>,
    /// Limits given explicitly; they replace the defaults, and a plan's own `[limits]`.
    pub limits: LimitOverrides,
    /// Told how many units are done as they finish.
    pub progress: Option<evaluate::Progress>,
    /// Given the final outcomes stretch by stretch while later units run
    /// ([`evaluate::Finished`]).
    pub finished: Option<evaluate::Finished>,
    /// Where compiled packs are kept between runs; `None` compiles every time.
    pub cache: Option<ModuleCache>,
}

/// Evaluates a dataset with pack files (no plan: every pack everywhere, default limits unless
/// given).
///
/// # Errors
///
/// A [`RunError`] when a pack, the dataset or its values cannot be used.
pub fn run_packs(packs: &[PathBuf], data: &Path, settings: &RunSettings) -> Result<Evaluation, RunError> {
    let (sandbox, loaded, data, prepared) = prepare_packs(packs, data, settings)?;
    let options = RunOptions {
        threads: settings.threads,
        progress: settings.progress.clone(),
        finished: settings.finished.clone(),
        ..RunOptions::default()
    };
    Ok(evaluate::evaluate_prepared(&sandbox, &loaded, data, prepared, options))
}

/// Loads pack files and a dataset and validates the dataset for the packs, without
/// evaluating anything (`dudao validate`).
///
/// # Errors
///
/// A [`RunError`] when a pack, the dataset or its values cannot be used.
pub fn check_packs(packs: &[PathBuf], data: &Path, settings: &RunSettings) -> Result<Prepared, RunError> {
    Ok(prepare_packs(packs, data, settings)?.3)
}

/// Loads a plan's packs and a dataset and validates the dataset for the plan, without
/// evaluating anything (`dudao validate`).
///
/// # Errors
///
/// A [`RunError`] when the plan, a pack, the dataset or its values cannot be used.
pub fn check_plan(plan_path: &Path, data: &Path, settings: &RunSettings) -> Result<Prepared, RunError> {
    Ok(prepare_plan(plan_path, data, settings)?.4)
}

fn prepare_packs(
    packs: &[PathBuf],
    data: &Path,
    settings: &RunSettings,
) -> Result<(Sandbox, Vec<LoadedPack>, DatasetInfo, Prepared), RunError> {
    let (sandbox, loaded) = load_packs(packs, settings)?;
    let (data, previous) = load_both(data, settings.previous_data.as_deref())?;
    let manifests: Vec<_> = loaded.iter().map(|pack| &pack.manifest).collect();
    let prepared = dudao_dataset::prepare_with(
        &data,
        &manifests,
        &PrepareOptions { previous: previous.as_ref(), ..PrepareOptions::default() },
    )?;
    // The tables are dropped here: everything after reads the prepared dataset.
    Ok((sandbox, loaded, DatasetInfo::of(&data), prepared))
}

/// Evaluates a round described by a plan file. Pins and layering rules are checked before
/// anything runs.
///
/// # Errors
///
/// A [`RunError`] when the plan, a pack, the dataset or its values cannot be used.
pub fn run_plan(plan_path: &Path, data: &Path, settings: &RunSettings) -> Result<(Evaluation, Round), RunError> {
    let (plan, sandbox, loaded, data, prepared) = prepare_plan(plan_path, data, settings)?;
    let manifests: Vec<_> = loaded.iter().map(|pack| &pack.manifest).collect();
    let sample = plan.sampling.as_ref().map(|sampling| plan::sample(sampling, &prepared)).unwrap_or_default();
    let options = RunOptions {
        threads: settings.threads,
        progress: settings.progress.clone(),
        finished: settings.finished.clone(),
        selection: plan.selection(),
        grades: manifests.iter().enumerate().map(|(index, manifest)| plan.grade_bands(index, manifest)).collect(),
    };
    let evaluation = evaluate::evaluate_prepared(&sandbox, &loaded, data, prepared, options);
    let overall = overall(&plan, &evaluation);
    Ok((evaluation, Round { plan, path: plan_path.to_owned(), sample, overall }))
}

type PreparedPlan = (Plan, Sandbox, Vec<LoadedPack>, DatasetInfo, Prepared);

/// Loads a plan and its pinned packs (checking pins and layering), without any data.
///
/// # Errors
///
/// A [`RunError`] when the plan or a pack cannot be used.
pub fn load_plan(plan_path: &Path, settings: &RunSettings) -> Result<(Plan, Sandbox, Vec<LoadedPack>), RunError> {
    let plan = Plan::load(plan_path)?;
    let files = plan::read_pinned(&plan, plan_path)?;
    let sandbox = Sandbox::new(settings.limits.apply(plan.limits()))?.with_cache(settings.cache.clone());
    let mut loaded = Vec::with_capacity(files.len());
    for (path, bytes) in &files {
        loaded.push(LoadedPack::from_bytes(&sandbox, path, bytes)?);
    }
    let manifests: Vec<_> = loaded.iter().map(|pack| &pack.manifest).collect();
    plan::check_layering(&plan, &manifests)?;
    Ok((plan, sandbox, loaded))
}

/// Loads pack files (each pack id once), without any data.
///
/// # Errors
///
/// A [`RunError`] when a pack cannot be used or two have the same id.
pub fn load_packs(packs: &[PathBuf], settings: &RunSettings) -> Result<(Sandbox, Vec<LoadedPack>), RunError> {
    let sandbox = Sandbox::new(settings.limits.apply(Limits::default()))?.with_cache(settings.cache.clone());
    let mut loaded = Vec::with_capacity(packs.len());
    for path in packs {
        let pack = LoadedPack::load(&sandbox, path)?;
        if loaded.iter().any(|other: &LoadedPack| other.manifest.id == pack.manifest.id) {
            return Err(RunError::DuplicatePack(pack.manifest.id));
        }
        loaded.push(pack);
    }
    Ok((sandbox, loaded))
}

fn prepare_plan(plan_path: &Path, data: &Path, settings: &RunSettings) -> Result<PreparedPlan, RunError> {
    let (plan, sandbox, loaded) = load_plan(plan_path, settings)?;
    let manifests: Vec<_> = loaded.iter().map(|pack| &pack.manifest).collect();

    let base = plan_path.parent().unwrap_or(Path::new("."));
    let previous_path =
        settings.previous_data.clone().or_else(|| plan.previous_data.as_ref().map(|path| base.join(path)));
    let (data, previous) = load_both(data, previous_path.as_deref())?;
    let options = PrepareOptions {
        previous: previous.as_ref(),
        scopes: plan.packs.iter().map(PlanPack::applies_to).collect(),
        params: plan
            .packs
            .iter()
            .map(|pack| pack.params.iter().map(|(name, value)| (name.clone(), plan::parameter_json(value))).collect())
            .collect(),
    };
    let prepared = dudao_dataset::prepare_with(&data, &manifests, &options)?;
    // The tables are dropped here: everything after reads the prepared dataset.
    Ok((plan, sandbox, loaded, DatasetInfo::of(&data), prepared))
}

/// Reads a dataset and, when given, the previous period's, the two at once (on the current
/// thread pool). The dataset's error comes first when both fail.
fn load_both(data: &Path, previous: Option<&Path>) -> Result<(Dataset, Option<Dataset>), DatasetError> {
    let (data, previous) = rayon::join(|| Dataset::load(data), || previous.map(Dataset::load).transpose());
    Ok((data?, previous?))
}

/// Combines each subject's pack totals into its overall result.
fn overall(plan: &Plan, evaluation: &Evaluation) -> Vec<Overall> {
    let mut keys: Vec<(Level, usize)> = evaluation
        .scores
        .cards
        .iter()
        .filter(|card| plan.packs[card.pack].scope == ScopeKind::Standard)
        .map(|card| (card.level, card.subject))
        .collect();
    keys.sort();
    keys.dedup();
    let bands: &[GradeBand] = &plan.grades;
    keys.into_iter()
        .map(|(level, subject)| {
            let cards: Vec<_> =
                evaluation.scores.cards.iter().filter(|card| card.level == level && card.subject == subject).collect();
            let (mut weighted, mut weights, mut bonus) = (0.0, 0.0, 0.0);
            let mut vetoes = Vec::new();
            for card in &cards {
                let pack = &plan.packs[card.pack];
                match pack.scope {
                    ScopeKind::Standard => {
                        let weight = pack.weight.unwrap_or(1.0);
                        weighted += weight * card.total;
                        weights += weight;
                        vetoes.extend(card.vetoes.iter().cloned());
                    }
                    ScopeKind::Local => bonus += pack.bonus_cap.map_or(0.0, |cap| cap * card.total / 100.0),
                }
            }
            let standard = if weights > 0.0 { weighted / weights } else { 0.0 };
            let total = (standard + bonus).min(100.0);
            let grade = capped_grade(total, &vetoes, bands);
            Overall { level, subject, standard, bonus, total, grade, vetoes }
        })
        .collect()
}
