//! The host side of pack ABI version 1 (specified in `docs/abi.md`).
//!
//! A pack is a core WebAssembly module. It must export:
//!
//! | export | type | meaning |
//! |---|---|---|
//! | `memory` | memory | the linear memory all pointers point into |
//! | `dudao_abi_version` | `() -> i32` | `(major << 16) \| minor`; this host speaks major 1 |
//! | `dudao_alloc` | `(len: i32) -> i32` | a guest buffer of `len` bytes for the host to fill (0 = out of memory) |
//! | `dudao_free` | `(ptr: i32, len: i32) -> ()` | gives a buffer back |
//! | `dudao_describe` | `() -> i64` | the manifest, UTF-8 JSON, packed `(ptr << 32) \| len` |
//! | `dudao_evaluate` | `(ptr: i32, len: i32) -> i64` | one unit in (JSON), one output out (packed) |
//!
//! and may export (since ABI 1.2), which the host then calls instead of `dudao_evaluate`:
//!
//! | export | type | meaning |
//! |---|---|---|
//! | `dudao_evaluate_compact` | `(ptr: i32, len: i32) -> i64` | as `dudao_evaluate`, the output in the compact encoding ([`rules_sdk::compact`]) |
//!
//! and may import only, from module `dudao`:
//!
//! | import | type | meaning |
//! |---|---|---|
//! | `log` | `(level: i32, ptr: i32, len: i32) -> ()` | a UTF-8 log line (0 debug, 1 info, 2 warn) |
//! | `fail` | `(ptr: i32, len: i32) -> ()` | the message of the trap that follows (a panic) |
//!
//! The host fills the input buffer it got from `dudao_alloc`; ownership passes to the guest.
//! The output stays the guest's; the host copies it out and discards the instance.

use rules_sdk::wire::{AbiVersion, Manifest, Output};
use wasmtime::{Caller, ExternType, Instance, InstancePre, Linker, Memory, Module, Store, TypedFunc, ValType};

use crate::sandbox::{EvalError, Limits, MAX_LOG_LINE_BYTES, MAX_LOG_LINES, StoreState};

/// The module every import must come from.
pub const IMPORT_MODULE: &str = "dudao";

/// An export the ABI requires, with its type as `(params, results)`.
#[derive(Debug, Clone, Copy)]
pub struct RequiredExport {
    /// Export name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
}

impl RequiredExport {
    /// The signature as written in `docs/abi.md`.
    pub fn signature(&self) -> String {
        let list = |types: &[ValType]| types.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        format!("({}) -> ({})", list(self.params), list(self.results))
    }
}

/// The function exports of ABI version 1 (the `memory` export is checked separately).
pub const REQUIRED_EXPORTS: [RequiredExport; 5] = [
    RequiredExport { name: "dudao_abi_version", params: &[], results: &[ValType::I32] },
    RequiredExport { name: "dudao_alloc", params: &[ValType::I32], results: &[ValType::I32] },
    RequiredExport { name: "dudao_free", params: &[ValType::I32, ValType::I32], results: &[] },
    RequiredExport { name: "dudao_describe", params: &[], results: &[ValType::I64] },
    RequiredExport { name: "dudao_evaluate", params: &[ValType::I32, ValType::I32], results: &[ValType::I64] },
];

/// The optional export a pack of ABI 1.2 or later may have: `dudao_evaluate` with the output
/// in the compact encoding. Checked like the required ones when present.
pub const EVALUATE_COMPACT: RequiredExport =
    RequiredExport { name: "dudao_evaluate_compact", params: &[ValType::I32, ValType::I32], results: &[ValType::I64] };

/// Which export evaluates a unit: the compact one when the module has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluator {
    /// `dudao_evaluate`, the output in JSON.
    Json,
    /// `dudao_evaluate_compact`, the output in the compact encoding (ABI 1.2).
    Compact,
}

