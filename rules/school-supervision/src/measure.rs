//! The school record the pack reads, its rules (thresholds with their sources) and its
//! formulas. The manifest (`manifest.rs`) is built from the same rules.

use rules_sdk::prelude::*;
use serde::Deserialize;

/// The founding document of Jiaozuo's inspection reform.
pub const FOUNDING: &str = "关于深化新时代教育督导体制机制改革的实施意见（焦办文〔2021〕23号）";

/// The national rules of 责任督学挂牌督导 (the eight matters of regular inspection are its
/// 第四条, one inspector for about five schools its 第一条). Issued by the office of the State
/// Council's education inspection committee in September 2013; its document number was not
/// found in any published text we could check, so it is not stated.
pub const LISTED: &str = "中小学校责任督学挂牌督导办法（国务院教育督导委员会办公室，2013年9月；文号未经核对）";

/// The national quality-balance evaluation method: its 不予认定 conditions are the national
/// anchor of the two school vetoes.
pub const BALANCE: &str = "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）";

/// The national guide to evaluating compulsory-education quality (self and external evaluation).
pub const GUIDE: &str = "义务教育质量评价指南（教基〔2021〕3号）";

use rules_sdk::Params;
/// A bound an indicator is judged against, and where it comes from (the SDK's rule).
pub use rules_sdk::Rule;

/// One of the eight matters of regular inspection (经常性督导).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matter {
    /// The column holding the inspector's finding.
    pub field: &'static str,
    /// The matter, as the 2013 rules name it.
    pub name: &'static str,
}

/// The eight matters, in the order of the 2013 rules.
pub const MATTERS: [Matter; 8] = [
    Matter { field: "matter_governance", name: "校务管理和制度执行" },
    Matter { field: "matter_admission_fees", name: "招生、收费、择校" },
    Matter { field: "matter_curriculum", name: "课程开设和课堂教学" },
    Matter { field: "matter_student_load", name: "学生学习、体育锻炼和课业负担" },
    Matter { field: "matter_teacher_ethics", name: "教师师德和专业发展" },
    Matter { field: "matter_campus_safety", name: "校园及周边安全、交通安全" },
    Matter { field: "matter_canteen_hygiene", name: "食堂、食品、饮水、宿舍卫生" },
    Matter { field: "matter_school_ethos", name: "校风、教风、学风" },
];

/// The inspector's finding on one matter this period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 督导无问题.
    Ok,
    /// 发现问题.
    Issue,
    /// 本期未督导.
    Unchecked,
}

/// The values of the finding columns, as declared in the manifest.
pub const FINDING_VALUES: [&str; 3] = ["ok", "issue", "unchecked"];

/// The matters of one dimension, judged as a checklist: met when every matter was inspected
/// without problems.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatterGroup {
    /// The checklist indicator's rule.
    pub rule: Rule,
    /// Indices into [`MATTERS`].
    pub matters: &'static [usize],
}

const fn matters_rule(id: &'static str, count: usize, item: &'static str) -> Rule {
    Rule { id, op: Comparison::AtLeast, bound: count as f64, param: None, source: (LISTED, item) }
}

/// 办学方向: 招生、收费、择校; 校风、教风、学风.
pub const DIRECTION_MATTERS: MatterGroup = MatterGroup {
    rule: matters_rule(
        "ss.direction.regular_matters",
        2,
        "第四条第（二）项“招生、收费、择校情况”、第（八）项“校风、教风、学风建设情况”；本包以“该项督导未发现问题”为达标",
    ),
    matters: &[1, 7],
};
/// 教育教学: 课程开设和课堂教学.
pub const TEACHING_MATTERS: MatterGroup = MatterGroup {
    rule: matters_rule(
        "ss.teaching.regular_matters",
        1,
        "第四条第（三）项“课程开设和课堂教学情况”；本包以“该项督导未发现问题”为达标",
    ),
    matters: &[2],
};
/// 学校管理: 校务管理和制度执行; 校园及周边安全; 食堂、食品、饮水、宿舍卫生.
pub const MANAGEMENT_MATTERS: MatterGroup = MatterGroup {
    rule: matters_rule(
        "ss.management.regular_matters",
        3,
        "第四条第（一）项“校务管理和制度执行情况”、第（六）项“校园及周边安全情况，学生交通安全情况”、\
         第（七）项“食堂、食品、饮水及宿舍卫生情况”；本包以“该项督导未发现问题”为达标",
    ),
    matters: &[0, 5, 6],
};
/// 教师发展: 教师师德和专业发展.
pub const TEACHERS_MATTERS: MatterGroup = MatterGroup {
    rule: matters_rule(
        "ss.teachers.regular_matters",
        1,
        "第四条第（五）项“教师师德和专业发展情况”；本包以“该项督导未发现问题”为达标",
    ),
    matters: &[4],
};
/// 学生发展: 学生学习、体育锻炼和课业负担.
pub const STUDENTS_MATTERS: MatterGroup = MatterGroup {
    rule: matters_rule(
        "ss.students.regular_matters",
        1,
        "第四条第（四）项“学生学习、体育锻炼和课业负担情况”；本包以“该项督导未发现问题”为达标",
    ),
    matters: &[3],
};

