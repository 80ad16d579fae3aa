//! The same units evaluated three ways, side by side: in the sandbox (a fresh instance per
//! unit, the unit in JSON, the output in the compact encoding of ABI 1.2), natively with the
//! same marshaling (the unit's JSON decoded, the output encoded and decoded compactly), and
//! natively on units already decoded (each record still JSON text, as the SDK keeps it until the pack
//! reads it). The ratios are the cost of the sandbox; `docs/performance.md` quotes them.
//!
//! `cargo xtask packs` first (the bench loads `target/packs/quality-balance.wasm`); the
//! dataset is `fixtures/jiaozuo`, or the folder in `DUDAO_BENCH_DATA` (for example the
//! national one `cargo xtask bench` generates in `target/bench/national`).

use std::path::{Path, PathBuf};

use dudao_dataset::{Dataset, Prepared};
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::{Limits, Sandbox};
use quality_balance::QualityBalance;
use rules_sdk::Pack;
use rules_sdk::wire::{IndicatorResult, Output, Unit, UnitSpec};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Inputs {
    sandbox: Sandbox,
    pack: LoadedPack,
    prepared: Prepared,
    units: Vec<(UnitSpec, usize, String)>,
}

fn inputs() -> &'static Inputs {
    static INPUTS: std::sync::OnceLock<Inputs> = std::sync::OnceLock::new();
    INPUTS.get_or_init(|| {
        let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
        let module = root().join("target/packs/quality-balance.wasm");
        let pack = LoadedPack::load(&sandbox, &module).expect("run `cargo xtask packs` first");
        let data = std::env::var_os("DUDAO_BENCH_DATA").map_or_else(|| root().join("fixtures/jiaozuo"), PathBuf::from);
        let dataset = Dataset::load(&data).expect("dataset");
        let prepared = dudao_dataset::prepare(&dataset, &[&pack.manifest]).expect("valid dataset");
        let mut units = Vec::new();
        for spec in &pack.manifest.units {
            for subject in prepared.subjects_in_scope(0, spec.level) {
                units.push((spec.clone(), subject, prepared.subject(spec.level, subject).id.clone()));
            }
        }
        Inputs { sandbox, pack, prepared, units }
    })
}

fn main() {
    divan::main();
}

/// Sums `count` over every unit's JSON, as the host writes it.
fn over_units(count: impl Fn(&UnitSpec, &str, &[u8]) -> usize) -> usize {
    let inputs = inputs();
    inputs
        .units
        .iter()
        .map(|(spec, subject, id)| count(spec, id, &dudao_dataset::unit_json(&inputs.prepared, 0, spec, *subject)))
        .sum()
}

/// Every unit in the sandbox: serialise, fresh instance, evaluate, check the output.
#[divan::bench(sample_count = 10)]
fn sandboxed() -> usize {
    let inputs = inputs();
    over_units(|spec, id, bytes| {
        let (results, _) = inputs.pack.evaluate(&inputs.sandbox, spec.level, id, bytes);
        results.expect("evaluates").len()
    })
}

/// Every unit natively, with the marshaling the ABI makes: the unit's JSON written and read,
/// the output written and read in the compact encoding (what `dudao_evaluate_compact` does).
#[divan::bench(sample_count = 10)]
fn native_same_marshaling() -> usize {
    over_units(|_, _, bytes| {
        let output = rules_sdk::abi::evaluate_bytes::<QualityBalance>(bytes);
        match rules_sdk::compact::decode(&rules_sdk::compact::encode(&output)).expect("reads back") {
            Output::Ok { results } => results.len(),
            Output::Error { message } => panic!("refused: {message}"),
        }
    })
}

/// The same with the output in JSON both ways, as `dudao_evaluate` (ABI 1.0 and 1.1) returns it.
#[divan::bench(sample_count = 10)]
fn native_with_json() -> usize {
    over_units(|_, _, bytes| {
        let unit: Unit = serde_json::from_slice(bytes).expect("unit");
        let results = QualityBalance::evaluate(&unit).expect("evaluates");
        let out = serde_json::to_vec(&results).expect("results");
        let back: Vec<IndicatorResult> = serde_json::from_slice(&out).expect("results");
        back.len()
    })
}

/// Every unit natively on units already decoded: the pack's own decoding of each record and
/// its evaluation, without the unit's JSON or the results' round trip.
#[divan::bench(sample_count = 10)]
fn native_typed(bencher: divan::Bencher) {
    let inputs = inputs();
    let units: Vec<Unit> = inputs
        .units
        .iter()
        .map(|(spec, subject, _)| dudao_dataset::unit(&inputs.prepared, 0, spec, *subject))
        .collect();
    bencher.bench(|| units.iter().map(|unit| QualityBalance::evaluate(unit).expect("evaluates").len()).sum::<usize>());
}
