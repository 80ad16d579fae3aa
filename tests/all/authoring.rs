//! Authoring and changing rules: `dudao new` → `build` → `test` → `cargo test` on the
//! generated crate, `dudao diff` of a changed threshold against an independent computation,
//! `dudao test` reports, and the hand-written WAT pack.
//!
//! The tests that run cargo share build folders under `target/` (`scaffold` for wasm,
//! `scaffold-native` for the generated crate's own tests) so reruns are incremental; they take
//! a lock so that they never build at the same time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

use crate::quality_balance::reference;
use crate::support;

/// Held by every test that runs cargo.
fn cargo_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `dudao` in `dir`. Cargo runs offline in these tests: the crates a pack needs are
/// those the workspace itself was built with, so no network is needed and the versions
/// resolved are ones already downloaded.
fn dudao(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("dudao runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn report(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    )
}

/// The hand-written WAT pack of the repository.
fn wat_pack() -> PathBuf {
    support::root().join("rules/wat-example/pack.wat")
}

#[test]
fn a_new_pack_builds_tests_and_passes_its_snapshot_as_generated() {
    let _cargo = cargo_lock();
    let root = support::root();
    let work = tempfile::tempdir().expect("folder");

    let output = dudao(&["new", "taiji", "--rust", "--county", "410825", "--dir", "packs"], work.path());
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("pack id `410825-taiji`, indicator `410825.taiji.backbone_teachers_per100`"), "{stdout}");
    assert!(stdout.contains("next steps:"), "{stdout}");
    let krate = work.path().join("packs/taiji");
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    assert!(manifest.contains(r#"crate-type = ["cdylib", "rlib"]"#), "{manifest}");
    let sdk = std::fs::canonicalize(root.join("rules-sdk")).expect("sdk");
    assert!(manifest.contains(&format!("rules-sdk = {{ path = \"{}\" }}", sdk.display())), "{manifest}");

    // A second `new` into the same folder is refused and changes nothing.
    let again = dudao(&["new", "taiji", "--rust", "--dir", "packs"], work.path());
    assert_eq!(again.status.code(), Some(2), "{}", report(&again));
    assert!(text(&again.stderr).contains("already exists and is not an empty folder"), "{}", report(&again));

    // build: the module lands in the crate's target/packs, with its size and sha256.
    let wasm_target = root.join("target/scaffold");
    let output = dudao(&["build", ".", "--quiet", "--target-dir", path(&wasm_target)], &krate);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let module = krate.join("target/packs/taiji.wasm");
    let sha = dudao_engine::pack::sha256_hex(&std::fs::read(&module).expect("module"));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("built pack `410825-taiji` 0.1.0"), "{stdout}");
    assert!(stdout.contains(&format!("sha256 {sha}")) && stdout.contains(" bytes"), "{stdout}");

    // test: the generated cases pass and cover the indicator; `cases/` is found by default.
    let output = dudao(&["test", "target/packs/taiji.wasm"], &krate);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("PASS  threshold") && stdout.contains("PASS  no-students"), "{stdout}");
    assert!(stdout.contains("coverage: 1 of 1 indicators"), "{stdout}");

    // cargo test: unit tests and the accepted snapshot, without touching anything.
    let snapshot = krate.join("tests/snapshots/fixtures__sample.snap");
    let accepted = std::fs::read_to_string(&snapshot).expect("snapshot");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--quiet"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", root.join("target/scaffold-native"))
        .env("INSTA_UPDATE", "no")
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("INSTA_FORCE_PASS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", report(&output));
    assert_eq!(std::fs::read_to_string(&snapshot).expect("snapshot"), accepted);
    assert!(!krate.join("tests/snapshots/fixtures__sample.snap.new").exists());
}

