//! The formulas of the pack, as plain functions over typed records.

use rules_sdk::prelude::*;
use serde::Deserialize;

/// Minimum students in a teaching point's part for it to count (教学点 under 50 are excluded).
pub const TEACHING_POINT_MIN_STUDENTS: f64 = 50.0;

/// Share of its threshold an indicator that is not met must still reach (余项不低于85%).
pub const REMAINDER_SHARE: f64 = 0.85;

/// How many of the seven indicators a part must meet (至少6项达标).
pub const MIN_MET: usize = 6;

/// Weights of students in apportioning a nine-year school's resources, 小学 : 初中 = 1 : 1.1,
/// kept as the whole numbers 10 : 11 so the arithmetic stays exact.
const PRIMARY_WEIGHT: f64 = 10.0;
const JUNIOR_WEIGHT: f64 = 11.0;

/// A school record as the pack reads it (field names of the data dictionary).
#[derive(Debug, Clone, Deserialize)]
pub struct School {
    /// School id.
    pub id: String,
    /// `primary`, `junior` or `nine_year`.
    pub stage: String,
    /// `regular` or `teaching_point`.
    pub kind: String,
    /// 小学段在校生数.
    pub primary_students: f64,
    /// 初中段在校生数.
    pub junior_students: f64,
    /// 高于规定学历教师数.
    pub qualified_teachers: f64,
    /// 县级及以上骨干教师数.
    pub backbone_teachers: f64,
    /// 体育、艺术专任教师数.
    pub pe_art_teachers: f64,
    /// 教学及辅助用房面积 (m²).
    pub teaching_area_m2: f64,
    /// 体育运动场馆面积 (m²).
    pub sports_area_m2: f64,
    /// 教学仪器设备值 (元).
    pub equipment_value_yuan: f64,
    /// 网络多媒体教室数.
    pub multimedia_rooms: f64,
}

impl School {
    fn resources(&self) -> [f64; 7] {
        [
            self.qualified_teachers,
            self.backbone_teachers,
            self.pe_art_teachers,
            self.teaching_area_m2,
            self.sports_area_m2,
            self.equipment_value_yuan,
            self.multimedia_rooms,
        ]
    }
}

/// A school stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// 小学.
    Primary,
    /// 初中.
    Junior,
}

impl Stage {
    /// Both stages, primary first.
    pub const ALL: [Stage; 2] = [Stage::Primary, Stage::Junior];

    /// The key used in ids and in `applies_to`.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Primary => "primary",
            Stage::Junior => "junior",
        }
    }

    /// 小学 or 初中.
    pub fn chinese(self) -> &'static str {
        match self {
            Stage::Primary => "小学",
            Stage::Junior => "初中",
        }
    }

    /// The county CV limit: 小学 ≤ 0.50, 初中 ≤ 0.45.
    pub fn cv_limit(self) -> f64 {
        match self {
            Stage::Primary => 0.50,
            Stage::Junior => 0.45,
        }
    }

    /// Whether a CV meets this stage's limit (a CV equal to the limit meets it).
    pub fn cv_limit_met(self, cv: f64) -> bool {
        Comparison::AtMost.holds(cv, self.cv_limit())
    }
}

/// One of the seven resource indicators.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// Key in indicator ids.
    pub key: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Whether the value is per 100 students (otherwise per student).
    pub per_hundred: bool,
    /// 小学 threshold.
    pub primary: f64,
    /// 初中 threshold.
    pub junior: f64,
    /// The numbered item of the document that sets the thresholds.
    pub item: &'static str,
    /// The formula in words.
    pub formula: &'static str,
}

impl Resource {
    /// The threshold for a stage.
    pub fn threshold(&self, stage: Stage) -> f64 {
        match stage {
            Stage::Primary => self.primary,
            Stage::Junior => self.junior,
        }
    }

    /// Whether `value` meets the threshold of `stage` (equal meets).
    pub fn met(&self, stage: Stage, value: f64) -> bool {
        Comparison::AtLeast.holds(value, self.threshold(stage))
    }

