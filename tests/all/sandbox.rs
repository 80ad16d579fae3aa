//! Hostile guests: every misbehaviour is contained, named, and does not stop other subjects.

use std::time::Duration;

use dudao_engine::abi::Violation;
use dudao_engine::pack::{LoadedPack, PackError};
use dudao_engine::sandbox::{EvalError, Limits, Sandbox};
use rules_sdk::wire::{Output, Status};

use crate::support::{self, WatPack};

fn tight() -> Limits {
    Limits { fuel: 200_000_000, memory_bytes: 64 << 20, deadline: Duration::from_secs(20), ..Limits::default() }
}

fn outcome_of<'a>(
    evaluation: &'a dudao_engine::evaluate::Evaluation,
    id: &str,
) -> &'a Result<Vec<rules_sdk::wire::IndicatorResult>, EvalError> {
    let outcome = evaluation
        .outcomes
        .iter()
        .find(|outcome| evaluation.prepared.subject(outcome.level, outcome.subject).id == id)
        .unwrap_or_else(|| panic!("no outcome for {id}"));
    &outcome.result
}

#[test]
fn every_hostile_subject_gets_its_named_error_and_the_others_finish() {
    let data = support::schools_dataset(&[
        ("ok1", 120),
        ("loop1", 1),
        ("bomb1", 1),
        ("abort1", 1),
        ("panic1", 1),
        ("recurse1", 1),
        ("undeclared1", 1),
        ("stranger1", 1),
        ("refuse1", 1),
        ("large1", 5),
        ("ok2", 340),
    ]);
    let hostile = support::hostile();
    let evaluation = support::evaluate_with(tight(), &[&hostile], data.path(), Some(2));

    // `large1` needs more heap than the initial memory holds: the SDK's allocator grows memory.
    for (id, students) in [("ok1", 120.0), ("ok2", 340.0), ("large1", 5.0)] {
        let results = outcome_of(&evaluation, id).as_ref().expect("well-behaved subjects succeed");
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].value, Some(students));
        assert_eq!(results[0].status, Status::Met);
    }
    let error = |id: &str| outcome_of(&evaluation, id).as_ref().expect_err("hostile subjects fail").clone();
    assert_eq!(error("loop1"), EvalError::OutOfFuel { budget: 200_000_000 });
    assert!(
        matches!(error("bomb1"), EvalError::MemoryLimit { limit, requested } if limit == 64 << 20 && requested > limit)
    );
    assert!(
        matches!(error("abort1"), EvalError::Trap { ref message } if message.contains("unreachable")),
        "{:?}",
        error("abort1")
    );
    assert!(
        matches!(error("panic1"), EvalError::Panic { ref message } if message.contains("deliberate panic for school panic1")),
        "{:?}",
        error("panic1")
    );
    // Rust keeps its stack in linear memory: overflowing it is an out-of-bounds access.
    assert!(
        matches!(error("recurse1"), EvalError::Trap { ref message } if message.contains("out of bounds memory access") && message.contains("stack overflow")),
        "{:?}",
        error("recurse1")
    );
    assert!(
        matches!(error("undeclared1"), EvalError::BadOutput { ref reason } if reason.contains("`hostile.secret` is not declared"))
    );
    assert!(matches!(error("stranger1"), EvalError::BadOutput { ref reason } if reason.contains("`someone-else`")));
    assert!(matches!(error("refuse1"), EvalError::Refused { ref message } if message.contains("cannot be evaluated")));

    // The failures are listed with pack and subject, in words.
    let failures = evaluation.failures();
    assert_eq!(failures.len(), 8);
    let loop_failure = failures.iter().find(|failure| failure.subject == "loop1").expect("listed").to_string();
    assert!(loop_failure.starts_with("pack `hostile` on school `loop1`: ran out of fuel"), "{loop_failure}");
    // And the CSV has one `error` row per failed subject with the message.
    let csv = dudao_publish::results::csv(&evaluation);
    assert!(
        csv.contains("hostile,panic1,,,error,school,学校panic1,panicked: deliberate panic for school panic1"),
        "{csv}"
    );
}

#[test]
fn an_endless_loop_is_stopped_by_the_deadline_when_fuel_would_last() {
    let data = support::schools_dataset(&[("loop1", 1), ("ok1", 7)]);
    let limits = Limits { fuel: u64::MAX / 2, deadline: Duration::from_millis(300), ..Limits::default() };
    let evaluation = support::evaluate_with(limits, &[&support::hostile()], data.path(), None);
    assert_eq!(outcome_of(&evaluation, "loop1"), &Err(EvalError::Deadline { millis: 300 }));
    assert!(outcome_of(&evaluation, "ok1").is_ok());
}

