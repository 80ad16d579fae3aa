//! `410821-afterschool`: 修武县课后服务, a county-local pack of 修武县 (410821).
//!
//! After-school service (课后服务) under 双减: whether each 修武县 school offers it, how many of
//! its students take part, and for the county the share of schools offering it (coverage) and
//! the share of students taking part.
//!
//! Written the way a county author writes a pack with the rules SDK:
//!
//! - The pack runs on the city's whole dataset, so it only evaluates 修武县: schools whose
//!   `county_id` is 410821 and the county 410821 itself; every other subject gets no result.
//! - Its two data columns are 修武县's own. Other counties leave them empty, so they are
//!   declared `optional` (a required column would turn every other county's empty cell into a
//!   data error and stop the city's run). An empty cell in a 修武县 school means "not
//!   reported" and is not met.
//! - No vetoes, ids prefixed `410821.`, no city-level figures. Participation is voluntary and
//!   its target is 修武县's own, so it is a parameter.

use rules_sdk::prelude::*;
use rules_sdk::{FieldBuilder, Parameter, Params, SchoolBasics};
use serde::Deserialize;

/// The pack id: the county code, then the pack's name.
pub const PACK_ID: &str = "410821-afterschool";

/// 修武县's administrative division code.
pub const COUNTY: &str = "410821";

/// 学校提供课后服务.
pub const OFFERED: &str = "410821.afterschool.offered";
/// 学校学生课后服务参与率.
pub const SCHOOL_PARTICIPATION: &str = "410821.afterschool.participation_rate";
/// 课后服务学校覆盖率.
pub const COVERAGE: &str = "410821.afterschool.coverage";
/// 全县学生课后服务参与率.
pub const COUNTY_PARTICIPATION: &str = "410821.afterschool.county_participation_rate";

/// Every school should offer after-school service (全覆盖).
pub const FULL_COVERAGE: f64 = 1.0;

/// The participation target's parameter and its default.
pub const MIN_PARTICIPATION: Parameter =
    Parameter::number("min_participation_rate", 0.7, "学生课后服务参与率下限（比例）", PARTICIPATION_SOURCE);

/// Where coverage comes from.
const COVERAGE_SOURCE: (&str, &str) = (
    "关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见（中共中央办公厅、国务院办公厅，2021年7月）",
    "三、提升学校课后服务水平，满足学生多样化需求；“每所学校均提供课后服务”为修武县的地方实施口径",
);

/// Where the participation target comes from.
const PARTICIPATION_SOURCE: (&str, &str) = (
    "关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见（中共中央办公厅、国务院办公厅，2021年7月）",
    "三、提升学校课后服务水平（学生自愿参加）；参与率目标70%为修武县自定的地方实施口径，可由评估方案调整",
);

/// A school as this pack reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    /// id, name, county and students.
    #[serde(flatten)]
    pub basics: SchoolBasics,
    pub afterschool_offered: Option<bool>,
    pub afterschool_participants: Option<f64>,
}

impl std::ops::Deref for School {
    type Target = SchoolBasics;

    fn deref(&self) -> &SchoolBasics {
        &self.basics
    }
}

impl std::ops::DerefMut for School {
    fn deref_mut(&mut self) -> &mut SchoolBasics {
        &mut self.basics
    }
}

impl School {
    /// Checks that the two figures agree with each other and with the students.
    ///
    /// # Errors
    ///
    /// When more students take part than the school has, or students take part in a service
    /// the school does not offer.
    pub fn check(&self) -> Result<(), PackError> {
        let participants = self.afterschool_participants.unwrap_or(0.0);
        if participants > self.students() {
            return Err(PackError::new(format!(
                "school `{}`: afterschool_participants ({participants}) is larger than its students ({})",
                self.id,
                self.students()
            )));
        }
        if self.afterschool_offered == Some(false) && participants > 0.0 {
            return Err(PackError::new(format!(
                "school `{}`: afterschool_offered is false but afterschool_participants is {participants}",
                self.id
            )));
        }
        Ok(())
    }
}

fn noted(mut row: IndicatorResult, note: impl Into<String>) -> IndicatorResult {
    row.note = Some(note.into());
    row
}

