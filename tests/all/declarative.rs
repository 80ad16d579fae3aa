//! Declarative packs (`pack.toml`, XLSX indicator tables): the ported county packs against
//! their Rust versions, errors that point at the line, the committed interpreter, hostile
//! expressions, and the whole authoring loop on a machine with nothing but `dudao`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dudao_dataset::Dataset;
use dudao_engine::impact;
use dudao_engine::pack::{LoadedPack, sha256_hex};
use dudao_engine::sandbox::{Limits, Sandbox};
use rules_sdk::wire::Status;

use crate::support;

fn dudao(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao")).args(args).current_dir(dir).output().expect("dudao runs")
}

fn report(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn load(sandbox: &Sandbox, path: &Path) -> LoadedPack {
    LoadedPack::load(sandbox, path).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn the_ported_county_packs_give_the_rust_results_on_every_fixture_round() {
    let root = support::root();
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    for (rust, spec) in [
        ("rules/local/wenxian-taiji", "rules/local/declarative/taiji/taiji.toml"),
        ("rules/local/xiuwu-afterschool", "rules/local/declarative/afterschool/afterschool.toml"),
    ] {
        let old = load(&sandbox, &support::pack_path(rust));
        let new = load(&sandbox, &root.join(spec));
        assert_eq!(old.manifest.parameters, new.manifest.parameters, "{spec}");
        for round in ["jiaozuo", "jiaozuo-2025", "jiaozuo-2027"] {
            let data = Dataset::load(&support::fixture(round)).expect("fixture");
            let impact = impact::compare(&sandbox, &old, &new, &data, None).expect("comparable");
            // Same manifest (ids, names, levels, units, weights, formulas, thresholds, fields)
            // and, for every subject, the same value and status.
            assert!(
                !impact.changed,
                "{spec} on {round}:\n{}",
                dudao_publish::impact::table(&impact, dudao_dataset::Lang::En)
            );
            assert_eq!(impact.unchanged_indicators, 4, "{spec} on {round}: every indicator has results");
            assert_eq!((impact.sandbox_failures.old, impact.sandbox_failures.new), (0, 0));
        }
    }
}

/// A small valid spec; the error tests break one line of it at a time.
const SPEC: &str = r#"[pack]
id = "410825-reading"
version = "0.1.0"
title = "温县阅读指标"
county = "410825"

[sources.local]
document = "关于深化新时代教育督导体制机制改革的实施意见（焦办文〔2021〕23号）"
item = "第6条；目标值为温县自定的地方实施口径"

[[input]]
level = "school"
name = "primary_students"
type = "integer"
min = 0

[[indicator]]
id = "410825.reading.students"
name = "小学段在校生数"
level = "school"
value = "primary_students"
threshold = { op = ">=", value = 1, source = "local" }
"#;

fn build_broken(replace: &str, with: &str) -> (Output, tempfile::TempDir) {
    assert!(SPEC.contains(replace), "{replace}");
    let work = tempfile::tempdir().expect("folder");
    std::fs::write(work.path().join("reading.toml"), SPEC.replacen(replace, with, 1)).expect("spec");
    let output = dudao(&["build", "reading.toml"], work.path());
    (output, work)
}

#[test]
fn a_malformed_spec_names_file_line_and_column_and_never_produces_a_module() {
    let work = tempfile::tempdir().expect("folder");
    std::fs::write(work.path().join("reading.toml"), SPEC).expect("spec");
    let output = dudao(&["build", "reading.toml"], work.path());
    assert_eq!(output.status.code(), Some(0), "the unbroken spec builds: {}", report(&output));

    for (replace, with, expected) in [
        // An unknown key (a typo).
        ("min = 0", "min = 0\noptinal = true", "reading.toml:16:1: 未知的键 `optinal`"),
        // A type error: text plus a number, found by the trial evaluation.
        (
            "value = \"primary_students\"",
            "value = \"primary_students + name\"",
            "reading.toml:21:10: 指标 `410825.reading.students` 的 value：在示例数据上类型不符",
        ),
        // An undeclared input, with the column inside the expression.
        (
            "value = \"primary_students\"",
            "value = \"primary_students / junior_students\"",
            "reading.toml:21:29: `junior_students` 未声明",
        ),
        // A bad pack id.
        ("id = \"410825-reading\"", "id = \"Reading Room\"", "reading.toml:2:6: 指标包 id `Reading Room` 无效"),
        // A county pack's id without its county code.
        (
            "id = \"410825.reading.students\"",
            "id = \"reading.students\"",
            "reading.toml:18:6: 县级指标包的指标 id 应以 `410825.` 开头",
        ),
        // A threshold without a source.
        (
            "threshold = { op = \">=\", value = 1, source = \"local\" }",
            "threshold = { op = \">=\", value = 1 }",
            "reading.toml:22:13: 指标 `410825.reading.students` 的阈值缺少来源",
        ),
        // A source that is not defined.
        ("source = \"local\" }", "source = \"locl\" }", "reading.toml:22:46: 来源 `locl` 未在 [sources] 中定义"),
        // A syntax error in an expression.
        ("value = \"primary_students\"", "value = \"(primary_students\"", "reading.toml:21:27: 表达式无法解析"),
        // An expression nested deeper than the parser allows (no stack overflow at build).
        (
            "value = \"primary_students\"",
            &format!("value = \"{}primary_students{}\"", "(".repeat(400), ")".repeat(400)),
            "表达式无法解析",
        ),
    ] {
        let (output, work) = build_broken(replace, with);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{with}: {}", report(&output));
        assert!(
            stderr.contains("未生成模块") && stderr.contains(expected),
            "{with}: expected `{expected}` in\n{stderr}"
        );
        assert!(!work.path().join("target").exists(), "{with}: a module was made");
    }
}

#[test]
fn the_committed_interpreter_is_the_reproducible_build_of_rules_declarative() {
    let root = support::root();
    let out = tempfile::tempdir().expect("folder");
    let built = dudao_authoring::build::build_pack(
        &root.join("rules/declarative"),
        out.path(),
        Some(&root.join("target/wasm")),
        true,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let rebuilt = std::fs::read(&built.path).expect("module");
    let committed = std::fs::read(root.join("rules/declarative/interpreter.wasm")).expect("committed interpreter");
    assert_eq!(
        sha256_hex(&rebuilt),
        sha256_hex(&committed),
        "rules/declarative/interpreter.wasm is not the build of rules/declarative: run `cargo xtask interpreter` and commit it"
    );
    assert_eq!(sha256_hex(declarative_spec::slot::INTERPRETER), sha256_hex(&committed), "the binary embeds it");
}

#[test]
fn a_hostile_expression_is_stopped_by_the_sandbox_with_a_named_error() {
    let work = tempfile::tempdir().expect("folder");
    // A list of n⁴ copies of the county's schools: huge intermediate lists.
    let hostile = SPEC.replacen(
        "[[indicator]]",
        r#"[[indicator]]
id = "410825.reading.explosion"
name = "组合爆炸"
level = "county"
value = "count(schools.map(a, schools.map(b, schools.map(c, schools.map(d, schools)))))"
threshold = { op = ">=", value = 1, source = "local" }

[[indicator]]"#,
        1,
    );
    let spec = work.path().join("hostile.toml");
    std::fs::write(&spec, hostile).expect("spec");
    // It builds: on the two sample schools of the build-time trial it is small.
    let limits = Limits { fuel: 200_000_000, memory_bytes: 64 << 20, ..Limits::default() };
    let evaluation = support::evaluate_with(limits, &[&spec], &support::fixture("jiaozuo"), None);
    let failures = evaluation.failures();
    assert_eq!(failures.len(), 1, "only 温县's county unit runs it");
    let row = dudao_publish::results::rows(&evaluation)
        .into_iter()
        .find(|row| row.status == Status::Error)
        .expect("error row");
    assert_eq!(row.subject_id, "410825");
    assert!(
        row.note.contains("(out_of_fuel)") || row.note.contains("(memory_limit)"),
        "stopped by a named limit: {}",
        row.note
    );
    // The schools, and every other pack's units, are unaffected.
    assert!(dudao_publish::results::rows(&evaluation).iter().any(|row| row.indicator_id == "410825.reading.students"));
}

#[test]
fn an_excel_indicator_table_builds_the_same_pack_as_its_toml() {
    let work = tempfile::tempdir().expect("folder");
    for args in [
        &["new", "reading", "--county", "410825", "--title", "温县阅读指标"][..],
        &["new", "reading-xl", "--county", "410825", "--title", "温县阅读指标", "--xlsx"],
    ] {
        let output = dudao(args, work.path());
        assert_eq!(output.status.code(), Some(0), "{}", report(&output));
    }
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    let toml = load(&sandbox, &work.path().join("reading/reading.toml"));
    let xlsx = load(&sandbox, &work.path().join("reading-xl/reading-xl.xlsx"));
    let rename = |text: String| text.replace("reading-xl", "reading");
    assert_eq!(
        rename(serde_json::to_string(&xlsx.manifest).expect("json")),
        serde_json::to_string(&toml.manifest).expect("json")
    );
    assert_eq!(toml.manifest.title, "温县阅读指标");
    // A county-level indicator with scoring, so the pack counts in the overall result.
    let county = toml
        .manifest
        .nodes()
        .into_iter()
        .find(|node| node.level == Some(rules_sdk::wire::Level::County))
        .expect("county indicator");
    assert!(county.scoring.is_some());
    // A cell error names the sheet, row and column.
    let output = dudao(&["build", "reading-xl.xlsx"], &work.path().join("reading-xl"));
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
}

/// Links (or copies) `program` into `bin` under its own name.
fn provide(bin: &Path, program: &str) {
    let Ok(found) = which(program) else { return };
    let _ = std::os::unix::fs::symlink(found, bin.join(program));
}

fn which(program: &str) -> Result<PathBuf, ()> {
    for dir in ["/usr/bin", "/bin"] {
        let path = Path::new(dir).join(program);
        if path.is_file() {
            return Ok(path);
        }
    }
    Err(())
}

#[test]
fn a_county_machine_with_only_dudao_writes_builds_tests_diffs_pins_and_runs_a_declarative_pack() {
    let work = tempfile::tempdir().expect("folder");
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    std::fs::copy(env!("CARGO_BIN_EXE_dudao"), bin.join("dudao")).expect("dudao");
    for program in ["sh", "cat", "sed", "cp", "mkdir", "grep", "ls", "test", "sha256sum"] {
        provide(&bin, program);
    }
    let data = support::fixture("jiaozuo");
    let script = format!(
        r#"set -e
if command -v cargo || command -v rustc || command -v rustup; then echo 'a Rust toolchain is visible'; exit 9; fi
dudao new reading --county 410825 --title 温县阅读指标
cd reading
dudao build reading.toml
dudao test target/packs/reading.wasm
cp target/packs/reading.wasm accepted.wasm
cat > plan.toml <<'PLAN'
id = "wenxian-2026-local"
title = "温县2026年度县域特色指标"
period = "2026"
date = "2026-11-29"
kind = "comprehensive"

[[packs]]
path = "accepted.wasm"
sha256 = "0000"
scope = "local"
county = "410825"
bonus_cap = 3
PLAN
dudao pin plan.toml
dudao pin --check plan.toml
# A reviewed change: a stricter threshold.
sed -i 's/^default = 1.0/default = 1.3/' reading.toml
dudao build reading.toml
status=0; dudao test target/packs/reading.wasm || status=$?; test $status = 1
dudao test target/packs/reading.wasm --accept
dudao test target/packs/reading.wasm
status=0; dudao diff --old accepted.wasm --new target/packs/reading.wasm --data {data} --plan plan.toml > diff.txt || status=$?
test $status = 1
cat diff.txt
cp target/packs/reading.wasm accepted.wasm
dudao pin plan.toml
dudao run --plan plan.toml --data {data}
cd ..
dudao new reading-xl --county 410825 --xlsx
cd reading-xl
dudao build reading-xl.xlsx
dudao test target/packs/reading-xl.wasm
"#,
        data = data.display()
    );
    let output = Command::new(bin.join("sh"))
        .args(["-c", &script])
        .current_dir(work.path())
        .env_clear()
        .env("PATH", &bin)
        .env("HOME", work.path())
        // A county officer's machine: a Chinese locale.
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("sh runs");
    let all = report(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    // Told in Chinese throughout, each step naming the next.
    for english in ["error:", "PASS", "FAIL", "built pack", "next steps", "wrote "] {
        assert!(!all.contains(english), "{english:?} in a Chinese session:\n{all}");
    }
    for chinese in ["已创建声明式指标包", "下一步", "已构建指标包", "通过  ", "失败  ", "已把 1 个新校验值写入"]
    {
        assert!(all.contains(chinese), "{chinese:?} missing:\n{all}");
    }
    // The diff honours the plan's scope: only 温县's subjects.
    let diff = std::fs::read_to_string(work.path().join("reading/diff.txt")).expect("diff");
    assert!(diff.contains("方案范围"), "{diff}");
    assert!(!diff.contains("of 344 subjects"), "{diff}");
    assert!(diff.contains("410825.reading.backbone_teachers_per100"), "{diff}");
    // The run reports the pack for 温县 and its bonus in the overall result.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("410825-reading"), "{all}");
    assert!(stdout.contains("已接受"), "{all}");
}
