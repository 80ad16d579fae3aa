//! `dudao validate`: checks a dataset against what the packs or plan require, with the same
//! messages as `run`, without evaluating anything.

use rules_sdk::wire::Level;

use crate::inputs::RunArgs;
use rust_i18n::t;

use crate::{Exit, Failure};

/// Arguments of `dudao validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: RunArgs,
}

/// Validates and says what was checked.
pub fn validate(args: Args) -> Result<Exit, Failure> {
    let prepared = args.inputs.check()?;
    let count = |level: Level| prepared.subjects.get(&level).map_or(0, Vec::len);
    let (counties, zones, schools) = (count(Level::County), count(Level::Zone), count(Level::School));
    let packs = prepared.packs.len();
    println!(
        "{}",
        t!(
            "validate.ok",
            path = args.inputs.data.display(),
            packs = if packs == 1 { t!("validate.pack") } else { t!("validate.packs", count = packs) },
            counties = counties,
            zones = zones,
            schools = schools
        )
    );
    Ok(Exit::Success)
}
