//! Snapshot of the pack's results over the city's Jiaozuo fixtures (`fixtures/jiaozuo`),
//! reviewed by hand: only 修武县 and its schools have results; every other county's empty cells
//! pass validation because the local columns are optional.

use xiuwu_afterschool::{COUNTY, XiuwuAfterschool};

#[test]
fn jiaozuo_results_match_the_reviewed_snapshot() {
    let results =
        rules_testing::run::<XiuwuAfterschool>(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fixtures/jiaozuo"));
    assert!(results.iter().all(|row| row.subject.starts_with(COUNTY)), "only 修武县 is evaluated");
    insta::assert_yaml_snapshot!("jiaozuo", results);
}
