//! Snapshot of the pack's results over the Jiaozuo fixtures (`fixtures/jiaozuo`), reviewed by
//! hand: every school, every indicator, value, status and note.

use school_supervision::SchoolSupervision;

#[test]
fn jiaozuo_results_match_the_reviewed_snapshot() {
    let results =
        rules_testing::run::<SchoolSupervision>(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jiaozuo"));
    insta::assert_yaml_snapshot!("jiaozuo", results);
}
