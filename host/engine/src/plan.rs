//! Evaluation plans: one inspection round (督导轮次) described in a TOML file.
//!
//! A plan names the round, its kind (a comprehensive round runs every indicator; a special
//! round, 专项督导, only the indicators it selects), the packs with their sha256 pins and where
//! each applies (a city standard pack to every county, a county's local pack to that county
//! only), the pack parameters, sandbox limits, grade bands, a reproducible random selection of
//! schools for unannounced inspections (随机督导), and rectification deadlines. See
//! `docs/plans.md` for the format.
//!
//! Layering rules are enforced here, before anything runs: a pack whose file does not match its
//! pin is refused; a local pack may only add indicators namespaced by its county, may not
//! define or override a standard id, may not veto, may not evaluate the city, and sees only its
//! county's records.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rules_sdk::wire::{FieldType, GradeBand, Level, Manifest};
use serde::{Deserialize, Serialize};

use crate::layering::LayeringProblem;
use crate::pack::sha256_hex;
use crate::sandbox::{LimitOverrides, Limits};
pub use crate::scope::Scope;
use crate::scope::Selection;

/// A parsed plan.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable id of the round (`jiaozuo-2026-comprehensive`).
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// The period evaluated (`2026`, `2026-spring`).
    pub period: String,
    /// The date of the round (`YYYY-MM-DD`): rectification deadlines count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Comprehensive or special.
    pub kind: RoundKind,
    /// The family of rounds this one belongs to (`jiaozuo-comprehensive`): a follow-up
    /// (`--previous`) must be an earlier round of the same family. The kind when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The issuing office (发布单位), printed on every report's cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The document number (文号), such as `焦教督〔2026〕12号`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// The foreword (前言) of the reports; paragraphs separated by blank lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreword: Option<String>,
    /// For a special round: the indicators it covers (exact ids, or prefixes ending in `*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// The previous period's dataset (for value-added indicators), relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_data: Option<PathBuf>,
    /// Sandbox limits for this round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<PlanLimits>,
    /// Grade bands of the overall result, and of every pack whose manifest has none and whose
    /// `[[packs]]` entry sets none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<GradeBand>,
    /// Random selection of subjects for unannounced inspections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    /// Rectification rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<RectificationRules>,
    /// Exemption from inspection (免除督导) for units that keep doing well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionRules>,
    /// Indicators whose results are left out of public reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_public: Vec<String>,
    /// The packs of the round.
    pub packs: Vec<PlanPack>,
}

/// The kind of round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// 综合督导: every indicator of every pack.
    Comprehensive,
    /// 专项督导: the indicators listed in `indicators`.
    Special,
}

/// Limits set by a plan (each optional; the defaults apply otherwise).
pub type PlanLimits = LimitOverrides;

/// Random selection of subjects.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    /// The level sampled (usually `school`).
    #[serde(default = "school_level")]
    pub level: Level,
    /// Share of subjects to select (rounded up), or
    pub fraction: Option<f64>,
    /// how many to select.
    pub count: Option<usize>,
    /// Select within each subject of this level (usually `county`), or across all.
    pub per: Option<Level>,
    /// The seed: the same seed gives the same selection on every run.
    pub seed: u64,
}

fn school_level() -> Level {
    Level::School
}

/// Rectification rules of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RectificationRules {
    /// Days after the round's report a finding must be rectified.
    pub deadline_days: u32,
}

/// Exemption rules of a round (免除督导).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionRules {
    /// How many consecutive rounds graded 优秀 overall make a unit eligible for exemption.
    pub consecutive_excellent: u32,
}

/// Whether `text` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    parse_date(text).is_some()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` when it is not a calendar date.
pub fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month[(month - 1) as usize] {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The `YYYY-MM-DD` date of a day count since 1970-01-01.
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Where a pack applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// A city standard pack: every county.
    Standard,
    /// A county's local pack: that county only.
    Local,
}

/// One pack of a plan.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPack {
    /// The module, relative to the plan file.
    pub path: PathBuf,
    /// Its sha256: the module is refused when the file differs.
    pub sha256: String,
    /// Standard or local.
    pub scope: ScopeKind,
    /// For a local pack: the county code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// Weight of a standard pack's total in the overall result (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// For a local pack: the most bonus points its total can add to the overall result
    /// (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_cap: Option<f64>,
    /// Grade bands for this pack, replacing its manifest's (they differ by place).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<GradeBand>,
    /// Values of the pack's parameters.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub params: toml::Table,
}

