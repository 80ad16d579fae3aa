//! A pack as the host holds it: compiled once, checked against the ABI and its manifest
//! validated, ready to be instantiated once per evaluation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use rules_sdk::wire::{AbiVersion, IndicatorResult, Level, Manifest, Output, Status};
use wasmtime::{InstancePre, Module};

use crate::abi::{self, Session, Violation};
use crate::sandbox::{EvalError, Sandbox, StoreState};

/// A pack that passed every check the host makes before running it.
pub struct LoadedPack {
    /// Where it was read from.
    pub path: PathBuf,
    /// sha256 of the module file (of the text, for a `.wat` file), lowercase hex.
    pub sha256: String,
    /// Size of the module file in bytes.
    pub size: u64,
    /// The ABI version the module reports.
    pub abi: AbiVersion,
    /// The manifest the module describes itself with.
    pub manifest: Manifest,
    pre: InstancePre<StoreState>,
    evaluator: abi::Evaluator,
    indicator_levels: BTreeMap<String, Level>,
}

impl fmt::Debug for LoadedPack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedPack")
            .field("path", &self.path)
            .field("id", &self.manifest.id)
            .field("version", &self.manifest.version)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// Why a pack file cannot be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The file could not be read.
    #[error("cannot read pack `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than the host accepts.
    #[error("pack `{}` is {size} bytes, more than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// The file is not a valid WebAssembly module.
    #[error("pack `{}` is not a valid WebAssembly module: {message}", path.display())]
    NotWasm {
        /// The file.
        path: PathBuf,
        /// What the validator said.
        message: String,
    },
    /// A `.wat` file that does not compile.
    #[error("pack `{}` is WebAssembly text that does not compile: {message}", path.display())]
    Wat {
        /// The file.
        path: PathBuf,
        /// What the compiler said, with line and column.
        message: String,
    },
    /// A declarative spec (`pack.toml`, XLSX indicator table) that does not check or build.
    #[error("{0}")]
    Declarative(crate::declarative::DeclarativeError),
    /// The module's imports or exports break the ABI.
    #[error("pack `{}` does not follow the dudao pack ABI:{}", path.display(), list(violations))]
    Abi {
        /// The file.
        path: PathBuf,
        /// Everything found wrong.
        violations: Vec<Violation>,
    },
    /// The module speaks an ABI major version this host does not know.
    #[error("pack `{}` uses pack ABI {found}, but this host understands ABI {}.x only; rebuild the pack with a matching rules-sdk or upgrade dudao", path.display(), supported.major)]
    AbiVersion {
        /// The file.
        path: PathBuf,
        /// The version the module reports.
        found: AbiVersion,
        /// The version this host implements.
        supported: AbiVersion,
    },
    /// Describing itself failed (a trap, a limit or bad JSON).
    #[error("pack `{}` failed to describe itself: {error}", path.display())]
    Describe {
        /// The file.
        path: PathBuf,
        /// What happened.
        error: EvalError,
    },
    /// The module exceeds what the host compiles (functions, code size, nesting, memories, …)
    /// or took too long to compile.
    #[error("pack `{}` {error}", path.display())]
    Limit {
        /// The file.
        path: PathBuf,
        /// The limit it exceeds.
        error: crate::vet::ModuleLimitError,
    },
    /// The manifest is inconsistent.
    #[error("pack `{}` has an invalid manifest:{}", path.display(), list(problems))]
    Manifest {
        /// The file.
        path: PathBuf,
        /// Everything found wrong.
        problems: Vec<String>,
    },
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

