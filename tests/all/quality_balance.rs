//! The quality-balance pack over real-shaped data: snapshots of the fixtures, an independent
//! re-computation of every value and status, determinism across thread counts and formats.

use std::collections::HashMap;

use rules_sdk::wire::Status;

use crate::support;

#[test]
fn fixture_results_match_the_reviewed_snapshots() {
    let pack = support::quality_balance();
    insta::glob!("../../fixtures", "*/counties.csv", |path| {
        let data = path.parent().expect("dataset folder");
        let evaluation = support::evaluate(&[&pack], data);
        assert!(evaluation.failures().is_empty());
        // The county lines first (what an inspector reads), then every school part.
        let csv = dudao_publish::results::csv(&evaluation);
        let (header, body) = csv.split_once('\n').expect("header");
        let county: Vec<&str> = body.lines().filter(|line| line.contains(",county,")).collect();
        insta::assert_snapshot!("county", format!("{header}\n{}", county.join("\n")));
        insta::assert_snapshot!("all", csv);
    });
}

/// An independent implementation of the data dictionary, written from the text without
/// looking at the pack: R × P / (P + 1.1 J) apportioning, the textbook weighted CV. The
/// thresholds are a parameter so that `authoring.rs` can predict the impact of changing one.
pub(crate) mod reference {
    use std::collections::BTreeMap;

    /// (indicator key, column, per 100 students, 小学 threshold, 初中 threshold).
    pub type Key = (&'static str, &'static str, bool, f64, f64);

    pub const KEYS: [Key; 7] = [
        ("qualified_teachers_per100", "qualified_teachers", true, 4.2, 5.3),
        ("backbone_teachers_per100", "backbone_teachers", true, 1.0, 1.0),
        ("pe_art_teachers_per100", "pe_art_teachers", true, 0.9, 0.9),
        ("teaching_area_per_student", "teaching_area_m2", false, 4.5, 5.8),
        ("sports_area_per_student", "sports_area_m2", false, 7.5, 10.2),
        ("equipment_value_per_student", "equipment_value_yuan", false, 2000.0, 2500.0),
        ("multimedia_rooms_per100", "multimedia_rooms", true, 2.3, 2.4),
    ];

    pub struct Part {
        pub id: String,
        pub county: String,
        pub junior: bool,
        pub students: f64,
        pub values: Vec<f64>,
        pub included: bool,
    }

    fn at_least(value: f64, bound: f64) -> bool {
        value >= bound - 1e-9 * bound.abs().max(1.0)
    }

    pub fn parts(schools_csv: &str, keys: &[Key]) -> Vec<Part> {
        let mut lines = schools_csv.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
        let mut parts = Vec::new();
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            let num = |name: &str| cells[col(name)].parse::<f64>().expect("number");
            let (p, j) = (num("primary_students"), num("junior_students"));
            let small_point = |students: f64| cells[col("kind")] == "teaching_point" && students < 50.0;
            let id = cells[col("id")].to_owned();
            let county = cells[col("county_id")].to_owned();
            let totals: Vec<f64> = keys.iter().map(|k| num(k.1)).collect();
            let per = |total: f64, share: f64, students: f64, per100: bool| {
                total * share / students * if per100 { 100.0 } else { 1.0 }
            };
            let make = |suffix: &str, junior: bool, students: f64, share: f64| Part {
                id: format!("{id}{suffix}"),
                county: county.clone(),
                junior,
                students,
                values: keys.iter().zip(&totals).map(|(k, t)| per(*t, share, students, k.2)).collect(),
                included: !small_point(students),
            };
            match cells[col("stage")] {
                "primary" => parts.push(make("", false, p, 1.0)),
                "junior" => parts.push(make("", true, j, 1.0)),
                _ => {
                    parts.push(make(":primary", false, p, p / (p + 1.1 * j)));
                    parts.push(make(":junior", true, j, 1.1 * j / (p + 1.1 * j)));
                }
            }
        }
        parts
    }

    /// (subject, indicator) → (value, status).
    pub fn results(schools_csv: &str, keys: &[Key]) -> BTreeMap<(String, String), (Option<f64>, &'static str)> {
        let parts = parts(schools_csv, keys);
        let mut out = BTreeMap::new();
        let meets_standard = |part: &Part| {
            let mut met = 0;
            let mut low = false;
            for (k, value) in keys.iter().zip(&part.values) {
                let bound = if part.junior { k.4 } else { k.3 };
                if at_least(*value, bound) {
                    met += 1;
                } else if !at_least(*value, 0.85 * bound) {
                    low = true;
                }
            }
            (met, met >= 6 && !low)
        };
        for part in &parts {
            for (index, k) in keys.iter().enumerate() {
                let key = (part.id.clone(), format!("qb.school.{}", k.0));
                if !part.included {
                    out.insert(key, (None, "not_applicable"));
                    continue;
                }
                let bound = if part.junior { k.4 } else { k.3 };
                let value = part.values[index];
                out.insert(key, (Some(value), if at_least(value, bound) { "met" } else { "not_met" }));
            }
            let key = (part.id.clone(), "qb.school.resource_standard".to_owned());
            if part.included {
                let (met, ok) = meets_standard(part);
                out.insert(key, (Some(met as f64), if ok { "met" } else { "not_met" }));
            } else {
                out.insert(key, (None, "not_applicable"));
            }
        }
        let mut counties: Vec<&str> = parts.iter().map(|p| p.county.as_str()).collect();
        counties.dedup();
        for county in counties {
            for (junior, stage, limit) in [(false, "primary", 0.50), (true, "junior", 0.45)] {
                let group: Vec<&Part> =
                    parts.iter().filter(|p| p.county == county && p.junior == junior && p.included).collect();
                if group.is_empty() {
                    continue;
                }
                let n: f64 = group.iter().map(|p| p.students).sum();
                for (index, k) in keys.iter().enumerate() {
                    let mean = group.iter().map(|p| p.students * p.values[index]).sum::<f64>() / n;
                    let var = group.iter().map(|p| p.students / n * (p.values[index] - mean).powi(2)).sum::<f64>();
                    let cv = var.sqrt() / mean;
                    let status = if cv <= limit + 1e-9 { "met" } else { "not_met" };
                    out.insert((county.to_owned(), format!("qb.county.cv.{}.{stage}", k.0)), (Some(cv), status));
                }
                let meeting = group.iter().filter(|p| meets_standard(p).1).count();
                let share = meeting as f64 / group.len() as f64;
                let status = if meeting == group.len() { "met" } else { "not_met" };
                out.insert(
                    (county.to_owned(), format!("qb.county.schools_meeting_standard.{stage}")),
                    (Some(share), status),
                );
            }
        }
        out
    }
}