/// The participation target in force (the plan's, or the default).
///
/// # Errors
///
/// When the plan set it to something that is not a number.
pub fn participation_target(unit: &Unit) -> Result<f64, PackError> {
    Params::of(unit).value(&MIN_PARTICIPATION)
}

/// The two school results.
///
/// # Errors
///
/// When the school's figures contradict each other.
pub fn school_results(school: &School, target: f64) -> Result<Vec<IndicatorResult>, PackError> {
    school.check()?;
    let id = school.id.as_str();
    let offered = match school.afterschool_offered {
        Some(true) => result(id, OFFERED, Some(1.0), Status::Met),
        Some(false) => noted(result(id, OFFERED, Some(0.0), Status::NotMet), "学校未提供课后服务"),
        None => noted(result(id, OFFERED, None, Status::NotMet), "未填报是否提供课后服务"),
    };
    let participation = match (school.afterschool_participants, school.students() > 0.0) {
        (Some(participants), true) => {
            let rate = participants / school.students();
            noted(
                result(id, SCHOOL_PARTICIPATION, Some(rate), Status::of(Comparison::AtLeast.holds(rate, target))),
                format!("{participants}/{}", school.students()),
            )
        }
        (Some(_), false) => noted(result(id, SCHOOL_PARTICIPATION, None, Status::NotApplicable), "学校无在校生"),
        (None, _) => noted(result(id, SCHOOL_PARTICIPATION, None, Status::NotMet), "未填报课后服务参与人数"),
    };
    Ok(vec![offered, participation])
}

/// The two county results over the county's schools.
///
/// # Errors
///
/// When a school's figures contradict each other.
pub fn county_results(county: &str, schools: &[School], target: f64) -> Result<Vec<IndicatorResult>, PackError> {
    for school in schools {
        school.check()?;
    }
    if schools.is_empty() {
        let none = |indicator| noted(result(county, indicator, None, Status::NotApplicable), "县域内无学校");
        return Ok(vec![none(COVERAGE), none(COUNTY_PARTICIPATION)]);
    }
    let offering = schools.iter().filter(|school| school.afterschool_offered == Some(true)).count();
    let missing: Vec<&str> = schools
        .iter()
        .filter(|school| school.afterschool_offered != Some(true))
        .map(|school| school.name.as_str())
        .collect();
    let coverage = offering as f64 / schools.len() as f64;
    let mut note = format!("{offering}/{} 所学校提供课后服务", schools.len());
    if !missing.is_empty() {
        note.push_str(&format!("；未提供或未填报：{}", missing.join("、")));
    }
    let coverage_row = noted(
        result(county, COVERAGE, Some(coverage), Status::of(Comparison::AtLeast.holds(coverage, FULL_COVERAGE))),
        note,
    );

    let participants: f64 = schools.iter().map(|school| school.afterschool_participants.unwrap_or(0.0)).sum();
    let students: f64 = schools.iter().map(|school| school.students()).sum();
    let participation_row = if students > 0.0 {
        let rate = participants / students;
        noted(
            result(county, COUNTY_PARTICIPATION, Some(rate), Status::of(Comparison::AtLeast.holds(rate, target))),
            format!("{participants}/{students}（未填报的学校按0人计）"),
        )
    } else {
        noted(result(county, COUNTY_PARTICIPATION, None, Status::NotApplicable), "县域内无在校生")
    };
    Ok(vec![coverage_row, participation_row])
}

/// The pack.
#[derive(Debug)]
pub struct XiuwuAfterschool;