#[test]
fn new_names_pack_and_indicators_after_the_county_only_when_given_and_refuses_bad_names() {
    let work = tempfile::tempdir().expect("folder");
    let output = dudao(&["new", "reading-room", "--rust"], work.path());
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let lib = std::fs::read_to_string(work.path().join("reading-room/src/lib.rs")).expect("lib.rs");
    assert!(lib.contains(r#"pub const PACK_ID: &str = "reading-room";"#), "{lib}");
    assert!(lib.contains(r#""reading-room.backbone_teachers_per100""#), "{lib}");
    assert!(lib.contains("pub struct ReadingRoom;") && lib.contains("rules_sdk::export_pack!(ReadingRoom);"), "{lib}");
    let snapshot =
        std::fs::read_to_string(work.path().join("reading-room/tests/snapshots/fixtures__sample.snap")).expect("snap");
    assert!(snapshot.contains("indicator: reading-room.backbone_teachers_per100"), "{snapshot}");

    // An existing empty folder is fine.
    std::fs::create_dir(work.path().join("empty")).expect("folder");
    assert_eq!(dudao(&["new", "empty"], work.path()).status.code(), Some(0));

    for (args, message) in [
        (&["new", "Taiji"][..], "cannot name a pack"),
        (&["new", "9lives"][..], "cannot name a pack"),
        (&["new", "test"][..], "reserved"),
        (&["new", "ok", "--county", "4108"][..], "is not a county code"),
        (&["new", "ok", "--rust", "--sdk", "/nonexistent/sdk"][..], "the rules SDK is not at"),
    ] {
        let output = dudao(args, work.path());
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", report(&output));
        assert!(text(&output.stderr).contains(message), "{args:?}: {}", report(&output));
    }
    assert!(!work.path().join("ok").exists());
    // Nothing half-made was left behind.
    let left: Vec<String> = std::fs::read_dir(work.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["empty".to_owned(), "reading-room".to_owned()])
    );
}

/// Builds a copy of quality-balance whose 初中 threshold of 每百名学生拥有高于规定学历教师数 is
/// 5.0 instead of 5.3, as a standalone crate.
fn quality_balance_with_junior_qualified_threshold_5(work: &Path) -> PathBuf {
    let root = support::root();
    let krate = work.join("quality-balance");
    std::fs::create_dir_all(krate.join("src")).expect("folder");
    for entry in std::fs::read_dir(root.join("rules/quality-balance/src")).expect("sources") {
        let entry = entry.expect("entry");
        let mut source = std::fs::read_to_string(entry.path()).expect("source");
        if entry.file_name() == "measure.rs" {
            assert_eq!(source.matches("junior: 5.3,").count(), 1, "the threshold to change");
            source = source.replace("junior: 5.3,", "junior: 5.0,");
        }
        std::fs::write(krate.join("src").join(entry.file_name()), source).expect("copy");
    }
    // The original inherits from the workspace; the copy stands alone, with the same versions.
    let sdk = root.join("rules-sdk");
    let original = std::fs::read_to_string(root.join("rules/quality-balance/Cargo.toml")).expect("Cargo.toml");
    let version = original
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the pack's own version");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"quality-balance\"\nversion = \"{version}\"\nedition = \"2024\"\npublish = false\n\n\
             [workspace]\n\n[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n\n[dependencies]\n\
             rules-sdk = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n",
            sdk.display().to_string()
        ),
    )
    .expect("Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).expect("Cargo.lock");
    let output = dudao(
        &[
            "build",
            path(&krate),
            "--quiet",
            "--out-dir",
            path(work),
            "--target-dir",
            path(&root.join("target/scaffold")),
        ],
        work,
    );
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    work.join("quality-balance.wasm")
}

#[test]
fn diff_of_a_changed_threshold_lists_exactly_the_subjects_whose_results_change() {
    let old = support::quality_balance();
    let work = tempfile::tempdir().expect("folder");
    let new = {
        let _cargo = cargo_lock();
        quality_balance_with_junior_qualified_threshold_5(work.path())
    };
    let root = support::root();
    let output = dudao(
        &["diff", "--old", path(&old), "--new", path(&new), "--data", "fixtures/jiaozuo", "--format", "json"],
        &root,
    );
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    let impact: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(impact["changed"], true);

    // The manifest change: one threshold, with its source.
    let changed = &impact["manifest"]["changed"];
    assert_eq!(changed.as_array().map(Vec::len), Some(1), "{changed:#}");
    assert_eq!(changed[0]["id"], "qb.school.qualified_teachers_per100");
    let threshold = &changed[0]["changes"][0];
    assert_eq!(threshold["what"], "threshold");
    assert_eq!(threshold["applies_to"], "junior");
    assert_eq!(threshold["op"], ">=");
    assert_eq!((threshold["old"]["value"].as_f64(), threshold["new"]["value"].as_f64()), (Some(5.3), Some(5.0)));
    assert!(
        threshold["new"]["source"]["item"]
            .as_str()
            .is_some_and(|item| item.starts_with("第六条第（一）项（“每百名学生")),
        "{threshold:#}"
    );
    assert!(impact["manifest"]["added"].as_array().is_some_and(Vec::is_empty));
    assert!(impact["manifest"]["version"].is_null());

    // The listed subjects are exactly those an independent computation says change.
    let schools = std::fs::read_to_string(support::fixture("jiaozuo").join("schools.csv")).expect("fixture");
    let mut lowered = reference::KEYS;
    assert_eq!(lowered[0].0, "qualified_teachers_per100");
    lowered[0].4 = 5.0;
    let before = reference::results(&schools, &reference::KEYS);
    let after = reference::results(&schools, &lowered);
    let expected: BTreeSet<(String, String)> = before
        .iter()
        .filter(|(key, (value, status))| {
            let (new_value, new_status) = &after[*key];
            status != new_status || !dudao_engine::impact::same_value(*value, *new_value)
        })
        .map(|(key, _)| key.clone())
        .collect();
    let mut listed = BTreeSet::new();
    for indicator in impact["indicators"].as_array().expect("indicators") {
        let id = indicator["indicator_id"].as_str().expect("id");
        let changes = indicator["changes"].as_array().expect("changes");
        assert_eq!(
            indicator["value_changed"].as_u64().unwrap_or(0) as usize,
            changes.iter().filter(|c| c["value_changed"] == true).count()
        );
        assert_eq!(
            indicator["status_changed"].as_u64().unwrap_or(0) as usize,
            changes.iter().filter(|c| c["status_changed"] == true).count()
        );
        for change in changes {
            let subject = change["subject_id"].as_str().expect("subject").to_owned();
            let (old_status, new_status) = (&change["old"]["status"], &change["new"]["status"]);
            let key = (subject, id.to_owned());
            assert_eq!(old_status.as_str(), Some(before[&key].1), "{key:?}");
            assert_eq!(new_status.as_str(), Some(after[&key].1), "{key:?}");
            listed.insert(key);
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    // Flips reach past the changed indicator: the school standard (6 of 7, 85%) and the
    // counties' share of parts meeting it.
    let indicators: BTreeSet<&str> = expected.iter().map(|(_, indicator)| indicator.as_str()).collect();
    assert!(indicators.contains("qb.school.resource_standard"), "{indicators:?}");
    assert!(indicators.contains("qb.county.schools_meeting_standard.junior"), "{indicators:?}");

    // The readable form says the same; the CSV has one row per change.
    let output = dudao(&["diff", "--old", path(&old), "--new", path(&new), "--data", "fixtures/jiaozuo"], &root);
    assert_eq!(output.status.code(), Some(1));
    let table = text(&output.stdout);
    assert!(table.contains("threshold junior ≥: 5.3 → 5"), "{table}");
    assert!(table.contains("not_met → met"), "{table}");
    let csv_file = work.path().join("impact.csv");
    let output = dudao(
        &[
            "diff",
            "--old",
            path(&old),
            "--new",
            path(&new),
            "--data",
            "fixtures/jiaozuo",
            "--format",
            "csv",
            "-o",
            path(&csv_file),
        ],
        &root,
    );
    assert_eq!(output.status.code(), Some(1));
    let csv = std::fs::read_to_string(&csv_file).expect("written");
    assert!(
        csv.starts_with(
            "indicator_id,indicator_name,subject_id,subject_name,old_value,new_value,old_status,new_status,"
        )
    );
    assert_eq!(csv.lines().count(), expected.len() + 1, "{csv}");
}

#[test]
fn diff_of_a_pack_with_itself_is_empty_and_of_two_packs_is_refused() {
    let pack = support::quality_balance();
    let root = support::root();
    let output = dudao(
        &["diff", "--old", path(&pack), "--new", path(&pack), "--data", "fixtures/jiaozuo", "--format", "json"],
        &root,
    );
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let impact: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(impact["changed"], false);
    assert_eq!(impact["indicators"], serde_json::json!([]));
    assert_eq!(impact["manifest"]["changed"], serde_json::json!([]));
    assert!(impact["unchanged_indicators"].as_u64().is_some_and(|count| count > 0));
    let output = dudao(&["diff", "--old", path(&pack), "--new", path(&pack), "--data", "fixtures/jiaozuo"], &root);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("none: all"), "{}", report(&output));

    let output =
        dudao(&["diff", "--old", path(&pack), "--new", path(&wat_pack()), "--data", "fixtures/jiaozuo"], &root);
    assert_eq!(output.status.code(), Some(2), "{}", report(&output));
    assert!(text(&output.stderr).contains("is pack `quality-balance` but"), "{}", report(&output));
    assert!(text(&output.stderr).contains("is pack `wat-example`"), "{}", report(&output));
}

/// A cases folder with these cases: (name, files).
fn cases(list: &[(&str, &[(&str, &str)])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("folder");
    for (name, files) in list {
        std::fs::create_dir(dir.path().join(name)).expect("case folder");
        for (file, content) in *files {
            std::fs::write(dir.path().join(name).join(file), content).expect("case file");
        }
    }
    dir
}

const COUNTY: &str = "id,name,parent_id\n410825,温县,410800\n";
const SCHOOLS: &str = "id,name,county_id,primary_students,junior_students,backbone_teachers\n\
    S1,一小,410825,500,0,5\n\
    S2,二中,410825,0,301,3\n";
const INDICATOR: &str = "wat.school.backbone_shortfall";

#[test]
fn test_reports_passing_and_failing_cases_with_a_readable_diff() {
    let good = format!("subject_id,indicator_id,value,status\nS1,{INDICATOR},0,met\nS2,{INDICATOR},1,not_met\n");
    let bad = format!(
        "subject_id,indicator_id,value,status,note\nS1,{INDICATOR},2,met,wrong value\nS2,{INDICATOR},,met,wrong status\nS3,{INDICATOR},,met,no such school\n"
    );
    let dir = cases(&[
        ("good", &[("counties.csv", COUNTY), ("schools.csv", SCHOOLS), ("expected.csv", &good)]),
        ("bad", &[("counties.csv", COUNTY), ("schools.csv", SCHOOLS), ("expected.csv", &bad)]),
    ]);
    let root = support::root();
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path())], &root);
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("PASS  good  (2 expected rows checked)"), "{stdout}");
    assert!(stdout.contains("FAIL  bad  (3 of 3 expected rows differ; - expected, + actual)"), "{stdout}");
    for line in [
        format!("- S1,{INDICATOR},2,met"),
        format!("+ S1,{INDICATOR},0,met"),
        "value differs: expected 2, got 0".to_owned(),
        format!("- S2,{INDICATOR},,met"),
        format!("+ S2,{INDICATOR},1,not_met"),
        "status differs".to_owned(),
        format!("- S3,{INDICATOR},,met"),
        "+ (no such row)".to_owned(),
        "the pack produced no result for this subject and indicator".to_owned(),
        "(expected.csv row 4)".to_owned(),
        "2 cases: 1 passed, 1 failed, 0 broken".to_owned(),
    ] {
        assert!(stdout.contains(&line), "`{line}` missing from\n{stdout}");
    }

    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path()), "--format", "json"], &root);
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["summary"], serde_json::json!({"cases": 2, "passed": 1, "failed": 1, "broken": 0}));
    let bad_case = &record["cases"][0];
    assert_eq!((bad_case["name"].as_str(), bad_case["outcome"].as_str()), (Some("bad"), Some("fail")));
    let kinds: Vec<&str> =
        bad_case["mismatches"].as_array().expect("list").iter().filter_map(|m| m["kind"].as_str()).collect();
    assert_eq!(kinds, ["value", "status", "missing"]);
    assert_eq!(bad_case["mismatches"][0]["actual"]["value"].as_f64(), Some(0.0));
    assert_eq!(bad_case["mismatches"][0]["expected"]["row"], 2);
    assert_eq!(record["coverage"][0]["indicator"], INDICATOR);
    assert_eq!(record["uncovered"], serde_json::json!([]));
}