fn check_against_reference(dataset: &str) {
    let data = support::fixture(dataset);
    let schools = std::fs::read_to_string(data.join("schools.csv")).expect("fixture");
    let expected = reference::results(&schools, &reference::KEYS);
    let evaluation = support::evaluate(&[&support::quality_balance()], &data);
    let rows = dudao_publish::results::rows(&evaluation);
    let mut actual: HashMap<(String, String), (Option<f64>, Status)> = HashMap::new();
    for row in rows {
        actual.insert((row.subject_id.clone(), row.indicator_id.to_owned()), (row.value, row.status));
    }
    assert_eq!(actual.len(), expected.len(), "{dataset}: same number of results");
    for (key, (value, status)) in &expected {
        let (got_value, got_status) = actual.get(key).unwrap_or_else(|| panic!("{dataset}: missing {key:?}"));
        assert_eq!(got_status.as_str(), *status, "{dataset}: status of {key:?}");
        match (value, got_value) {
            (Some(want), Some(got)) => {
                let relative = (want - got).abs() / want.abs().max(1e-12);
                assert!(relative <= 1e-6 || (want - got).abs() < 1e-12, "{dataset}: {key:?} = {got}, expected {want}");
            }
            (None, None) => {}
            other => panic!("{dataset}: {key:?} values differ: {other:?}"),
        }
    }
}

#[test]
fn jiaozuo_matches_an_independent_computation() {
    check_against_reference("jiaozuo");
}

#[test]
fn another_city_matches_an_independent_computation() {
    check_against_reference("xinxiang");
}

#[test]
fn the_previous_period_of_jiaozuo_matches_an_independent_computation() {
    check_against_reference("jiaozuo-2025");
}

#[test]
fn output_is_byte_identical_on_any_thread_count() {
    let pack = support::quality_balance();
    let data = support::fixture("jiaozuo");
    let runs: Vec<(String, String)> = [1, 2, 4]
        .into_iter()
        .map(|threads| {
            let evaluation = support::evaluate_with(Default::default(), &[&pack], &data, Some(threads));
            (dudao_publish::results::csv(&evaluation), dudao_publish::results::json(&evaluation, None))
        })
        .collect();
    assert!(runs.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn a_json_dataset_gives_the_same_results_as_the_csv_folder() {
    let pack = support::quality_balance();
    let from_csv = support::evaluate(&[&pack], &support::fixture("jiaozuo"));
    let from_json = support::evaluate(&[&pack], &support::fixture("jiaozuo.json"));
    assert_eq!(dudao_publish::results::csv(&from_csv), dudao_publish::results::csv(&from_json));
}

#[test]
fn the_fixture_edge_schools_sit_exactly_on_the_thresholds() {
    let evaluation = support::evaluate(&[&support::quality_balance()], &support::fixture("jiaozuo"));
    let rows = dudao_publish::results::rows(&evaluation);
    let find = |name: &str, indicator: &str| {
        rows.iter()
            .find(|row| row.subject_name == name && row.indicator_id == indicator)
            .unwrap_or_else(|| panic!("{name} {indicator}"))
            .clone()
    };
    // 21 teachers × 100 / 500 students = 4.2, the 小学 threshold: equal meets.
    let exact = find("温县实验小学", "qb.school.qualified_teachers_per100");
    assert_eq!((exact.value, exact.status), (Some(4.2), Status::Met));
    // Sports area 6.375 m² = 85% of 7.5: not met, yet the school standard holds (6 of 7, ≥ 85%).
    let sports = find("温县育才小学", "qb.school.sports_area_per_student");
    assert_eq!((sports.value, sports.status), (Some(6.375), Status::NotMet));
    let standard = find("温县育才小学", "qb.school.resource_standard");
    assert_eq!((standard.value, standard.status), (Some(6.0), Status::Met));
}

#[test]
fn every_county_level_unit_of_jiaozuo_is_evaluated_and_some_pass_and_some_fail() {
    let evaluation = support::evaluate(&[&support::quality_balance()], &support::fixture("jiaozuo"));
    let rows = dudao_publish::results::rows(&evaluation);
    let counties = &evaluation.prepared.subjects[&rules_sdk::wire::Level::County];
    assert_eq!(counties.len(), 11);
    let mut passing = 0;
    for county in counties {
        let own: Vec<_> = rows.iter().filter(|row| row.subject_id == county.id).collect();
        assert!(!own.is_empty(), "{} has county results", county.name);
        if own.iter().all(|row| row.status == Status::Met) {
            passing += 1;
        }
    }
    assert!(passing > 0 && passing < 11, "{passing} of 11 counties pass");
}
