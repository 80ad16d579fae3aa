//! Exit statuses of `dudao`, and how each kind of failure maps to one.

use std::sync::OnceLock;

use dudao_dataset::Lang;
use dudao_engine::round::RunError;

/// The language of data problems: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the language once, at start-up.
pub fn set_lang(lang: Option<Lang>) {
    let _ = LANG.set(lang.unwrap_or_else(Lang::from_env));
}

/// The language messages are shown in.
pub fn lang() -> Lang {
    *LANG.get_or_init(Lang::from_env)
}

/// How many data problems are printed before the rest are only counted.
const SHOWN_DATA_ERRORS: usize = 200;

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

/// The exit statuses, for `--help`.
pub const EXIT_CODES: &str = "Exit status:
  0  success
  1  unexpected failure (for example, the output file cannot be written)
  2  bad usage, bad data or an unusable pack; nothing was evaluated
  3  results were written, but some subjects failed in the sandbox (status `error`)";

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

impl From<RunError> for Failure {
    /// A run that could not start: the engine's own failure is unexpected, everything else is
    /// bad input. Data problems are listed up to a bound, the rest counted.
    fn from(error: RunError) -> Failure {
        match error {
            RunError::Sandbox(error) => Failure::unexpected(error),
            RunError::Data(errors) => Failure::bad_input(anyhow::anyhow!(errors.render(SHOWN_DATA_ERRORS, lang()))),
            RunError::Dataset(error) => Failure::bad_input(anyhow::anyhow!(error.render(lang()))),
            other => Failure::bad_input(other),
        }
    }
}
