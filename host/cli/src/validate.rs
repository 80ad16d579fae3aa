//! `dudao validate`: checks a dataset against what the packs or plan require, with the same
//! messages as `run`, without evaluating anything.

use dudao_dataset::Lang;
use rules_sdk::wire::Level;

use crate::inputs::RunArgs;
use crate::{Exit, Failure, lang};

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
    match lang() {
        Lang::En => println!(
            "the dataset `{}` is valid for {packs} pack{}: {counties} counties, {zones} zones, {schools} schools; nothing was evaluated",
            args.inputs.data.display(),
            if packs == 1 { "" } else { "s" }
        ),
        Lang::Zh => println!(
            "数据集 `{}` 符合 {packs} 个指标包的要求：{counties} 个县（市、区）、{zones} 个督学责任区、{schools} 所学校；未进行评估",
            args.inputs.data.display()
        ),
    }
    Ok(Exit::Success)
}
