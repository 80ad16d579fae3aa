//! `dudao diff --plan PLAN.toml`: the impact of a rule change as a plan runs the pack, so that
//! only the subjects the pack applies to are compared (a local pack: its county, its zones and
//! its schools), with the plan's parameter values.

use std::path::{Path, PathBuf};

use super::{Impact, ImpactError};
use dudao_dataset::{Dataset, PrepareOptions};

use crate::pack::LoadedPack;
use crate::plan::{self, Plan, PlanError, Scope, ScopeKind};
use crate::sandbox::Sandbox;

/// Where and how a plan runs one pack.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanScope {
    /// The plan file.
    pub plan: PathBuf,
    /// The county of a local pack; `None` for a standard pack (every county).
    pub county: Option<String>,
    /// The parameter values the plan sets.
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// Why a plan gives no scope for a pack.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// The plan cannot be read.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The plan has no pack with this id.
    #[error("评估方案 `{}` 中没有指标包 `{pack}`（方案中有：{known}）", plan.display())]
    NotInPlan {
        /// The plan file.
        plan: PathBuf,
        /// The pack id.
        pack: String,
        /// The ids the plan has.
        known: String,
    },
}

/// The scope of pack `pack_id` in the plan at `plan_path`. The plan's modules are read (their
/// manifests give the ids); pins are not checked, since a diff compares an unpinned change.
///
/// # Errors
///
/// A [`ScopeError`] when the plan cannot be read or does not run the pack.
pub fn scope_of(sandbox: &Sandbox, plan_path: &Path, pack_id: &str) -> Result<PlanScope, ScopeError> {
    let plan = Plan::load(plan_path)?;
    let base = plan_path.parent().unwrap_or(Path::new("."));
    let mut known = Vec::new();
    for pack in &plan.packs {
        let path = base.join(&pack.path);
        let Ok(loaded) = LoadedPack::load(sandbox, &path) else { continue };
        if loaded.manifest.id == pack_id {
            return Ok(scope(&plan, plan_path, pack));
        }
        known.push(loaded.manifest.id.clone());
    }
    Err(ScopeError::NotInPlan { plan: plan_path.to_owned(), pack: pack_id.to_owned(), known: known.join("、") })
}

fn scope(_plan: &Plan, plan_path: &Path, pack: &plan::PlanPack) -> PlanScope {
    PlanScope {
        plan: plan_path.to_owned(),
        county: match (pack.scope, &pack.county) {
            (ScopeKind::Local, Some(county)) => Some(county.clone()),
            _ => None,
        },
        params: pack.params.iter().map(|(name, value)| (name.clone(), plan::parameter_json(value))).collect(),
    }
}

/// Like [`super::compare`], but each version is evaluated as the plan runs it: only the
/// subjects in `scope`, with the plan's parameters.
///
/// # Errors
///
/// As [`super::compare`].
pub fn compare_in_scope(
    sandbox: &Sandbox,
    old: &LoadedPack,
    new: &LoadedPack,
    data: &Dataset,
    previous: Option<&Dataset>,
    scope: &PlanScope,
) -> Result<Impact, ImpactError> {
    let options = PrepareOptions {
        previous,
        scopes: vec![scope.county.clone().map_or(Scope::All, Scope::County)],
        params: vec![scope.params.clone()],
    };
    super::compare_with(sandbox, old, new, data, &options)
}
