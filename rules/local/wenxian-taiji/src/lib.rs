//! `410825-taiji`: 温县太极拳进校园, a county-local pack of 温县 (410825), the birthplace of
//! Chen-style taijiquan (陈氏太极拳发源地).
//!
//! Two figures, for each 温县 school and for the county: whether a school teaches taijiquan
//! every week, and how many of its students take part.
//!
//! Written the way a county author writes a pack with the rules SDK:
//!
//! - The pack runs on the city's whole dataset, so it only evaluates 温县: schools whose
//!   `county_id` is 410825 and the county 410825 itself; every other subject gets no result.
//! - Its two data columns are 温县's own. Other counties leave them empty, so they are declared
//!   `optional` (a required column would make every other county's empty cell a data error and
//!   stop the whole city's run). An empty cell in a 温县 school means "not reported", which
//!   the pack reports as not met, so a forgotten cell is never mistaken for a school that
//!   simply does not teach taijiquan.
//! - No vetoes, ids prefixed `410825.`, no city-level figures: the city's rules for local
//!   packs. The targets are county targets, not national figures, so they are parameters.

use rules_sdk::prelude::*;
use rules_sdk::{FieldBuilder, Parameter, Params, SchoolBasics};
use serde::Deserialize;

/// The pack id: the county code, then the pack's name.
pub const PACK_ID: &str = "410825-taiji";

/// 温县's administrative division code.
pub const COUNTY: &str = "410825";

/// 学校每周开设太极拳课程（课时）.
pub const WEEKLY_CLASSES: &str = "410825.taiji.weekly_classes";
/// 学校学生太极拳参与率.
pub const SCHOOL_PARTICIPATION: &str = "410825.taiji.participation_rate";
/// 开设太极拳课程的学校比例.
pub const SCHOOLS_TEACHING: &str = "410825.taiji.schools_teaching";
/// 全县学生太极拳参与率.
pub const COUNTY_PARTICIPATION: &str = "410825.taiji.county_participation_rate";

/// At least this many taijiquan classes a week.
pub const MIN_WEEKLY_CLASSES: Parameter =
    Parameter::integer("min_weekly_classes", 1.0, "每所学校每周太极拳课时下限", SOURCE);
/// At least this share of students taking part.
pub const MIN_PARTICIPATION: Parameter =
    Parameter::number("min_participation_rate", 0.8, "学生太极拳参与率下限（比例）", SOURCE);
/// At least this share of schools teaching it.
pub const MIN_SCHOOLS_TEACHING: Parameter =
    Parameter::number("min_schools_teaching", 1.0, "开设太极拳课程的学校比例下限（比例）", SOURCE);

/// Where the targets come from: the founding document lets schools build their own character;
/// the figures are 温县's own.
const SOURCE: (&str, &str) = (
    "关于深化新时代教育督导体制机制改革的实施意见（焦办文〔2021〕23号）",
    "第6条（引导学校办出特色、办出水平）；太极拳进校园目标值为温县自定的地方实施口径，可由评估方案调整",
);

/// A school as this pack reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    /// id, name, county and students.
    #[serde(flatten)]
    pub basics: SchoolBasics,
    pub taiji_classes_per_week: Option<f64>,
    pub taiji_participants: Option<f64>,
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
    /// Participants per student; `None` when the school has not reported or has no students.
    ///
    /// # Errors
    ///
    /// When more students take part than the school has.
    pub fn participation(&self) -> Result<Option<f64>, PackError> {
        let Some(participants) = self.taiji_participants else { return Ok(None) };
        if participants > self.students() {
            return Err(PackError::new(format!(
                "school `{}`: taiji_participants ({participants}) is larger than its students ({})",
                self.id,
                self.students()
            )));
        }
        Ok((self.students() > 0.0).then(|| participants / self.students()))
    }
}

/// The values of the targets in force (the plan's, or the defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    pub weekly_classes: f64,
    pub participation: f64,
    pub schools_teaching: f64,
}

impl Targets {
    /// The targets of a unit.
    ///
    /// # Errors
    ///
    /// When the plan set a target to something that is not a number.
    pub fn of(unit: &Unit) -> Result<Targets, PackError> {
        let params = Params::of(unit);
        let value = |target: &Parameter| params.value(target);
        Ok(Targets {
            weekly_classes: value(&MIN_WEEKLY_CLASSES)?,
            participation: value(&MIN_PARTICIPATION)?,
            schools_teaching: value(&MIN_SCHOOLS_TEACHING)?,
        })
    }
}

