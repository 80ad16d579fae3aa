//! The sandbox every pack runs in: limits, the engine, and the errors a misbehaving pack gets.
//!
//! Each evaluation runs in a fresh store (a fresh instance of the pack) with three budgets:
//!
//! - **fuel**: by default 2 000 000 000 units (about as many WebAssembly instructions) per
//!   evaluation, which stops an endless loop deterministically;
//! - **memory**: by default 256 MiB of linear memory per instance; asking for more traps at
//!   once;
//! - **wall clock**: by default 10 s per evaluation, enforced with epoch interruption (a
//!   background thread ticks the engine's epoch every 5 ms), for anything fuel does not catch.
//!
//! There is no ambient access: a pack may import only the two functions of the `dudao` module
//! (see [`crate::abi`]); no WASI, no clock, no randomness, no files. NaNs are canonicalised so
//! results are bit-for-bit the same on every machine.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine, ResourceLimiter, Trap};

/// How often the epoch ticker advances the engine's epoch.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Largest number of table elements an instance may grow a table to.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// Log lines kept per evaluation, and the longest line kept.
pub const MAX_LOG_LINES: usize = 64;
/// Longest log line kept, in bytes.
pub const MAX_LOG_LINE_BYTES: usize = 1024;

/// The budgets of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per evaluation (roughly, WebAssembly instructions).
    pub fuel: u64,
    /// Largest linear memory an instance may have, in bytes.
    pub memory_bytes: usize,
    /// Wall-clock deadline per evaluation.
    pub deadline: Duration,
    /// Largest output (manifest or results) a pack may return, in bytes.
    pub max_output_bytes: usize,
    /// Largest module file the host accepts, in bytes.
    pub max_module_bytes: usize,
    /// What a module may contain before it is compiled (functions, code size, nesting, …).
    pub module: crate::vet::ModuleLimits,
    /// Most results one unit may return.
    pub max_results_per_unit: usize,
    /// Budgets of a whole run, per pack.
    pub run: RunLimits,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 2_000_000_000,
            memory_bytes: 256 << 20,
            deadline: Duration::from_secs(10),
            max_output_bytes: 16 << 20,
            max_module_bytes: 32 << 20,
            module: crate::vet::ModuleLimits::default(),
            max_results_per_unit: 10_000,
            run: RunLimits::default(),
        }
    }
}

/// The engine packs are compiled with, and the limits they run under. Compile each module
/// once per sandbox; instantiating is cheap.
#[derive(Debug)]
pub struct Sandbox {
    engine: Engine,
    limits: Limits,
    ticker: Option<EpochTicker>,
    cache: Option<crate::cache::ModuleCache>,
}

impl Sandbox {
    /// Builds the engine and starts the epoch ticker.
    ///
    /// # Errors
    ///
    /// Fails only if the engine cannot be configured on this machine.
    pub fn new(limits: Limits) -> Result<Sandbox, SandboxError> {
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true).cranelift_nan_canonicalization(true).max_wasm_stack(1 << 20);
        // One memory per instance: the memory cap then holds for the instance, not per memory.
        config.wasm_multi_memory(false).wasm_memory64(false);
        crate::instances::configure(&mut config, limits.memory_bytes, MAX_TABLE_ELEMENTS);
        let engine = Engine::new(&config).map_err(|error| SandboxError(error.to_string()))?;
        let ticker = EpochTicker::start(engine.clone());
        Ok(Sandbox { engine, limits, ticker: Some(ticker), cache: None })
    }

    /// The same sandbox, keeping compiled modules in `cache` (see [`crate::cache`]).
    pub fn with_cache(mut self, cache: Option<crate::cache::ModuleCache>) -> Sandbox {
        self.cache = cache;
        self
    }

    /// The cache of compiled modules, if any.
    pub fn cache(&self) -> Option<&crate::cache::ModuleCache> {
        self.cache.as_ref()
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The limits every evaluation runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The epoch deadline in ticks.
    pub(crate) fn deadline_ticks(&self) -> u64 {
        let ticks = self.limits.deadline.as_nanos() / EPOCH_TICK.as_nanos();
        u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
    }
}

/// The engine could not be set up.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot set up the WebAssembly engine: {0}")]
pub struct SandboxError(String);

