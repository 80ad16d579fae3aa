//! The school record the pack reads, its rules (thresholds with their sources) and its
//! formulas: result figures of one period, and value-added figures (增值) as the change from
//! the previous period. The manifest (`manifest.rs`) is built from the same rules.

use rules_sdk::prelude::*;
use serde::Deserialize;

/// The national quality-balance evaluation method (教育质量).
pub const BALANCE: &str = "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）";

/// The national guide to evaluating compulsory-education quality (result + value-added).
pub const GUIDE: &str = "义务教育质量评价指南（教基〔2021〕3号）";

/// The national plan against myopia.
/// Issued by the Ministry of Education and seven other departments in August 2018; its
/// document number was not found in any published text we could check, so it is not stated.
pub const MYOPIA_PLAN: &str = "综合防控儿童青少年近视实施方案（教育部等八部门，2018年8月；文号未经核对）";

/// The national physical-health standard.
pub const HEALTH_STANDARD: &str = "国家学生体质健康标准（2014年修订）（教体艺〔2014〕5号）";

/// The national opinion on reducing homework and off-campus tutoring (双减).
pub const DOUBLE_REDUCTION: &str =
    "关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见（中共中央办公厅、国务院办公厅，2021年7月）";

/// A bound an indicator is judged against, and where it comes from (the SDK's rule); the
/// level it is reported for is the list it is in ([`level`]).
pub use rules_sdk::Rule;

/// The level a rule's indicator is reported for: school for [`SCHOOL_RULES`], else county.
pub fn level(rule: &Rule) -> Level {
    if SCHOOL_RULES.iter().any(|school| school.id == rule.id) { Level::School } else { Level::County }
}

const LEVEL3_SOURCE: (&str, &str) = (
    BALANCE,
    "第八条第（九）项（“在国家义务教育质量监测中，相关科目学生学业水平达到Ⅲ级以上”）；\
     “达到Ⅲ级及以上学生比例不低于50%”为本包暂定的地方实施口径，须由评估方案确认",
);
const BETWEEN_SOURCE: (&str, &str) = (
    BALANCE,
    "第八条第（九）项（“……且校际差异率低于0.15”）；国家文本未给出计算方法，按校间方差占总方差的比例计算为本包口径",
);
const PE_SOURCE: (&str, &str) =
    (HEALTH_STANDARD, "等级评定（总分60分及以上为及格）；“及格率不低于90%”为地方实施口径，文件未规定");
const MYOPIA_SOURCE: (&str, &str) = (
    MYOPIA_PLAN,
    "一、目标（“到2030年……小学生近视率下降到38%以下，初中生近视率下降到60%以下”，全国总体目标）；\
     以2030年目标作每校、每县默认界限为地方实施口径",
);
const HOMEWORK_SOURCE: (&str, &str) = (
    DOUBLE_REDUCTION,
    "二、5.（“分类明确作业总量……小学三至六年级书面作业平均完成时间不超过60分钟，初中书面作业平均完成时间不超过90分钟”；\
         条目序号据转载文本）",
);
const VALUE_ADDED_SOURCE: (&str, &str) = (GUIDE, "结果评价与增值评价相结合；“较上期不下降”为本包口径（地方实施口径）");
const MYOPIA_FALL_SOURCE: (&str, &str) = (
    MYOPIA_PLAN,
    "一、目标（“到2023年，力争实现全国儿童青少年总体近视率在2018年的基础上每年降低0.5个百分点以上”，该目标期限已届满）；\
         沿用为年度增值默认界限为地方实施口径",
);

const fn school(
    id: &'static str,
    op: Comparison,
    bound: f64,
    param: Option<&'static str>,
    source: (&'static str, &'static str),
) -> Rule {
    Rule { id, op, bound, param, source }
}

const fn county(
    id: &'static str,
    op: Comparison,
    bound: f64,
    param: Option<&'static str>,
    source: (&'static str, &'static str),
) -> Rule {
    Rule { id, op, bound, param, source }
}

/// 学业水平达到Ⅲ级及以上学生比例 (school).
pub const SCHOOL_LEVEL3: Rule =
    school("qm.school.level3_share", Comparison::AtLeast, 0.5, Some("level3_share_min"), LEVEL3_SOURCE);
/// 国家学生体质健康标准及格率 (school).
pub const SCHOOL_PE: Rule =
    school("qm.school.pe_pass_rate", Comparison::AtLeast, 0.9, Some("pe_pass_rate_min"), PE_SOURCE);
