//! Unit tests of every formula of the pack, and of the manifest's consistency with them.

use rules_sdk::prelude::*;

use crate::measure::*;
use crate::{SchoolSupervision, manifest};

fn school() -> School {
    School {
        id: "S1".to_owned(),
        ownership: "public".to_owned(),
        private_annual_review: None,
        matter_governance: Finding::Ok,
        matter_admission_fees: Finding::Ok,
        matter_curriculum: Finding::Ok,
        matter_student_load: Finding::Ok,
        matter_teacher_ethics: Finding::Ok,
        matter_campus_safety: Finding::Ok,
        matter_canteen_hygiene: Finding::Ok,
        matter_school_ethos: Finding::Ok,
        self_inspection_system: true,
        school_supervisor: true,
        self_assessment_score: Some(90.0),
        inspector_assessment_score: 85.0,
        major_safety_incident: false,
        data_falsified: false,
    }
}

fn find(outcomes: &[(Rule, Outcome)], rule: &Rule) -> Outcome {
    outcomes.iter().find(|(r, _)| r.id == rule.id).map(|(_, o)| o.clone()).expect("indicator reported")
}

#[test]
fn a_good_public_school_meets_everything_and_private_review_does_not_apply() {
    let outcomes = evaluate(&school(), &Record::new()).expect("evaluates");
    assert_eq!(outcomes.len(), RULES.len());
    for (rule, outcome) in &outcomes {
        let expected = if rule.id == PRIVATE_ANNUAL_REVIEW.id { Status::NotApplicable } else { Status::Met };
        assert_eq!(outcome.status, expected, "{}", rule.id);
    }
    assert_eq!(find(&outcomes, &REGULAR_INSPECTION_COVERAGE).value, Some(8.0));
}

#[test]
fn matters_are_grouped_by_dimension_and_cover_all_eight_once() {
    let mut seen: Vec<usize> =
        [DIRECTION_MATTERS, TEACHING_MATTERS, MANAGEMENT_MATTERS, TEACHERS_MATTERS, STUDENTS_MATTERS]
            .iter()
            .flat_map(|group| group.matters.iter().copied())
            .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..8).collect::<Vec<_>>());
    for group in [DIRECTION_MATTERS, TEACHING_MATTERS, MANAGEMENT_MATTERS, TEACHERS_MATTERS, STUDENTS_MATTERS] {
        assert_eq!(group.rule.bound, group.matters.len() as f64, "{}", group.rule.id);
    }
}

#[test]
fn a_matter_with_a_problem_fails_its_checklist_and_names_it() {
    let mut school = school();
    school.matter_campus_safety = Finding::Issue;
    let outcome = matter_checklist(&school, &MANAGEMENT_MATTERS);
    assert_eq!((outcome.value, outcome.status), (Some(2.0), Status::NotMet));
    assert_eq!(outcome.note.as_deref(), Some("发现问题：校园及周边安全、交通安全"));
    // Other dimensions are unaffected.
    assert_eq!(matter_checklist(&school, &DIRECTION_MATTERS).status, Status::Met);
}

#[test]
fn an_uninspected_matter_leaves_its_checklist_not_applicable_and_lowers_coverage() {
    let mut school = school();
    school.matter_school_ethos = Finding::Unchecked;
    school.matter_admission_fees = Finding::Issue;
    let outcome = matter_checklist(&school, &DIRECTION_MATTERS);
    assert_eq!((outcome.value, outcome.status), (None, Status::NotApplicable));
    assert_eq!(outcome.note.as_deref(), Some("本期未督导：校风、教风、学风"));
    let covered = coverage(&school);
    assert_eq!((covered.value, covered.status), (Some(7.0), Status::NotMet));
}

#[test]
fn private_schools_pass_their_annual_review_only_when_it_is_pass() {
    let mut school = school();
    school.ownership = "private".to_owned();
    assert_eq!(private_review(&school).status, Status::NotMet, "no conclusion reported");
    school.private_annual_review = Some(Review::Basic);
    let outcome = private_review(&school);
    assert_eq!((outcome.value, outcome.status), (Some(0.0), Status::NotMet));
    assert_eq!(outcome.note.as_deref(), Some("年度检查结论：基本合格"));
    school.private_annual_review = Some(Review::Pass);
    assert_eq!(private_review(&school).status, Status::Met);
}

#[test]
fn self_inspection_counts_system_supervisor_and_a_self_assessment() {
    let mut school = school();
    assert_eq!(self_inspection_items(&school), [true, true, true]);
    school.school_supervisor = false;
    school.self_assessment_score = None;
    let outcome = self_inspection(&school);
    assert_eq!((outcome.value, outcome.status), (Some(1.0), Status::NotMet));
    assert_eq!(outcome.note.as_deref(), Some("未落实：落实学校视导员制度；开展年度自我督导评估（有自评得分）"));
}