/// A background thread that advances the engine's epoch every [`EPOCH_TICK`].
#[derive(Debug)]
struct EpochTicker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl EpochTicker {
    fn start(engine: Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("dudao-epoch".to_owned())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("the epoch thread starts");
        EpochTicker { stop, handle }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        // A panicked ticker has nothing to clean up.
        let _ = self.handle.join();
    }
}

/// What a store carries: the memory cap, and what the guest told us through the imports.
#[derive(Debug)]
pub(crate) struct StoreState {
    memory_cap: usize,
    /// Bytes of linear memory the instance has, all memories together.
    memory_total: usize,
    /// Table elements the instance has, all tables together.
    table_total: usize,
    /// Bytes of memory the guest asked for beyond the cap, if it did.
    pub(crate) memory_requested: Option<usize>,
    /// Table elements the guest asked for beyond the cap, if it did.
    pub(crate) table_requested: Option<usize>,
    /// Message the guest sent through `dudao.fail` before trapping (a panic message).
    pub(crate) fail_message: Option<String>,
    /// Log lines the guest sent through `dudao.log`.
    pub(crate) logs: Vec<String>,
}

impl StoreState {
    pub(crate) fn new(limits: &Limits) -> StoreState {
        StoreState {
            memory_cap: limits.memory_bytes,
            memory_total: 0,
            table_total: 0,
            memory_requested: None,
            table_requested: None,
            fail_message: None,
            logs: Vec::new(),
        }
    }
}

/// Marker error the limiter raises when a guest grows past its cap.
#[derive(Debug)]
struct LimitExceeded;

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("resource limit exceeded")
    }
}

impl std::error::Error for LimitExceeded {}

impl ResourceLimiter for StoreState {
    // The caps hold for the instance: every memory (and table) counts towards one total.
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.memory_total.saturating_sub(current).saturating_add(desired);
        if total > self.memory_cap {
            self.memory_requested = Some(total);
            return Err(wasmtime::Error::new(LimitExceeded));
        }
        self.memory_total = total;
        Ok(true)
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.table_total.saturating_sub(current).saturating_add(desired);
        if total > MAX_TABLE_ELEMENTS {
            self.table_requested = Some(total);
            return Err(wasmtime::Error::new(LimitExceeded));
        }
        self.table_total = total;
        Ok(true)
    }

    fn instances(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        crate::vet::MAX_TABLES
    }
}

