//! How the command talks on standard error: `--quiet` silences progress and information
//! (never errors), `--color auto|always|never` (and `NO_COLOR`) decides whether the `error:`
//! and `warning:` prefixes are coloured. Set once from the global options, read everywhere.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// When to colour standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// When standard error is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    quiet: bool,
    color: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Records the global options; call once, before anything is printed.
pub fn init(quiet: bool, color: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
    };
    let _ = SETTINGS.set(Settings { quiet, color });
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or(Settings { quiet: false, color: false })
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    settings().quiet
}

/// The catalogue's prefix (`error:`, `错误：`), coloured when asked; a space follows an
/// ASCII colon, none a full-width one.
fn prefix(key: &str, color: anstyle::AnsiColor) -> String {
    let word = rust_i18n::t!(key);
    let word = if settings().color {
        let style = anstyle::Style::new().bold().fg_color(Some(color.into()));
        let (text, colon) = word.split_at(word.len() - word.chars().last().map_or(0, char::len_utf8));
        format!("{}{text}{}{colon}", style.render(), style.render_reset())
    } else {
        word.into_owned()
    };
    if word.ends_with(':') { format!("{word} ") } else { word }
}

/// An error line on standard error (printed even with `--quiet`); `错误：` in Chinese.
pub fn error(message: impl std::fmt::Display) {
    eprintln!("{}{message}", prefix("prefix.error", anstyle::AnsiColor::Red));
}

/// A warning line on standard error (printed even with `--quiet`); `警告：` in Chinese.
pub fn warning(message: impl std::fmt::Display) {
    eprintln!("{}{message}", prefix("prefix.warning", anstyle::AnsiColor::Yellow));
}

/// An informational line on standard error (`wrote …`), silenced by `--quiet`.
pub fn info(message: impl std::fmt::Display) {
    if !quiet() {
        eprintln!("{message}");
    }
}
