//! Inspection reports (督导报告) and the rectification loop (问题必整改，整改必到位), in the
//! formats the office works in: one self-contained HTML file, Markdown, an XLSX workbook, the
//! rectification list as CSV, and `results.json` with a `rectification` section the next
//! round reads back (`--previous`).
//!
//! A [`Report`] is built once from an evaluation and its round; every format is a pure
//! function of it, so the same inputs give the same bytes.

mod chart;
mod county;
mod docx;
mod drawingml;
mod followup;
mod html;
mod index;
mod markdown;
pub mod numbers;
mod rectification;
mod unit;
mod xlsx;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rules_sdk::wire::{Level, Manifest, Status};

use crate::results::{self, ResultRow, RowKind};
use crate::text::{applying_thresholds, upper_limit};
use dudao_engine::evaluate::Evaluation;
use dudao_engine::plan::{self, ScopeKind};
use dudao_engine::round::Round;

pub use county::{county_html, orders_html};
pub use docx::{county_docx, orders_docx};
pub use followup::read_previous;
pub use html::html;
pub use markdown::markdown;
pub use rectification::{
    Accountability, Exemption, FollowUp, GradeHistory, Item, ItemStatus, Order, PreviousRound, Rectification,
    RoundGrade, csv,
};
pub use unit::unit_html;
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
    /// The previous results are not an earlier round of the same family over the same units.
    #[error("`--previous {}` 不能作为本轮的上一轮：{message}", path.display())]
    PreviousNotEarlier {
        /// The file.
        path: PathBuf,
        /// Why, in Chinese, naming both rounds.
        message: String,
    },
    /// The previous results are not a `dudao report` record.
    #[error("previous results `{}` are not usable: {message}", path.display())]
    PreviousInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A DOCX document could not be made.
    #[error("cannot make document: {0}")]
    Document(String),
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

/// The rule for scores in the public version, as the report states it: scores are the
/// round's official results, computed over every indicator; the public version leaves out
/// the withheld indicators' results and the dimensions made of them, but does not recompute
/// totals without them, so that a unit has one score whichever version is read.
pub const PUBLIC_SCORE_RULE: &str =
    "各单位得分和等级按全部指标（含不公开指标）计算，与内部版一致，公开版不因略去指标而重新计算。";

/// How to make a report.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// The round's date (`YYYY-MM-DD`); the plan's when `None`.
    pub date: Option<String>,
    /// The public version: indicators matching the plan's `not_public` patterns are left out.
    pub public: bool,
    /// The previous round's record and the file it was read from, for follow-up (回头看) and
    /// exemption streaks.
    pub previous: Option<(PathBuf, PreviousRound)>,
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
    /// Vetoes that fired, worded as findings (the veto's reason, `存在重点学校或重点班…`), and
    /// the grade each caps at.
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
    /// The requirement as a reader sees it (`≤ 0.45`, `≥ 95%`, `须为“是”`).
    pub threshold: Option<String>,
    /// Where the requirement comes from (document and item).
    pub source: Option<String>,
    /// The upper limit, when the first threshold is one (`≤ 0.5` gives 0.5).
    pub upper_limit: Option<f64>,
    /// Status.
    pub status: Status,
    /// The pack's note.
    pub note: String,
    /// The indicator carries a veto (一票否决).
    pub veto: bool,
    /// The veto's finding as the document words it (`存在重点学校或重点班`), when it carries one.
    pub veto_reason: Option<String>,
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
    /// The zone (督学责任区) a school belongs to: index into the zone list.
    pub zone: Option<usize>,
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

/// An inspection report, built once and written in every format: the round's results
/// ([`View`], which the report dereferences to) and the rectification loop computed from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// What the round found, per unit.
    pub view: View,
    /// The rectification loop.
    pub rectification: Rectification,
    /// The items and orders of each unit.
    items: index::Items,
}

impl std::ops::Deref for Report {
    type Target = View;

    fn deref(&self) -> &View {
        &self.view
    }
}