/// Why a pack failed to evaluate one subject. The host reports it with the pack and subject
/// (see [`SubjectFailure`]) and goes on with the other subjects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The fuel budget ran out: most likely an endless loop.
    #[error(
        "ran out of fuel after {budget} units (about that many instructions); the pack may be stuck in a loop — raise `--fuel` only if the unit really is this large"
    )]
    OutOfFuel {
        /// The budget.
        budget: u64,
    },
    /// The wall-clock deadline passed.
    #[error("did not finish within {} ms and was stopped", millis)]
    Deadline {
        /// The deadline in milliseconds.
        millis: u128,
    },
    /// The pack asked for more memory than allowed.
    #[error("asked for {:.1} MiB of memory, more than the limit of {:.1} MiB", *requested as f64 / 1048576.0, *limit as f64 / 1048576.0)]
    MemoryLimit {
        /// Bytes requested.
        requested: usize,
        /// The cap in bytes.
        limit: usize,
    },
    /// The pack grew a table past the limit.
    #[error("asked for a table of {requested} elements, more than the limit of {limit}")]
    TableLimit {
        /// Elements requested.
        requested: usize,
        /// The cap.
        limit: usize,
    },
    /// The pack recursed too deep.
    #[error("exhausted its call stack (endless or too deep recursion)")]
    StackOverflow,
    /// The pack panicked (its message came through `dudao.fail`).
    #[error("panicked: {message}")]
    Panic {
        /// The panic message.
        message: String,
    },
    /// The pack trapped for another reason.
    #[error("crashed with a WebAssembly trap: {message}")]
    Trap {
        /// What the trap was, in WebAssembly's words.
        message: String,
    },
    /// The output could not be read as ABI output.
    #[error("returned malformed output: {reason}")]
    BadOutput {
        /// What was wrong with it.
        reason: String,
    },
    /// The output was larger than allowed.
    #[error("returned {size} bytes of output, more than the limit of {limit} bytes")]
    OutputTooLarge {
        /// Output size claimed by the pack.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// The pack itself refused the unit and said why.
    #[error("refused the subject: {message}")]
    Refused {
        /// The pack's message.
        message: String,
    },
    /// The module could not be instantiated (a segment outside its memory or table, …).
    #[error("could not be instantiated: {message}")]
    Instantiation {
        /// What went wrong, in words.
        message: String,
    },
    /// The unit returned more results than one unit may.
    #[error("returned {count} results for one subject, more than the limit of {limit}")]
    TooManyResults {
        /// Results returned.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The pack was stopped for the rest of the run; this unit was not evaluated (or its
    /// results were dropped because it pushed the pack over a run budget).
    #[error("not evaluated: {reason}")]
    Stopped {
        /// Why the pack was stopped.
        reason: StopReason,
    },
}

impl EvalError {
    /// Short stable name of the error class, for tables and JSON (`out_of_fuel`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            EvalError::OutOfFuel { .. } => "out_of_fuel",
            EvalError::Deadline { .. } => "deadline",
            EvalError::MemoryLimit { .. } => "memory_limit",
            EvalError::TableLimit { .. } => "table_limit",
            EvalError::StackOverflow => "stack_overflow",
            EvalError::Panic { .. } => "panic",
            EvalError::Trap { .. } => "trap",
            EvalError::BadOutput { .. } => "bad_output",
            EvalError::OutputTooLarge { .. } => "output_too_large",
            EvalError::Refused { .. } => "refused",
            EvalError::Instantiation { .. } => "instantiation",
            EvalError::TooManyResults { .. } => "too_many_results",
            EvalError::Stopped { .. } => "stopped",
        }
    }

    /// Turns an error from calling into the guest into the named error it stands for.
    pub(crate) fn from_call(error: &wasmtime::Error, state: &StoreState, limits: &Limits) -> EvalError {
        if let Some(requested) = state.memory_requested {
            return EvalError::MemoryLimit { requested, limit: limits.memory_bytes };
        }
        if let Some(elements) = state.table_requested {
            return EvalError::TableLimit { requested: elements, limit: MAX_TABLE_ELEMENTS };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => EvalError::OutOfFuel { budget: limits.fuel },
            Some(Trap::Interrupt) => EvalError::Deadline { millis: limits.deadline.as_millis() },
            Some(Trap::StackOverflow) => EvalError::StackOverflow,
            // Rust and C keep their stack in linear memory: running past its start wraps to an
            // address beyond the memory, so deep recursion shows up as this trap.
            Some(Trap::MemoryOutOfBounds) if state.fail_message.is_none() => EvalError::Trap {
                message: format!(
                    "{} (in Rust or C packs usually a stack overflow from deep recursion)",
                    trap_words(Trap::MemoryOutOfBounds)
                ),
            },
            Some(trap) => match &state.fail_message {
                Some(message) => EvalError::Panic { message: message.clone() },
                None => EvalError::Trap { message: trap_words(*trap) },
            },
            None => match &state.fail_message {
                Some(message) => EvalError::Panic { message: message.clone() },
                // Not a trap: a host-side failure while calling in (for example instantiation).
                None => EvalError::Trap { message: error.root_cause().to_string() },
            },
        }
    }

    /// Turns an error from instantiating a module into the named error it stands for: limits
    /// and traps of a start function as for a call, segments that do not fit as
    /// [`EvalError::Instantiation`].
    pub(crate) fn from_instantiation(error: &wasmtime::Error, state: &StoreState, limits: &Limits) -> EvalError {
        let segment = match error.downcast_ref::<Trap>() {
            _ if state.memory_requested.is_some() || state.table_requested.is_some() => None,
            Some(Trap::MemoryOutOfBounds) => Some("a data segment lies outside the pack's memory"),
            Some(Trap::TableOutOfBounds) => Some("an element segment lies outside its table"),
            _ => None,
        };
        match segment {
            Some(words) if state.fail_message.is_none() => EvalError::Instantiation {
                message: format!(
                    "{words} ({})",
                    error.downcast_ref::<Trap>().map(|trap| trap_words(*trap)).unwrap_or_default()
                ),
            },
            _ => match EvalError::from_call(error, state, limits) {
                EvalError::Trap { message } if error.downcast_ref::<Trap>().is_none() => {
                    EvalError::Instantiation { message: crate::textguard::escape_controls(&message) }
                }
                other => other,
            },
        }
    }
}

