//! The dudao engine: everything between a pack file and a scored evaluation.
//!
//! What lives here:
//! - the sandbox and its limits ([`sandbox`]: fuel, memory, deadline, named failures) and the
//!   host side of the pack ABI ([`abi`]: exports, imports, the wire calls);
//! - packs ([`pack`]: loading, checking, describing, evaluating one unit) and the cache of
//!   compiled packs ([`cache`]);
//! - evaluation plans ([`plan`]: the model, pins, layering rules, sampling, dates) and where a
//!   pack applies ([`scope`]);
//! - evaluation ([`evaluate`]: units in parallel, outcomes in a fixed order, [`outcome`]),
//!   scoring ([`score`]: leaves, dimensions, vetoes, grades, roll-ups) and rounds ([`round`]:
//!   a plan end to end, with the overall result);
//! - comparing evaluations for authors: test cases ([`casetest`]) and the impact of a rule
//!   change ([`impact`]).
//!
//! What does not: datasets are read and validated by `dudao-dataset`; every output format
//! (terminal, CSV, JSON, HTML, Markdown, XLSX) is `dudao-publish`; argument parsing and exit
//! codes are the `dudao` binary's.
//!
//! ```no_run
//! use dudao_engine::{evaluate, pack::LoadedPack, sandbox::{Limits, Sandbox}};
//! use dudao_dataset::Dataset;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::new(Limits::default())?;
//! let pack = LoadedPack::load(&sandbox, "target/packs/quality-balance.wasm".as_ref())?;
//! let data = Dataset::load("fixtures/jiaozuo".as_ref())?;
//! let prepared = dudao_dataset::prepare(&data, &[&pack.manifest])?;
//! let evaluation = evaluate::evaluate(&sandbox, &[pack], &data, prepared, Default::default());
//! println!("{} outcomes", evaluation.outcomes.len());
//! # Ok(()) }
//! ```

pub mod abi;
pub mod accept;
mod batches;
pub mod budget;
pub mod cache;
pub mod casetest;
pub mod compiling;
pub mod declarative;
pub mod evaluate;
pub mod fileguard;
pub mod files;
pub mod impact;
pub mod instances;
pub mod layering;
pub mod outcome;
pub mod pack;
pub mod plan;
pub mod probe;
pub mod round;
pub mod rows;
pub mod sandbox;
pub mod scope;
pub mod score;
pub mod textguard;
pub mod vet;

pub use dudao_dataset as dataset;
pub use rules_sdk::wire;
