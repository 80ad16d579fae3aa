//! The language of `dudao` as a county officer meets it: with `LANG=zh_CN.UTF-8` every
//! message of `run`, `report`, `validate`, `new`, `build`, `test`, `diff` and `pin` — on a
//! common mistake and in normal use — is Chinese and says what to do next; with `LANG=C` the
//! same in English; `--lang` overrides the locale. And the catalogue itself: every message in
//! both languages, with the same placeholders, and every key the code uses is in it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use crate::support;

pub const ZH: &str = "zh_CN.UTF-8";
pub const EN: &str = "C";

/// `dudao` in the workspace root under the locale `LANG=lang` (and no `LC_*` overriding it).
pub fn dudao_in(lang: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .current_dir(dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output()
        .expect("dudao runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A subcommand, its arguments, and what the Chinese and the English message must contain.
type Mistake = (&'static str, Vec<&'static str>, [&'static str; 2], [&'static str; 2]);

/// A common mistake per subcommand: the arguments, then the Chinese and the English message
/// (each with its "what to do next") it must show.
fn mistakes() -> Vec<Mistake> {
    vec![
        (
            "run",
            vec!["run", "--pack", "target/packs/no-such-pack.wasm", "--data", "fixtures/jiaozuo"],
            ["错误：无法读取指标包 `target/packs/no-such-pack.wasm`：文件或文件夹不存在", "dudao build"],
            ["error: cannot read pack `target/packs/no-such-pack.wasm`: no such file or folder", "dudao build"],
        ),
        (
            "report",
            vec![
                "report",
                "--pack",
                "rules/wat-example/pack.wat",
                "--data",
                "rules/wat-example/cases/shortfall",
                "--out-dir",
                "target/never-written",
                "--date",
                "2026-13-01",
            ],
            ["错误：日期 `2026-13-01` 不是 YYYY-MM-DD 格式的有效日期", "例如 `--date 2026-06-30`"],
            ["error: date `2026-13-01` is not a calendar date written YYYY-MM-DD", "for example `--date 2026-06-30`"],
        ),
        (
            "validate",
            vec!["validate", "--pack", "rules/wat-example/pack.wat", "--data", "fixtures/no-such-dataset"],
            ["错误：", "数据集"],
            ["error: ", "dataset"],
        ),
        (
            "new",
            vec!["new", "Reading_Room"],
            ["错误：`Reading_Room` 不能作为指标包名称", "例如 `reading-room`"],
            ["error: `Reading_Room` cannot name a pack", "e.g. `reading-room`"],
        ),
        (
            "build",
            vec!["build", "fixtures"],
            ["错误：`fixtures` 不是指标包：其中没有 Cargo.toml", "dudao new 名称"],
            ["error: `fixtures` is not a pack crate: it has no Cargo.toml", "dudao new NAME"],
        ),
        (
            "test",
            vec!["test", "rules/wat-example/pack.wat", "--case", "no-such-case"],
            ["错误：`rules/wat-example/cases` 中没有用例 `no-such-case`", "现有：json-dataset, shortfall"],
            ["error: there is no case `no-such-case` in `rules/wat-example/cases`", "it has: json-dataset, shortfall"],
        ),
        (
            "diff",
            vec![
                "diff",
                "--old",
                "rules/wat-example/pack.wat",
                "--new",
                "target/packs/no-such-pack.wasm",
                "--data",
                "rules/wat-example/cases/shortfall",
            ],
            ["错误：无法读取指标包 `target/packs/no-such-pack.wasm`", "dudao build"],
            ["error: cannot read pack `target/packs/no-such-pack.wasm`", "dudao build"],
        ),
        (
            "pin",
            vec!["pin", "fixtures/plans/no-such-plan.toml"],
            ["错误：无法读取评估方案 `fixtures/plans/no-such-plan.toml`：文件或文件夹不存在", "fixtures/plans/"],
            ["error: cannot read plan `fixtures/plans/no-such-plan.toml`: no such file or folder", "fixtures/plans/"],
        ),
        (
            "run (usage)",
            vec!["run", "--pack", "rules/wat-example/pack.wat", "--dta", "fixtures/jiaozuo"],
            ["错误：无法识别的参数 `--dta`", "详细用法请运行 `dudao run --help`"],
            ["error: unexpected argument '--dta' found", "For more information, try '--help'."],
        ),
    ]
}

#[test]
fn a_common_mistake_in_each_subcommand_is_told_in_the_locales_language_with_what_to_do() {
    let root = support::root();
    for (command, args, zh, en) in mistakes() {
        let chinese = dudao_in(ZH, &root, &args);
        assert_eq!(chinese.status.code(), Some(2), "{command}: {}", stderr(&chinese));
        let text = stderr(&chinese);
        for part in zh {
            assert!(text.contains(part), "{command} in Chinese lacks {part:?}:\n{text}");
        }
        for english in ["error:", "cannot ", "Usage:", "try '--help'"] {
            assert!(!text.contains(english), "{command} in Chinese says {english:?}:\n{text}");
        }

        let english = dudao_in(EN, &root, &args);
        assert_eq!(english.status.code(), Some(2), "{command}: {}", stderr(&english));
        let text = stderr(&english);
        for part in en {
            assert!(text.contains(part), "{command} in English lacks {part:?}:\n{text}");
        }
        assert!(!text.contains("错误") && !text.contains("请"), "{command} in English speaks Chinese:\n{text}");
    }
}

#[test]
fn lang_overrides_the_locale_both_ways() {
    let root = support::root();
    let args = ["pin", "fixtures/plans/no-such-plan.toml"];
    let forced_en = dudao_in(ZH, &root, &[&["--lang", "en"], &args[..]].concat());
    assert!(stderr(&forced_en).starts_with("error: cannot read plan"), "{}", stderr(&forced_en));
    let forced_zh = dudao_in(EN, &root, &[&args[..], &["--lang=zh"]].concat());
    assert!(stderr(&forced_zh).starts_with("错误：无法读取评估方案"), "{}", stderr(&forced_zh));
    let unknown = dudao_in(ZH, &root, &["--lang", "fr", "pin", "x.toml"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`fr` 不是 dudao 支持的语言；请用 `zh` 或 `en`"), "{}", stderr(&unknown));
}

#[test]
fn help_shows_the_subcommands_and_exit_statuses_in_the_locales_language() {
    let root = support::root();
    let chinese = stdout(&dudao_in(ZH, &root, &["test", "--help"]));
    assert!(chinese.contains("运行指标包的测试用例"), "{chinese}");
    assert!(chinese.contains("用法："), "{chinese}");
    assert!(chinese.contains("退出状态：\n  0  全部用例通过"), "{chinese}");
    assert!(chinese.contains("消息语言"), "{chinese}");
    // Every option of the officer's subcommands is explained in Chinese (clap's own `--help`
    // line aside).
    for command in ["run", "report", "validate", "new", "build", "test", "diff", "pin"] {
        let help = stdout(&dudao_in(ZH, &root, &[command, "--help"]));
        let lines: Vec<&str> = help.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            let option = line.trim_start();
            // (`- text: …` lines list a format's values, still in English; `[default: …]` is clap's.)
            let value = option.starts_with("- ") || option.starts_with("[default") || option.starts_with("[possible");
            if !(option.starts_with('-') || option.starts_with('<') || option.starts_with('['))
                || value
                || option.contains("--help")
            {
                continue;
            }
            let described = format!("{line} {}", lines.get(at + 1).unwrap_or(&""));
            assert!(has_han(&described), "`{command} --help`: {line:?} is not explained in Chinese:\n{help}");
        }
    }
    let top = stdout(&dudao_in(ZH, &root, &["--help"]));
    assert!(top.contains("按指标包或评估方案的要求检查数据集"), "{top}");
    let english = stdout(&dudao_in(EN, &root, &["test", "--help"]));
    assert!(english.contains("Run a pack's test cases"), "{english}");
    assert!(english.contains("Exit status:\n  0  every case passed"), "{english}");
    assert!(!has_han(&english.replace("中文", "")), "{english}");
}

/// The county officer's path, from a new declarative pack to its passing cases, a pinned plan
/// and a diff: every line in the locale's language, each step naming the next.
#[test]
fn a_new_pack_is_created_built_tested_pinned_and_diffed_in_the_locales_language() {
    let root = support::root();
    for lang in [ZH, EN] {
        let zh = lang == ZH;
        let dir = tempfile::tempdir().expect("folder");
        let new = dudao_in(lang, dir.path(), &["new", "reading", "--county", "410825"]);
        assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));
        let text = stdout(&new);
        let (created, next) = if zh {
            ("已创建声明式指标包", "下一步：")
        } else {
            ("created declarative pack", "next steps:")
        };
        assert!(text.contains(created) && text.contains(next), "{text}");
        assert!(text.contains("dudao build reading.toml"), "{text}");

        let pack_dir = dir.path().join("reading");
        let build = dudao_in(lang, &pack_dir, &["build", "reading.toml"]);
        assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
        let (built, hint) = if zh {
            ("已构建指标包 `410825-reading`", "下一步：`dudao test")
        } else {
            ("built pack `410825-reading`", "next: `dudao test")
        };
        assert!(stdout(&build).contains(built), "{}", stdout(&build));
        assert!(stderr(&build).contains(hint), "{}", stderr(&build));

        let test = dudao_in(lang, &pack_dir, &["test", "target/packs/reading.wasm"]);
        assert_eq!(test.status.code(), Some(0), "{}{}", stdout(&test), stderr(&test));
        let text = stdout(&test);
        let words: &[&str] = if zh {
            &["测试指标包", "通过  ", "覆盖：", "个用例："]
        } else {
            &["testing pack", "PASS  ", "coverage:", "cases:"]
        };
        for word in words {
            assert!(text.contains(word), "{word:?} missing:\n{text}");
        }
        assert_eq!(has_han(&text.replace("温县", "").replace("阅读", "")), zh, "{text}");

        let module = pack_dir.join("target/packs/reading.wasm");
        let plan = dir.path().join("plan.toml");
        std::fs::write(
            &plan,
            format!(
                "id = \"t\"\ntitle = \"测试\"\nperiod = \"2026\"\nkind = \"special\"\n\n[[packs]]\npath = {:?}\nsha256 = \"{}\"\nscope = \"local\"\ncounty = \"410825\"\n",
                module.display().to_string(),
                "0".repeat(64)
            ),
        )
        .expect("plan");
        let check = dudao_in(lang, dir.path(), &["pin", "--check", "plan.toml"]);
        assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
        let (changed, rerun) = if zh {
            ("已变", "审核后运行 `dudao pin plan.toml` 记录")
        } else {
            ("changed", "run `dudao pin plan.toml` to record them")
        };
        assert!(stdout(&check).contains(changed) && stdout(&check).contains(rerun), "{}", stdout(&check));

        let diff = dudao_in(
            lang,
            &root,
            &[
                "diff",
                "--old",
                module.to_str().expect("path"),
                "--new",
                module.to_str().expect("path"),
                "--data",
                "rules/wat-example/cases/shortfall",
                "--format",
                "csv",
            ],
        );
        assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
        assert!(stderr(&diff).contains(if zh { "没有变化" } else { "nothing changed" }), "{}", stderr(&diff));
        // The readable impact report itself is in the locale's language.
        let module = module.to_str().expect("path");
        let data = "rules/wat-example/cases/shortfall";
        let diff = dudao_in(lang, &root, &["diff", "--old", module, "--new", module, "--data", data]);
        assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
        let report = stdout(&diff);
        let (manifest, results, foreign) = if zh {
            ("清单变化：", "结果变化：", "changes")
        } else {
            ("manifest changes:", "result changes:", "变化")
        };
        assert!(report.contains(manifest) && report.contains(results), "{report}");
        assert!(!report.contains(foreign), "{report}");
    }
}

/// Every `%{name}` of a message.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{").skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

fn entries(table: &toml::Table, prefix: &str, out: &mut Vec<(String, toml::Table)>) {
    for (key, value) in table {
        let Some(inner) = value.as_table() else { continue };
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        if inner.values().all(toml::Value::is_str) {
            out.push((name, inner.clone()));
        } else {
            entries(inner, &name, out);
        }
    }
}

#[test]
fn the_catalogue_has_every_message_in_both_languages_and_every_key_the_code_uses() {
    let root = support::root();
    let text = std::fs::read_to_string(root.join("host/cli/locales/cli.toml")).expect("catalogue");
    let catalogue: toml::Table = toml::from_str(&text).expect("the catalogue is TOML");
    let mut messages = Vec::new();
    entries(&catalogue, "", &mut messages);
    assert!(messages.len() > 150, "{} messages", messages.len());
    for (key, languages) in &messages {
        let languages: BTreeSet<&str> = languages.keys().map(String::as_str).collect();
        assert_eq!(languages, BTreeSet::from(["en", "zh"]), "{key}");
    }
    for (key, languages) in &messages {
        let en = placeholders(languages["en"].as_str().expect("text"));
        let zh = placeholders(languages["zh"].as_str().expect("text"));
        assert_eq!(en, zh, "{key}: the two languages take different placeholders");
        assert!(
            !has_han(
                languages["en"]
                    .as_str()
                    .expect("text")
                    .replace("督导", "")
                    .replace("填报模板", "")
                    .replace("中文", "")
                    .as_str()
            ) || key.starts_with("help.")
                || key.starts_with("arg."),
            "{key}: Chinese in the English text"
        );
    }
    let known: BTreeSet<&str> = messages.iter().map(|(key, _)| key.as_str()).collect();
    let mut sources = String::new();
    for file in std::fs::read_dir(root.join("host/cli/src")).expect("sources") {
        let path = file.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("source");
        // Every `t!("key", …)` (the key may be on the next line) names a catalogue entry.
        for (at, _) in source.match_indices("t!(") {
            if source[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `format!(`, `print!(`, …
            }
            let rest = source[at + 3..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else { continue };
            let key = literal.split('"').next().unwrap_or_default();
            assert!(known.contains(key), "{}: `{key}` is not in the catalogue", path.display());
        }
        sources.push_str(&source);
    }
    // And every entry is shown somewhere (`help.<subcommand>` and the options' `arg.…` are
    // looked up by name).
    let unused: Vec<&&str> = known
        .iter()
        .filter(|key| !key.starts_with("help.") && !key.starts_with("arg.") && !sources.contains(&format!("\"{key}\"")))
        .collect();
    assert!(unused.is_empty(), "messages no code shows: {unused:?}");
}
