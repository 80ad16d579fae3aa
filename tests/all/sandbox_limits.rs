//! Issue 14: a sandbox no pack can get around. One regression test per finding, each with a
//! hostile module written here (WAT) or the hostile guest crate.

use std::process::Command;
use std::time::Duration;

use dudao_engine::budget::{RunLimits, StopReason};
use dudao_engine::pack::{LoadedPack, PackError};
use dudao_engine::sandbox::{EvalError, Limits, Sandbox};
use dudao_engine::vet::{ModuleLimitError, ModuleLimits};

use crate::support::{self, WatPack, wat_bytes};

fn limits() -> Limits {
    Limits { fuel: 50_000_000, memory_bytes: 64 << 20, deadline: Duration::from_secs(20), ..Limits::default() }
}

fn load_text(limits: Limits, text: &str) -> Result<LoadedPack, PackError> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("hostile.wasm");
    std::fs::write(&path, support::wat(text)).expect("write");
    let sandbox = Sandbox::new(limits).expect("sandbox");
    LoadedPack::load(&sandbox, &path)
}

fn with_memories(extra: &str) -> String {
    let text = WatPack::default().text();
    let memory = "(memory (export \"memory\") 2)";
    assert!(text.contains(memory), "the template changed");
    text.replacen(memory, &format!("{memory}\n  {extra}"), 1)
}

fn evaluate_text(
    limits: Limits,
    text: &str,
    schools: &[(&str, u32)],
    threads: Option<usize>,
) -> dudao_engine::evaluate::Evaluation {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("pack.wasm");
    std::fs::write(&path, support::wat(text)).expect("write");
    let data = support::schools_dataset(schools);
    support::evaluate_with(limits, &[&path], data.path(), threads)
}

fn outcome<'a>(
    evaluation: &'a dudao_engine::evaluate::Evaluation,
    id: &str,
) -> &'a Result<Vec<rules_sdk::wire::IndicatorResult>, EvalError> {
    &evaluation
        .outcomes
        .iter()
        .find(|outcome| evaluation.prepared.subject(outcome.level, outcome.subject).id == id)
        .unwrap_or_else(|| panic!("no outcome for {id}"))
        .result
}

