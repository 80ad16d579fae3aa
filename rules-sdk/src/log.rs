//! Log lines from a pack to the host (the `dudao.log` import).
//!
//! The host keeps a bounded number of lines per evaluation and shows them with `--verbose`.
//! Natively (in a pack's unit tests) lines go to standard error.

/// Severity of a log line; the number is what crosses the ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum LogLevel {
    /// Diagnostics for the pack author.
    Debug = 0,
    /// Something a user may want to know.
    Info = 1,
    /// Something looks wrong but evaluation goes on.
    Warn = 2,
}

/// Sends one log line to the host.
pub fn log(level: LogLevel, message: &str) {
    crate::abi::host_log(level as i32, message);
}

/// Sends one `info` line to the host.
pub fn info(message: &str) {
    log(LogLevel::Info, message);
}

/// Sends one `warn` line to the host.
pub fn warn(message: &str) {
    log(LogLevel::Warn, message);
}