impl Default for Targets {
    fn default() -> Targets {
        Targets {
            weekly_classes: MIN_WEEKLY_CLASSES.default,
            participation: MIN_PARTICIPATION.default,
            schools_teaching: MIN_SCHOOLS_TEACHING.default,
        }
    }
}

fn not_reported(subject: &str, indicator: &str, what: &str) -> IndicatorResult {
    IndicatorResult { note: Some(format!("未填报{what}")), ..result(subject, indicator, None, Status::NotMet) }
}

/// Whether a school teaches taijiquan at least `min` classes a week (`None`: not reported).
pub fn teaches(school: &School, min: f64) -> Option<bool> {
    school.taiji_classes_per_week.map(|classes| Comparison::AtLeast.holds(classes, min))
}

/// The two school results.
///
/// # Errors
///
/// When more students take part than the school has.
pub fn school_results(school: &School, targets: &Targets) -> Result<Vec<IndicatorResult>, PackError> {
    let id = school.id.as_str();
    let weekly = match (school.taiji_classes_per_week, teaches(school, targets.weekly_classes)) {
        (Some(classes), Some(met)) => result(id, WEEKLY_CLASSES, Some(classes), Status::of(met)),
        _ => not_reported(id, WEEKLY_CLASSES, "每周太极拳课时"),
    };
    let participation = match school.participation()? {
        Some(rate) => {
            let mut row = result(
                id,
                SCHOOL_PARTICIPATION,
                Some(rate),
                Status::of(Comparison::AtLeast.holds(rate, targets.participation)),
            );
            row.note = Some(format!("{}/{}", school.taiji_participants.unwrap_or(0.0), school.students()));
            row
        }
        None if school.taiji_participants.is_none() => not_reported(id, SCHOOL_PARTICIPATION, "太极拳参与人数"),
        None => IndicatorResult {
            note: Some("学校无在校生".to_owned()),
            ..result(id, SCHOOL_PARTICIPATION, None, Status::NotApplicable)
        },
    };
    Ok(vec![weekly, participation])
}

/// The two county results over the county's schools.
///
/// # Errors
///
/// When more students take part than a school has.
pub fn county_results(county: &str, schools: &[School], targets: &Targets) -> Result<Vec<IndicatorResult>, PackError> {
    if schools.is_empty() {
        let none = |indicator| IndicatorResult {
            note: Some("县域内无学校".to_owned()),
            ..result(county, indicator, None, Status::NotApplicable)
        };
        return Ok(vec![none(SCHOOLS_TEACHING), none(COUNTY_PARTICIPATION)]);
    }
    let teaching: Vec<&School> =
        schools.iter().filter(|school| teaches(school, targets.weekly_classes) == Some(true)).collect();
    let not_teaching: Vec<&str> = schools
        .iter()
        .filter(|school| teaches(school, targets.weekly_classes) != Some(true))
        .map(|school| school.name.as_str())
        .collect();
    let share = teaching.len() as f64 / schools.len() as f64;
    let mut schools_row = result(
        county,
        SCHOOLS_TEACHING,
        Some(share),
        Status::of(Comparison::AtLeast.holds(share, targets.schools_teaching)),
    );
    let mut note = format!("{}/{} 所学校开设", teaching.len(), schools.len());
    if !not_teaching.is_empty() {
        note.push_str(&format!("；未开设或未填报：{}", not_teaching.join("、")));
    }
    schools_row.note = Some(note);

    let mut participants = 0.0;
    for school in schools {
        school.participation()?;
        participants += school.taiji_participants.unwrap_or(0.0);
    }
    let students: f64 = schools.iter().map(|school| school.students()).sum();
    let participation_row = if students > 0.0 {
        let rate = participants / students;
        IndicatorResult {
            note: Some(format!("{participants}/{students}（未填报的学校按0人计）")),
            ..result(
                county,
                COUNTY_PARTICIPATION,
                Some(rate),
                Status::of(Comparison::AtLeast.holds(rate, targets.participation)),
            )
        }
    } else {
        IndicatorResult {
            note: Some("县域内无在校生".to_owned()),
            ..result(county, COUNTY_PARTICIPATION, None, Status::NotApplicable)
        }
    };
    Ok(vec![schools_row, participation_row])
}

/// The pack.
#[derive(Debug)]
pub struct WenxianTaiji;

