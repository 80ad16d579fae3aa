//! The impact of a rule change (`dudao diff`): what changed in the manifest, and which
//! subjects get another value or status when the same dataset is evaluated by the old and the
//! new version of a pack.
//!
//! Both versions must have the same pack id. Each is evaluated on its own (its own
//! validation of the dataset, its own sandboxed run), and their results are matched by
//! (subject, indicator). A value *changes* when it differs by more than a relative 1e-9
//! ([`same_value`]) or appears or disappears; a status changes when it differs or the row
//! appears or disappears.
//!
//! Per subject the compared figures are an [`Observed`]: value and status today. Evaluation
//! plans will add a score and a grade per subject: they become fields of [`Observed`] (and
//! one column each in the rendering, `dudao_publish::impact`), and everything else stays as it is.

pub mod scoped;

use std::collections::{BTreeMap, BTreeSet};

use rules_sdk::wire::{FieldSpec, IndicatorNode, Level, Manifest, Source, Status, Threshold};
use serde::Serialize;

use crate::evaluate::{self, Evaluation, RunOptions};
use crate::outcome::{DatasetInfo, PackInfo};
use crate::pack::LoadedPack;
use dudao_dataset::{DataErrors, Dataset};

use crate::sandbox::Sandbox;

/// Relative tolerance under which two values are the same figure.
pub const VALUE_TOLERANCE: f64 = 1e-9;

/// Whether two values are the same figure: both absent, or both present and within a
/// relative [`VALUE_TOLERANCE`] of each other (`|a − b| ≤ 1e-9 × max(|a|, |b|)`).
pub fn same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= VALUE_TOLERANCE * a.abs().max(b.abs()),
        _ => false,
    }
}

/// Why two packs cannot be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImpactError {
    /// The two modules are different packs.
    #[error(
        "`{}` is pack `{old}` but `{}` is pack `{new}`: diff compares two versions of the same pack",
        old_path.display(), new_path.display()
    )]
    DifferentPacks {
        /// The old pack's id.
        old: String,
        /// Its file.
        old_path: std::path::PathBuf,
        /// The new pack's id.
        new: String,
        /// Its file.
        new_path: std::path::PathBuf,
    },
    /// The dataset does not satisfy one version's manifest.
    #[error("for the {which} pack (`{}`): {errors}", path.display())]
    Data {
        /// `old` or `new`.
        which: &'static str,
        /// Its file.
        path: std::path::PathBuf,
        /// Every problem.
        errors: DataErrors,
    },
}

/// An old and a new value of something.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    /// Before.
    pub old: T,
    /// After.
    pub new: T,
}

impl<T: PartialEq> Change<T> {
    fn of(old: T, new: T) -> Option<Change<T>> {
        (old != new).then_some(Change { old, new })
    }
}

/// An indicator (or dimension) added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its level; absent on a dimension.
    pub level: Option<Level>,
}

/// A threshold on one side of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// Where it comes from.
    pub source: Source,
}

/// One change to a node of the indicator tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum NodeChange {
    /// The Chinese name.
    Name(Change<String>),
    /// The level it is reported for.
    Level(Change<Option<Level>>),
    /// The unit of the value.
    Unit(Change<Option<String>>),
    /// The weight among siblings.
    Weight(Change<Option<f64>>),
    /// The formula in words.
    Formula(Change<String>),
    /// A threshold, matched by `applies_to` and operator: added (`old` absent), removed
    /// (`new` absent), or its bound or source changed.
    Threshold {
        /// The subjects it applies to (absent = all).
        applies_to: Option<String>,
        /// The operator, as written in manifests (`>=`).
        op: rules_sdk::wire::Comparison,
        /// Before.
        old: Option<Bound>,
        /// After.
        new: Option<Bound>,
    },
}

/// The changes of one node present in both versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeChanges {
    /// Its id.
    pub id: String,
    /// Its (new) name.
    pub name: String,
    /// What changed.
    pub changes: Vec<NodeChange>,
}

/// A data field added or removed (a dataset may need new columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldRef {
    /// The level of the records.
    pub level: Level,
    /// The column.
    pub name: String,
    /// Whether the field may be empty.
    pub optional: bool,
}

/// What changed in the manifest.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ManifestChanges {
    /// The pack's version.
    pub version: Option<Change<String>>,
    /// The pack's title.
    pub title: Option<Change<String>>,
    /// The units it evaluates, as `level` or `level+included,…` (`county+school`).
    pub units: Option<Change<Vec<String>>>,
    /// Nodes only in the new version, in its order.
    pub added: Vec<NodeRef>,
    /// Nodes only in the old version, in its order.
    pub removed: Vec<NodeRef>,
    /// Nodes in both that changed, in the new version's order.
    pub changed: Vec<NodeChanges>,
    /// Fields the new version requires that the old did not.
    pub fields_added: Vec<FieldRef>,
    /// Fields the old version required that the new does not.
    pub fields_removed: Vec<FieldRef>,
}

