//! Unit tests of every formula of the pack, and of the manifest's consistency with them.

use rules_sdk::prelude::*;

use crate::measure::*;
use crate::{GovernmentDuty, manifest};

fn county() -> County {
    County {
        id: "410825".to_owned(),
        exam_admission: false,
        illegal_school_choice: false,
        key_schools_or_classes: false,
        social_recognition_rate: 0.9,
        inspection_committee: true,
        committee_chair_leader: true,
        committee_fulltime_vice_chair: true,
        committee_member_discipline: true,
        committee_member_staffing: true,
        committee_member_inspection: true,
        committee_member_audit: true,
        committee_office_in_bureau: true,
        chief_inspector: true,
        deputy_chief_inspector: true,
        comprehensive_inspections: 1.0,
        inspection_budget_included: true,
        inspection_funding_yuan: 500_000.0,
        inspection_office_equipped: true,
        rectification_issues: 40.0,
        rectification_completed: 40.0,
        funding_per_primary_student_yuan: 720.0,
        funding_per_junior_student_yuan: 940.0,
        teacher_avg_salary_yuan: 90_000.0,
        civil_servant_avg_salary_yuan: 90_000.0,
        full_time_teachers: 1000.0,
        teachers_completed_360h: 1000.0,
        certified_teachers: 1000.0,
        teachers_eligible_exchange: 300.0,
        teachers_exchanged: 30.0,
        backbone_teachers_exchanged: 6.0,
        urban_primary_entrants: 2000.0,
        urban_primary_entrants_nearby: 2000.0,
        urban_junior_entrants: 1000.0,
        urban_junior_entrants_nearby: 950.0,
        quality_high_school_places: 800.0,
        quality_high_school_places_allocated: 400.0,
        migrant_children: 1000.0,
        migrant_children_public: 850.0,
        unfilled_posts_or_contract_teachers: false,
        major_incident: false,
        falsification: false,
        layout_plan_implemented: true,
        four_unified_standards: true,
        special_schools: 1.0,
        funding_per_special_student_yuan: 6000.0,
        performance_pay_fully_set: true,
        staffing_pooled: true,
        quota_rural_priority: true,
        left_behind_care_system: true,
        junior_cohort_entrants: 1000.0,
        junior_cohort_retained: 950.0,
        disabled_children: 200.0,
        disabled_children_enrolled: 190.0,
    }
}

fn school(id: &str, stage: &str, primary: f64, junior: f64) -> School {
    School {
        id: id.to_owned(),
        name: format!("学校{id}"),
        stage: stage.to_owned(),
        kind: "regular".to_owned(),
        location: "urban".to_owned(),
        ownership: "public".to_owned(),
        primary_students: primary,
        junior_students: junior,
        primary_classes: (primary / 40.0).ceil(),
        junior_classes: (junior / 45.0).ceil(),
        primary_max_class_size: if primary > 0.0 { 45.0 } else { 0.0 },
        junior_max_class_size: if junior > 0.0 { 50.0 } else { 0.0 },
        music_rooms: 3.0,
        art_rooms: 3.0,
        music_room_min_area_m2: 96.0,
        art_room_min_area_m2: 90.0,
        public_funds_yuan: 1_000_000.0,
        teacher_training_funds_yuan: 50_000.0,
        principal_term_ended: false,
        principal_term_inspected: false,
    }
}

fn zone(inspectors: f64, trained: f64) -> Zone {
    Zone { id: "Z1".to_owned(), name: "第1督学责任区".to_owned(), inspectors, inspectors_trained_40h: trained }
}

fn find(findings: &[(Rule, Finding)], rule: &Rule) -> Finding {
    findings.iter().find(|(r, _)| r.id == rule.id).map(|(_, f)| f.clone()).expect("indicator reported")
}

fn run(county: &County, zones: &[Zone], schools: &[School]) -> Vec<(Rule, Finding)> {
    evaluate(county, zones, schools, &Params::default()).expect("evaluates")
}