impl PlanPack {
    /// Where the pack applies: a local pack only in its county.
    pub fn applies_to(&self) -> Scope {
        match (self.scope, &self.county) {
            (ScopeKind::Local, Some(county)) => Scope::County(county.clone()),
            _ => Scope::All,
        }
    }
}

/// Why a plan cannot be used. Each names the plan file, and the pack when there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file cannot be read.
    #[error("cannot read plan `{}`: {source}", path.display())]
    Read {
        /// The plan file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is invalid or has unknown keys.
    #[error("plan `{}` is not valid: {message}", path.display())]
    Syntax {
        /// The plan file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// The plan is inconsistent.
    #[error("plan `{}` is not valid:{}", path.display(), problems.iter().map(|p| format!("\n  - {p}")).collect::<String>())]
    Invalid {
        /// The plan file.
        path: PathBuf,
        /// Everything found wrong.
        problems: Vec<String>,
    },
    /// A pack file does not match its pin.
    #[error("pack `{}` does not match its pin in plan `{}`: the plan pins sha256 {expected}, the file has {found}; the file was changed or replaced — rebuild the approved version, or have the plan re-pinned (`dudao pin`) after review", pack.display(), plan.display())]
    PinMismatch {
        /// The plan file.
        plan: PathBuf,
        /// The pack file.
        pack: PathBuf,
        /// The pinned digest.
        expected: String,
        /// The file's digest.
        found: String,
    },
    /// A layering rule is broken.
    #[error("pack `{pack}` breaks the plan's layering rules:{}", problems.iter().map(|p| format!("\n  - {p}")).collect::<String>())]
    Layering {
        /// The pack id.
        pack: String,
        /// Every rule broken.
        problems: Vec<String>,
    },
}

impl Plan {
    /// The family of rounds ([`Plan::family`] field): the plan's own, else its kind
    /// (`comprehensive`, `special`).
    pub fn family(&self) -> String {
        self.family.clone().unwrap_or_else(|| match self.kind {
            RoundKind::Comprehensive => "comprehensive".to_owned(),
            RoundKind::Special => "special".to_owned(),
        })
    }

    /// Reads and checks a plan file.
    ///
    /// # Errors
    ///
    /// A [`PlanError`] when the file cannot be read, parsed, or is inconsistent.
    pub fn load(path: &Path) -> Result<Plan, PlanError> {
        let text = crate::fileguard::read_bounded_io(path, crate::fileguard::MAX_PLAN_BYTES)
            .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other))
            .map_err(|source| PlanError::Read { path: path.to_owned(), source })?;
        let plan: Plan = toml::from_str(&text)
            .map_err(|error| PlanError::Syntax { path: path.to_owned(), message: error.to_string() })?;
        let problems = plan.problems();
        if problems.is_empty() { Ok(plan) } else { Err(PlanError::Invalid { path: path.to_owned(), problems }) }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.packs.is_empty() {
            problems.push("the plan has no packs".to_owned());
        }
        if let Some(date) = &self.date
            && !is_date(date)
        {
            problems.push(format!("`date` must be a calendar date written YYYY-MM-DD, not `{date}`"));
        }
        if self.exemption.is_some_and(|rules| rules.consecutive_excellent == 0) {
            problems.push("`exemption.consecutive_excellent` must be at least 1".to_owned());
        }
        match self.kind {
            RoundKind::Special if self.indicators.is_empty() => {
                problems.push("a special round must list the indicators it covers (`indicators = [...]`)".to_owned())
            }
            RoundKind::Comprehensive if !self.indicators.is_empty() => problems.push(
                "a comprehensive round covers every indicator; `indicators` is only for special rounds".to_owned(),
            ),
            _ => {}
        }
        for (index, pack) in self.packs.iter().enumerate() {
            let name = format!("pack {} (`{}`)", index + 1, pack.path.display());
            if pack.sha256.len() != 64 || !pack.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                problems.push(format!("{name}: `sha256` must be 64 hexadecimal digits"));
            }
            match (pack.scope, &pack.county) {
                (ScopeKind::Local, None) => problems.push(format!("{name}: a local pack must name its `county`")),
                (ScopeKind::Standard, Some(_)) => {
                    problems.push(format!("{name}: a standard pack applies to every county; remove `county`"))
                }
                _ => {}
            }
            if pack.scope == ScopeKind::Standard && pack.bonus_cap.is_some() {
                problems.push(format!("{name}: only local packs can give bonus points"));
            }
            if pack.scope == ScopeKind::Local && pack.weight.is_some() {
                problems.push(format!(
                    "{name}: a local pack cannot carry weight in the standard result; use `bonus_cap` if the plan allows bonus points"
                ));
            }
            if pack.weight.is_some_and(|weight| !(weight.is_finite() && weight >= 0.0)) {
                problems.push(format!("{name}: `weight` must be a number ≥ 0"));
            }
            if pack.bonus_cap.is_some_and(|cap| !(cap.is_finite() && cap >= 0.0)) {
                problems.push(format!("{name}: `bonus_cap` must be a number ≥ 0"));
            }
        }
        if let Some(sampling) = &self.sampling {
            match (sampling.fraction, sampling.count) {
                (Some(fraction), None) if fraction > 0.0 && fraction <= 1.0 => {}
                (None, Some(count)) if count > 0 => {}
                _ => problems
                    .push("`sampling` needs either `fraction` (0 < f ≤ 1) or `count` (≥ 1), not both".to_owned()),
            }
            if sampling.per.is_some_and(|per| per >= sampling.level) {
                problems.push("`sampling.per` must be a level above `sampling.level`".to_owned());
            }
        }
        let descending = |bands: &[GradeBand]| bands.windows(2).all(|pair| pair[0].min > pair[1].min);
        if !descending(&self.grades) {
            problems.push("`grades` must be listed from the highest band down".to_owned());
        }
        for (index, pack) in self.packs.iter().enumerate() {
            if !descending(&pack.grades) {
                problems.push(format!(
                    "pack {} (`{}`): `grades` must be listed from the highest band down",
                    index + 1,
                    pack.path.display()
                ));
            }
        }
        problems
    }

    /// The sandbox limits of the round.
    pub fn limits(&self) -> Limits {
        self.limits.unwrap_or_default().apply(Limits::default())
    }

    /// The grade bands in force for pack number `index` of the plan: the pack's own bands in
    /// the plan, else the manifest's, else the plan's round-wide bands.
    pub fn grade_bands(&self, index: usize, manifest: &Manifest) -> Vec<GradeBand> {
        let pack = &self.packs[index];
        if !pack.grades.is_empty() {
            pack.grades.clone()
        } else if !manifest.grades.is_empty() {
            manifest.grades.clone()
        } else {
            self.grades.clone()
        }
    }

    /// The indicators the round covers: all (comprehensive), or its patterns (special).
    pub fn selection(&self) -> Selection {
        match self.kind {
            RoundKind::Comprehensive => Selection::All,
            RoundKind::Special => Selection::Patterns(self.indicators.clone()),
        }
    }

    /// Whether the round covers an indicator.
    pub fn selects(&self, indicator: &str) -> bool {
        self.selection().covers(indicator)
    }
}