impl LoadedPack {
    /// Reads, compiles and checks a pack file: a binary module, or WebAssembly text when the
    /// name ends in `.wat` (then [`LoadedPack::sha256`] and [`LoadedPack::size`] are those of
    /// the text file).
    ///
    /// # Errors
    ///
    /// A [`PackError`] naming the file for every reason it cannot be used.
    pub fn load(sandbox: &Sandbox, path: &Path) -> Result<LoadedPack, PackError> {
        let limit = sandbox.limits().max_module_bytes;
        let bytes = read_pack_file(path, limit)?;
        let size = bytes.len() as u64;
        if crate::declarative::is_spec(path) {
            // A declarative spec: built into the interpreter here; the digest and size are the
            // spec file's, as for `.wat`.
            let module = crate::declarative::compile(path).map_err(PackError::Declarative)?;
            let mut pack = LoadedPack::from_bytes(sandbox, path, &module)?;
            pack.sha256 = sha256_hex(&bytes);
            pack.size = size;
            return Ok(pack);
        }
        if !path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("wat")) {
            return LoadedPack::from_bytes(sandbox, path, &bytes);
        }
        // WebAssembly text: compiled here, but the digest and size are the file's, so that
        // `sha256sum pack.wat` and a plan's pin agree with what dudao reports.
        let module = wat::Parser::new()
            .parse_bytes(Some(path), &bytes)
            .map_err(|error| PackError::Wat { path: path.to_owned(), message: error.to_string() })?;
        let mut pack = LoadedPack::from_bytes(sandbox, path, &module)?;
        pack.sha256 = sha256_hex(&bytes);
        pack.size = size;
        Ok(pack)
    }

    /// Compiles and checks a module already in memory; `path` is only used to name it.
    ///
    /// # Errors
    ///
    /// As [`LoadedPack::load`].
    pub fn from_bytes(sandbox: &Sandbox, path: &Path, bytes: &[u8]) -> Result<LoadedPack, PackError> {
        let path = path.to_owned();
        let limit = sandbox.limits().max_module_bytes;
        if bytes.len() > limit {
            return Err(PackError::TooLarge { path, size: bytes.len() as u64, limit });
        }
        let sha256 = sha256_hex(bytes);
        let module = compile(sandbox, &path, bytes)?;
        let violations = abi::violations(&module);
        if !violations.is_empty() {
            return Err(PackError::Abi { path, violations });
        }
        let linker = abi::linker(sandbox.engine())
            .map_err(|error| PackError::NotWasm { path: path.clone(), message: error.to_string() })?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|error| PackError::NotWasm { path: path.clone(), message: error.root_cause().to_string() })?;

        let describe_error = |error: EvalError| PackError::Describe { path: path.clone(), error };
        let mut session = Session::start(sandbox.engine(), &pre, sandbox.limits(), sandbox.deadline_ticks())
            .map_err(|(error, _, _)| describe_error(error))?;
        let abi = session.abi_version().map_err(describe_error)?;
        if abi.major != AbiVersion::CURRENT.major {
            return Err(PackError::AbiVersion { path, found: abi, supported: AbiVersion::CURRENT });
        }
        let manifest = session.describe().map_err(describe_error)?;
        let problems = manifest_problems(&manifest, abi);
        if !problems.is_empty() {
            return Err(PackError::Manifest { path, problems });
        }
        let indicator_levels =
            manifest.nodes().into_iter().filter_map(|node| node.level.map(|level| (node.id.clone(), level))).collect();
        let evaluator = abi::Evaluator::of(&module);
        Ok(LoadedPack { path, sha256, size: bytes.len() as u64, abi, manifest, pre, evaluator, indicator_levels })
    }

    /// Which export evaluates a unit: the compact one when the module has it (ABI 1.2).
    pub fn evaluator(&self) -> abi::Evaluator {
        self.evaluator
    }

    /// The same pack, evaluated through `dudao_evaluate` (JSON output) even when the module
    /// has the compact export, as a host of ABI 1.1 would: for comparing the two encodings.
    pub fn through_json(mut self) -> LoadedPack {
        self.evaluator = abi::Evaluator::Json;
        self
    }

    /// The pack id.
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// Evaluates one unit in a fresh instance. `unit` is the serialised [`rules_sdk::Unit`]
    /// for `subject` at `level`. Returns the checked results and the pack's log lines.
    pub fn evaluate(
        &self,
        sandbox: &Sandbox,
        level: Level,
        subject: &str,
        unit: &[u8],
    ) -> (Result<Vec<IndicatorResult>, EvalError>, Vec<String>) {
        let (result, logs, _) = self.evaluate_metered(sandbox, level, subject, unit);
        (result, logs)
    }

    /// As [`LoadedPack::evaluate`], and the fuel the evaluation consumed.
    pub fn evaluate_metered(
        &self,
        sandbox: &Sandbox,
        level: Level,
        subject: &str,
        unit: &[u8],
    ) -> (Result<Vec<IndicatorResult>, EvalError>, Vec<String>, u64) {
        let mut session = match Session::start(sandbox.engine(), &self.pre, sandbox.limits(), sandbox.deadline_ticks())
        {
            Ok(session) => session,
            Err((error, logs, fuel)) => return (Err(error), logs, fuel),
        };
        let output = session.evaluate(unit, self.evaluator);
        let logs = session.take_logs();
        let fuel = session.fuel_used();
        (output.and_then(|output| self.check_output(sandbox, level, subject, output)), logs, fuel)
    }

    /// What the host makes of a decoded output for `subject` at `level`: the checked results,
    /// or the named error (a refusal, too many results, a broken result rule).
    ///
    /// # Errors
    ///
    /// The [`EvalError`] the output stands for.
    pub fn check_output(
        &self,
        sandbox: &Sandbox,
        level: Level,
        subject: &str,
        output: Output,
    ) -> Result<Vec<IndicatorResult>, EvalError> {
        match output {
            Output::Ok { results } if results.len() > sandbox.limits().max_results_per_unit => {
                Err(EvalError::TooManyResults { count: results.len(), limit: sandbox.limits().max_results_per_unit })
            }
            Output::Ok { results } => self.check_results(level, subject, results),
            Output::Error { message } => {
                Err(EvalError::Refused { message: crate::textguard::escape_controls(&message) })
            }
        }
    }

    /// Checks a pack's results for one unit: subjects inside the unit, declared indicators of
    /// the unit's level, finite values, no duplicates, no `error` status.
    fn check_results(
        &self,
        level: Level,
        subject: &str,
        mut results: Vec<IndicatorResult>,
    ) -> Result<Vec<IndicatorResult>, EvalError> {
        let bad = |reason: String| Err(EvalError::BadOutput { reason });
        let repeated = first_repeat(&results);
        for (index, result) in results.iter_mut().enumerate() {
            let inside = result.subject == subject
                || result
                    .subject
                    .strip_prefix(subject)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .is_some_and(|part| !part.is_empty());
            if !inside {
                return bad(format!(
                    "a result is for subject `{}`, which is not `{subject}` or one of its parts (`{subject}:…`)",
                    crate::textguard::escape_controls(&result.subject)
                ));
            }
            if result.subject.chars().any(crate::textguard::is_unsafe_char) {
                return bad(format!(
                    "a result is for subject `{}`, which contains control characters",
                    crate::textguard::escape_controls(&result.subject)
                ));
            }
            if let Some(note) = &mut result.note
                && note.chars().any(crate::textguard::is_unsafe_char)
            {
                *note = crate::textguard::escape_controls(note);
            }
            match self.indicator_levels.get(&result.indicator) {
                Some(declared) if *declared == level => {}
                Some(declared) => {
                    return bad(format!(
                        "indicator `{}` is declared for {declared} subjects but was reported for {level} `{}`",
                        result.indicator, result.subject
                    ));
                }
                None if self.manifest.node(&result.indicator).is_some() => {
                    return bad(format!(
                        "`{}` is a dimension of the indicator tree, not an indicator with a level; results belong to indicators",
                        result.indicator
                    ));
                }
                None => {
                    return bad(format!(
                        "indicator `{}` is not declared in the manifest",
                        crate::textguard::escape_controls(&result.indicator)
                    ));
                }
            }
            if result.status == Status::Error {
                return bad(format!(
                    "indicator `{}` has status `error`, which only the host may set",
                    result.indicator
                ));
            }
            if let Some(value) = result.value {
                if !value.is_finite() {
                    return bad(format!("indicator `{}` has the non-finite value {value}", result.indicator));
                }
                // -0 and 0 are the same figure: print them the same.
                result.value = Some(value + 0.0);
            }
            if repeated == Some(index) {
                return bad(format!("indicator `{}` is reported twice for `{}`", result.indicator, result.subject));
            }
        }
        Ok(results)
    }
}

