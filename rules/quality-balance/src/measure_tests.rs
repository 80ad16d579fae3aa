//! Unit tests of every formula of the pack.

use super::*;
use crate::measure::*;

fn school(stage: &str, kind: &str, p: f64, j: f64, resources: [f64; 7]) -> School {
    School {
        id: "S".to_owned(),
        stage: stage.to_owned(),
        kind: kind.to_owned(),
        primary_students: p,
        junior_students: j,
        qualified_teachers: resources[0],
        backbone_teachers: resources[1],
        pe_art_teachers: resources[2],
        teaching_area_m2: resources[3],
        sports_area_m2: resources[4],
        equipment_value_yuan: resources[5],
        multimedia_rooms: resources[6],
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn weighted_cv_matches_the_worked_example_and_differs_from_unweighted() {
    // (students, books) from the data dictionary: 生均图书 per school.
    let schools = [(45.0, 279.0), (37.0, 137.0), (89.0, 935.0), (76.0, 160.0), (55.0, 402.0)];
    let weights: Vec<f64> = schools.iter().map(|s| s.0).collect();
    let values: Vec<f64> = schools.iter().map(|s| s.1 / s.0).collect();
    let cv = weighted_cv(&weights, &values).expect("defined");
    assert!((cv - 0.5153).abs() < 5e-5, "weighted CV {cv}");
    let unweighted = weighted_cv(&[1.0; 5], &values).expect("defined");
    assert!((unweighted - 0.4888).abs() < 5e-5, "unweighted CV {unweighted}");
}

#[test]
fn weighted_cv_is_undefined_for_an_all_zero_indicator() {
    assert_eq!(weighted_cv(&[10.0, 20.0], &[0.0, 0.0]), None);
    assert_eq!(weighted_cv(&[], &[]), None);
    assert_eq!(weighted_cv(&[10.0, 20.0], &[3.0, 3.0]), Some(0.0));
}

#[test]
fn a_value_equal_to_its_threshold_meets_it() {
    // 4.2 qualified teachers per 100 students, computed as 42 × 100 / 1000 and as 0.42 × 1000.
    let part = &parts(&school("primary", "regular", 1000.0, 0.0, [42.0, 10.0, 9.0, 4500.0, 7500.0, 2_000_000.0, 23.0]))
        .expect("valid")[0];
    for (index, resource) in RESOURCES.iter().enumerate() {
        assert!(resource.met(Stage::Primary, part.value(index)), "{} = {}", resource.key, part.value(index));
    }
    // A classic floating-point trap: 0.1 × 3 / 3 ≠ 0.1 exactly, yet it must still meet 0.1.
    assert!(Comparison::AtLeast.holds(0.1 * 3.0 / 3.0 - 1e-17, 0.1));
    // But a value really below the threshold does not.
    assert!(!RESOURCES[0].met(Stage::Primary, 4.199_99));
}

#[test]
fn equal_to_cv_limit_meets_and_above_does_not() {
    assert!(Stage::Primary.cv_limit_met(0.50));
    assert!(Stage::Junior.cv_limit_met(0.45));
    assert!(!Stage::Junior.cv_limit_met(0.4501));
    assert!(Stage::Primary.cv_limit_met(0.1 + 0.2 + 0.2 - 1e-16));
}

#[test]
fn single_stage_schools_are_one_part_with_their_own_thresholds() {
    let junior = parts(&school("junior", "regular", 0.0, 800.0, [40.0, 8.0, 8.0, 4640.0, 8160.0, 2_000_000.0, 19.0]))
        .expect("valid");
    assert_eq!(junior.len(), 1);
    assert_eq!(junior[0].id, "S");
    assert_eq!(junior[0].stage, Stage::Junior);
    assert!(close(junior[0].value(0), 5.0)); // 40 × 100 / 800
    assert!(!RESOURCES[0].met(Stage::Junior, junior[0].value(0))); // 5.0 < 5.3
    assert!(close(junior[0].value(3), 5.8)); // 4640 / 800
    assert!(RESOURCES[3].met(Stage::Junior, junior[0].value(3)));
}

#[test]
fn nine_year_schools_are_apportioned_one_to_one_point_one() {
    // P = 600, J = 400: weighted students 600 + 440 = 1040.
    let split =
        parts(&school("nine_year", "regular", 600.0, 400.0, [104.0, 0.0, 0.0, 10400.0, 0.0, 0.0, 0.0])).expect("valid");
    assert_eq!(split.len(), 2);
    assert_eq!(split[0].id, "S:primary");
    assert_eq!(split[1].id, "S:junior");
    // Primary part holds 10400 × 600 / 1040 = 6000 m² for 600 students → 10 m² each.
    assert!(close(split[0].value(3), 10.0));
    // Junior part holds 10400 × 440 / 1040 = 4400 m² for 400 students → 11 m² each.
    assert!(close(split[1].value(3), 11.0));
    // Teachers: primary part 104 × 600 / 1040 = 60 → 10 per 100; junior 44 → 11 per 100.
    assert!(close(split[0].value(0), 10.0));
    assert!(close(split[1].value(0), 11.0));
    assert_eq!(split[0].students, 600.0);
    assert_eq!(split[1].students, 400.0);
}

#[test]
fn teaching_points_under_fifty_students_are_excluded() {
    let small = parts(&school("primary", "teaching_point", 49.0, 0.0, [1.0; 7])).expect("valid");
    assert!(!small[0].included());
    let fifty = parts(&school("primary", "teaching_point", 50.0, 0.0, [1.0; 7])).expect("valid");
    assert!(fifty[0].included());
    let regular = parts(&school("primary", "regular", 10.0, 0.0, [1.0; 7])).expect("valid");
    assert!(regular[0].included());
}

#[test]
fn school_standard_needs_six_of_seven_and_eighty_five_percent() {
    let at =
        |resources: [f64; 7]| parts(&school("primary", "regular", 100.0, 0.0, resources)).expect("valid")[0].standard();
    // All seven met exactly at the thresholds (per 100 students: 4.2, 1, 0.9, 2.3 → ×1).
    let all = [4.2, 1.0, 0.9, 450.0, 750.0, 200_000.0, 2.3];
    assert_eq!(at(all).met, 7);
    assert!(at(all).meets());
    // One missed at exactly 85% of its threshold (7.5 × 0.85 = 6.375 m² → 637.5 m²): still meets.
    let mut one = all;
    one[4] = 637.5;
    assert_eq!(at(one).met, 6);
    assert!(at(one).meets());
    // One missed below 85%: fails.
    one[4] = 637.0;
    assert!(!at(one).meets());
    // Two missed, both above 85%: fails (only 5 of 7).
    let mut two = all;
    two[4] = 700.0;
    two[3] = 440.0;
    assert_eq!(at(two).met, 5);
    assert!(!at(two).meets());
}

#[test]
fn inconsistent_stage_and_students_are_refused_with_the_school_named() {
    let error = parts(&school("primary", "regular", 100.0, 5.0, [1.0; 7])).expect_err("inconsistent");
    assert!(error.message().contains("`S`"), "{}", error.message());
    assert!(parts(&school("nine_year", "regular", 100.0, 0.0, [1.0; 7])).is_err());
    assert!(parts(&school("primary", "annex", 100.0, 0.0, [1.0; 7])).is_err());
}

#[test]
fn county_results_cover_each_stage_with_parts_only() {
    let schools = [
        school("primary", "regular", 100.0, 0.0, [4.2, 1.0, 0.9, 450.0, 750.0, 200_000.0, 2.3]),
        school("primary", "teaching_point", 20.0, 0.0, [0.0; 7]),
    ];
    let parts: Vec<Part> = schools.iter().flat_map(|s| parts(s).expect("valid")).collect();
    let results = county_results("C", &parts);
    // Primary only: 7 CVs + the share; the excluded teaching point does not count.
    assert_eq!(results.len(), 8);
    assert!(results.iter().all(|r| r.indicator.ends_with(".primary")));
    let share = results.last().expect("share");
    assert_eq!(share.value, Some(1.0));
    assert_eq!(share.status, Status::Met);
    assert!(results[..7].iter().all(|r| r.value == Some(0.0) && r.status == Status::Met));
}

#[test]
fn manifest_declares_every_indicator_the_pack_reports_with_sourced_thresholds() {
    let manifest = manifest();
    let declared: Vec<&str> = manifest.nodes().iter().filter(|n| n.level.is_some()).map(|n| n.id.as_str()).collect();
    assert_eq!(declared.len(), 8 + 16);
    for node in manifest.nodes().iter().filter(|n| n.level.is_some()) {
        assert!(!node.thresholds.is_empty(), "{} has no threshold", node.id);
        assert!(node.thresholds.iter().all(|t| t.source.document.contains("教督〔2017〕6号")));
    }
    let school = parts(&school("nine_year", "regular", 100.0, 100.0, [1.0; 7])).expect("valid");
    for row in school_results(&school).iter().chain(&county_results("C", &school)) {
        assert!(declared.contains(&row.indicator.as_str()), "{} not declared", row.indicator);
    }
}