/// What a round found, per unit: the view model every format (and the platform's county,
/// zone and school pages) renders, built once from an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Round id.
    pub round_id: String,
    /// Chinese title.
    pub title: String,
    /// Period.
    pub period: String,
    /// Round date.
    pub date: String,
    /// The family of rounds ([`dudao_engine::plan::Plan::family`]).
    pub family: String,
    /// The issuing office (发布单位).
    pub issuer: Option<String>,
    /// The document number (文号).
    pub document_number: Option<String>,
    /// The foreword (前言), one entry per paragraph.
    pub foreword: Vec<String>,
    /// Public version.
    pub public: bool,
    /// Indicator patterns left out (public version only).
    pub hidden: Vec<String>,
    /// The names of the indicators left out, as `指标包：指标` (public version only).
    pub hidden_names: Vec<String>,
    /// sha256 of the dataset.
    pub dataset_sha256: String,
    /// Packs, in evaluation order.
    pub packs: Vec<PackLine>,
    /// Grade names from the highest band down.
    pub grade_names: Vec<String>,
    /// Units per level, in dataset order.
    pub units: BTreeMap<Level, Vec<UnitReport>>,
    /// The schools of each county and zone.
    members: index::Members,
}

impl Report {
    /// The rectification items a county answers for: its own and its schools' (it supervises
    /// those), in list order.
    pub fn items_of(&self, county: usize) -> Vec<&Item> {
        let Some(id) = self.level(Level::County).get(county).map(|unit| unit.id.as_str()) else { return Vec::new() };
        self.items_at(index::merged([self.items.own(id), self.items.supervised(id)]))
    }

    fn items_at(&self, positions: Vec<usize>) -> Vec<&Item> {
        positions.into_iter().map(|at| &self.rectification.items[at]).collect()
    }

    /// The supervision orders of a county and of its schools, in order.
    pub fn orders_of(&self, county: usize) -> Vec<&Order> {
        self.orders_covering(&self.items_of(county))
    }

    /// The rectification items of one zone or school: a school's own; a zone's own and its
    /// schools' (its 责任督学 follows them up), in list order.
    pub fn items_of_unit(&self, level: Level, index: usize) -> Vec<&Item> {
        let Some(unit) = self.level(level).get(index) else { return Vec::new() };
        let mut lists = vec![self.items.own(&unit.id)];
        if level == Level::Zone {
            lists.extend(self.schools_of_zone(index).map(|school| self.items.own(&school.id)));
        }
        self.items_at(index::merged(lists))
    }

    /// The supervision orders that cover any of `items`, in order.
    pub fn orders_covering(&self, items: &[&Item]) -> Vec<&Order> {
        let orders = index::merged(items.iter().map(|item| self.items.orders(&item.id)));
        orders.into_iter().map(|at| &self.rectification.orders[at]).collect()
    }

    /// The rectification item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.position(id).map(|at| &self.rectification.items[at])
    }
}

impl View {
    /// The index of the county with this code.
    pub fn county_index(&self, code: &str) -> Option<usize> {
        self.level(Level::County).iter().position(|county| county.id == code)
    }

    /// The units of a level.
    pub fn level(&self, level: Level) -> &[UnitReport] {
        self.units.get(&level).map_or(&[], Vec::as_slice)
    }

    /// A county's schools.
    pub fn schools_of(&self, county: usize) -> impl Iterator<Item = &UnitReport> {
        let schools = self.level(Level::School);
        self.members.of_county(county).iter().map(move |&at| &schools[at])
    }