/// The index of the first result whose (subject, indicator) an earlier result already has.
/// A unit has a few dozen results at most as a rule: those are compared pairwise, without
/// copying a string; more go through a hash set of borrowed pairs.
fn first_repeat(results: &[IndicatorResult]) -> Option<usize> {
    let same = |a: &IndicatorResult, b: &IndicatorResult| a.subject == b.subject && a.indicator == b.indicator;
    if results.len() <= 32 {
        return (1..results.len()).find(|&index| results[..index].iter().any(|earlier| same(earlier, &results[index])));
    }
    let mut seen = std::collections::HashSet::with_capacity(results.len());
    results.iter().position(|result| !seen.insert((result.subject.as_str(), result.indicator.as_str())))
}

pub use dudao_dataset::sha256_hex;

/// Reads a pack file: a regular file of at most `limit` bytes (a FIFO or device is refused
/// before it is opened for reading, and no more than `limit + 1` bytes are ever read).
///
/// # Errors
///
/// [`PackError::Read`] or [`PackError::TooLarge`], naming the file.
pub fn read_pack_file(path: &Path, limit: usize) -> Result<Vec<u8>, PackError> {
    use crate::fileguard::BoundedReadError;
    crate::fileguard::read_bounded(path, limit).map_err(|error| match error {
        BoundedReadError::Io(source) => PackError::Read { path: path.to_owned(), source },
        BoundedReadError::TooLarge { size, limit } => PackError::TooLarge { path: path.to_owned(), size, limit },
        not_regular @ BoundedReadError::NotRegular(_) => PackError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, not_regular.to_string()),
        },
    })
}