impl Pack for XiuwuAfterschool {
    fn manifest() -> Manifest {
        let (target_name, target) = (MIN_PARTICIPATION.name, MIN_PARTICIPATION.default);
        ManifestBuilder::new(PACK_ID, env!("CARGO_PKG_VERSION"), "修武县课后服务")
            .description(
                "修武县县域特色指标：学校是否提供课后服务、学生参与率，以及全县课后服务学校覆盖率和学生参与率。\
                 只评价修武县（410821）及其学校；参与率目标为修武县自定，可由评估方案参数调整。",
            )
            .unit(Level::School, &[])
            .unit(Level::County, &[Level::School])
            .field(Level::School, FieldBuilder::text("county_id", "所属县（市、区）代码，用于只评价修武县学校"))
            .field(Level::School, FieldBuilder::count("primary_students", "小学段在校生数"))
            .field(Level::School, FieldBuilder::count("junior_students", "初中段在校生数"))
            .field(
                Level::School,
                FieldBuilder::boolean("afterschool_offered", "学校提供课后服务（修武县学校填写，其他县留空）").optional(),
            )
            .field(
                Level::School,
                FieldBuilder::count("afterschool_participants", "参加课后服务的学生数（修武县学校填写，其他县留空）")
                    .optional(),
            )
            .declare(&MIN_PARTICIPATION)
            .indicator(
                NodeBuilder::dimension("410821.afterschool", "课后服务")
                    .weight(1.0)
                    .child(
                        NodeBuilder::indicator(OFFERED, "学校提供课后服务", Level::School)
                            .unit("是/否")
                            .formula("afterschool_offered 为是记1，否则记0；未填报为未达标")
                            .threshold(Comparison::AtLeast, FULL_COVERAGE, None, COVERAGE_SOURCE)
                            .weight(1.0)
                            .pass_fail()
                            .rollup(Level::Zone, Aggregation::ShareMet),
                    )
                    .child(
                        NodeBuilder::indicator(SCHOOL_PARTICIPATION, "学校学生课后服务参与率", Level::School)
                            .unit("比例")
                            .formula(&format!(
                                "afterschool_participants / (primary_students + junior_students)；未填报为未达标；\
                                 下限为参数 `{target_name}`"
                            ))
                            .threshold(Comparison::AtLeast, target, None, PARTICIPATION_SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.3, full: target })
                            .rollup(Level::Zone, Aggregation::Mean),
                    )
                    .child(
                        NodeBuilder::indicator(COVERAGE, "课后服务学校覆盖率", Level::County)
                            .unit("比例")
                            .formula("提供课后服务的学校数 / 全县学校数（含教学点）")
                            .threshold(Comparison::AtLeast, FULL_COVERAGE, None, COVERAGE_SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.6, full: FULL_COVERAGE }),
                    )
                    .child(
                        NodeBuilder::indicator(COUNTY_PARTICIPATION, "全县学生课后服务参与率", Level::County)
                            .unit("比例")
                            .formula(&format!(
                                "Σ afterschool_participants / Σ 在校生（未填报的学校按0人计）；下限为参数 `{target_name}`"
                            ))
                            .threshold(Comparison::AtLeast, target, None, PARTICIPATION_SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.3, full: target }),
                    ),
            )
            .build()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        let target = participation_target(unit)?;
        match unit.level {
            Level::School => {
                let school: School = unit.subject_as()?;
                if school.county_id != COUNTY {
                    return Ok(Vec::new());
                }
                school_results(&school, target)
            }
            Level::County if unit.subject_id() == COUNTY => {
                county_results(COUNTY, &unit.members_as(Level::School)?, target)
            }
            Level::County => Ok(Vec::new()),
            other => Err(PackError::new(format!("{PACK_ID} does not evaluate {other} units"))),
        }
    }
}

rules_sdk::export_pack!(XiuwuAfterschool);

#[cfg(test)]
mod tests {
    use super::*;

    fn school(offered: Option<bool>, participants: Option<f64>) -> School {
        School {
            basics: SchoolBasics {
                id: "4108210001".to_owned(),
                name: "修武县第1小学".to_owned(),
                county_id: COUNTY.to_owned(),
                primary_students: 600.0,
                junior_students: 0.0,
            },
            afterschool_offered: offered,
            afterschool_participants: participants,
        }
    }

    fn unit(level: Level, subject: Record, params: Record) -> Unit {
        Unit::new(level, &subject).with_params(params)
    }

