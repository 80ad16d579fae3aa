//! The rectification list (整改清单), exemption (免除督导) and accountability (问责) of a round.

use std::collections::{BTreeMap, BTreeSet};

use rules_sdk::wire::{Level, Status};
use serde::{Deserialize, Serialize};

use super::{Report, View, shown_value};
use crate::text::format_value;
use dudao_engine::evaluate::Evaluation;
use dudao_engine::plan;
use dudao_engine::round::Round;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Found in this round (新发现).
    New,
    /// Found earlier, still not met, deadline not passed (回头看未整改).
    Open,
    /// Found earlier, still not met, past its deadline (逾期未整改): on a supervision order.
    Overdue,
}

impl ItemStatus {
    /// The status in Chinese.
    pub fn chinese(self) -> &'static str {
        match self {
            ItemStatus::New => "新发现",
            ItemStatus::Open => "回头看未整改",
            ItemStatus::Overdue => "逾期未整改",
        }
    }
}

/// One finding to rectify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: `<round id of the first finding>:<pack>:<subject>:<indicator>`.
    pub id: String,
    /// Key matched across rounds: `<pack>:<subject>:<indicator>`.
    pub key: String,
    /// The round that first found it.
    pub found_in: String,
    /// Pack id.
    pub pack: String,
    /// Pack title.
    pub pack_title: String,
    /// From a county's local pack (地方).
    pub local: bool,
    /// Level of the responsible unit.
    pub level: Level,
    /// Responsible unit (责任单位): id.
    pub unit_id: String,
    /// Its name.
    pub unit_name: String,
    /// The result's subject (a school part such as `S1:primary`).
    pub subject: String,
    /// Supervising unit (督办单位) of a school: its county's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_name: Option<String>,
    /// Indicator id.
    pub indicator: String,
    /// Indicator name.
    pub indicator_name: String,
    /// The value found.
    pub value: Option<f64>,
    /// Its unit, as the pack declares it (`比例`, `m²`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The threshold, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// Where the threshold comes from (document and item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The pack's note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The indicator carries a veto (一票否决).
    pub veto: bool,
    /// Rectification deadline (`YYYY-MM-DD`), from the first finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Where it stands.
    pub status: ItemStatus,
}

/// One round's grade of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundGrade {
    /// Round id.
    pub round: String,
    /// Round date.
    pub date: String,
    /// Overall grade.
    pub grade: Option<String>,
}

/// A unit's overall grades over the rounds, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeHistory {
    /// Level.
    pub level: Level,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Grades, oldest first, this round last.
    pub grades: Vec<RoundGrade>,
    /// Consecutive rounds, ending with this one, graded in the top band.
    pub top_streak: usize,
}

/// A unit eligible for exemption from inspection (免除督导).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// Level.
    pub level: Level,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Consecutive rounds in the top band.
    pub streak: usize,
}

/// A unit recommended for accountability (不得评优评先).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountability {
    /// Level.
    pub level: Level,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
}

/// The `rectification` section of `results.json`; the next round reads it back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rectification {
    /// Round id.
    pub round: String,
    /// Round date.
    pub date: String,
    /// The family of rounds: a later round follows up only a round of its family.
    #[serde(default)]
    pub family: String,
    /// Ids of the county-level units evaluated: a later round follows up only the same units.
    #[serde(default)]
    pub counties: Vec<String>,
    /// Days allowed for rectification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    /// Top grade band (优秀).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_grade: Option<String>,
    /// Consecutive top grades needed for exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_rounds: Option<u32>,
    /// Items still to rectify after this round (new and carried over).
    pub items: Vec<Item>,
    /// Follow-up of the previous round (回头看).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followup: Option<FollowUp>,
    /// Supervision orders (督办单).
    #[serde(default)]
    pub orders: Vec<Order>,
    /// Units eligible for exemption.
    #[serde(default)]
    pub exemption: Vec<Exemption>,
    /// Units recommended for accountability.
    #[serde(default)]
    pub accountability: Vec<Accountability>,
    /// Overall grades over the rounds.
    #[serde(default)]
    pub grade_history: Vec<GradeHistory>,
}

/// The previous round's `rectification` section, read back from its `results.json`.
pub type PreviousRound = Rectification;

/// What the follow-up found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The previous round's id.
    pub previous_round: String,
    /// Its date.
    pub previous_date: String,
    /// Items of the previous round no longer found (已整改).
    pub fixed: Vec<Item>,
    /// Ids of this round's items carried over from the previous round (回头看未整改).
    pub still_open: Vec<String>,
}

