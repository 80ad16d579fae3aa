//! The records the pack reads, its rules (thresholds with their sources) and its formulas, as
//! plain functions. The manifest (`manifest.rs`) is built from the same rules, so the
//! thresholds a user reads are the thresholds the pack applies.

use rules_sdk::prelude::*;
use serde::Deserialize;

/// The founding document of Jiaozuo's inspection reform.
pub const FOUNDING: &str = "关于深化新时代教育督导体制机制改革的实施意见（焦办文〔2021〕23号）";

/// The national quality-balance evaluation method (政府保障程度, 社会认可度, vetoes).
pub const BALANCE: &str = "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）";

/// A bound an indicator is judged against, and where it comes from. When `param` is set, an
/// evaluation plan may replace the default `bound` with that parameter (figures not confirmed
/// as national wording).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The indicator id.
    pub id: &'static str,
    /// The comparison.
    pub op: Comparison,
    /// The default bound.
    pub bound: f64,
    /// The plan parameter that may replace the bound.
    pub param: Option<&'static str>,
    /// Document and item.
    pub source: (&'static str, &'static str),
}

const fn rule(id: &'static str, op: Comparison, bound: f64, source: (&'static str, &'static str)) -> Rule {
    Rule { id, op, bound, param: None, source }
}

const fn local_rule(
    id: &'static str,
    op: Comparison,
    bound: f64,
    param: &'static str,
    source: (&'static str, &'static str),
) -> Rule {
    Rule { id, op, bound, param: Some(param), source }
}

// 价值导向: the one-vote vetoes of 优质均衡 (value 1 = the practice exists).

/// 义务教育学校以考试方式招生 (veto).
pub const NO_EXAM_ADMISSION: Rule =
    rule("gd.value.no_exam_admission", Comparison::AtMost, 0.0, (BALANCE, "一票否决情形（存在以考试方式招生的）"));
/// 违规择校 (veto).
pub const NO_ILLEGAL_SCHOOL_CHOICE: Rule =
    rule("gd.value.no_illegal_school_choice", Comparison::AtMost, 0.0, (BALANCE, "一票否决情形（存在违规择校行为的）"));
/// 重点学校或重点班 (veto).
pub const NO_KEY_SCHOOLS: Rule =
    rule("gd.value.no_key_schools", Comparison::AtMost, 0.0, (BALANCE, "一票否决情形（存在重点学校或重点班的）"));

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
    (FOUNDING, "第12条（督学按与学校数1∶5的比例配备，部分学生数较多的学校按1∶1的比例配备）"),
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

// 教学条件: 政府保障程度 of 优质均衡.

/// 学校规模达标学校比例.
pub const SCHOOL_SIZE: Rule = rule(
    "gd.conditions.school_size",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第六条 政府保障程度（小学、初中规模不超过2000人，九年一贯制学校不超过2500人）"),
);
/// 班额达标学校比例.
pub const CLASS_SIZE: Rule = rule(
    "gd.conditions.class_size",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第六条 政府保障程度（小学、初中所有班级学生数分别不超过45人、50人）"),
);
/// 不足100名学生的村小学和教学点按100名学生核定公用经费.
pub const SMALL_SCHOOL_FUNDING: Rule = rule(
    "gd.conditions.small_school_funding",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第六条 政府保障程度（不足100名学生的村小学和教学点按100名学生核定公用经费）"),
);
/// 音乐、美术专用教室配备达标学校比例.
pub const MUSIC_ART_ROOMS: Rule = rule(
    "gd.conditions.music_art_rooms",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第六条 政府保障程度（每12个班级配备音乐、美术专用教室1间以上；地方实施口径，国家文本表述未核实）"),
);

// 教师队伍.

