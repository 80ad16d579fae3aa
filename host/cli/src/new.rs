//! `dudao new NAME [--county CODE] [--title TITLE] [--xlsx] [--dir PARENT]`: scaffolds a
//! declarative pack (no Rust needed) that builds, tests and passes its cases as generated;
//! `--rust [--sdk PATH]` scaffolds a Rust pack crate instead.

use std::fmt::Write;
use std::path::PathBuf;

use dudao_authoring::scaffold::{self, NewPack};

use rust_i18n::t;

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
    /// The rules SDK crate to depend on (default: the one this dudao was built with; `--rust` only).
    #[arg(long, value_name = "PATH", requires = "rust")]
    sdk: Option<PathBuf>,
    /// The pack's Chinese title (default: an example title).
    #[arg(long, value_name = "TITLE")]
    title: Option<String>,
    /// Write the spec as an Excel indicator table (`NAME.xlsx`) instead of `NAME.toml`.
    #[arg(long, conflicts_with = "rust")]
    xlsx: bool,
    /// Scaffold a Rust pack crate (needs rustup and cargo) instead of a declarative pack.
    #[arg(long)]
    rust: bool,
}

/// Writes the crate and prints the next steps.
pub fn new(args: Args) -> Result<Exit, Failure> {
    if !args.rust {
        return super::new_declarative::new(&args.name, args.county, args.title.as_deref(), args.xlsx, &args.dir);
    }
    let sdk = match args.sdk {
        Some(path) => std::fs::canonicalize(&path).unwrap_or(path),
        None => scaffold::default_sdk(),
    };
    let request = NewPack { name: args.name, county: args.county, sdk };
    let created = request.create(&args.dir).map_err(super::scaffolded::failure)?;
    let crate_dir = created.path.display().to_string();
    let mut text = String::new();
    let _ = writeln!(text, "{}", t!("new.created_rust", name = request.name, path = crate_dir));
    let _ = writeln!(text, "{}", t!("new.ids", pack = created.pack_id, indicator = created.indicator_id));
    let _ = writeln!(text, "{}", t!("new.sdk", path = request.sdk.display()));
    for file in &created.files {
        let _ = writeln!(text, "  {file}");
    }
    let steps = [
        (format!("cd {crate_dir}"), String::new()),
        ("cargo test".to_owned(), t!("new.step_cargo_test").into_owned()),
        ("dudao build .".to_owned(), t!("new.step_build_rust").into_owned()),
        (format!("dudao test target/packs/{}.wasm", request.name), t!("new.step_test").into_owned()),
    ];
    super::scaffolded::next_steps(&mut text, &steps);
    let _ = writeln!(text, "{}", t!("new.then_rust"));
    emit(None, &text)?;
    Ok(Exit::Success)
}