#[test]
fn the_self_assessment_gap_is_self_minus_inspector_and_10_points_meets() {
    let mut school = school();
    school.self_assessment_score = Some(95.0);
    let outcome = self_assessment_gap(&school, 10.0);
    assert_eq!((outcome.value, outcome.status), (Some(10.0), Status::Met));
    school.self_assessment_score = Some(95.5);
    assert_eq!(self_assessment_gap(&school, 10.0).status, Status::NotMet);
    // Rating oneself lower than the inspector is not a problem.
    school.self_assessment_score = Some(70.0);
    assert_eq!(self_assessment_gap(&school, 10.0).value, Some(-15.0));
    assert_eq!(self_assessment_gap(&school, 10.0).status, Status::Met);
    school.self_assessment_score = None;
    assert_eq!(self_assessment_gap(&school, 10.0).status, Status::NotApplicable);
}

#[test]
fn the_gap_parameter_replaces_the_default() {
    let mut school = school();
    school.self_assessment_score = Some(97.0); // 12 above
    let mut params = Record::new();
    assert_eq!(find(&evaluate(&school, &params).expect("ok"), &SELF_ASSESSMENT_GAP).status, Status::NotMet);
    params.insert("self_assessment_gap_max".to_owned(), serde_json::json!(15));
    assert_eq!(find(&evaluate(&school, &params).expect("ok"), &SELF_ASSESSMENT_GAP).status, Status::Met);
    params.insert("self_assessment_gap_max".to_owned(), serde_json::json!(true));
    assert!(evaluate(&school, &params).is_err());
}

#[test]
fn vetoes_are_one_when_the_event_happened() {
    let mut school = school();
    school.major_safety_incident = true;
    let outcomes = evaluate(&school, &Record::new()).expect("evaluates");
    let safety = find(&outcomes, &NO_MAJOR_SAFETY_INCIDENT);
    assert_eq!((safety.value, safety.status), (Some(1.0), Status::NotMet));
    assert_eq!(safety.note.as_deref(), Some("发生重大安全责任事故，一票否决"));
    assert_eq!(find(&outcomes, &NO_DATA_FALSIFICATION).value, Some(0.0));
}

#[test]
fn scores_outside_0_to_100_are_refused() {
    let mut school = school();
    school.inspector_assessment_score = 101.0;
    assert!(evaluate(&school, &Record::new()).is_err());
}

#[test]
fn every_rule_is_in_the_manifest_with_its_threshold_and_source() {
    let manifest = manifest();
    for rule in RULES {
        let node = manifest.node(rule.id).unwrap_or_else(|| panic!("{} in the manifest", rule.id));
        assert_eq!(node.level, Some(Level::School));
        let threshold = &node.thresholds[0];
        assert_eq!((threshold.op, threshold.value), (rule.op, rule.bound), "{}", rule.id);
        assert!(!threshold.source.item.trim().is_empty());
        // Everything but the inspector's coverage is scored and weighted.
        let scored = rule.id != REGULAR_INSPECTION_COVERAGE.id;
        assert_eq!(node.scoring.is_some() && node.weight.is_some(), scored, "{}", rule.id);
        if let Some(param) = rule.param {
            let declared = manifest.parameters.iter().find(|p| p.name == param).expect("declared");
            assert_eq!(declared.default.as_f64(), Some(rule.bound));
            assert!(threshold.source.item.contains("地方实施口径"));
        }
    }
    assert_eq!(manifest.nodes().into_iter().filter(|node| node.level.is_some()).count(), RULES.len());
    let vetoes: Vec<&str> =
        manifest.nodes().into_iter().filter(|node| node.veto.is_some()).map(|node| node.id.as_str()).collect();
    assert_eq!(vetoes, [NO_MAJOR_SAFETY_INCIDENT.id, NO_DATA_FALSIFICATION.id]);
    // The checklists name exactly the eight matters.
    let mut items = Vec::new();
    for node in manifest.nodes() {
        if let (Some(Scoring::Checklist { items: list }), true) = (&node.scoring, node.id.ends_with("regular_matters"))
        {
            items.extend(list.iter().cloned());
        }
    }
    items.sort();
    let mut expected: Vec<String> = MATTERS.iter().map(|matter| matter.name.to_owned()).collect();
    expected.sort();
    assert_eq!(items, expected);
}

#[test]
fn the_pack_evaluates_school_units_only() {
    let unit = Unit::new(Level::County, &Record::new());
    let error = SchoolSupervision::evaluate(&unit).expect_err("refused");
    assert_eq!(error.message(), "school-supervision does not evaluate county units");
}
