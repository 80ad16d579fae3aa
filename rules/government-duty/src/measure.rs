//! The records the pack reads, its rules (thresholds with their sources) and its formulas, as
//! plain functions. The manifest (`manifest.rs`) is built from the same rules, so the
//! thresholds a user reads are the thresholds the pack applies.

use rules_sdk::prelude::*;
use serde::Deserialize;

/// The founding document of Jiaozuo's inspection reform.
pub const FOUNDING: &str = "关于深化新时代教育督导体制机制改革的实施意见（焦办文〔2021〕23号）";

/// The national quality-balance evaluation method (政府保障程度, 社会认可度, vetoes).
pub const BALANCE: &str = "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）";

/// A bound an indicator is judged against, and where it comes from (the SDK's rule). When
/// `param` is set, an evaluation plan may replace the default `bound` with that parameter:
/// only for national items whose wording was seen in secondary material only (the plan may
/// correct them) and for local choices.
pub use rules_sdk::Rule;

const fn rule(id: &'static str, op: Comparison, bound: f64, source: (&'static str, &'static str)) -> Rule {
    Rule::new(id, op, bound, source)
}

const fn local_rule(
    id: &'static str,
    op: Comparison,
    bound: f64,
    param: &'static str,
    source: (&'static str, &'static str),
) -> Rule {
    Rule::new(id, op, bound, source).with_param(param)
}

/// The note on national items of 第七条 whose wording we saw only in secondary material.
macro_rules! secondary {
    ($text:literal) => {
        concat!($text, "；国家文本条目，原文未经核对，数值据公开转述，可由评估方案参数更正")
    };
}

// 价值导向: the six 不予认定 conditions of 优质均衡 (value 1 = the condition exists). The
// article that lists them was not found printed, so no article number is cited.

/// 以考试方式招生 (veto).
pub const NO_EXAM_ADMISSION: Rule = rule(
    "gd.value.no_exam_admission",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“存在以考试方式招生”；条款序号未经核对）"),
);
/// 违规择校 (veto).
pub const NO_ILLEGAL_SCHOOL_CHOICE: Rule = rule(
    "gd.value.no_illegal_school_choice",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“存在违规择校行为”；条款序号未经核对）"),
);
/// 重点学校或重点班 (veto).
pub const NO_KEY_SCHOOLS: Rule = rule(
    "gd.value.no_key_schools",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“存在重点学校或重点班”；条款序号未经核对）"),
);
/// 有编不补 or long-term hiring outside the establishment (veto).
pub const NO_UNFILLED_POSTS: Rule = rule(
    "gd.value.no_unfilled_posts",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“存在‘有编不补’或长期聘用编外教师的情况”；条款序号未经核对）"),
);
/// 重大安全责任事故 or 严重违纪违规事件 in the education system (veto).
pub const NO_MAJOR_INCIDENT: Rule = rule(
    "gd.value.no_major_incident",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“教育系统存在重大安全责任事故和严重违纪违规事件”；条款序号未经核对）"),
);
/// 弄虚作假 (veto).
pub const NO_FALSIFICATION: Rule = rule(
    "gd.value.no_falsification",
    Comparison::AtMost,
    0.0,
    (BALANCE, "不予认定情形（“有弄虚作假行为”；条款序号未经核对）"),
);

// 组织领导: the reform's own mechanisms.

/// 教育督导委员会设置 (checklist, all ten items).
pub const INSPECTION_COMMITTEE: Rule = rule(
    "gd.leadership.inspection_committee",
    Comparison::AtLeast,
    COMMITTEE_ITEMS.len() as f64,
    (FOUNDING, "第1条（优化教育督导机构设置）"),
);
/// 每年组织一次综合督导.
pub const COMPREHENSIVE_INSPECTION: Rule = rule(
    "gd.leadership.comprehensive_inspection",
    Comparison::AtLeast,
    1.0,
    (FOUNDING, "第2条（每年组织一次综合督导）"),
);
/// 督学配备: inspectors per inspector required.
pub const INSPECTOR_STAFFING: Rule = rule(
    "gd.leadership.inspector_staffing",
    Comparison::AtLeast,
    1.0,
    (
        FOUNDING,
        "第12条（督学按与学校数1∶5的比例配备，部分学生数较多的学校按1∶1的比例配备）；1∶5与中小学校责任督学挂牌督导办法\
         第一条“按1人负责5所左右学校的标准配备责任督学”一致",
    ),
);
/// 督学培训: share of inspectors trained at least 40 学时 this year.
pub const INSPECTOR_TRAINING: Rule = rule(
    "gd.leadership.inspector_training",
    Comparison::AtLeast,
    1.0,
    (FOUNDING, "第13条（督学培训时间不少于40学时/年）"),
);
/// 督导经费与办公条件保障 (checklist, all three items).
pub const INSPECTION_FUNDING: Rule = rule(
    "gd.leadership.inspection_funding",
    Comparison::AtLeast,
    FUNDING_ITEMS.len() as f64,
    (FOUNDING, "第16条（教育督导工作经费纳入本级财政预算，提供必要的办公条件）"),
);
/// 校长任期结束综合督导: share of principals whose term ended who were inspected.
pub const PRINCIPAL_TERM_INSPECTION: Rule = rule(
    "gd.leadership.principal_term_inspection",
    Comparison::AtLeast,
    1.0,
    (FOUNDING, "第6条（学校校（园）长在一个任期结束时必须接受一次综合督导）"),
);
/// 督导问题整改完成率.
pub const RECTIFICATION: Rule =
    rule("gd.leadership.rectification", Comparison::AtLeast, 1.0, (FOUNDING, "第9条（问题必整改，整改必到位）"));