#[test]
fn issue_14_1_memory_is_capped_per_instance_not_per_memory() {
    // Twenty memories of 1 000 pages each: 1.2 GiB, each one below the cap alone.
    let many = (0..20).map(|_| "(memory 1000)").collect::<Vec<_>>().join(" ");
    let error = load_text(limits(), &with_memories(&many)).expect_err("refused");
    assert!(matches!(error, PackError::Limit { error: ModuleLimitError::Memories { count: 21 }, .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("hostile.wasm") && message.contains("has 21 memories; a pack may have one"), "{message}");

    // An imported memory is refused too (and is not the pack's own memory).
    let imported = WatPack { imports: r#"(import "dudao" "memory" (memory 1))"#.to_owned(), ..WatPack::default() };
    assert!(matches!(
        load_text(limits(), &imported.text()),
        Err(PackError::Limit { error: ModuleLimitError::Memories { count: 2 }, .. })
    ));

    // The one memory counts from its initial size up: growing it past the cap fails with the
    // total named.
    let pack = WatPack { initial_pages: 1024, ..WatPack::default() }; // 64 MiB, at the cap
    let evaluation = evaluate_text(
        limits(),
        &pack.text().replace(
            "(func (export \"dudao_evaluate\") (param i32 i32) (result i64)",
            "(func (export \"dudao_evaluate\") (param i32 i32) (result i64) (drop (memory.grow (i32.const 1)))",
        ),
        &[("S1", 5)],
        None,
    );
    assert_eq!(
        outcome(&evaluation, "S1"),
        &Err(EvalError::MemoryLimit { requested: (64 << 20) + 65536, limit: 64 << 20 })
    );
}

fn functions(count: usize) -> String {
    let mut extra = String::new();
    for _ in 0..count {
        extra.push_str("(func)");
    }
    with_memories(&extra)
}

fn one_function(body: &str) -> String {
    with_memories(&format!("(func $hostile (param i32) {body})"))
}

#[test]
fn issue_14_2_modules_that_would_compile_for_minutes_are_refused_before_compiling() {
    let defaults = ModuleLimits::default();
    let many = load_text(limits(), &functions(defaults.max_functions as usize)).expect_err("refused");
    assert!(
        matches!(many, PackError::Limit { error: ModuleLimitError::Functions { limit: 10_000, .. }, .. }),
        "{many:?}"
    );
    assert!(many.to_string().contains("functions, more than the limit of 10000"), "{many}");

    let nested = format!("{}{}", "(block ".repeat(defaults.max_nesting + 1), ")".repeat(defaults.max_nesting + 1));
    let deep = load_text(limits(), &one_function(&nested)).expect_err("refused");
    assert!(matches!(deep, PackError::Limit { error: ModuleLimitError::Nesting { limit: 512, .. }, .. }), "{deep:?}");

    let branches = "(br_if 0 (local.get 0))".repeat(defaults.max_branches + 1);
    let branchy = load_text(limits(), &one_function(&format!("(block {branches})"))).expect_err("refused");
    assert!(matches!(branchy, PackError::Limit { error: ModuleLimitError::Branches { .. }, .. }), "{branchy:?}");

    let table = format!("(block (br_table {} (local.get 0)))", "0 ".repeat(defaults.max_branches + 1));
    let wide = load_text(limits(), &one_function(&table)).expect_err("refused");
    assert!(matches!(wide, PackError::Limit { error: ModuleLimitError::Branches { .. }, .. }), "{wide:?}");

    // 100 000 × `(drop (i32.const 1000000))`: about 600 KiB in one function.
    let huge = load_text(limits(), &one_function(&"(drop (i32.const 1000000))".repeat(100_000))).expect_err("refused");
    assert!(
        matches!(huge, PackError::Limit { error: ModuleLimitError::FunctionSize { limit, .. }, .. } if limit == 256 << 10),
        "{huge:?}"
    );

    let small = Limits { module: ModuleLimits { max_code_bytes: 100, ..defaults }, ..limits() };
    let code = load_text(small, &functions(50)).expect_err("refused");
    assert!(matches!(code, PackError::Limit { error: ModuleLimitError::CodeSize { limit: 100, .. }, .. }), "{code:?}");

    let locals = load_text(limits(), &one_function(&"(local i32)".repeat(10_001))).expect_err("refused");
    assert!(matches!(locals, PackError::Limit { error: ModuleLimitError::Locals { .. }, .. }), "{locals:?}");

    // What passed the counts is compiled in a worker with a wall-clock bound.
    let hurried = Limits { module: ModuleLimits { compile_timeout: Duration::ZERO, ..defaults }, ..limits() };
    let timeout = load_text(hurried, &functions(2_000)).expect_err("refused");
    assert!(
        matches!(timeout, PackError::Limit { error: ModuleLimitError::CompileTimeout { millis: 0 }, .. }),
        "{timeout:?}"
    );
    // The abandoned compilation runs on in its thread and holds one of the process's
    // compilation slots until it ends, so abandoned compilations cannot pile up.
    assert!(dudao_engine::compiling::running() >= 1, "the abandoned compilation holds its slot");
    assert!(dudao_engine::compiling::running() <= dudao_engine::compiling::MAX_COMPILATIONS);

    // Every pack of the city passes the checks with room to spare.
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    for pack in [support::quality_balance(), support::hostile()] {
        let bytes = std::fs::read(&pack).expect("read");
        let figures = dudao_engine::vet::vet(&bytes, &defaults).expect("within the limits");
        assert!(figures.functions < u64::from(defaults.max_functions) / 4, "{figures:?}");
        assert!(LoadedPack::load(&sandbox, &pack).is_ok());
    }
}

/// A pack that reports `count` results for subject S1 (as parts `S1:0`, `S1:1`, …).
fn results_pack(count: usize) -> WatPack {
    let results: Vec<String> = (0..count)
        .map(|index| format!(r#"{{"subject":"S1:{index}","indicator":"wat.students","value":{index},"status":"met"}}"#))
        .collect();
    WatPack { output: format!(r#"{{"ok":{{"results":[{}]}}}}"#, results.join(",")).into_bytes(), ..WatPack::default() }
}

#[test]
fn issue_14_3_results_are_limited_per_unit_and_per_run() {
    let per_unit = Limits { max_results_per_unit: 100, ..limits() };
    let evaluation = evaluate_text(per_unit, &results_pack(101).text(), &[("S1", 5)], None);
    assert_eq!(outcome(&evaluation, "S1"), &Err(EvalError::TooManyResults { count: 101, limit: 100 }));
    let evaluation = evaluate_text(per_unit, &results_pack(100).text(), &[("S1", 5)], None);
    assert_eq!(outcome(&evaluation, "S1").as_ref().map(Vec::len), Ok(100));

    // Per run: ten honest schools of one result each, a budget of four results.
    let schools: Vec<(String, u32)> = (0..10).map(|index| (format!("ok{index}"), 10 + index)).collect();
    let schools: Vec<(&str, u32)> = schools.iter().map(|(id, students)| (id.as_str(), *students)).collect();
    let data = support::schools_dataset(&schools);
    let budget = Limits { run: RunLimits { results: 4, ..RunLimits::default() }, ..limits() };
    let csv = |threads| {
        let evaluation = support::evaluate_with(budget, &[&support::hostile()], data.path(), Some(threads));
        for (index, (id, _)) in schools.iter().enumerate() {
            match outcome(&evaluation, id) {
                Ok(results) => assert!(index < 4 && results.len() == 1, "{id}"),
                Err(error) => {
                    assert!(index >= 4, "{id}: {error}");
                    assert_eq!(error, &EvalError::Stopped { reason: StopReason::Results { limit: 4 } });
                }
            }
        }
        dudao_publish::results::csv(&evaluation)
    };
    let one = csv(1);
    assert_eq!(one, csv(2), "the same at 1 and 2 threads");
    assert!(one.contains("not evaluated: the pack was stopped for the rest of the run: its results would exceed the run limit of 4 results"), "{one}");
}

#[test]
fn issue_14_4_roll_ups_stay_correct_with_thousands_of_rolled_up_indicators() {
    // 3 000 school indicators, each rolled up to the county; one result each. Scoring used to
    // search every unit's results once per roll-up indicator.
    let count = 3_000;
    let indicators: Vec<String> = (0..count)
        .map(|index| {
            format!(r#"{{"id":"wat.i{index}","name":"指标{index}","level":"school","rollup":[{{"to":"county","method":"sum"}}]}}"#)
        })
        .collect();
    let manifest = format!(
        r#"{{"abi":"1.0","id":"wat-pack","version":"0.1.0","title":"手写测试包","units":[{{"level":"school"}}],
"inputs":[{{"level":"school","fields":[{{"name":"primary_students","type":"integer","min":0}}]}}],
"indicators":[{}]}}"#,
        indicators.join(",")
    );
    let results: Vec<String> = (0..count)
        .map(|index| format!(r#"{{"subject":"S1","indicator":"wat.i{index}","value":{index},"status":"met"}}"#))
        .collect();
    let output = format!(r#"{{"ok":{{"results":[{}]}}}}"#, results.join(",")).into_bytes();
    // Room for a large manifest: the output at 1 MB, the heap from 2 MB.
    let packed = (1_000_000_u64 << 32) | output.len() as u64;
    let pack = WatPack { manifest, output, output_packed: Some(packed), initial_pages: 40, ..WatPack::default() };
    let text = pack
        .text()
        .replace("(data (i32.const 16384)", "(data (i32.const 1000000)")
        .replace("(global $bump (mut i32) (i32.const 65536))", "(global $bump (mut i32) (i32.const 2000000))");
    let evaluation = evaluate_text(limits(), &text, &[("S1", 5)], None);
    assert!(outcome(&evaluation, "S1").is_ok());
    let rollups = &evaluation.scores.rollups;
    assert_eq!(rollups.len(), count);
    for (index, rolled) in rollups.iter().enumerate() {
        assert_eq!(rolled.indicator, format!("wat.i{index}"));
        assert_eq!((rolled.members, rolled.value), (1, Some(index as f64)));
    }
}

/// `dudao ARGS --pack <hostile> --data DATA -o <a temporary out.csv>`.
fn run_hostile(args: &[&str], data: &std::path::Path) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temporary folder");
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .arg("--pack")
        .arg(support::hostile())
        .arg("--data")
        .arg(data)
        .arg("-o")
        .arg(dir.path().join("out.csv"))
        .output()
        .expect("dudao runs")
}

#[test]
fn issue_14_5_a_pack_that_keeps_failing_the_same_way_is_stopped_for_the_run() {
    // Thirty endless loops and an honest school after them.
    let mut schools: Vec<(String, u32)> = (0..30).map(|index| (format!("loop{index}"), 1)).collect();
    schools.push(("ok1".to_owned(), 7));
    let schools: Vec<(&str, u32)> = schools.iter().map(|(id, students)| (id.as_str(), *students)).collect();
    let data = support::schools_dataset(&schools);
    let budget =
        Limits { fuel: 5_000_000, run: RunLimits { identical_failures: 3, ..RunLimits::default() }, ..limits() };
    let stopped = EvalError::Stopped { reason: StopReason::RepeatedFailure { kind: "out_of_fuel", count: 3 } };
    let csv = |threads| {
        let evaluation = support::evaluate_with(budget, &[&support::hostile()], data.path(), Some(threads));
        for index in 0..3 {
            assert_eq!(outcome(&evaluation, &format!("loop{index}")), &Err(EvalError::OutOfFuel { budget: 5_000_000 }));
        }
        for index in 3..30 {
            assert_eq!(outcome(&evaluation, &format!("loop{index}")), &Err(stopped.clone()));
        }
        assert_eq!(outcome(&evaluation, "ok1"), &Err(stopped.clone()));
        dudao_publish::results::csv(&evaluation)
    };
    assert_eq!(csv(1), csv(2), "the same at 1 and 2 threads, failures included");

    // The fuel budget of a run stops a pack that spends it, however it spends it.
    let fuel = Limits { fuel: 5_000_000, run: RunLimits { fuel: 12_000_000, ..RunLimits::default() }, ..limits() };
    let evaluation = support::evaluate_with(fuel, &[&support::hostile()], data.path(), Some(2));
    for index in 0..3 {
        assert_eq!(outcome(&evaluation, &format!("loop{index}")), &Err(EvalError::OutOfFuel { budget: 5_000_000 }));
    }
    assert_eq!(
        outcome(&evaluation, "loop3"),
        &Err(EvalError::Stopped { reason: StopReason::Fuel { budget: 12_000_000 } })
    );

    // The command prints the stop once, not once per subject.
    let output = run_hostile(
        &["run", "--format", "csv", "--fuel", "5000000", "--max-identical-failures", "3", "--threads", "2"],
        data.path(),
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|line| line.starts_with("error:")).collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(lines[3].starts_with("error: pack `hostile`: the pack was stopped for the rest of the run after 3 evaluations failed the same way (`out_of_fuel`); 28 evaluations were not run"), "{stderr}");
}

#[test]
fn issue_14_5_a_pack_whose_evaluations_outlast_the_run_time_budget_is_stopped() {
    // Every evaluation takes some time, so a budget of zero seconds stops the pack after its
    // first unit (the unit that spent the budget keeps its results, as with fuel).
    let data = support::schools_dataset(&[("ok1", 3), ("ok2", 4), ("ok3", 5), ("ok4", 6)]);
    let budget = Limits { run: RunLimits { time: Duration::ZERO, ..RunLimits::default() }, ..limits() };
    let evaluation = support::evaluate_with(budget, &[&support::hostile()], data.path(), Some(2));
    assert!(outcome(&evaluation, "ok1").is_ok());
    let stopped = EvalError::Stopped { reason: StopReason::Time { seconds: 0 } };
    for subject in ["ok2", "ok3", "ok4"] {
        assert_eq!(outcome(&evaluation, subject), &Err(stopped.clone()), "{subject}");
    }

    // The command names the pack and the budget once, and says how to change it.
    let output = run_hostile(&["--lang", "zh", "run", "--format", "csv", "--run-seconds", "0"], data.path());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|line| line.contains("--run-seconds")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("指标包 `hostile`") && lines[0].contains("超过 0 秒") && lines[0].contains("3 次评估未运行"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn issue_14_6_special_files_are_refused_and_no_file_is_read_past_the_limit() {
    let sandbox = Sandbox::new(limits()).expect("sandbox");
    let dir = tempfile::tempdir().expect("temporary folder");
    let fifo = dir.path().join("pack.wasm");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    // This used to block forever waiting for a writer.
    let error = LoadedPack::load(&sandbox, &fifo).expect_err("refused").to_string();
    assert!(error.contains("pack.wasm") && error.contains("not a regular file (it is a FIFO)"), "{error}");

    let error = LoadedPack::load(&sandbox, "/dev/zero".as_ref()).expect_err("refused").to_string();
    assert!(error.contains("not a regular file (it is a device)"), "{error}");

    let small = Sandbox::new(Limits { max_module_bytes: 100, ..limits() }).expect("sandbox");
    let big = WatPack::default().write(dir.path(), "big.wasm");
    let size = std::fs::metadata(&big).expect("written").len();
    assert!(
        matches!(LoadedPack::load(&small, &big), Err(PackError::TooLarge { limit: 100, size: found, .. }) if found == size)
    );

    // Plans (and the packs they pin) are read the same way.
    let error = dudao_engine::plan::Plan::load(&fifo).expect_err("refused").to_string();
    assert!(error.contains("not a regular file (it is a FIFO)"), "{error}");
    let error = dudao_engine::fileguard::read_bounded_io("/dev/zero".as_ref(), 10).expect_err("refused").to_string();
    assert!(error.contains("not a regular file (it is a device)"), "{error}");
}

/// A pack whose `dudao_evaluate` logs `message`, calls `dudao.fail` with it, then traps.
fn failing_with(message: &[u8]) -> String {
    let imports = r#"(import "dudao" "fail" (func $fail (param i32 i32))) (import "dudao" "log" (func $log (param i32 i32 i32)))"#;
    let pack = WatPack { imports: imports.to_owned(), ..WatPack::default() };
    pack.text().replace(
        "(func (export \"dudao_evaluate\") (param i32 i32) (result i64)",
        &format!(
            "(data (i32.const 60000) \"{}\")\n  (func (export \"dudao_evaluate\") (param i32 i32) (result i64) (call $log (i32.const 1) (i32.const 60000) (i32.const {1})) (call $fail (i32.const 60000) (i32.const {1})) unreachable",
            wat_bytes(message),
            message.len()
        ),
    )
}

#[test]
fn issue_14_7_pack_text_reaches_the_terminal_with_control_characters_escaped() {
    let forged = b"oops\nerror: pack `quality-balance` on county `410825`: forged\x1b]0;owned\x07\x1b[2J";
    let evaluation = evaluate_text(limits(), &failing_with(forged), &[("S1", 5)], None);
    let message = evaluation.failures()[0].to_string();
    assert!(!message.contains('\n') && !message.contains('\u{1b}') && !message.contains('\u{7}'), "{message:?}");
    assert!(message.contains("oops\\nerror: pack `quality-balance`"), "{message}");
    assert!(message.contains("\\u{1b}]0;owned\\u{7}"), "{message}");
    // The log line `dudao run --verbose` prints is escaped the same way.
    let logs = &evaluation.outcomes[0].logs;
    assert_eq!(logs.len(), 1);
    assert!(logs[0].starts_with("oops\\nerror: pack") && !logs[0].contains('\u{1b}'), "{logs:?}");

    // A refusal message, a note and a subject part with control characters.
    let refusal =
        WatPack { output: br#"{"error":{"message":"no\r\nerror: x\u001b[31m"}}"#.to_vec(), ..WatPack::default() };
    let evaluation = evaluate_text(limits(), &refusal.text(), &[("S1", 5)], None);
    assert_eq!(
        outcome(&evaluation, "S1"),
        &Err(EvalError::Refused { message: "no\\r\\nerror: x\\u{1b}[31m".to_owned() })
    );
    let noted = WatPack {
        output: br#"{"ok":{"results":[{"subject":"S1","indicator":"wat.students","value":5,"status":"met","note":"a\u001b]0;t\u0007"}]}}"#.to_vec(),
        ..WatPack::default()
    };
    let evaluation = evaluate_text(limits(), &noted.text(), &[("S1", 5)], None);
    assert_eq!(outcome(&evaluation, "S1").as_ref().expect("evaluates")[0].note.as_deref(), Some("a\\u{1b}]0;t\\u{7}"));
    let part = WatPack {
        output: br#"{"ok":{"results":[{"subject":"S1:\n","indicator":"wat.students","value":5,"status":"met"}]}}"#
            .to_vec(),
        ..WatPack::default()
    };
    let evaluation = evaluate_text(limits(), &part.text(), &[("S1", 5)], None);
    let error = outcome(&evaluation, "S1").as_ref().expect_err("refused").to_string();
    assert!(error.contains("`S1:\\n`, which contains control characters"), "{error}");

    // A manifest with control characters is refused at load, with the place named.
    let manifest = WatPack::default().manifest.replace("手写测试包", "手写\\u001b]0;x\\u0007测试包");
    let error =
        load_text(limits(), &WatPack { manifest, ..WatPack::default() }.text()).expect_err("refused").to_string();
    assert!(
        error.contains("the text at `title` contains control characters (`手写\\u{1b}]0;x\\u{7}测试包`)"),
        "{error}"
    );
    assert!(!error.contains('\u{1b}'), "{error:?}");
}

#[test]
fn issue_14_8_formula_like_text_is_neutralised_in_the_csv() {
    let pack = WatPack {
        output: br#"{"ok":{"results":[{"subject":"S1","indicator":"wat.students","value":-5,"status":"met","note":"=HYPERLINK(\"http://x\",\"y\")"}]}}"#.to_vec(),
        ..WatPack::default()
    };
    let data = support::dataset_dir(&[
        ("counties.csv", "id,name,parent_id\n410825,温县,410800\n"),
        ("schools.csv", "id,name,county_id,primary_students\nS1,@SUM(A1),410825,5\n"),
    ]);
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = pack.write(dir.path(), "pack.wasm");
    let evaluation = support::evaluate_with(limits(), &[&path], data.path(), None);
    let csv = dudao_publish::results::csv(&evaluation);
    // Numbers stay numbers; text that a spreadsheet would evaluate gets an apostrophe.
    assert!(
        csv.contains("wat-pack,S1,wat.students,-5,met,school,'@SUM(A1),\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{csv}"
    );
}

#[test]
fn issue_14_9_out_of_bounds_traps_are_worded_once_and_segments_outside_memory_are_named() {
    let outside = WatPack::default().text().replacen(
        "(data (i32.const 1024)",
        "(data (i32.const 200000) \"x\")\n  (data (i32.const 1024)",
        1,
    );
    let error = load_text(limits(), &outside).expect_err("refused");
    let message = error.to_string();
    assert!(
        matches!(&error, PackError::Describe { error: EvalError::Instantiation { message }, .. } if message.contains("a data segment lies outside the pack's memory")),
        "{error:?}"
    );
    assert!(!message.contains("stack overflow") && !message.contains("wasm trap"), "{message}");

    let wild = WatPack::default().text().replace(
        "(func (export \"dudao_evaluate\") (param i32 i32) (result i64)",
        "(func (export \"dudao_evaluate\") (param i32 i32) (result i64) (drop (i32.load (i32.const -8)))",
    );
    let evaluation = evaluate_text(limits(), &wild, &[("S1", 5)], None);
    let message = outcome(&evaluation, "S1").as_ref().expect_err("traps").to_string();
    assert_eq!(message.matches("out of bounds memory access").count(), 1, "{message}");
    assert!(message.starts_with("crashed with a WebAssembly trap: out of bounds memory access"), "{message}");
    assert!(!message.contains("wasm trap"), "{message}");
}