impl Pack for WenxianTaiji {
    fn manifest() -> Manifest {
        let mut builder = ManifestBuilder::new(PACK_ID, env!("CARGO_PKG_VERSION"), "温县太极拳进校园")
            .description(
                "温县县域特色指标：学校每周开设太极拳课程、学生参与率，以及全县开设学校比例和学生参与率。\
                 只评价温县（410825）及其学校；目标值为温县自定，可由评估方案参数调整。",
            )
            .unit(Level::School, &[])
            .unit(Level::County, &[Level::School])
            .field(Level::School, FieldBuilder::text("county_id", "所属县（市、区）代码，用于只评价温县学校"))
            .field(Level::School, FieldBuilder::count("primary_students", "小学段在校生数"))
            .field(Level::School, FieldBuilder::count("junior_students", "初中段在校生数"))
            .field(
                Level::School,
                FieldBuilder::count("taiji_classes_per_week", "每周太极拳课时数（温县学校填写，其他县留空）")
                    .optional(),
            )
            .field(
                Level::School,
                FieldBuilder::count("taiji_participants", "参加太极拳课程或活动的学生数（温县学校填写，其他县留空）")
                    .optional(),
            );
        for target in [MIN_WEEKLY_CLASSES, MIN_PARTICIPATION, MIN_SCHOOLS_TEACHING] {
            builder = builder.declare(&target);
        }
        builder
            .indicator(
                NodeBuilder::dimension("410825.taiji", "太极拳进校园")
                    .weight(1.0)
                    .child(
                        NodeBuilder::indicator(WEEKLY_CLASSES, "学校每周开设太极拳课程", Level::School)
                            .unit("课时/周")
                            .formula("taiji_classes_per_week；未填报为未达标；下限为参数 `min_weekly_classes`")
                            .threshold(Comparison::AtLeast, MIN_WEEKLY_CLASSES.default, None, SOURCE)
                            .weight(1.0)
                            .pass_fail()
                            .rollup(Level::Zone, Aggregation::ShareMet),
                    )
                    .child(
                        NodeBuilder::indicator(SCHOOL_PARTICIPATION, "学校学生太极拳参与率", Level::School)
                            .unit("比例")
                            .formula(
                                "taiji_participants / (primary_students + junior_students)；未填报为未达标；\
                                 下限为参数 `min_participation_rate`",
                            )
                            .threshold(Comparison::AtLeast, MIN_PARTICIPATION.default, None, SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.4, full: MIN_PARTICIPATION.default })
                            .rollup(Level::Zone, Aggregation::Mean),
                    )
                    .child(
                        NodeBuilder::indicator(SCHOOLS_TEACHING, "开设太极拳课程的学校比例", Level::County)
                            .unit("比例")
                            .formula("每周太极拳课时达到下限的学校数 / 全县学校数（含教学点）；下限为参数 `min_schools_teaching`")
                            .threshold(Comparison::AtLeast, MIN_SCHOOLS_TEACHING.default, None, SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.6, full: MIN_SCHOOLS_TEACHING.default }),
                    )
                    .child(
                        NodeBuilder::indicator(COUNTY_PARTICIPATION, "全县学生太极拳参与率", Level::County)
                            .unit("比例")
                            .formula("Σ taiji_participants / Σ 在校生（未填报的学校按0人计）；下限为参数 `min_participation_rate`")
                            .threshold(Comparison::AtLeast, MIN_PARTICIPATION.default, None, SOURCE)
                            .weight(1.0)
                            .scoring(Scoring::Linear { zero: 0.4, full: MIN_PARTICIPATION.default }),
                    ),
            )
            .build()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        let targets = Targets::of(unit)?;
        match unit.level {
            Level::School => {
                let school: School = unit.subject_as()?;
                if school.county_id != COUNTY {
                    return Ok(Vec::new());
                }
                school_results(&school, &targets)
            }
            Level::County if unit.subject_id() == COUNTY => {
                county_results(COUNTY, &unit.members_as(Level::School)?, &targets)
            }
            Level::County => Ok(Vec::new()),
            other => Err(PackError::new(format!("{PACK_ID} does not evaluate {other} units"))),
        }
    }
}

rules_sdk::export_pack!(WenxianTaiji);

#[cfg(test)]
mod tests {
    use super::*;

    fn school(classes: Option<f64>, participants: Option<f64>) -> School {
        School {
            basics: SchoolBasics {
                id: "4108250001".to_owned(),
                name: "温县第1小学".to_owned(),
                county_id: COUNTY.to_owned(),
                primary_students: 400.0,
                junior_students: 100.0,
            },
            taiji_classes_per_week: classes,
            taiji_participants: participants,
        }
    }