// 教学条件: 政府保障程度 of 优质均衡 (第七条).

/// (一) 规划布局.
pub const LAYOUT_PLAN: Rule = rule(
    "gd.conditions.layout_plan",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（一）项（义务教育学校规划布局；概述，非原文）"),
);
/// (二) 四统一.
pub const FOUR_UNIFIED: Rule = rule(
    "gd.conditions.four_unified",
    Comparison::AtLeast,
    1.0,
    (
        BALANCE,
        "第七条第（二）项（县域内学校建设标准、教师编制标准、生均公用经费基准定额、基本装备配置标准“四统一”；概述，非原文）",
    ),
);
/// (三) 音乐、美术专用教室: rooms per 12 classes and their areas.
pub const MUSIC_ART_ROOMS: Rule = rule(
    "gd.conditions.music_art_rooms",
    Comparison::AtLeast,
    1.0,
    (
        BALANCE,
        "第七条第（三）项（“所有小学、初中每12个班级配备音乐、美术专用教室1间以上；其中，每间音乐专用教室面积不小于96平方米，\
         每间美术专用教室面积不小于90平方米”）",
    ),
);
/// (四) 学校规模达标学校比例.
pub const SCHOOL_SIZE: Rule = rule(
    "gd.conditions.school_size",
    Comparison::AtLeast,
    1.0,
    (
        BALANCE,
        "第七条第（四）项（“所有小学、初中规模不超过2000人，九年一贯制学校、十二年一贯制学校义务教育阶段规模不超过2500人”）",
    ),
);
/// (五) 班额达标学校比例.
pub const CLASS_SIZE: Rule = rule(
    "gd.conditions.class_size",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（五）项（“小学、初中所有班级学生数分别不超过45人、50人”）"),
);
/// (六) 不足100名学生村小学和教学点按100名学生核定公用经费.
pub const SMALL_SCHOOL_FUNDING: Rule = rule(
    "gd.conditions.small_school_funding",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（六）项（“不足100名学生村小学和教学点按100名学生核定公用经费”）"),
);
/// (七) 特殊教育学校生均公用经费.
pub const SPECIAL_SCHOOL_FUNDING: Rule = rule(
    "gd.conditions.special_school_funding",
    Comparison::AtLeast,
    6000.0,
    (BALANCE, "第七条第（七）项（“特殊教育学校生均公用经费不低于6000元”）"),
);

// 教师队伍.

/// (八) 教师平均工资收入 / 当地公务员平均工资收入.
pub const SALARY_PARITY: Rule = rule(
    "gd.teachers.salary_parity",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（八）项（“全县义务教育学校教师平均工资收入水平不低于当地公务员平均工资收入水平”）"),
);
/// (八) 绩效工资总量足额核定.
pub const PERFORMANCE_PAY: Rule = rule(
    "gd.teachers.performance_pay",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（八）项（“按规定足额核定教师绩效工资总量”）"),
);
/// (九) 教师5年360学时培训完成率.
pub const TRAINING_360: Rule = rule(
    "gd.teachers.training_360",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（九）项（“教师5年360学时培训完成率达到100%”）"),
);
/// (十) 编制统筹.
pub const STAFFING_POOLED: Rule = rule(
    "gd.teachers.staffing_pooled",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（十）项（县级教育行政部门在核定的编制总额内统筹分配各校教职工编制；概述，非原文）"),
);
/// (十一) 教师交流轮岗比例.
pub const EXCHANGE: Rule = local_rule(
    "gd.teachers.exchange",
    Comparison::AtLeast,
    0.10,
    "teacher_exchange_min",
    (BALANCE, secondary!("第七条第（十一）项（每年交流轮岗教师不低于符合交流条件教师总数的10%）")),
);
/// (十一) 骨干教师占交流轮岗教师比例.
pub const BACKBONE_EXCHANGE: Rule = local_rule(
    "gd.teachers.backbone_exchange",
    Comparison::AtLeast,
    0.20,
    "backbone_exchange_min",
    (BALANCE, secondary!("第七条第（十一）项（骨干教师不低于交流轮岗教师总数的20%）")),
);
/// (十二) 专任教师持证上岗率.
pub const CERTIFIED: Rule = local_rule(
    "gd.teachers.certified",
    Comparison::AtLeast,
    1.0,
    "certified_teachers_min",
    (BALANCE, secondary!("第七条第（十二）项（专任教师持有教师资格证上岗率达到100%）")),
);
/// 教育质量 (四): every school's teacher-training funds at least 5% of its public funds.
pub const TRAINING_FUNDS: Rule = rule(
    "gd.teachers.training_funds",
    Comparison::AtLeast,
    0.05,
    (BALANCE, "第八条第（四）项（“按照不低于学校年度公用经费预算总额的5%安排教师培训经费”）"),
);

// 均衡发展.

