//! `dudao explain --plan … --data … --subject ID [--indicator ID]`: why a subject got its
//! result — its score card as a tree, with inputs, values, thresholds and their sources.

use dudao_publish::explain::{self, ExplainError};

use crate::inputs::{RunArgs, evaluate_with_progress};
use crate::{Exit, Failure, TextOrJson, emit};

/// Arguments of `dudao explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: RunArgs,
    /// The subject to explain: a county, zone, school (or city) id of the dataset.
    #[arg(long, value_name = "ID")]
    subject: String,
    /// Only this indicator (or dimension) and what lies below it.
    #[arg(long, value_name = "ID")]
    indicator: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Evaluates, then explains one subject.
pub fn explain(args: Args) -> Result<Exit, Failure> {
    let (evaluation, round) = evaluate_with_progress(&args.inputs)?;
    let explanation = explain::explain(&evaluation, round.as_ref(), &args.subject, args.indicator.as_deref())
        .map_err(|error: ExplainError| Failure::bad_input(error))?;
    let text = match args.format {
        TextOrJson::Text => explain::text(&explanation),
        TextOrJson::Json => {
            let mut text = serde_json::to_string_pretty(&explanation).map_err(Failure::unexpected)?;
            text.push('\n');
            text
        }
    };
    emit(None, &text)?;
    Ok(Exit::Success)
}
