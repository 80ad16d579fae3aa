//! `dudao completions SHELL`: prints a completion script for the shell.

use clap::CommandFactory;

use crate::{Cli, Exit, Failure, emit};

/// Arguments of `dudao completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Writes the script to standard output.
pub fn completions(args: Args) -> Result<Exit, Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "dudao", &mut script);
    emit(None, &String::from_utf8_lossy(&script))?;
    Ok(Exit::Success)
}
