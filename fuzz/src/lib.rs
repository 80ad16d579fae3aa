//! Fuzzing dudao the way wasmtime is fuzzed, on the stable toolchain: each target takes bytes,
//! a bounded loop feeds it generated and mutated inputs, and every execution is checked for the
//! properties the sandbox promises.
//!
//! | target | input | through |
//! |---|---|---|
//! | `module` | a module from `wasm-smith`: half shaped like a pack (the ABI's exports and imports), half arbitrary | load (vet, compile, ABI check), instantiate, version, describe; evaluate (as a pack when it loads, else through [`dudao_engine::probe`]) and the output checks |
//! | `output` | bytes | the host's output parser and result checks |
//! | `manifest` | bytes | manifest JSON and the manifest checker |
//! | `plan` | bytes | the plan loader (TOML, problems) |
//! | `csv`, `json`, `xlsx` | bytes | the dataset loaders and the validation of values |
//!
//! An execution counts when its input reached the code under test: a `module` input from which
//! `wasm-smith` could not build a module never reaches the host and is counted apart
//! ([`Report::unreached`]); the `module` target also tallies how far each module got
//! ([`Report::stages`]).
//!
//! Properties: no panic in the host (`catch_unwind` around every execution), no execution
//! longer than the limits allow ([`Target::time_bound`]), resident memory within a bound,
//! every failure a named error (they are `Result`s; the driver counts them). Inputs that
//! panic or overrun are written to `fuzz/crashes/<target>/`; `fuzz/corpus/<target>/` holds the
//! seeds and interesting inputs, replayed by the smoke test.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::{Limits, Sandbox};
use rules_sdk::wire::Level;

/// The fuzz targets.
pub const TARGETS: [&str; 7] = ["module", "output", "manifest", "plan", "csv", "json", "xlsx"];

/// A target with what it needs, set up once.
pub struct Target {
    name: &'static str,
    sandbox: Sandbox,
    pack: LoadedPack,
    scratch: tempfile::TempDir,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("name", &self.name).finish_non_exhaustive()
    }
}

/// The limits the fuzzed modules run under: small, so that executions are quick.
pub fn fuzz_limits() -> Limits {
    Limits {
        fuel: 5_000_000,
        memory_bytes: 32 << 20,
        deadline: Duration::from_secs(2),
        max_output_bytes: 1 << 20,
        ..Limits::default()
    }
}

/// The module every generated pack-shaped module must export like (names and types).
const ABI_EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "dudao_abi_version") (result i32) unreachable)
  (func (export "dudao_alloc") (param i32) (result i32) unreachable)
  (func (export "dudao_free") (param i32 i32) unreachable)
  (func (export "dudao_describe") (result i64) unreachable)
  (func (export "dudao_evaluate") (param i32 i32) (result i64) unreachable))"#;

/// The imports a generated pack-shaped module may use.
const ABI_IMPORTS: &str = r#"(module
  (import "dudao" "log" (func (param i32 i32 i32)))
  (import "dudao" "fail" (func (param i32 i32))))"#;

/// A small valid pack, to check outputs against and to give the dataset loaders a manifest.
const SEED_PACK: &str = include_str!("../corpus/seed-pack.wat");