/// (十三) 城区和镇区公办小学就近划片入学比例.
pub const NEARBY_PRIMARY: Rule = local_rule(
    "gd.balance.nearby_enrollment_primary",
    Comparison::AtLeast,
    1.0,
    "nearby_enrollment_primary_min",
    (BALANCE, secondary!("第七条第（十三）项（城区和镇区公办小学就近划片入学比例达到100%）")),
);
/// (十三) 城区和镇区公办初中就近划片入学比例.
pub const NEARBY_JUNIOR: Rule = local_rule(
    "gd.balance.nearby_enrollment_junior",
    Comparison::AtLeast,
    0.95,
    "nearby_enrollment_junior_min",
    (BALANCE, secondary!("第七条第（十三）项（城区和镇区公办初中就近划片入学比例达到95%）")),
);
/// (十四) 优质高中招生名额分配比例.
pub const QUOTA_ALLOCATION: Rule = local_rule(
    "gd.balance.quota_allocation",
    Comparison::AtLeast,
    0.50,
    "quota_allocation_min",
    (BALANCE, secondary!("第七条第（十四）项（优质高中招生名额分配比例不低于50%）")),
);
/// (十四) 名额分配向农村初中倾斜.
pub const QUOTA_RURAL_PRIORITY: Rule = rule(
    "gd.balance.quota_rural_priority",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（十四）项（名额分配向农村初中倾斜；国家文本条目，原文未经核对）"),
);
/// (十五) 随迁子女在公办学校和政府购买服务的民办学校就读比例.
pub const MIGRANT_CHILDREN: Rule = local_rule(
    "gd.balance.migrant_children",
    Comparison::AtLeast,
    0.85,
    "migrant_children_public_min",
    (
        BALANCE,
        secondary!("第七条第（十五）项（符合条件的随迁子女在公办学校和政府购买服务的民办学校就读比例不低于85%）"),
    ),
);
/// (十五) 留守儿童关爱体系.
pub const LEFT_BEHIND_CARE: Rule = rule(
    "gd.balance.left_behind_care",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第七条第（十五）项（县域内留守儿童关爱体系健全；国家文本条目，原文未经核对）"),
);
/// 教育质量 (一) 初中三年巩固率.
pub const JUNIOR_RETENTION: Rule = rule(
    "gd.balance.junior_retention",
    Comparison::AtLeast,
    0.95,
    (BALANCE, "第八条第（一）项（“全县初中三年巩固率达到95%以上”）"),
);
/// 教育质量 (二) 残疾儿童少年入学率.
pub const DISABLED_ENROLLMENT: Rule = rule(
    "gd.balance.disabled_enrollment",
    Comparison::AtLeast,
    0.95,
    (BALANCE, "第八条第（二）项（“全县残疾儿童少年入学率达到95%以上”）"),
);
/// 社会认可度 (不予认定 below 85%).
pub const SOCIAL_RECOGNITION: Rule = rule(
    "gd.balance.social_recognition",
    Comparison::AtLeast,
    0.85,
    (BALANCE, "第九条（“社会认可度达到85%以上”；未达到的县不予认定）"),
);

/// Every rule, in manifest and result order.
pub const RULES: [Rule; 37] = [
    NO_EXAM_ADMISSION,
    NO_ILLEGAL_SCHOOL_CHOICE,
    NO_KEY_SCHOOLS,
    NO_UNFILLED_POSTS,
    NO_MAJOR_INCIDENT,
    NO_FALSIFICATION,
    INSPECTION_COMMITTEE,
    COMPREHENSIVE_INSPECTION,
    INSPECTOR_STAFFING,
    INSPECTOR_TRAINING,
    INSPECTION_FUNDING,
    PRINCIPAL_TERM_INSPECTION,
    RECTIFICATION,
    LAYOUT_PLAN,
    FOUR_UNIFIED,
    MUSIC_ART_ROOMS,
    SCHOOL_SIZE,
    CLASS_SIZE,
    SMALL_SCHOOL_FUNDING,
    SPECIAL_SCHOOL_FUNDING,
    SALARY_PARITY,
    PERFORMANCE_PAY,
    TRAINING_360,
    STAFFING_POOLED,
    EXCHANGE,
    BACKBONE_EXCHANGE,
    CERTIFIED,
    TRAINING_FUNDS,
    NEARBY_PRIMARY,
    NEARBY_JUNIOR,
    QUOTA_ALLOCATION,
    QUOTA_RURAL_PRIORITY,
    MIGRANT_CHILDREN,
    LEFT_BEHIND_CARE,
    JUNIOR_RETENTION,
    DISABLED_ENROLLMENT,
    SOCIAL_RECOGNITION,
];

/// The ten items of the committee checklist (第1条), in the order of the fields.
pub const COMMITTEE_ITEMS: [&str; 10] = [
    "县级政府设立教育督导委员会",
    "由分管教育工作的政府领导同志任主任",
    "设立一名专职副主任（教育部门分管督导工作的负责同志）",
    "纪检监察部门为成员单位",
    "机构编制部门为成员单位",
    "巡察部门为成员单位",
    "审计部门为成员单位",
    "教育督导委员会办公室设在教育部门",
    "教育部门设立总督学",
    "教育部门设立副总督学",
];

/// The three items of the funding checklist (第16条).
pub const FUNDING_ITEMS: [&str; 3] =
    ["教育督导工作经费纳入本级财政预算", "本年度安排教育督导专项经费", "提供必要的办公用房和办公设备"];

/// School size limits: 2000 students, 2500 for a nine-year school (九年一贯制).
pub const SCHOOL_SIZE_LIMIT: f64 = 2000.0;
/// School size limit of a nine-year school.
pub const NINE_YEAR_SIZE_LIMIT: f64 = 2500.0;
/// Class size limits: 小学 45, 初中 50.
pub const PRIMARY_CLASS_LIMIT: f64 = 45.0;
/// Class size limit of 初中.
pub const JUNIOR_CLASS_LIMIT: f64 = 50.0;
/// Village schools and teaching points below this many students are funded as if they had it.
pub const SMALL_SCHOOL_FUNDED_AS: f64 = 100.0;
/// Schools per inspector (1∶5: 焦办文〔2021〕23号 第12条; 中小学校责任督学挂牌督导办法 第一条).
pub const SCHOOLS_PER_INSPECTOR: f64 = 5.0;
/// Classes per music room and per art room (第七条第（三）项).
pub const CLASSES_PER_ROOM: f64 = 12.0;
/// Smallest area of a music room, m² (第七条第（三）项).
pub const MUSIC_ROOM_MIN_AREA: f64 = 96.0;
/// Smallest area of an art room, m² (第七条第（三）项).
pub const ART_ROOM_MIN_AREA: f64 = 90.0;

