//! A cache of compiled packs: compiling a module with Cranelift is most of a small round's
//! cost, so each compiled module is kept on disk, keyed by the module's sha256 and the
//! engine's configuration, and loaded instead of recompiled next time.
//!
//! An entry is never trusted blindly. Its header names the module digest and engine
//! fingerprint it was made for, and carries the sha256 of the compiled artefact; an entry
//! whose header does not match its key (a foreign or renamed file), whose artefact does not
//! match its digest (a corrupted or truncated file), or that wasmtime refuses (another
//! wasmtime version or configuration) is ignored, the module is compiled again and the entry
//! rewritten. A directory that others may write to is not used at all. Writes are atomic
//! (temporary file, then rename), so concurrent runs never see half an entry.
//!
//! Where: `DUDAO_CACHE_DIR`, else `$XDG_CACHE_HOME/dudao/modules`, else
//! `$HOME/.cache/dudao/modules`; `DUDAO_CACHE=off` turns the cache off.

#![allow(unsafe_code)]

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

const MAGIC: &[u8; 8] = b"DUDAOC1\n";
const HEADER: usize = MAGIC.len() + 32 + 8 + 32;

/// A folder of compiled modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCache {
    dir: PathBuf,
}

/// What [`ModuleCache::compile`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// The compiled module was loaded from the cache.
    Hit,
    /// The module was compiled and the entry written.
    Miss,
    /// The entry was unusable (corrupted, foreign or incompatible): compiled and rewritten.
    Replaced,
}

impl ModuleCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> ModuleCache {
        ModuleCache { dir: dir.into() }
    }

    /// The cache the environment asks for (see the module documentation), or none.
    pub fn from_env() -> Option<ModuleCache> {
        if std::env::var_os("DUDAO_CACHE").is_some_and(|value| value == "off" || value == "0") {
            return None;
        }
        let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
        let dir = non_empty("DUDAO_CACHE_DIR")
            .or_else(|| non_empty("XDG_CACHE_HOME").map(|dir| dir.join("dudao/modules")))
            .or_else(|| non_empty("HOME").map(|home| home.join(".cache/dudao/modules")))?;
        Some(ModuleCache::new(dir))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The compiled `bytes` (a binary module), from the cache when a valid entry exists.
    ///
    /// # Errors
    ///
    /// wasmtime's error when the module does not compile. A cache that cannot be read or
    /// written is not an error: the module is compiled as without a cache.
    pub fn compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<(Module, CacheOutcome)> {
        let module_digest: [u8; 32] = Sha256::digest(bytes).into();
        let fingerprint = engine_fingerprint(engine);
        let path = self.dir.join(format!("{}-{fingerprint:016x}.cwasm", hex(&module_digest)));
        let existed = path.exists();
        if self.usable_dir()
            && let Ok(entry) = std::fs::read(&path)
            && let Some(artefact) = verified(&entry, &module_digest, fingerprint)
        {
            // SAFETY: wasmtime requires that deserialised bytes come from `Module::serialize`
            // of a compatible engine and were not tampered with. The artefact was written by
            // `store` below from `Module::serialize`; its sha256 and the module digest and
            // engine fingerprint it was made for are checked above, so a corrupted, truncated
            // or foreign entry never reaches this call; wasmtime itself refuses artefacts of
            // another version or configuration. The folder is the user's own (`usable_dir`).
            if let Ok(module) = unsafe { Module::deserialize(engine, artefact) } {
                return Ok((module, CacheOutcome::Hit));
            }
        }
        let module = Module::new(engine, bytes)?;
        if self.usable_dir() || std::fs::create_dir_all(&self.dir).is_ok() && self.usable_dir() {
            // A cache that cannot be written is only slower.
            let _ = module.serialize().map(|artefact| self.store(&path, &module_digest, fingerprint, &artefact));
        }
        Ok((module, if existed { CacheOutcome::Replaced } else { CacheOutcome::Miss }))
    }

    /// Whether the folder exists and only its owner may write to it.
    fn usable_dir(&self) -> bool {
        let Ok(metadata) = std::fs::metadata(&self.dir) else { return false };
        if !metadata.is_dir() {
            return false;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if metadata.permissions().mode() & 0o022 != 0 {
                return false;
            }
        }
        true
    }

    fn store(&self, path: &Path, module_digest: &[u8; 32], fingerprint: u64, artefact: &[u8]) -> std::io::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(module_digest)?;
        file.write_all(&fingerprint.to_le_bytes())?;
        file.write_all(&Sha256::digest(artefact))?;
        file.write_all(artefact)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|error| error.error)?;
        Ok(())
    }
}

/// Compiles `bytes` with `engine`, through `cache` when there is one.
///
/// # Errors
///
/// wasmtime's error when the module does not compile.
pub fn compile(cache: Option<&ModuleCache>, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Module> {
    match cache {
        Some(cache) => cache.compile(engine, bytes).map(|(module, _)| module),
        None => Module::new(engine, bytes),
    }
}

/// The artefact of `entry`, when its header matches the key and its digest.
fn verified<'a>(entry: &'a [u8], module_digest: &[u8; 32], fingerprint: u64) -> Option<&'a [u8]> {
    if entry.len() < HEADER || &entry[..MAGIC.len()] != MAGIC {
        return None;
    }
    let (header, artefact) = entry.split_at(HEADER);
    let digest = &header[MAGIC.len()..MAGIC.len() + 32];
    let engine = u64::from_le_bytes(header[MAGIC.len() + 32..MAGIC.len() + 40].try_into().ok()?);
    let artefact_digest = &header[MAGIC.len() + 40..];
    (digest == module_digest && engine == fingerprint && Sha256::digest(artefact).as_slice() == artefact_digest)
        .then_some(artefact)
}

/// The engine's compilation settings and wasmtime version, as a number.
fn engine_fingerprint(engine: &Engine) -> u64 {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let digest = hasher.0.finalize();
    u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// A stable [`Hasher`] (std's default hasher may change between Rust releases).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