impl Evaluator {
    /// The evaluator of a module that passed [`violations`].
    pub fn of(module: &Module) -> Evaluator {
        match module.get_export(EVALUATE_COMPACT.name) {
            Some(ExternType::Func(_)) => Evaluator::Compact,
            _ => Evaluator::Json,
        }
    }

    /// The export's name.
    pub fn export(self) -> &'static str {
        match self {
            Evaluator::Json => "dudao_evaluate",
            Evaluator::Compact => EVALUATE_COMPACT.name,
        }
    }
}

/// The imports a pack may use.
pub const ALLOWED_IMPORTS: [RequiredExport; 2] = [
    RequiredExport { name: "log", params: &[ValType::I32, ValType::I32, ValType::I32], results: &[] },
    RequiredExport { name: "fail", params: &[ValType::I32, ValType::I32], results: &[] },
];

/// A way in which a module does not follow the ABI, found without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// An import from outside `dudao`, or one `dudao` does not provide.
    ForbiddenImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// An import with the right name but the wrong type.
    WrongImportType {
        /// Import name.
        name: String,
        /// Expected signature.
        expected: String,
    },
    /// A required export is missing.
    MissingExport {
        /// Export name.
        name: String,
    },
    /// An export has the wrong type.
    WrongExportType {
        /// Export name.
        name: String,
        /// Expected type.
        expected: String,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::ForbiddenImport { module, name } => write!(
                f,
                "imports `{module}.{name}`, but a pack may import only `dudao.log` and `dudao.fail` (no WASI, no other host access)"
            ),
            Violation::WrongImportType { name, expected } => {
                write!(f, "imports `dudao.{name}` with the wrong type (expected {expected})")
            }
            Violation::MissingExport { name } => write!(f, "does not export `{name}`, which ABI 1 requires"),
            Violation::WrongExportType { name, expected } => {
                write!(f, "exports `{name}` with the wrong type (expected {expected})")
            }
        }
    }
}

fn signature_matches(ty: &wasmtime::FuncType, spec: &RequiredExport) -> bool {
    let params: Vec<ValType> = ty.params().collect();
    let results: Vec<ValType> = ty.results().collect();
    params.len() == spec.params.len()
        && results.len() == spec.results.len()
        && params.iter().zip(spec.params).all(|(a, b)| ValType::eq(a, b))
        && results.iter().zip(spec.results).all(|(a, b)| ValType::eq(a, b))
}

/// Checks a compiled module's imports and exports against ABI version 1.
pub fn violations(module: &Module) -> Vec<Violation> {
    let mut found = Vec::new();
    for import in module.imports() {
        let allowed = (import.module() == IMPORT_MODULE)
            .then(|| ALLOWED_IMPORTS.iter().find(|spec| spec.name == import.name()))
            .flatten();
        match (allowed, import.ty()) {
            (Some(spec), ExternType::Func(ty)) if signature_matches(&ty, spec) => {}
            (Some(spec), _) => {
                found.push(Violation::WrongImportType { name: spec.name.to_owned(), expected: spec.signature() })
            }
            (None, _) => found.push(Violation::ForbiddenImport {
                module: import.module().to_owned(),
                name: import.name().to_owned(),
            }),
        }
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(memory)) if !memory.is_64() && !memory.is_shared() => {}
        Some(_) => found.push(Violation::WrongExportType {
            name: "memory".to_owned(),
            expected: "a 32-bit, unshared linear memory".to_owned(),
        }),
        None => found.push(Violation::MissingExport { name: "memory".to_owned() }),
    }
    let optional = std::iter::once((&EVALUATE_COMPACT, false));
    for (spec, required) in REQUIRED_EXPORTS.iter().map(|spec| (spec, true)).chain(optional) {
        match module.get_export(spec.name) {
            Some(ExternType::Func(ty)) if signature_matches(&ty, spec) => {}
            Some(_) => {
                found.push(Violation::WrongExportType { name: spec.name.to_owned(), expected: spec.signature() })
            }
            None if required => found.push(Violation::MissingExport { name: spec.name.to_owned() }),
            None => {}
        }
    }
    found
}