/// Checks a module against the sandbox's [`crate::vet::ModuleLimits`] and compiles it in a
/// worker thread bounded by [`crate::vet::ModuleLimits::compile_timeout`].
pub(crate) fn compile(sandbox: &Sandbox, path: &Path, bytes: &[u8]) -> Result<Module, PackError> {
    let limits = sandbox.limits().module;
    match crate::vet::vet(bytes, &limits) {
        Ok(_) => {}
        Err(Ok(error)) => return Err(PackError::Limit { path: path.to_owned(), error }),
        Err(Err(crate::vet::Malformed(message))) => return Err(PackError::NotWasm { path: path.to_owned(), message }),
    }
    let engine = sandbox.engine().clone();
    let cache = sandbox.cache().cloned();
    let owned = bytes.to_vec();
    let (sender, receiver) = std::sync::mpsc::channel();
    // A compilation that overruns is abandoned: its thread finishes (within the module limits
    // above, in seconds) and its result is dropped. It holds its slot until then, so abandoned
    // compilations cannot pile up (crate::compiling).
    let Some(slot) = crate::compiling::slot(crate::compiling::SLOT_WAIT) else {
        return Err(PackError::Limit {
            path: path.to_owned(),
            error: crate::vet::ModuleLimitError::CompileBusy {
                running: crate::compiling::MAX_COMPILATIONS,
                millis: crate::compiling::SLOT_WAIT.as_millis(),
            },
        });
    };
    let worker = std::thread::Builder::new().name("dudao-compile".to_owned()).spawn(move || {
        let compiled = crate::cache::compile(cache.as_ref(), &engine, &owned);
        let _ = sender.send(compiled.map_err(|error| error.root_cause().to_string()));
        drop(slot);
    });
    if let Err(error) = worker {
        return Err(PackError::NotWasm { path: path.to_owned(), message: format!("cannot start compiling: {error}") });
    }
    match receiver.recv_timeout(limits.compile_timeout) {
        Ok(Ok(module)) => Ok(module),
        Ok(Err(message)) => Err(PackError::NotWasm { path: path.to_owned(), message }),
        Err(_) => Err(PackError::Limit {
            path: path.to_owned(),
            error: crate::vet::ModuleLimitError::CompileTimeout { millis: limits.compile_timeout.as_millis() },
        }),
    }
}

