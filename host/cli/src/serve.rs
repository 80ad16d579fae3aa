//! `dudao serve`, `dudao demo` and `dudao admin`: the platform (督导综合管理平台, crate
//! `dudao-server`); the commands themselves are `dudao_server::commands`.

use crate::{Exit, Failure};

pub use dudao_server::commands::Platform;

/// Runs a platform command on a multi-threaded runtime until it ends.
pub fn platform(command: Platform) -> Result<Exit, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(Failure::unexpected)?;
    runtime.block_on(dudao_server::commands::run(command)).map_err(Failure::bad_input)?;
    Ok(Exit::Success)
}