/// What one execution did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input never reached the code under test: the generator could not build one (the
    /// reason).
    Unreached(&'static str),
    /// The input reached the code under test, which refused it with a named error at `stage`.
    Refused(&'static str),
    /// The input reached the code under test and was accepted; `stage` is how far it got.
    Accepted(&'static str),
}

/// Why a target could not be set up.
#[derive(Debug)]
pub struct SetupError(pub String);

impl Target {
    /// Sets up `name` (one of [`TARGETS`]).
    ///
    /// # Errors
    ///
    /// An unknown name, or a sandbox or seed pack that cannot be set up.
    pub fn new(name: &str) -> Result<Target, SetupError> {
        let name =
            TARGETS.iter().copied().find(|target| *target == name).ok_or_else(|| {
                SetupError(format!("unknown target `{name}`; the targets are {}", TARGETS.join(", ")))
            })?;
        let sandbox = Sandbox::new(fuzz_limits()).map_err(|error| SetupError(error.to_string()))?;
        let scratch = tempfile::tempdir().map_err(|error| SetupError(error.to_string()))?;
        let seed = wat::parse_str(SEED_PACK).map_err(|error| SetupError(error.to_string()))?;
        let pack = LoadedPack::from_bytes(&sandbox, Path::new("seed-pack.wat"), &seed)
            .map_err(|error| SetupError(error.to_string()))?;
        Ok(Target { name, sandbox, pack, scratch })
    }

    /// The target's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The longest one execution may take: the limits it runs under, with room for a loaded
    /// machine. Longer is a hang.
    pub fn time_bound(&self) -> Duration {
        match self.name {
            // Compile bound, plus load-time and one unit's deadline.
            "module" => {
                let limits = self.sandbox.limits();
                limits.module.compile_timeout + limits.deadline * 2 + Duration::from_secs(5)
            }
            _ => Duration::from_secs(5),
        }
    }

    /// Runs one input: whether it reached the code under test, and whether that accepted it or
    /// refused it with a named error.
    pub fn run(&self, data: &[u8]) -> Outcome {
        let accepted = match self.name {
            "module" => return self.module(data),
            "output" => self.output(data),
            "manifest" => manifest(data),
            "plan" => self.plan(data),
            "csv" => self.csv(data),
            "json" => self.dataset_file("data.json", data),
            "xlsx" => self.dataset_file("data.xlsx", data),
            _ => unreachable!("checked in Target::new"),
        };
        if accepted { Outcome::Accepted(self.name) } else { Outcome::Refused(self.name) }
    }

    fn module(&self, data: &[u8]) -> Outcome {
        // Corpus entries may be modules themselves (binary or text): the hostile modules of
        // the regression corpus, and their mutations.
        if data.starts_with(b"\0asm") {
            return self.module_bytes(data);
        }
        if data.starts_with(b"(module") {
            return match wat::parse_bytes(data) {
                Ok(bytes) => self.module_bytes(&bytes),
                Err(_) => Outcome::Unreached("mutated text is not WAT"),
            };
        }
        let mut input = arbitrary::Unstructured::new(data);
        let shaped = input.arbitrary::<bool>().unwrap_or(true);
        // Three in four arbitrary configurations are kept to what the sandbox's engine
        // supports, so that their modules get past validation into evaluation; the rest test
        // the refusals.
        let supported_only = input.int_in_range(0..=3_u8).unwrap_or(0) > 0;
        let config = if shaped {
            let mut config = wasm_smith::Config {
                exports: wat::parse_str(ABI_EXPORTS).ok(),
                available_imports: wat::parse_str(ABI_IMPORTS).ok(),
                max_memories: 1,
                memory64_enabled: false,
                min_funcs: 5,
                max_funcs: 40,
                max_instructions: 200,
                ..wasm_smith::Config::default()
            };
            config.max_memory32_bytes = 4 << 20;
            supported(config)
        } else {
            match input.arbitrary::<wasm_smith::Config>() {
                Ok(config) if supported_only => supported(config),
                Ok(config) => config,
                Err(_) => return Outcome::Unreached("no wasm-smith configuration"),
            }
        };
        let Ok(module) = wasm_smith::Module::new(config, &mut input) else {
            return Outcome::Unreached(if shaped {
                "wasm-smith: no pack-shaped module"
            } else {
                "wasm-smith: no module"
            });
        };
        self.module_bytes(&module.to_bytes())
    }

    /// A generated input: a mutation of a corpus input, or (two in three for `module`) fresh
    /// bytes for `wasm-smith` to build a module from.
    fn generate(&self, rng: &mut fastrand::Rng, corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
        if self.name == "module" && rng.u8(..3) > 0 {
            let len = rng.usize(16..=8192);
            return (0..len).map(|_| rng.u8(..)).collect();
        }
        mutate(rng, corpus, max_len)
    }

    /// Loads, describes and evaluates a module; the stage names say how far it got.
    fn module_bytes(&self, bytes: &[u8]) -> Outcome {
        use dudao_engine::pack::PackError;
        let unit = br#"{"level":"school","subject":{"id":"S1","name":"x","primary_students":5}}"#;
        match LoadedPack::from_bytes(&self.sandbox, Path::new("generated.wasm"), bytes) {
            Ok(pack) => {
                let level = pack.manifest.units.first().map_or(Level::School, |unit| unit.level);
                match pack.evaluate(&self.sandbox, level, "S1", unit).0 {
                    Ok(_) => Outcome::Accepted("pack evaluated"),
                    Err(_) => Outcome::Refused("pack evaluation failed"),
                }
            }
            // No valid manifest (nearly always): evaluate it all the same, without one.
            Err(PackError::Describe { .. } | PackError::Manifest { .. }) => {
                match dudao_engine::probe::evaluate_raw(&self.sandbox, bytes, unit) {
                    Ok(output) => match self.pack.check_output(&self.sandbox, Level::School, "S1", output) {
                        Ok(_) => Outcome::Accepted("probe output valid"),
                        Err(_) => Outcome::Refused("probe output refused"),
                    },
                    Err(_) => Outcome::Refused("probe evaluation failed"),
                }
            }
            Err(PackError::Limit { .. }) => Outcome::Refused("over a module limit"),
            Err(PackError::NotWasm { .. }) => Outcome::Refused("refused by validation or compile"),
            Err(PackError::Abi { .. } | PackError::AbiVersion { .. }) => Outcome::Refused("ABI refused"),
            Err(_) => Outcome::Refused("refused otherwise"),
        }
    }

    fn output(&self, data: &[u8]) -> bool {
        match dudao_engine::abi::decode_output(data) {
            Ok(output) => self.pack.check_output(&self.sandbox, Level::School, "S1", output).is_ok(),
            Err(_) => false,
        }
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.scratch.path().join(name);
        std::fs::write(&path, data).expect("the scratch folder is writable");
        path
    }

    fn plan(&self, data: &[u8]) -> bool {
        let path = self.write("plan.toml", data);
        dudao_engine::plan::Plan::load(&path).is_ok()
    }

    fn csv(&self, data: &[u8]) -> bool {
        // The first byte splits the rest between counties.csv and schools.csv.
        let (split, rest) = data.split_first().map_or((0, data), |(first, rest)| (*first as usize, rest));
        let at = if rest.is_empty() { 0 } else { split * rest.len() / 256 };
        let folder = self.scratch.path().join("csv");
        std::fs::create_dir_all(&folder).expect("the scratch folder is writable");
        std::fs::write(folder.join("counties.csv"), &rest[..at]).expect("writable");
        std::fs::write(folder.join("schools.csv"), &rest[at..]).expect("writable");
        self.dataset(&folder)
    }

    fn dataset_file(&self, name: &str, data: &[u8]) -> bool {
        let path = self.write(name, data);
        self.dataset(&path)
    }

    fn dataset(&self, path: &Path) -> bool {
        let Ok(data) = dudao_dataset::Dataset::load(path) else { return false };
        dudao_dataset::prepare(&data, &[&self.pack.manifest]).is_ok()
    }
}

/// `config` without the proposals the sandbox's engine leaves off (exceptions, GC, threads,
/// 64-bit memories and tables, several memories: see `dudao_engine::sandbox`), and with no more
/// tables than a pack may have. Reference types go too: wasmtime keeps `externref` on its GC
/// heap, which the engine is built without.
fn supported(mut config: wasm_smith::Config) -> wasm_smith::Config {
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.reference_types_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.memory64_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.custom_descriptors_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.max_memories = config.max_memories.min(1);
    config.max_tables = config.max_tables.min(dudao_engine::vet::MAX_TABLES);
    config
}

fn manifest(data: &[u8]) -> bool {
    match serde_json::from_slice::<rules_sdk::wire::Manifest>(data) {
        Ok(manifest) => dudao_engine::pack::manifest_problems(&manifest, manifest.abi).is_empty(),
        Err(_) => false,
    }
}

/// What a fuzzing run found.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Executions that reached the code under test.
    pub executions: u64,
    /// Generated inputs that never reached it (see [`Outcome::Unreached`]).
    pub unreached: u64,
    /// Why they did not, by reason.
    pub unreached_because: std::collections::BTreeMap<&'static str, u64>,
    /// How far each execution got, by stage (the `module` target's stages; other targets have
    /// one stage, their name), refused and accepted.
    pub stages: std::collections::BTreeMap<&'static str, u64>,
    /// Inputs accepted (the rest were refused with a named error).
    pub accepted: u64,
    /// Inputs that panicked the host, with the panic message and place.
    pub panics: Vec<(Vec<u8>, String)>,
    /// Inputs that took longer than [`Target::time_bound`].
    pub hangs: Vec<(Vec<u8>, Duration)>,
    /// The slowest execution.
    pub slowest: Duration,
    /// Peak resident memory of the process, in KiB (Linux), after the run.
    pub peak_rss_kib: Option<u64>,
}

/// Peak resident memory of this process so far, in KiB (`VmHWM`, Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A small valid dataset workbook (the `xlsx` target's built-in seed: a workbook is a zip
/// archive, which byte mutations alone rarely produce).
///
/// # Errors
///
/// Only if the workbook cannot be written in memory.
pub fn seed_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let tables: [(&str, &[&[&str]]); 2] = [
        ("counties", &[&["id", "name", "parent_id"], &["410825", "温县", "410800"]]),
        (
            "schools",
            &[
                &["id", "name", "county_id", "primary_students"],
                &["S1", "学校1", "410825", "5"],
                &["S2", "=cmd", "410825", "3"],
            ],
        ),
    ];
    for (name, rows) in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        for (row, cells) in rows.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(number) if row > 0 && column == 3 => sheet.write_number(row as u32, column as u16, number)?,
                    _ => sheet.write_string(row as u32, column as u16, *cell)?,
                };
            }
        }
    }
    workbook.save_to_buffer()
}