#[test]
fn test_lists_uncovered_indicators_and_fails_on_them_only_when_asked() {
    let only_met = format!("subject_id,indicator_id,value,status\nS1,{INDICATOR},0,met\n");
    let schools = "id,name,county_id,primary_students,junior_students,backbone_teachers\nS1,一小,410825,500,0,5\n";
    let dir =
        cases(&[("met-only", &[("counties.csv", COUNTY), ("schools.csv", schools), ("expected.csv", &only_met)])]);
    let root = support::root();
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path())], &root);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("coverage: 0 of 1 indicators"), "{stdout}");
    assert!(stdout.contains("warning: 1 indicators are not covered:"), "{stdout}");
    assert!(
        stdout.contains(&format!("{INDICATOR}  县级以上骨干教师缺口（按每百名学生1人）  (no case checks `not_met`)")),
        "{stdout}"
    );
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path()), "--require-coverage"], &root);
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path()), "--format", "json"], &root);
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["uncovered"], serde_json::json!([INDICATOR]));
    assert_eq!(record["coverage"][0]["met"], true);
    assert_eq!(record["coverage"][0]["not_met"], false);
}

#[test]
fn coverage_counts_only_the_results_a_case_checks() {
    // S2 is not met, but expected.csv names only S1: the case proves nothing about `not_met`.
    let only_s1 = format!("subject_id,indicator_id,value,status\nS1,{INDICATOR},0,met\n");
    let schools = "id,name,county_id,primary_students,junior_students,backbone_teachers\n\
                   S1,一小,410825,500,0,5\nS2,二小,410825,500,0,1\n";
    let dir = cases(&[("partial", &[("counties.csv", COUNTY), ("schools.csv", schools), ("expected.csv", &only_s1)])]);
    let root = support::root();
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path()), "--format", "json"], &root);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["coverage"][0]["met"], true);
    assert_eq!(record["coverage"][0]["not_met"], false, "S2's unchecked result counted: {record}");
    assert_eq!(record["uncovered"], serde_json::json!([INDICATOR]));
}

