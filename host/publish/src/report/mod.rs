//! Inspection reports (督导报告) and the rectification loop (问题必整改，整改必到位), in the
//! formats the office works in: one self-contained HTML file, Markdown, an XLSX workbook, the
//! rectification list as CSV, and `results.json` with a `rectification` section the next
//! round reads back (`--previous`).
//!
//! A [`Report`] is built once from an evaluation and its round; every format is a pure
//! function of it, so the same inputs give the same bytes.

mod followup;
mod html;
mod markdown;
mod rectification;
mod xlsx;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rules_sdk::wire::{Level, Manifest, Status};

use crate::results::{self, subject_name};
use crate::text::{format_rounded, format_value, threshold_text, upper_limit};
use dudao_engine::evaluate::Evaluation;
use dudao_engine::plan::{self, ScopeKind};
use dudao_engine::round::Round;

pub use followup::read_previous;
pub use html::html;
pub use markdown::markdown;
pub use rectification::{
    Accountability, Exemption, FollowUp, GradeHistory, Item, ItemStatus, Order, PreviousRound, Rectification,
    RoundGrade, csv,
};
pub use xlsx::{NOT_MET_FILL, xlsx};

/// Why a report cannot be made or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// No round date was given.
    #[error("the round needs a date: pass `--date YYYY-MM-DD` or set `date = \"YYYY-MM-DD\"` in the plan")]
    NoDate,
    /// The date is not a calendar date.
    #[error("date `{0}` is not a calendar date written YYYY-MM-DD")]
    BadDate(String),
    /// The previous results cannot be read.
    #[error("cannot read previous results `{}`: {source}", path.display())]
    PreviousRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The previous results are not a `dudao report` record.
    #[error("previous results `{}` are not usable: {message}", path.display())]
    PreviousInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A workbook could not be made.
    #[error("cannot make workbook: {0}")]
    Workbook(String),
    /// An output file cannot be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// How to make a report.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// The round's date (`YYYY-MM-DD`); the plan's when `None`.
    pub date: Option<String>,
    /// The public version: indicators matching the plan's `not_public` patterns are left out.
    pub public: bool,
    /// The previous round's record, for follow-up (回头看) and exemption streaks.
    pub previous: Option<PreviousRound>,
}

/// A pack as a report names it.
#[derive(Debug, Clone, PartialEq)]
pub struct PackLine {
    /// Pack id.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// A county's local pack (地方).
    pub local: bool,
}

/// One pack's score for one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct PackScore {
    /// Index into [`Report::packs`].
    pub pack: usize,
    /// Total (0–100).
    pub total: f64,
    /// Grade, when bands are defined.
    pub grade: Option<String>,
    /// Top-level dimensions: name and score.
    pub dimensions: Vec<(String, f64)>,
}

/// The overall result of a unit in the round.
#[derive(Debug, Clone, PartialEq)]
pub struct OverallLine {
    /// Total (0–100).
    pub total: f64,
    /// Grade.
    pub grade: Option<String>,
    /// Vetoes that fired: indicator name and cap.
    pub vetoes: Vec<(String, String)>,
}

/// One indicator result in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorLine {
    /// Index into [`Report::packs`].
    pub pack: usize,
    /// The result's subject (a school part such as `S1:primary`).
    pub subject: String,
    /// Its name.
    pub subject_name: String,
    /// Indicator id.
    pub id: String,
    /// Indicator name.
    pub name: String,
    /// Value.
    pub value: Option<f64>,
    /// Unit of the value.
    pub unit: Option<String>,
    /// Threshold text (`≤ 0.5`).
    pub threshold: Option<String>,
    /// The upper limit, when the first threshold is one (`≤ 0.5` gives 0.5).
    pub upper_limit: Option<f64>,
    /// Status.
    pub status: Status,
    /// The pack's note.
    pub note: String,
    /// The indicator carries a veto (一票否决).
    pub veto: bool,
    /// Aggregated by the host from lower levels.
    pub rollup: bool,
}

/// Everything a report says about one unit (city, county, zone or school).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitReport {
    /// Level.
    pub level: Level,
    /// Index of the subject at its level.
    pub index: usize,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The county it belongs to (zones and schools): index into the county list.
    pub county: Option<usize>,
    /// Scores per pack.
    pub scores: Vec<PackScore>,
    /// Overall result (plan rounds).
    pub overall: Option<OverallLine>,
    /// Indicator results (without those hidden in a public report).
    pub indicators: Vec<IndicatorLine>,
}