/// Everything wrong with a manifest (empty when it is consistent).
pub fn manifest_problems(manifest: &Manifest, abi: AbiVersion) -> Vec<String> {
    let mut problems = crate::textguard::control_character_problems(manifest);
    if manifest.abi.major != abi.major {
        problems.push(format!("it is written for ABI {}, but the module reports ABI {abi}", manifest.abi));
    }
    let id_ok = !manifest.id.is_empty()
        && manifest.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !id_ok {
        problems.push(format!(
            "pack id `{}` must be lowercase letters, digits, `-` and `.`",
            crate::textguard::escape_controls(&manifest.id)
        ));
    }
    if manifest.version.trim().is_empty() {
        problems.push("the pack has no version".to_owned());
    }
    if manifest.title.trim().is_empty() {
        problems.push("the pack has no title".to_owned());
    }
    if manifest.units.is_empty() {
        problems.push("the pack evaluates no units (`units` is empty)".to_owned());
    }
    let mut unit_levels = BTreeSet::new();
    let mut visible = BTreeSet::new();
    for unit in &manifest.units {
        if !unit_levels.insert(unit.level) {
            problems.push(format!("{} units are declared twice", unit.level));
        }
        visible.insert(unit.level);
        for include in &unit.include {
            if include <= &unit.level {
                problems.push(format!("a {} unit cannot include {include} records (only levels below it)", unit.level));
            }
            visible.insert(*include);
        }
    }
    for input in &manifest.inputs {
        if !visible.contains(&input.level) {
            problems.push(format!("fields are declared for {} records, but no unit receives them", input.level));
        }
        let mut names = BTreeSet::new();
        for field in &input.fields {
            if !names.insert(field.name.as_str()) {
                problems.push(format!("{} field `{}` is declared twice", input.level, field.name));
            }
            if field.name == "id" || field.name == "name" || field.name.is_empty() {
                problems.push(format!("{} field `{}` is reserved or empty", input.level, field.name));
            }
            if field.kind == rules_sdk::FieldType::Enum && field.values.is_empty() {
                problems.push(format!("{} field `{}` is an enum with no values", input.level, field.name));
            }
        }
    }
    let mut ids = BTreeSet::new();
    for node in manifest.nodes() {
        if node.id.is_empty() || node.id.contains(char::is_whitespace) {
            problems.push(format!("indicator id `{}` is empty or contains spaces", node.id));
        }
        if !ids.insert(node.id.as_str()) {
            problems.push(format!("indicator id `{}` is declared twice", node.id));
        }
        if node.name.trim().is_empty() {
            problems.push(format!("indicator `{}` has no name", node.id));
        }
        if let Some(level) = node.level.filter(|level| !unit_levels.contains(level)) {
            problems.push(format!(
                "indicator `{}` is for {level} subjects, but the pack evaluates no {level} units",
                node.id
            ));
        }
        if node.weight.is_some_and(|weight| !(weight.is_finite() && weight >= 0.0)) {
            problems.push(format!("indicator `{}` has a weight that is not a finite number ≥ 0", node.id));
        }
        for threshold in &node.thresholds {
            if !threshold.value.is_finite() {
                problems.push(format!("indicator `{}` has a threshold that is not a finite number", node.id));
            }
            if threshold.source.document.trim().is_empty() || threshold.source.item.trim().is_empty() {
                problems.push(format!(
                    "indicator `{}` has a threshold ({} {}) without its source document and item",
                    node.id,
                    threshold.op.symbol(),
                    threshold.value
                ));
            }
        }
    }
    problems
}