/// 民办学校年度检查合格 (private schools only).
pub const PRIVATE_ANNUAL_REVIEW: Rule = Rule {
    id: "ss.direction.private_annual_review",
    op: Comparison::AtLeast,
    bound: 1.0,
    param: None,
    source: (FOUNDING, "第6条（加强对民办学校的全方位督导）；以年度检查结论为“合格”为达标，为本包口径"),
};

/// 内部督导机制 (checklist, all three items).
pub const SELF_INSPECTION: Rule = Rule {
    id: "ss.management.self_inspection",
    op: Comparison::AtLeast,
    bound: SELF_INSPECTION_ITEMS.len() as f64,
    param: None,
    source: (FOUNDING, "第15条（帮助学校建立自我督导体系）、第6条（落实学校视导员制度，建立健全内部督导机制）"),
};

/// The three items of the internal-inspection checklist.
pub const SELF_INSPECTION_ITEMS: [&str; 3] = [
    "建立以办学方向、教育教学、学校管理、教师发展、学生发展为重点的自我督导体系",
    "落实学校视导员制度",
    "开展年度自我督导评估（有自评得分）",
];

/// 自评与督评分差: self-assessment minus the inspector's assessment, at most 10 points.
pub const SELF_ASSESSMENT_GAP: Rule = Rule {
    id: "ss.management.self_assessment_gap",
    op: Comparison::AtMost,
    bound: 10.0,
    param: Some("self_assessment_gap_max"),
    source: (
        GUIDE,
        "评价方式（“注重自我评价与外部评价相结合”）；以自评与督评分差衡量、上限10分为地方实施口径，文件未规定",
    ),
};

/// 未发生重大安全责任事故 (veto).
pub const NO_MAJOR_SAFETY_INCIDENT: Rule = Rule {
    id: "ss.management.no_major_safety_incident",
    op: Comparison::AtMost,
    bound: 0.0,
    param: None,
    source: (
        BALANCE,
        "不予认定情形（“教育系统存在重大安全责任事故和严重违纪违规事件”，县域认定条件，条款序号未经核对）；\
         在学校督导中作一票否决为地方实施口径",
    ),
};

/// 无数据造假 (veto).
pub const NO_DATA_FALSIFICATION: Rule = Rule {
    id: "ss.management.no_data_falsification",
    op: Comparison::AtMost,
    bound: 0.0,
    param: None,
    source: (
        BALANCE,
        "不予认定情形（“有弄虚作假行为”，县域认定条件，条款序号未经核对）；在学校督导中作一票否决为地方实施口径",
    ),
};

/// 经常性督导事项覆盖: matters the inspector covered this period (reported, not scored).
pub const REGULAR_INSPECTION_COVERAGE: Rule = Rule {
    id: "ss.management.regular_inspection_coverage",
    op: Comparison::AtLeast,
    bound: MATTERS.len() as f64,
    param: None,
    source: (LISTED, "第四条（责任督学对八项主要事项实施经常性督导）；本包以八项全部督导为覆盖"),
};

