//! `dudao build [PATH]`: compiles a pack crate for wasm32, checks the module, and says where
//! it landed.

use std::path::PathBuf;

use dudao_authoring::build::build_pack;
use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;

use rust_i18n::t;

use super::{Exit, Failure, LimitArgs, emit};

/// Arguments of `dudao build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack crate folder (with its Cargo.toml), or a declarative pack: `pack.toml` or an
    /// XLSX indicator table (built without a Rust toolchain).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Where to put the module (default: `<PATH>/target/packs`).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Cargo's build directory (default: `<PATH>/target/wasm`).
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
    /// Hide cargo's progress lines.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Builds, checks and reports the module.
pub fn build(args: Args) -> Result<Exit, Failure> {
    let declarative = dudao_engine::declarative::is_spec(&args.path);
    let base =
        if declarative { args.path.parent().unwrap_or(std::path::Path::new("")).to_owned() } else { args.path.clone() };
    let out_dir = args.out_dir.clone().unwrap_or_else(|| base.join("target").join("packs"));
    let built = if declarative {
        dudao_engine::declarative::build(&args.path, &out_dir).map_err(Failure::bad_input)?
    } else {
        build_pack(&args.path, &out_dir, args.target_dir.as_deref(), args.quiet).map_err(Failure::bad_input)?.path
    };
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let pack = LoadedPack::load(&sandbox, &built).map_err(Failure::bad_input)?;
    emit(
        None,
        &format!(
            "{}\n{}\n",
            t!("build.built", id = pack.manifest.id, version = pack.manifest.version, path = built.display()),
            t!("build.size", size = pack.size, sha256 = pack.sha256)
        ),
    )?;
    crate::ui::info(t!("build.next", path = built.display()));
    Ok(Exit::Success)
}
