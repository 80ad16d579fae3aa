//! Unit tests of every formula of the pack, and of the manifest's consistency with them.

use rules_sdk::prelude::*;

use crate::measure::*;
use crate::{QualityMonitoring, manifest};

fn school(id: &str, primary: f64, junior: f64) -> School {
    let students = primary + junior;
    School {
        id: id.to_owned(),
        name: format!("学校{id}"),
        stage: match (primary > 0.0, junior > 0.0) {
            (true, true) => "nine_year",
            (true, false) => "primary",
            _ => "junior",
        }
        .to_owned(),
        primary_students: primary,
        junior_students: junior,
        students_tested: 100.0,
        students_level3_plus: 60.0,
        academic_mean_score: 500.0,
        academic_score_sd: 80.0,
        pe_tested: students,
        pe_passed: students * 0.9,
        vision_screened: students,
        myopic_students: students * 0.3,
        primary_homework_minutes: (primary > 0.0).then_some(55.0),
        junior_homework_minutes: (junior > 0.0).then_some(80.0),
    }
}

fn find(outcomes: &[(Rule, Outcome)], rule: &Rule) -> Outcome {
    outcomes.iter().find(|(r, _)| r.id == rule.id).map(|(_, o)| o.clone()).expect("indicator reported")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn school_results_are_shares_of_the_tested_and_screened() {
    let outcomes = evaluate_school(&school("A", 500.0, 0.0), None, &Params::default()).expect("evaluates");
    assert_eq!(outcomes.len(), SCHOOL_RULES.len());
    let level3 = find(&outcomes, &SCHOOL_LEVEL3);
    assert_eq!((level3.value, level3.status), (Some(0.6), Status::Met));
    assert_eq!(level3.note.as_deref(), Some("60/100"));
    // 450 / 500 = 0.9: equal to the bound meets.
    assert_eq!(find(&outcomes, &SCHOOL_PE).status, Status::Met);
    let myopia = find(&outcomes, &SCHOOL_MYOPIA);
    assert_eq!((myopia.value, myopia.status), (Some(0.3), Status::Met));
    assert_eq!(find(&outcomes, &HOMEWORK_PRIMARY).value, Some(55.0));
    assert_eq!(find(&outcomes, &HOMEWORK_JUNIOR).status, Status::NotApplicable);
}

#[test]
fn without_a_previous_record_value_added_is_not_applicable() {
    let outcomes = evaluate_school(&school("A", 500.0, 0.0), None, &Params::default()).expect("evaluates");
    for rule in [SCHOOL_LEVEL3_CHANGE, SCHOOL_PE_CHANGE, SCHOOL_MYOPIA_CHANGE] {
        let outcome = find(&outcomes, &rule);
        assert_eq!(outcome.status, Status::NotApplicable, "{}", rule.id);
        assert_eq!(outcome.note.as_deref(), Some("无上期记录，不计算增值"));
    }
}

#[test]
fn value_added_is_the_change_from_the_previous_period() {
    let now = school("A", 500.0, 0.0);
    let mut before = now.clone();
    before.students_level3_plus = 55.0; // 0.55 → 0.60: +0.05
    before.pe_passed = 460.0; // 0.92 → 0.90: −0.02
    before.myopic_students = 152.5; // 0.305 → 0.30: −0.005, exactly the yearly fall
    let outcomes = evaluate_school(&now, Some(&before), &Params::default()).expect("evaluates");
    let level3 = find(&outcomes, &SCHOOL_LEVEL3_CHANGE);
    assert!(close(level3.value, 0.05) && level3.status == Status::Met, "{level3:?}");
    let pe = find(&outcomes, &SCHOOL_PE_CHANGE);
    assert!(close(pe.value, -0.02) && pe.status == Status::NotMet, "{pe:?}");
    let myopia = find(&outcomes, &SCHOOL_MYOPIA_CHANGE);
    assert!(close(myopia.value, -0.005) && myopia.status == Status::Met, "{myopia:?}");
    // A plan asking for a fall of a whole percentage point.
    let mut values = Record::new();
    values.insert("myopia_annual_fall".to_owned(), serde_json::json!(0.01));
    let strict = evaluate_school(&now, Some(&before), &Params::new(&values)).expect("evaluates");
    assert_eq!(find(&strict, &SCHOOL_MYOPIA_CHANGE).status, Status::NotMet);
}

#[test]
fn the_myopia_target_is_blended_by_stage_students() {
    let limits = MyopiaLimits { primary: 0.38, junior: 0.60 };
    assert_eq!(limits.blended(100.0, 0.0), 0.38);
    assert_eq!(limits.blended(0.0, 100.0), 0.60);
    // 300 primary, 100 junior: (300 × 0.38 + 100 × 0.60) / 400 = 0.435.
    assert!((limits.blended(300.0, 100.0) - 0.435).abs() < 1e-12);
    let mut nine = school("N", 300.0, 100.0);
    nine.myopic_students = 176.0; // 0.44 > 0.435
    let outcomes = evaluate_school(&nine, None, &Params::default()).expect("evaluates");
    assert_eq!(find(&outcomes, &SCHOOL_MYOPIA).status, Status::NotMet);
    nine.myopic_students = 174.0; // 0.435: meets
    let outcomes = evaluate_school(&nine, None, &Params::default()).expect("evaluates");
    assert_eq!(find(&outcomes, &SCHOOL_MYOPIA).status, Status::Met);
}

#[test]
fn homework_limits_are_60_and_90_minutes_per_stage() {
    let mut nine = school("N", 300.0, 100.0);
    assert!(homework_within_limits(&nine));
    nine.primary_homework_minutes = Some(60.0);
    nine.junior_homework_minutes = Some(90.0);
    assert!(homework_within_limits(&nine), "equal meets");
    nine.junior_homework_minutes = Some(91.0);
    assert!(!homework_within_limits(&nine));
    let outcomes = evaluate_school(&nine, None, &Params::default()).expect("evaluates");
    assert_eq!(find(&outcomes, &HOMEWORK_JUNIOR).status, Status::NotMet);
    assert_eq!(find(&outcomes, &HOMEWORK_PRIMARY).status, Status::Met);
}

#[test]
fn contradictory_or_missing_figures_are_refused() {
    let mut bad = school("A", 500.0, 0.0);
    bad.students_level3_plus = 101.0;
    assert!(evaluate_school(&bad, None, &Params::default()).is_err());
    let mut missing = school("A", 500.0, 0.0);
    missing.primary_homework_minutes = None;
    let error = evaluate_school(&missing, None, &Params::default()).expect_err("refused");
    assert_eq!(error.message(), "school `A` has 500 students in the stage but no `primary_homework_minutes`");
}

#[test]
fn the_between_school_rate_is_the_between_share_of_the_variance() {
    let mut a = school("A", 500.0, 0.0);
    let mut b = school("B", 500.0, 0.0);
    a.academic_mean_score = 480.0;
    b.academic_mean_score = 520.0;
    // M = 500, between = 400, within = 6400: 400 / 6800.
    let rate = between_school_rate(&[&a, &b]).expect("defined");
    assert!((rate - 400.0 / 6800.0).abs() < 1e-12);
    // Weighted by tested students: 300 at 480, 100 at 520 → M = 490, between = 300.
    b.students_tested = 100.0;
    a.students_tested = 300.0;
    let weighted = between_school_rate(&[&a, &b]).expect("defined");
    assert!((weighted - 300.0 / 6700.0).abs() < 1e-12);
    // Equal means: no difference between schools.
    a.academic_mean_score = 520.0;
    assert_eq!(between_school_rate(&[&a, &b]), Some(0.0));
    assert_eq!(between_school_rate(&[&a]), None, "one school");
}

#[test]
fn county_results_pool_the_schools() {
    let a = school("A", 400.0, 0.0);
    let mut b = school("B", 0.0, 600.0);
    b.students_level3_plus = 30.0;
    b.junior_homework_minutes = Some(95.0);
    b.myopic_students = 390.0;
    let outcomes = evaluate_county(&[a, b], &[], false, &Params::default()).expect("evaluates");
    assert_eq!(outcomes.len(), COUNTY_RULES.len());
    // (60 + 30) / 200.
    assert_eq!(find(&outcomes, &COUNTY_LEVEL3).value, Some(0.45));
    assert_eq!(find(&outcomes, &COUNTY_LEVEL3).status, Status::NotMet);
    // (120 + 390) / 1000 = 0.51 against (400 × 0.38 + 600 × 0.60) / 1000 = 0.512.
    let myopia = find(&outcomes, &COUNTY_MYOPIA);
    assert_eq!((myopia.value, myopia.status), (Some(0.51), Status::Met));
    let homework = find(&outcomes, &COUNTY_HOMEWORK);
    assert_eq!((homework.value, homework.status), (Some(0.5), Status::NotMet));
    assert_eq!(homework.note.as_deref(), Some("1/2 所学校作业时间达标；超时：学校B"));
    assert_eq!(find(&outcomes, &COUNTY_BETWEEN).value, Some(0.0));
    assert_eq!(find(&outcomes, &COUNTY_LEVEL3_CHANGE).status, Status::NotApplicable);
}

#[test]
fn county_value_added_compares_only_schools_present_in_both_periods() {
    let a = school("A", 400.0, 0.0);
    let mut new = school("NEW", 400.0, 0.0);
    new.students_level3_plus = 10.0; // a weak new school must not count as a decline
    let mut a_before = a.clone();
    a_before.students_level3_plus = 50.0;
    let outcomes = evaluate_county(&[a, new], &[a_before], true, &Params::default()).expect("evaluates");
    let change = find(&outcomes, &COUNTY_LEVEL3_CHANGE);
    assert!(close(change.value, 0.1) && change.status == Status::Met, "{change:?}");
    assert!(change.note.as_deref().is_some_and(|note| note.ends_with("（按两期均有记录的1所学校计算）")));
    // The between-school rate needs two matched schools.
    assert_eq!(find(&outcomes, &COUNTY_BETWEEN_CHANGE).status, Status::NotApplicable);
}

#[test]
fn parameters_replace_the_default_bounds() {
    let mut values = Record::new();
    values.insert("level3_share_min".to_owned(), serde_json::json!(0.7));
    let outcomes = evaluate_school(&school("A", 500.0, 0.0), None, &Params::new(&values)).expect("evaluates");
    assert_eq!(find(&outcomes, &SCHOOL_LEVEL3).status, Status::NotMet);
    let params = Params::new(&values);
    assert_eq!(params.bound(&COUNTY_BETWEEN).expect("number"), 0.15);
    assert_eq!(params.bound(&SCHOOL_MYOPIA_CHANGE).expect("number"), -0.005);
    values.insert("pe_pass_rate_min".to_owned(), serde_json::json!("high"));
    assert!(evaluate_school(&school("A", 500.0, 0.0), None, &Params::new(&values)).is_err());
}

#[test]
fn every_rule_is_in_the_manifest_with_its_threshold_source_and_parameter() {
    let manifest = manifest();
    for rule in SCHOOL_RULES.iter().chain(&COUNTY_RULES) {
        let node = manifest.node(rule.id).unwrap_or_else(|| panic!("{} in the manifest", rule.id));
        assert_eq!(node.level, Some(level(rule)));
        assert!(node.scoring.is_some() && node.weight.is_some(), "{}", rule.id);
        let threshold = &node.thresholds[0];
        assert_eq!((threshold.op, threshold.value), (rule.op, rule.bound), "{}", rule.id);
        for threshold in &node.thresholds {
            assert!(!threshold.source.document.trim().is_empty() && !threshold.source.item.trim().is_empty());
        }
        if let Some(param) = rule.param {
            let declared = manifest.parameters.iter().find(|p| p.name == param).expect("declared");
            let default = declared.default.as_f64().expect("number");
            assert_eq!(Params::default().bound(rule).expect("bound"), rule.bound);
            assert!(default == rule.bound || default == -rule.bound, "{param}");
            assert!(threshold.source.item.contains("地方实施口径"), "{} flagged", rule.id);
        }
    }
    assert_eq!(
        manifest.nodes().into_iter().filter(|node| node.level.is_some()).count(),
        SCHOOL_RULES.len() + COUNTY_RULES.len()
    );
    assert!(manifest.units.iter().all(|unit| unit.previous), "every unit compares with the previous period");
    assert!(manifest.nodes().iter().all(|node| node.veto.is_none()));
}

#[test]
fn the_pack_evaluates_school_and_county_units_only() {
    let unit = Unit::new(Level::Zone, &Record::new());
    let error = QualityMonitoring::evaluate(&unit).expect_err("refused");
    assert_eq!(error.message(), "quality-monitoring does not evaluate zone units");
}

#[test]
fn notes_show_figures_with_at_most_four_decimals() {
    assert_eq!(short(0.42175499137293565), "0.4218");
    assert_eq!(short(0.38), "0.38");
    assert_eq!(short(1.0), "1");
    assert_eq!(short(-0.00001), "0");
    assert_eq!(short(-0.0253), "-0.0253");
}