/// Every rule, in manifest and result order.
pub const RULES: [Rule; 11] = [
    DIRECTION_MATTERS.rule,
    PRIVATE_ANNUAL_REVIEW,
    TEACHING_MATTERS.rule,
    MANAGEMENT_MATTERS.rule,
    SELF_INSPECTION,
    SELF_ASSESSMENT_GAP,
    NO_MAJOR_SAFETY_INCIDENT,
    NO_DATA_FALSIFICATION,
    REGULAR_INSPECTION_COVERAGE,
    TEACHERS_MATTERS.rule,
    STUDENTS_MATTERS.rule,
];

/// The conclusion of a private school's annual review (年度检查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// 合格.
    Pass,
    /// 基本合格.
    Basic,
    /// 不合格.
    Fail,
}

/// The values of `private_annual_review`, as declared in the manifest.
pub const REVIEW_VALUES: [&str; 3] = ["pass", "basic", "fail"];

impl Review {
    /// The conclusion in Chinese.
    pub fn chinese(self) -> &'static str {
        match self {
            Review::Pass => "合格",
            Review::Basic => "基本合格",
            Review::Fail => "不合格",
        }
    }
}

/// A school record as the pack reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    pub id: String,
    pub ownership: String,
    pub private_annual_review: Option<Review>,
    pub matter_governance: Finding,
    pub matter_admission_fees: Finding,
    pub matter_curriculum: Finding,
    pub matter_student_load: Finding,
    pub matter_teacher_ethics: Finding,
    pub matter_campus_safety: Finding,
    pub matter_canteen_hygiene: Finding,
    pub matter_school_ethos: Finding,
    pub self_inspection_system: bool,
    pub school_supervisor: bool,
    pub self_assessment_score: Option<f64>,
    pub inspector_assessment_score: f64,
    pub major_safety_incident: bool,
    pub data_falsified: bool,
}

impl School {
    /// The inspector's findings, in [`MATTERS`] order.
    pub fn findings(&self) -> [Finding; 8] {
        [
            self.matter_governance,
            self.matter_admission_fees,
            self.matter_curriculum,
            self.matter_student_load,
            self.matter_teacher_ethics,
            self.matter_campus_safety,
            self.matter_canteen_hygiene,
            self.matter_school_ethos,
        ]
    }
}

/// The result of one indicator (the SDK's finding).
pub use rules_sdk::Finding as Outcome;

/// A dimension's matters as a checklist: value = matters inspected without problems. Not
/// applicable while any of them was not inspected this period (it cannot be judged yet).
pub fn matter_checklist(school: &School, group: &MatterGroup) -> Outcome {
    let findings = school.findings();
    let named = |wanted: Finding| -> Vec<&str> {
        group.matters.iter().filter(|&&index| findings[index] == wanted).map(|&index| MATTERS[index].name).collect()
    };
    let unchecked = named(Finding::Unchecked);
    if !unchecked.is_empty() {
        return Outcome::not_applicable(&format!("本期未督导：{}", unchecked.join("；")));
    }
    let issues = named(Finding::Issue);
    let ok = group.matters.len() - issues.len();
    let outcome = Outcome::judged(ok as f64, group.rule.op, group.rule.bound);
    if issues.is_empty() { outcome } else { outcome.noted(format!("发现问题：{}", issues.join("；"))) }
}

/// How many of the eight matters the inspector covered this period.
pub fn coverage(school: &School) -> Outcome {
    let findings = school.findings();
    let covered = findings.iter().filter(|finding| **finding != Finding::Unchecked).count();
    let outcome = Outcome::judged(covered as f64, REGULAR_INSPECTION_COVERAGE.op, REGULAR_INSPECTION_COVERAGE.bound);
    let missing: Vec<&str> = MATTERS
        .iter()
        .zip(findings)
        .filter(|(_, finding)| *finding == Finding::Unchecked)
        .map(|(matter, _)| matter.name)
        .collect();
    if missing.is_empty() { outcome } else { outcome.noted(format!("本期未督导：{}", missing.join("；"))) }
}

/// A private school's annual review: value 1 when 合格, else 0; not applicable to public
/// schools; a private school without a conclusion is not met.
pub fn private_review(school: &School) -> Outcome {
    if school.ownership != "private" {
        return Outcome::not_applicable("公办学校，不适用");
    }
    match school.private_annual_review {
        Some(review) => {
            let value = if review == Review::Pass { 1.0 } else { 0.0 };
            Outcome::judged(value, PRIVATE_ANNUAL_REVIEW.op, PRIVATE_ANNUAL_REVIEW.bound)
                .noted(format!("年度检查结论：{}", review.chinese()))
        }
        None => Outcome::judged(0.0, PRIVATE_ANNUAL_REVIEW.op, PRIVATE_ANNUAL_REVIEW.bound)
            .noted("民办学校未填报年度检查结论"),
    }
}

