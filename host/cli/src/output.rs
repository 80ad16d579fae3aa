//! Where a command's output goes: a file, written atomically, or standard output.

use std::path::PathBuf;

use crate::Failure;

/// Output format of `inspect`, `check`, `explain` and `test` (`run` and `diff` add their
/// tables to the same `text` and `json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// Writes `content` to `output` (atomically), or to standard output.
pub fn emit(output: Option<&PathBuf>, content: &str) -> Result<(), Failure> {
    match output {
        Some(path) => dudao_engine::files::write_atomically(path, content.as_bytes())
            .map_err(|error| Failure::unexpected(crate::errors::cannot_write(path, &error))),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(content.as_bytes()).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}