/// 近视率 (school), judged against the stage target ([`MyopiaLimits`]).
pub const SCHOOL_MYOPIA: Rule = school("qm.school.myopia_rate", Comparison::AtMost, 0.38, None, MYOPIA_SOURCE);
/// 小学三至六年级书面作业平均完成时间.
pub const HOMEWORK_PRIMARY: Rule =
    school("qm.school.homework_minutes_primary", Comparison::AtMost, 60.0, None, HOMEWORK_SOURCE);
/// 初中书面作业平均完成时间.
pub const HOMEWORK_JUNIOR: Rule =
    school("qm.school.homework_minutes_junior", Comparison::AtMost, 90.0, None, HOMEWORK_SOURCE);
/// 学业水平Ⅲ级及以上比例的变化 (school, value-added).
pub const SCHOOL_LEVEL3_CHANGE: Rule =
    school("qm.school.level3_share_change", Comparison::AtLeast, 0.0, None, VALUE_ADDED_SOURCE);
/// 体质健康及格率的变化 (school, value-added).
pub const SCHOOL_PE_CHANGE: Rule =
    school("qm.school.pe_pass_rate_change", Comparison::AtLeast, 0.0, None, VALUE_ADDED_SOURCE);
/// 近视率的变化 (school, value-added): a fall of at least 0.5 percentage points.
pub const SCHOOL_MYOPIA_CHANGE: Rule =
    school("qm.school.myopia_rate_change", Comparison::AtMost, -0.005, Some("myopia_annual_fall"), MYOPIA_FALL_SOURCE);

/// 学业水平达到Ⅲ级及以上学生比例 (county).
pub const COUNTY_LEVEL3: Rule =
    county("qm.county.level3_share", Comparison::AtLeast, 0.5, Some("level3_share_min"), LEVEL3_SOURCE);
/// 学业水平校际差异率 (county).
pub const COUNTY_BETWEEN: Rule = county("qm.county.between_school_rate", Comparison::Below, 0.15, None, BETWEEN_SOURCE);
/// 国家学生体质健康标准及格率 (county).
pub const COUNTY_PE: Rule =
    county("qm.county.pe_pass_rate", Comparison::AtLeast, 0.9, Some("pe_pass_rate_min"), PE_SOURCE);
/// 近视率 (county), judged against the student-weighted stage target.
pub const COUNTY_MYOPIA: Rule = county("qm.county.myopia_rate", Comparison::AtMost, 0.38, None, MYOPIA_SOURCE);
/// 作业时间达标学校比例 (county).
pub const COUNTY_HOMEWORK: Rule =
    county("qm.county.homework_compliance", Comparison::AtLeast, 1.0, None, HOMEWORK_SOURCE);
/// 学业水平Ⅲ级及以上比例的变化 (county, value-added).
pub const COUNTY_LEVEL3_CHANGE: Rule =
    county("qm.county.level3_share_change", Comparison::AtLeast, 0.0, None, VALUE_ADDED_SOURCE);
/// 校际差异率的变化 (county, value-added): not widening.
pub const COUNTY_BETWEEN_CHANGE: Rule =
    county("qm.county.between_school_rate_change", Comparison::AtMost, 0.0, None, VALUE_ADDED_SOURCE);
/// 体质健康及格率的变化 (county, value-added).
pub const COUNTY_PE_CHANGE: Rule =
    county("qm.county.pe_pass_rate_change", Comparison::AtLeast, 0.0, None, VALUE_ADDED_SOURCE);
/// 近视率的变化 (county, value-added).
pub const COUNTY_MYOPIA_CHANGE: Rule =
    county("qm.county.myopia_rate_change", Comparison::AtMost, -0.005, Some("myopia_annual_fall"), MYOPIA_FALL_SOURCE);

/// School rules, in result order.
pub const SCHOOL_RULES: [Rule; 8] = [
    SCHOOL_LEVEL3,
    SCHOOL_PE,
    SCHOOL_MYOPIA,
    HOMEWORK_PRIMARY,
    HOMEWORK_JUNIOR,
    SCHOOL_LEVEL3_CHANGE,
    SCHOOL_PE_CHANGE,
    SCHOOL_MYOPIA_CHANGE,
];