/// A supervision order (督办单): one per responsible unit with overdue items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Order number (`督办〔2027〕1号`).
    pub number: String,
    /// Level of the unit.
    pub level: Level,
    /// Responsible unit id.
    pub unit_id: String,
    /// Its name.
    pub unit_name: String,
    /// Its supervising county, for a school.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_name: Option<String>,
    /// Ids of the overdue items.
    pub items: Vec<String>,
    /// The new deadline set by the order (round date + the plan's deadline days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
}

/// The key matched across rounds.
fn key(pack: &str, subject: &str, indicator: &str) -> String {
    format!("{pack}:{subject}:{indicator}")
}

/// Builds the rectification section.
pub(super) fn rectification(
    evaluation: &Evaluation,
    round: Option<&Round>,
    report: &View,
    previous: Option<&PreviousRound>,
) -> Rectification {
    let deadline_days = round.and_then(|round| round.plan.rectification).map(|rules| rules.deadline_days);
    let today = plan::parse_date(&report.date).unwrap_or_default();
    let new_deadline = deadline_days.map(|days| plan::format_date(today + i64::from(days)));
    let previous_items: BTreeMap<&str, &Item> =
        previous.map(|p| p.items.iter().map(|item| (item.key.as_str(), item)).collect()).unwrap_or_default();

    // Every not-met key of this round, hidden indicators included: a finding left out of a
    // public report is not rectified by being left out.
    let mut current: BTreeSet<String> = BTreeSet::new();
    for outcome in &evaluation.outcomes {
        if !matches!(outcome.level, Level::County | Level::School) {
            continue;
        }
        if let Ok(results) = &outcome.result {
            for result in results.iter().filter(|result| result.status == Status::NotMet) {
                current.insert(key(&evaluation.packs[outcome.pack].info.id, &result.subject, &result.indicator));
            }
        }
    }

    let counties = report.level(Level::County);
    let mut items = Vec::new();
    for level in [Level::County, Level::School] {
        for unit in report.level(level) {
            let supervisor = unit.county.and_then(|county| counties.get(county)).filter(|_| level == Level::School);
            for line in unit.not_met().filter(|line| !line.rollup) {
                let pack = &report.packs[line.pack];
                let key = key(&pack.id, &line.subject, &line.id);
                let earlier = previous_items.get(key.as_str());
                let deadline = match earlier {
                    Some(item) => item.deadline.clone(),
                    None => new_deadline.clone(),
                };
                let status = match earlier {
                    None => ItemStatus::New,
                    Some(_) => {
                        let passed = deadline.as_deref().and_then(plan::parse_date).is_some_and(|due| today > due);
                        if passed { ItemStatus::Overdue } else { ItemStatus::Open }
                    }
                };
                let found_in = earlier.map_or_else(|| report.round_id.clone(), |item| item.found_in.clone());
                items.push(Item {
                    id: format!("{found_in}:{key}"),
                    key,
                    found_in,
                    pack: pack.id.clone(),
                    pack_title: pack.title.clone(),
                    local: pack.local,
                    level,
                    unit_id: unit.id.clone(),
                    unit_name: unit.name.clone(),
                    subject: line.subject.clone(),
                    supervisor_id: supervisor.map(|county| county.id.clone()),
                    supervisor_name: supervisor.map(|county| county.name.clone()),
                    indicator: line.id.clone(),
                    indicator_name: line.name.clone(),
                    value: line.value,
                    unit: line.unit.clone(),
                    threshold: line.threshold.clone(),
                    source: line.source.clone(),
                    note: line.note.clone(),
                    veto: line.veto,
                    deadline,
                    status,
                });
            }
        }
    }

    let shown = |indicator: &str| !report.hidden.iter().any(|pattern| dudao_engine::scope::matches(pattern, indicator));
    let followup = previous.map(|previous| FollowUp {
        previous_round: previous.round.clone(),
        previous_date: previous.date.clone(),
        fixed: previous
            .items
            .iter()
            .filter(|item| !current.contains(&item.key) && shown(&item.indicator))
            .cloned()
            .collect(),
        still_open: items.iter().filter(|item| item.status != ItemStatus::New).map(|item| item.id.clone()).collect(),
    });

    // Supervision orders: one per responsible unit with overdue items, in item order.
    let mut orders: Vec<Order> = Vec::new();
    for item in items.iter().filter(|item| item.status == ItemStatus::Overdue) {
        match orders.iter_mut().find(|order| order.unit_id == item.unit_id) {
            Some(order) => order.items.push(item.id.clone()),
            None => orders.push(Order {
                number: format!("督办〔{}〕{}号", report.period, orders.len() + 1),
                level: item.level,
                unit_id: item.unit_id.clone(),
                unit_name: item.unit_name.clone(),
                supervisor_name: item.supervisor_name.clone(),
                items: vec![item.id.clone()],
                deadline: new_deadline.clone(),
            }),
        }
    }

    // Grade history, exemption and accountability.
    let top_grade = report.grade_names.first().cloned();
    let exemption_rounds = round.and_then(|round| round.plan.exemption).map(|rules| rules.consecutive_excellent);
    let previous_history: BTreeMap<(Level, &str), &GradeHistory> = previous
        .map(|p| p.grade_history.iter().map(|history| ((history.level, history.id.as_str()), history)).collect())
        .unwrap_or_default();
    let mut grade_history = Vec::new();
    let mut exemption = Vec::new();
    let mut accountability = Vec::new();
    for level in [Level::County, Level::School] {
        for unit in report.level(level) {
            let Some(overall) = &unit.overall else { continue };
            let mut grades = previous_history
                .get(&(level, unit.id.as_str()))
                .map(|history| history.grades.clone())
                .unwrap_or_default();
            grades.push(RoundGrade {
                round: report.round_id.clone(),
                date: report.date.clone(),
                grade: overall.grade.clone(),
            });
            let top_streak = match &top_grade {
                Some(top) => grades.iter().rev().take_while(|entry| entry.grade.as_ref() == Some(top)).count(),
                None => 0,
            };
            let mut reasons: Vec<String> =
                overall.vetoes.iter().map(|(finding, cap)| format!("一票否决：{finding}（等级最高{cap}）")).collect();
            let overdue =
                items.iter().filter(|item| item.unit_id == unit.id && item.status == ItemStatus::Overdue).count();
            if overdue > 0 {
                reasons.push(format!("逾期未整改{overdue}项"));
            }
            // Accountability wins: a unit with a veto or overdue items is not exempted, however
            // long its streak of top grades.
            if !reasons.is_empty() {
                accountability.push(Accountability { level, id: unit.id.clone(), name: unit.name.clone(), reasons });
            } else if exemption_rounds.is_some_and(|needed| top_streak >= needed as usize) {
                exemption.push(Exemption { level, id: unit.id.clone(), name: unit.name.clone(), streak: top_streak });
            }
            grade_history.push(GradeHistory {
                level,
                id: unit.id.clone(),
                name: unit.name.clone(),
                grades,
                top_streak,
            });
        }
    }

    Rectification {
        round: report.round_id.clone(),
        date: report.date.clone(),
        family: report.family.clone(),
        counties: report.level(Level::County).iter().map(|county| county.id.clone()).collect(),
        deadline_days,
        top_grade,
        exemption_rounds,
        items,
        followup,
        orders,
        exemption,
        accountability,
        grade_history,
    }
}

