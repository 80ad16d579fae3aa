//! The quality-monitoring pack (义务教育质量监测): the city's standard evaluation of the quality
//! of compulsory education in each school and county (焦办文〔2021〕23号 第5条、第7条), combining
//! result evaluation with value-added evaluation (结果评价与增值评价相结合, 义务教育质量评价指南).
//!
//! - Results of the period: the share of tested students at academic level Ⅲ or above, the
//!   between-school difference rate of academic scores (county), the physical-health pass
//!   rate, the myopia rate against its stage targets, and homework time (双减).
//! - Value-added: the change of the same figures from the previous period. Units receive the
//!   previous period's records (`UnitSpec::previous`); a school without a previous record has
//!   its value-added indicators not applicable, and county changes compare only the schools
//!   present in both periods.
//!
//! National figures quoted from the texts are fixed (校际差异率低于0.15, the 60/90-minute
//! homework limits); the shares the texts do not set (Ⅲ级 share, PE pass rate, myopia limits per
//! school) are local choices, plan parameters with the city's default.

mod manifest;
pub mod measure;

use rules_sdk::prelude::*;

pub use manifest::{GRADES, manifest};
use measure::{Outcome, Params, Rule, School};

/// The pack, exported to WebAssembly by [`rules_sdk::export_pack!`].
#[derive(Debug)]
pub struct QualityMonitoring;

impl Pack for QualityMonitoring {
    fn manifest() -> Manifest {
        manifest()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        let params = Params::new(&unit.params);
        let subject = unit.subject_id().to_owned();
        let outcomes = match unit.level {
            Level::School => {
                let school: School = unit.subject_as()?;
                let previous: Option<School> = unit.previous_as()?;
                measure::evaluate_school(&school, previous.as_ref(), &params)?
            }
            Level::County => {
                let schools: Vec<School> = unit.members_as(Level::School)?;
                let previous: Vec<School> = unit.previous_members_as(Level::School)?;
                measure::evaluate_county(&schools, &previous, unit.has_previous(), &params)?
            }
            other => return Err(PackError::new(format!("quality-monitoring does not evaluate {other} units"))),
        };
        Ok(outcomes.into_iter().map(|(rule, outcome)| row(&subject, &rule, outcome)).collect())
    }
}

fn row(subject: &str, rule: &Rule, outcome: Outcome) -> IndicatorResult {
    IndicatorResult {
        subject: subject.to_owned(),
        indicator: rule.id.to_owned(),
        value: outcome.value,
        status: outcome.status,
        note: outcome.note,
    }
}

rules_sdk::export_pack!(QualityMonitoring);

#[cfg(test)]
mod measure_tests;
