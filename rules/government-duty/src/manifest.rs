//! The pack's manifest, built from the rules the formulas apply (`measure.rs`), so the
//! thresholds, parameters and sources a user reads are the ones the pack uses.

use rules_sdk::FieldBuilder;
use rules_sdk::prelude::*;

use crate::measure::{
    BACKBONE_EXCHANGE, CERTIFIED, CLASS_SIZE, COMMITTEE_ITEMS, COMPREHENSIVE_INSPECTION, DISABLED_ENROLLMENT, EXCHANGE,
    FOUR_UNIFIED, FUNDING_ITEMS, INSPECTION_COMMITTEE, INSPECTION_FUNDING, INSPECTOR_STAFFING, INSPECTOR_TRAINING,
    JUNIOR_RETENTION, LAYOUT_PLAN, LEFT_BEHIND_CARE, MIGRANT_CHILDREN, MUSIC_ART_ROOMS, NEARBY_JUNIOR, NEARBY_PRIMARY,
    NO_EXAM_ADMISSION, NO_FALSIFICATION, NO_ILLEGAL_SCHOOL_CHOICE, NO_KEY_SCHOOLS, NO_MAJOR_INCIDENT,
    NO_UNFILLED_POSTS, PERFORMANCE_PAY, PRINCIPAL_TERM_INSPECTION, QUOTA_ALLOCATION, QUOTA_RURAL_PRIORITY,
    RECTIFICATION, Rule, SALARY_PARITY, SCHOOL_SIZE, SMALL_SCHOOL_FUNDING, SOCIAL_RECOGNITION, SPECIAL_SCHOOL_FUNDING,
    STAFFING_POOLED, TRAINING_360, TRAINING_FUNDS, parameters,
};