    /// Whether `value` reaches 85% of the threshold of `stage`.
    pub fn within_remainder(&self, stage: Stage, value: f64) -> bool {
        Comparison::AtLeast.holds(value, REMAINDER_SHARE * self.threshold(stage))
    }
}

/// The seven resource indicators, in the data dictionary's order (which is the order of the
/// items in 教督〔2017〕6号 第六条).
pub const RESOURCES: [Resource; 7] = [
    Resource {
        key: "qualified_teachers_per100",
        name: "每百名学生拥有高于规定学历教师数",
        unit: "人",
        per_hundred: true,
        primary: 4.2,
        junior: 5.3,
        item: "第六条第（一）项（“每百名学生拥有高于规定学历教师数：小学、初中分别达到4.2人以上、5.3人以上”）",
        formula: "qualified_teachers × 100 / students",
    },
    Resource {
        key: "backbone_teachers_per100",
        name: "每百名学生拥有县级以上骨干教师数",
        unit: "人",
        per_hundred: true,
        primary: 1.0,
        junior: 1.0,
        item: "第六条第（二）项（“每百名学生拥有县级以上骨干教师数：小学、初中均达到1人以上”）",
        formula: "backbone_teachers × 100 / students",
    },
    Resource {
        key: "pe_art_teachers_per100",
        name: "每百名学生拥有体育、艺术专任教师数",
        unit: "人",
        per_hundred: true,
        primary: 0.9,
        junior: 0.9,
        item: "第六条第（三）项（“每百名学生拥有体育、艺术（美术、音乐）专任教师数：小学、初中均达到0.9人以上”）",
        formula: "pe_art_teachers × 100 / students",
    },
    Resource {
        key: "teaching_area_per_student",
        name: "生均教学及辅助用房面积",
        unit: "m²",
        per_hundred: false,
        primary: 4.5,
        junior: 5.8,
        item: "第六条第（四）项（“生均教学及辅助用房面积：小学、初中分别达到4.5平方米以上、5.8平方米以上”）",
        formula: "teaching_area_m2 / students",
    },
    Resource {
        key: "sports_area_per_student",
        name: "生均体育运动场馆面积",
        unit: "m²",
        per_hundred: false,
        primary: 7.5,
        junior: 10.2,
        item: "第六条第（五）项（生均体育运动场馆面积：“……分别达到7.5平方米以上、10.2平方米以上”）",
        formula: "sports_area_m2 / students",
    },
    Resource {
        key: "equipment_value_per_student",
        name: "生均教学仪器设备值",
        unit: "元",
        per_hundred: false,
        primary: 2000.0,
        junior: 2500.0,
        item: "第六条第（六）项（“生均教学仪器设备值：小学、初中分别达到2000元以上、2500元以上”）",
        formula: "equipment_value_yuan / students",
    },
    Resource {
        key: "multimedia_rooms_per100",
        name: "每百名学生拥有网络多媒体教室数",
        unit: "间",
        per_hundred: true,
        primary: 2.3,
        junior: 2.4,
        item: "第六条第（七）项（“每百名学生拥有网络多媒体教室数：小学、初中分别达到2.3间以上、2.4间以上”）",
        formula: "multimedia_rooms × 100 / students",
    },
];

/// One evaluated part of a school: a whole primary or junior school, or one stage of a
/// nine-year school.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Subject id: the school id, or `<id>:primary` / `<id>:junior` for a nine-year school.
    pub id: String,
    /// The part's stage.
    pub stage: Stage,
    /// The part's students (its weight in county figures).
    pub students: f64,
    /// Whether the school is a teaching point.
    pub teaching_point: bool,
    /// The school's resource totals.
    resources: [f64; 7],
    /// Each per-student value is `resource × share / base`; for a single-stage school
    /// `share = 1` and `base = students`; for a nine-year school's part `share` is the stage's
    /// weight (10 or 11) and `base = 10 P + 11 J`, which is `R × P / (P + 1.1 J) / P` with one
    /// rounding instead of four.
    share: f64,
    base: f64,
}

impl Part {
    /// Whether the part takes part in the evaluation (teaching points under 50 students do not).
    pub fn included(&self) -> bool {
        !(self.teaching_point && self.students < TEACHING_POINT_MIN_STUDENTS)
    }

