//! `dudao new NAME [--county CODE] [--dir PARENT] [--sdk PATH]`: scaffolds a pack crate that
//! builds, tests and passes its cases as generated.

use std::fmt::Write;
use std::path::PathBuf;

use dudao::scaffold::{self, NewPack, ScaffoldError};

use super::{Exit, Failure, emit};

/// Arguments of `dudao new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The crate and folder name: lowercase letters, digits and dashes (`reading-room`).
    name: String,
    /// A county-local pack: the county's six-digit code. The pack id becomes `<CODE>-<NAME>`
    /// and every indicator id `<CODE>.<NAME>.<key>`, so they never collide with city packs.
    #[arg(long, value_name = "CODE")]
    county: Option<String>,
    /// The folder to create the crate in.
    #[arg(long, value_name = "PARENT", default_value = ".")]
    dir: PathBuf,
    /// The rules SDK crate to depend on (default: the one this dudao was built with).
    #[arg(long, value_name = "PATH")]
    sdk: Option<PathBuf>,
}

/// Writes the crate and prints the next steps.
pub fn new(args: Args) -> Result<Exit, Failure> {
    let sdk = match args.sdk {
        Some(path) => std::fs::canonicalize(&path).unwrap_or(path),
        None => scaffold::default_sdk(),
    };
    let request = NewPack { name: args.name, county: args.county, sdk };
    let created = request.create(&args.dir).map_err(|error| match error {
        ScaffoldError::Write { .. } => Failure::unexpected(error),
        _ => Failure::bad_input(error),
    })?;
    let crate_dir = created.path.display().to_string();
    let mut text = String::new();
    let _ = writeln!(text, "created pack crate `{}` in `{crate_dir}`", request.name);
    let _ = writeln!(text, "  pack id `{}`, indicator `{}`", created.pack_id, created.indicator_id);
    let _ = writeln!(text, "  rules SDK: {}", request.sdk.display());
    for file in &created.files {
        let _ = writeln!(text, "  {file}");
    }
    let _ = writeln!(text, "\nnext steps:");
    let _ = writeln!(text, "  cd {crate_dir}");
    let _ = writeln!(text, "  cargo test                                   # unit tests and the fixture snapshot");
    let _ = writeln!(
        text,
        "  dudao build .                                # → target/packs/{}.wasm, size, sha256",
        request.name
    );
    let _ = writeln!(text, "  dudao test target/packs/{}.wasm   # the cases in cases/", request.name);
    let _ = writeln!(
        text,
        "then edit src/lib.rs, the fixtures and the cases; see docs/authoring.md (审阅快照: cargo insta review)"
    );
    emit(None, &text)?;
    Ok(Exit::Success)
}
