//! Pack-controlled text on its way to a terminal or a spreadsheet.
//!
//! A pack chooses its panic messages, log lines, refusal messages, notes and subject parts.
//! Shown raw, control characters in them could forge lines of dudao's own output (a newline
//! and `error: pack …`), move the cursor or retitle the terminal (escape sequences), or reverse
//! the text around them (bidirectional overrides). [`escape_controls`] writes every such
//! character as a visible escape. In a CSV or XLSX cell, text that starts with `=`, `+`, `-`
//! or `@` is taken for a formula by spreadsheet programs; [`neutralise_formula`] puts an
//! apostrophe in front of it, as OWASP recommends for CSV injection.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal raw: C0 and C1 controls, DEL, and the
/// Unicode bidirectional formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character (see [`is_unsafe_char`]) written as a visible escape:
/// `\n`, `\r`, `\t`, and `\u{1b}` and the like for the others. Backslashes already in the
/// text are left as they are (they cannot move a cursor); text without unsafe characters is
/// returned unchanged.
pub fn escape_controls(text: &str) -> String {
    escape_controls_cow(text).into_owned()
}

/// As [`escape_controls`], borrowing when nothing needs escaping.
pub fn escape_controls_cow(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if is_unsafe_char(c) => {
                let _ = write!(escaped, "\\u{{{:x}}}", c as u32);
            }
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// Characters that make a spreadsheet cell a formula (or, for tab and carriage return, hide
/// one behind whitespace).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` with an apostrophe in front when a spreadsheet would read it as a formula; other
/// text is returned unchanged.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// Every text of a manifest that contains an unsafe character, as a problem naming where it
/// is (`indicators[0].name`) and showing it escaped. Manifest text is printed by `inspect`,
/// `check`, the summary and the reports, so it must be clean when the pack is loaded.
pub fn control_character_problems(manifest: &rules_sdk::wire::Manifest) -> Vec<String> {
    fn walk(value: &serde_json::Value, path: &mut String, problems: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) if text.chars().any(is_unsafe_char) => problems.push(format!(
                "the text at `{path}` contains control characters (`{}`); pack text may not",
                escape_controls(text)
            )),
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let length = path.len();
                    path.push_str(&format!("[{index}]"));
                    walk(item, path, problems);
                    path.truncate(length);
                }
            }
            serde_json::Value::Object(fields) => {
                for (key, item) in fields {
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&escape_controls(key));
                    if key.chars().any(is_unsafe_char) {
                        problems.push(format!("the field name `{path}` contains control characters"));
                    }
                    walk(item, path, problems);
                    path.truncate(length);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    if let Ok(value) = serde_json::to_value(manifest) {
        walk(&value, &mut String::new(), &mut problems);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_kept() {
        assert_eq!(escape_controls("学校 ok: 3/4"), "学校 ok: 3/4");
        assert_eq!(
            escape_controls("x\nerror: pack `a` on county `b`\u{1b}]0;owned\u{7}"),
            "x\\nerror: pack `a` on county `b`\\u{1b}]0;owned\\u{7}"
        );
        assert_eq!(escape_controls("\u{202e}evil\u{9b}"), "\\u{202e}evil\\u{9b}");
    }

    #[test]
    fn formulas_get_an_apostrophe_and_other_cells_do_not() {
        assert_eq!(neutralise_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_formula("-1+1"), "'-1+1");
        assert_eq!(neutralise_formula("+1"), "'+1");
        assert_eq!(neutralise_formula("达标 = 是"), "达标 = 是");
        assert_eq!(neutralise_formula(""), "");
    }
}