/// The corpus of a target: the files of `fuzz/corpus/<target>/`, and the built-in seeds.
///
/// The `module` target's text modules are given in binary: mutations of the binary reach the
/// host's module reader, mutations of the text would nearly all stop at the WAT parser.
pub fn corpus_of(root: &Path, target: &str) -> Vec<Vec<u8>> {
    let mut inputs = corpus(&root.join("corpus").join(target));
    if target == "module" {
        for input in &mut inputs {
            if input.starts_with(b"(module")
                && let Ok(binary) = wat::parse_bytes(input)
            {
                *input = binary.into_owned();
            }
        }
    }
    if target == "xlsx"
        && let Ok(workbook) = seed_workbook()
    {
        inputs.insert(0, workbook);
    }
    inputs
}

/// Reads the inputs of a corpus folder (sorted by name, so runs are repeatable).
pub fn corpus(folder: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    paths.into_iter().filter(|path| path.is_file()).filter_map(|path| std::fs::read(path).ok()).collect()
}

/// One mutation of `input`, or fresh random bytes.
fn mutate(rng: &mut fastrand::Rng, corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    if corpus.is_empty() || rng.u8(..) < 24 {
        let len = rng.usize(..=max_len.min(4096));
        return (0..len).map(|_| rng.u8(..)).collect();
    }
    let mut data = corpus[rng.usize(..corpus.len())].clone();
    for _ in 0..rng.usize(1..=8) {
        match rng.u8(..6) {
            0 if !data.is_empty() => {
                let at = rng.usize(..data.len());
                data[at] ^= 1 << rng.u8(..8);
            }
            1 if !data.is_empty() => {
                let at = rng.usize(..data.len());
                data[at] = rng.u8(..);
            }
            2 if data.len() < max_len => {
                let at = rng.usize(..=data.len());
                data.insert(at, *b"=+-@\n\r,\"{}[]:0\x1b\xff".get(rng.usize(..16)).unwrap_or(&0));
            }
            3 if !data.is_empty() => {
                let start = rng.usize(..data.len());
                let end = (start + rng.usize(1..=64)).min(data.len());
                data.drain(start..end);
            }
            4 if !data.is_empty() && data.len() < max_len => {
                // Duplicate a chunk (repetition finds size and nesting limits).
                let start = rng.usize(..data.len());
                let end = (start + rng.usize(1..=64)).min(data.len());
                let chunk: Vec<u8> = data[start..end].to_vec();
                let at = rng.usize(..=data.len());
                data.splice(at..at, chunk);
            }
            _ => {
                // Splice with another input.
                let other = &corpus[rng.usize(..corpus.len())];
                if !other.is_empty() && !data.is_empty() {
                    let cut = rng.usize(..data.len());
                    let from = rng.usize(..other.len());
                    data.truncate(cut);
                    data.extend_from_slice(&other[from..]);
                }
            }
        }
    }
    data.truncate(max_len);
    data
}

