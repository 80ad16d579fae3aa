//! Native test helpers for pack authors: run a pack over a fixture dataset without
//! WebAssembly, exactly as the host would cut it into units.
//!
//! ```ignore
//! #[test]
//! fn fixture_results() {
//!     let results = rules_sdk::testing::run::<MyPack>("fixtures/sample");
//!     insta::assert_yaml_snapshot!(results);
//! }
//! ```

use std::path::Path;

use crate::Pack;
use crate::dataset::{self, Dataset};
use crate::wire::IndicatorResult;

/// Validates `dataset` (a CSV folder or JSON file) against `P`'s manifest and evaluates every
/// unit natively, in the host's order: unit levels as in the manifest, subjects in dataset
/// order. Returns every result.
///
/// # Panics
///
/// With a readable message when the dataset cannot be read, fails validation, or the pack
/// refuses a unit: in a test, that is the failure to report.
pub fn run<P: Pack>(dataset: impl AsRef<Path>) -> Vec<IndicatorResult> {
    let path = dataset.as_ref();
    let data = Dataset::load(path).unwrap_or_else(|error| panic!("{error}"));
    let manifest = P::manifest();
    let prepared = dataset::prepare(&data, &[&manifest]).unwrap_or_else(|errors| panic!("{errors}"));
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