#[test]
fn a_county_doing_everything_meets_every_indicator_and_equal_bounds_meet() {
    // Every share sits exactly on its bound (100%, 95%, 10%, 20%, 50%, 85%, 5%), special-school
    // funds on 6000 元 and rooms on 96 m² and 90 m²: equal meets.
    let schools = [school("A", "primary", 800.0, 0.0), school("B", "junior", 0.0, 900.0)];
    let findings = run(&county(), &[zone(1.0, 1.0)], &schools);
    assert_eq!(findings.len(), RULES.len());
    for (rule, finding) in &findings {
        if rule.id == PRINCIPAL_TERM_INSPECTION.id || rule.id == SMALL_SCHOOL_FUNDING.id {
            assert_eq!(finding.status, Status::NotApplicable, "{}", rule.id);
        } else {
            assert_eq!(finding.status, Status::Met, "{} {finding:?}", rule.id);
        }
    }
    assert_eq!(find(&findings, &EXCHANGE).value, Some(0.1));
    assert_eq!(find(&findings, &NEARBY_JUNIOR).value, Some(0.95));
}

#[test]
fn vetoes_are_one_when_the_practice_exists() {
    let mut county = county();
    county.key_schools_or_classes = true;
    let findings = run(&county, &[zone(1.0, 1.0)], &[]);
    let key = find(&findings, &NO_KEY_SCHOOLS);
    assert_eq!((key.value, key.status), (Some(1.0), Status::NotMet));
    assert_eq!(key.note.as_deref(), Some("存在重点学校或重点班，属优质均衡不予认定情形"));
    assert_eq!(find(&findings, &NO_EXAM_ADMISSION).value, Some(0.0));
}

#[test]
fn the_six_conditions_of_non_recognition_are_each_a_veto() {
    type Set = fn(&mut County);
    let cases: [(Set, &Rule); 6] = [
        (|county| county.exam_admission = true, &NO_EXAM_ADMISSION),
        (|county| county.illegal_school_choice = true, &NO_ILLEGAL_SCHOOL_CHOICE),
        (|county| county.key_schools_or_classes = true, &NO_KEY_SCHOOLS),
        (|county| county.unfilled_posts_or_contract_teachers = true, &NO_UNFILLED_POSTS),
        (|county| county.major_incident = true, &NO_MAJOR_INCIDENT),
        (|county| county.falsification = true, &NO_FALSIFICATION),
    ];
    let vetoes: Vec<String> =
        manifest().nodes().into_iter().filter(|node| node.veto.is_some()).map(|node| node.id.clone()).collect();
    for (set, rule) in cases {
        let mut county = county();
        set(&mut county);
        let findings = run(&county, &[], &[]);
        let not_met: Vec<&str> =
            findings.iter().filter(|(_, f)| f.status == Status::NotMet).map(|(r, _)| r.id).collect();
        assert_eq!(not_met, [rule.id], "only {} fails", rule.id);
        assert!(vetoes.iter().any(|id| id == rule.id), "{} vetoes", rule.id);
        assert!(rule.source.1.starts_with("不予认定情形（“"), "{} cites the 不予认定 list", rule.id);
    }
}

#[test]
fn the_added_national_items_are_judged_against_the_text() {
    let mut county = county();
    county.funding_per_special_student_yuan = 5999.0;
    county.junior_cohort_retained = 949.0;
    county.disabled_children_enrolled = 189.0;
    county.performance_pay_fully_set = false;
    county.layout_plan_implemented = false;
    county.four_unified_standards = false;
    county.staffing_pooled = false;
    county.quota_rural_priority = false;
    county.left_behind_care_system = false;
    let mut low = school("A", "primary", 800.0, 0.0);
    low.teacher_training_funds_yuan = 40_000.0; // 4% of 1 000 000
    let findings = run(&county, &[], &[low, school("B", "junior", 0.0, 900.0)]);
    for rule in [
        &SPECIAL_SCHOOL_FUNDING,
        &JUNIOR_RETENTION,
        &DISABLED_ENROLLMENT,
        &PERFORMANCE_PAY,
        &LAYOUT_PLAN,
        &FOUR_UNIFIED,
        &STAFFING_POOLED,
        &QUOTA_RURAL_PRIORITY,
        &LEFT_BEHIND_CARE,
        &TRAINING_FUNDS,
    ] {
        assert_eq!(find(&findings, rule).status, Status::NotMet, "{}", rule.id);
    }
    assert_eq!(find(&findings, &SPECIAL_SCHOOL_FUNDING).value, Some(5999.0));
    assert_eq!(find(&findings, &JUNIOR_RETENTION).value, Some(0.949));
    let funds = find(&findings, &TRAINING_FUNDS);
    assert_eq!(funds.value, Some(0.04));
    assert_eq!(funds.note.as_deref(), Some("1/2 所学校不低于5%；低于5%：学校A"));
    assert_eq!(find(&findings, &PERFORMANCE_PAY).note.as_deref(), Some("未落实：按规定足额核定教师绩效工资总量"));
    // No special-education school: not applicable; training funds count public schools only.
    county.special_schools = 0.0;
    let mut private = school("P", "primary", 300.0, 0.0);
    private.ownership = "private".to_owned();
    private.public_funds_yuan = 0.0;
    private.teacher_training_funds_yuan = 0.0;
    let findings = run(&county, &[], &[private]);
    assert_eq!(find(&findings, &SPECIAL_SCHOOL_FUNDING).status, Status::NotApplicable);
    assert_eq!(find(&findings, &TRAINING_FUNDS).status, Status::NotApplicable);
}

