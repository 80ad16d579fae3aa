//! `dudao explain`: why a subject got its result, checked node by node against the score
//! cards of the round's JSON record.

use std::process::Command;

use serde_json::Value;

use crate::support;

fn dudao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dudao")).args(args).current_dir(support::root()).output().expect("dudao runs")
}

fn build_plan_packs() {
    for krate in [
        "rules/quality-balance",
        "rules/government-duty",
        "rules/school-supervision",
        "rules/quality-monitoring",
        "rules/local/wenxian-taiji",
        "rules/local/xiuwu-afterschool",
    ] {
        support::pack_path(krate);
    }
}

const PLAN: &str = "fixtures/plans/jiaozuo-2026.toml";

fn json(args: &[&str]) -> Value {
    let output = dudao(args);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// Every scored node of `tree` by id: (score, weight).
fn scored(tree: &Value, out: &mut Vec<(String, f64, f64)>) {
    for node in tree.as_array().into_iter().flatten() {
        out.push((
            node["id"].as_str().expect("id").to_owned(),
            node["score"].as_f64().expect("score"),
            node["weight"].as_f64().expect("weight"),
        ));
        scored(&node["children"], out);
    }
}

fn explained(nodes: &Value, out: &mut Vec<(String, f64, f64)>) {
    for node in nodes.as_array().into_iter().flatten() {
        if let Some(score) = node["score"].as_f64() {
            out.push((node["id"].as_str().expect("id").to_owned(), score, node["weight"].as_f64().expect("weight")));
        }
        explained(&node["children"], out);
    }
}

#[test]
fn explain_agrees_with_every_node_of_the_score_cards_of_results_json() {
    build_plan_packs();
    let record = json(&["run", "--plan", PLAN, "--data", "fixtures/jiaozuo", "--format", "json"]);
    let subjects = record["subjects"].as_array().expect("subjects");
    let counties: Vec<&Value> = subjects.iter().filter(|subject| subject["level"] == "county").collect();
    assert_eq!(counties.len(), 11);
    // Every county, and one school, one zone.
    let mut checked: Vec<&Value> = counties;
    checked.extend(subjects.iter().find(|subject| subject["level"] == "school"));
    checked.extend(subjects.iter().find(|subject| subject["level"] == "zone"));
    for subject in checked {
        let id = subject["id"].as_str().expect("id");
        let explanation =
            json(&["explain", "--plan", PLAN, "--data", "fixtures/jiaozuo", "--subject", id, "--format", "json"]);
        assert_eq!(explanation["name"], subject["name"], "{id}");
        for card in subject["scores"].as_array().into_iter().flatten() {
            let pack = card["pack"].as_str().expect("pack");
            let explained_pack = explanation["packs"]
                .as_array()
                .expect("packs")
                .iter()
                .find(|entry| entry["pack"] == pack)
                .unwrap_or_else(|| panic!("{id}: pack {pack} not explained"));
            assert_eq!(explained_pack["total"], card["total"], "{id} {pack} total");
            assert_eq!(explained_pack["grade"], card["grade"], "{id} {pack} grade");
            let (mut want, mut got) = (Vec::new(), Vec::new());
            scored(&card["tree"], &mut want);
            explained(&explained_pack["indicators"], &mut got);
            want.sort_by(|a, b| a.0.cmp(&b.0));
            got.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got, want, "{id} {pack}: every scored node, its score and weight");
        }
        // Every result of the subject appears under its indicator with the same value and status.
        for result in subject["results"].as_array().into_iter().flatten().filter(|result| result["rollup"].is_null()) {
            let pack = explanation["packs"].as_array().expect("packs").iter().find(|p| p["pack"] == result["pack"]);
            let pack = pack.unwrap_or_else(|| panic!("{id}: pack of {result} not explained"));
            let line = find(&pack["indicators"], result["indicator"].as_str().expect("indicator"))
                .unwrap_or_else(|| panic!("{id}: {result} not explained"));
            assert!(
                line["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r["value"] == result["value"] && r["status"] == result["status"]),
                "{id}: {result} vs {line}"
            );
        }
        if let Some(overall) = subject.get("overall").filter(|overall| !overall.is_null()) {
            assert_eq!(explanation["overall"]["total"], overall["total"], "{id}");
            assert_eq!(explanation["overall"]["grade"], overall["grade"], "{id}");
        }
    }
}

fn find<'a>(nodes: &'a Value, id: &str) -> Option<&'a Value> {
    nodes.as_array()?.iter().find_map(|node| if node["id"] == id { Some(node) } else { find(&node["children"], id) })
}

#[test]
fn explain_says_why_macun_is_graded_unqualified() {
    build_plan_packs();
    let output = dudao(&["explain", "--plan", PLAN, "--data", "fixtures/jiaozuo", "--subject", "410804"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("马村区（410804）"), "{text}");
    assert!(text.contains("等级 不合格"), "{text}");
    // The veto that caps the grade is worded as the finding, with the indicator it fired on.
    assert!(text.contains("一票否决：存在重点学校或重点班"), "{text}");
    assert!(text.contains("否决项（已触发）"), "{text}");
    // Thresholds come with their source.
    assert!(text.contains("依据《"), "{text}");

    // One indicator only.
    let output = dudao(&[
        "explain",
        "--plan",
        PLAN,
        "--data",
        "fixtures/jiaozuo",
        "--subject",
        "410804",
        "--indicator",
        "gd.value.no_key_schools",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("gd.value.no_key_schools"), "{text}");
    assert!(!text.contains("qb.county"), "{text}");
}

#[test]
fn explain_refuses_an_unknown_subject_or_indicator() {
    build_plan_packs();
    for extra in [["--subject", "999999"], ["--indicator", "no.such.indicator"]] {
        let mut args = vec!["explain", "--plan", PLAN, "--data", "fixtures/jiaozuo"];
        if extra[0] == "--indicator" {
            args.extend(["--subject", "410804"]);
        }
        args.extend(extra);
        let output = dudao(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(extra[1]), "{stderr}");
    }
}