    #[test]
    fn a_school_teaching_once_a_week_with_80_percent_taking_part_meets_both() {
        let rows = school_results(&school(Some(1.0), Some(400.0)), &Targets::default()).expect("evaluates");
        assert_eq!((rows[0].value, rows[0].status), (Some(1.0), Status::Met));
        // 400 / 500 = 0.8: equal meets.
        assert_eq!((rows[1].value, rows[1].status), (Some(0.8), Status::Met));
        assert_eq!(rows[1].note.as_deref(), Some("400/500"));
    }

    #[test]
    fn not_teaching_or_not_reporting_is_not_met() {
        let rows = school_results(&school(Some(0.0), Some(0.0)), &Targets::default()).expect("evaluates");
        assert_eq!((rows[0].status, rows[1].value), (Status::NotMet, Some(0.0)));
        let rows = school_results(&school(None, None), &Targets::default()).expect("evaluates");
        assert!(rows.iter().all(|row| row.status == Status::NotMet && row.value.is_none()));
        assert_eq!(rows[0].note.as_deref(), Some("未填报每周太极拳课时"));
    }

    #[test]
    fn more_participants_than_students_is_refused() {
        assert!(school(Some(2.0), Some(501.0)).participation().is_err());
    }

    #[test]
    fn the_county_counts_teaching_schools_and_pools_participants() {
        let mut a = school(Some(2.0), Some(450.0));
        a.id = "A".to_owned();
        let mut b = school(Some(0.0), Some(0.0));
        b.name = "温县王庄教学点".to_owned();
        b.primary_students = 40.0;
        b.junior_students = 0.0;
        let mut c = school(None, None);
        c.name = "温县第3小学".to_owned();
        let rows = county_results(COUNTY, &[a, b, c], &Targets::default()).expect("evaluates");
        assert_eq!((rows[0].value, rows[0].status), (Some(1.0 / 3.0), Status::NotMet));
        assert_eq!(rows[0].note.as_deref(), Some("1/3 所学校开设；未开设或未填报：温县王庄教学点、温县第3小学"));
        // 450 / (500 + 40 + 500).
        assert_eq!(rows[1].value, Some(450.0 / 1040.0));
        assert_eq!(rows[1].status, Status::NotMet);
    }

    #[test]
    fn a_plan_can_lower_the_targets() {
        let mut unit = Unit::new(Level::School, &Record::new());
        assert_eq!(Targets::of(&unit).expect("defaults"), Targets::default());
        unit.params.insert(MIN_PARTICIPATION.name.to_owned(), serde_json::json!(0.6));
        let targets = Targets::of(&unit).expect("set");
        let rows = school_results(&school(Some(1.0), Some(300.0)), &targets).expect("evaluates");
        assert_eq!(rows[1].status, Status::Met);
    }

    #[test]
    fn other_counties_get_no_results() {
        let mut record = Record::new();
        for (key, value) in [
            ("id", serde_json::json!("4108210001")),
            ("name", serde_json::json!("修武县第1小学")),
            ("county_id", serde_json::json!("410821")),
            ("primary_students", serde_json::json!(300)),
            ("junior_students", serde_json::json!(0)),
            ("taiji_classes_per_week", serde_json::Value::Null),
            ("taiji_participants", serde_json::Value::Null),
        ] {
            record.insert(key.to_owned(), value);
        }
        let unit = Unit::new(Level::School, &record);
        assert!(WenxianTaiji::evaluate(&unit).expect("evaluates").is_empty());
    }

    #[test]
    fn the_manifest_follows_the_rules_for_local_packs() {
        let manifest = WenxianTaiji::manifest();
        assert!(manifest.id.starts_with("410825-"));
        for node in manifest.nodes() {
            assert!(node.id.starts_with("410825."), "{}", node.id);
            assert!(node.veto.is_none());
            assert_ne!(node.level, Some(Level::City));
            assert!(node.rollup.iter().all(|rollup| rollup.to != Level::City));
            for threshold in &node.thresholds {
                assert!(threshold.source.item.contains("地方实施口径"));
            }
        }
        assert!(manifest.units.iter().all(|unit| unit.level != Level::City));
        let optional: Vec<&str> =
            manifest.inputs[0].fields.iter().filter(|field| field.optional).map(|field| field.name.as_str()).collect();
        assert_eq!(optional, ["taiji_classes_per_week", "taiji_participants"]);
    }
}