#[test]
fn the_host_is_reusable_after_failures() {
    // The same sandbox and pack keep working after a trap: a fresh instance per evaluation.
    let data = support::schools_dataset(&[("panic1", 1), ("ok1", 3), ("bomb1", 1), ("ok2", 4)]);
    let first = support::evaluate_with(tight(), &[&support::hostile()], data.path(), Some(1));
    let second = support::evaluate_with(tight(), &[&support::hostile()], data.path(), Some(2));
    assert_eq!(dudao_publish::results::csv(&first), dudao_publish::results::csv(&second));
    assert!(outcome_of(&second, "ok2").is_ok());
}

fn load(pack: &WatPack) -> Result<LoadedPack, PackError> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = pack.write(dir.path(), "pack.wasm");
    let sandbox = Sandbox::new(tight()).expect("sandbox");
    LoadedPack::load(&sandbox, &path)
}

#[test]
fn a_well_formed_hand_written_module_loads_and_evaluates() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = WatPack::default().write(dir.path(), "pack.wasm");
    let data = support::schools_dataset(&[("S1", 5)]);
    let evaluation = support::evaluate(&[&path], data.path());
    let results = outcome_of(&evaluation, "S1").as_ref().expect("evaluates");
    assert_eq!(results[0].indicator, "wat.students");
}

#[test]
fn a_forbidden_import_is_refused_before_running() {
    let pack = WatPack {
        imports: r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#
            .to_owned(),
        ..WatPack::default()
    };
    match load(&pack) {
        Err(PackError::Abi { violations, .. }) => {
            assert_eq!(
                violations,
                vec![Violation::ForbiddenImport {
                    module: "wasi_snapshot_preview1".to_owned(),
                    name: "fd_write".to_owned()
                }]
            );
        }
        other => panic!("expected an ABI error, got {other:?}"),
    }
    let message = load(&pack).expect_err("refused").to_string();
    assert!(message.contains("imports `wasi_snapshot_preview1.fd_write`"), "{message}");
}

#[test]
fn a_dudao_import_with_the_wrong_type_is_refused() {
    let pack = WatPack { imports: r#"(import "dudao" "log" (func (param i32)))"#.to_owned(), ..WatPack::default() };
    assert!(
        matches!(load(&pack), Err(PackError::Abi { violations, .. }) if matches!(violations[0], Violation::WrongImportType { .. }))
    );
}

#[test]
fn a_missing_export_is_named() {
    for name in ["dudao_evaluate", "dudao_alloc", "memory"] {
        let pack = WatPack { skip_export: Some(name), ..WatPack::default() };
        match load(&pack) {
            Err(PackError::Abi { violations, .. }) => {
                assert_eq!(violations, vec![Violation::MissingExport { name: name.to_owned() }]);
            }
            other => panic!("expected a missing export error for {name}, got {other:?}"),
        }
    }
}

#[test]
fn an_unknown_abi_major_version_is_refused_and_a_newer_minor_accepted() {
    let pack = WatPack { version: 0x0002_0000, ..WatPack::default() };
    let error = load(&pack).expect_err("refused");
    assert!(matches!(error, PackError::AbiVersion { found, .. } if found.major == 2));
    assert!(error.to_string().contains("uses pack ABI 2.0, but this host understands ABI 1.x only"), "{error}");

    // A newer minor version only adds optional fields: the host accepts it and ignores them.
    let manifest =
        WatPack::default().manifest.replacen("\"abi\":\"1.0\"", "\"abi\":\"1.7\",\"future_field\":{\"x\":1}", 1);
    let pack = WatPack { version: 0x0001_0007, manifest, ..WatPack::default() };
    let loaded = load(&pack).expect("a newer minor loads");
    assert_eq!(loaded.abi.to_string(), "1.7");
}

#[test]
fn invalid_output_is_a_named_error_for_that_subject() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = support::schools_dataset(&[("S1", 5)]);
    let cases: [(WatPack, &str); 4] = [
        (WatPack { output: b"this is not json".to_vec(), ..WatPack::default() }, "not valid ABI 1 JSON"),
        (WatPack { output: b"\xff\xfe{}".to_vec(), ..WatPack::default() }, "not valid ABI 1 JSON"),
        (WatPack { output_packed: Some((1_u64 << 32) | (64 << 20)), ..WatPack::default() }, "more than the limit"),
        (
            WatPack { output_packed: Some((131_000_u64 << 32) | 4096), ..WatPack::default() },
            "but the pack's memory has only",
        ),
    ];
    for (index, (pack, expected)) in cases.iter().enumerate() {
        let path = pack.write(dir.path(), &format!("pack{index}.wasm"));
        let evaluation = support::evaluate(&[&path], data.path());
        let error = outcome_of(&evaluation, "S1").as_ref().expect_err("bad output fails").to_string();
        assert!(error.contains(expected), "case {index}: {error}");
    }
}