#[test]
fn social_recognition_below_85_percent_is_not_met() {
    let mut county = county();
    county.social_recognition_rate = 0.849;
    let finding = find(&run(&county, &[], &[]), &SOCIAL_RECOGNITION);
    assert_eq!(finding.status, Status::NotMet);
    county.social_recognition_rate = 0.85;
    assert_eq!(find(&run(&county, &[], &[]), &SOCIAL_RECOGNITION).status, Status::Met);
    county.social_recognition_rate = 85.0;
    assert!(evaluate(&county, &[], &[], &Params::default()).is_err(), "a percentage instead of a share is refused");
}

#[test]
fn committee_items_need_the_committee_except_the_chief_inspectors() {
    let mut county = county();
    assert_eq!(committee_items(&county), [true; 10]);
    county.committee_member_audit = false;
    let finding = find(&run(&county, &[], &[]), &INSPECTION_COMMITTEE);
    assert_eq!((finding.value, finding.status), (Some(9.0), Status::NotMet));
    assert_eq!(finding.note.as_deref(), Some("未落实：审计部门为成员单位"));
    county.inspection_committee = false;
    // Without a committee only 总督学 and 副总督学 count.
    assert_eq!(committee_items(&county).iter().filter(|ok| **ok).count(), 2);
}

#[test]
fn funding_checklist_counts_budget_amount_and_office() {
    let mut county = county();
    assert_eq!(funding_items(&county), [true; 3]);
    county.inspection_budget_included = false;
    county.inspection_funding_yuan = 0.0;
    assert_eq!(funding_items(&county), [false, false, true]);
    let finding = find(&run(&county, &[], &[]), &INSPECTION_FUNDING);
    assert_eq!((finding.value, finding.status), (Some(1.0), Status::NotMet));
}

#[test]
fn comprehensive_inspection_needs_one_a_year() {
    let mut county = county();
    county.comprehensive_inspections = 0.0;
    assert_eq!(find(&run(&county, &[], &[]), &COMPREHENSIVE_INSPECTION).status, Status::NotMet);
    county.comprehensive_inspections = 2.0;
    assert_eq!(find(&run(&county, &[], &[]), &COMPREHENSIVE_INSPECTION).status, Status::Met);
}

#[test]
fn inspectors_required_is_one_per_large_school_plus_one_per_five_others() {
    // 12 schools, two above 2000 students: 2 + ⌈10 / 5⌉ = 4.
    let mut students = vec![500.0; 10];
    students.extend([2100.0, 2400.0]);
    assert_eq!(inspectors_required(&students, 2000.0), (4.0, 2));
    // A school of exactly 2000 is not "large" (more than 2000): 11 others → 1 + 3 = 4.
    students[0] = 2000.0;
    assert_eq!(inspectors_required(&students, 2000.0), (4.0, 2));
    // 11 regular schools → ⌈11 / 5⌉ = 3.
    assert_eq!(inspectors_required(&[100.0; 11], 2000.0), (3.0, 0));
    assert_eq!(inspectors_required(&[], 2000.0), (0.0, 0));
}

