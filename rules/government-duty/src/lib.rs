//! The government-duty pack (县级人民政府履行教育职责评价): the city's standard evaluation of
//! how each county-level government fulfils its education duties, along the five aspects of
//! 焦办文〔2021〕23号 第5条 — 价值导向、组织领导、教学条件、教师队伍、均衡发展.
//!
//! - 组织领导 carries the reform's own mechanisms: the inspection committee (第1条), one
//!   comprehensive inspection a year (第2条), inspectors staffed 1∶5 and 1∶1 for large schools
//!   (第12条), 40 学时 of training a year (第13条), funding in the budget (第16条), principals
//!   inspected at the end of their term (第6条) and rectification (第9条).
//! - 教学条件, 教师队伍 and 均衡发展 carry the fifteen 政府保障程度 items (第七条) of
//!   县域义务教育优质均衡发展督导评估办法 (教督〔2017〕6号), its 教育质量 items (一) 初中三年巩固率,
//!   (二) 残疾儿童少年入学率 and (四) 教师培训经费 (第八条), and 社会认可度 (第九条). Items
//!   (十一)–(十五), whose wording we saw only in secondary material, are plan parameters with
//!   the number found there, so a plan can correct them; everything quoted from the text is fixed.
//! - 价值导向 carries the six 不予认定 conditions (以考试方式招生、违规择校、重点学校或重点班、
//!   有编不补或长期聘用编外教师、重大安全责任事故和严重违纪违规事件、弄虚作假) as vetoes, and
//!   社会认可度 below 85% vetoes too. Capping the grade at 不合格 is the city's use of them.
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