/// The compact output of one result for `S1` (ABI 1.2, `rules_sdk::compact`).
fn compact_output(value: f64) -> Vec<u8> {
    rules_sdk::compact::encode(&Output::Ok {
        results: vec![rules_sdk::result("S1", "wat.students", Some(value), Status::Met)],
    })
}

/// Module fields adding a `dudao_evaluate_compact` export that returns `output` (at 32 KiB).
fn compact_export(output: &[u8], ty: &str) -> String {
    format!(
        r#"(data (i32.const 32768) "{}") (func (export "dudao_evaluate_compact") {ty} (i64.const {}))"#,
        support::wat_bytes(output),
        ((32768_u64 << 32) | output.len() as u64) as i64
    )
}

#[test]
fn the_compact_export_is_called_instead_of_the_json_one_when_a_module_has_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = support::schools_dataset(&[("S1", 5)]);
    // The JSON export says 5, the compact one 7: the host must read 7.
    let extra = compact_export(&compact_output(7.0), "(param i32 i32) (result i64)");
    let path = WatPack { extra, ..WatPack::default() }.write(dir.path(), "pack.wasm");
    let evaluation = support::evaluate(&[&path], data.path());
    let results = outcome_of(&evaluation, "S1").as_ref().expect("evaluates");
    assert_eq!(results.iter().map(|result| result.value).collect::<Vec<_>>(), [Some(7.0)]);

    let wrong =
        WatPack { extra: compact_export(&compact_output(7.0), "(param i32) (result i64)"), ..WatPack::default() };
    match load(&wrong) {
        Err(PackError::Abi { violations, .. }) => assert_eq!(
            violations,
            vec![Violation::WrongExportType {
                name: "dudao_evaluate_compact".to_owned(),
                expected: "(i32, i32) -> (i64)".to_owned()
            }]
        ),
        other => panic!("expected a wrong export type, got {other:?}"),
    }
}

#[test]
fn a_broken_compact_output_is_a_named_error_for_that_subject_and_the_host_goes_on() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = support::schools_dataset(&[("S1", 5)]);
    let good = compact_output(5.0);
    let with = |at: usize, byte: u8| {
        let mut bytes = good.clone();
        bytes[at] = byte;
        bytes
    };
    let mut huge_count = good[..5].to_vec();
    huge_count.extend_from_slice(&u32::MAX.to_le_bytes());
    // The SDK writes a value JSON cannot carry as none; a hand-written pack may not.
    let mut not_a_number = good.clone();
    not_a_number[11..19].copy_from_slice(&f64::NAN.to_le_bytes());
    let results = |subjects: &[String]| {
        rules_sdk::compact::encode(&Output::Ok {
            results: subjects
                .iter()
                .map(|subject| rules_sdk::result(subject, "wat.students", None, Status::Met))
                .collect(),
        })
    };
    let few: Vec<String> = ["S1", "S1:a", "S1"].map(str::to_owned).to_vec();
    let many: Vec<String> = (0..40).map(|part| format!("S1:{part}")).chain(["S1:7".to_owned()]).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (good[..good.len() - 3].to_vec(), "the output ends inside a result's indicator at byte"),
        ([good.as_slice(), b"x"].concat(), "1 bytes follow the end of the output"),
        (with(9, 9), "unknown status 9 at byte 9"),
        (with(10, 0x40), "unknown flags 0x40 at byte 10"),
        (with(23, 0xc0), "a result's subject is not UTF-8"),
        (huge_count, "4294967295 results cannot fit"),
        (not_a_number, "has the non-finite value NaN"),
        (with(9, 3), "has status `error`, which only the host may set"),
        (
            rules_sdk::compact::encode(&Output::Ok {
                results: vec![rules_sdk::result("S2", "wat.students", Some(1.0), Status::Met)],
            }),
            "a result is for subject `S2`, which is not `S1`",
        ),
        (results(&few), "indicator `wat.students` is reported twice for `S1`"),
        (results(&many), "indicator `wat.students` is reported twice for `S1:7`"),
    ];
    for (index, (output, expected)) in cases.iter().enumerate() {
        // Through the compact export, and returned by the JSON one: the host tells the
        // encodings apart by the first byte either way.
        for (name, pack) in [
            (
                "compact",
                WatPack { extra: compact_export(output, "(param i32 i32) (result i64)"), ..WatPack::default() },
            ),
            ("json", WatPack { output: output.clone(), ..WatPack::default() }),
        ] {
            let path = pack.write(dir.path(), &format!("pack{index}{name}.wasm"));
            let evaluation = support::evaluate(&[&path], data.path());
            let error = outcome_of(&evaluation, "S1").as_ref().expect_err("a broken output fails").to_string();
            assert!(error.contains(expected), "case {index} ({name}): {error}");
            if index < 6 {
                assert!(error.contains("not a valid compact output (ABI 1.2)"), "case {index} ({name}): {error}");
            }
        }
    }
}

