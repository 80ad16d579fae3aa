//! Where a command's output goes: a file, written atomically, or standard output.

use std::io::Write;
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
    emit_with(output, |out| out.write_all(content.as_bytes()))
}

/// Writes what `write` produces to `output` (atomically, through a buffer: the content is never
/// held whole), or to standard output.
pub fn emit_with(
    output: Option<&PathBuf>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), Failure> {
    match output {
        Some(path) => dudao_engine::files::write_atomically_with(path, write)
            .map_err(|error| Failure::unexpected(crate::errors::cannot_write(path, &error))),
        None => {
            // Not locked: a writer may be handed to another thread (`run --format csv`).
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = write(&mut stdout).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}
