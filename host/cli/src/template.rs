//! `dudao template`: writes the Excel data-entry workbook (填报模板) for a plan's packs or for
//! pack files: exactly the columns they require, per table.

use std::path::PathBuf;

use dudao_engine::round::{self, RunSettings};

use crate::{Exit, Failure};

/// Arguments of `dudao template`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["packs", "plan"])))]
pub struct Args {
    /// A pack module (`.wasm` or `.wat`); repeat for several packs.
    #[arg(long = "pack", value_name = "PACK.wasm")]
    packs: Vec<PathBuf>,
    /// An evaluation plan (TOML): the template has the columns of all its packs.
    #[arg(long, value_name = "PLAN.toml", conflicts_with = "packs")]
    plan: Option<PathBuf>,
    /// Where to write the workbook (`填报模板.xlsx`).
    #[arg(long, short, value_name = "FILE.xlsx")]
    output: PathBuf,
}

/// Loads the packs and writes the workbook.
pub fn template(args: Args) -> Result<Exit, Failure> {
    let settings = RunSettings::default();
    let loaded = match &args.plan {
        Some(plan) => {
            crate::guard::refuse_overwrite(std::slice::from_ref(&args.output), std::slice::from_ref(plan))?;
            round::load_plan(plan, &settings)?.2
        }
        None => round::load_packs(&args.packs, &settings)?.1,
    };
    crate::guard::refuse_overwrite(
        std::slice::from_ref(&args.output),
        &loaded.iter().map(|pack| pack.path.clone()).collect::<Vec<_>>(),
    )?;
    let manifests: Vec<_> = loaded.iter().map(|pack| &pack.manifest).collect();
    let bytes = dudao_dataset::template::workbook(&manifests).map_err(Failure::unexpected)?;
    dudao_engine::files::write_atomically(&args.output, &bytes)
        .map_err(|error| Failure::unexpected(crate::errors::cannot_write(&args.output, &error)))?;
    crate::ui::info(rust_i18n::t!("common.wrote", path = args.output.display()));
    Ok(Exit::Success)
}