/// County rules, in result order.
pub const COUNTY_RULES: [Rule; 9] = [
    COUNTY_LEVEL3,
    COUNTY_BETWEEN,
    COUNTY_PE,
    COUNTY_MYOPIA,
    COUNTY_HOMEWORK,
    COUNTY_LEVEL3_CHANGE,
    COUNTY_BETWEEN_CHANGE,
    COUNTY_PE_CHANGE,
    COUNTY_MYOPIA_CHANGE,
];

/// A parameter an evaluation plan may set (the SDK's).
pub use rules_sdk::Parameter;

/// 小学 myopia target.
pub const MYOPIA_MAX_PRIMARY: Parameter =
    Parameter::number("myopia_max_primary", 0.38, "小学生近视率上限（比例）", MYOPIA_SOURCE);

/// 初中 myopia target.
pub const MYOPIA_MAX_JUNIOR: Parameter =
    Parameter::number("myopia_max_junior", 0.60, "初中生近视率上限（比例）", MYOPIA_SOURCE);

/// Every parameter of the pack, each once.
pub fn parameters() -> Vec<Parameter> {
    let mut list: Vec<Parameter> = Vec::new();
    for rule in SCHOOL_RULES.iter().chain(&COUNTY_RULES) {
        let Some(name) = rule.param else { continue };
        if list.iter().any(|parameter| parameter.name == name) {
            continue;
        }
        let (default, description) = if name == "myopia_annual_fall" {
            (-rule.bound, "近视率每年至少下降的幅度（比例，0.005 = 0.5个百分点）")
        } else {
            (rule.bound, "该指标的达标下限（比例，0–1）")
        };
        list.push(Parameter::number(name, default, description, rule.source));
    }
    list.push(MYOPIA_MAX_PRIMARY);
    list.push(MYOPIA_MAX_JUNIOR);
    list
}

/// The parameter values of a unit (the plan's, or the manifest's defaults).
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: rules_sdk::Params,
}

impl Params {
    /// The values a unit received.
    pub fn new(values: &Record) -> Params {
        Params { values: rules_sdk::Params::new(values) }
    }

    fn number(&self, name: &str, default: f64) -> Result<f64, PackError> {
        self.values.number(name, default)
    }

    /// The bound of a rule: its parameter's value when it has one (a yearly fall is stored as
    /// a positive amount and becomes a negative change), else its default.
    ///
    /// # Errors
    ///
    /// When the plan set the parameter to something that is not a finite number.
    pub fn bound(&self, rule: &Rule) -> Result<f64, PackError> {
        match rule.param {
            Some(name) if name == "myopia_annual_fall" => Ok(-self.number(name, -rule.bound)?),
            Some(name) => self.number(name, rule.bound),
            None => Ok(rule.bound),
        }
    }

    /// The myopia targets of 小学 and 初中.
    ///
    /// # Errors
    ///
    /// As [`Params::bound`].
    pub fn myopia_limits(&self) -> Result<MyopiaLimits, PackError> {
        Ok(MyopiaLimits {
            primary: self.values.value(&MYOPIA_MAX_PRIMARY)?,
            junior: self.values.value(&MYOPIA_MAX_JUNIOR)?,
        })
    }
}

/// The myopia targets of the two stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MyopiaLimits {
    /// 小学.
    pub primary: f64,
    /// 初中.
    pub junior: f64,
}

impl MyopiaLimits {
    /// The target for a population of `primary` and `junior` students: each stage's target,
    /// weighted by its students (a nine-year school or a county mixes both).
    pub fn blended(&self, primary: f64, junior: f64) -> f64 {
        let students = primary + junior;
        if students <= 0.0 {
            return self.primary;
        }
        (primary * self.primary + junior * self.junior) / students
    }
}

/// A school record as the pack reads it (one period).
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub primary_students: f64,
    pub junior_students: f64,
    pub students_tested: f64,
    pub students_level3_plus: f64,
    pub academic_mean_score: f64,
    pub academic_score_sd: f64,
    pub pe_tested: f64,
    pub pe_passed: f64,
    pub vision_screened: f64,
    pub myopic_students: f64,
    pub primary_homework_minutes: Option<f64>,
    pub junior_homework_minutes: Option<f64>,
}

