//! Reports and the rectification loop: `dudao report` over the two fixture rounds (2026, then
//! 2027 with `--previous`), the HTML rendered in headless Chromium, the workbook read back,
//! snapshots of the Markdown report and the rectification list, and XLSX datasets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support;

const PACKS: [&str; 6] = [
    "rules/quality-balance",
    "rules/government-duty",
    "rules/school-supervision",
    "rules/quality-monitoring",
    "rules/local/wenxian-taiji",
    "rules/local/xiuwu-afterschool",
];

fn dudao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao")).args(args).current_dir(support::root()).output().expect("dudao runs")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = support::root().join("target/publish-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("output folder");
    dir
}

fn report(plan: &str, data: &str, out: &Path, extra: &[&str]) {
    for krate in PACKS {
        support::pack_path(krate);
    }
    let out_text = out.display().to_string();
    let mut args = vec!["report", "--plan", plan, "--data", data, "--out-dir", &out_text];
    args.extend_from_slice(extra);
    let output = dudao(&args);
    assert!(output.status.success(), "dudao report failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// The 2026 round's reports (written once per test run).
fn round_2026() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = out_dir("2026");
        report("fixtures/plans/jiaozuo-2026.toml", "fixtures/jiaozuo", &dir, &[]);
        dir
    })
}

/// The 2027 round's reports, following up the 2026 round.
fn round_2027() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let previous = round_2026().join("results.json").display().to_string();
        let dir = out_dir("2027");
        report("fixtures/plans/jiaozuo-2027.toml", "fixtures/jiaozuo-2027", &dir, &["--previous", &previous]);
        dir
    })
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("results.json")).expect("valid JSON")
}

/// The subject entry of `id` in a results.json.
fn subject<'a>(results: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    results["subjects"].as_array().expect("subjects").iter().find(|s| s["id"] == id).expect("subject present")
}

fn county_id(results: &serde_json::Value, name: &str) -> String {
    results["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .find(|s| s["level"] == "county" && s["name"] == name)
        .and_then(|s| s["id"].as_str())
        .expect("county present")
        .to_owned()
}

/// Not-met keys (`pack:subject:indicator`) of counties and schools, computed from the audit
/// record's results alone.
fn not_met_keys(results: &serde_json::Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for entry in results["subjects"].as_array().expect("subjects") {
        if entry["level"] != "county" && entry["level"] != "school" {
            continue;
        }
        for result in entry["results"].as_array().expect("results") {
            if result["status"] == "not_met" && result.get("rollup").is_none() {
                keys.insert(format!(
                    "{}:{}:{}",
                    result["pack"].as_str().expect("pack"),
                    entry["id"].as_str().expect("id"),
                    result["indicator"].as_str().expect("indicator")
                ));
            }
        }
    }
    keys
}

fn rounded(value: f64) -> String {
    dudao_publish::text::format_rounded(value)
}

#[test]
fn report_writes_every_file_and_the_rectification_section() {
    let dir = round_2026();
    for name in dudao_publish::report::FILES {
        let bytes = std::fs::read(dir.join(name)).expect(name);
        assert!(bytes.len() > 500, "{name} is only {} bytes", bytes.len());
    }
    let results = read_json(&dir.join("results.json"));
    let section = &results["rectification"];
    assert_eq!(section["round"], "jiaozuo-2026-comprehensive");
    assert_eq!(section["date"], "2026-11-29");
    let items = section["items"].as_array().expect("items");
    // Every not-met county and school result is an item, and nothing else is.
    let keys: BTreeSet<String> = items.iter().map(|item| item["key"].as_str().expect("key").to_owned()).collect();
    assert_eq!(keys, not_met_keys(&results));
    for item in items {
        assert_eq!(item["deadline"], "2027-02-27", "2026-11-29 + 90 days");
        assert_eq!(item["status"], "new");
        assert_eq!(item["id"], format!("jiaozuo-2026-comprehensive:{}", item["key"].as_str().expect("key")));
        if item["level"] == "school" {
            assert!(item["supervisor_name"].is_string(), "a school's county supervises it: {item}");
        }
    }
    assert!(items.iter().any(|item| item["local"] == true), "local packs' findings are listed, marked 地方");
    // The existing audit record is unchanged in front of the new section.
    let plain =
        dudao(&["run", "--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", "fixtures/jiaozuo", "--format", "json"]);
    let mut without = results.clone();
    without.as_object_mut().expect("object").remove("rectification");
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).expect("json");
    assert_eq!(without, plain);
    // Same inputs, same bytes.
    let again = out_dir("2026-again");
    report("fixtures/plans/jiaozuo-2026.toml", "fixtures/jiaozuo", &again, &[]);
    for name in dudao_publish::report::FILES {
        assert!(std::fs::read(dir.join(name)).ok() == std::fs::read(again.join(name)).ok(), "{name} differs");
    }
}