/// 教师平均工资收入 / 当地公务员平均工资收入.
pub const SALARY_PARITY: Rule = rule(
    "gd.teachers.salary_parity",
    Comparison::AtLeast,
    1.0,
    (BALANCE, "第六条 政府保障程度（教师平均工资收入水平不低于当地公务员平均工资收入水平）"),
);
/// 教师5年360学时培训完成率.
pub const TRAINING_360: Rule = local_rule(
    "gd.teachers.training_360",
    Comparison::AtLeast,
    1.0,
    "training_360_min",
    (BALANCE, "第六条 政府保障程度（教师5年360学时培训完成率达到100%；地方实施口径，国家文本表述未核实）"),
);
/// 专任教师持证上岗率.
pub const CERTIFIED: Rule = local_rule(
    "gd.teachers.certified",
    Comparison::AtLeast,
    1.0,
    "certified_teachers_min",
    (BALANCE, "第六条 政府保障程度（专任教师持有教师资格证上岗率达到100%；地方实施口径，国家文本表述未核实）"),
);
/// 教师交流轮岗比例.
pub const EXCHANGE: Rule = local_rule(
    "gd.teachers.exchange",
    Comparison::AtLeast,
    0.10,
    "teacher_exchange_min",
    (
        BALANCE,
        "第六条 政府保障程度（每年交流轮岗教师不低于符合交流条件教师总数的10%；地方实施口径，国家文本表述未核实）",
    ),
);
/// 骨干教师占交流轮岗教师比例.
pub const BACKBONE_EXCHANGE: Rule = local_rule(
    "gd.teachers.backbone_exchange",
    Comparison::AtLeast,
    0.20,
    "backbone_exchange_min",
    (BALANCE, "第六条 政府保障程度（骨干教师不低于交流轮岗教师总数的20%；地方实施口径，国家文本表述未核实）"),
);

// 均衡发展.

/// 城区和镇区公办小学就近划片入学比例.
pub const NEARBY_PRIMARY: Rule = local_rule(
    "gd.balance.nearby_enrollment_primary",
    Comparison::AtLeast,
    1.0,
    "nearby_enrollment_primary_min",
    (BALANCE, "第六条 政府保障程度（城区和镇区公办小学就近划片入学比例达到100%；地方实施口径，国家文本表述未核实）"),
);
/// 城区和镇区公办初中就近划片入学比例.
pub const NEARBY_JUNIOR: Rule = local_rule(
    "gd.balance.nearby_enrollment_junior",
    Comparison::AtLeast,
    0.95,
    "nearby_enrollment_junior_min",
    (BALANCE, "第六条 政府保障程度（城区和镇区公办初中就近划片入学比例达到95%；地方实施口径，国家文本表述未核实）"),
);
/// 优质高中招生名额分配比例.
pub const QUOTA_ALLOCATION: Rule = local_rule(
    "gd.balance.quota_allocation",
    Comparison::AtLeast,
    0.50,
    "quota_allocation_min",
    (BALANCE, "第六条 政府保障程度（优质高中招生名额分配比例不低于50%；地方实施口径，国家文本表述未核实）"),
);
/// 随迁子女在公办学校和政府购买服务的民办学校就读比例.
pub const MIGRANT_CHILDREN: Rule = local_rule(
    "gd.balance.migrant_children",
    Comparison::AtLeast,
    0.85,
    "migrant_children_public_min",
    (
        BALANCE,
        "第六条 政府保障程度（符合条件的随迁子女在公办学校和政府购买服务的民办学校就读比例不低于85%；地方实施口径，国家文本表述未核实）",
    ),
);
/// 社会认可度 (veto below 85%).
pub const SOCIAL_RECOGNITION: Rule = rule(
    "gd.balance.social_recognition",
    Comparison::AtLeast,
    0.85,
    (BALANCE, "第八条 社会认可度（社会认可度达到85%以上；低于85%一票否决）"),
);

/// Every rule, in manifest and result order.
pub const RULES: [Rule; 24] = [
    NO_EXAM_ADMISSION,
    NO_ILLEGAL_SCHOOL_CHOICE,
    NO_KEY_SCHOOLS,
    INSPECTION_COMMITTEE,
    COMPREHENSIVE_INSPECTION,
    INSPECTOR_STAFFING,
    INSPECTOR_TRAINING,
    INSPECTION_FUNDING,
    PRINCIPAL_TERM_INSPECTION,
    RECTIFICATION,
    SCHOOL_SIZE,
    CLASS_SIZE,
    SMALL_SCHOOL_FUNDING,
    MUSIC_ART_ROOMS,
    SALARY_PARITY,
    TRAINING_360,
    CERTIFIED,
    EXCHANGE,
    BACKBONE_EXCHANGE,
    NEARBY_PRIMARY,
    NEARBY_JUNIOR,
    QUOTA_ALLOCATION,
    MIGRANT_CHILDREN,
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
/// Schools per inspector (1∶5).
pub const SCHOOLS_PER_INSPECTOR: f64 = 5.0;

/// A parameter an evaluation plan may set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameter {
    /// Name, as the plan and `Unit.params` spell it.
    pub name: &'static str,
    /// Whether the value is a whole number.
    pub integer: bool,
    /// The default.
    pub default: f64,
    /// Chinese description.
    pub description: &'static str,
    /// Where the default comes from.
    pub source: (&'static str, &'static str),
}

