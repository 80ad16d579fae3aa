//! Shared helpers: building the test packs once, temporary datasets, running evaluations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use dudao_dataset::{self as dataset, Dataset};
use dudao_engine::evaluate::{self, Evaluation, RunOptions};
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::{Limits, Sandbox};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("host/cli is inside the workspace")
}

/// Builds a pack crate of the workspace (once per test run) and returns its module's path.
/// `cargo xtask test` builds them beforehand, so this is usually a no-op check.
pub fn pack_path(crate_dir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut built = built.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = built.get(crate_dir) {
        return path.clone();
    }
    let root = root();
    let pack = dudao_authoring::build::build_pack(
        &root.join(crate_dir),
        &root.join("target/packs"),
        Some(&root.join("target/wasm")),
        true,
    )
    .unwrap_or_else(|error| panic!("building {crate_dir}: {error}"));
    built.insert(crate_dir.to_owned(), pack.path.clone());
    pack.path
}

/// The quality-balance module.
pub fn quality_balance() -> PathBuf {
    pack_path("rules/quality-balance")
}

/// The misbehaving test guest.
pub fn hostile() -> PathBuf {
    pack_path("tests/guests/hostile")
}

/// A fixture dataset folder of the workspace.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// A temporary dataset folder with these files.
pub fn dataset_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("writing a test file");
    }
    dir
}

/// Loads, validates and evaluates a dataset with packs.
pub fn evaluate_with(limits: Limits, packs: &[&Path], data: &Path, threads: Option<usize>) -> Evaluation {
    let sandbox = Sandbox::new(limits).expect("sandbox");
    let packs: Vec<LoadedPack> =
        packs.iter().map(|path| LoadedPack::load(&sandbox, path).unwrap_or_else(|error| panic!("{error}"))).collect();
    let data = Dataset::load(data).unwrap_or_else(|error| panic!("{error}"));
    let manifests: Vec<_> = packs.iter().map(|pack| &pack.manifest).collect();
    let prepared = dataset::prepare(&data, &manifests).unwrap_or_else(|error| panic!("{error}"));
    evaluate::evaluate(&sandbox, &packs, &data, prepared, RunOptions { threads, ..RunOptions::default() })
}

/// Evaluates with the default limits.
pub fn evaluate(packs: &[&Path], data: &Path) -> Evaluation {
    evaluate_with(Limits::default(), packs, data, None)
}

/// Compiles WebAssembly text.
pub fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|error| panic!("test module does not parse: {error}"))
}

/// Escapes bytes for a WAT data string.
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("\\{byte:02x}")).collect()
}

/// A hand-written ABI 1 module: a fixed manifest and a fixed output, with hooks to break it.
#[derive(Debug, Clone)]
pub struct WatPack {
    pub version: u32,
    pub manifest: String,
    pub output: Vec<u8>,
    /// Overrides the packed `(ptr << 32) | len` that `dudao_evaluate` returns.
    pub output_packed: Option<u64>,
    pub imports: String,
    pub skip_export: Option<&'static str>,
    pub initial_pages: u32,
    /// More module fields (functions, exports, data), written as they are.
    pub extra: String,
}

/// The manifest of the WAT test packs: one school indicator with a sourced threshold.
pub const WAT_MANIFEST: &str = r#"{"abi":"1.0","id":"wat-pack","version":"0.1.0","title":"手写测试包",
"units":[{"level":"school"}],
"inputs":[{"level":"school","fields":[{"name":"primary_students","type":"integer","min":0}]}],
"indicators":[{"id":"wat.students","name":"在校生数","level":"school",
"thresholds":[{"op":">=","value":1,"source":{"document":"测试文件","item":"第一条"}}]}]}"#;

impl Default for WatPack {
    fn default() -> WatPack {
        WatPack {
            version: 0x0001_0000,
            manifest: WAT_MANIFEST.to_owned(),
            output: br#"{"ok":{"results":[{"subject":"S1","indicator":"wat.students","value":5,"status":"met"}]}}"#
                .to_vec(),
            output_packed: None,
            imports: String::new(),
            skip_export: None,
            initial_pages: 2,
            extra: String::new(),
        }
    }
}

impl WatPack {
    /// The module's WAT text.
    pub fn text(&self) -> String {
        let export =
            |name: &str| if self.skip_export == Some(name) { String::new() } else { format!("(export \"{name}\")") };
        let packed = self.output_packed.unwrap_or((16384_u64 << 32) | self.output.len() as u64);
        format!(
            r#"(module
  {imports}
  (memory {memory} {pages})
  (global $bump (mut i32) (i32.const 65536))
  (data (i32.const 1024) "{manifest}")
  (data (i32.const 16384) "{output}")
  (func {version_export} (result i32) (i32.const {version}))
  (func {alloc_export} (param $len i32) (result i32) (local $ptr i32)
    (local.set $ptr (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get $len)))
    (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.div_u (local.get $len) (i32.const 65536)) (i32.const 1))))))
    (local.get $ptr))
  (func {free_export} (param i32 i32))
  (func {describe_export} (result i64) (i64.const {manifest_packed}))
  (func {evaluate_export} (param i32 i32) (result i64) (i64.const {packed}))
  {extra})"#,
            imports = self.imports,
            extra = self.extra,
            memory = export("memory"),
            pages = self.initial_pages,
            manifest = wat_bytes(self.manifest.as_bytes()),
            output = wat_bytes(&self.output),
            version_export = export("dudao_abi_version"),
            version = self.version as i32,
            alloc_export = export("dudao_alloc"),
            free_export = export("dudao_free"),
            describe_export = export("dudao_describe"),
            manifest_packed = ((1024_u64 << 32) | self.manifest.len() as u64) as i64,
            evaluate_export = export("dudao_evaluate"),
            packed = packed as i64,
        )
    }

    /// Writes the compiled module into `dir` and returns its path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, wat(&self.text())).expect("writing the module");
        path
    }
}

/// A one-county dataset with these school rows (`id,primary_students`).
pub fn schools_dataset(schools: &[(&str, u32)]) -> tempfile::TempDir {
    let mut csv = String::from("id,name,county_id,primary_students\n");
    for (id, students) in schools {
        csv.push_str(&format!("{id},学校{id},410825,{students}\n"));
    }
    dataset_dir(&[("counties.csv", "id,name,parent_id\n410825,温县,410800\n"), ("schools.csv", &csv)])
}
