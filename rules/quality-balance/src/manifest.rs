//! The pack's manifest, built from the same constants the formulas use, so the thresholds a
//! user reads are the thresholds the pack applies.

use rules_sdk::FieldBuilder;
use rules_sdk::prelude::*;

use crate::measure::{MIN_MET, RESOURCES, Stage};
use crate::{SCHOOL_STANDARD, county_cv_indicator, county_share_indicator, school_indicator};

/// The national document every threshold of this pack comes from.
pub const DOCUMENT: &str = "县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）";

/// The pack's manifest.
pub fn manifest() -> Manifest {
    let mut builder = ManifestBuilder::new(
        "quality-balance",
        env!("CARGO_PKG_VERSION"),
        "县域义务教育优质均衡发展·资源配置",
    )
    .description(
        "按焦作市数据字典计算学校（校部）七项资源配置指标、学校达标情况，以及县域分学段校际差异系数和达标校比例。",
    )
    .unit(Level::School, &[])
    .unit(Level::County, &[Level::School])
    .field(
        Level::School,
        FieldBuilder::one_of("stage", &["primary", "junior", "nine_year"], "学段：小学/初中/九年一贯制"),
    )
    .field(Level::School, FieldBuilder::one_of("kind", &["regular", "teaching_point"], "学校类别：常规学校/教学点"))
    .field(Level::School, FieldBuilder::count("primary_students", "小学段在校生数"))
    .field(Level::School, FieldBuilder::count("junior_students", "初中段在校生数"))
    .field(Level::School, FieldBuilder::count("qualified_teachers", "高于规定学历教师数"))
    .field(Level::School, FieldBuilder::count("backbone_teachers", "县级及以上骨干教师数"))
    .field(Level::School, FieldBuilder::count("pe_art_teachers", "体育、艺术（美术、音乐）专任教师数"))
    .field(Level::School, FieldBuilder::amount("teaching_area_m2", "教学及辅助用房面积（m²）"))
    .field(Level::School, FieldBuilder::amount("sports_area_m2", "体育运动场馆面积（m²）"))
    .field(Level::School, FieldBuilder::amount("equipment_value_yuan", "教学仪器设备值（元）"))
    .field(Level::School, FieldBuilder::count("multimedia_rooms", "网络多媒体教室数"));

    let mut school = NodeBuilder::dimension("qb.school", "学校资源配置达标");
    for resource in &RESOURCES {
        let mut node = NodeBuilder::indicator(&school_indicator(resource.key), resource.name, Level::School)
            .unit(resource.unit)
            .formula(resource.formula);
        for stage in Stage::ALL {
            node = node.threshold(
                Comparison::AtLeast,
                resource.threshold(stage),
                Some(stage.key()),
                (DOCUMENT, resource.item),
            );
        }
        school = school.child(node);
    }
    school = school.child(
        NodeBuilder::indicator(SCHOOL_STANDARD, "学校资源配置达标（至少6项达标，余项不低于85%）", Level::School)
            .unit("项")
            .formula("达标项数；至少6项达标且每一未达标项不低于本学段标准的85%为达标")
            .threshold(
                Comparison::AtLeast,
                MIN_MET as f64,
                None,
                (DOCUMENT, "第六条（“每所学校至少6项指标达到上述要求，余项不能低于要求的85%”）"),
            ),
    );

    let mut county = NodeBuilder::dimension("qb.county", "县域校际均衡");
    for stage in Stage::ALL {
        let mut group =
            NodeBuilder::dimension(&format!("qb.county.{}", stage.key()), &format!("{}校际差异系数", stage.chinese()));
        for resource in &RESOURCES {
            group = group.child(
                NodeBuilder::indicator(
                    &county_cv_indicator(resource.key, stage),
                    &format!("{}差异系数（{}）", resource.name, stage.chinese()),
                    Level::County,
                )
                .unit("差异系数")
                .formula("按在校生数加权的差异系数 CV = s / x̄，x̄ = Σnᵢxᵢ/N，s = √(Σ(nᵢ/N)(xᵢ−x̄)²)")
                .threshold(
                    Comparison::AtMost,
                    stage.cv_limit(),
                    Some(stage.key()),
                    (DOCUMENT, "第六条（“所有指标校际差异系数，小学均小于或等于0.50，初中均小于或等于0.45”）"),
                )
                .pass_fail(),
            );
        }
        group = group.child(
            NodeBuilder::indicator(
                &county_share_indicator(stage),
                &format!("{}资源配置达标学校比例", stage.chinese()),
                Level::County,
            )
            .unit("比例")
            .formula("达标校部数 / 参评校部数（不含不足50人的教学点）")
            .threshold(
                Comparison::AtLeast,
                1.0,
                Some(stage.key()),
                (
                    DOCUMENT,
                    "第六条（全部学校均须达到“每所学校至少6项指标达到上述要求，余项不能低于要求的85%”；概述，非原文）",
                ),
            )
            .pass_fail(),
        );
        county = county.child(group);
    }

    // 优质均衡 is a recognition: a county qualifies only when every county indicator is met. The
    // score is the (stage-averaged) share of county indicators met, so 100 means 达标.
    builder = builder
        .indicator(NodeBuilder::dimension("qb.resources", "资源配置").child(school).child(county))
        .grades(&[("达标", 100.0), ("未达标", 0.0)]);
    builder.build()
}