#[test]
fn test_fails_on_subjects_the_pack_fails_on_unless_expected_lists_them() {
    let hostile = support::hostile();
    let schools = "id,name,county_id,primary_students\nok1,一小,410825,5\npanic1,二小,410825,1\n";
    let silent = "subject_id,indicator_id,value,status\nok1,hostile.students,5,met\n";
    let listed = "subject_id,indicator_id,value,status\nok1,hostile.students,5,met\npanic1,,,error\n";
    let dir = cases(&[
        ("silent", &[("counties.csv", COUNTY), ("schools.csv", schools), ("expected.csv", silent)]),
        ("listed", &[("counties.csv", COUNTY), ("schools.csv", schools), ("expected.csv", listed)]),
    ]);
    let output = dudao(&["test", path(&hostile), "--cases", path(dir.path())], &support::root());
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("PASS  listed"), "{stdout}");
    assert!(stdout.contains("FAIL  silent"), "{stdout}");
    assert!(stdout.contains("+ panic1,,,error"), "{stdout}");
    assert!(stdout.contains("the pack failed on a subject expected.csv does not list"), "{stdout}");
    assert!(stdout.contains("note: panicked: deliberate panic"), "{stdout}");
}

#[test]
fn test_exits_2_on_broken_cases_and_without_a_cases_folder() {
    let dir = cases(&[
        ("no-data", &[("expected.csv", "subject_id,indicator_id,value,status\n")]),
        (
            "bad-status",
            &[
                ("counties.csv", COUNTY),
                ("schools.csv", SCHOOLS),
                ("expected.csv", "subject_id,indicator_id,value,status\nS1,x,1,ok\n"),
            ],
        ),
        (
            "bad-header",
            &[("counties.csv", COUNTY), ("schools.csv", SCHOOLS), ("expected.csv", "subject,indicator,value,status\n")],
        ),
        (
            "bad-data",
            &[
                ("counties.csv", COUNTY),
                ("schools.csv", "id,name,county_id,primary_students\nS1,一小,410825,5\n"),
                ("expected.csv", "subject_id,indicator_id,value,status\n"),
            ],
        ),
    ]);
    let root = support::root();
    let output = dudao(&["test", path(&wat_pack()), "--cases", path(dir.path())], &root);
    assert_eq!(output.status.code(), Some(2), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("BROKEN  no-data\n        case `no-data` has no dataset"), "{stdout}");
    assert!(stdout.contains("expected.csv, row 2, column `status`, value `ok`: not one of `met`"), "{stdout}");
    assert!(stdout.contains("the column `subject_id` is missing"), "{stdout}");
    assert!(stdout.contains("column `junior_students`"), "{stdout}");
    assert!(stdout.contains("4 cases: 0 passed, 0 failed, 4 broken"), "{stdout}");

    // A module outside `<crate>/target/packs/` with no `cases/` beside it needs `--cases`.
    let lonely = tempfile::tempdir().expect("folder");
    let module = lonely.path().join("pack.wat");
    std::fs::copy(wat_pack(), &module).expect("copy");
    let output = dudao(&["test", path(&module)], &root);
    assert_eq!(output.status.code(), Some(2), "{}", report(&output));
    assert!(text(&output.stderr).contains("give one with `--cases DIR`"), "{}", report(&output));
}