/// Grade bands of the pack's total, highest first. Set locally (no national bands exist); an
/// evaluation plan may replace them.
pub const GRADES: [(&str, f64); 4] = [("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)];

/// The grade a one-vote veto caps a county at.
pub const VETO_CAP: &str = "不合格";

/// The pack's manifest.
pub fn manifest() -> Manifest {
    let mut builder = ManifestBuilder::new(
        "government-duty",
        env!("CARGO_PKG_VERSION"),
        "县级人民政府履行教育职责评价",
    )
    .description(
        "按焦办文〔2021〕23号和教督〔2017〕6号评价县级人民政府履行教育职责：价值导向（优质均衡六项不予认定情形）、\
             组织领导（含教育督导体制机制）、教学条件、教师队伍、均衡发展（含社会认可度）。教督〔2017〕6号条款：第七条政府保障程度\
             （十五项）、第八条教育质量（本包含第（一）（二）（四）项）、第九条社会认可度；第七条、第九条的条号据条文顺序推定。\
             不予认定情形和社会认可度未达85%在本包中封顶为“不合格”，为焦作市的地方规则。等级（优秀≥90、良好≥80、合格≥60、\
             不合格）为焦作市本地设定，评估方案可调整；计分规则与权重为本包设定。",
    )
    .unit(Level::County, &[Level::Zone, Level::School])
    .grades(&GRADES);
    for field in county_fields() {
        builder = builder.field(Level::County, field);
    }
    builder = builder
        .field(Level::Zone, FieldBuilder::count("inspectors", "本责任区聘任的责任督学人数（专职、兼职合计）"))
        .field(Level::Zone, FieldBuilder::count("inspectors_trained_40h", "本年度参加培训达到40学时的责任督学人数"));
    for field in school_fields() {
        builder = builder.field(Level::School, field);
    }
    for parameter in parameters() {
        builder = builder.declare(&parameter);
    }
    builder
        .indicator(value_orientation().weight(15.0))
        .indicator(leadership().weight(30.0))
        .indicator(conditions().weight(20.0))
        .indicator(teachers().weight(20.0))
        .indicator(balance().weight(15.0))
        .build()
}

fn county_fields() -> Vec<FieldBuilder> {
    let flag = FieldBuilder::boolean;
    let count = FieldBuilder::count;
    let amount = FieldBuilder::amount;
    vec![
        flag("exam_admission", "义务教育学校存在以考试方式招生（是/否）"),
        flag("illegal_school_choice", "存在违规择校行为（是/否）"),
        flag("key_schools_or_classes", "设置重点学校或重点班（是/否）"),
        flag("unfilled_posts_or_contract_teachers", "存在“有编不补”或长期聘用编外教师的情况（是/否）"),
        flag("major_incident", "教育系统存在重大安全责任事故或严重违纪违规事件（是/否）"),
        flag("falsification", "评估中发现弄虚作假行为（是/否）"),
        amount("social_recognition_rate", "社会认可度（满意度调查认可比例，0–1）"),
        flag("inspection_committee", "县级政府已设立教育督导委员会"),
        flag("committee_chair_leader", "委员会主任由分管教育工作的政府领导同志担任"),
        flag("committee_fulltime_vice_chair", "设一名专职副主任（教育部门分管督导工作的负责同志）"),
        flag("committee_member_discipline", "纪检监察部门为委员会成员单位"),
        flag("committee_member_staffing", "机构编制部门为委员会成员单位"),
        flag("committee_member_inspection", "巡察部门为委员会成员单位"),
        flag("committee_member_audit", "审计部门为委员会成员单位"),
        flag("committee_office_in_bureau", "委员会办公室设在教育部门"),
        flag("chief_inspector", "教育部门设立总督学"),
        flag("deputy_chief_inspector", "教育部门设立副总督学"),
        count("comprehensive_inspections", "本年度组织综合督导次数"),
        flag("inspection_budget_included", "教育督导工作经费纳入本级财政预算"),
        amount("inspection_funding_yuan", "本年度教育督导专项经费（元）"),
        flag("inspection_office_equipped", "为教育督导机构提供办公用房和办公设备"),
        count("rectification_issues", "上一轮督导反馈需整改的问题数"),
        count("rectification_completed", "已按期整改到位的问题数"),
        amount("funding_per_primary_student_yuan", "小学生均公用经费基准定额（元）"),
        amount("funding_per_junior_student_yuan", "初中生均公用经费基准定额（元）"),
        amount("teacher_avg_salary_yuan", "义务教育学校教师年平均工资收入（元）"),
        amount("civil_servant_avg_salary_yuan", "当地公务员年平均工资收入（元）"),
        count("full_time_teachers", "义务教育专任教师总数"),
        count("teachers_completed_360h", "完成5年360学时培训的专任教师数"),
        count("certified_teachers", "持有教师资格证的专任教师数"),
        count("teachers_eligible_exchange", "符合交流轮岗条件的教师数"),
        count("teachers_exchanged", "本年度交流轮岗教师数"),
        count("backbone_teachers_exchanged", "本年度交流轮岗教师中的骨干教师数"),
        count("urban_primary_entrants", "城区和镇区公办小学（不含寄宿制）一年级新生数"),
        count("urban_primary_entrants_nearby", "其中就近划片入学人数"),
        count("urban_junior_entrants", "城区和镇区公办初中（不含寄宿制）七年级新生数"),
        count("urban_junior_entrants_nearby", "其中就近划片入学人数"),
        count("quality_high_school_places", "优质高中招生计划数"),
        count("quality_high_school_places_allocated", "分配到初中学校的招生名额数"),
        count("migrant_children", "符合条件的随迁子女数"),
        count("migrant_children_public", "在公办学校和政府购买服务的民办学校就读的随迁子女数"),
        flag("layout_plan_implemented", "已制定并实施义务教育学校布局规划"),
        flag(
            "four_unified_standards",
            "县域内学校建设标准、教师编制标准、生均公用经费基准定额、基本装备配置标准统一（四统一）",
        ),
        count("special_schools", "县域内特殊教育学校数"),
        amount("funding_per_special_student_yuan", "特殊教育学校生均公用经费（元；无特殊教育学校填0）"),
        flag("performance_pay_fully_set", "已按规定足额核定教师绩效工资总量"),
        flag("staffing_pooled", "县级教育行政部门统筹分配各校教职工编制和岗位数量"),
        flag("quota_rural_priority", "优质高中招生名额分配向农村初中倾斜"),
        flag("left_behind_care_system", "县域内留守儿童关爱体系健全"),
        count("junior_cohort_entrants", "本届初三学生三年前的初一入学人数（初中三年巩固率的分母）"),
        count("junior_cohort_retained", "其中本届仍在校的初三学生数（初中三年巩固率的分子）"),
        count("disabled_children", "县域内适龄残疾儿童少年数"),
        count("disabled_children_enrolled", "其中入学（含特殊教育学校、随班就读、送教上门）人数"),
    ]
}

fn school_fields() -> Vec<FieldBuilder> {
    vec![
        FieldBuilder::one_of("stage", &["primary", "junior", "nine_year"], "学段：小学/初中/九年一贯制"),
        FieldBuilder::one_of("kind", &["regular", "teaching_point"], "学校类别：常规学校/教学点"),
        FieldBuilder::one_of("location", &["urban", "town", "rural"], "城乡分类：城区/镇区/乡村"),
        FieldBuilder::one_of("ownership", &["public", "private"], "办学性质：公办/民办"),
        FieldBuilder::count("primary_students", "小学段在校生数"),
        FieldBuilder::count("junior_students", "初中段在校生数"),
        FieldBuilder::count("primary_classes", "小学段班级数"),
        FieldBuilder::count("junior_classes", "初中段班级数"),
        FieldBuilder::count("primary_max_class_size", "小学段最大班额（人；无小学段填0）"),
        FieldBuilder::count("junior_max_class_size", "初中段最大班额（人；无初中段填0）"),
        FieldBuilder::count("music_rooms", "音乐专用教室数"),
        FieldBuilder::count("art_rooms", "美术专用教室数"),
        FieldBuilder::amount("music_room_min_area_m2", "面积最小的一间音乐专用教室的面积（m²；无音乐专用教室填0）"),
        FieldBuilder::amount("art_room_min_area_m2", "面积最小的一间美术专用教室的面积（m²；无美术专用教室填0）"),
        FieldBuilder::amount("public_funds_yuan", "本年度核定公用经费（元；作为学校年度公用经费预算总额）"),
        FieldBuilder::amount("teacher_training_funds_yuan", "本年度安排的教师培训经费（元）"),
        FieldBuilder::boolean("principal_term_ended", "校长任期在本评估期内届满"),
        FieldBuilder::boolean("principal_term_inspected", "任期届满的校长已接受任期结束综合督导"),
    ]
}

/// A county indicator with its rule's threshold and source.
fn indicator(rule: &Rule, name: &str, unit: &str, formula: &str) -> NodeBuilder {
    let mut formula = formula.to_owned();
    if let Some(param) = rule.param {
        formula.push_str(&format!("；达标界限可由评估方案参数 `{param}` 调整"));
    }
    NodeBuilder::indicator(rule.id, name, Level::County).unit(unit).formula(&formula).threshold(
        rule.op,
        rule.bound,
        None,
        rule.source,
    )
}

fn checklist(items: &[&str]) -> Scoring {
    Scoring::Checklist { items: items.iter().map(|item| (*item).to_owned()).collect() }
}

fn linear(zero: f64, full: f64) -> Scoring {
    Scoring::Linear { zero, full }
}

/// A 不予认定 condition (存在即不予认定): pass/fail, capped at 不合格, share of counties without
/// it at city level.
fn veto(rule: &Rule, name: &str, reason: &str) -> NodeBuilder {
    indicator(rule, name, "是/否", "存在该情形为1，否则为0")
        .weight(1.0)
        .pass_fail()
        .veto(VETO_CAP, reason, rule.source)
        .rollup(Level::City, Aggregation::ShareMet)
}

fn value_orientation() -> NodeBuilder {
    NodeBuilder::dimension("gd.value", "价值导向")
        .child(veto(&NO_EXAM_ADMISSION, "义务教育学校不以考试方式招生", "存在以考试方式招生"))
        .child(veto(&NO_ILLEGAL_SCHOOL_CHOICE, "无违规择校行为", "存在违规择校行为"))
        .child(veto(&NO_KEY_SCHOOLS, "不设重点学校、重点班", "存在重点学校或重点班"))
        .child(veto(&NO_UNFILLED_POSTS, "无“有编不补”或长期聘用编外教师", "存在“有编不补”或长期聘用编外教师的情况"))
        .child(veto(
            &NO_MAJOR_INCIDENT,
            "教育系统无重大安全责任事故和严重违纪违规事件",
            "教育系统存在重大安全责任事故或严重违纪违规事件",
        ))
        .child(veto(&NO_FALSIFICATION, "无弄虚作假行为", "有弄虚作假行为"))
}

fn leadership() -> NodeBuilder {
    NodeBuilder::dimension("gd.leadership", "组织领导（教育督导体制机制）")
        .child(
            indicator(
                &INSPECTION_COMMITTEE,
                "县级政府教育督导委员会设置",
                "项",
                "清单10项中落实的项数（委员会未设立时，依附于委员会的8项均不计）",
            )
            .weight(2.0)
            .scoring(checklist(&COMMITTEE_ITEMS))
            .rollup_judged(Level::City, Aggregation::ShareMet, Comparison::AtLeast, 1.0, INSPECTION_COMMITTEE.source),
        )
        .child(
            indicator(&COMPREHENSIVE_INSPECTION, "年度综合督导", "次", "comprehensive_inspections")
                .weight(1.0)
                .pass_fail()
                .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &INSPECTOR_STAFFING,
                "督学配备",
                "比例",
                "各责任区督学人数之和 / 应配督学数；应配督学数 = L + ⌈(N − L) / 5⌉，N 为县域学校数（含教学点、民办学校），\
                 L 为在校生超过参数 `large_school_students`（默认2000）人的学校数",
            )
            .weight(1.5)
            .scoring(linear(0.5, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &INSPECTOR_TRAINING,
                "督学培训达标率",
                "比例",
                "各责任区本年度培训达到40学时的督学人数之和 / 督学人数之和",
            )
            .weight(1.0)
            .scoring(linear(0.5, 1.0))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(&INSPECTION_FUNDING, "督导经费与办公条件保障", "项", "清单3项中落实的项数")
                .weight(1.0)
                .scoring(checklist(&FUNDING_ITEMS))
                .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &PRINCIPAL_TERM_INSPECTION,
                "校长任期结束综合督导比例",
                "比例",
                "任期届满且已接受综合督导的校长数 / 本期任期届满的校长数；无任期届满校长时不适用",
            )
            .weight(1.0)
            .scoring(linear(0.5, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(&RECTIFICATION, "督导问题整改完成率", "比例", "rectification_completed / rectification_issues")
                .weight(1.5)
                .scoring(linear(0.6, 1.0))
                .rollup(Level::City, Aggregation::Mean),
        )
}

/// A yes/no requirement: 1 when in place, pass/fail, share of counties with it at city level.
fn requirement(rule: &Rule, name: &str, field: &str) -> NodeBuilder {
    indicator(rule, name, "是/否", &format!("{field} 为是记1，否则记0"))
        .weight(1.0)
        .pass_fail()
        .rollup(Level::City, Aggregation::ShareMet)
}

fn conditions() -> NodeBuilder {
    NodeBuilder::dimension("gd.conditions", "教学条件")
        .child(requirement(&LAYOUT_PLAN, "义务教育学校布局规划制定并实施", "layout_plan_implemented"))
        .child(requirement(&FOUR_UNIFIED, "县域内学校建设和配置标准“四统一”", "four_unified_standards"))
        .child(
            indicator(
                &MUSIC_ART_ROOMS,
                "音乐、美术专用教室配备达标学校比例",
                "比例",
                "音乐、美术专用教室各不少于 ⌈班级数 / 12⌉ 间，且最小音乐教室不小于96m²、最小美术教室不小于90m²的学校数 / 学校数（教学点不计）",
            )
            .weight(1.0)
            .scoring(linear(0.8, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &SCHOOL_SIZE,
                "学校规模达标学校比例",
                "比例",
                "在校生（小学段 + 初中段）不超过2000人（九年一贯制不超过2500人）的学校数 / 学校数",
            )
            .weight(1.0)
            .scoring(linear(0.8, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &CLASS_SIZE,
                "班额达标学校比例",
                "比例",
                "小学段最大班额不超过45人且初中段最大班额不超过50人的学校数 / 学校数",
            )
            .weight(1.0)
            .scoring(linear(0.8, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &SMALL_SCHOOL_FUNDING,
                "小规模学校公用经费按100人核定比例",
                "比例",
                "在校生不足100人的公办村小学（乡村常规小学）和公办教学点中，public_funds_yuan ≥ 100 × 生均公用经费基准定额\
                 （按学段人数加权）的学校比例；无此类学校时不适用",
            )
            .weight(1.0)
            .scoring(linear(0.5, 1.0))
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &SPECIAL_SCHOOL_FUNDING,
                "特殊教育学校生均公用经费",
                "元",
                "funding_per_special_student_yuan；县域内无特殊教育学校（special_schools 为0）时不适用",
            )
            .weight(1.0)
            .pass_fail()
            .rollup(Level::City, Aggregation::ShareMet),
        )
}

fn teachers() -> NodeBuilder {
    NodeBuilder::dimension("gd.teachers", "教师队伍")
        .child(
            indicator(
                &SALARY_PARITY,
                "教师平均工资收入与当地公务员之比",
                "比值",
                "teacher_avg_salary_yuan / civil_servant_avg_salary_yuan",
            )
            .weight(2.0)
            .scoring(linear(0.9, 1.0))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(requirement(&PERFORMANCE_PAY, "足额核定教师绩效工资总量", "performance_pay_fully_set"))
        .child(
            indicator(
                &TRAINING_360,
                "教师5年360学时培训完成率",
                "比例",
                "teachers_completed_360h / full_time_teachers",
            )
            .weight(1.0)
            .scoring(linear(0.8, 1.0))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(requirement(&STAFFING_POOLED, "县域内教职工编制和岗位统筹分配", "staffing_pooled"))
        .child(
            indicator(&EXCHANGE, "教师交流轮岗比例", "比例", "teachers_exchanged / teachers_eligible_exchange")
                .weight(1.0)
                .scoring(linear(0.05, 0.10))
                .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &BACKBONE_EXCHANGE,
                "骨干教师占交流轮岗教师比例",
                "比例",
                "backbone_teachers_exchanged / teachers_exchanged",
            )
            .weight(1.0)
            .scoring(linear(0.10, 0.20))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(&CERTIFIED, "专任教师持证上岗率", "比例", "certified_teachers / full_time_teachers")
                .weight(1.0)
                .scoring(linear(0.9, 1.0))
                .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &TRAINING_FUNDS,
                "教师培训经费占学校公用经费比例（最低校）",
                "比例",
                "核定公用经费大于0的公办学校中 teacher_training_funds_yuan / public_funds_yuan 的最小值（每校均须不低于5%）",
            )
            .weight(1.0)
            .scoring(linear(0.03, 0.05))
            .rollup(Level::City, Aggregation::ShareMet),
        )
}

fn balance() -> NodeBuilder {
    NodeBuilder::dimension("gd.balance", "均衡发展")
        .child(
            indicator(
                &NEARBY_PRIMARY,
                "城区和镇区公办小学就近划片入学比例",
                "比例",
                "urban_primary_entrants_nearby / urban_primary_entrants",
            )
            .weight(1.0)
            .scoring(linear(0.9, 1.0))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &NEARBY_JUNIOR,
                "城区和镇区公办初中就近划片入学比例",
                "比例",
                "urban_junior_entrants_nearby / urban_junior_entrants",
            )
            .weight(1.0)
            .scoring(linear(0.85, 0.95))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &QUOTA_ALLOCATION,
                "优质高中招生名额分配比例",
                "比例",
                "quality_high_school_places_allocated / quality_high_school_places",
            )
            .weight(1.0)
            .scoring(linear(0.3, 0.5))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(requirement(&QUOTA_RURAL_PRIORITY, "优质高中招生名额分配向农村初中倾斜", "quota_rural_priority"))
        .child(
            indicator(
                &MIGRANT_CHILDREN,
                "随迁子女在公办学校和政府购买服务的民办学校就读比例",
                "比例",
                "migrant_children_public / migrant_children",
            )
            .weight(1.0)
            .scoring(linear(0.7, 0.85))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(requirement(&LEFT_BEHIND_CARE, "留守儿童关爱体系健全", "left_behind_care_system"))
        .child(
            indicator(&JUNIOR_RETENTION, "初中三年巩固率", "比例", "junior_cohort_retained / junior_cohort_entrants")
                .weight(1.0)
                .scoring(linear(0.9, 0.95))
                .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &DISABLED_ENROLLMENT,
                "残疾儿童少年入学率",
                "比例",
                "disabled_children_enrolled / disabled_children",
            )
            .weight(1.0)
            .scoring(linear(0.9, 0.95))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(&SOCIAL_RECOGNITION, "社会认可度", "比例", "social_recognition_rate（满意度调查认可比例）")
                .weight(2.0)
                .scoring(linear(0.85, 0.95))
                .veto(VETO_CAP, "社会认可度未达到85%（不予认定）", SOCIAL_RECOGNITION.source)
                .rollup(Level::City, Aggregation::Mean),
        )
}
