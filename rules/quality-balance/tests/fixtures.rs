//! The pack's county results on the Jiaozuo fixtures, run natively with
//! `rules_testing::run` (no WebAssembly, no host): a change to any formula or threshold
//! shows up here as a snapshot diff to review with `cargo insta review` (docs/authoring.md).
//!
//! The same figures are checked through the sandbox by `tests/all/quality_balance.rs`
//! (`all__quality_balance__county@jiaozuo__counties.csv.snap`); the two snapshots must agree.

use quality_balance::QualityBalance;

#[test]
fn jiaozuo_county_results() {
    let results = rules_testing::run::<QualityBalance>(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jiaozuo"));
    let county: Vec<_> = results.into_iter().filter(|result| result.indicator.starts_with("qb.county.")).collect();
    assert!(!county.is_empty());
    insta::assert_yaml_snapshot!("jiaozuo_county", county);
}