impl School {
    /// Checks that no part exceeds its whole (passing more students than were tested…).
    ///
    /// # Errors
    ///
    /// Names the school and both fields.
    pub fn check(&self) -> Result<(), PackError> {
        for (part, whole, names) in [
            (self.students_level3_plus, self.students_tested, ("students_level3_plus", "students_tested")),
            (self.pe_passed, self.pe_tested, ("pe_passed", "pe_tested")),
            (self.myopic_students, self.vision_screened, ("myopic_students", "vision_screened")),
        ] {
            if part > whole {
                return Err(PackError::new(format!(
                    "school `{}`: {} ({part}) is larger than {} ({whole})",
                    self.id, names.0, names.1
                )));
            }
        }
        for (students, minutes, field) in [
            (self.primary_students, self.primary_homework_minutes, "primary_homework_minutes"),
            (self.junior_students, self.junior_homework_minutes, "junior_homework_minutes"),
        ] {
            if students > 0.0 && minutes.is_none() {
                return Err(PackError::new(format!(
                    "school `{}` has {students} students in the stage but no `{field}`",
                    self.id
                )));
            }
        }
        Ok(())
    }
}

/// The result of one indicator (the SDK's finding).
pub use rules_sdk::Finding as Outcome;

/// The figures of a group of schools (one school, or a county's schools) in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub tested: f64,
    pub level3: f64,
    pub pe_tested: f64,
    pub pe_passed: f64,
    pub screened: f64,
    pub myopic: f64,
    pub primary_students: f64,
    pub junior_students: f64,
}

impl Totals {
    /// The sums over `schools`.
    pub fn of<'a>(schools: impl IntoIterator<Item = &'a School>) -> Totals {
        schools.into_iter().fold(Totals::default(), |sum, school| Totals {
            tested: sum.tested + school.students_tested,
            level3: sum.level3 + school.students_level3_plus,
            pe_tested: sum.pe_tested + school.pe_tested,
            pe_passed: sum.pe_passed + school.pe_passed,
            screened: sum.screened + school.vision_screened,
            myopic: sum.myopic + school.myopic_students,
            primary_students: sum.primary_students + school.primary_students,
            junior_students: sum.junior_students + school.junior_students,
        })
    }

    /// Share of tested students at level Ⅲ or above; `None` when nobody was tested.
    pub fn level3_share(&self) -> Option<f64> {
        (self.tested > 0.0).then(|| self.level3 / self.tested)
    }

    /// Physical-health pass rate; `None` when nobody was tested.
    pub fn pe_pass_rate(&self) -> Option<f64> {
        (self.pe_tested > 0.0).then(|| self.pe_passed / self.pe_tested)
    }

    /// Myopia rate; `None` when nobody was screened.
    pub fn myopia_rate(&self) -> Option<f64> {
        (self.screened > 0.0).then(|| self.myopic / self.screened)
    }
}

/// The between-school difference rate (校际差异率) of academic scores: the share of the total
/// score variance that lies between schools, B / (B + W), with nᵢ tested students, mean mᵢ and
/// standard deviation sᵢ per school, N = Σnᵢ, M = Σnᵢmᵢ/N, B = Σnᵢ(mᵢ − M)²/N and
/// W = Σnᵢsᵢ²/N. `None` with fewer than two tested schools or no variance at all.
pub fn between_school_rate(schools: &[&School]) -> Option<f64> {
    let tested: Vec<&&School> = schools.iter().filter(|school| school.students_tested > 0.0).collect();
    if tested.len() < 2 {
        return None;
    }
    let n: f64 = tested.iter().map(|school| school.students_tested).sum();
    let mean = tested.iter().map(|school| school.students_tested * school.academic_mean_score).sum::<f64>() / n;
    let between =
        tested.iter().map(|school| school.students_tested * (school.academic_mean_score - mean).powi(2)).sum::<f64>()
            / n;
    let within = tested.iter().map(|school| school.students_tested * school.academic_score_sd.powi(2)).sum::<f64>() / n;
    let total = between + within;
    (total > 0.0).then(|| between / total)
}

/// Whether a school's homework is within the limits of every stage it has.
pub fn homework_within_limits(school: &School) -> bool {
    let within = |minutes: Option<f64>, rule: &Rule| minutes.is_none_or(|m| rule.op.holds(m, rule.bound));
    within(school.primary_homework_minutes, &HOMEWORK_PRIMARY)
        && within(school.junior_homework_minutes, &HOMEWORK_JUNIOR)
}

