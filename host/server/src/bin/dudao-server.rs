//! `dudao-server`: the platform's commands (`serve`, `demo`, `admin`) on their own, as
//! `dudao serve|demo|admin` runs them.

use std::process::ExitCode;

use clap::Parser;
use dudao_server::commands::Platform;

#[derive(Debug, Parser)]
#[command(name = "dudao-server", about = "督导综合管理平台 — the city's inspection platform")]
struct Cli {
    #[command(subcommand)]
    command: Platform,
}

/// The allocator of `dudao`, which runs the same commands (`host/cli/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match dudao_server::commands::run(Cli::parse().command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
