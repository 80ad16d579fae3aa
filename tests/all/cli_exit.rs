//! Exit statuses: every status a subcommand's `--help` footer lists is reached by one
//! invocation here, and the footer lists no other; `diff`, `test` and `pin --check` follow
//! GNU `diff` (0 same, 1 changed, 2 trouble — an unwritable output included).

use std::collections::BTreeSet;
use std::path::Path;

use crate::cli_lang::{EN, dudao_in};
use crate::support;

const WAT: &str = "rules/wat-example/pack.wat";
const SHORTFALL: &str = "rules/wat-example/cases/shortfall";

/// The statuses a subcommand's English `--help` footer lists.
fn documented(command: &str) -> BTreeSet<i32> {
    let help = dudao_in(EN, &support::root(), &[command, "--help"]);
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    let footer =
        text.split("Exit status:").nth(1).unwrap_or_else(|| panic!("`{command} --help` has no footer:\n{text}"));
    footer.lines().filter_map(|line| line.split_whitespace().next().and_then(|code| code.parse().ok())).collect()
}

fn path(path: &Path) -> String {
    path.to_str().expect("UTF-8 path").to_owned()
}

#[test]
fn every_documented_exit_status_is_reachable_and_the_footers_list_no_other() {
    let root = support::root();
    let scratch = tempfile::tempdir().expect("folder");
    let dir = scratch.path();
    // A regular file, so that anything written "inside" it fails.
    let file = dir.join("a-file");
    std::fs::write(&file, "not a folder").expect("file");
    let unwritable = path(&file.join("out.csv"));
    let hostile = path(&support::hostile());
    let panicking = support::schools_dataset(&[("ok1", 5), ("panic1", 1)]);
    let panicking = path(panicking.path());
    // A copy of the example pack that needs one backbone teacher per 50 students, not 100.
    let stricter = dir.join("stricter.wat");
    let text = std::fs::read_to_string(root.join(WAT)).expect("pack text");
    std::fs::write(
        &stricter,
        text.replace(
            "(i64.const 99))\n                            (i64.const 100))",
            "(i64.const 49))\n                            (i64.const 50))",
        ),
    )
    .expect("copy");
    let stricter = path(&stricter);
    // The example's cases, one of them now expecting a wrong value.
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("shortfall")).expect("cases");
    for name in ["counties.csv", "schools.csv", "expected.csv"] {
        std::fs::copy(root.join(SHORTFALL).join(name), cases.join("shortfall").join(name)).expect("copy");
    }
    let expected = cases.join("shortfall/expected.csv");
    let wrong = std::fs::read_to_string(&expected).expect("expected").replace(",1,not_met", ",7,not_met");
    std::fs::write(&expected, wrong).expect("write");
    let cases = path(&cases);
    // A plan with a stale pin.
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "id = \"t\"\ntitle = \"测试\"\nperiod = \"2026\"\nkind = \"special\"\n\n[[packs]]\npath = {:?}\nsha256 = \"{}\"\nscope = \"standard\"\n",
            path(&root.join(WAT)),
            "0".repeat(64)
        ),
    )
    .expect("plan");
    let plan = path(&plan);
    let out = |name: &str| path(&dir.join(name));

    let invocations: Vec<(&str, i32, Vec<String>)> = vec![
        ("inspect", 0, vec!["inspect".into(), WAT.into()]),
        ("inspect", 2, vec!["inspect".into(), "no-such.wasm".into()]),
        ("check", 0, vec!["check".into(), WAT.into()]),
        ("check", 2, vec!["check".into(), "no-such.wasm".into()]),
        ("run", 0, vec!["run".into(), "--pack".into(), WAT.into(), "--data".into(), SHORTFALL.into()]),
        (
            "run",
            1,
            vec![
                "run".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "-o".into(),
                unwritable.clone(),
            ],
        ),
        ("run", 2, vec!["run".into(), "--pack".into(), "no-such.wasm".into(), "--data".into(), SHORTFALL.into()]),
        (
            "run",
            3,
            vec![
                "run".into(),
                "--pack".into(),
                hostile.clone(),
                "--data".into(),
                panicking.clone(),
                "--format".into(),
                "csv".into(),
            ],
        ),
        ("validate", 0, vec!["validate".into(), "--pack".into(), WAT.into(), "--data".into(), SHORTFALL.into()]),
        ("validate", 2, vec!["validate".into(), "--pack".into(), WAT.into(), "--data".into(), "no-such-data".into()]),
        ("template", 0, vec!["template".into(), "--pack".into(), WAT.into(), "-o".into(), out("template.xlsx")]),
        ("template", 1, vec!["template".into(), "--pack".into(), WAT.into(), "-o".into(), path(&file.join("t.xlsx"))]),
        ("template", 2, vec!["template".into(), "--pack".into(), "no-such.wasm".into(), "-o".into(), out("t.xlsx")]),
        (
            "build",
            0,
            vec!["build".into(), "rules/local/declarative/taiji/taiji.toml".into(), "--out-dir".into(), out("built")],
        ),
        ("build", 2, vec!["build".into(), "fixtures".into()]),
        (
            "report",
            0,
            vec![
                "report".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "--date".into(),
                "2026-06-30".into(),
                "--out-dir".into(),
                out("report"),
            ],
        ),
        (
            "report",
            1,
            vec![
                "report".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "--date".into(),
                "2026-06-30".into(),
                "--out-dir".into(),
                path(&file),
            ],
        ),
        (
            "report",
            2,
            vec![
                "report".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "--date".into(),
                "2026-02-30".into(),
                "--out-dir".into(),
                out("report"),
            ],
        ),
        (
            "report",
            3,
            vec![
                "report".into(),
                "--pack".into(),
                hostile.clone(),
                "--data".into(),
                panicking.clone(),
                "--date".into(),
                "2026-06-30".into(),
                "--out-dir".into(),
                out("report-3"),
            ],
        ),
        ("pin", 1, vec!["pin".into(), "--check".into(), plan.clone()]),
        ("pin", 0, vec!["pin".into(), plan.clone()]),
        ("pin", 2, vec!["pin".into(), "no-such-plan.toml".into()]),
        ("new", 0, vec!["new".into(), "reading".into(), "--dir".into(), out("new")]),
        ("new", 1, vec!["new".into(), "reading".into(), "--dir".into(), path(&file.join("sub"))]),
        ("new", 2, vec!["new".into(), "Reading_Room".into()]),
        ("test", 0, vec!["test".into(), WAT.into()]),
        ("test", 1, vec!["test".into(), WAT.into(), "--cases".into(), cases.clone()]),
        ("test", 2, vec!["test".into(), WAT.into(), "--case".into(), "no-such-case".into()]),
        (
            "explain",
            0,
            vec![
                "explain".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "--subject".into(),
                "4108250002".into(),
            ],
        ),
        (
            "explain",
            2,
            vec![
                "explain".into(),
                "--pack".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
                "--subject".into(),
                "no-such-school".into(),
            ],
        ),
        (
            "diff",
            0,
            vec![
                "diff".into(),
                "--old".into(),
                WAT.into(),
                "--new".into(),
                WAT.into(),
                "--data".into(),
                SHORTFALL.into(),
            ],
        ),
        (
            "diff",
            1,
            vec![
                "diff".into(),
                "--old".into(),
                WAT.into(),
                "--new".into(),
                stricter.clone(),
                "--data".into(),
                SHORTFALL.into(),
            ],
        ),
        (
            "diff",
            2,
            vec![
                "diff".into(),
                "--old".into(),
                WAT.into(),
                "--new".into(),
                "no-such.wasm".into(),
                "--data".into(),
                SHORTFALL.into(),
            ],
        ),
    ];

    let commands: BTreeSet<&str> = invocations.iter().map(|(command, _, _)| *command).collect();
    for command in &commands {
        let reached: BTreeSet<i32> =
            invocations.iter().filter(|(name, _, _)| name == command).map(|(_, code, _)| *code).collect();
        assert_eq!(documented(command), reached, "`dudao {command} --help` lists other statuses than those reached");
    }
    for (command, code, args) in &invocations {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = dudao_in(EN, &root, &args);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "dudao {}\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let _ = command;
    }
}

