//! The fuzzing smoke test CI runs: every corpus input (the regression inputs), then a few
//! seconds of generated inputs per target. `cargo xtask fuzz` runs the same targets longer.

use std::path::Path;
use std::time::Duration;

fn smoke(name: &str, seconds: u64) -> dudao_fuzz::Report {
    let target = dudao_fuzz::Target::new(name).unwrap_or_else(|error| panic!("{}", error.0));
    let corpus = dudao_fuzz::corpus_of(Path::new(env!("CARGO_MANIFEST_DIR")), name);
    assert!(!corpus.is_empty(), "{name} has no corpus");
    let report = dudao_fuzz::fuzz(&target, &corpus, u64::MAX, Duration::from_secs(seconds), 14);
    assert!(report.executions + report.unreached >= corpus.len() as u64, "{name}: {report:?}");
    assert!(report.executions > 0, "{name}: no input reached the code under test: {report:?}");
    let messages: Vec<&str> = report.panics.iter().map(|(_, message)| message.as_str()).collect();
    assert!(messages.is_empty(), "{name}: inputs panicked the host: {messages:?}");
    assert!(report.hangs.is_empty(), "{name}: inputs overran the time bound: {:?}", report.hangs);
    // The sandbox caps each instance at 32 MiB here; the whole process stays far below 1 GiB.
    if let Some(kib) = report.peak_rss_kib {
        assert!(kib < 1 << 20, "{name}: peak RSS {kib} KiB");
    }
    report
}

#[test]
fn module_target() {
    let report = smoke("module", 20);
    // The generated modules must get past loading into evaluation, or the target fuzzes only
    // the validator.
    let evaluated: u64 = report
        .stages
        .iter()
        .filter(|(stage, _)| stage.starts_with("probe") || stage.starts_with("pack"))
        .map(|(_, count)| count)
        .sum();
    assert!(evaluated * 10 >= report.executions, "module: few modules were evaluated: {:?}", report.stages);
}

#[test]
fn output_target() {
    smoke("output", 5);
}

#[test]
fn manifest_target() {
    smoke("manifest", 5);
}

#[test]
fn plan_target() {
    smoke("plan", 5);
}

#[test]
fn csv_target() {
    smoke("csv", 5);
}

#[test]
fn json_target() {
    smoke("json", 5);
}

#[test]
fn xlsx_target() {
    smoke("xlsx", 5);
}
