//! The `dudao` command: parsing and dispatch only; each subcommand lives in `cli/`.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code.into(),
        Err(failure) => {
            eprintln!("error: {}", failure.error);
            failure.code.into()
        }
    }
}
