//! The government-duty pack (县级人民政府履行教育职责评价): the city's standard evaluation of
//! how each county-level government fulfils its education duties, along the five aspects of
//! 焦办文〔2021〕23号 第5条 — 价值导向、组织领导、教学条件、教师队伍、均衡发展.
//!
//! - 组织领导 carries the reform's own mechanisms: the inspection committee (第1条), one
//!   comprehensive inspection a year (第2条), inspectors staffed 1∶5 and 1∶1 for large schools
//!   (第12条), 40 学时 of training a year (第13条), funding in the budget (第16条), principals
//!   inspected at the end of their term (第6条) and rectification (第9条).
//! - 教学条件, 教师队伍 and 均衡发展 carry the 政府保障程度 and 社会认可度 indicators of
//!   县域义务教育优质均衡发展 (教督〔2017〕6号); figures not confirmed as national wording are
//!   plan parameters with the local default.
//! - 价值导向 carries the one-vote vetoes (以考试方式招生、违规择校、重点学校或重点班), and
//!   社会认可度 below 85% vetoes too.
//!
//! The pack computes each indicator's value and status per county; the host scores them from
//! the manifest (scoring rules, weights, vetoes, grades) and rolls them up to the city.

mod manifest;
pub mod measure;

use rules_sdk::prelude::*;

pub use manifest::{GRADES, VETO_CAP, manifest};
use measure::{County, Params, School, Zone};

/// The pack, exported to WebAssembly by [`rules_sdk::export_pack!`].
#[derive(Debug)]
pub struct GovernmentDuty;

impl Pack for GovernmentDuty {
    fn manifest() -> Manifest {
        manifest()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        if unit.level != Level::County {
            return Err(PackError::new(format!("government-duty does not evaluate {} units", unit.level)));
        }
        let county: County = unit.subject_as()?;
        let zones: Vec<Zone> = unit.members_as(Level::Zone)?;
        let schools: Vec<School> = unit.members_as(Level::School)?;
        let findings = measure::evaluate(&county, &zones, &schools, &Params::new(&unit.params))?;
        Ok(findings
            .into_iter()
            .map(|(rule, finding)| IndicatorResult {
                subject: county.id.clone(),
                indicator: rule.id.to_owned(),
                value: finding.value,
                status: finding.status,
                note: finding.note,
            })
            .collect())
    }
}

rules_sdk::export_pack!(GovernmentDuty);

#[cfg(test)]
mod measure_tests;