/// A progress line goes to standard error after this many executions.
const PROGRESS_EVERY: u64 = 20_000;

/// Runs `target` on every corpus input and then on generated inputs until `executions` inputs
/// have reached the code under test or `time` is up, whichever is first.
pub fn fuzz(target: &Target, corpus: &[Vec<u8>], executions: u64, time: Duration, seed: u64) -> Report {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut report = Report::default();
    let started = Instant::now();
    let max_len = if target.name == "xlsx" || target.name == "json" { 1 << 20 } else { 64 << 10 };
    let mut next = corpus.iter().cloned();
    // Panics are caught and counted with their message; do not print every one of them.
    let last_panic = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let hook = std::panic::take_hook();
    let record = std::sync::Arc::clone(&last_panic);
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut last) = record.lock() {
            *last = info.to_string();
        }
    }));
    while report.executions < executions && started.elapsed() < time {
        let data = next.next().unwrap_or_else(|| target.generate(&mut rng, corpus, max_len));
        let began = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target.run(&data)));
        let took = began.elapsed();
        report.slowest = report.slowest.max(took);
        let outcome_counted = !matches!(outcome, Ok(Outcome::Unreached(_)));
        match outcome {
            Ok(Outcome::Unreached(reason)) => {
                report.unreached += 1;
                *report.unreached_because.entry(reason).or_default() += 1;
            }
            Ok(Outcome::Refused(stage)) => {
                report.executions += 1;
                *report.stages.entry(stage).or_default() += 1;
            }
            Ok(Outcome::Accepted(stage)) => {
                report.executions += 1;
                report.accepted += 1;
                *report.stages.entry(stage).or_default() += 1;
            }
            Err(_) => {
                report.executions += 1;
                let message = last_panic.lock().map(|last| last.clone()).unwrap_or_default();
                report.panics.push((data.clone(), message));
            }
        }
        if took > target.time_bound() {
            report.hangs.push((data, took));
        }
        if report.executions.is_multiple_of(PROGRESS_EVERY) && report.executions > 0 && outcome_counted {
            eprintln!(
                "{}: {} executions, {} panics, {} over the time bound, {:.0} s",
                target.name,
                report.executions,
                report.panics.len(),
                report.hangs.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    std::panic::set_hook(hook);
    report.peak_rss_kib = peak_rss_kib();
    report
}