impl ManifestChanges {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.version.is_none()
            && self.title.is_none()
            && self.units.is_none()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
    }
}

/// What one version says about one subject and indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Observed {
    /// The value, if any.
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
}

/// One subject whose result for an indicator changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectChange {
    /// The subject (or part, `S1:junior`).
    pub subject_id: String,
    /// Its name (a part's name says which part).
    pub subject_name: String,
    /// The old result; absent when the old version produced none.
    pub old: Option<Observed>,
    /// The new result; absent when the new version produced none.
    pub new: Option<Observed>,
    /// The value changed (beyond the tolerance) or appeared or disappeared.
    pub value_changed: bool,
    /// The status changed or appeared or disappeared.
    pub status_changed: bool,
}

/// The changed results of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorImpact {
    /// The indicator id; empty for `error` rows (subjects the sandbox could not evaluate).
    pub indicator_id: String,
    /// Its name (new version first).
    pub name: String,
    /// Subjects with a result for it in either version.
    pub subjects: usize,
    /// How many of them changed value.
    pub value_changed: usize,
    /// How many of them changed status.
    pub status_changed: usize,
    /// The subjects that changed, in dataset order.
    pub changes: Vec<SubjectChange>,
}

/// One side of the comparison: the module file and what it says about itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackVersion {
    /// The module file, as given.
    pub path: String,
    /// Id, version, title, ABI and sha256.
    #[serde(flatten)]
    pub pack: PackInfo,
}

impl PackVersion {
    fn of(pack: &LoadedPack) -> PackVersion {
        PackVersion { path: pack.path.display().to_string(), pack: PackInfo::of(pack) }
    }
}

/// The whole impact of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// The pack id (the same in both).
    pub pack_id: String,
    /// The old module.
    pub old: PackVersion,
    /// The new module.
    pub new: PackVersion,
    /// The dataset.
    pub dataset: DatasetInfo,
    /// Whether anything changed (manifest or results).
    pub changed: bool,
    /// Manifest changes.
    pub manifest: ManifestChanges,
    /// Indicators whose results changed, in the new manifest's order (then removed ones,
    /// then sandbox errors).
    pub indicators: Vec<IndicatorImpact>,
    /// How many indicators with results did not change.
    pub unchanged_indicators: usize,
    /// Subjects whose total score or grade changed (subjects the pack scores), in dataset
    /// order.
    pub scores: Vec<ScoreChange>,
    /// Subjects that failed in the sandbox: (old, new).
    pub sandbox_failures: Change<usize>,
}

/// A subject whose total score or grade changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreChange {
    /// The subject's level.
    pub level: Level,
    /// The subject.
    pub subject_id: String,
    /// Its name.
    pub subject_name: String,
    /// Total score, old → new (absent when that version does not score the subject).
    pub total: Change<Option<f64>>,
    /// Grade, old → new.
    pub grade: Change<Option<String>>,
}

/// Total score and grade changes between two evaluations of the same dataset.
pub fn score_changes(old: &Evaluation, new: &Evaluation) -> Vec<ScoreChange> {
    use std::collections::BTreeMap;
    let cards = |evaluation: &Evaluation| -> BTreeMap<(Level, usize), (f64, Option<String>)> {
        evaluation
            .scores
            .cards
            .iter()
            .map(|card| ((card.level, card.subject), (card.total, card.grade.clone())))
            .collect()
    };
    let (before, after) = (cards(old), cards(new));
    let mut keys: Vec<&(Level, usize)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (old_total, old_grade) = before.get(key).cloned().map_or((None, None), |(t, g)| (Some(t), g));
            let (new_total, new_grade) = after.get(key).cloned().map_or((None, None), |(t, g)| (Some(t), g));
            if same_value(old_total, new_total) && old_total.is_some() == new_total.is_some() && old_grade == new_grade
            {
                return None;
            }
            let subject = new.prepared.subject(key.0, key.1);
            Some(ScoreChange {
                level: key.0,
                subject_id: subject.id.clone(),
                subject_name: subject.name.clone(),
                total: Change { old: old_total, new: new_total },
                grade: Change { old: old_grade, new: new_grade },
            })
        })
        .collect()
}