#[test]
fn garbage_bytes_and_oversized_modules_are_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"MZ\x90\x00 definitely not wasm").expect("write");
    let sandbox = Sandbox::new(tight()).expect("sandbox");
    let error = LoadedPack::load(&sandbox, &garbage).expect_err("refused");
    assert!(matches!(error, PackError::NotWasm { .. }));
    assert!(error.to_string().contains("garbage.wasm"), "{error}");

    let small = Sandbox::new(Limits { max_module_bytes: 100, ..tight() }).expect("sandbox");
    let path = WatPack::default().write(dir.path(), "big.wasm");
    assert!(matches!(LoadedPack::load(&small, &path), Err(PackError::TooLarge { limit: 100, .. })));
}

#[test]
fn a_module_whose_initial_memory_exceeds_the_cap_cannot_even_describe_itself() {
    let pack = WatPack { initial_pages: 2048, ..WatPack::default() }; // 128 MiB > 64 MiB
    assert!(matches!(load(&pack), Err(PackError::Describe { error: EvalError::MemoryLimit { .. }, .. })));
}

#[test]
fn a_manifest_threshold_without_a_source_is_refused() {
    let manifest = WatPack::default()
        .manifest
        .replace(r#""source":{"document":"测试文件","item":"第一条"}"#, r#""source":{"document":"","item":""}"#);
    let error = load(&WatPack { manifest, ..WatPack::default() }).expect_err("refused");
    assert!(error.to_string().contains("without its source document and item"), "{error}");
}

#[test]
fn a_wasm_stack_overflow_is_named() {
    // Endless recursion on WebAssembly's own call stack (no linear-memory stack involved).
    let text = WatPack::default().text().replace(
        "(func (export \"dudao_evaluate\") (param i32 i32) (result i64)",
        "(func $deeper (param i32) (result i32) (i32.add (call $deeper (local.get 0)) (i32.const 1)))\n  (func (export \"dudao_evaluate\") (param i32 i32) (result i64) (drop (call $deeper (i32.const 0)))",
    );
    assert!(text.contains("$deeper"), "the template changed");
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("deep.wasm");
    std::fs::write(&path, support::wat(&text)).expect("write");
    let data = support::schools_dataset(&[("S1", 5)]);
    let evaluation = support::evaluate(&[&path], data.path());
    assert_eq!(outcome_of(&evaluation, "S1"), &Err(EvalError::StackOverflow));
}

/// A pack built with the SDK answers the same through both exports: every result (values bit
/// for bit), refusal and error of the compact output is the JSON output's, for the standard
/// packs on every Jiaozuo unit and for each misbehaviour of the hostile guest.
#[test]
fn the_compact_and_the_json_outputs_of_a_pack_are_the_same_results() {
    use dudao_engine::abi::Evaluator;
    let sandbox = Sandbox::new(tight()).expect("sandbox");
    let jiaozuo = dudao_dataset::Dataset::load(&support::fixture("jiaozuo")).expect("loads");
    let hostile_data = support::schools_dataset(&[
        ("ok1", 120),
        ("panic1", 1),
        ("undeclared1", 1),
        ("stranger1", 1),
        ("refuse1", 1),
        ("large1", 5),
    ]);
    let hostile = dudao_dataset::Dataset::load(hostile_data.path()).expect("loads");
    let cases = [
        ("rules/quality-balance", &jiaozuo),
        ("rules/government-duty", &jiaozuo),
        ("rules/school-supervision", &jiaozuo),
        ("tests/guests/hostile", &hostile),
    ];
    let mut compared = 0;
    for (krate, data) in cases {
        let compact = LoadedPack::load(&sandbox, &support::pack_path(krate)).expect("loads");
        assert_eq!(compact.evaluator(), Evaluator::Compact, "{krate}");
        let json = LoadedPack::load(&sandbox, &support::pack_path(krate)).expect("loads").through_json();
        assert_eq!(json.evaluator(), Evaluator::Json);
        let prepared = dudao_dataset::prepare(data, &[&compact.manifest]).expect("valid");
        for spec in &compact.manifest.units {
            for subject in prepared.subjects_in_scope(0, spec.level) {
                let id = &prepared.subject(spec.level, subject).id;
                let unit = dudao_dataset::unit_json(&prepared, 0, spec, subject);
                let through_compact = compact.evaluate(&sandbox, spec.level, id, &unit);
                let through_json = json.evaluate(&sandbox, spec.level, id, &unit);
                assert_eq!(through_compact, through_json, "{krate} {id}");
                compared += 1;
            }
        }
    }
    assert!(compared > 700, "{compared} units compared");
}