/// A trap in words, without wasmtime's `wasm trap:` prefix.
fn trap_words(trap: Trap) -> String {
    let text = trap.to_string();
    text.strip_prefix("wasm trap: ").unwrap_or(&text).to_owned()
}

/// A failed evaluation, with the pack and subject it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pack `{pack}` on {level} `{subject}`: {error}")]
pub struct SubjectFailure {
    /// The pack id.
    pub pack: String,
    /// The level of the subject.
    pub level: rules_sdk::Level,
    /// The subject id.
    pub subject: String,
    /// What happened.
    pub error: EvalError,
}

/// Limits given explicitly — on the command line, or in a plan's `[limits]` table — each
/// replacing the corresponding limit it is applied to. Unset fields keep it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// Fuel per evaluation.
    pub fuel: Option<u64>,
    /// Memory cap per instance, MiB.
    pub memory_mib: Option<usize>,
    /// Deadline per evaluation, ms.
    pub timeout_ms: Option<u64>,
    /// Fuel all evaluations of one pack may use in a run.
    pub run_fuel: Option<u64>,
    /// Evaluations of one pack that may fail the same way before it is stopped for the run.
    pub max_identical_failures: Option<usize>,
    /// Wall-clock seconds all evaluations of one pack may take together in a run.
    pub run_seconds: Option<u64>,
}

impl LimitOverrides {
    /// `base` with every limit set here replaced.
    pub fn apply(&self, base: Limits) -> Limits {
        Limits {
            fuel: self.fuel.unwrap_or(base.fuel),
            memory_bytes: self.memory_mib.map_or(base.memory_bytes, |mib| mib << 20),
            deadline: self.timeout_ms.map_or(base.deadline, Duration::from_millis),
            run: RunLimits {
                fuel: self.run_fuel.unwrap_or(base.run.fuel),
                identical_failures: self.max_identical_failures.unwrap_or(base.run.identical_failures),
                time: self.run_seconds.map_or(base.run.time, Duration::from_secs),
                ..base.run
            },
            ..base
        }
    }
}

/// Budgets of a run, per pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// Fuel all units of a pack may consume together.
    pub fuel: u64,
    /// Results all units of a pack may return together.
    pub results: usize,
    /// Units of a pack that may fail with the same error kind before the pack is stopped.
    pub identical_failures: usize,
    /// Wall-clock time all units of a pack may take together (summed over worker threads).
    /// The fuel budget bounds computation; this bounds what fuel does not meter (bulk memory
    /// operations, growing memory) in a pack that stays just under its deadline in every unit.
    /// It is the one budget that depends on the machine: a run it stops is not reproducible.
    pub time: Duration,
}

impl Default for RunLimits {
    fn default() -> RunLimits {
        RunLimits {
            fuel: 2_000_000_000_000,
            results: 20_000_000,
            identical_failures: 10,
            time: Duration::from_secs(600),
        }
    }
}

/// Why a pack was stopped for the rest of the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StopReason {
    /// Too many units failed the same way.
    #[error("the pack was stopped for the rest of the run after {count} evaluations failed the same way (`{kind}`)")]
    RepeatedFailure {
        /// The error kind.
        kind: &'static str,
        /// How many failed so (the limit).
        count: usize,
    },
    /// The pack consumed its fuel budget for the run.
    #[error("the pack was stopped for the rest of the run: it used up its run budget of {budget} fuel units")]
    Fuel {
        /// The budget.
        budget: u64,
    },
    /// The pack's units took longer together than the run's time budget.
    #[error("the pack was stopped for the rest of the run: its evaluations took more than {seconds} s together")]
    Time {
        /// The budget, in seconds.
        seconds: u64,
    },
    /// The pack returned its results budget for the run.
    #[error("the pack was stopped for the rest of the run: its results would exceed the run limit of {limit} results")]
    Results {
        /// The limit.
        limit: usize,
    },
}
