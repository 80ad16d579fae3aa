//! Snapshot of the pack's results over the Jiaozuo fixtures (`fixtures/jiaozuo`) with the
//! previous period (`fixtures/jiaozuo-2025`), reviewed by hand: result and value-added figures
//! of every school and county.

use quality_monitoring::QualityMonitoring;

const CURRENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jiaozuo");
const PREVIOUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jiaozuo-2025");

#[test]
fn jiaozuo_results_match_the_reviewed_snapshot() {
    let results = rules_testing::run_with_previous::<QualityMonitoring>(CURRENT, PREVIOUS);
    insta::assert_yaml_snapshot!("jiaozuo", results);
}

#[test]
fn without_a_previous_dataset_the_run_is_refused() {
    let refused = std::panic::catch_unwind(|| rules_testing::run::<QualityMonitoring>(CURRENT));
    let message = refused.expect_err("needs the previous period");
    let text = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("no previous-period dataset was given"), "{text}");
}