/// A parameter an evaluation plan may set, and the parameter values of a unit (the SDK's).
pub use rules_sdk::{Parameter, Params};

/// Students above which a school needs its own inspector (1∶1).
pub const LARGE_SCHOOL_STUDENTS: Parameter = Parameter::integer(
    "large_school_students",
    2000.0,
    "“学生数较多的学校”的人数界限：在校生超过该人数的学校按1∶1配备督学",
    (
        FOUNDING,
        "第12条（文件未规定“学生数较多”的人数界限；默认2000人为地方实施口径，取自教督〔2017〕6号第七条第（四）项学校规模上限）",
    ),
);

/// Every parameter: the one above and one per rule with a parameter.
pub fn parameters() -> Vec<Parameter> {
    let mut list = vec![LARGE_SCHOOL_STUDENTS];
    for rule in RULES {
        if let Some(name) = rule.param {
            list.push(Parameter::number(
                name,
                rule.bound,
                "该指标的达标界限（比例，0–1）；默认值为国家文本条目的转述数值，评估方案可在核对原文后更正",
                rule.source,
            ));
        }
    }
    list
}

/// A county record as the pack reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct County {
    pub id: String,
    pub exam_admission: bool,
    pub illegal_school_choice: bool,
    pub key_schools_or_classes: bool,
    pub unfilled_posts_or_contract_teachers: bool,
    pub major_incident: bool,
    pub falsification: bool,
    pub social_recognition_rate: f64,
    pub inspection_committee: bool,
    pub committee_chair_leader: bool,
    pub committee_fulltime_vice_chair: bool,
    pub committee_member_discipline: bool,
    pub committee_member_staffing: bool,
    pub committee_member_inspection: bool,
    pub committee_member_audit: bool,
    pub committee_office_in_bureau: bool,
    pub chief_inspector: bool,
    pub deputy_chief_inspector: bool,
    pub comprehensive_inspections: f64,
    pub inspection_budget_included: bool,
    pub inspection_funding_yuan: f64,
    pub inspection_office_equipped: bool,
    pub rectification_issues: f64,
    pub rectification_completed: f64,
    pub funding_per_primary_student_yuan: f64,
    pub funding_per_junior_student_yuan: f64,
    pub teacher_avg_salary_yuan: f64,
    pub civil_servant_avg_salary_yuan: f64,
    pub full_time_teachers: f64,
    pub teachers_completed_360h: f64,
    pub certified_teachers: f64,
    pub teachers_eligible_exchange: f64,
    pub teachers_exchanged: f64,
    pub backbone_teachers_exchanged: f64,
    pub urban_primary_entrants: f64,
    pub urban_primary_entrants_nearby: f64,
    pub urban_junior_entrants: f64,
    pub urban_junior_entrants_nearby: f64,
    pub quality_high_school_places: f64,
    pub quality_high_school_places_allocated: f64,
    pub migrant_children: f64,
    pub migrant_children_public: f64,
    pub layout_plan_implemented: bool,
    pub four_unified_standards: bool,
    pub special_schools: f64,
    pub funding_per_special_student_yuan: f64,
    pub performance_pay_fully_set: bool,
    pub staffing_pooled: bool,
    pub quota_rural_priority: bool,
    pub left_behind_care_system: bool,
    pub junior_cohort_entrants: f64,
    pub junior_cohort_retained: f64,
    pub disabled_children: f64,
    pub disabled_children_enrolled: f64,
}

/// An inspection zone (督学责任区) record.
#[derive(Debug, Clone, Deserialize)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub inspectors: f64,
    pub inspectors_trained_40h: f64,
}

/// A school record.
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub kind: String,
    pub location: String,
    pub ownership: String,
    pub primary_students: f64,
    pub junior_students: f64,
    pub primary_classes: f64,
    pub junior_classes: f64,
    pub primary_max_class_size: f64,
    pub junior_max_class_size: f64,
    pub music_rooms: f64,
    pub art_rooms: f64,
    pub music_room_min_area_m2: f64,
    pub art_room_min_area_m2: f64,
    pub public_funds_yuan: f64,
    pub teacher_training_funds_yuan: f64,
    pub principal_term_ended: bool,
    pub principal_term_inspected: bool,
}

impl School {
    /// All students of the school.
    pub fn students(&self) -> f64 {
        self.primary_students + self.junior_students
    }

    /// The size limit of the school: 2500 for a nine-year school, else 2000.
    pub fn size_limit(&self) -> f64 {
        if self.stage == "nine_year" { NINE_YEAR_SIZE_LIMIT } else { SCHOOL_SIZE_LIMIT }
    }
}

/// The result of one indicator (the SDK's finding).
pub use rules_sdk::Finding;

