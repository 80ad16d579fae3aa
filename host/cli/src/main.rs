//! The `dudao` command: argument parsing and dispatch. Each subcommand lives in its own file
//! with its `Args` and one function; what several share is in `exit.rs` (exit statuses and
//! how failures map to them), `inputs.rs` (limits, and the packs-or-plan, data and threads of
//! a run, resolved once) and `output.rs` (where output goes).

mod build;
mod check;
mod diff;
mod exit;
mod inputs;
mod inspect;
mod new;
mod output;
mod pdf;
mod pin;
mod report;
mod run;
mod test;

use clap::{Parser, Subcommand};

pub(crate) use exit::{EXIT_CODES, Exit, Failure};
pub(crate) use inputs::LimitArgs;
pub(crate) use output::{TextOrJson, emit};

/// dudao (督导): evaluates education inspection indicator packs, sandboxed WebAssembly
/// modules, over datasets of counties and schools.
#[derive(Debug, Parser)]
#[command(name = "dudao", version, about, after_help = EXIT_CODES, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show a pack's manifest: its indicator tree, thresholds and their sources, required data.
    #[command(after_help = EXIT_CODES)]
    Inspect(inspect::Args),
    /// Check a pack against the ABI and the host's policy without evaluating any data.
    #[command(after_help = EXIT_CODES)]
    Check(check::Args),
    /// Evaluate a dataset with one or more packs.
    #[command(after_help = EXIT_CODES)]
    Run(run::Args),
    /// Build a pack crate into a WebAssembly module and check it.
    #[command(after_help = EXIT_CODES)]
    Build(build::Args),
    /// Write the round's reports (HTML, Markdown, XLSX), rectification list and results.json.
    #[command(after_help = EXIT_CODES)]
    Report(report::Args),
    /// Record (or `--check`) the sha256 pins of a plan's packs.
    #[command(after_help = EXIT_CODES)]
    Pin(pin::Args),
    /// Create a new pack crate that builds and tests as generated.
    #[command(after_help = EXIT_CODES)]
    New(new::Args),
    /// Run a pack's test cases (small datasets with expected results) and report coverage.
    #[command(after_help = test::EXIT_CODES)]
    Test(test::Args),
    /// Show the impact of a rule change: manifest changes and every subject whose result changes.
    #[command(after_help = diff::EXIT_CODES)]
    Diff(diff::Args),
}

fn dispatch(cli: Cli) -> Result<Exit, Failure> {
    match cli.command {
        Command::Inspect(args) => inspect::inspect(args),
        Command::Check(args) => check::check(args),
        Command::Run(args) => run::run(args),
        Command::Build(args) => build::build(args),
        Command::Report(args) => report::report(args),
        Command::Pin(args) => pin::pin(args),
        Command::New(args) => new::new(args),
        Command::Test(args) => test::test(args),
        Command::Diff(args) => diff::diff(args),
    }
}

fn main() -> std::process::ExitCode {
    match dispatch(Cli::parse()) {
        Ok(code) => code.into(),
        Err(failure) => {
            eprintln!("error: {}", failure.error);
            failure.code.into()
        }
    }
}
