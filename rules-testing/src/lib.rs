//! Native test helpers for pack authors: run a pack over a fixture dataset without
//! WebAssembly, exactly as the host would cut it into units.
//!
//! ```ignore
//! #[test]
//! fn fixture_results() {
//!     let results = rules_testing::run::<MyPack>("fixtures/sample");
//!     insta::assert_yaml_snapshot!(results);
//! }
//! ```
//!
//! A pack with value-added indicators uses [`run_with_previous`] with the previous period's
//! dataset.

use std::path::Path;

use dudao_dataset::{self as dataset, Dataset};
use rules_sdk::Pack;
use rules_sdk::wire::IndicatorResult;

/// Validates `dataset` (a CSV folder or JSON file) against `P`'s manifest and evaluates every
/// unit natively, in the host's order: unit levels as in the manifest, subjects in dataset
/// order. Returns every result.
///
/// # Panics
///
/// With a readable message when the dataset cannot be read, fails validation, or the pack
/// refuses a unit: in a test, that is the failure to report.
pub fn run<P: Pack>(dataset: impl AsRef<Path>) -> Vec<IndicatorResult> {
    evaluate::<P>(dataset.as_ref(), None)
}

/// Like [`run`], with the previous period's dataset, for packs whose units compare with the
/// previous period (value-added indicators, `UnitSpec::previous`).
///
/// # Panics
///
/// As [`run`], and when the previous dataset cannot be read or fails validation.
pub fn run_with_previous<P: Pack>(dataset: impl AsRef<Path>, previous: impl AsRef<Path>) -> Vec<IndicatorResult> {
    evaluate::<P>(dataset.as_ref(), Some(previous.as_ref()))
}

fn evaluate<P: Pack>(path: &Path, previous: Option<&Path>) -> Vec<IndicatorResult> {
    let data = Dataset::load(path).unwrap_or_else(|error| panic!("{error}"));
    let previous = previous.map(|path| Dataset::load(path).unwrap_or_else(|error| panic!("{error}")));
    let manifest = P::manifest();
    let prepared = dataset::prepare_with(
        &data,
        &[&manifest],
        &dataset::PrepareOptions { previous: previous.as_ref(), ..Default::default() },
    )
    .unwrap_or_else(|errors| panic!("{errors}"));
    let mut results = Vec::new();
    for spec in &manifest.units {
        let count = prepared.subjects.get(&spec.level).map_or(0, Vec::len);
        for subject in 0..count {
            let unit = dataset::unit(&prepared, 0, spec, subject);
            match P::evaluate(&unit) {
                Ok(found) => results.extend(found),
                Err(error) => {
                    panic!(
                        "pack `{}` refused {} `{}`: {error}",
                        manifest.id,
                        spec.level,
                        prepared.subject(spec.level, subject).id
                    )
                }
            }
        }
    }
    results
}
