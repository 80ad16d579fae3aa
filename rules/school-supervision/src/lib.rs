//! The school-supervision pack (学校督导与自我督导): the city's standard evaluation of every
//! school, public and private (焦办文〔2021〕23号 第6条、第15条), along the five aspects of the
//! school self-inspection system — 办学方向、教育教学、学校管理、教师发展、学生发展.
//!
//! - The eight matters of 责任督学挂牌督导's regular inspection are checklists, one per aspect
//!   they belong to; a matter not inspected this period leaves its checklist not applicable,
//!   and the inspector's coverage is reported separately (not scored).
//! - 学校管理 also holds the internal-inspection mechanism (自我督导体系, 视导员, 年度自评), the
//!   comparison of the school's self-assessment with the inspector's (self vs external), and
//!   two one-vote vetoes: a major safety incident and falsified data.
//! - Private schools (民办) also have their annual review judged.
//!
//! The pack computes each indicator per school; the host scores schools from the manifest and
//! rolls totals and key indicators up to zones (督学责任区), counties and the city.

mod manifest;
pub mod measure;

use rules_sdk::prelude::*;

pub use manifest::{GRADES, VETO_CAP, manifest};
use measure::School;

/// The pack, exported to WebAssembly by [`rules_sdk::export_pack!`].
#[derive(Debug)]
pub struct SchoolSupervision;

impl Pack for SchoolSupervision {
    fn manifest() -> Manifest {
        manifest()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        if unit.level != Level::School {
            return Err(PackError::new(format!("school-supervision does not evaluate {} units", unit.level)));
        }
        let school: School = unit.subject_as()?;
        Ok(measure::evaluate(&school, &unit.params)?
            .into_iter()
            .map(|(rule, outcome)| IndicatorResult {
                subject: school.id.clone(),
                indicator: rule.id.to_owned(),
                value: outcome.value,
                status: outcome.status,
                note: outcome.note,
            })
            .collect())
    }
}

rules_sdk::export_pack!(SchoolSupervision);

#[cfg(test)]
mod measure_tests;