#[test]
fn diff_exits_like_gnu_diff_and_trouble_is_never_1() {
    let root = support::root();
    let dir = tempfile::tempdir().expect("folder");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("file");
    // Nothing changed, but the report cannot be written: trouble (2), not "changed" (1).
    let output = dudao_in(
        EN,
        &root,
        &["diff", "--old", WAT, "--new", WAT, "--data", SHORTFALL, "-o", &path(&file.join("diff.txt"))],
    );
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot write"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Two different packs: trouble.
    let output = dudao_in(
        EN,
        &root,
        &["diff", "--old", WAT, "--new", "rules/local/declarative/taiji/taiji.toml", "--data", SHORTFALL],
    );
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("diff compares two versions of the same pack"));
    // The format vocabulary is one: `text` (and the old `table`) for people, `json`, `csv`.
    for format in ["text", "table", "json", "csv"] {
        let output =
            dudao_in(EN, &root, &["diff", "--old", WAT, "--new", WAT, "--data", SHORTFALL, "--format", format]);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let output = dudao_in(EN, &root, &["run", "--pack", WAT, "--data", SHORTFALL, "--format", "text"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn test_case_runs_only_the_named_cases_and_a_misspelt_name_is_trouble() {
    let root = support::root();
    let one = dudao_in(EN, &root, &["test", WAT, "--case", "shortfall"]);
    assert_eq!(one.status.code(), Some(0), "{}", String::from_utf8_lossy(&one.stderr));
    let text = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(text.contains("with 1 cases") && text.contains("PASS  shortfall"), "{text}");
    assert!(!text.contains("json-dataset"), "{text}");
    assert!(text.contains("1 cases: 1 passed, 0 failed, 0 broken"), "{text}");

    let both = dudao_in(EN, &root, &["test", WAT, "--case", "json-dataset", "--case", "shortfall", "--format", "json"]);
    assert_eq!(both.status.code(), Some(0), "{}", String::from_utf8_lossy(&both.stderr));
    let record: serde_json::Value = serde_json::from_slice(&both.stdout).expect("JSON");
    let names: Vec<&str> =
        record["cases"].as_array().expect("cases").iter().filter_map(|case| case["name"].as_str()).collect();
    assert_eq!(names, ["json-dataset", "shortfall"]);

    // Only the failing case's folder is named: the other case is not run, so this fails (1);
    // the passing one alone passes (0) although its neighbour would fail.
    let dir = tempfile::tempdir().expect("folder");
    for (case, wrong) in [("good", false), ("bad", true)] {
        let folder = dir.path().join(case);
        std::fs::create_dir_all(&folder).expect("case");
        for name in ["counties.csv", "schools.csv", "expected.csv"] {
            std::fs::copy(root.join(SHORTFALL).join(name), folder.join(name)).expect("copy");
        }
        if wrong {
            let expected = folder.join("expected.csv");
            let text = std::fs::read_to_string(&expected).expect("read").replace(",2,not_met", ",5,not_met");
            std::fs::write(&expected, text).expect("write");
        }
    }
    let cases = path(dir.path());
    let good = dudao_in(EN, &root, &["test", WAT, "--cases", &cases, "--case", "good"]);
    assert_eq!(good.status.code(), Some(0), "{}", String::from_utf8_lossy(&good.stdout));
    let bad = dudao_in(EN, &root, &["test", WAT, "--cases", &cases, "--case", "bad"]);
    assert_eq!(bad.status.code(), Some(1), "{}", String::from_utf8_lossy(&bad.stdout));
    let bad = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert!(bad.contains("FAIL  bad") && !bad.contains("good"), "{bad}");
    assert!(bad.contains("--accept"), "a failing run says how to accept new results:\n{bad}");
    let missing = dudao_in(EN, &root, &["test", WAT, "--cases", &cases, "--case", "god"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("there is no case `god`"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("it has: bad, good"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

/// `dudao test --watch` as a user runs it: the cases run, a case file is edited, and they run
/// again with the new result — waited for by reading the output, with a generous bound only
/// against hanging forever (no timing is asserted).
#[test]
fn test_watch_runs_the_cases_again_when_a_case_changes() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let root = support::root();
    let dir = tempfile::tempdir().expect("folder");
    let folder = dir.path().join("shortfall");
    std::fs::create_dir_all(&folder).expect("case");
    for name in ["counties.csv", "schools.csv", "expected.csv"] {
        std::fs::copy(root.join(SHORTFALL).join(name), folder.join(name)).expect("copy");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(["test", WAT, "--cases", &path(dir.path()), "--watch"])
        .current_dir(&root)
        .env("LANG", EN)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dudao runs");
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let bound = std::time::Duration::from_secs(120);
    let wait_for = |wanted: &str| -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match received.recv_timeout(bound) {
                Ok(line) => {
                    let done = line.contains(wanted);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => return seen,
            }
        }
    };
    let first = wait_for("cases: ");
    assert!(first.iter().any(|line| line.contains("1 cases: 1 passed, 0 failed")), "{first:?}");
    // The watcher is set up after the first run's report; give a second report a reason.
    let expected = folder.join("expected.csv");
    let mut second = Vec::new();
    for attempt in 0..20 {
        let text = std::fs::read_to_string(&expected).expect("read");
        std::fs::write(&expected, text.replace(",2,not_met", ",5,not_met")).expect("write");
        second = wait_for_short(&received, "cases: ");
        if !second.is_empty() || attempt == 19 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(second.iter().any(|line| line.contains("FAIL  shortfall")), "{second:?}");
    assert!(second.iter().any(|line| line.contains("1 cases: 0 passed, 1 failed")), "{second:?}");
}

/// Lines up to one containing `wanted`, or none if nothing comes for a few seconds (the
/// change may have been made before the watcher started; the caller makes it again).
fn wait_for_short(received: &std::sync::mpsc::Receiver<String>, wanted: &str) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(line) = received.recv_timeout(std::time::Duration::from_secs(if seen.is_empty() { 5 } else { 60 })) {
        let done = line.contains(wanted);
        seen.push(line);
        if done {
            return seen;
        }
    }
    if seen.iter().any(|line| line.contains(wanted)) { seen } else { Vec::new() }
}