/// The linker with the two `dudao` imports.
///
/// # Errors
///
/// Only if wasmtime refuses the definitions (a bug).
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    linker.func_wrap(IMPORT_MODULE, "log", |mut caller: Caller<'_, StoreState>, _level: i32, ptr: i32, len: i32| {
        if caller.data().logs.len() >= MAX_LOG_LINES {
            return;
        }
        let line = read_guest_text(&mut caller, ptr, len, MAX_LOG_LINE_BYTES);
        caller.data_mut().logs.push(line);
    })?;
    linker.func_wrap(IMPORT_MODULE, "fail", |mut caller: Caller<'_, StoreState>, ptr: i32, len: i32| {
        let message = read_guest_text(&mut caller, ptr, len, 4096);
        caller.data_mut().fail_message = Some(message);
    })?;
    Ok(linker)
}

/// Reads up to `max` bytes of guest text, lossily; out-of-bounds pointers read as a note.
fn read_guest_text(caller: &mut Caller<'_, StoreState>, ptr: i32, len: i32, max: usize) -> String {
    let Some(memory) = caller.get_export("memory").and_then(|export| export.into_memory()) else {
        return "(no memory to read the message from)".to_owned();
    };
    let data = memory.data(&caller);
    let start = ptr as u32 as usize;
    let len = (len as u32 as usize).min(max);
    match data.get(start..start.saturating_add(len)) {
        // Pack text reaches terminals: no raw control characters (see `textguard`).
        Some(bytes) => crate::textguard::escape_controls(&String::from_utf8_lossy(bytes)),
        None => "(message pointer outside the pack's memory)".to_owned(),
    }
}

/// A live instance of a pack in its own store, for one call.
pub(crate) struct Session<'a> {
    store: Store<StoreState>,
    instance: Instance,
    limits: &'a Limits,
}