/// The internal-inspection checklist: which of [`SELF_INSPECTION_ITEMS`] the school has.
pub fn self_inspection_items(school: &School) -> [bool; 3] {
    [school.self_inspection_system, school.school_supervisor, school.self_assessment_score.is_some()]
}

/// The internal-inspection checklist as an outcome.
pub fn self_inspection(school: &School) -> Outcome {
    let items = self_inspection_items(school);
    let count = items.iter().filter(|ok| **ok).count();
    let outcome = Outcome::judged(count as f64, SELF_INSPECTION.op, SELF_INSPECTION.bound);
    let missing: Vec<&str> =
        SELF_INSPECTION_ITEMS.iter().zip(items).filter(|(_, ok)| !ok).map(|(item, _)| *item).collect();
    if missing.is_empty() { outcome } else { outcome.noted(format!("未落实：{}", missing.join("；"))) }
}

/// Self-assessment minus the inspector's assessment (positive: the school rates itself
/// higher), judged against `max`; not applicable without a self-assessment.
pub fn self_assessment_gap(school: &School, max: f64) -> Outcome {
    let Some(own) = school.self_assessment_score else {
        return Outcome::not_applicable("学校未开展年度自我督导评估，无自评得分");
    };
    let gap = own - school.inspector_assessment_score;
    Outcome::judged(gap, SELF_ASSESSMENT_GAP.op, max)
        .noted(format!("自评{own}分，督学评估{}分", school.inspector_assessment_score))
}

/// A practice that must not happen (vetoes): value 1 when it happened.
pub fn absent(happened: bool, rule: &Rule, what: &str) -> Outcome {
    let outcome = Outcome::judged(if happened { 1.0 } else { 0.0 }, rule.op, rule.bound);
    if happened { outcome.noted(format!("{what}，一票否决")) } else { outcome }
}

fn check_score(school: &School, name: &str, score: f64) -> Result<(), PackError> {
    if (0.0..=100.0).contains(&score) {
        Ok(())
    } else {
        Err(PackError::new(format!("school `{}`: {name} {score} is not between 0 and 100", school.id)))
    }
}

/// Every indicator of a school, in [`RULES`] order.
///
/// # Errors
///
/// When an assessment score is outside 0–100 or a parameter is not a number.
pub fn evaluate(school: &School, params: &Record) -> Result<Vec<(Rule, Outcome)>, PackError> {
    check_score(school, "inspector_assessment_score", school.inspector_assessment_score)?;
    if let Some(own) = school.self_assessment_score {
        check_score(school, "self_assessment_score", own)?;
    }
    let gap_max = Params::new(params).bound(&SELF_ASSESSMENT_GAP)?;
    Ok(vec![
        (DIRECTION_MATTERS.rule, matter_checklist(school, &DIRECTION_MATTERS)),
        (PRIVATE_ANNUAL_REVIEW, private_review(school)),
        (TEACHING_MATTERS.rule, matter_checklist(school, &TEACHING_MATTERS)),
        (MANAGEMENT_MATTERS.rule, matter_checklist(school, &MANAGEMENT_MATTERS)),
        (SELF_INSPECTION, self_inspection(school)),
        (SELF_ASSESSMENT_GAP, self_assessment_gap(school, gap_max)),
        (
            NO_MAJOR_SAFETY_INCIDENT,
            absent(school.major_safety_incident, &NO_MAJOR_SAFETY_INCIDENT, "发生重大安全责任事故"),
        ),
        (NO_DATA_FALSIFICATION, absent(school.data_falsified, &NO_DATA_FALSIFICATION, "经核查存在数据造假")),
        (REGULAR_INSPECTION_COVERAGE, coverage(school)),
        (TEACHERS_MATTERS.rule, matter_checklist(school, &TEACHERS_MATTERS)),
        (STUDENTS_MATTERS.rule, matter_checklist(school, &STUDENTS_MATTERS)),
    ])
}