impl UnitReport {
    /// The not-met indicators.
    pub fn not_met(&self) -> impl Iterator<Item = &IndicatorLine> {
        self.indicators.iter().filter(|line| line.status == Status::NotMet)
    }

    /// The score of a pack, if the unit has one.
    pub fn score(&self, pack: usize) -> Option<&PackScore> {
        self.scores.iter().find(|score| score.pack == pack)
    }
}

/// An inspection report, built once and written in every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Round id.
    pub round_id: String,
    /// Chinese title.
    pub title: String,
    /// Period.
    pub period: String,
    /// Round date.
    pub date: String,
    /// Public version.
    pub public: bool,
    /// Indicator patterns left out (public version only).
    pub hidden: Vec<String>,
    /// sha256 of the dataset.
    pub dataset_sha256: String,
    /// Packs, in evaluation order.
    pub packs: Vec<PackLine>,
    /// Grade names from the highest band down.
    pub grade_names: Vec<String>,
    /// Units per level, in dataset order.
    pub units: BTreeMap<Level, Vec<UnitReport>>,
    /// The rectification loop.
    pub rectification: Rectification,
}

impl Report {
    /// The units of a level.
    pub fn level(&self, level: Level) -> &[UnitReport] {
        self.units.get(&level).map_or(&[], Vec::as_slice)
    }

    /// A county's schools.
    pub fn schools_of(&self, county: usize) -> impl Iterator<Item = &UnitReport> {
        self.level(Level::School).iter().filter(move |school| school.county == Some(county))
    }

    /// Schools per overall grade for a county, in grade order (plus `未定级`).
    pub fn grade_distribution(&self, county: usize) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = self.grade_names.iter().map(|name| (name.clone(), 0)).collect();
        for school in self.schools_of(county) {
            let grade = school.overall.as_ref().and_then(|overall| overall.grade.clone());
            if let Some(index) = grade.and_then(|grade| counts.iter().position(|(name, _)| *name == grade)) {
                counts[index].1 += 1;
            }
        }
        counts
    }

    /// Packs with scores at the county level.
    pub fn county_packs(&self) -> Vec<usize> {
        let set: BTreeSet<usize> =
            self.level(Level::County).iter().flat_map(|county| county.scores.iter().map(|score| score.pack)).collect();
        set.into_iter().collect()
    }

    /// The names of the indicators a chart of coefficients of variation (差异系数) shows:
    /// county indicators whose id ends in `cv` or has a `cv` segment and that have an upper
    /// limit, in first-seen order, with the limit.
    pub fn cv_indicators(&self) -> Vec<(String, String, f64)> {
        let mut seen: Vec<(String, String, f64)> = Vec::new();
        for county in self.level(Level::County) {
            for line in &county.indicators {
                let is_cv = line.id.split(['.', '_']).any(|part| part == "cv");
                if !is_cv || seen.iter().any(|(id, _, _)| *id == line.id) {
                    continue;
                }
                if let Some(limit) = line.upper_limit {
                    seen.push((line.id.clone(), line.name.clone(), limit));
                }
            }
        }
        seen
    }
}

/// The threshold of a result as text. When none applies by name (a school that is not split
/// into parts, for an indicator whose thresholds differ by stage), every threshold is shown
/// with the stage it applies to: `≥ 4.2（小学）；≥ 5.3（初中）`.
fn threshold_for(manifest: &Manifest, indicator: &str, subject: &str) -> Option<String> {
    threshold_text(manifest, indicator, subject).or_else(|| {
        let node = manifest.node(indicator)?;
        let stage = |target: &str| match target {
            "primary" => "小学".to_owned(),
            "junior" => "初中".to_owned(),
            other => other.to_owned(),
        };
        let parts: Vec<String> = node
            .thresholds
            .iter()
            .map(|threshold| {
                let bound = format!("{} {}", threshold.op.symbol(), format_value(threshold.value));
                match &threshold.applies_to {
                    Some(target) => format!("{bound}（{}）", stage(target)),
                    None => bound,
                }
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("；"))
    })
}

/// A value as a report shows it: rounded, with its unit.
pub fn shown_value(value: Option<f64>) -> String {
    value.map(format_rounded).unwrap_or_else(|| "—".to_owned())
}

/// A status in Chinese.
pub fn status_words(status: Status) -> &'static str {
    match status {
        Status::Met => "达标",
        Status::NotMet => "未达标",
        Status::NotApplicable => "不适用",
        Status::Error => "错误",
    }
}

