//! The `dudao` command: argument parsing and dispatch. Each subcommand lives in its own file
//! with its `Args` and one function; what several share is in `exit.rs` (exit statuses and
//! how failures map to them), `inputs.rs` (limits, and the packs-or-plan, data and threads of
//! a run, resolved once) and `output.rs` (where output goes). Every message a user reads
//! comes from the catalogue `locales/cli.toml` (`t!`), typed errors through `errors.rs`, and
//! clap's help texts and usage errors through `usage.rs`.

// The message catalogue (English and Chinese), compiled in; a key missing in one language
// falls back to English.
rust_i18n::i18n!("locales", fallback = "en");

mod build;
mod check;
mod completions;
mod diff;
mod errors;
mod exit;
mod explain;
mod guard;
mod inputs;
mod inspect;
mod new;
mod new_declarative;
mod output;
mod pdf;
mod pin;
mod report;
mod run;
mod scaffolded;
mod serve;
mod template;
mod test;
mod ui;
mod usage;
mod validate;
mod watch;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub(crate) use exit::{Exit, Failure, lang};
pub(crate) use inputs::LimitArgs;
pub(crate) use output::{TextOrJson, emit, emit_with};

/// dudao (督导): evaluates education inspection indicator packs, sandboxed WebAssembly
/// modules, over datasets of counties and schools.
#[derive(Debug, Parser)]
#[command(name = "dudao", version, about, max_term_width = 100)]
struct Cli {
    /// Language of messages: `zh` (中文) or `en` [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    lang: Option<dudao_dataset::Lang>,
    #[command(subcommand)]
    command: Command,
    /// Print only errors and warnings: no progress bar, no `wrote …` lines.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Colour the `error:` and `warning:` prefixes (auto: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ui::ColorChoice::Auto)]
    color: ui::ColorChoice,
}

fn parse_lang(text: &str) -> Result<dudao_dataset::Lang, String> {
    dudao_dataset::Lang::parse(text).ok_or_else(|| rust_i18n::t!("common.bad_lang", value = text).into_owned())
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show a pack's manifest: its indicator tree, thresholds and their sources, required data.
    Inspect(inspect::Args),
    /// Check a pack against the ABI and the host's policy without evaluating any data.
    Check(check::Args),
    /// Evaluate a dataset with one or more packs.
    Run(run::Args),
    /// Check a dataset against what the packs or plan require, without evaluating anything.
    Validate(validate::Args),
    /// Write an Excel data-entry workbook (填报模板) with exactly the columns the packs require.
    Template(template::Args),
    /// Build a pack crate into a WebAssembly module and check it.
    Build(build::Args),
    /// Write the round's reports (HTML, Markdown, XLSX), rectification list and results.json.
    Report(report::Args),
    /// Record (or `--check`) the sha256 pins of a plan's packs.
    Pin(pin::Args),
    /// Create a new pack (declarative by default; `--rust` for a crate) that builds and tests as generated.
    New(new::Args),
    /// Run a pack's test cases (small datasets with expected results) and report coverage.
    Test(test::Args),
    /// Explain why a subject got its result: its score card as a tree, with inputs, values,
    /// thresholds and their sources, weights, the roll-up to the total and grade, and vetoes.
    Explain(explain::Args),
    /// The platform (督导综合管理平台): `serve` runs the web service, `demo` seeds and serves the
    /// Jiaozuo demo, `admin` imports the organisation and manages accounts.
    #[command(flatten)]
    Platform(serve::Platform),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Show the impact of a rule change: manifest changes and every subject whose result changes.
    Diff(diff::Args),
}

fn dispatch(cli: Cli) -> Result<Exit, Failure> {
    match cli.command {
        Command::Inspect(args) => inspect::inspect(args),
        Command::Check(args) => check::check(args),
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Template(args) => template::template(args),
        Command::Build(args) => build::build(args),
        Command::Report(args) => report::report(args),
        Command::Pin(args) => pin::pin(args),
        Command::New(args) => new::new(args),
        Command::Test(args) => test::test(args),
        Command::Diff(args) => diff::diff(args),
        Command::Explain(args) => explain::explain(args),
        Command::Completions(args) => completions::completions(args),
        Command::Platform(command) => serve::platform(command),
    }
}

/// mimalloc keeps the pages it has used and reuses them per thread: a national run allocates
/// and frees millions of results, and glibc's malloc returned and faulted in the same pages
/// again and again (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    exit::set_lang(usage::early_lang(&args));
    let matches = match usage::localize(Cli::command()).try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(error) => return usage::report(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage::report(&error),
    };
    // `--lang` took effect before parsing (`usage::early_lang`); clap has checked its value.
    let _ = cli.lang;
    ui::init(cli.quiet, cli.color);
    let command = matches.subcommand_name().map(str::to_owned);
    match dispatch(cli) {
        Ok(code) => code.into(),
        Err(failure) => {
            ui::error(errors::describe(&failure.error));
            exit::failure_code(command.as_deref(), failure.code).into()
        }
    }
}
