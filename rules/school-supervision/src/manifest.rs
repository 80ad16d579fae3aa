//! The pack's manifest, built from the rules the formulas apply (`measure.rs`).

use rules_sdk::FieldBuilder;
use rules_sdk::prelude::*;

use crate::measure::{
    DIRECTION_MATTERS, FINDING_VALUES, MANAGEMENT_MATTERS, MATTERS, MatterGroup, NO_DATA_FALSIFICATION,
    NO_MAJOR_SAFETY_INCIDENT, PRIVATE_ANNUAL_REVIEW, REGULAR_INSPECTION_COVERAGE, REVIEW_VALUES, Rule,
    SELF_ASSESSMENT_GAP, SELF_INSPECTION, SELF_INSPECTION_ITEMS, STUDENTS_MATTERS, TEACHERS_MATTERS, TEACHING_MATTERS,
};

/// Grade bands of a school's total, highest first. Set locally (no national bands exist); an
/// evaluation plan may replace them.
pub const GRADES: [(&str, f64); 4] = [("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)];

/// The grade a one-vote veto caps a school at.
pub const VETO_CAP: &str = "不合格";

/// The levels key school indicators are rolled up to: 督学责任区, 县, 市.
const UPPER_LEVELS: [Level; 3] = [Level::Zone, Level::County, Level::City];

/// The pack's manifest.
pub fn manifest() -> Manifest {
    let mut builder = ManifestBuilder::new("school-supervision", env!("CARGO_PKG_VERSION"), "学校督导与自我督导")
        .description(
            "按焦办文〔2021〕23号第6条、第15条和责任督学挂牌督导办法评价每所学校（含民办学校）：办学方向、教育教学、学校管理、\
             教师发展、学生发展；责任督学经常性督导八项事项、学校内部督导机制、自评与督评对照、一票否决事项。\
             学校总分和等级由平台汇总到督学责任区、县、市。等级（优秀≥90、良好≥80、合格≥60、不合格）为焦作市本地设定，\
             评估方案可调整；计分规则与权重为本包设定。",
        )
        .unit(Level::School, &[])
        .grades(&GRADES)
        .field(Level::School, FieldBuilder::one_of("ownership", &["public", "private"], "办学性质：公办/民办"))
        .field(
            Level::School,
            FieldBuilder::one_of(
                "private_annual_review",
                &REVIEW_VALUES,
                "民办学校年度检查结论：合格/基本合格/不合格（公办学校留空）",
            )
            .optional(),
        );
    for matter in &MATTERS {
        builder = builder.field(
            Level::School,
            FieldBuilder::one_of(
                matter.field,
                &FINDING_VALUES,
                &format!("责任督学本期经常性督导“{}”的结论：无问题/发现问题/本期未督导", matter.name),
            ),
        );
    }
    builder = builder
        .field(
            Level::School,
            FieldBuilder::boolean(
                "self_inspection_system",
                "已建立以办学方向、教育教学、学校管理、教师发展、学生发展为重点的自我督导体系",
            ),
        )
        .field(Level::School, FieldBuilder::boolean("school_supervisor", "已落实学校视导员制度"))
        .field(
            Level::School,
            FieldBuilder::amount("self_assessment_score", "学校年度自我督导评估得分（0–100；未开展自评留空）")
                .optional(),
        )
        .field(
            Level::School,
            FieldBuilder::amount("inspector_assessment_score", "责任督学按同一评估表对学校的评估得分（0–100）"),
        )
        .field(Level::School, FieldBuilder::boolean("major_safety_incident", "本评估期内发生重大安全责任事故"))
        .field(Level::School, FieldBuilder::boolean("data_falsified", "经核查，学校报送的督导数据存在造假"));
    if let Some(param) = SELF_ASSESSMENT_GAP.param {
        builder = builder.parameter(
            param,
            FieldType::Number,
            serde_json::Value::from(SELF_ASSESSMENT_GAP.bound),
            "自评得分高于督学评估得分的允许分差（分）",
            Some(SELF_ASSESSMENT_GAP.source),
        );
    }
    builder
        .indicator(direction().weight(20.0))
        .indicator(teaching().weight(20.0))
        .indicator(management().weight(25.0))
        .indicator(teachers().weight(15.0))
        .indicator(students().weight(20.0))
        .build()
}

/// A school indicator with its rule's threshold and source.
fn indicator(rule: &Rule, name: &str, unit: &str, formula: &str) -> NodeBuilder {
    let mut formula = formula.to_owned();
    if let Some(param) = rule.param {
        formula.push_str(&format!("；界限可由评估方案参数 `{param}` 调整"));
    }
    NodeBuilder::indicator(rule.id, name, Level::School).unit(unit).formula(&formula).threshold(
        rule.op,
        rule.bound,
        None,
        rule.source,
    )
}

/// Rolls an indicator up to every upper level as the share of members that met it.
fn share_met_upwards(mut node: NodeBuilder) -> NodeBuilder {
    for level in UPPER_LEVELS {
        node = node.rollup(level, Aggregation::ShareMet);
    }
    node
}

/// The checklist of a dimension's regular-inspection matters.
fn matters(group: &MatterGroup, name: &str) -> NodeBuilder {
    let items: Vec<String> = group.matters.iter().map(|&index| MATTERS[index].name.to_owned()).collect();
    let fields: Vec<&str> = group.matters.iter().map(|&index| MATTERS[index].field).collect();
    let node = indicator(
        &group.rule,
        name,
        "项",
        &format!("督导无问题（ok）的事项数，事项：{}；任一事项本期未督导（unchecked）时不适用", fields.join("、")),
    )
    .scoring(Scoring::Checklist { items });
    share_met_upwards(node)
}

/// A veto indicator (发生即否决).
fn veto(rule: &Rule, name: &str, field: &str, reason: &str) -> NodeBuilder {
    share_met_upwards(
        indicator(rule, name, "是/否", &format!("{field} 为是记1，否则记0")).weight(1.0).pass_fail().veto(
            VETO_CAP,
            reason,
            rule.source,
        ),
    )
}

fn direction() -> NodeBuilder {
    NodeBuilder::dimension("ss.direction", "办学方向")
        .child(matters(&DIRECTION_MATTERS, "经常性督导：招生、收费、择校；校风、教风、学风").weight(3.0))
        .child(
            indicator(
                &PRIVATE_ANNUAL_REVIEW,
                "民办学校年度检查合格",
                "是/否",
                "民办学校 private_annual_review 为合格（pass）记1，否则记0（未填报记0）；公办学校不适用",
            )
            .weight(1.0)
            .pass_fail()
            .rollup(Level::County, Aggregation::ShareMet)
            .rollup(Level::City, Aggregation::ShareMet),
        )
}

fn teaching() -> NodeBuilder {
    NodeBuilder::dimension("ss.teaching", "教育教学")
        .child(matters(&TEACHING_MATTERS, "经常性督导：课程开设和课堂教学").weight(1.0))
}

fn management() -> NodeBuilder {
    let items: Vec<String> = SELF_INSPECTION_ITEMS.iter().map(|item| (*item).to_owned()).collect();
    NodeBuilder::dimension("ss.management", "学校管理")
        .child(
            matters(&MANAGEMENT_MATTERS, "经常性督导：校务管理和制度执行；校园及周边安全；食堂、食品、饮水、宿舍卫生")
                .weight(3.0),
        )
        .child(
            indicator(
                &SELF_INSPECTION,
                "学校内部督导机制",
                "项",
                "清单3项中落实的项数：self_inspection_system、school_supervisor、有 self_assessment_score",
            )
            .weight(2.0)
            .scoring(Scoring::Checklist { items })
            .rollup(Level::County, Aggregation::ShareMet)
            .rollup(Level::City, Aggregation::ShareMet),
        )
        .child(
            indicator(
                &SELF_ASSESSMENT_GAP,
                "自评与督学评估分差",
                "分",
                "self_assessment_score − inspector_assessment_score（正数表示自评高于督评）；无自评得分时不适用",
            )
            .weight(1.0)
            .scoring(Scoring::Linear { zero: 25.0, full: SELF_ASSESSMENT_GAP.bound })
            .rollup(Level::Zone, Aggregation::Mean)
            .rollup(Level::County, Aggregation::Mean),
        )
        .child(veto(
            &NO_MAJOR_SAFETY_INCIDENT,
            "未发生重大安全责任事故",
            "major_safety_incident",
            "发生重大安全责任事故",
        ))
        .child(veto(&NO_DATA_FALSIFICATION, "督导数据真实，无造假", "data_falsified", "数据造假"))
        .child(
            indicator(
                &REGULAR_INSPECTION_COVERAGE,
                "经常性督导事项覆盖（责任督学工作情况，不计分）",
                "项",
                "八项事项中本期已督导（ok 或 issue）的项数",
            )
            .rollup(Level::Zone, Aggregation::Mean)
            .rollup(Level::County, Aggregation::Mean),
        )
}

fn teachers() -> NodeBuilder {
    NodeBuilder::dimension("ss.teachers", "教师发展")
        .child(matters(&TEACHERS_MATTERS, "经常性督导：教师师德和专业发展").weight(1.0))
}

fn students() -> NodeBuilder {
    NodeBuilder::dimension("ss.students", "学生发展")
        .child(matters(&STUDENTS_MATTERS, "经常性督导：学生学习、体育锻炼和课业负担").weight(1.0))
}