/// Builds the report of an evaluation.
///
/// # Errors
///
/// [`PublishError::NoDate`] or [`PublishError::BadDate`] when the round has no usable date.
pub fn build(evaluation: &Evaluation, round: Option<&Round>, options: &PublishOptions) -> Result<Report, PublishError> {
    let date =
        options.date.clone().or_else(|| round.and_then(|round| round.plan.date.clone())).ok_or(PublishError::NoDate)?;
    if !plan::is_date(&date) {
        return Err(PublishError::BadDate(date));
    }
    let hidden: Vec<String> = match round {
        Some(round) if options.public => round.plan.not_public.clone(),
        _ => Vec::new(),
    };
    let shown = |indicator: &str| !hidden.iter().any(|pattern| dudao_engine::scope::matches(pattern, indicator));
    let packs: Vec<PackLine> = evaluation
        .packs
        .iter()
        .enumerate()
        .map(|(index, pack)| PackLine {
            id: pack.info.id.clone(),
            title: pack.info.title.clone(),
            local: match round {
                Some(round) => round.plan.packs.get(index).is_some_and(|pack| pack.scope == ScopeKind::Local),
                None => !matches!(pack.scope, plan::Scope::All),
            },
        })
        .collect();
    let prepared = &evaluation.prepared;
    let mut school_county: BTreeMap<(Level, usize), usize> = BTreeMap::new();
    for lower in [Level::Zone, Level::School] {
        if let Some(lists) = prepared.members.get(&(Level::County, lower)) {
            for (county, members) in lists.iter().enumerate() {
                for member in members {
                    school_county.insert((lower, *member), county);
                }
            }
        }
    }
    let mut units: BTreeMap<Level, Vec<UnitReport>> = BTreeMap::new();
    for (level, subjects) in &prepared.subjects {
        units.insert(
            *level,
            subjects
                .iter()
                .enumerate()
                .map(|(index, subject)| UnitReport {
                    level: *level,
                    index,
                    id: subject.id.clone(),
                    name: subject.name.clone(),
                    county: school_county.get(&(*level, index)).copied(),
                    scores: Vec::new(),
                    overall: None,
                    indicators: Vec::new(),
                })
                .collect(),
        );
    }
    for outcome in &evaluation.outcomes {
        let manifest = &evaluation.packs[outcome.pack].manifest;
        let Ok(results) = &outcome.result else { continue };
        let Some(target) = units.get_mut(&outcome.level).and_then(|list| list.get_mut(outcome.subject)) else {
            continue;
        };
        for result in results.iter().filter(|result| shown(&result.indicator)) {
            let node = manifest.node(&result.indicator);
            target.indicators.push(IndicatorLine {
                pack: outcome.pack,
                subject: result.subject.clone(),
                subject_name: subject_name(&target.name, &result.subject, &target.id),
                id: result.indicator.clone(),
                name: node.map_or_else(|| result.indicator.clone(), |node| node.name.clone()),
                value: result.value,
                unit: node.and_then(|node| node.unit.clone()),
                threshold: threshold_for(manifest, &result.indicator, &result.subject),
                upper_limit: upper_limit(manifest, &result.indicator, &result.subject),
                status: result.status,
                note: result.note.clone().unwrap_or_default(),
                veto: node.is_some_and(|node| node.veto.is_some()),
                rollup: false,
            });
        }
    }
    for rolled in &evaluation.scores.rollups {
        if !shown(&rolled.indicator) {
            continue;
        }
        let manifest = &evaluation.packs[rolled.pack].manifest;
        let Some(target) = units.get_mut(&rolled.level).and_then(|list| list.get_mut(rolled.subject)) else {
            continue;
        };
        let node = manifest.node(&rolled.indicator);
        let member_level = node.and_then(|node| node.level).map_or("", |level| level.chinese());
        target.indicators.push(IndicatorLine {
            pack: rolled.pack,
            subject: target.id.clone(),
            subject_name: target.name.clone(),
            id: rolled.indicator.clone(),
            name: node.map_or_else(|| rolled.indicator.clone(), |node| node.name.clone()),
            value: rolled.value,
            // A share of members is a share, whatever the members' unit.
            unit: node.and_then(|node| node.unit.clone()).filter(|_| {
                !matches!(rolled.method, rules_sdk::wire::Aggregation::ShareMet | rules_sdk::wire::Aggregation::Cv)
            }),
            threshold: None,
            upper_limit: None,
            status: rolled.status,
            note: format!("{}个{member_level}{}", rolled.members, results::aggregation_words(rolled.method)),
            veto: false,
            rollup: true,
        });
    }
    for card in &evaluation.scores.cards {
        let Some(target) = units.get_mut(&card.level).and_then(|list| list.get_mut(card.subject)) else { continue };
        target.scores.push(PackScore {
            pack: card.pack,
            total: card.total,
            grade: card.grade.clone(),
            dimensions: card
                .tree
                .iter()
                .filter(|node| node.status.is_none() && shown(&node.id))
                .map(|node| (node.name.clone(), node.score))
                .collect(),
        });
    }
    if let Some(round) = round {
        for overall in &round.overall {
            let Some(target) = units.get_mut(&overall.level).and_then(|list| list.get_mut(overall.subject)) else {
                continue;
            };
            target.overall = Some(OverallLine {
                total: overall.total,
                grade: overall.grade.clone(),
                vetoes: overall.vetoes.iter().map(|veto| (veto.name.clone(), veto.cap.clone())).collect(),
            });
        }
    }
    let grade_names: Vec<String> = match round {
        Some(round) if !round.plan.grades.is_empty() => {
            round.plan.grades.iter().map(|band| band.name.clone()).collect()
        }
        _ => evaluation
            .packs
            .iter()
            .map(|pack| &pack.grades)
            .find(|bands| !bands.is_empty())
            .map_or_else(Vec::new, |bands| bands.iter().map(|band| band.name.clone()).collect()),
    };
    let mut report = Report {
        round_id: round.map_or_else(|| "dudao".to_owned(), |round| round.plan.id.clone()),
        title: round.map_or_else(|| "教育督导评估".to_owned(), |round| round.plan.title.clone()),
        period: round.map_or_else(|| date[..4].to_owned(), |round| round.plan.period.clone()),
        date,
        public: options.public,
        hidden,
        dataset_sha256: evaluation.dataset.sha256.clone(),
        packs,
        grade_names,
        units,
        rectification: Rectification::default(),
    };
    report.rectification = rectification::rectification(evaluation, round, &report, options.previous.as_ref());
    Ok(report)
}