/// `part / whole` for a part that cannot exceed its whole; `None` when the whole is 0.
///
/// # Errors
///
/// When the part exceeds the whole (the data contradict themselves); the message names the
/// record and both fields.
pub fn share(part: f64, whole: f64, record: &str, names: (&str, &str)) -> Result<Option<f64>, PackError> {
    if part > whole {
        return Err(PackError::new(format!("`{record}`: {} ({part}) is larger than {} ({whole})", names.0, names.1)));
    }
    Ok((whole > 0.0).then(|| part / whole))
}

/// Which of the ten committee items the county satisfies. Items that need the committee
/// (chair, vice-chair, members, office) count only when the committee exists; 总督学 and
/// 副总督学 belong to the education bureau and count on their own.
pub fn committee_items(county: &County) -> [bool; 10] {
    let exists = county.inspection_committee;
    [
        exists,
        exists && county.committee_chair_leader,
        exists && county.committee_fulltime_vice_chair,
        exists && county.committee_member_discipline,
        exists && county.committee_member_staffing,
        exists && county.committee_member_inspection,
        exists && county.committee_member_audit,
        exists && county.committee_office_in_bureau,
        county.chief_inspector,
        county.deputy_chief_inspector,
    ]
}

/// Which of the three funding items the county satisfies.
pub fn funding_items(county: &County) -> [bool; 3] {
    [county.inspection_budget_included, county.inspection_funding_yuan > 0.0, county.inspection_office_equipped]
}

/// Inspectors a set of schools requires (第12条): one for each school with more than `large`
/// students, and one for every five of the other schools, rounded up. Returns
/// `(required, large schools)`.
pub fn inspectors_required(students: &[f64], large: f64) -> (f64, usize) {
    let large_schools = students.iter().filter(|&&count| count > large).count();
    let others = (students.len() - large_schools) as f64;
    (large_schools as f64 + (others / SCHOOLS_PER_INSPECTOR).ceil(), large_schools)
}

/// Whether every class of a school is within its stage's limit.
///
/// # Errors
///
/// When a stage has students but no classes.
pub fn class_size_ok(school: &School) -> Result<bool, PackError> {
    for (students, classes, field) in [
        (school.primary_students, school.primary_classes, "primary_classes"),
        (school.junior_students, school.junior_classes, "junior_classes"),
    ] {
        if students > 0.0 && classes <= 0.0 {
            return Err(PackError::new(format!(
                "school `{}` has {students} students but `{field}` is {classes}",
                school.id
            )));
        }
    }
    let primary_ok =
        school.primary_students == 0.0 || Comparison::AtMost.holds(school.primary_max_class_size, PRIMARY_CLASS_LIMIT);
    let junior_ok =
        school.junior_students == 0.0 || Comparison::AtMost.holds(school.junior_max_class_size, JUNIOR_CLASS_LIMIT);
    Ok(primary_ok && junior_ok)
}

/// The public funds a small village primary school (村小学) or teaching point (教学点) must be
/// granted: its per-student rate (student-weighted between 小学 and 初中) times 100. `None` for
/// schools the rule does not cover: private schools, schools with 100 students or more, and
/// regular schools other than rural primary schools (the text names 村小学 and 教学点 only,
/// so a rural junior school is not covered and a teaching point is covered wherever it is).
pub fn small_school_required_funds(school: &School, county: &County) -> Option<f64> {
    let students = school.students();
    let village_primary = school.kind == "regular" && school.location == "rural" && school.stage == "primary";
    let covered = school.kind == "teaching_point" || village_primary;
    if school.ownership != "public" || !covered || students >= SMALL_SCHOOL_FUNDED_AS || students <= 0.0 {
        return None;
    }
    let rate = (school.primary_students * county.funding_per_primary_student_yuan
        + school.junior_students * county.funding_per_junior_student_yuan)
        / students;
    Some(rate * SMALL_SCHOOL_FUNDED_AS)
}

/// Music rooms and art rooms a school needs: one of each per `per_room` classes, rounded up.
pub fn rooms_needed(classes: f64, per_room: f64) -> f64 {
    (classes / per_room).ceil()
}

/// Share of `schools` for which `ok` holds, with a note naming (at most five of) the others.
///
/// # Errors
///
/// Whatever `ok` returns.
pub fn school_share(
    schools: &[&School],
    rule: &Rule,
    bound: f64,
    mut ok: impl FnMut(&School) -> Result<Option<String>, PackError>,
    empty: &str,
) -> Result<Finding, PackError> {
    if schools.is_empty() {
        return Ok(Finding::not_applicable(empty));
    }
    let mut failing = Vec::new();
    for school in schools {
        if let Some(why) = ok(school)? {
            failing.push(format!("{}（{why}）", school.name));
        }
    }
    let met = schools.len() - failing.len();
    let finding = Finding::judged(met as f64 / schools.len() as f64, rule.op, bound);
    let mut note = format!("{met}/{} 所学校达标", schools.len());
    if !failing.is_empty() {
        let shown: Vec<&str> = failing.iter().take(5).map(String::as_str).collect();
        note.push_str(&format!("；未达标：{}", shown.join("、")));
        if failing.len() > shown.len() {
            note.push_str(&format!("等{}所", failing.len()));
        }
    }
    Ok(finding.noted(note))
}

/// A checklist finding: value = items satisfied, with the missing items in the note.
pub fn checklist(items: &[&str], satisfied: &[bool], rule: &Rule) -> Finding {
    let count = satisfied.iter().filter(|&&ok| ok).count();
    let finding = Finding::judged(count as f64, rule.op, rule.bound);
    let missing: Vec<&str> = items.iter().zip(satisfied).filter(|(_, ok)| !**ok).map(|(item, _)| *item).collect();
    if missing.is_empty() { finding } else { finding.noted(format!("未落实：{}", missing.join("；"))) }
}

