//! Snapshot of the pack's results over the Jiaozuo fixtures (`fixtures/jiaozuo`), reviewed by
//! hand: every county, every indicator, value, status and note.

use government_duty::GovernmentDuty;

#[test]
fn jiaozuo_results_match_the_reviewed_snapshot() {
    let results = rules_testing::run::<GovernmentDuty>(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jiaozuo"));
    insta::assert_yaml_snapshot!("jiaozuo", results);
}
