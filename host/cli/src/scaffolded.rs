//! What both kinds of `dudao new` share: how a scaffold's failure maps to an exit status, and
//! the "next steps" block they print.

use std::fmt::Write;

use dudao_authoring::scaffold::ScaffoldError;
use rust_i18n::t;

use crate::Failure;

/// A scaffold that could not be written is an unexpected failure (1); anything else is bad
/// input (2), and nothing was written.
pub fn failure(error: ScaffoldError) -> Failure {
    match error {
        ScaffoldError::Write { .. } => Failure::unexpected(error),
        _ => Failure::bad_input(error),
    }
}

/// The "next steps" block: each command, and what it does as a comment.
pub fn next_steps(text: &mut String, steps: &[(String, String)]) {
    let width = steps.iter().map(|(command, _)| command.len()).max().unwrap_or(0);
    let _ = writeln!(text, "\n{}", t!("new.next_steps"));
    for (command, what) in steps {
        let line = if what.is_empty() { command.clone() } else { format!("{command:<width$}  # {what}") };
        let _ = writeln!(text, "  {line}");
    }
}