/// Evaluates `data` with both versions and compares manifests and results.
///
/// # Errors
///
/// [`ImpactError::DifferentPacks`] when the ids differ, [`ImpactError::Data`] when the
/// dataset does not satisfy one version.
pub fn compare(
    sandbox: &Sandbox,
    old: &LoadedPack,
    new: &LoadedPack,
    data: &Dataset,
    previous: Option<&Dataset>,
) -> Result<Impact, ImpactError> {
    compare_with(sandbox, old, new, data, &dudao_dataset::PrepareOptions { previous, ..Default::default() })
}

/// [`compare`] with the dataset prepared under `options` for both versions.
fn compare_with(
    sandbox: &Sandbox,
    old: &LoadedPack,
    new: &LoadedPack,
    data: &Dataset,
    options: &dudao_dataset::PrepareOptions<'_>,
) -> Result<Impact, ImpactError> {
    if old.manifest.id != new.manifest.id {
        return Err(ImpactError::DifferentPacks {
            old: old.manifest.id.clone(),
            old_path: old.path.clone(),
            new: new.manifest.id.clone(),
            new_path: new.path.clone(),
        });
    }
    let run = |pack: &LoadedPack, which: &'static str| -> Result<Evaluation, ImpactError> {
        let prepared = dudao_dataset::prepare_with(data, &[&pack.manifest], options)
            .map_err(|errors| ImpactError::Data { which, path: pack.path.clone(), errors })?;
        Ok(evaluate::evaluate(sandbox, std::slice::from_ref(pack), data, prepared, RunOptions::default()))
    };
    let before = run(old, "old")?;
    let after = run(new, "new")?;
    let manifest = manifest_changes(&old.manifest, &new.manifest);
    let (indicators, unchanged_indicators) = result_changes(&before, &after);
    let scores = score_changes(&before, &after);
    Ok(Impact {
        pack_id: new.manifest.id.clone(),
        old: PackVersion::of(old),
        new: PackVersion::of(new),
        dataset: DatasetInfo::of(data),
        changed: !manifest.is_empty() || !indicators.is_empty() || !scores.is_empty(),
        manifest,
        indicators,
        unchanged_indicators,
        scores,
        sandbox_failures: Change { old: before.failures().len(), new: after.failures().len() },
    })
}