#[test]
fn the_hand_written_wat_pack_passes_check_and_its_own_cases() {
    let root = support::root();
    let output = dudao(&["check", "rules/wat-example/pack.wat"], &root);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let sha = dudao_engine::pack::sha256_hex(&std::fs::read(wat_pack()).expect("pack.wat"));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("ok: pack `wat-example` 0.1.0"), "{stdout}");
    assert!(stdout.contains(&format!("sha256 {sha}")), "the digest is the text file's: {stdout}");

    let output = dudao(&["test", "rules/wat-example/pack.wat"], &root);
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("2 cases: 2 passed, 0 failed, 0 broken"), "{stdout}");
    assert!(stdout.contains("coverage: 1 of 1 indicators"), "{stdout}");
}

#[test]
fn the_wat_pack_refuses_a_unit_it_cannot_read_instead_of_trapping() {
    let sandbox = dudao_engine::sandbox::Sandbox::new(Default::default()).expect("sandbox");
    let pack = dudao_engine::pack::LoadedPack::load(&sandbox, &wat_pack()).expect("loads");
    let (result, _) = pack.evaluate(&sandbox, rules_sdk::wire::Level::School, "S1", br#"{"level":"school"}"#);
    match result {
        Err(dudao_engine::sandbox::EvalError::Refused { message }) => {
            assert!(message.contains("cannot read the subject id"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A count too long for the pack's arithmetic is refused too.
    let unit = br#"{"level":"school","subject":{"id":"S1","name":"x","primary_students":1234567890123456,"junior_students":0,"backbone_teachers":1},"members":{}}"#;
    let (result, _) = pack.evaluate(&sandbox, rules_sdk::wire::Level::School, "S1", unit);
    assert!(matches!(result, Err(dudao_engine::sandbox::EvalError::Refused { .. })), "{result:?}");
}

#[test]
fn a_wat_file_that_does_not_compile_is_named_with_its_line() {
    let dir = tempfile::tempdir().expect("folder");
    let broken = dir.path().join("broken.wat");
    std::fs::write(&broken, "(module\n  (func (export \"x\") (result i32)\n    (i32.const)))\n").expect("write");
    let output = dudao(&["check", path(&broken)], dir.path());
    assert_eq!(output.status.code(), Some(2), "{}", report(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("is WebAssembly text that does not compile"), "{stderr}");
    assert!(stderr.contains("broken.wat:3:"), "{stderr}");
}

#[test]
fn manifest_changes_name_versions_units_indicators_weights_thresholds_and_fields() {
    use rules_sdk::prelude::*;
    use rules_sdk::{FieldBuilder, ManifestBuilder};

    let source = ("某文件（某〔2024〕1号）", "第一条");
    let old = ManifestBuilder::new("p", "1.0.0", "旧")
        .unit(Level::School, &[])
        .field(Level::School, FieldBuilder::count("a", "甲"))
        .indicator(
            NodeBuilder::dimension("p.d", "维度")
                .child(NodeBuilder::indicator("p.kept", "保留", Level::School).weight(1.0).threshold(
                    Comparison::AtLeast,
                    2.0,
                    Some("primary"),
                    source,
                ))
                .child(NodeBuilder::indicator("p.gone", "删除", Level::School)),
        )
        .build();
    let new = ManifestBuilder::new("p", "1.1.0", "旧")
        .unit(Level::School, &[])
        .unit(Level::County, &[Level::School])
        .field(Level::School, FieldBuilder::count("b", "乙"))
        .indicator(
            NodeBuilder::dimension("p.d", "维度")
                .child(
                    NodeBuilder::indicator("p.kept", "保留（改名）", Level::School)
                        .weight(2.0)
                        .threshold(Comparison::AtLeast, 2.0, Some("primary"), ("某文件（某〔2024〕1号）", "第二条"))
                        .threshold(Comparison::AtMost, 9.0, None, source),
                )
                .child(NodeBuilder::indicator("p.county", "新增", Level::County)),
        )
        .build();
    let changes = dudao_engine::impact::manifest_changes(&old, &new);
    let record = serde_json::to_value(&changes).expect("JSON");
    assert_eq!(record["version"], serde_json::json!({"old": "1.0.0", "new": "1.1.0"}));
    assert!(record["title"].is_null());
    assert_eq!(record["units"]["new"], serde_json::json!(["school", "county+school"]));
    assert_eq!(record["added"][0]["id"], "p.county");
    assert_eq!(record["removed"][0]["id"], "p.gone");
    assert_eq!(record["fields_added"][0]["name"], "b");
    assert_eq!(record["fields_removed"][0]["name"], "a");
    let kept = &record["changed"][0];
    assert_eq!(kept["id"], "p.kept");
    let what: Vec<&str> = kept["changes"].as_array().expect("list").iter().filter_map(|c| c["what"].as_str()).collect();
    assert_eq!(what, ["name", "weight", "threshold", "threshold"]);
    // Same bound, new source: one change, both sides present.
    assert_eq!(kept["changes"][2]["old"]["source"]["item"], "第一条");
    assert_eq!(kept["changes"][2]["new"]["source"]["item"], "第二条");
    // A new upper bound: an addition.
    assert_eq!(kept["changes"][3]["op"], "<=");
    assert!(kept["changes"][3]["old"].is_null());
    assert_eq!(dudao_engine::impact::manifest_changes(&new, &new), dudao_engine::impact::ManifestChanges::default());
}