    #[test]
    fn a_school_offering_the_service_with_70_percent_taking_part_meets_both() {
        let rows = school_results(&school(Some(true), Some(420.0)), 0.7).expect("evaluates");
        assert_eq!((rows[0].value, rows[0].status), (Some(1.0), Status::Met));
        // 420 / 600 = 0.7: equal meets.
        assert_eq!((rows[1].value, rows[1].status), (Some(0.7), Status::Met));
        assert_eq!(rows[1].note.as_deref(), Some("420/600"));
    }

    #[test]
    fn not_offering_or_not_reporting_is_not_met() {
        let rows = school_results(&school(Some(false), Some(0.0)), 0.7).expect("evaluates");
        assert_eq!((rows[0].value, rows[0].status), (Some(0.0), Status::NotMet));
        assert_eq!((rows[1].value, rows[1].status), (Some(0.0), Status::NotMet));
        let rows = school_results(&school(None, None), 0.7).expect("evaluates");
        assert_eq!(rows[0].note.as_deref(), Some("未填报是否提供课后服务"));
        assert!(rows.iter().all(|row| row.status == Status::NotMet && row.value.is_none()));
    }

    #[test]
    fn contradictory_figures_are_refused() {
        assert!(school(Some(false), Some(10.0)).check().is_err());
        assert!(school(Some(true), Some(601.0)).check().is_err());
    }

    #[test]
    fn the_county_measures_coverage_and_pooled_participation() {
        let a = school(Some(true), Some(500.0));
        let mut point = school(Some(false), Some(0.0));
        point.name = "修武县李村教学点".to_owned();
        point.primary_students = 30.0;
        let rows = county_results(COUNTY, &[a, point], 0.7).expect("evaluates");
        assert_eq!((rows[0].value, rows[0].status), (Some(0.5), Status::NotMet));
        assert_eq!(rows[0].note.as_deref(), Some("1/2 所学校提供课后服务；未提供或未填报：修武县李村教学点"));
        assert_eq!(rows[1].value, Some(500.0 / 630.0));
        assert_eq!(rows[1].status, Status::Met);
    }

    #[test]
    fn a_plan_can_set_the_participation_target() {
        let mut params = Record::new();
        assert_eq!(participation_target(&unit(Level::School, Record::new(), params.clone())).expect("ok"), 0.7);
        params.insert("min_participation_rate".to_owned(), serde_json::json!(0.9));
        assert_eq!(participation_target(&unit(Level::School, Record::new(), params.clone())).expect("ok"), 0.9);
        params.insert("min_participation_rate".to_owned(), serde_json::json!("high"));
        assert!(participation_target(&unit(Level::School, Record::new(), params)).is_err());
    }

    #[test]
    fn other_counties_get_no_results() {
        let mut record = Record::new();
        for (key, value) in [
            ("id", serde_json::json!("4108250001")),
            ("name", serde_json::json!("温县第1小学")),
            ("county_id", serde_json::json!("410825")),
            ("primary_students", serde_json::json!(300)),
            ("junior_students", serde_json::json!(0)),
            ("afterschool_offered", serde_json::Value::Null),
            ("afterschool_participants", serde_json::Value::Null),
        ] {
            record.insert(key.to_owned(), value);
        }
        assert!(XiuwuAfterschool::evaluate(&unit(Level::School, record, Record::new())).expect("ok").is_empty());
        let mut county = Record::new();
        county.insert("id".to_owned(), serde_json::json!("410825"));
        assert!(XiuwuAfterschool::evaluate(&unit(Level::County, county, Record::new())).expect("ok").is_empty());
    }

    #[test]
    fn the_manifest_follows_the_rules_for_local_packs() {
        let manifest = XiuwuAfterschool::manifest();
        assert!(manifest.id.starts_with("410821-"));
        for node in manifest.nodes() {
            assert!(node.id.starts_with("410821."), "{}", node.id);
            assert!(node.veto.is_none());
            assert_ne!(node.level, Some(Level::City));
            assert!(node.rollup.iter().all(|rollup| rollup.to != Level::City));
            for threshold in &node.thresholds {
                assert!(threshold.source.item.contains("地方实施口径"));
            }
        }
        assert!(manifest.units.iter().all(|unit| unit.level != Level::City));
    }
}
