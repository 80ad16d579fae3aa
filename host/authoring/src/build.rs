//! Building a pack crate into a WebAssembly module (`dudao build`).
//!
//! Runs `cargo build --release --target wasm32-unknown-unknown` on the crate with the pack
//! profile settings (size-optimised, LTO, `panic = "abort"`, stripped) passed as `--config`
//! overrides, in a target directory of its own so it never fights a native build for the
//! lock. The module is copied to the output directory as `<crate-name>.wasm`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The WebAssembly target packs are built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Profile overrides for pack builds: small, deterministic modules.
const PACK_PROFILE: [&str; 6] = [
    "profile.release.opt-level=\"s\"",
    "profile.release.lto=true",
    "profile.release.codegen-units=1",
    "profile.release.panic=\"abort\"",
    "profile.release.strip=true",
    "profile.release.debug=false",
];

/// A built module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPack {
    /// The crate name.
    pub name: String,
    /// Where the module was copied to.
    pub path: PathBuf,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The crate folder has no `Cargo.toml`.
    #[error("`{}` is not a pack crate: it has no Cargo.toml", path.display())]
    NotACrate {
        /// The folder.
        path: PathBuf,
    },
    /// Cargo could not be started.
    #[error("cannot run cargo: {0}")]
    Cargo(std::io::Error),
    /// The wasm target is not installed.
    #[error("the `{WASM_TARGET}` target is not installed; run `rustup target add {WASM_TARGET}`")]
    MissingTarget,
    /// Cargo reported a compile error (its diagnostics were printed).
    #[error("cargo could not build `{}` for {WASM_TARGET} (see the compiler messages above)", path.display())]
    Failed {
        /// The crate folder.
        path: PathBuf,
    },
    /// The build produced no `.wasm` file.
    #[error("building `{}` produced no .wasm module; is the crate's `crate-type` `cdylib`?", path.display())]
    NoModule {
        /// The crate folder.
        path: PathBuf,
    },
    /// The module could not be copied to the output directory.
    #[error("cannot copy the module to `{}`: {source}", path.display())]
    Copy {
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Builds the pack crate at `crate_dir` and copies its module into `out_dir`.
///
/// `target_dir` is where cargo keeps its build files (default: `<crate>/target/wasm`).
/// Compiler diagnostics go to standard error; `quiet` hides cargo's progress lines.
///
/// # Errors
///
/// A [`BuildError`] saying what went wrong.
pub fn build_pack(
    crate_dir: &Path,
    out_dir: &Path,
    target_dir: Option<&Path>,
    quiet: bool,
) -> Result<BuiltPack, BuildError> {
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NotACrate { path: crate_dir.to_owned() });
    }
    let target_dir = target_dir.map_or_else(|| crate_dir.join("target").join("wasm"), Path::to_owned);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--release")
        .arg("--lib")
        .arg("--target")
        .arg(WASM_TARGET)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--message-format=json-render-diagnostics");
    for setting in PACK_PROFILE {
        command.arg("--config").arg(setting);
    }
    if quiet {
        command.arg("--quiet");
    }
    // Flags meant for the host build must not leak into the wasm build. Source paths are
    // remapped so the module's bytes (and so its sha256 pin) do not depend on where the crate
    // or cargo's registry lives on this machine.
    command.env_remove("RUSTFLAGS").env_remove("CARGO_TARGET_DIR");
    command.env("CARGO_ENCODED_RUSTFLAGS", remap_flags(crate_dir).join("\x1f"));
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = command.output().map_err(BuildError::Cargo)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        eprint!("{stderr}");
        if stderr.contains("target may not be installed") || stderr.contains("can't find crate for `core`") {
            return Err(BuildError::MissingTarget);
        }
        return Err(BuildError::Failed { path: crate_dir.to_owned() });
    }
    if !quiet {
        eprint!("{stderr}");
    }
    let module = artifact(&String::from_utf8_lossy(&output.stdout), &manifest)
        .ok_or_else(|| BuildError::NoModule { path: crate_dir.to_owned() })?;
    let name = module.file_stem().map(|stem| stem.to_string_lossy().replace('_', "-")).unwrap_or_default();
    std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Copy { path: out_dir.to_owned(), source })?;
    let destination = out_dir.join(format!("{name}.wasm"));
    let bytes = std::fs::read(&module).map_err(|source| BuildError::Copy { path: module.clone(), source })?;
    dudao_engine::files::write_atomically(&destination, &bytes)
        .map_err(|source| BuildError::Copy { path: destination.clone(), source })?;
    Ok(BuiltPack { name, path: destination })
}

/// `--remap-path-prefix` flags for the crate folder and cargo's home.
fn remap_flags(crate_dir: &Path) -> Vec<String> {
    let mut flags = Vec::new();
    if let Ok(absolute) = std::fs::canonicalize(crate_dir) {
        let name = absolute.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        flags.push(format!("--remap-path-prefix={}=/pack/{name}", absolute.display()));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(home) = cargo_home.and_then(|home| std::fs::canonicalize(home).ok()) {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    flags
}

/// The `.wasm` file of the crate's own `compiler-artifact` message.
fn artifact(messages: &str, manifest: &Path) -> Option<PathBuf> {
    let manifest = std::fs::canonicalize(manifest).ok()?;
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| {
            message["manifest_path"].as_str().and_then(|path| std::fs::canonicalize(path).ok()).as_ref()
                == Some(&manifest)
        })
        .flat_map(|message| {
            message["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(PathBuf::from))
                .collect::<Vec<_>>()
        })
        .find(|path| path.extension().is_some_and(|ext| ext == "wasm"))
}
