//! The pack's manifest, built from the rules the formulas apply (`measure.rs`).

use rules_sdk::FieldBuilder;
use rules_sdk::prelude::*;

use crate::measure::{
    COUNTY_BETWEEN, COUNTY_BETWEEN_CHANGE, COUNTY_HOMEWORK, COUNTY_LEVEL3, COUNTY_LEVEL3_CHANGE, COUNTY_MYOPIA,
    COUNTY_MYOPIA_CHANGE, COUNTY_PE, COUNTY_PE_CHANGE, HOMEWORK_JUNIOR, HOMEWORK_PRIMARY, MYOPIA_MAX_JUNIOR,
    MYOPIA_MAX_PRIMARY, Rule, SCHOOL_LEVEL3, SCHOOL_LEVEL3_CHANGE, SCHOOL_MYOPIA, SCHOOL_MYOPIA_CHANGE, SCHOOL_PE,
    SCHOOL_PE_CHANGE, level, parameters,
};

/// Grade bands of the pack's total, highest first. Set locally (no national bands exist); an
/// evaluation plan may replace them.
pub const GRADES: [(&str, f64); 4] = [("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)];

/// The pack's manifest.
pub fn manifest() -> Manifest {
    let count = FieldBuilder::count;
    let mut builder = ManifestBuilder::new("quality-monitoring", env!("CARGO_PKG_VERSION"), "义务教育质量监测")
        .description(
            "按焦办文〔2021〕23号第5条、第7条和义务教育质量评价指南评价学校和县域义务教育质量：学业水平（Ⅲ级及以上比例、校际差异率）、\
             体质健康、近视、作业时间；结果评价与增值评价（与上期比较）相结合，须提供上期数据集。\
             等级（优秀≥90、良好≥80、合格≥60、不合格）为焦作市本地设定，评估方案可调整；计分规则与权重为本包设定。",
        )
        .unit_with_previous(Level::School, &[])
        .unit_with_previous(Level::County, &[Level::School])
        .grades(&GRADES)
        .field(
            Level::School,
            FieldBuilder::one_of("stage", &["primary", "junior", "nine_year"], "学段：小学/初中/九年一贯制"),
        )
        .field(Level::School, count("primary_students", "小学段在校生数"))
        .field(Level::School, count("junior_students", "初中段在校生数"))
        .field(Level::School, count("students_tested", "义务教育质量监测参测学生数"))
        .field(Level::School, count("students_level3_plus", "学业水平达到Ⅲ级及以上的参测学生数"))
        .field(Level::School, FieldBuilder::amount("academic_mean_score", "参测学生学业成绩平均分（监测量表分）"))
        .field(Level::School, FieldBuilder::amount("academic_score_sd", "参测学生学业成绩标准差（监测量表分）"))
        .field(Level::School, count("pe_tested", "国家学生体质健康标准测试学生数"))
        .field(Level::School, count("pe_passed", "体质健康测试总分60分及以上（及格及以上）学生数"))
        .field(Level::School, count("vision_screened", "视力筛查学生数"))
        .field(Level::School, count("myopic_students", "筛查为近视的学生数"))
        .field(
            Level::School,
            count("primary_homework_minutes", "小学三至六年级日均书面作业完成时间（分钟；无小学段留空）").optional(),
        )
        .field(
            Level::School,
            count("junior_homework_minutes", "初中日均书面作业完成时间（分钟；无初中段留空）").optional(),
        );
    for parameter in parameters() {
        builder = builder.declare(&parameter);
    }
    builder.indicator(results().weight(60.0)).indicator(value_added().weight(40.0)).build()
}

/// An indicator with its rule's threshold and source.
fn indicator(rule: &Rule, name: &str, unit: &str, formula: &str) -> NodeBuilder {
    let mut formula = formula.to_owned();
    if let Some(param) = rule.param {
        formula.push_str(&format!("；界限可由评估方案参数 `{param}` 调整"));
    }
    NodeBuilder::indicator(rule.id, name, level(rule)).unit(unit).formula(&formula).threshold(
        rule.op,
        rule.bound,
        None,
        rule.source,
    )
}

/// The myopia indicator: one bound per stage, blended for mixed populations.
fn myopia(rule: &Rule, name: &str, formula: &str) -> NodeBuilder {
    NodeBuilder::indicator(rule.id, name, level(rule))
        .unit("比例")
        .formula(&format!(
            "{formula}；上限按学段：小学{}、初中{}，九年一贯制学校和县域按小学段、初中段在校生数加权；\
             上限可由评估方案参数 `{}`、`{}` 调整",
            MYOPIA_MAX_PRIMARY.default, MYOPIA_MAX_JUNIOR.default, MYOPIA_MAX_PRIMARY.name, MYOPIA_MAX_JUNIOR.name
        ))
        .threshold(rule.op, MYOPIA_MAX_PRIMARY.default, Some("primary"), rule.source)
        .threshold(rule.op, MYOPIA_MAX_JUNIOR.default, Some("junior"), rule.source)
        .pass_fail()
}

fn linear(zero: f64, full: f64) -> Scoring {
    Scoring::Linear { zero, full }
}

/// Banded scoring of a change where more is better: `(at least, score)` bands.
fn gain_bands(bands: &[(f64, f64)]) -> Scoring {
    Scoring::Bands {
        bands: bands.iter().map(|(min, score)| ScoreBand { min: Some(*min), max: None, score: *score }).collect(),
        otherwise: 0.0,
    }
}

/// Banded scoring of a change where less is better: `(at most, score)` bands.
fn fall_bands(bands: &[(f64, f64)]) -> Scoring {
    Scoring::Bands {
        bands: bands.iter().map(|(max, score)| ScoreBand { min: None, max: Some(*max), score: *score }).collect(),
        otherwise: 0.0,
    }
}

fn results() -> NodeBuilder {
    let academic = NodeBuilder::dimension("qm.result.academic", "学业水平")
        .child(
            indicator(
                &SCHOOL_LEVEL3,
                "学业水平达到Ⅲ级及以上学生比例（学校）",
                "比例",
                "students_level3_plus / students_tested",
            )
            .weight(1.0)
            .scoring(linear(0.2, 0.7))
            .rollup_weighted(Level::Zone, "students_tested")
            .rollup_weighted(Level::City, "students_tested"),
        )
        .child(
            indicator(
                &COUNTY_LEVEL3,
                "学业水平达到Ⅲ级及以上学生比例（县域）",
                "比例",
                "Σ students_level3_plus / Σ students_tested（县域全部学校）",
            )
            .weight(1.0)
            .scoring(linear(0.2, 0.7))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &COUNTY_BETWEEN,
                "学业水平校际差异率",
                "比率",
                "校间方差 / (校间方差 + 校内方差)：N = Σnᵢ，M = Σnᵢmᵢ/N，校间 = Σnᵢ(mᵢ − M)²/N，校内 = Σnᵢsᵢ²/N，\
                 nᵢ 为参测学生数，mᵢ、sᵢ 为学校平均分和标准差；参测学校不足2所时不适用",
            )
            .weight(1.0)
            .scoring(linear(0.30, 0.15))
            .rollup(Level::City, Aggregation::Mean),
        );
    let health = NodeBuilder::dimension("qm.result.health", "身心健康")
        .child(
            indicator(&SCHOOL_PE, "国家学生体质健康标准及格率（学校）", "比例", "pe_passed / pe_tested")
                .weight(1.0)
                .scoring(linear(0.7, 0.95))
                .rollup_weighted(Level::Zone, "pe_tested"),
        )
        .child(
            indicator(&COUNTY_PE, "国家学生体质健康标准及格率（县域）", "比例", "Σ pe_passed / Σ pe_tested")
                .weight(1.0)
                .scoring(linear(0.7, 0.95))
                .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            myopia(&SCHOOL_MYOPIA, "近视率（学校）", "myopic_students / vision_screened")
                .weight(1.0)
                .rollup_weighted(Level::Zone, "vision_screened"),
        )
        .child(
            myopia(&COUNTY_MYOPIA, "近视率（县域）", "Σ myopic_students / Σ vision_screened")
                .weight(1.0)
                .rollup(Level::City, Aggregation::Mean),
        );
    let burden = NodeBuilder::dimension("qm.result.burden", "课业负担")
        .child(
            indicator(
                &HOMEWORK_PRIMARY,
                "小学三至六年级书面作业平均完成时间",
                "分钟",
                "primary_homework_minutes；无小学段不适用",
            )
            .weight(1.0)
            .pass_fail()
            .rollup(Level::Zone, Aggregation::ShareMet),
        )
        .child(
            indicator(&HOMEWORK_JUNIOR, "初中书面作业平均完成时间", "分钟", "junior_homework_minutes；无初中段不适用")
                .weight(1.0)
                .pass_fail()
                .rollup(Level::Zone, Aggregation::ShareMet),
        )
        .child(
            indicator(&COUNTY_HOMEWORK, "作业时间达标学校比例", "比例", "各学段作业时间均不超过上限的学校数 / 学校数")
                .weight(2.0)
                .scoring(linear(0.8, 1.0))
                .rollup(Level::City, Aggregation::Mean),
        );
    NodeBuilder::dimension("qm.result", "结果评价")
        .child(academic.weight(40.0))
        .child(health.weight(30.0))
        .child(burden.weight(30.0))
}

fn value_added() -> NodeBuilder {
    let level3_bands = [(0.03, 100.0), (0.0, 80.0), (-0.03, 50.0)];
    let pe_bands = [(0.02, 100.0), (0.0, 80.0), (-0.02, 50.0)];
    let myopia_bands = [(-0.01, 100.0), (-0.005, 80.0), (0.0, 50.0)];
    let academic = NodeBuilder::dimension("qm.value_added.academic", "学业水平增值")
        .child(
            indicator(
                &SCHOOL_LEVEL3_CHANGE,
                "Ⅲ级及以上学生比例较上期变化（学校）",
                "比例变化",
                "本期 students_level3_plus / students_tested − 上期同一比例；无上期记录时不适用",
            )
            .weight(1.0)
            .scoring(gain_bands(&level3_bands))
            .rollup(Level::Zone, Aggregation::Mean),
        )
        .child(
            indicator(
                &COUNTY_LEVEL3_CHANGE,
                "Ⅲ级及以上学生比例较上期变化（县域）",
                "比例变化",
                "两期均有记录的学校中，本期县域比例 − 上期县域比例",
            )
            .weight(1.0)
            .scoring(gain_bands(&level3_bands))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(
                &COUNTY_BETWEEN_CHANGE,
                "校际差异率较上期变化",
                "比率变化",
                "两期均有记录的学校中，本期校际差异率 − 上期校际差异率（不扩大为达标）",
            )
            .weight(1.0)
            .scoring(fall_bands(&[(-0.02, 100.0), (0.0, 80.0), (0.02, 50.0)]))
            .rollup(Level::City, Aggregation::Mean),
        );
    let health = NodeBuilder::dimension("qm.value_added.health", "身心健康增值")
        .child(
            indicator(&SCHOOL_PE_CHANGE, "体质健康及格率较上期变化（学校）", "比例变化", "本期及格率 − 上期及格率")
                .weight(1.0)
                .scoring(gain_bands(&pe_bands))
                .rollup(Level::Zone, Aggregation::Mean),
        )
        .child(
            indicator(
                &COUNTY_PE_CHANGE,
                "体质健康及格率较上期变化（县域）",
                "比例变化",
                "两期均有记录的学校中，本期县域及格率 − 上期县域及格率",
            )
            .weight(1.0)
            .scoring(gain_bands(&pe_bands))
            .rollup(Level::City, Aggregation::Mean),
        )
        .child(
            indicator(&SCHOOL_MYOPIA_CHANGE, "近视率较上期变化（学校）", "比例变化", "本期近视率 − 上期近视率")
                .weight(1.0)
                .scoring(fall_bands(&myopia_bands))
                .rollup(Level::Zone, Aggregation::Mean),
        )
        .child(
            indicator(
                &COUNTY_MYOPIA_CHANGE,
                "近视率较上期变化（县域）",
                "比例变化",
                "两期均有记录的学校中，本期县域近视率 − 上期县域近视率",
            )
            .weight(1.0)
            .scoring(fall_bands(&myopia_bands))
            .rollup(Level::City, Aggregation::Mean),
        );
    NodeBuilder::dimension("qm.value_added", "增值评价").child(academic.weight(50.0)).child(health.weight(50.0))
}
