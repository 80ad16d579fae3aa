//! The `dudao` binary as a user runs it: exit codes, formats, atomic output, messages.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{self, WatPack};

fn dudao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao")).args(args).current_dir(support::root()).output().expect("dudao runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn run_prints_a_readable_summary_of_the_jiaozuo_fixtures() {
    let pack = support::quality_balance();
    let output = dudao(&["run", "--pack", path(&pack), "--data", "fixtures/jiaozuo"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for county in [
        "解放区",
        "中站区",
        "马村区",
        "山阳区",
        "修武县",
        "博爱县",
        "武陟县",
        "温县",
        "沁阳市",
        "孟州市",
        "城乡一体化示范区",
    ] {
        assert!(stdout.contains(county), "{county} missing from\n{stdout}");
    }
    assert!(stdout.contains("quality-balance 1.0.1"), "{stdout}");
    assert!(stdout.contains("沙箱错误: 无"), "{stdout}");
}

#[test]
fn run_writes_csv_and_json_files_atomically() {
    let pack = support::quality_balance();
    let dir = tempfile::tempdir().expect("folder");
    let csv = dir.path().join("results.csv");
    let output =
        dudao(&["run", "--pack", path(&pack), "--data", "fixtures/jiaozuo", "--format", "csv", "-o", path(&csv)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let content = std::fs::read_to_string(&csv).expect("written");
    assert!(content.starts_with("pack_id,subject_id,indicator_id,value,status,"), "{content}");
    // Nothing else was left behind in the folder (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);

    let json = dir.path().join("results.json");
    let output =
        dudao(&["run", "--pack", path(&pack), "--data", "fixtures/jiaozuo", "--format", "json", "-o", path(&json)]);
    assert_eq!(output.status.code(), Some(0));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("JSON");
    let sha = dudao_engine::pack::sha256_hex(&std::fs::read(&pack).expect("pack"));
    assert_eq!(record["packs"][0]["sha256"], serde_json::json!(sha));
    assert_eq!(record["packs"][0]["id"], "quality-balance");
    assert_eq!(record["dataset"]["sha256"].as_str().map(str::len), Some(64));
    // The city comes first: it carries the counties' scores rolled up.
    assert_eq!(record["subjects"][0]["id"], "410800");
    assert_eq!(record["subjects"][0]["score_rollups"][0]["members"], 11);
    assert_eq!(record["subjects"][1]["id"], "410802");
    assert_eq!(record["subjects"][1]["scores"][0]["grade"], "达标");
    assert_eq!(record["summary"]["errors"], 0);
}

#[test]
fn bad_data_exits_2_names_every_problem_and_leaves_the_old_output_alone() {
    let pack = support::quality_balance();
    let bad = support::dataset_dir(&[
        ("counties.csv", "id,name,parent_id\n410825,温县,410800\n"),
        (
            "schools.csv",
            "id,name,county_id,stage,kind,primary_students,junior_students,qualified_teachers,backbone_teachers,pe_art_teachers,teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms\n\
             S1,一小,410825,primary,regular,500,0,25,6,5,2500,4000,1100000,13\n\
             S2,二小,410899,primary,regular,500,0,25,6,5,2500,4000,1100000,13\n\
             S3,三小,410825,primary,regular,500,0,25,6,5,2500,abc,1100000,13\n",
        ),
    ]);
    let out = bad.path().join("results.csv");
    std::fs::write(&out, "previous results\n").expect("write");
    let output =
        dudao(&["run", "--pack", path(&pack), "--data", path(bad.path()), "--format", "csv", "-o", path(&out)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the dataset has 2 problems; nothing was evaluated"), "{stderr}");
    assert!(stderr.contains("schools.csv, row 3 (S2 二小), column `county_id` (C3), value `410899`"), "{stderr}");
    assert!(
        stderr.contains("schools.csv, row 4 (S3 三小), column `sports_area_m2` (L4), value `abc`: not a number"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), "previous results\n");
}

#[test]
fn sandbox_failures_exit_3_and_still_write_every_other_result() {
    let hostile = support::hostile();
    let data = support::schools_dataset(&[("ok1", 5), ("panic1", 1), ("ok2", 6)]);
    let output = dudao(&["run", "--pack", path(&hostile), "--data", path(data.path()), "--format", "csv"]);
    assert_eq!(output.status.code(), Some(3));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("hostile,ok1,hostile.students,5,met"), "{stdout}");
    assert!(stdout.contains("hostile,ok2,hostile.students,6,met"), "{stdout}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("pack `hostile` on school `panic1`: panicked: deliberate panic"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_and_help_documents_the_exit_codes() {
    assert_eq!(dudao(&["run", "--data", "fixtures/jiaozuo"]).status.code(), Some(2));
    assert_eq!(dudao(&["frobnicate"]).status.code(), Some(2));
    let help = text(&dudao(&["run", "--help"]).stdout);
    assert!(help.contains("3  results were written, but some subjects failed"), "{help}");
}

#[test]
fn check_accepts_a_good_pack_and_names_what_is_wrong_with_a_bad_one() {
    let pack = support::quality_balance();
    let output = dudao(&["check", path(&pack)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("ok: pack `quality-balance` 1.0.1"));

    let dir = tempfile::tempdir().expect("folder");
    let bad = WatPack {
        imports: r#"(import "env" "clock" (func (result i64)))"#.to_owned(),
        skip_export: Some("dudao_describe"),
        ..WatPack::default()
    }
    .write(dir.path(), "bad.wasm");
    let output = dudao(&["check", path(&bad)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("does not follow the dudao pack ABI"), "{stderr}");
    assert!(stderr.contains("imports `env.clock`"), "{stderr}");
    assert!(stderr.contains("does not export `dudao_describe`"), "{stderr}");

    let output = dudao(&["check", path(&bad), "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["ok"], false);
}

#[test]
fn inspect_shows_the_indicator_tree_with_threshold_sources() {
    let pack = support::quality_balance();
    let output = dudao(&["inspect", path(&pack)]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("qb.school.qualified_teachers_per100  每百名学生拥有高于规定学历教师数"), "{stdout}");
    assert!(
        stdout.contains(
            "primary: ≥ 4.2 — 县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号） 第六条第（一）项（“每百名学生"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("junior: ≤ 0.45"), "{stdout}");

    let output = dudao(&["inspect", path(&pack), "--format", "json"]);
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["manifest"]["id"], "quality-balance");
}

/// Regression: a limit given on the command line was ignored with `--plan`.
#[test]
fn a_plan_run_with_too_little_fuel_reports_out_of_fuel() {
    let _ = support::quality_balance();
    for krate in ["rules/government-duty", "rules/school-supervision", "rules/quality-monitoring"] {
        support::pack_path(krate);
    }
    support::pack_path("rules/local/wenxian-taiji");
    support::pack_path("rules/local/xiuwu-afterschool");
    let plan = "fixtures/plans/jiaozuo-2026.toml";
    let output = dudao(&["run", "--plan", plan, "--data", "fixtures/jiaozuo", "--format", "csv", "--fuel", "20000"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ran out of fuel after 20000 units"), "{stderr}");

    let output = dudao(&["run", "--plan", plan, "--data", "fixtures/jiaozuo", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn completions_are_printed_for_each_shell_and_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = dudao(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        for subcommand in ["run", "report", "explain", "diff", "pin"] {
            assert!(script.contains(subcommand), "{shell} completion lacks {subcommand}");
        }
    }
    assert_eq!(dudao(&["completions", "cmd.exe"]).status.code(), Some(2));
}

#[test]
fn color_is_used_only_when_asked_or_on_a_terminal() {
    let args = ["run", "--pack", "no-such.wasm", "--data", "fixtures/jiaozuo"];
    let plain = dudao(&args);
    assert_eq!(plain.status.code(), Some(2));
    // Not a terminal: no escape sequences.
    assert!(text(&plain.stderr).starts_with("error: cannot read pack `no-such.wasm`"), "{}", text(&plain.stderr));
    let colored = dudao(&[&args[..], &["--color", "always"]].concat());
    assert!(text(&colored.stderr).starts_with("\u{1b}["), "{}", text(&colored.stderr));
    let never = dudao(&[&args[..], &["--color", "never"]].concat());
    assert_eq!(never.stderr, plain.stderr);
}

#[test]
fn quiet_report_prints_no_wrote_lines_but_still_writes() {
    let pack = support::quality_balance();
    let dir = tempfile::tempdir().expect("folder");
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--pack", path(&pack), "--data", "fixtures/jiaozuo", "--date", "2026-06-30"];
        args.extend(["--out-dir", path(dir.path())]);
        args.extend(extra);
        dudao(&args)
    };
    let loud = run(&[]);
    assert_eq!(loud.status.code(), Some(0), "{}", text(&loud.stderr));
    assert!(text(&loud.stderr).contains("wrote "), "{}", text(&loud.stderr));
    std::fs::remove_file(dir.path().join("report.html")).expect("written before");
    let quiet = run(&["--quiet"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert_eq!(text(&quiet.stderr), "");
    assert!(dir.path().join("report.html").is_file());
}