#[test]
fn inspector_staffing_is_inspectors_over_required_and_the_parameter_moves_the_line() {
    let schools: Vec<School> = (0..6).map(|i| school(&format!("S{i}"), "junior", 0.0, 1500.0)).collect();
    let county = county();
    // 6 schools of 1500: ⌈6 / 5⌉ = 2 required, 1 staffed.
    let finding = find(&run(&county, &[zone(1.0, 1.0)], &schools), &INSPECTOR_STAFFING);
    assert_eq!((finding.value, finding.status), (Some(0.5), Status::NotMet));
    // With large_school_students = 1000 every school is large: 6 required.
    let mut values = Record::new();
    values.insert("large_school_students".to_owned(), serde_json::json!(1000));
    let findings = evaluate(&county, &[zone(3.0, 3.0)], &schools, &Params::new(&values)).expect("evaluates");
    assert_eq!(find(&findings, &INSPECTOR_STAFFING).value, Some(0.5));
    values.insert("large_school_students".to_owned(), serde_json::json!("many"));
    assert!(evaluate(&county, &[], &schools, &Params::new(&values)).is_err());
}

#[test]
fn inspector_training_is_the_share_trained_40_hours() {
    let finding = find(&run(&county(), &[zone(4.0, 3.0), zone(2.0, 2.0)], &[]), &INSPECTOR_TRAINING);
    assert_eq!((finding.value, finding.status), (Some(5.0 / 6.0), Status::NotMet));
    assert_eq!(find(&run(&county(), &[], &[]), &INSPECTOR_TRAINING).status, Status::NotApplicable);
    assert!(evaluate(&county(), &[zone(2.0, 3.0)], &[], &Params::default()).is_err(), "more trained than staffed");
}

#[test]
fn principal_term_inspection_counts_only_terms_that_ended() {
    let mut a = school("A", "primary", 300.0, 0.0);
    a.principal_term_ended = true;
    a.principal_term_inspected = true;
    let mut b = school("B", "primary", 300.0, 0.0);
    b.principal_term_ended = true;
    let mut c = school("C", "primary", 300.0, 0.0);
    c.principal_term_inspected = true; // term not ended: not counted
    let finding = find(&run(&county(), &[], &[a, b, c]), &PRINCIPAL_TERM_INSPECTION);
    assert_eq!((finding.value, finding.status), (Some(0.5), Status::NotMet));
}

#[test]
fn rectification_rate_is_completed_over_issues() {
    let mut county = county();
    county.rectification_completed = 34.0;
    let finding = find(&run(&county, &[], &[]), &RECTIFICATION);
    assert_eq!((finding.value, finding.status), (Some(0.85), Status::NotMet));
    county.rectification_issues = 0.0;
    county.rectification_completed = 0.0;
    assert_eq!(find(&run(&county, &[], &[]), &RECTIFICATION).status, Status::NotApplicable);
}

#[test]
fn school_size_limits_are_2000_and_2500_for_nine_year_schools() {
    let schools = [
        school("A", "primary", 2000.0, 0.0),      // at the limit: meets
        school("B", "junior", 0.0, 2001.0),       // above
        school("C", "nine_year", 1500.0, 1000.0), // 2500 nine-year: meets
        school("D", "nine_year", 1501.0, 1000.0), // 2501: above
    ];
    let finding = find(&run(&county(), &[], &schools), &SCHOOL_SIZE);
    assert_eq!((finding.value, finding.status), (Some(0.5), Status::NotMet));
    assert_eq!(finding.note.as_deref(), Some("2/4 所学校达标；未达标：学校B（2001人）、学校D（2501人）"));
}

#[test]
fn class_size_limits_are_45_and_50() {
    let mut a = school("A", "nine_year", 400.0, 300.0);
    assert!(class_size_ok(&a).expect("classes"));
    a.junior_max_class_size = 51.0;
    assert!(!class_size_ok(&a).expect("classes"));
    let mut b = school("B", "primary", 400.0, 0.0);
    b.primary_max_class_size = 46.0;
    assert!(!class_size_ok(&b).expect("classes"));
    // A junior school's empty primary stage is not judged.
    let mut c = school("C", "junior", 0.0, 400.0);
    c.primary_max_class_size = 99.0;
    assert!(class_size_ok(&c).expect("classes"));
    c.junior_classes = 0.0;
    assert!(class_size_ok(&c).is_err(), "students without classes are refused");
}