/// Reads each pack file of the plan and checks it against its pin, before anything is
/// compiled. Returns the files' bytes, in plan order.
///
/// # Errors
///
/// [`PlanError::PinMismatch`] for the first pack whose file differs, or a read error.
pub fn read_pinned(plan: &Plan, plan_path: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, PlanError> {
    let base = plan_path.parent().unwrap_or(Path::new("."));
    plan.packs
        .iter()
        .map(|pack| {
            let path = base.join(&pack.path);
            let bytes = crate::fileguard::read_bounded_io(&path, Limits::default().max_module_bytes)
                .map_err(|source| PlanError::Read { path: path.clone(), source })?;
            let found = sha256_hex(&bytes);
            if !found.eq_ignore_ascii_case(&pack.sha256) {
                return Err(PlanError::PinMismatch {
                    plan: plan_path.to_owned(),
                    pack: path,
                    expected: pack.sha256.to_lowercase(),
                    found,
                });
            }
            Ok((path, bytes))
        })
        .collect()
}

/// Checks the layering rules between the plan's packs, given their manifests (in plan order).
///
/// # Errors
///
/// [`PlanError::Layering`] for the first pack that breaks a rule, listing every rule it breaks.
pub fn check_layering(plan: &Plan, manifests: &[&Manifest]) -> Result<(), PlanError> {
    let mut pack_ids = BTreeSet::new();
    for manifest in manifests.iter().take(plan.packs.len()) {
        if !pack_ids.insert(manifest.id.as_str()) {
            return Err(PlanError::Layering {
                pack: manifest.id.clone(),
                problems: vec![LayeringProblem::DuplicatePack.to_string()],
            });
        }
    }
    for (index, manifest) in manifests.iter().enumerate().take(plan.packs.len()) {
        let problems = layering_problems(plan, manifests, index);
        if !problems.is_empty() {
            return Err(PlanError::Layering {
                pack: manifest.id.clone(),
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
    }
    Ok(())
}

/// Every layering rule pack number `index` of the plan breaks, given the manifests of all the
/// plan's packs (in plan order). Empty when it keeps them all.
pub fn layering_problems(plan: &Plan, manifests: &[&Manifest], index: usize) -> Vec<LayeringProblem> {
    let (Some(pack), Some(manifest)) = (plan.packs.get(index), manifests.get(index)) else { return Vec::new() };
    let mut problems = Vec::new();
    if manifests.iter().enumerate().any(|(other, m)| other != index && m.id == manifest.id) {
        problems.push(LayeringProblem::DuplicatePack);
    }
    let mut standard_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for (other, other_manifest) in plan.packs.iter().zip(manifests) {
        if other.scope == ScopeKind::Standard {
            for node in other_manifest.nodes() {
                standard_ids.insert(node.id.as_str(), other_manifest.id.as_str());
            }
        }
    }
    let known: BTreeSet<&str> = manifest.parameters.iter().map(|param| param.name.as_str()).collect();
    for (name, value) in &pack.params {
        match manifest.parameters.iter().find(|param| &param.name == name) {
            None => problems.push(LayeringProblem::UndeclaredParameter {
                name: name.clone(),
                declared: known.iter().map(|name| (*name).to_owned()).collect(),
            }),
            Some(param) if !parameter_fits(param.kind, value) => problems.push(LayeringProblem::ParameterType {
                name: name.clone(),
                value: value.to_string(),
                kind: param.kind,
            }),
            Some(_) => {}
        }
    }
    if let (ScopeKind::Local, Some(county)) = (pack.scope, &pack.county) {
        let prefix = format!("{county}.");
        if !manifest.id.starts_with(&format!("{county}-")) {
            problems.push(LayeringProblem::PackIdNotNamespaced { county: county.clone() });
        }
        for node in manifest.nodes() {
            if let Some(standard) = standard_ids.get(node.id.as_str()) {
                problems.push(LayeringProblem::StandardId { id: node.id.clone(), standard: (*standard).to_owned() });
            } else if !node.id.starts_with(&prefix) {
                problems.push(LayeringProblem::IndicatorNotNamespaced { id: node.id.clone(), prefix: prefix.clone() });
            }
            if node.veto.is_some() {
                problems.push(LayeringProblem::Veto { id: node.id.clone() });
            }
        }
        for unit in &manifest.units {
            if unit.level == Level::City || unit.include.contains(&Level::City) {
                problems.push(LayeringProblem::CityUnits { county: county.clone() });
            }
        }
    }
    problems
}

fn parameter_fits(kind: FieldType, value: &toml::Value) -> bool {
    match kind {
        FieldType::Integer => value.is_integer(),
        FieldType::Number => value.is_integer() || value.is_float(),
        FieldType::Text | FieldType::Enum => value.is_str(),
        FieldType::Boolean => value.is_bool(),
    }
}

/// A plan parameter as the JSON value a pack receives.
pub fn parameter_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(text) => serde_json::Value::String(text.clone()),
        toml::Value::Integer(number) => serde_json::Value::from(*number),
        toml::Value::Float(number) => serde_json::Value::from(*number),
        toml::Value::Boolean(flag) => serde_json::Value::Bool(*flag),
        other => serde_json::Value::String(other.to_string()),
    }
}

/// SplitMix64, for reproducible sampling.
fn mix(mut state: u64) -> u64 {
    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    state = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    state = (state ^ (state >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    state ^ (state >> 31)
}

/// A stable 64-bit hash of text (FNV-1a), so a group's stream depends on its id, not its order.
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The selected subjects of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleGroup {
    /// The group's id (`per` subject), or empty when sampling across all subjects.
    pub group: String,
    /// How many subjects the group has.
    pub population: usize,
    /// The selected ids, sorted.
    pub selected: Vec<String>,
}

/// Draws the random selection: within each group, ids are ordered by a hash of (seed, group,
/// id) and the first `count` (or `ceil(fraction × n)`) are taken. The same seed and data give
/// the same selection on every run and machine; adding a school elsewhere does not change a
/// group's draw.
pub fn sample(sampling: &Sampling, prepared: &dudao_dataset::Prepared) -> Vec<SampleGroup> {
    let Some(subjects) = prepared.subjects.get(&sampling.level) else { return Vec::new() };
    let groups: Vec<(String, Vec<usize>)> = match sampling.per {
        Some(per) => match (prepared.subjects.get(&per), prepared.members.get(&(per, sampling.level))) {
            (Some(uppers), Some(lists)) => {
                uppers.iter().zip(lists).map(|(upper, members)| (upper.id.clone(), members.clone())).collect()
            }
            _ => Vec::new(),
        },
        None => vec![(String::new(), (0..subjects.len()).collect())],
    };
    groups
        .into_iter()
        .map(|(group, members)| {
            let take = match (sampling.count, sampling.fraction) {
                (Some(count), _) => count.min(members.len()),
                (None, Some(fraction)) => ((members.len() as f64 * fraction).ceil() as usize).min(members.len()),
                _ => 0,
            };
            let group_seed = mix(sampling.seed ^ text_hash(&group));
            let mut keyed: Vec<(u64, &str)> = members
                .iter()
                .map(|&index| {
                    let id = subjects[index].id.as_str();
                    (mix(group_seed ^ text_hash(id)), id)
                })
                .collect();
            keyed.sort();
            let mut selected: Vec<String> = keyed.into_iter().take(take).map(|(_, id)| id.to_owned()).collect();
            selected.sort();
            SampleGroup { group, population: members.len(), selected }
        })
        .collect()
}

/// One pack's pin before and after `pin`: (path as written in the plan, old digest, new digest).
pub type PinChange = (PathBuf, String, String);

/// Rewrites the `sha256` pin of every pack in a plan file to the digest of its current file,
/// keeping the rest of the file as it is. Returns `(path, old, new)` for each pack.
///
/// # Errors
///
/// A [`PlanError`] when the plan or a pack cannot be read or the file is not valid TOML.
pub fn pin(plan_path: &Path) -> Result<(String, Vec<PinChange>), PlanError> {
    let text = crate::fileguard::read_bounded_io(plan_path, crate::fileguard::MAX_PLAN_BYTES)
        .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other))
        .map_err(|source| PlanError::Read { path: plan_path.to_owned(), source })?;
    let mut document: toml_edit::DocumentMut = text.parse().map_err(|error: toml_edit::TomlError| {
        PlanError::Syntax { path: plan_path.to_owned(), message: error.to_string() }
    })?;
    let base = plan_path.parent().unwrap_or(Path::new("."));
    let mut changes = Vec::new();
    let Some(packs) = document.get_mut("packs").and_then(|item| item.as_array_of_tables_mut()) else {
        return Err(PlanError::Invalid {
            path: plan_path.to_owned(),
            problems: vec!["the plan has no [[packs]]".to_owned()],
        });
    };
    for table in packs.iter_mut() {
        let Some(relative) = table.get("path").and_then(|item| item.as_str()).map(PathBuf::from) else { continue };
        let path = base.join(&relative);
        let bytes = crate::fileguard::read_bounded_io(&path, Limits::default().max_module_bytes)
            .map_err(|source| PlanError::Read { path: path.clone(), source })?;
        let found = sha256_hex(&bytes);
        let old = table.get("sha256").and_then(|item| item.as_str()).unwrap_or_default().to_owned();
        table["sha256"] = toml_edit::value(found.clone());
        changes.push((relative, old, found));
    }
    Ok((document.to_string(), changes))
}