/// A figure as shown in notes: at most four decimals (values themselves are never rounded).
pub fn short(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

fn share_note(part: f64, whole: f64) -> String {
    format!("{part}/{whole}")
}

fn result_or(value: Option<f64>, rule: &Rule, bound: f64, note: String, empty: &str) -> Outcome {
    match value {
        Some(value) => Outcome::judged(value, rule.op, bound).noted(note),
        None => Outcome::not_applicable(empty),
    }
}

/// A value-added outcome: `now − before`, not applicable when either is missing.
pub fn change(now: Option<f64>, before: Option<f64>, rule: &Rule, bound: f64, missing: &str) -> Outcome {
    match (now, before) {
        (Some(now), Some(before)) => {
            Outcome::judged(now - before, rule.op, bound).noted(format!("本期{}，上期{}", short(now), short(before)))
        }
        _ => Outcome::not_applicable(missing),
    }
}

const NO_PREVIOUS: &str = "无上期记录，不计算增值";

/// Every indicator of a school, in [`SCHOOL_RULES`] order; `previous` is the school's record
/// of the previous period, if it has one.
///
/// # Errors
///
/// When a record contradicts itself or a parameter is not a number.
pub fn evaluate_school(
    school: &School,
    previous: Option<&School>,
    params: &Params,
) -> Result<Vec<(Rule, Outcome)>, PackError> {
    school.check()?;
    if let Some(previous) = previous {
        previous.check()?;
    }
    let now = Totals::of([school]);
    let before = previous.map(|previous| Totals::of([previous]));
    let limits = params.myopia_limits()?;
    let myopia_bound = limits.blended(school.primary_students, school.junior_students);
    let homework = |minutes: Option<f64>, rule: &Rule, stage: &str| match minutes {
        Some(minutes) => Outcome::judged(minutes, rule.op, rule.bound),
        None => Outcome::not_applicable(&format!("学校无{stage}段")),
    };
    let missing = if previous.is_some() { "上期无参测学生" } else { NO_PREVIOUS };
    Ok(vec![
        (
            SCHOOL_LEVEL3,
            result_or(
                now.level3_share(),
                &SCHOOL_LEVEL3,
                params.bound(&SCHOOL_LEVEL3)?,
                share_note(now.level3, now.tested),
                "本期无参测学生",
            ),
        ),
        (
            SCHOOL_PE,
            result_or(
                now.pe_pass_rate(),
                &SCHOOL_PE,
                params.bound(&SCHOOL_PE)?,
                share_note(now.pe_passed, now.pe_tested),
                "本期无体质健康测试学生",
            ),
        ),
        (
            SCHOOL_MYOPIA,
            result_or(
                now.myopia_rate(),
                &SCHOOL_MYOPIA,
                myopia_bound,
                format!("{}/{}，上限{}", now.myopic, now.screened, short(myopia_bound)),
                "本期无视力筛查学生",
            ),
        ),
        (HOMEWORK_PRIMARY, homework(school.primary_homework_minutes, &HOMEWORK_PRIMARY, "小学")),
        (HOMEWORK_JUNIOR, homework(school.junior_homework_minutes, &HOMEWORK_JUNIOR, "初中")),
        (
            SCHOOL_LEVEL3_CHANGE,
            change(
                now.level3_share(),
                before.and_then(|b| b.level3_share()),
                &SCHOOL_LEVEL3_CHANGE,
                SCHOOL_LEVEL3_CHANGE.bound,
                missing,
            ),
        ),
        (
            SCHOOL_PE_CHANGE,
            change(
                now.pe_pass_rate(),
                before.and_then(|b| b.pe_pass_rate()),
                &SCHOOL_PE_CHANGE,
                SCHOOL_PE_CHANGE.bound,
                missing,
            ),
        ),
        (
            SCHOOL_MYOPIA_CHANGE,
            change(
                now.myopia_rate(),
                before.and_then(|b| b.myopia_rate()),
                &SCHOOL_MYOPIA_CHANGE,
                params.bound(&SCHOOL_MYOPIA_CHANGE)?,
                missing,
            ),
        ),
    ])
}

/// Every indicator of a county, in [`COUNTY_RULES`] order. Result figures use all `schools`;
/// value-added figures compare the schools that have a record in both periods (`previous`
/// holds their previous records), so a new or closed school does not count as a change.
///
/// # Errors
///
/// When a record contradicts itself or a parameter is not a number.
pub fn evaluate_county(
    schools: &[School],
    previous: &[School],
    has_previous: bool,
    params: &Params,
) -> Result<Vec<(Rule, Outcome)>, PackError> {
    for school in schools.iter().chain(previous) {
        school.check()?;
    }
    let all: Vec<&School> = schools.iter().collect();
    let now = Totals::of(all.iter().copied());
    let limits = params.myopia_limits()?;
    let myopia_bound = limits.blended(now.primary_students, now.junior_students);
    let compliant = schools.iter().filter(|school| homework_within_limits(school)).count();
    let over: Vec<&str> =
        schools.iter().filter(|school| !homework_within_limits(school)).map(|school| school.name.as_str()).collect();

    let matched: Vec<&School> =
        schools.iter().filter(|school| previous.iter().any(|before| before.id == school.id)).collect();
    let before: Vec<&School> =
        matched.iter().filter_map(|school| previous.iter().find(|before| before.id == school.id)).collect();
    let now_matched = Totals::of(matched.iter().copied());
    let then = Totals::of(before.iter().copied());
    let missing = if has_previous { "两期均有记录的学校中无参测学生" } else { NO_PREVIOUS };
    let matched_note = format!("（按两期均有记录的{}所学校计算）", matched.len());
    let with_matched = |outcome: Outcome| {
        if outcome.status == Status::NotApplicable {
            outcome
        } else {
            let note = format!("{}{matched_note}", outcome.note.clone().unwrap_or_default());
            outcome.noted(note)
        }
    };

    let mut homework = if schools.is_empty() {
        Outcome::not_applicable("县域内无学校")
    } else {
        Outcome::judged(compliant as f64 / schools.len() as f64, COUNTY_HOMEWORK.op, COUNTY_HOMEWORK.bound)
            .noted(format!("{compliant}/{} 所学校作业时间达标", schools.len()))
    };
    if !over.is_empty() {
        let shown: Vec<&str> = over.iter().take(5).copied().collect();
        let more = if over.len() > shown.len() { format!("等{}所", over.len()) } else { String::new() };
        let note = format!("{}；超时：{}{more}", homework.note.clone().unwrap_or_default(), shown.join("、"));
        homework = homework.noted(note);
    }

    Ok(vec![
        (
            COUNTY_LEVEL3,
            result_or(
                now.level3_share(),
                &COUNTY_LEVEL3,
                params.bound(&COUNTY_LEVEL3)?,
                share_note(now.level3, now.tested),
                "本期无参测学生",
            ),
        ),
        (
            COUNTY_BETWEEN,
            match between_school_rate(&all) {
                Some(rate) => Outcome::judged(rate, COUNTY_BETWEEN.op, params.bound(&COUNTY_BETWEEN)?),
                None => Outcome::not_applicable("参测学校不足2所，校际差异率无定义"),
            },
        ),
        (
            COUNTY_PE,
            result_or(
                now.pe_pass_rate(),
                &COUNTY_PE,
                params.bound(&COUNTY_PE)?,
                share_note(now.pe_passed, now.pe_tested),
                "本期无体质健康测试学生",
            ),
        ),
        (
            COUNTY_MYOPIA,
            result_or(
                now.myopia_rate(),
                &COUNTY_MYOPIA,
                myopia_bound,
                format!("{}/{}，上限{}（按学段在校生加权）", now.myopic, now.screened, short(myopia_bound)),
                "本期无视力筛查学生",
            ),
        ),
        (COUNTY_HOMEWORK, homework),
        (
            COUNTY_LEVEL3_CHANGE,
            with_matched(change(
                now_matched.level3_share(),
                then.level3_share(),
                &COUNTY_LEVEL3_CHANGE,
                COUNTY_LEVEL3_CHANGE.bound,
                missing,
            )),
        ),
        (
            COUNTY_BETWEEN_CHANGE,
            with_matched(change(
                between_school_rate(&matched),
                between_school_rate(&before),
                &COUNTY_BETWEEN_CHANGE,
                COUNTY_BETWEEN_CHANGE.bound,
                if has_previous { "两期均有记录的参测学校不足2所" } else { NO_PREVIOUS },
            )),
        ),
        (
            COUNTY_PE_CHANGE,
            with_matched(change(
                now_matched.pe_pass_rate(),
                then.pe_pass_rate(),
                &COUNTY_PE_CHANGE,
                COUNTY_PE_CHANGE.bound,
                missing,
            )),
        ),
        (
            COUNTY_MYOPIA_CHANGE,
            with_matched(change(
                now_matched.myopia_rate(),
                then.myopia_rate(),
                &COUNTY_MYOPIA_CHANGE,
                params.bound(&COUNTY_MYOPIA_CHANGE)?,
                missing,
            )),
        ),
    ])
}