#[test]
fn small_village_schools_are_funded_as_if_they_had_100_students() {
    let county = county();
    let mut point = school("T", "primary", 40.0, 0.0);
    point.kind = "teaching_point".to_owned();
    point.location = "rural".to_owned();
    assert_eq!(small_school_required_funds(&point, &county), Some(72_000.0));
    // A teaching point is covered wherever it is; its rate is weighted by its stages:
    // (60 × 720 + 30 × 940) / 90 × 100 = 79 333.3…
    let mut mixed = school("M", "nine_year", 60.0, 30.0);
    mixed.kind = "teaching_point".to_owned();
    mixed.location = "town".to_owned();
    let required = small_school_required_funds(&mixed, &county).expect("covered");
    assert!((required - (60.0 * 720.0 + 30.0 * 940.0) / 90.0 * 100.0).abs() < 1e-9);
    let mut village = school("V", "primary", 80.0, 0.0);
    village.location = "rural".to_owned();
    assert_eq!(small_school_required_funds(&village, &county), Some(72_000.0));
    // Not covered: 100 students or more, a town primary school, a rural junior or nine-year
    // school (the text names 村小学 and 教学点 only), a private school.
    village.primary_students = 100.0;
    assert_eq!(small_school_required_funds(&village, &county), None);
    assert_eq!(small_school_required_funds(&school("U", "primary", 80.0, 0.0), &county), None);
    let mut junior = school("J", "junior", 0.0, 90.0);
    junior.location = "rural".to_owned();
    assert_eq!(small_school_required_funds(&junior, &county), None);
    let mut nine = school("N", "nine_year", 60.0, 30.0);
    nine.location = "rural".to_owned();
    assert_eq!(small_school_required_funds(&nine, &county), None);
    let mut private = point.clone();
    private.ownership = "private".to_owned();
    assert_eq!(small_school_required_funds(&private, &county), None);

    point.public_funds_yuan = 72_000.0;
    point.teacher_training_funds_yuan = 3_600.0;
    let mut short = point.clone();
    short.id = "T2".to_owned();
    short.public_funds_yuan = 40.0 * 720.0;
    short.teacher_training_funds_yuan = 1_440.0;
    let finding = find(&run(&county, &[], &[point, short]), &SMALL_SCHOOL_FUNDING);
    assert_eq!((finding.value, finding.status), (Some(0.5), Status::NotMet));
    assert_eq!(find(&run(&county, &[], &[]), &SMALL_SCHOOL_FUNDING).status, Status::NotApplicable);
}

#[test]
fn music_and_art_rooms_are_one_each_per_12_classes_teaching_points_aside() {
    assert_eq!(rooms_needed(12.0, 12.0), 1.0);
    assert_eq!(rooms_needed(13.0, 12.0), 2.0);
    assert_eq!(rooms_needed(0.0, 12.0), 0.0);
    let mut a = school("A", "primary", 1000.0, 0.0); // 25 classes → 3 rooms each
    a.art_rooms = 2.0;
    let mut point = school("T", "primary", 30.0, 0.0);
    point.kind = "teaching_point".to_owned();
    point.music_rooms = 0.0;
    let finding = find(&run(&county(), &[], &[a, point]), &MUSIC_ART_ROOMS);
    assert_eq!((finding.value, finding.status), (Some(0.0), Status::NotMet));
    assert_eq!(finding.note.as_deref(), Some("0/1 所学校达标；未达标：学校A（应各配3间，音乐3间、美术2间）"));
}

#[test]
fn music_rooms_under_96_square_metres_and_art_rooms_under_90_miss_the_standard() {
    let mut small_music = school("A", "primary", 400.0, 0.0);
    small_music.music_room_min_area_m2 = 95.5;
    let mut small_art = school("B", "primary", 400.0, 0.0);
    small_art.art_room_min_area_m2 = 89.0;
    let finding =
        find(&run(&county(), &[], &[small_music, small_art, school("C", "junior", 0.0, 400.0)]), &MUSIC_ART_ROOMS);
    assert_eq!(finding.value, Some(1.0 / 3.0));
    assert_eq!(
        finding.note.as_deref(),
        Some(
            "1/3 所学校达标；未达标：学校A（最小音乐教室95.5m²，应不小于96m²）、学校B（最小美术教室89m²，应不小于90m²）"
        )
    );
}