/// The files `dudao report` writes into its output folder.
pub const FILES: [&str; 5] = ["results.json", "report.html", "report.md", "report.xlsx", "rectification.csv"];

/// Writes every format of a report into `dir` (each file atomically). `results.json` (the
/// audit record with its `rectification` section) is written for the internal version only:
/// the public version leaves out indicators, and the next round must see them all.
///
/// # Errors
///
/// A [`PublishError`] when a file cannot be written.
pub fn write_all(
    dir: &Path,
    report: &Report,
    evaluation: &Evaluation,
    round: Option<&Round>,
) -> Result<Vec<PathBuf>, PublishError> {
    std::fs::create_dir_all(dir).map_err(|source| PublishError::Write { path: dir.to_owned(), source })?;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if !report.public {
        files.push(("results.json", results_json(evaluation, round, report).into_bytes()));
    }
    files.push(("report.html", html(report).into_bytes()));
    files.push(("report.md", markdown(report).into_bytes()));
    files.push(("report.xlsx", xlsx(report)?));
    files.push(("rectification.csv", csv(report).into_bytes()));
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        dudao_engine::files::write_atomically(&path, &bytes)
            .map_err(|source| PublishError::Write { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// The audit record of [`results::json`] with the `rectification` section added at the end.
pub fn results_json(evaluation: &Evaluation, round: Option<&Round>, report: &Report) -> String {
    results::json_with_section(evaluation, round, "rectification", &report.rectification)
}
