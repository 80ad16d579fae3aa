//! The command line's own words, from the message catalogue: the help texts clap lets us set
//! at run time (the about lines, the global options, the exit-status footers) and, in
//! Chinese, the usage errors (clap writes them in English; `--lang en` and an English locale
//! keep clap's own text).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use dudao_dataset::Lang;
use rust_i18n::t;

/// The language asked for before the arguments are parsed: `--lang X` or `--lang=X`, else
/// none (the locale decides). An unknown language is left for clap to reject.
pub fn early_lang(args: &[std::ffi::OsString]) -> Option<Lang> {
    let mut args = args.iter().filter_map(|arg| arg.to_str());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        if arg == "--lang" {
            return args.next().and_then(Lang::parse);
        }
        if let Some(value) = arg.strip_prefix("--lang=") {
            return Lang::parse(value);
        }
    }
    None
}

/// The subcommands whose about line and footer come from the catalogue.
const SUBCOMMANDS: [&str; 13] = [
    "inspect",
    "check",
    "run",
    "validate",
    "template",
    "build",
    "report",
    "pin",
    "new",
    "test",
    "explain",
    "diff",
    "completions",
];

/// The command with the catalogue's help texts in the language in force.
pub fn localize(command: clap::Command) -> clap::Command {
    let mut command = command
        .about(t!("help.about").into_owned())
        .after_help(crate::exit::footer(None))
        .mut_arg("lang", |arg| arg.help(t!("help.lang").into_owned()))
        .mut_arg("quiet", |arg| arg.help(t!("help.quiet").into_owned()))
        .mut_arg("color", |arg| arg.help(t!("help.color").into_owned()));
    for name in SUBCOMMANDS {
        command = command.mut_subcommand(name, |sub| {
            let key = format!("help.{name}");
            let sub = arg_helps(name, sub.about(t!(key.as_str()).into_owned()));
            if crate::exit::CODES.iter().any(|(command, _)| *command == name) {
                sub.after_help(crate::exit::footer(Some(name)))
            } else {
                sub
            }
        });
    }
    if crate::lang() == Lang::Zh {
        let template = zh_template(&command);
        command = command.help_template(template);
        let names: Vec<String> = command.get_subcommands().map(|sub| sub.get_name().to_owned()).collect();
        for name in names {
            command = command.mut_subcommand(name, |sub| {
                let template = zh_template(&sub);
                sub.help_template(template)
            });
        }
    }
    command
}

/// The catalogue's help text of each option that has one: `arg.<subcommand>.<id>`, else the
/// shared `arg.<id>`.
fn arg_helps(name: &str, mut sub: clap::Command) -> clap::Command {
    let locale = rust_i18n::locale();
    let ids: Vec<String> = sub.get_arguments().map(|arg| arg.get_id().to_string()).collect();
    for id in ids {
        let text = crate::_rust_i18n_try_translate(&locale, format!("arg.{name}.{id}"))
            .or_else(|| crate::_rust_i18n_try_translate(&locale, format!("arg.{id}")));
        if let Some(text) = text {
            let text = text.into_owned();
            sub = sub.mut_arg(id, |arg| arg.help(text).long_help(None::<&'static str>));
        }
    }
    sub
}

/// clap's help layout with Chinese headings, and only the sections the command has.
fn zh_template(command: &clap::Command) -> String {
    let mut template = String::from("{before-help}{about-with-newline}\n用法：{usage}\n");
    if command.get_positionals().next().is_some() {
        template.push_str("\n参数：\n{positionals}\n");
    }
    if command.has_subcommands() {
        template.push_str("\n子命令：\n{subcommands}\n");
    }
    template.push_str("\n选项：\n{options}{after-help}");
    template
}

/// Prints a usage error (or the help or version asked for) and returns the exit status:
/// clap's own text in English, the catalogue's in Chinese.
pub fn report(error: &clap::Error) -> std::process::ExitCode {
    let code = error.exit_code();
    let shown = matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if shown || crate::lang() == Lang::En {
        let _ = error.print();
        return std::process::ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    crate::ui::error(message(error));
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        eprintln!("\n{}", t!("usage.usage", usage = usage));
        let command: Vec<&str> =
            usage.split_whitespace().take_while(|word| !word.starts_with(['[', '<', '-'])).collect();
        eprintln!("\n{}", t!("usage.hint", command = command.join(" ")));
    }
    std::process::ExitCode::from(2)
}

fn context(error: &clap::Error, kind: ContextKind) -> String {
    match error.get(kind) {
        Some(ContextValue::String(text)) => text.clone(),
        Some(ContextValue::Strings(items)) => items.join(&t!("common.list_separator")),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// A usage error in the catalogue's words.
fn message(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg);
    let suggested = |text: String, kind: ContextKind| {
        let suggestion = context(error, kind);
        if suggestion.is_empty() { text } else { format!("{text}；{}", t!("usage.suggested", arg = suggestion)) }
    };
    match error.kind() {
        ErrorKind::UnknownArgument => {
            suggested(t!("usage.unknown_argument", arg = arg).into_owned(), ContextKind::SuggestedArg)
        }
        ErrorKind::InvalidSubcommand => suggested(
            t!("usage.unknown_subcommand", arg = context(error, ContextKind::InvalidSubcommand)).into_owned(),
            ContextKind::SuggestedSubcommand,
        ),
        ErrorKind::MissingRequiredArgument => t!("usage.missing_argument", args = arg).into_owned(),
        ErrorKind::MissingSubcommand => t!("usage.missing_subcommand").into_owned(),
        ErrorKind::ArgumentConflict => {
            t!("usage.conflict", arg = arg, other = context(error, ContextKind::PriorArg)).into_owned()
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut text =
                t!("usage.invalid_value", arg = arg, value = context(error, ContextKind::InvalidValue)).into_owned();
            let valid = context(error, ContextKind::ValidValue);
            if !valid.is_empty() {
                text.push_str(&format!("；{}", t!("usage.possible_values", values = valid)));
            }
            if let Some(source) = std::error::Error::source(error) {
                text.push_str(&format!("：{source}"));
            }
            text
        }
        _ => {
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or_default().trim_start_matches("error:").trim().to_owned();
            t!("usage.other", message = first).into_owned()
        }
    }
}