/// Columns of the rectification list (整改清单); the workbook leaves out the matching key.
pub const ITEM_COLUMNS: [&str; 17] = [
    "编号",
    "匹配键",
    "层级",
    "责任单位代码",
    "责任单位",
    "督办单位",
    "指标包",
    "地方",
    "指标代码",
    "指标名称",
    "值",
    "标准",
    "说明",
    "一票否决",
    "发现轮次",
    "整改期限",
    "状态",
];

/// The rectification list as CSV (整改清单), one item per row.
pub fn csv(report: &Report) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let header = ITEM_COLUMNS;
    writer.write_record(header).expect("writing to memory cannot fail");
    for item in &report.rectification.items {
        // Names and notes come from datasets and packs: never a formula in a cell.
        let cell = dudao_engine::textguard::neutralise_formula;
        writer
            .write_record([
                item.id.as_str(),
                item.key.as_str(),
                item.level.chinese(),
                item.unit_id.as_str(),
                &cell(&item.unit_name),
                item.supervisor_name.as_deref().unwrap_or(""),
                item.pack.as_str(),
                if item.local { "地方" } else { "" },
                item.indicator.as_str(),
                &cell(&item.indicator_name),
                &item.value.map(format_value).unwrap_or_default(),
                item.threshold.as_deref().unwrap_or(""),
                &cell(&item.note),
                if item.veto { "是" } else { "" },
                item.found_in.as_str(),
                item.deadline.as_deref().unwrap_or(""),
                item.status.chinese(),
            ])
            .expect("writing to memory cannot fail");
    }
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("csv of strings is utf-8")
}

/// A value with its unit, for reading ([`super::numbers::value`]).
pub(super) fn value_with_unit(value: Option<f64>, unit: Option<&str>) -> String {
    shown_value(value, unit)
}