fn unit_names(manifest: &Manifest) -> Vec<String> {
    manifest
        .units
        .iter()
        .map(|unit| {
            std::iter::once(unit.level.as_str())
                .chain(unit.include.iter().map(|level| level.as_str()))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect()
}

fn node_ref(node: &IndicatorNode) -> NodeRef {
    NodeRef { id: node.id.clone(), name: node.name.clone(), level: node.level }
}

/// Compares two manifests.
pub fn manifest_changes(old: &Manifest, new: &Manifest) -> ManifestChanges {
    let old_nodes: BTreeMap<&str, &IndicatorNode> =
        old.nodes().into_iter().map(|node| (node.id.as_str(), node)).collect();
    let new_nodes: BTreeMap<&str, &IndicatorNode> =
        new.nodes().into_iter().map(|node| (node.id.as_str(), node)).collect();
    let mut changes = ManifestChanges {
        version: Change::of(old.version.clone(), new.version.clone()),
        title: Change::of(old.title.clone(), new.title.clone()),
        units: Change::of(unit_names(old), unit_names(new)),
        ..ManifestChanges::default()
    };
    for node in new.nodes() {
        match old_nodes.get(node.id.as_str()) {
            None => changes.added.push(node_ref(node)),
            Some(before) => {
                let list = node_changes(before, node);
                if !list.is_empty() {
                    changes.changed.push(NodeChanges { id: node.id.clone(), name: node.name.clone(), changes: list });
                }
            }
        }
    }
    changes.removed =
        old.nodes().into_iter().filter(|node| !new_nodes.contains_key(node.id.as_str())).map(node_ref).collect();
    let fields = |manifest: &Manifest| -> Vec<(Level, FieldSpec)> {
        manifest.inputs.iter().flat_map(|input| input.fields.iter().map(|field| (input.level, field.clone()))).collect()
    };
    let (old_fields, new_fields) = (fields(old), fields(new));
    let has = |list: &[(Level, FieldSpec)], level: Level, name: &str| {
        list.iter().any(|(at, field)| *at == level && field.name == name)
    };
    let field_ref = |(level, field): &(Level, FieldSpec)| FieldRef {
        level: *level,
        name: field.name.clone(),
        optional: field.optional,
    };
    changes.fields_added =
        new_fields.iter().filter(|(level, field)| !has(&old_fields, *level, &field.name)).map(field_ref).collect();
    changes.fields_removed =
        old_fields.iter().filter(|(level, field)| !has(&new_fields, *level, &field.name)).map(field_ref).collect();
    changes
}

fn node_changes(old: &IndicatorNode, new: &IndicatorNode) -> Vec<NodeChange> {
    let mut list = Vec::new();
    list.extend(Change::of(old.name.clone(), new.name.clone()).map(NodeChange::Name));
    list.extend(Change::of(old.level, new.level).map(NodeChange::Level));
    list.extend(Change::of(old.unit.clone(), new.unit.clone()).map(NodeChange::Unit));
    list.extend(Change::of(old.weight, new.weight).map(NodeChange::Weight));
    list.extend(Change::of(old.formula.clone(), new.formula.clone()).map(NodeChange::Formula));
    // Thresholds are matched by whom they apply to and their operator, in order of first
    // appearance (old first), so a changed bound reads as one change, not a removal and an
    // addition.
    let key = |threshold: &Threshold| (threshold.applies_to.clone(), threshold.op);
    let mut keys = Vec::new();
    for threshold in old.thresholds.iter().chain(&new.thresholds) {
        if !keys.contains(&key(threshold)) {
            keys.push(key(threshold));
        }
    }
    for (applies_to, op) in keys {
        let find = |list: &[Threshold]| {
            list.iter()
                .find(|threshold| threshold.applies_to == applies_to && threshold.op == op)
                .map(|threshold| Bound { value: threshold.value, source: threshold.source.clone() })
        };
        let (before, after) = (find(&old.thresholds), find(&new.thresholds));
        if before != after {
            list.push(NodeChange::Threshold { applies_to, op, old: before, new: after });
        }
    }
    list
}

/// Compares the results of two evaluations of the same dataset: the indicators whose
/// results changed, and how many indicators with results did not.
pub fn result_changes(old: &Evaluation, new: &Evaluation) -> (Vec<IndicatorImpact>, usize) {
    let old_rows = crate::rows::rows(old);
    let new_rows = crate::rows::rows(new);
    // Indicator order: the new manifest's, then the old one's, then error rows.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut known = BTreeSet::new();
    for manifest in new.packs.iter().chain(&old.packs).map(|pack| &pack.manifest) {
        for node in manifest.nodes().into_iter().filter(|node| node.level.is_some()) {
            if known.insert(node.id.clone()) {
                order.push((node.id.clone(), node.name.clone()));
            }
        }
    }
    for row in new_rows.iter().chain(&old_rows) {
        if known.insert(row.indicator_id.to_owned()) {
            let name = if row.indicator_id.is_empty() { "（沙箱错误）" } else { row.indicator_id };
            order.push((row.indicator_id.to_owned(), name.to_owned()));
        }
    }
    // Per indicator: subject → (name, old, new), subjects in dataset order (new rows first).
    type Sides = (String, Option<Observed>, Option<Observed>);
    let mut table: BTreeMap<&str, (Vec<String>, BTreeMap<String, Sides>)> = BTreeMap::new();
    for (rows, is_new) in [(&new_rows, true), (&old_rows, false)] {
        for row in rows {
            let (subjects, sides) = table.entry(row.indicator_id).or_default();
            let entry = sides.entry(row.subject_id.clone()).or_insert_with(|| {
                subjects.push(row.subject_id.clone());
                (row.subject_name.clone(), None, None)
            });
            let observed = Some(Observed { value: row.value, status: row.status });
            if is_new { entry.2 = observed } else { entry.1 = observed }
        }
    }
    let mut impacts = Vec::new();
    let mut unchanged = 0;
    for (id, name) in order {
        let Some((subjects, sides)) = table.get(id.as_str()) else { continue };
        let mut impact = IndicatorImpact {
            indicator_id: id.clone(),
            name,
            subjects: subjects.len(),
            value_changed: 0,
            status_changed: 0,
            changes: Vec::new(),
        };
        for subject in subjects {
            let (subject_name, before, after) = &sides[subject];
            let value_changed = match (before, after) {
                (Some(before), Some(after)) => !same_value(before.value, after.value),
                _ => true,
            };
            let status_changed = before.map(|side| side.status) != after.map(|side| side.status);
            if value_changed || status_changed {
                impact.value_changed += usize::from(value_changed);
                impact.status_changed += usize::from(status_changed);
                impact.changes.push(SubjectChange {
                    subject_id: subject.clone(),
                    subject_name: subject_name.clone(),
                    old: *before,
                    new: *after,
                    value_changed,
                    status_changed,
                });
            }
        }
        if impact.changes.is_empty() {
            unchanged += 1;
        } else {
            impacts.push(impact);
        }
    }
    (impacts, unchanged)
}
