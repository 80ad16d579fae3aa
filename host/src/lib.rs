//! dudao (督导): a sandboxed WebAssembly rule host for education inspection indicators.
//!
//! Each indicator system is a *pack*, a WebAssembly module that speaks the pack ABI
//! ([`abi`], `docs/abi.md`). The host loads and checks packs ([`pack`]), reads and validates
//! datasets ([`dataset`]), evaluates every subject in a sandbox with fuel, memory and time
//! limits ([`sandbox`], [`evaluate`]) and writes results as tables, CSV or JSON ([`report`]).
//!
//! ```no_run
//! use dudao::{dataset, evaluate, pack::LoadedPack, sandbox::{Limits, Sandbox}};
//! # fn main() -> anyhow::Result<()> {
//! let sandbox = Sandbox::new(Limits::default())?;
//! let pack = LoadedPack::load(&sandbox, "target/packs/quality-balance.wasm".as_ref())?;
//! let data = dataset::Dataset::load("fixtures/jiaozuo".as_ref())?;
//! let prepared = dataset::prepare(&data, &[&pack.manifest])?;
//! let evaluation = evaluate::evaluate(&sandbox, &[pack], &data, prepared, Default::default());
//! print!("{}", dudao::report::csv(&evaluation));
//! # Ok(()) }
//! ```

pub mod abi;
pub mod accept;
pub mod build;
pub mod casetest;
pub mod declarative;
pub mod evaluate;
pub mod impact;
pub mod pack;
pub mod plan;
pub mod publish;
pub mod report;
pub mod round;
pub mod sandbox;
pub mod scaffold;
pub mod scaffold_declarative;
pub mod score;

pub use rules_sdk::{dataset, wire};
