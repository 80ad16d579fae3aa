//! Snapshot of the pack's results over the city's Jiaozuo fixtures (`fixtures/jiaozuo`),
//! reviewed by hand: only 温县 and its schools have results; every other county's empty cells
//! pass validation because the local columns are optional.

use wenxian_taiji::{COUNTY, WenxianTaiji};

#[test]
fn jiaozuo_results_match_the_reviewed_snapshot() {
    let results = rules_testing::run::<WenxianTaiji>(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fixtures/jiaozuo"));
    assert!(results.iter().all(|row| row.subject.starts_with(COUNTY)), "only 温县 is evaluated");
    insta::assert_yaml_snapshot!("jiaozuo", results);
}
