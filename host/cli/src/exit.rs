//! Exit statuses of `dudao`, and how each kind of failure maps to one.

use std::sync::OnceLock;

use dudao_dataset::Lang;
use dudao_engine::round::RunError;

/// The language of messages: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the language once, at start-up, for data problems and the message catalogue.
pub fn set_lang(lang: Option<Lang>) {
    let lang = *LANG.get_or_init(|| lang.unwrap_or_else(Lang::from_env));
    rust_i18n::set_locale(match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    });
}

/// The language messages are shown in.
pub fn lang() -> Lang {
    *LANG.get_or_init(Lang::from_env)
}

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

/// The exit statuses each subcommand can end with, each with its meaning's catalogue key:
/// its `--help` footer lists exactly these, and `tests/all/cli_exit.rs` reaches each one.
/// A command without an "unexpected failure" status reports every failure as trouble (2),
/// like `diff`.
pub const CODES: &[(&str, &[(u8, &str)])] = &[
    ("inspect", &[(0, "exit.success"), (2, "exit.bad_input")]),
    ("check", &[(0, "exit.success"), (2, "exit.bad_input")]),
    ("run", &[(0, "exit.success"), (1, "exit.unexpected"), (2, "exit.bad_input"), (3, "exit.subjects_failed")]),
    ("validate", &[(0, "exit.success"), (2, "exit.bad_input")]),
    ("template", &[(0, "exit.success"), (1, "exit.unexpected"), (2, "exit.bad_input")]),
    ("build", &[(0, "exit.success"), (2, "exit.bad_input_no_eval")]),
    ("report", &[(0, "exit.success"), (1, "exit.unexpected"), (2, "exit.bad_input"), (3, "exit.subjects_failed")]),
    ("pin", &[(0, "exit.pin_same"), (1, "exit.pin_changed"), (2, "exit.pin_trouble")]),
    ("new", &[(0, "exit.success"), (1, "exit.new_unexpected"), (2, "exit.new_bad_input")]),
    ("test", &[(0, "exit.test_success"), (1, "exit.test_failed"), (2, "exit.test_trouble")]),
    ("explain", &[(0, "exit.success"), (2, "exit.bad_input")]),
    ("diff", &[(0, "exit.diff_same"), (1, "exit.diff_changed"), (2, "exit.diff_trouble")]),
];

/// The `--help` footer of a subcommand (or of `dudao` itself, with the general statuses).
pub fn footer(command: Option<&str>) -> String {
    let general: &[(u8, &str)] =
        &[(0, "exit.success"), (1, "exit.unexpected"), (2, "exit.bad_input"), (3, "exit.subjects_failed")];
    let codes = command.and_then(codes).unwrap_or(general);
    let mut text = rust_i18n::t!("exit.heading").into_owned();
    for (code, key) in codes {
        text.push_str(&format!("\n  {code}  {}", rust_i18n::t!(*key)));
    }
    text
}

fn codes(command: &str) -> Option<&'static [(u8, &'static str)]> {
    CODES.iter().find(|(name, _)| *name == command).map(|(_, codes)| *codes)
}

/// The status a failure of `command` ends with: an unexpected failure is 1 only where the
/// command documents it so; elsewhere (`diff`, `test`, `pin`, …) 1 means a result, and
/// every failure is trouble, 2.
pub fn failure_code(command: Option<&str>, code: Exit) -> Exit {
    let documents_unexpected = command
        .and_then(codes)
        .is_none_or(|codes| codes.iter().any(|(status, key)| *status == 1 && key.ends_with("unexpected")));
    if code == Exit::Failure && !documents_unexpected { Exit::BadInput } else { code }
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

impl From<RunError> for Failure {
    /// A run that could not start: the engine's own failure is unexpected, everything else is
    /// bad input. Shown by [`crate::errors::describe`] (data problems up to a bound).
    fn from(error: RunError) -> Failure {
        match error {
            RunError::Sandbox(error) => Failure::unexpected(error),
            other => Failure::bad_input(other),
        }
    }
}