#[test]
fn teacher_ratios_and_balance_shares_follow_their_parameters() {
    let mut county = county();
    county.teacher_avg_salary_yuan = 87_300.0;
    county.certified_teachers = 970.0;
    county.teachers_exchanged = 24.0;
    county.backbone_teachers_exchanged = 4.0;
    county.quality_high_school_places_allocated = 360.0;
    county.migrant_children_public = 800.0;
    let findings = run(&county, &[], &[]);
    assert_eq!(find(&findings, &SALARY_PARITY).value, Some(0.97));
    assert_eq!(find(&findings, &CERTIFIED).status, Status::NotMet);
    assert_eq!(find(&findings, &EXCHANGE).value, Some(0.08));
    assert_eq!(find(&findings, &BACKBONE_EXCHANGE).value, Some(4.0 / 24.0));
    assert_eq!(find(&findings, &QUOTA_ALLOCATION).status, Status::NotMet);
    assert_eq!(find(&findings, &MIGRANT_CHILDREN).status, Status::NotMet);
    // A plan that accepts 8% exchange and 80% migrant children.
    let mut values = Record::new();
    values.insert("teacher_exchange_min".to_owned(), serde_json::json!(0.08));
    values.insert("migrant_children_public_min".to_owned(), serde_json::json!(0.8));
    let findings = evaluate(&county, &[], &[], &Params::new(&values)).expect("evaluates");
    assert_eq!(find(&findings, &EXCHANGE).status, Status::Met);
    assert_eq!(find(&findings, &MIGRANT_CHILDREN).status, Status::Met);
}

#[test]
fn every_rule_is_in_the_manifest_with_its_threshold_source_and_scoring() {
    let manifest = manifest();
    let names: Vec<String> = manifest.parameters.iter().map(|p| p.name.clone()).collect();
    for rule in RULES {
        let node = manifest.node(rule.id).unwrap_or_else(|| panic!("{} in the manifest", rule.id));
        assert_eq!(node.level, Some(Level::County));
        assert_eq!(node.thresholds.len(), 1, "{}", rule.id);
        let threshold = &node.thresholds[0];
        assert_eq!((threshold.op, threshold.value), (rule.op, rule.bound), "{}", rule.id);
        assert!(!threshold.source.document.trim().is_empty() && !threshold.source.item.trim().is_empty());
        assert!(node.scoring.is_some() && node.weight.is_some(), "{} is scored and weighted", rule.id);
        if let Some(param) = rule.param {
            assert!(names.iter().any(|name| name == param), "{param} declared");
            assert!(threshold.source.item.contains("原文未经核对"), "{} flagged as unverified wording", rule.id);
            let declared = manifest.parameters.iter().find(|p| p.name == param).expect("declared");
            assert_eq!(declared.default.as_f64(), Some(rule.bound));
        }
    }
    let leaves = manifest.nodes().into_iter().filter(|node| node.level.is_some()).count();
    assert_eq!(leaves, RULES.len());
    for node in manifest.nodes() {
        assert!(node.weight.is_some(), "{} weighted", node.id);
    }
    let vetoes: Vec<&str> =
        manifest.nodes().into_iter().filter(|node| node.veto.is_some()).map(|node| node.id.as_str()).collect();
    assert_eq!(
        vetoes,
        [
            NO_EXAM_ADMISSION.id,
            NO_ILLEGAL_SCHOOL_CHOICE.id,
            NO_KEY_SCHOOLS.id,
            NO_UNFILLED_POSTS.id,
            NO_MAJOR_INCIDENT.id,
            NO_FALSIFICATION.id,
            SOCIAL_RECOGNITION.id
        ]
    );
    assert_eq!(manifest.grades.len(), 4);
}

#[test]
fn the_pack_evaluates_county_units_only() {
    let unit = Unit::new(Level::School, &Record::new());
    let error = GovernmentDuty::evaluate(&unit).expect_err("refused");
    assert_eq!(error.message(), "government-duty does not evaluate school units");
}