    /// The schools of a zone (督学责任区), in dataset order.
    pub fn schools_of_zone(&self, zone: usize) -> impl Iterator<Item = &UnitReport> {
        let schools = self.level(Level::School);
        self.members.of_zone(zone).iter().map(move |&at| &schools[at])
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

/// The threshold of a result as a reader sees it ([`numbers::bound`]: `≥ 95%`, `须为“是”`).
/// When none applies by name (a school that is not split into parts, for an indicator whose
/// thresholds differ by stage), every threshold is shown with the stage it applies to:
/// `≥ 4.2 m²（小学）；≥ 5.3 m²（初中）`.
fn threshold_for(manifest: &Manifest, indicator: &str, subject: &str) -> Option<String> {
    let node = manifest.node(indicator)?;
    let unit = node.unit.as_deref();
    let applying = applying_thresholds(manifest, indicator, subject);
    if !applying.is_empty() {
        let bounds: Vec<String> =
            applying.iter().map(|threshold| numbers::bound(threshold.op, threshold.value, unit)).collect();
        return Some(bounds.join("，"));
    }
    let stage = |target: &str| match target {
        "primary" => "小学".to_owned(),
        "junior" => "初中".to_owned(),
        other => other.to_owned(),
    };
    let parts: Vec<String> = node
        .thresholds
        .iter()
        .map(|threshold| {
            let bound = numbers::bound(threshold.op, threshold.value, unit);
            match &threshold.applies_to {
                Some(target) => format!("{bound}（{}）", stage(target)),
                None => bound,
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// Where the requirement of a result comes from: its applying threshold's source, else its
/// first threshold's, else its veto's.
fn source_of(manifest: &Manifest, indicator: &str, subject: &str) -> Option<String> {
    let node = manifest.node(indicator)?;
    let source = applying_thresholds(manifest, indicator, subject)
        .first()
        .map(|threshold| &threshold.source)
        .or_else(|| node.thresholds.first().map(|threshold| &threshold.source))
        .or_else(|| node.veto.as_ref().map(|veto| &veto.source))?;
    Some(format!("{}{}", source.document, source.item))
}

/// The requirement of a rolled-up result: its own thresholds, or (without them) that every
/// member meets the indicator, which is how the host judges it.
fn rollup_requirement(rollup: Option<&rules_sdk::wire::Rollup>, unit: Option<&str>, members: &str) -> String {
    match rollup {
        Some(rollup) if !rollup.thresholds.is_empty() => rollup
            .thresholds
            .iter()
            .map(|threshold| numbers::bound(threshold.op, threshold.value, unit))
            .collect::<Vec<_>>()
            .join("，"),
        _ => format!("所属{members}全部达标"),
    }
}

/// A value as a report shows it, by the kind of its unit ([`numbers::value`]).
pub fn shown_value(value: Option<f64>, unit: Option<&str>) -> String {
    numbers::value(value, unit)
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
/// The report's line for one result row: the row's figures with the manifest's name, unit,
/// requirement and source.
fn indicator_line(manifest: &Manifest, row: ResultRow<'_>) -> IndicatorLine {
    let node = manifest.node(row.indicator_id);
    let name = node.map_or_else(|| row.indicator_id.to_owned(), |node| node.name.clone());
    match row.kind {
        RowKind::Rollup { method, .. } => {
            let member_level = node.and_then(|node| node.level).map_or("", |level| level.chinese());
            // A share of members is a share, and a coefficient of variation is one, whatever the
            // members' unit.
            let unit = match method {
                rules_sdk::wire::Aggregation::ShareMet => Some("比例".to_owned()),
                rules_sdk::wire::Aggregation::Cv => Some("差异系数".to_owned()),
                _ => node.and_then(|node| node.unit.clone()),
            };
            let rollup = node.and_then(|node| node.rollup.iter().find(|rollup| rollup.to == row.level));
            IndicatorLine {
                pack: row.pack,
                threshold: Some(rollup_requirement(rollup, unit.as_deref(), member_level)),
                source: rollup
                    .and_then(|rollup| rollup.thresholds.first())
                    .map(|t| format!("{}{}", t.source.document, t.source.item)),
                subject: row.subject_id,
                subject_name: row.subject_name,
                id: row.indicator_id.to_owned(),
                name,
                value: row.value,
                unit,
                upper_limit: None,
                status: row.status,
                note: row.note,
                veto: false,
                veto_reason: None,
                rollup: true,
            }
        }
        RowKind::Result | RowKind::Failed => IndicatorLine {
            pack: row.pack,
            unit: node.and_then(|node| node.unit.clone()),
            threshold: threshold_for(manifest, row.indicator_id, &row.subject_id),
            source: source_of(manifest, row.indicator_id, &row.subject_id),
            upper_limit: upper_limit(manifest, row.indicator_id, &row.subject_id),
            veto: node.is_some_and(|node| node.veto.is_some()),
            veto_reason: node.and_then(|node| node.veto.as_ref()).map(|veto| veto.reason.clone()),
            subject: row.subject_id,
            subject_name: row.subject_name,
            id: row.indicator_id.to_owned(),
            name,
            value: row.value,
            status: row.status,
            note: row.note,
            rollup: false,
        },
    }
}

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
    let mut units: BTreeMap<Level, Vec<UnitReport>> = BTreeMap::new();
    for (level, subjects) in &prepared.subjects {
        // The county a zone or school belongs to, from its one home in the dataset.
        let owners = if *level == Level::County { vec![None; subjects.len()] } else { prepared.counties_of(*level) };
        // The zone of each school, from the zones' member lists.
        let mut zones = vec![None; subjects.len()];
        if *level == Level::School
            && let Some(members) = prepared.members.get(&(Level::Zone, Level::School))
        {
            for (zone, schools) in members.iter().enumerate() {
                for school in schools {
                    if let Some(slot) = zones.get_mut(*school) {
                        *slot = Some(zone);
                    }
                }
            }
        }
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
                    county: owners.get(index).copied().flatten(),
                    zone: zones.get(index).copied().flatten(),
                    scores: Vec::new(),
                    overall: None,
                    indicators: Vec::new(),
                })
                .collect(),
        );
    }
    // The indicator lines are the flat result rows (the one place they are built), grouped by
    // unit and described from the manifest; failed units have no lines (their failures are
    // reported apart).
    for row in results::rows(evaluation) {
        if row.kind == RowKind::Failed || !shown(row.indicator_id) {
            continue;
        }
        let Some(target) = units.get_mut(&row.level).and_then(|list| list.get_mut(row.unit)) else { continue };
        target.indicators.push(indicator_line(&evaluation.packs[row.pack].manifest, row));
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
                .map(|node| (node.name.to_string(), node.score))
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
                vetoes: overall.vetoes.iter().map(|veto| (veto.reason.clone(), veto.cap.clone())).collect(),
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
    let hidden_names: Vec<String> = evaluation
        .packs
        .iter()
        .flat_map(|pack| {
            pack.manifest
                .nodes()
                .into_iter()
                .filter(|node| !shown(&node.id))
                .map(|node| format!("{}：{}", pack.info.title, node.name))
                .collect::<Vec<_>>()
        })
        .collect();
    let view = View {
        round_id: round.map_or_else(|| "dudao".to_owned(), |round| round.plan.id.clone()),
        title: round.map_or_else(|| "教育督导评估".to_owned(), |round| round.plan.title.clone()),
        period: round.map_or_else(|| date[..4].to_owned(), |round| round.plan.period.clone()),
        date,
        family: round.map_or_else(|| "dudao".to_owned(), |round| round.plan.family()),
        issuer: round.and_then(|round| round.plan.issuer.clone()),
        document_number: round.and_then(|round| round.plan.document_number.clone()),
        foreword: round
            .and_then(|round| round.plan.foreword.as_deref())
            .map(|text| {
                text.split("\n\n").map(|paragraph| paragraph.trim().to_owned()).filter(|p| !p.is_empty()).collect()
            })
            .unwrap_or_default(),
        public: options.public,
        hidden,
        hidden_names,
        dataset_sha256: evaluation.dataset.sha256.clone(),
        packs,
        grade_names,
        members: index::Members::of(units.get(&Level::School).map_or(&[], Vec::as_slice)),
        units,
    };
    if let Some((path, previous)) = &options.previous {
        followup::check_previous(path, previous, &view)?;
    }
    let rectification =
        rectification::rectification(evaluation, round, &view, options.previous.as_ref().map(|(_, previous)| previous));
    let items = index::Items::of(&rectification.items, &rectification.orders);
    Ok(Report { view, rectification, items })
}

/// The files `dudao report` writes into its output folder (besides the county documents in
/// [`COUNTIES_DIR`]).
pub const FILES: [&str; 5] = ["results.json", "report.html", "report.md", "report.xlsx", "rectification.csv"];

/// The folder of the county documents: `<code>-<name>.html` and `.docx` (the county report)
/// and `<code>-<name>-督办单.html` and `.docx` (its supervision orders, when it has any).
pub const COUNTIES_DIR: &str = "counties";

/// The folder of the zone documents (on request): `<code>-<name>.html`.
pub const ZONES_DIR: &str = "zones";

/// The folder of the school documents (on request): `<county code>-<county name>/<id>-<name>.html`.
pub const SCHOOLS_DIR: &str = "schools";

/// What [`write_all`] writes: the scope, and the levels below the county that also get a
/// document per unit (`Level::Zone`, `Level::School`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Documents {
    /// The whole round or one county.
    pub scope: Scope,
    /// Zones and/or schools, each unit in scope getting its own document.
    pub units: Vec<Level>,
}

/// Which part of a round [`write_all`] writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// The city overview, every county's documents and the machine outputs.
    #[default]
    All,
    /// Only this county's documents (index into the county level).
    County(usize),
}

/// The county documents of county number `county`: file names (under [`COUNTIES_DIR`]) and
/// contents — the report and its orders, each as HTML and DOCX.
///
/// # Errors
///
/// [`PublishError::Document`] when a DOCX document cannot be made.
pub fn county_documents(report: &Report, county: usize) -> Result<Vec<(String, Vec<u8>)>, PublishError> {
    let unit = &report.level(Level::County)[county];
    let base = file_stem(&unit.id, &unit.name);
    let mut documents = vec![
        (format!("{base}.html"), county_html(report, county).into_bytes()),
        (format!("{base}.docx"), county_docx(report, county)?),
    ];
    if let Some(orders) = orders_html(report, county) {
        documents.push((format!("{base}-督办单.html"), orders.into_bytes()));
    }
    if let Some(orders) = orders_docx(report, county)? {
        documents.push((format!("{base}-督办单.docx"), orders));
    }
    Ok(documents)
}

/// `<id>-<name>` as a file name: the ids and names come from the dataset, so characters that
/// separate paths or that Windows refuses in a name (and control characters) become `_`.
pub fn file_stem(id: &str, name: &str) -> String {
    format!("{id}-{name}")
        .chars()
        .map(
            |c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            },
        )
        .collect()
}

/// A UTF-8 byte order mark in front of CSV text: Excel in Chinese locales reads a CSV file
/// without one as GBK and garbles it.
pub fn with_bom(text: &str) -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

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
    documents: &Documents,
) -> Result<Vec<PathBuf>, PublishError> {
    let scope = documents.scope;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if scope == Scope::All {
        if !report.public {
            files.push(("results.json".into(), results_json(evaluation, round, report).into_bytes()));
        }
        files.push(("report.html".into(), html(report).into_bytes()));
        files.push(("report.md".into(), markdown(report).into_bytes()));
        files.push(("report.xlsx".into(), xlsx(report)?));
        files.push(("rectification.csv".into(), with_bom(&csv(report))));
    }
    let counties: Vec<usize> = match scope {
        Scope::All => (0..report.level(Level::County).len()).collect(),
        Scope::County(county) => vec![county],
    };
    for &county in &counties {
        for (name, bytes) in county_documents(report, county)? {
            files.push((Path::new(COUNTIES_DIR).join(name), bytes));
        }
    }
    for level in [Level::Zone, Level::School].into_iter().filter(|level| documents.units.contains(level)) {
        for (index, unit) in report.level(level).iter().enumerate() {
            let Some(county) = unit.county.filter(|county| counties.contains(county)) else { continue };
            let Some(html) = unit_html(report, level, index) else { continue };
            let name = format!("{}.html", file_stem(&unit.id, &unit.name));
            let path = match level {
                Level::Zone => Path::new(ZONES_DIR).join(name),
                _ => {
                    let owner = &report.level(Level::County)[county];
                    Path::new(SCHOOLS_DIR).join(file_stem(&owner.id, &owner.name)).join(name)
                }
            };
            files.push((path, html.into_bytes()));
        }
    }
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| PublishError::Write { path: parent.to_owned(), source })?;
        }
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

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn a_file_stem_cannot_leave_its_folder() {
        assert_eq!(file_stem("410804", "马村区"), "410804-马村区");
        assert_eq!(file_stem("x", "../../etc/passwd"), "x-.._.._etc_passwd");
        assert_eq!(file_stem("s1", "一小\\二小:*?\"<>|\n"), "s1-一小_二小________");
    }
}