impl<'a> Session<'a> {
    /// Instantiates the pack in a fresh store with the sandbox's budgets.
    pub(crate) fn start(
        engine: &wasmtime::Engine,
        pre: &InstancePre<StoreState>,
        limits: &'a Limits,
        deadline_ticks: u64,
    ) -> Result<Session<'a>, (EvalError, Vec<String>, u64)> {
        let mut store = Store::new(engine, StoreState::new(limits));
        store.limiter(|state| state as &mut dyn wasmtime::ResourceLimiter);
        store.set_fuel(limits.fuel).map_err(|error| (EvalError::Trap { message: error.to_string() }, Vec::new(), 0))?;
        store.set_epoch_deadline(deadline_ticks);
        store.epoch_deadline_trap();
        match pre.instantiate(&mut store) {
            Ok(instance) => Ok(Session { store, instance, limits }),
            Err(error) => {
                let failure = EvalError::from_instantiation(&error, store.data(), limits);
                let fuel = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
                Err((failure, std::mem::take(&mut store.data_mut().logs), fuel))
            }
        }
    }

    /// Fuel consumed so far.
    pub(crate) fn fuel_used(&self) -> u64 {
        self.limits.fuel.saturating_sub(self.store.get_fuel().unwrap_or(0))
    }

    /// Log lines the guest sent so far.
    pub(crate) fn take_logs(&mut self) -> Vec<String> {
        std::mem::take(&mut self.store.data_mut().logs)
    }

    fn func<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
        &mut self,
        name: &str,
    ) -> Result<TypedFunc<P, R>, EvalError> {
        self.instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .map_err(|_| EvalError::BadOutput { reason: format!("export `{name}` is missing or has the wrong type") })
    }

    fn memory(&mut self) -> Result<Memory, EvalError> {
        self.instance
            .get_memory(&mut self.store, "memory")
            .ok_or_else(|| EvalError::BadOutput { reason: "the module exports no memory".to_owned() })
    }

    fn fail(&self, error: &wasmtime::Error) -> EvalError {
        EvalError::from_call(error, self.store.data(), self.limits)
    }

    /// Calls `dudao_abi_version`.
    pub(crate) fn abi_version(&mut self) -> Result<AbiVersion, EvalError> {
        let func = self.func::<(), i32>("dudao_abi_version")?;
        let packed = func.call(&mut self.store, ()).map_err(|error| self.fail(&error))?;
        Ok(AbiVersion::from_packed(packed))
    }

    /// Calls `dudao_describe` and decodes the manifest.
    pub(crate) fn describe(&mut self) -> Result<Manifest, EvalError> {
        let func = self.func::<(), i64>("dudao_describe")?;
        let packed = func.call(&mut self.store, ()).map_err(|error| self.fail(&error))?;
        self.read_output(packed, |bytes| {
            serde_json::from_slice(bytes).map_err(|error| EvalError::BadOutput {
                reason: format!(
                    "the manifest is not valid ABI 1 JSON: {}",
                    crate::textguard::escape_controls(&error.to_string())
                ),
            })
        })
    }

    /// Sends one unit (already serialised) to the `evaluator` export and decodes the output.
    pub(crate) fn evaluate(&mut self, unit: &[u8], evaluator: Evaluator) -> Result<Output, EvalError> {
        let alloc = self.func::<i32, i32>("dudao_alloc")?;
        let evaluate = self.func::<(i32, i32), i64>(evaluator.export())?;
        let len = i32::try_from(unit.len()).map_err(|_| EvalError::BadOutput {
            reason: format!("the unit is {} bytes, too large for a 32-bit pack", unit.len()),
        })?;
        let ptr = alloc.call(&mut self.store, len).map_err(|error| self.fail(&error))?;
        if ptr == 0 {
            return Err(EvalError::BadOutput { reason: format!("`dudao_alloc` could not provide {len} bytes") });
        }
        let memory = self.memory()?;
        memory.write(&mut self.store, ptr as u32 as usize, unit).map_err(|_| EvalError::BadOutput {
            reason: format!("`dudao_alloc` returned a buffer outside the pack's memory (at {ptr})"),
        })?;
        let packed = evaluate.call(&mut self.store, (ptr, len)).map_err(|error| self.fail(&error))?;
        self.read_output(packed, decode_output)
    }

    /// Reads a packed `(ptr << 32) | len` output where it lies in guest memory, within the
    /// limits, with `decode` (which copies out what it keeps).
    fn read_output<T>(
        &mut self,
        packed: i64,
        decode: impl FnOnce(&[u8]) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        let ptr = ((packed as u64) >> 32) as usize;
        let len = (packed as u64) & 0xffff_ffff;
        if len > self.limits.max_output_bytes as u64 {
            return Err(EvalError::OutputTooLarge { size: len, limit: self.limits.max_output_bytes });
        }
        let memory = self.memory()?;
        let data = memory.data(&self.store);
        match data.get(ptr..ptr + len as usize) {
            Some(bytes) => decode(bytes),
            None => Err(EvalError::BadOutput {
                reason: format!(
                    "it points at bytes {ptr}..{} but the pack's memory has only {} bytes",
                    ptr + len as usize,
                    data.len()
                ),
            }),
        }
    }
}

/// Decodes the bytes of an output (the host's output parser): JSON, or the compact encoding
/// when the first byte is NUL (which cannot begin a JSON text).
///
/// # Errors
///
/// [`EvalError::BadOutput`] when they are neither ABI 1 output JSON nor a compact output.
pub fn decode_output(bytes: &[u8]) -> Result<Output, EvalError> {
    if rules_sdk::compact::is_compact(bytes) {
        return rules_sdk::compact::decode(bytes).map_err(|error| EvalError::BadOutput {
            reason: format!(
                "the output is not a valid compact output (ABI 1.2): {}",
                crate::textguard::escape_controls(&error.to_string())
            ),
        });
    }
    serde_json::from_slice(bytes).map_err(|error| EvalError::BadOutput {
        reason: format!(
            "the output is not valid ABI 1 JSON: {}",
            crate::textguard::escape_controls(&error.to_string())
        ),
    })
}