    /// The value of resource indicator `index` (into [`RESOURCES`]).
    pub fn value(&self, index: usize) -> f64 {
        let scale = if RESOURCES[index].per_hundred { 100.0 } else { 1.0 };
        self.resources[index] * scale * self.share / self.base
    }

    /// The school standard: how many indicators are met and which are not.
    pub fn standard(&self) -> SchoolStandard {
        let mut standard = SchoolStandard { met: 0, missed: Vec::new(), below_remainder: false };
        for (index, resource) in RESOURCES.iter().enumerate() {
            let value = self.value(index);
            if resource.met(self.stage, value) {
                standard.met += 1;
            } else {
                standard.missed.push(index);
                if !resource.within_remainder(self.stage, value) {
                    standard.below_remainder = true;
                }
            }
        }
        standard
    }
}

/// The outcome of the 6-of-7-and-85% rule for one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolStandard {
    /// How many of the seven indicators are met.
    pub met: usize,
    /// Indices (into [`RESOURCES`]) of the indicators not met.
    pub missed: Vec<usize>,
    /// Whether some indicator not met is below 85% of its threshold.
    pub below_remainder: bool,
}

impl SchoolStandard {
    /// Whether the part meets the school standard.
    pub fn meets(&self) -> bool {
        self.met >= MIN_MET && !self.below_remainder
    }
}

/// Splits a school into its evaluated parts.
///
/// # Errors
///
/// A [`PackError`] naming the school when its stage or kind is not one the data dictionary
/// defines, or a part has no students (the host validates these, so this guards other hosts).
pub fn parts(school: &School) -> Result<Vec<Part>, PackError> {
    let teaching_point = match school.kind.as_str() {
        "regular" => false,
        "teaching_point" => true,
        other => return Err(PackError::new(format!("school `{}` has unknown kind `{other}`", school.id))),
    };
    let resources = school.resources();
    let (p, j) = (school.primary_students, school.junior_students);
    let single = |stage: Stage, students: f64| Part {
        id: school.id.clone(),
        stage,
        students,
        teaching_point,
        resources,
        share: 1.0,
        base: students,
    };
    let parts = match school.stage.as_str() {
        "primary" if p > 0.0 && j == 0.0 => vec![single(Stage::Primary, p)],
        "junior" if j > 0.0 && p == 0.0 => vec![single(Stage::Junior, j)],
        "nine_year" if p > 0.0 && j > 0.0 => {
            let base = PRIMARY_WEIGHT * p + JUNIOR_WEIGHT * j;
            vec![
                Part {
                    id: format!("{}:primary", school.id),
                    stage: Stage::Primary,
                    students: p,
                    teaching_point,
                    resources,
                    share: PRIMARY_WEIGHT,
                    base,
                },
                Part {
                    id: format!("{}:junior", school.id),
                    stage: Stage::Junior,
                    students: j,
                    teaching_point,
                    resources,
                    share: JUNIOR_WEIGHT,
                    base,
                },
            ]
        }
        stage => {
            return Err(PackError::new(format!(
                "school `{}`: stage `{stage}` does not fit its students (primary {p}, junior {j})",
                school.id
            )));
        }
    };
    Ok(parts)
}

/// The student-weighted coefficient of variation (差异系数) of `values` with `weights`:
/// `x̄ = Σ nᵢxᵢ / N`, `s = √(Σ (nᵢ/N)(xᵢ − x̄)²)`, `CV = s / x̄`.
///
/// Returns `None` when there are no values or the weighted mean is zero (the CV is undefined).
pub fn weighted_cv(weights: &[f64], values: &[f64]) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    if values.is_empty() || total <= 0.0 {
        return None;
    }
    let mean = weights.iter().zip(values).map(|(n, x)| n * x).sum::<f64>() / total;
    if mean == 0.0 {
        return None;
    }
    let variance = weights.iter().zip(values).map(|(n, x)| (n / total) * (x - mean).powi(2)).sum::<f64>();
    Some(variance.sqrt() / mean)
}