/// Students above which a school needs its own inspector (1∶1).
pub const LARGE_SCHOOL_STUDENTS: Parameter = Parameter {
    name: "large_school_students",
    integer: true,
    default: 2000.0,
    description: "“学生数较多的学校”的人数界限：在校生超过该人数的学校按1∶1配备督学",
    source: (
        FOUNDING,
        "第12条（文件未规定“学生数较多”的人数界限；默认2000人为地方实施口径，取自教督〔2017〕6号学校规模上限）",
    ),
};

/// Classes per music room and per art room.
pub const CLASSES_PER_ROOM: Parameter = Parameter {
    name: "classes_per_music_art_room",
    integer: true,
    default: 12.0,
    description: "每多少个班级配备音乐、美术专用教室各1间",
    source: MUSIC_ART_ROOMS.source,
};

/// Every parameter: the two above and one per rule with a parameter.
pub fn parameters() -> Vec<Parameter> {
    let mut list = vec![LARGE_SCHOOL_STUDENTS, CLASSES_PER_ROOM];
    for rule in RULES {
        if let Some(name) = rule.param {
            list.push(Parameter {
                name,
                integer: false,
                default: rule.bound,
                description: "该指标的达标界限（比例，0–1），默认值为地方实施口径",
                source: rule.source,
            });
        }
    }
    list
}

/// The parameter values of a unit (the plan's, or the manifest's defaults).
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Record,
}

impl Params {
    /// The values a unit received.
    pub fn new(values: &Record) -> Params {
        Params { values: values.clone() }
    }

    /// The value of a parameter, or `default` when the unit has none.
    ///
    /// # Errors
    ///
    /// When the plan set the parameter to something that is not a finite number.
    pub fn number(&self, name: &str, default: f64) -> Result<f64, PackError> {
        match self.values.get(name) {
            None | Some(serde_json::Value::Null) => Ok(default),
            Some(value) => value
                .as_f64()
                .filter(|number| number.is_finite())
                .ok_or_else(|| PackError::new(format!("parameter `{name}` is `{value}`, not a number"))),
        }
    }

    /// The bound of a rule: its parameter's value when it has one, else its default.
    ///
    /// # Errors
    ///
    /// As [`Params::number`].
    pub fn bound(&self, rule: &Rule) -> Result<f64, PackError> {
        match rule.param {
            Some(name) => self.number(name, rule.bound),
            None => Ok(rule.bound),
        }
    }

    /// The value of a declared parameter.
    ///
    /// # Errors
    ///
    /// As [`Params::number`].
    pub fn parameter(&self, parameter: &Parameter) -> Result<f64, PackError> {
        self.number(parameter.name, parameter.default)
    }
}

/// A county record as the pack reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct County {
    pub id: String,
    pub exam_admission: bool,
    pub illegal_school_choice: bool,
    pub key_schools_or_classes: bool,
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
    pub public_funds_yuan: f64,
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