/// A yes/no condition that must not exist (the 不予认定 conditions): value 1 when it exists.
pub fn absent(exists: bool, rule: &Rule, what: &str) -> Finding {
    let finding = Finding::judged(if exists { 1.0 } else { 0.0 }, rule.op, rule.bound);
    if exists { finding.noted(format!("{what}，属优质均衡不予认定情形")) } else { finding }
}

/// A yes/no requirement that must be in place: value 1 when it is.
pub fn present(done: bool, rule: &Rule, what: &str) -> Finding {
    let finding = Finding::judged(if done { 1.0 } else { 0.0 }, rule.op, rule.bound);
    if done { finding } else { finding.noted(format!("未落实：{what}")) }
}

/// Why a school misses 第七条第（三）项, if it does: fewer than one music and one art room per 12
/// classes, or a room smaller than 96 m² (music) or 90 m² (art).
pub fn rooms_shortfall(school: &School) -> Option<String> {
    let needed = rooms_needed(school.primary_classes + school.junior_classes, CLASSES_PER_ROOM);
    let mut why = Vec::new();
    if school.music_rooms < needed || school.art_rooms < needed {
        why.push(format!("应各配{needed}间，音乐{}间、美术{}间", school.music_rooms, school.art_rooms));
    }
    if school.music_rooms > 0.0 && !Comparison::AtLeast.holds(school.music_room_min_area_m2, MUSIC_ROOM_MIN_AREA) {
        why.push(format!("最小音乐教室{}m²，应不小于{MUSIC_ROOM_MIN_AREA}m²", school.music_room_min_area_m2));
    }
    if school.art_rooms > 0.0 && !Comparison::AtLeast.holds(school.art_room_min_area_m2, ART_ROOM_MIN_AREA) {
        why.push(format!("最小美术教室{}m²，应不小于{ART_ROOM_MIN_AREA}m²", school.art_room_min_area_m2));
    }
    (!why.is_empty()).then(|| why.join("；"))
}

/// The lowest share of teacher-training funds in public funds among the public schools with
/// public funds (教育质量 (四): each school at least 5%), with a note naming the schools below.
pub fn training_funds(schools: &[School], rule: &Rule) -> Result<Finding, PackError> {
    let mut shares = Vec::new();
    for school in schools.iter().filter(|school| school.ownership == "public" && school.public_funds_yuan > 0.0) {
        if school.teacher_training_funds_yuan > school.public_funds_yuan {
            return Err(PackError::new(format!(
                "school `{}`: teacher_training_funds_yuan ({}) is larger than public_funds_yuan ({})",
                school.id, school.teacher_training_funds_yuan, school.public_funds_yuan
            )));
        }
        shares.push((school.teacher_training_funds_yuan / school.public_funds_yuan, school.name.as_str()));
    }
    let Some(lowest) = shares.iter().map(|(share, _)| *share).reduce(f64::min) else {
        return Ok(Finding::not_applicable("县域内无核定公用经费的公办学校"));
    };
    let below: Vec<&str> =
        shares.iter().filter(|(share, _)| !rule.op.holds(*share, rule.bound)).map(|(_, name)| *name).collect();
    let mut note = format!("{}/{} 所学校不低于5%", shares.len() - below.len(), shares.len());
    if !below.is_empty() {
        let shown: Vec<&str> = below.iter().take(5).copied().collect();
        note.push_str(&format!("；低于5%：{}", shown.join("、")));
        if below.len() > shown.len() {
            note.push_str(&format!("等{}所", below.len()));
        }
    }
    Ok(rule.judge(lowest, rule.bound).noted(note))
}

/// A share judged against a rule (`part` and `whole` with their field names), or not
/// applicable with `empty` when the whole is 0.
///
/// # Errors
///
/// As [`share`], when the part exceeds the whole.
pub fn share_finding(
    rule: &Rule,
    bound: f64,
    record: &str,
    part: (f64, &str),
    whole: (f64, &str),
    empty: &str,
) -> Result<Finding, PackError> {
    Ok(match share(part.0, whole.0, record, (part.1, whole.1))? {
        Some(value) => Finding::judged(value, rule.op, bound).noted(format!("{}/{}", part.0, whole.0)),
        None => Finding::not_applicable(empty),
    })
}

