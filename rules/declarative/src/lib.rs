//! The interpreter of declarative dudao packs (`pack.toml`, or the XLSX indicator table).
//!
//! Built once, this module is the bare interpreter: it describes itself as
//! `declarative-interpreter` and evaluates nothing. `dudao build pack.toml` checks the spec and
//! writes the resulting [`Program`] into the reserved buffer [`SLOT`]
//! (see `declarative_spec::slot` and `docs/abi.md`), which makes it an ordinary ABI 1 pack:
//! at every instantiation it reads the program from the buffer, describes itself with the
//! program's manifest, and evaluates each unit with the program's CEL expressions.
//!
//! The reproducible build of this crate is committed as `interpreter.wasm` and embedded in the
//! `dudao` binary, so a county machine needs no Rust toolchain to build a declarative pack.

use declarative_spec::eval::{self, Outcome};
use declarative_spec::program::{PROGRAM_FORMAT, Program, RuntimeOnly};
use declarative_spec::slot;
use rules_sdk::prelude::*;

/// The reserved buffer `dudao build` writes the program into.
pub static SLOT: [u8; slot::CAPACITY] = slot::empty();

/// The program bytes in the buffer, if any. The buffer is read through `black_box` so that
/// the compiler cannot fold its contents (all zeros when built) into the code.
fn program_bytes() -> Option<&'static [u8]> {
    let slot: &'static [u8; slot::CAPACITY] = std::hint::black_box(&SLOT);
    slot::program(slot)
}

fn check_format(format: u32) -> Result<(), PackError> {
    if format != PROGRAM_FORMAT {
        return Err(PackError::new(format!(
            "this declarative pack was built for program format {format}, but its interpreter reads format {PROGRAM_FORMAT}; rebuild it with this dudao"
        )));
    }
    Ok(())
}

/// The whole program (with its manifest), for `dudao_describe`.
fn program() -> Result<Option<Program>, PackError> {
    let Some(bytes) = program_bytes() else { return Ok(None) };
    let program: Program = serde_json::from_slice(bytes)
        .map_err(|error| PackError::new(format!("the program in this declarative pack is damaged: {error}")))?;
    check_format(program.format)?;
    Ok(Some(program))
}

/// The runtime part only, for `dudao_evaluate` (the manifest is skipped, not built).
fn runtime() -> Result<Option<RuntimeOnly>, PackError> {
    let Some(bytes) = program_bytes() else { return Ok(None) };
    let program: RuntimeOnly = serde_json::from_slice(bytes)
        .map_err(|error| PackError::new(format!("the program in this declarative pack is damaged: {error}")))?;
    check_format(program.format)?;
    Ok(Some(program))
}

/// The manifest of the bare interpreter.
fn bare() -> Manifest {
    ManifestBuilder::new("declarative-interpreter", env!("CARGO_PKG_VERSION"), "声明式指标包解释器（未装入指标）")
        .description("由 `dudao build pack.toml` 装入声明式指标包后使用；单独运行不评价任何指标。")
        .unit(Level::School, &[])
        .build()
}

/// The pack.
#[derive(Debug)]
pub struct Interpreter;

impl Pack for Interpreter {
    fn manifest() -> Manifest {
        match program() {
            Ok(Some(program)) => program.manifest,
            Ok(None) => bare(),
            Err(error) => panic!("{error}"),
        }
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        let Some(program) = runtime()? else {
            return Err(PackError::new("这是未装入指标的解释器：请用 `dudao build pack.toml` 生成指标包"));
        };
        match eval::evaluate(&program.runtime, &eval::environment(), unit) {
            Ok(Outcome::Results(results)) => Ok(results),
            Ok(Outcome::Refused(message)) => Err(PackError::new(message)),
            Err(failure) => Err(PackError::new(failure.to_string())),
        }
    }
}

rules_sdk::export_pack!(Interpreter);