/// The public funds a small village school or teaching point must be granted: its per-student
/// rate (student-weighted between 小学 and 初中) times 100. `None` for schools the rule does
/// not cover (private, not rural, or 100 students or more).
pub fn small_school_required_funds(school: &School, county: &County) -> Option<f64> {
    let students = school.students();
    if school.ownership != "public" || school.location != "rural" || students >= SMALL_SCHOOL_FUNDED_AS {
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

/// A yes/no practice that must not exist (vetoes): value 1 when it exists.
pub fn absent(exists: bool, rule: &Rule, what: &str) -> Finding {
    let finding = Finding::judged(if exists { 1.0 } else { 0.0 }, rule.op, rule.bound);
    if exists { finding.noted(format!("存在{what}，一票否决")) } else { finding }
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

    out.push((NO_EXAM_ADMISSION, absent(county.exam_admission, &NO_EXAM_ADMISSION, "以考试方式招生")));
    out.push((
        NO_ILLEGAL_SCHOOL_CHOICE,
        absent(county.illegal_school_choice, &NO_ILLEGAL_SCHOOL_CHOICE, "违规择校行为"),
    ));
    out.push((NO_KEY_SCHOOLS, absent(county.key_schools_or_classes, &NO_KEY_SCHOOLS, "重点学校或重点班")));

    out.push((INSPECTION_COMMITTEE, checklist(&COMMITTEE_ITEMS, &committee_items(county), &INSPECTION_COMMITTEE)));
    let inspections = county.comprehensive_inspections;
    out.push((
        COMPREHENSIVE_INSPECTION,
        Finding::judged(inspections, COMPREHENSIVE_INSPECTION.op, COMPREHENSIVE_INSPECTION.bound)
            .noted(format!("本年度组织综合督导{inspections}次")),
    ));

    let large = params.parameter(&LARGE_SCHOOL_STUDENTS)?;
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
    let per_room = params.parameter(&CLASSES_PER_ROOM)?;
    if per_room <= 0.0 {
        return Err(PackError::new(format!("parameter `{}` must be above 0, not {per_room}", CLASSES_PER_ROOM.name)));
    }
    let regular: Vec<&School> = schools.iter().filter(|school| school.kind != "teaching_point").collect();
    out.push((
        MUSIC_ART_ROOMS,
        school_share(
            &regular,
            &MUSIC_ART_ROOMS,
            MUSIC_ART_ROOMS.bound,
            |school| {
                let needed = rooms_needed(school.primary_classes + school.junior_classes, per_room);
                Ok((school.music_rooms < needed || school.art_rooms < needed)
                    .then(|| format!("应各配{needed}间，音乐{}间、美术{}间", school.music_rooms, school.art_rooms)))
            },
            "县域内无学校（教学点不单独计算）",
        )?,
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
    let teachers = (county.full_time_teachers, "full_time_teachers");
    let county_shares = [
        (TRAINING_360, (county.teachers_completed_360h, "teachers_completed_360h"), teachers, "无专任教师"),
        (CERTIFIED, (county.certified_teachers, "certified_teachers"), teachers, "无专任教师"),
        (
            EXCHANGE,
            (county.teachers_exchanged, "teachers_exchanged"),
            (county.teachers_eligible_exchange, "teachers_eligible_exchange"),
            "无符合交流条件的教师",
        ),
        (
            BACKBONE_EXCHANGE,
            (county.backbone_teachers_exchanged, "backbone_teachers_exchanged"),
            (county.teachers_exchanged, "teachers_exchanged"),
            "本年度无交流轮岗教师",
        ),
        (
            NEARBY_PRIMARY,
            (county.urban_primary_entrants_nearby, "urban_primary_entrants_nearby"),
            (county.urban_primary_entrants, "urban_primary_entrants"),
            "城区和镇区公办小学无新生",
        ),
        (
            NEARBY_JUNIOR,
            (county.urban_junior_entrants_nearby, "urban_junior_entrants_nearby"),
            (county.urban_junior_entrants, "urban_junior_entrants"),
            "城区和镇区公办初中无新生",
        ),
        (
            QUOTA_ALLOCATION,
            (county.quality_high_school_places_allocated, "quality_high_school_places_allocated"),
            (county.quality_high_school_places, "quality_high_school_places"),
            "无优质高中招生计划",
        ),
        (
            MIGRANT_CHILDREN,
            (county.migrant_children_public, "migrant_children_public"),
            (county.migrant_children, "migrant_children"),
            "无符合条件的随迁子女",
        ),
    ];
    for (rule, part, whole, empty) in county_shares {
        let bound = params.bound(&rule)?;
        out.push((rule, share_finding(&rule, bound, id, part, whole, empty)?));
    }
    let recognition = county.social_recognition_rate;
    if !(0.0..=1.0).contains(&recognition) {
        return Err(PackError::new(format!("`{id}`: social_recognition_rate {recognition} is not between 0 and 1")));
    }
    let mut finding = Finding::judged(recognition, SOCIAL_RECOGNITION.op, SOCIAL_RECOGNITION.bound);
    if finding.status == Status::NotMet {
        finding = finding.noted("社会认可度低于85%，一票否决");
    }
    out.push((SOCIAL_RECOGNITION, finding));
    Ok(out)
}
