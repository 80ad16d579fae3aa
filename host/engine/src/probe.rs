//! Calling a module's `dudao_evaluate` without loading it as a pack: the same checks before
//! compiling, the same ABI check, the same sandbox and output parser, but no manifest is
//! needed. For fuzzing the host side of the ABI with generated modules, whose
//! `dudao_describe` almost never returns a valid manifest.

use std::path::Path;

use rules_sdk::wire::Output;

use crate::abi::{self, Session};
use crate::pack::PackError;
use crate::sandbox::{EvalError, Sandbox};

/// Why a probe stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The module cannot be used (limits, validity, ABI).
    #[error(transparent)]
    Pack(#[from] PackError),
    /// Instantiating or evaluating failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// Compiles and checks `bytes` like [`crate::pack::LoadedPack::from_bytes`], then calls
/// `dudao_abi_version`, `dudao_describe` (whatever it returns) and `dudao_evaluate` with `unit`
/// in fresh instances, and decodes the output.
///
/// # Errors
///
/// The named error of the first step that failed.
pub fn evaluate_raw(sandbox: &Sandbox, bytes: &[u8], unit: &[u8]) -> Result<Output, ProbeError> {
    let path = Path::new("probe.wasm");
    let module = crate::pack::compile(sandbox, path, bytes)?;
    let violations = abi::violations(&module);
    if !violations.is_empty() {
        return Err(PackError::Abi { path: path.to_owned(), violations }.into());
    }
    let not_wasm = |message: String| PackError::NotWasm { path: path.to_owned(), message };
    let linker = abi::linker(sandbox.engine()).map_err(|error| not_wasm(error.to_string()))?;
    let pre = linker.instantiate_pre(&module).map_err(|error| not_wasm(error.root_cause().to_string()))?;
    let start = || Session::start(sandbox.engine(), &pre, sandbox.limits(), sandbox.deadline_ticks());
    let mut session = start().map_err(|(error, _, _)| error)?;
    session.abi_version()?;
    // A manifest that does not parse is expected here; only a host failure would matter.
    let _ = session.describe();
    let mut session = start().map_err(|(error, _, _)| error)?;
    Ok(session.evaluate(unit, abi::Evaluator::of(&module))?)
}
