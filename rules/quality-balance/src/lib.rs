//! The quality-balance pack (县域义务教育优质均衡发展督导评估, 资源配置): the city's first
//! standard pack, exactly as the data dictionary (`docs/data-dictionary.md`) specifies.
//!
//! - Schools are split into evaluated *parts*: a primary or junior school is one part, a
//!   nine-year school two (`<id>:primary`, `<id>:junior`) with its resources apportioned by
//!   weighted students, 小学 : 初中 = 1 : 1.1.
//! - Each part gets the seven resource indicators against its stage's thresholds and the
//!   school standard (at least 6 of 7 met, every other one at least 85% of its threshold).
//! - Teaching points with fewer than 50 students in a part are not applicable and take no
//!   part in county figures.
//! - Each county gets, per stage, the student-weighted coefficient of variation of every
//!   indicator and the share of parts meeting the school standard.

mod manifest;
pub mod measure;

use rules_sdk::prelude::*;

pub use manifest::manifest;
use measure::{Part, RESOURCES, Stage};

/// The pack, exported to WebAssembly by [`rules_sdk::export_pack!`].
#[derive(Debug)]
pub struct QualityBalance;

impl Pack for QualityBalance {
    fn manifest() -> Manifest {
        manifest()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        match unit.level {
            Level::School => {
                let school: measure::School = unit.subject_as()?;
                Ok(school_results(&measure::parts(&school)?))
            }
            Level::County => {
                let schools: Vec<measure::School> = unit.members_as(Level::School)?;
                let mut parts = Vec::new();
                for school in &schools {
                    parts.extend(measure::parts(school)?);
                }
                Ok(county_results(unit.subject_id(), &parts))
            }
            other => Err(PackError::new(format!("quality-balance does not evaluate {other} units"))),
        }
    }
}

rules_sdk::export_pack!(QualityBalance);

/// Indicator id of a school resource indicator.
pub fn school_indicator(key: &str) -> String {
    format!("qb.school.{key}")
}

/// Indicator id of the school standard (6 of 7 and 85%).
pub const SCHOOL_STANDARD: &str = "qb.school.resource_standard";

/// Indicator id of a county's coefficient of variation for one indicator and stage.
pub fn county_cv_indicator(key: &str, stage: Stage) -> String {
    format!("qb.county.cv.{key}.{}", stage.key())
}

/// Indicator id of a county's share of parts meeting the school standard.
pub fn county_share_indicator(stage: Stage) -> String {
    format!("qb.county.schools_meeting_standard.{}", stage.key())
}

fn school_results(parts: &[Part]) -> Vec<IndicatorResult> {
    let mut results = Vec::new();
    for part in parts {
        if !part.included() {
            let note = Some("教学点该学段在校生不足50人，不参与计算".to_owned());
            for resource in &RESOURCES {
                results.push(IndicatorResult {
                    note: note.clone(),
                    ..result(&part.id, school_indicator(resource.key), None, Status::NotApplicable)
                });
            }
            results.push(IndicatorResult { note, ..result(&part.id, SCHOOL_STANDARD, None, Status::NotApplicable) });
            continue;
        }
        for (index, resource) in RESOURCES.iter().enumerate() {
            let value = part.value(index);
            let status = if resource.met(part.stage, value) { Status::Met } else { Status::NotMet };
            results.push(result(&part.id, school_indicator(resource.key), Some(value), status));
        }
        let standard = part.standard();
        let mut row = result(
            &part.id,
            SCHOOL_STANDARD,
            Some(standard.met as f64),
            if standard.meets() { Status::Met } else { Status::NotMet },
        );
        if !standard.missed.is_empty() {
            let names: Vec<&str> = standard.missed.iter().map(|&index| RESOURCES[index].name).collect();
            row.note = Some(format!("未达标项：{}", names.join("、")));
        }
        results.push(row);
    }
    results
}

fn county_results(county_id: &str, parts: &[Part]) -> Vec<IndicatorResult> {
    let mut results = Vec::new();
    for stage in Stage::ALL {
        let included: Vec<&Part> = parts.iter().filter(|part| part.stage == stage && part.included()).collect();
        if included.is_empty() {
            continue;
        }
        let weights: Vec<f64> = included.iter().map(|part| part.students).collect();
        for (index, resource) in RESOURCES.iter().enumerate() {
            let values: Vec<f64> = included.iter().map(|part| part.value(index)).collect();
            let id = county_cv_indicator(resource.key, stage);
            match measure::weighted_cv(&weights, &values) {
                Some(cv) => {
                    let status = if stage.cv_limit_met(cv) { Status::Met } else { Status::NotMet };
                    results.push(result(county_id, id, Some(cv), status));
                }
                None => results.push(IndicatorResult {
                    note: Some("各校该指标均为0，差异系数无定义".to_owned()),
                    ..result(county_id, id, None, Status::NotApplicable)
                }),
            }
        }
        let meeting = included.iter().filter(|part| part.standard().meets()).count();
        let share = meeting as f64 / included.len() as f64;
        let mut row = result(
            county_id,
            county_share_indicator(stage),
            Some(share),
            if meeting == included.len() { Status::Met } else { Status::NotMet },
        );
        row.note = Some(format!("{meeting}/{} 所学校（校部）达标", included.len()));
        results.push(row);
    }
    results
}

#[cfg(test)]
#[path = "measure_tests.rs"]
mod tests;