/// Every indicator of a county, in [`RULES`] order.
///
/// # Errors
///
/// When the records contradict themselves (a part larger than its whole, students without
/// classes) or a parameter is not a number.
pub fn evaluate(
    county: &County,
    zones: &[Zone],
    schools: &[School],
    params: &Params,
) -> Result<Vec<(Rule, Finding)>, PackError> {
    let id = county.id.as_str();
    let mut out = Vec::with_capacity(RULES.len());

    out.push((NO_EXAM_ADMISSION, absent(county.exam_admission, &NO_EXAM_ADMISSION, "存在以考试方式招生")));
    out.push((
        NO_ILLEGAL_SCHOOL_CHOICE,
        absent(county.illegal_school_choice, &NO_ILLEGAL_SCHOOL_CHOICE, "存在违规择校行为"),
    ));
    out.push((NO_KEY_SCHOOLS, absent(county.key_schools_or_classes, &NO_KEY_SCHOOLS, "存在重点学校或重点班")));
    out.push((
        NO_UNFILLED_POSTS,
        absent(
            county.unfilled_posts_or_contract_teachers,
            &NO_UNFILLED_POSTS,
            "存在“有编不补”或长期聘用编外教师的情况",
        ),
    ));
    out.push((
        NO_MAJOR_INCIDENT,
        absent(county.major_incident, &NO_MAJOR_INCIDENT, "教育系统存在重大安全责任事故或严重违纪违规事件"),
    ));
    out.push((NO_FALSIFICATION, absent(county.falsification, &NO_FALSIFICATION, "有弄虚作假行为")));

    out.push((INSPECTION_COMMITTEE, checklist(&COMMITTEE_ITEMS, &committee_items(county), &INSPECTION_COMMITTEE)));
    let inspections = county.comprehensive_inspections;
    out.push((
        COMPREHENSIVE_INSPECTION,
        Finding::judged(inspections, COMPREHENSIVE_INSPECTION.op, COMPREHENSIVE_INSPECTION.bound)
            .noted(format!("本年度组织综合督导{inspections}次")),
    ));

    let large = params.value(&LARGE_SCHOOL_STUDENTS)?;
    let students: Vec<f64> = schools.iter().map(School::students).collect();
    let (required, large_schools) = inspectors_required(&students, large);
    let inspectors: f64 = zones.iter().map(|zone| zone.inspectors).sum();
    let unstaffed: Vec<&str> =
        zones.iter().filter(|zone| zone.inspectors < 1.0).map(|zone| zone.name.as_str()).collect();
    out.push((
        INSPECTOR_STAFFING,
        if required > 0.0 {
            let mut note = format!(
                "督学{inspectors}人，应配{required}人（{}所学校，其中在校生超过{large}人的学校{large_schools}所按1∶1）",
                schools.len()
            );
            if !unstaffed.is_empty() {
                note.push_str(&format!("；无责任督学：{}", unstaffed.join("、")));
            }
            Finding::judged(inspectors / required, INSPECTOR_STAFFING.op, INSPECTOR_STAFFING.bound).noted(note)
        } else {
            Finding::not_applicable("县域内无学校")
        },
    ));
    let trained: f64 = zones.iter().map(|zone| zone.inspectors_trained_40h).sum();
    out.push((
        INSPECTOR_TRAINING,
        share_finding(
            &INSPECTOR_TRAINING,
            INSPECTOR_TRAINING.bound,
            id,
            (trained, "inspectors_trained_40h"),
            (inspectors, "inspectors"),
            "无在岗督学",
        )?,
    ));
    out.push((INSPECTION_FUNDING, checklist(&FUNDING_ITEMS, &funding_items(county), &INSPECTION_FUNDING)));
    let ended = schools.iter().filter(|school| school.principal_term_ended).count() as f64;
    let inspected =
        schools.iter().filter(|school| school.principal_term_ended && school.principal_term_inspected).count() as f64;
    out.push((
        PRINCIPAL_TERM_INSPECTION,
        share_finding(
            &PRINCIPAL_TERM_INSPECTION,
            PRINCIPAL_TERM_INSPECTION.bound,
            id,
            (inspected, "principals inspected"),
            (ended, "principals whose term ended"),
            "本期无校长任期届满",
        )?,
    ));
    out.push((
        RECTIFICATION,
        share_finding(
            &RECTIFICATION,
            RECTIFICATION.bound,
            id,
            (county.rectification_completed, "rectification_completed"),
            (county.rectification_issues, "rectification_issues"),
            "本期督导未发现需整改问题",
        )?,
    ));

    out.push((LAYOUT_PLAN, present(county.layout_plan_implemented, &LAYOUT_PLAN, "制定并实施义务教育学校布局规划")));
    out.push((
        FOUR_UNIFIED,
        present(
            county.four_unified_standards,
            &FOUR_UNIFIED,
            "县域内学校建设标准、教师编制标准、生均公用经费基准定额、基本装备配置标准统一",
        ),
    ));
    let regular: Vec<&School> = schools.iter().filter(|school| school.kind != "teaching_point").collect();
    out.push((
        MUSIC_ART_ROOMS,
        school_share(
            &regular,
            &MUSIC_ART_ROOMS,
            MUSIC_ART_ROOMS.bound,
            |school| Ok(rooms_shortfall(school)),
            "县域内无学校（教学点不单独计算）",
        )?,
    ));
    let all: Vec<&School> = schools.iter().collect();
    out.push((
        SCHOOL_SIZE,
        school_share(
            &all,
            &SCHOOL_SIZE,
            SCHOOL_SIZE.bound,
            |school| {
                let students = school.students();
                Ok((!Comparison::AtMost.holds(students, school.size_limit())).then(|| format!("{students}人")))
            },
            "县域内无学校",
        )?,
    ));
    out.push((
        CLASS_SIZE,
        school_share(
            &all,
            &CLASS_SIZE,
            CLASS_SIZE.bound,
            |school| {
                Ok((!class_size_ok(school)?).then(|| {
                    let mut sizes = Vec::new();
                    if school.primary_students > 0.0 {
                        sizes.push(format!("小学最大班额{}", school.primary_max_class_size));
                    }
                    if school.junior_students > 0.0 {
                        sizes.push(format!("初中最大班额{}", school.junior_max_class_size));
                    }
                    sizes.join("，")
                }))
            },
            "县域内无学校",
        )?,
    ));
    let small: Vec<&School> =
        schools.iter().filter(|school| small_school_required_funds(school, county).is_some()).collect();
    out.push((
        SMALL_SCHOOL_FUNDING,
        school_share(
            &small,
            &SMALL_SCHOOL_FUNDING,
            SMALL_SCHOOL_FUNDING.bound,
            |school| {
                let required = small_school_required_funds(school, county).unwrap_or(0.0);
                Ok((!Comparison::AtLeast.holds(school.public_funds_yuan, required))
                    .then(|| format!("核定{}元，应不少于{required}元", school.public_funds_yuan)))
            },
            "县域内无不足100名学生的公办村小学和教学点",
        )?,
    ));
    out.push((
        SPECIAL_SCHOOL_FUNDING,
        if county.special_schools > 0.0 {
            SPECIAL_SCHOOL_FUNDING.judge(county.funding_per_special_student_yuan, SPECIAL_SCHOOL_FUNDING.bound).noted(
                format!(
                    "特殊教育学校{}所，生均公用经费{}元",
                    county.special_schools, county.funding_per_special_student_yuan
                ),
            )
        } else {
            Finding::not_applicable("县域内无特殊教育学校")
        },
    ));

    if county.civil_servant_avg_salary_yuan <= 0.0 {
        return Err(PackError::new(format!("`{id}`: civil_servant_avg_salary_yuan is 0")));
    }
    out.push((
        SALARY_PARITY,
        Finding::judged(
            county.teacher_avg_salary_yuan / county.civil_servant_avg_salary_yuan,
            SALARY_PARITY.op,
            SALARY_PARITY.bound,
        )
        .noted(format!("教师{}元，公务员{}元", county.teacher_avg_salary_yuan, county.civil_servant_avg_salary_yuan)),
    ));
    out.push((
        PERFORMANCE_PAY,
        present(county.performance_pay_fully_set, &PERFORMANCE_PAY, "按规定足额核定教师绩效工资总量"),
    ));
    let teachers = (county.full_time_teachers, "full_time_teachers");
    let shares =
        |rule: Rule, part: (f64, &str), whole: (f64, &str), empty: &str| -> Result<(Rule, Finding), PackError> {
            Ok((rule, share_finding(&rule, params.bound(&rule)?, id, part, whole, empty)?))
        };
    out.push(shares(
        TRAINING_360,
        (county.teachers_completed_360h, "teachers_completed_360h"),
        teachers,
        "无专任教师",
    )?);
    out.push((
        STAFFING_POOLED,
        present(county.staffing_pooled, &STAFFING_POOLED, "县级教育行政部门统筹分配各校教职工编制和岗位"),
    ));
    out.push(shares(
        EXCHANGE,
        (county.teachers_exchanged, "teachers_exchanged"),
        (county.teachers_eligible_exchange, "teachers_eligible_exchange"),
        "无符合交流条件的教师",
    )?);
    out.push(shares(
        BACKBONE_EXCHANGE,
        (county.backbone_teachers_exchanged, "backbone_teachers_exchanged"),
        (county.teachers_exchanged, "teachers_exchanged"),
        "本年度无交流轮岗教师",
    )?);
    out.push(shares(CERTIFIED, (county.certified_teachers, "certified_teachers"), teachers, "无专任教师")?);
    out.push((TRAINING_FUNDS, training_funds(schools, &TRAINING_FUNDS)?));

    out.push(shares(
        NEARBY_PRIMARY,
        (county.urban_primary_entrants_nearby, "urban_primary_entrants_nearby"),
        (county.urban_primary_entrants, "urban_primary_entrants"),
        "城区和镇区公办小学无新生",
    )?);
    out.push(shares(
        NEARBY_JUNIOR,
        (county.urban_junior_entrants_nearby, "urban_junior_entrants_nearby"),
        (county.urban_junior_entrants, "urban_junior_entrants"),
        "城区和镇区公办初中无新生",
    )?);
    out.push(shares(
        QUOTA_ALLOCATION,
        (county.quality_high_school_places_allocated, "quality_high_school_places_allocated"),
        (county.quality_high_school_places, "quality_high_school_places"),
        "无优质高中招生计划",
    )?);
    out.push((
        QUOTA_RURAL_PRIORITY,
        present(county.quota_rural_priority, &QUOTA_RURAL_PRIORITY, "优质高中招生名额分配向农村初中倾斜"),
    ));
    out.push(shares(
        MIGRANT_CHILDREN,
        (county.migrant_children_public, "migrant_children_public"),
        (county.migrant_children, "migrant_children"),
        "无符合条件的随迁子女",
    )?);
    out.push((
        LEFT_BEHIND_CARE,
        present(county.left_behind_care_system, &LEFT_BEHIND_CARE, "县域内留守儿童关爱体系健全"),
    ));
    out.push(shares(
        JUNIOR_RETENTION,
        (county.junior_cohort_retained, "junior_cohort_retained"),
        (county.junior_cohort_entrants, "junior_cohort_entrants"),
        "本届初三无入学记录",
    )?);
    out.push(shares(
        DISABLED_ENROLLMENT,
        (county.disabled_children_enrolled, "disabled_children_enrolled"),
        (county.disabled_children, "disabled_children"),
        "县域内无适龄残疾儿童少年",
    )?);
    let recognition = county.social_recognition_rate;
    if !(0.0..=1.0).contains(&recognition) {
        return Err(PackError::new(format!("`{id}`: social_recognition_rate {recognition} is not between 0 and 1")));
    }
    let mut finding = Finding::judged(recognition, SOCIAL_RECOGNITION.op, SOCIAL_RECOGNITION.bound);
    if finding.status == Status::NotMet {
        finding = finding.noted("社会认可度未达到85%，不予认定");
    }
    out.push((SOCIAL_RECOGNITION, finding));
    debug_assert_eq!(out.iter().map(|(rule, _)| rule.id).collect::<Vec<_>>(), RULES.map(|rule| rule.id));
    Ok(out)
}