#[test]
fn markdown_report_and_rectification_list_snapshots() {
    let dir = round_2026();
    let markdown = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    insta::assert_snapshot!("report_2026_md", markdown);
    let csv = std::fs::read_to_string(dir.join("rectification.csv")).expect("rectification.csv");
    insta::assert_snapshot!("rectification_2026_csv", csv);
}

#[test]
fn a_date_is_required_and_checked() {
    let out = out_dir("no-date");
    let out = out.display().to_string();
    let pack = support::quality_balance().display().to_string();
    let output = dudao(&["report", "--pack", &pack, "--data", "fixtures/jiaozuo", "--out-dir", &out]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--date"));
    let output =
        dudao(&["report", "--pack", &pack, "--data", "fixtures/jiaozuo", "--out-dir", &out, "--date", "2026-02-30"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2026-02-30"));
    let output =
        dudao(&["report", "--pack", &pack, "--data", "fixtures/jiaozuo", "--out-dir", &out, "--date", "2026-03-01"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn public_version_leaves_out_not_public_indicators() {
    let dir = out_dir("2026-public");
    report("fixtures/plans/jiaozuo-2026.toml", "fixtures/jiaozuo", &dir, &["--public"]);
    assert!(!dir.join("results.json").exists(), "the audit record is internal");
    let internal = std::fs::read_to_string(round_2026().join("report.md")).expect("internal");
    let public = std::fs::read_to_string(dir.join("report.md")).expect("public");
    assert!(internal.contains("ss.management.self_assessment_gap"));
    assert!(!public.contains("| ss.management.self_assessment_gap |"));
    assert!(!public.contains("gd.teachers.salary_parity |"));
    assert!(public.contains("公开版"));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    assert!(html.contains("id=\"public-notice\""));
}

#[test]
fn followup_across_the_two_fixture_rounds() {
    let before = read_json(&round_2026().join("results.json"));
    let after = read_json(&round_2027().join("results.json"));
    let (old, new) = (not_met_keys(&before), not_met_keys(&after));
    let fixed = old.difference(&new).count();
    let still_open = old.intersection(&new).count();
    assert!(
        fixed > 0 && still_open > 0,
        "the 2027 fixture fixes some findings and leaves others: {fixed} {still_open}"
    );
    // Units with a finding still open: every 2026 deadline (2027-02-27) has passed by 2027-11-29.
    let units_open: BTreeSet<String> = {
        let items = after["rectification"]["items"].as_array().expect("items");
        items
            .iter()
            .filter(|item| old.contains(item["key"].as_str().expect("key")))
            .map(|item| item["unit_id"].as_str().expect("unit").to_owned())
            .collect()
    };
    let section = &after["rectification"];
    let followup = &section["followup"];
    assert_eq!(followup["previous_round"], "jiaozuo-2026-comprehensive");
    assert_eq!(followup["fixed"].as_array().expect("fixed").len(), fixed);
    assert_eq!(followup["still_open"].as_array().expect("open").len(), still_open);
    let orders = section["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), units_open.len());
    assert_eq!(orders[0]["number"], "督办〔2027〕1号");
    let overdue: usize = orders.iter().map(|order| order["items"].as_array().expect("items").len()).sum();
    assert_eq!(overdue, still_open);
    for item in section["items"].as_array().expect("items") {
        let carried = old.contains(item["key"].as_str().expect("key"));
        assert_eq!(item["status"], if carried { "overdue" } else { "new" });
        if carried {
            assert_eq!(item["deadline"], "2027-02-27", "a carried item keeps its first deadline");
            assert!(item["id"].as_str().expect("id").starts_with("jiaozuo-2026-comprehensive:"));
        }
    }
    // Every unit with an overdue item is recommended for accountability.
    let accountable: BTreeSet<&str> =
        section["accountability"].as_array().expect("list").iter().filter_map(|unit| unit["id"].as_str()).collect();
    for unit in &units_open {
        assert!(accountable.contains(unit.as_str()), "{unit} has overdue items");
    }
    // Exemption: two consecutive rounds graded 优秀.
    let history = section["grade_history"].as_array().expect("history");
    let mut expected = Vec::new();
    for entry in history {
        let grades: Vec<&str> =
            entry["grades"].as_array().expect("grades").iter().filter_map(|g| g["grade"].as_str()).collect();
        if grades.len() == 2 && grades.iter().all(|grade| *grade == "优秀") {
            expected.push(entry["id"].as_str().expect("id"));
        }
    }
    let exempt: Vec<&str> =
        section["exemption"].as_array().expect("exemption").iter().filter_map(|u| u["id"].as_str()).collect();
    assert_eq!(exempt, expected);
    // The reports say so too.
    let markdown = std::fs::read_to_string(round_2027().join("report.md")).expect("md");
    assert!(markdown.contains(&format!("已整改 {fixed} 项，回头看未整改 {still_open} 项，督办单 {} 份", orders.len())));
    let html = std::fs::read_to_string(round_2027().join("report.html")).expect("html");
    assert!(html.contains(&format!("<b id=\"fixed-count\">{fixed}</b>")));
    assert!(html.contains(&format!("<b id=\"orders-count\">{}</b>", orders.len())));
    let mut workbook: Xlsx<_> = open_workbook(round_2027().join("report.xlsx")).expect("xlsx");
    let sheet = workbook.worksheet_range("督办单").expect("督办单 sheet");
    assert_eq!(sheet.height(), orders.len() + 1);
}

#[test]
fn workbook_has_a_sheet_per_level_and_the_rectification_list() {
    let dir = round_2026();
    let results = read_json(&dir.join("results.json"));
    let mut workbook: Xlsx<_> = open_workbook(dir.join("report.xlsx")).expect("xlsx");
    let names = workbook.sheet_names();
    for name in ["总览", "县", "督学责任区", "学校", "整改清单"] {
        assert!(names.iter().any(|sheet| sheet == name), "sheet {name} in {names:?}");
    }
    // 马村区's overall grade and score in the overview.
    let machun = county_id(&results, "马村区");
    let overall = &subject(&results, &machun)["overall"];
    let overview = workbook.worksheet_range("总览").expect("总览");
    let header: Vec<String> = overview.rows().next().expect("header").iter().map(ToString::to_string).collect();
    let grade_column = header.iter().position(|name| name == "综合等级").expect("grade column");
    let total_column = header.iter().position(|name| name == "综合得分").expect("total column");
    let row = overview.rows().find(|row| row[0] == Data::String(machun.clone())).expect("马村区 row");
    assert_eq!(row[grade_column], Data::String(overall["grade"].as_str().expect("grade").to_owned()));
    assert_eq!(row[total_column], Data::Float(overall["total"].as_f64().expect("total")), "numbers are numbers");
    // The rectification list holds every item.
    let list = workbook.worksheet_range("整改清单").expect("整改清单");
    assert_eq!(list.height(), results["rectification"]["items"].as_array().expect("items").len() + 1);
    // Not-met cells are filled: the fill colour is in the workbook's styles.
    let bytes = std::fs::read(dir.join("report.xlsx")).expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let school_sheet = workbook.worksheet_range("学校").expect("学校");
    let status = school_sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .position(|c| *c == Data::String("状态".to_owned()))
        .expect("状态");
    assert!(school_sheet.rows().skip(1).any(|row| row[status] == Data::String("未达标".to_owned())));
}

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("/usr/bin/chromium is missing; CI must install it (apt-get install -y chromium)");
    }
    eprintln!("\n!!!!! SKIPPED: /usr/bin/chromium is missing; the HTML report was not rendered !!!!!\n");
    None
}

fn chromium_command(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = round_2026();
    let results = read_json(&dir.join("results.json"));
    let html_path = dir.join("report.html");
    let html = std::fs::read_to_string(&html_path).expect("html");
    for fetch in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(fetch), "nothing is fetched: {fetch}");
    }
    assert!(!html.contains("<script"), "no scripts");
    let url = format!("file://{}", html_path.display());
    let profile = tempfile::tempdir().expect("profile");
    let started = Instant::now();
    let output =
        chromium_command(&chromium, profile.path()).arg("--dump-dom").arg(&url).output().expect("chromium runs");
    eprintln!("chromium --dump-dom took {:?}", started.elapsed());
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("<svg"), "chromium rendered no DOM: {}", String::from_utf8_lossy(&output.stderr));

    // 马村区's overall score and grade.
    let machun = county_id(&results, "马村区");
    let overall = &subject(&results, &machun)["overall"];
    let total = rounded(overall["total"].as_f64().expect("total"));
    let grade = overall["grade"].as_str().expect("grade");
    assert!(
        dom.contains(&format!(r#"id="overall-{machun}-total" data-value="{total}">{total}</td>"#)),
        "马村区 total {total}"
    );
    assert!(dom.contains(&format!(r#"id="overall-{machun}-grade" data-grade="{grade}">{grade}</td>"#)), "马村区 grade");

    // A coefficient of variation of 武陟县 with its limit.
    let wuzhi = county_id(&results, "武陟县");
    let cv = subject(&results, &wuzhi)["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|result| result["indicator"].as_str().is_some_and(|id| id.split(['.', '_']).any(|part| part == "cv")))
        .expect("a CV result for 武陟县");
    let indicator = cv["indicator"].as_str().expect("id");
    let value = rounded(cv["value"].as_f64().expect("value"));
    let slug: String = format!("{wuzhi}-{wuzhi}-{indicator}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' })
        .collect();
    let row_start = dom.find(&format!("id=\"ind-{slug}\"")).expect("武陟县's CV row");
    let row = &dom[row_start..row_start + dom[row_start..].find("</tr>").expect("row end")];
    assert!(row.contains(&format!("data-value=\"{value}\"")), "CV value {value} in {row}");
    assert!(row.contains("≤ "), "the CV's limit is shown: {row}");
    let chart_id: String =
        indicator.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect();
    let chart_start = dom.find(&format!("id=\"chart-cv-{chart_id}\"")).expect("CV chart");
    let chart = &dom[chart_start..chart_start + dom[chart_start..].find("</svg>").expect("svg end")];
    assert!(chart.contains(&format!("data-value=\"{value}\"")), "武陟县's bar in the CV chart");
    assert!(chart.contains("class=\"limit\""), "the limit line");

    // The charts.
    assert!(dom.contains("id=\"chart-grades\""), "grade distribution");
    assert!(dom.matches("id=\"chart-dims-").count() >= 1, "dimension scores");

    // A screenshot of the first A4 page.
    let png = profile.path().join("report.png");
    let started = Instant::now();
    let output = chromium_command(&chromium, profile.path())
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1240,1754")
        .arg(&url)
        .output()
        .expect("chromium runs");
    eprintln!("chromium --screenshot took {:?}", started.elapsed());
    let bytes =
        std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    assert!(bytes.len() > 20_000, "the screenshot is non-trivial: {} bytes", bytes.len());
}

/// Converts a CSV dataset folder into one workbook: numbers that read back exactly as numbers,
/// `true`/`false` as booleans, the rest as text.
fn workbook_of(folder: &Path, out: &Path, chinese: bool, bad: Option<(&str, usize, &str, &str)>) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (table, sheet_name) in [("cities", "市"), ("counties", "县"), ("zones", "督学责任区"), ("schools", "学校")]
    {
        let path = folder.join(format!("{table}.csv"));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let sheet = workbook.add_worksheet();
        sheet.set_name(if chinese { sheet_name } else { table }).expect("name");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let mut header: Vec<String> = Vec::new();
        for (row, record) in reader.records().enumerate() {
            let record = record.expect("csv");
            if row == 0 {
                header = record.iter().map(str::to_owned).collect();
            }
            for (column, cell) in record.iter().enumerate() {
                let cell = match bad {
                    Some((bad_table, bad_row, bad_column, value))
                        if bad_table == table && bad_row == row + 1 && header[column] == bad_column =>
                    {
                        value
                    }
                    _ => cell,
                };
                let (r, c) = (row as u32, column as u16);
                let number = cell.parse::<f64>().ok().filter(|n| format!("{n}") == cell && row > 0);
                match (cell, number) {
                    ("", _) => {}
                    ("true", _) if row > 0 => {
                        sheet.write_boolean(r, c, true).expect("cell");
                    }
                    ("false", _) if row > 0 => {
                        sheet.write_boolean(r, c, false).expect("cell");
                    }
                    (_, Some(number)) => {
                        sheet.write_number(r, c, number).expect("cell");
                    }
                    (text, None) => {
                        sheet.write_string(r, c, text).expect("cell");
                    }
                }
            }
        }
    }
    workbook.save(out).expect("workbook");
}

#[test]
fn an_xlsx_dataset_gives_the_same_results_as_the_csv_folder() {
    for krate in PACKS {
        support::pack_path(krate);
    }
    let dir = out_dir("xlsx-in");
    for chinese in [false, true] {
        let book = dir.join(if chinese { "jiaozuo-zh.xlsx" } else { "jiaozuo.xlsx" });
        workbook_of(&support::root().join("fixtures/jiaozuo"), &book, chinese, None);
        let book = book.display().to_string();
        let plan = "fixtures/plans/jiaozuo-2026.toml";
        let from_csv = dudao(&["run", "--plan", plan, "--data", "fixtures/jiaozuo", "--format", "csv"]);
        let from_xlsx = dudao(&["run", "--plan", plan, "--data", &book, "--format", "csv"]);
        assert!(from_xlsx.status.success(), "{}", String::from_utf8_lossy(&from_xlsx.stderr));
        assert!(from_csv.stdout == from_xlsx.stdout, "results differ between CSV and XLSX datasets");
        assert!(from_csv.stdout.len() > 10_000);
        let json = dudao(&["run", "--plan", plan, "--data", &book, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
        assert_eq!(json["dataset"]["format"], "xlsx");
        let digest = dudao_engine::pack::sha256_hex(&std::fs::read(&book).expect("book"));
        assert_eq!(json["dataset"]["sha256"], digest.as_str(), "the dataset digest is the file's");
    }
}

#[test]
fn a_bad_xlsx_cell_is_named_by_sheet_row_column_and_value() {
    let dir = out_dir("xlsx-bad");
    let book = dir.join("data.xlsx");
    // Row 5 of the schools sheet (the fourth school), a number column.
    workbook_of(
        &support::root().join("fixtures/jiaozuo"),
        &book,
        false,
        Some(("schools", 5, "qualified_teachers", "很多")),
    );
    let book = book.display().to_string();
    let output = dudao(&["run", "--pack", &support::quality_balance().display().to_string(), "--data", &book]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("data.xlsx (schools)"), "{stderr}");
    assert!(stderr.contains("row 5"), "{stderr}");
    assert!(stderr.contains("qualified_teachers"), "{stderr}");
    assert!(stderr.contains("很多"), "{stderr}");
}
