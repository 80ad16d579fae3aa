//! Command-line interface: one module per subcommand, each with its `Args` and one function.

mod build;
mod check;
mod diff;
mod inspect;
mod new;
mod new_declarative;
mod pin;
mod report;
mod run;
mod test;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use dudao::sandbox::Limits;

/// Exit statuses of `dudao`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything was evaluated (or checked) successfully.
    Success = 0,
    /// 1: an unexpected failure, such as an output file that cannot be written.
    Failure = 1,
    /// 2: bad usage, bad data, or a pack that cannot be used; nothing was evaluated.
    BadInput = 2,
    /// 3: results were written, but some subjects failed in the sandbox (status `error`).
    SubjectsFailed = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit as u8)
    }
}

/// A failed command: the message and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub code: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Failure {
        Failure { code: Exit::BadInput, error: error.into() }
    }

    pub fn unexpected(error: impl Into<anyhow::Error>) -> Failure {
        Failure { code: Exit::Failure, error: error.into() }
    }
}

const EXIT_CODES: &str = "Exit status:
  0  success
  1  unexpected failure (for example, the output file cannot be written)
  2  bad usage, bad data or an unusable pack; nothing was evaluated
  3  results were written, but some subjects failed in the sandbox (status `error`)";

/// dudao (督导): evaluates education inspection indicator packs, sandboxed WebAssembly
/// modules, over datasets of counties and schools.
#[derive(Debug, Parser)]
#[command(name = "dudao", version, about, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
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
    /// Create a new pack (declarative by default; `--rust` for a crate) that builds and tests as generated.
    #[command(after_help = EXIT_CODES)]
    New(new::Args),
    /// Run a pack's test cases (small datasets with expected results) and report coverage.
    #[command(after_help = test::EXIT_CODES)]
    Test(test::Args),
    /// Show the impact of a rule change: manifest changes and every subject whose result changes.
    #[command(after_help = diff::EXIT_CODES)]
    Diff(diff::Args),
}

/// Sandbox budgets, shared by every command that runs a pack.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Fuel per evaluation (about one unit per WebAssembly instruction).
    #[arg(long, value_name = "UNITS", default_value_t = Limits::default().fuel)]
    fuel: u64,
    /// Memory cap per pack instance, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory_bytes >> 20)]
    memory_mib: usize,
    /// Wall-clock deadline per evaluation, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().deadline.as_millis() as u64)]
    timeout_ms: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            memory_bytes: self.memory_mib << 20,
            deadline: Duration::from_millis(self.timeout_ms),
            ..Limits::default()
        }
    }
}

/// Output format of `inspect` and `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TextOrJson {
    Text,
    Json,
}

/// Where output goes.
fn emit(output: Option<&PathBuf>, content: &str) -> Result<(), Failure> {
    match output {
        Some(path) => dudao::report::write_atomically(path, content.as_bytes())
            .map_err(|error| Failure::unexpected(anyhow::anyhow!("cannot write `{}`: {error}", path.display()))),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(content.as_bytes()).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<Exit, Failure> {
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
