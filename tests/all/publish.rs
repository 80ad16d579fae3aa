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
    // The county documents too (the DOCX with its charts added to the packed archive).
    let mut county_files = 0;
    for entry in std::fs::read_dir(dir.join("counties")).expect("counties") {
        let name = entry.expect("entry").file_name();
        let name = Path::new("counties").join(name);
        county_files += 1;
        assert!(
            std::fs::read(dir.join(&name)).ok() == std::fs::read(again.join(&name)).ok(),
            "{} differs",
            name.display()
        );
    }
    assert!(county_files >= 20, "{county_files} county documents");
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
    let county_docs = |dir: &Path| -> String {
        let mut all = String::new();
        for path in county_html(dir) {
            all.push_str(&std::fs::read_to_string(path).expect("county"));
        }
        all
    };
    let (internal, public) = (county_docs(round_2026()), county_docs(&dir));
    assert!(internal.contains("data-indicator=\"gd.teachers.salary_parity\""));
    assert!(!public.contains("data-indicator=\"gd.teachers.salary_parity\""));
    let markdown = std::fs::read_to_string(dir.join("report.md")).expect("public");
    assert!(markdown.contains("公开版"));
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
    // Exemption: two consecutive rounds graded 优秀, unless accountable.
    check_exemption_rule(section, 2);
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
    let shown = format!("{}", (overall["total"].as_f64().expect("total") * 100.0).round() / 100.0);
    let grade = overall["grade"].as_str().expect("grade");
    assert!(
        dom.contains(&format!(r#"id="overall-{machun}-total" data-value="{total}">{shown}</td>"#)),
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
    let county_url = format!("file://{}", dir.join("counties").join(format!("{wuzhi}-武陟县.html")).display());
    let county_dom =
        chromium_command(&chromium, profile.path()).arg("--dump-dom").arg(&county_url).output().expect("chromium runs");
    let county_dom = String::from_utf8_lossy(&county_dom.stdout);
    let row_start = county_dom.find(&format!("id=\"ind-{slug}\"")).expect("武陟县's CV row in its report");
    let row = &county_dom[row_start..row_start + county_dom[row_start..].find("</tr>").expect("row end")];
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

/// The HTML documents of the county folder of a report run, sorted.
fn county_html(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("counties"))
        .expect("counties")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    paths.sort();
    paths
}

// ---- Regression tests of issue 10's findings 1–7 ------------------------------------------

/// `dudao report` expected to fail with exit 2 and a message containing `needle`.
fn refused(plan: &str, data: &str, previous: &Path, needle: &str) {
    let out = out_dir(&format!("refused-{}", previous.file_name().and_then(|n| n.to_str()).unwrap_or("x")));
    let out_text = out.display().to_string();
    let previous_text = previous.display().to_string();
    let output =
        dudao(&["report", "--plan", plan, "--data", data, "--out-dir", &out_text, "--previous", &previous_text]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "refused with exit 2: {stderr}");
    assert!(stderr.contains(needle), "the error says `{needle}`: {stderr}");
    assert!(stderr.contains(&previous_text), "the error names the file: {stderr}");
    assert!(!out.join("results.json").exists() && !out.join("report.html").exists(), "nothing is written");
}

/// A copy of the 2026 record with its `rectification` section changed by `edit`.
fn edited_2026(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut record = read_json(&round_2026().join("results.json"));
    edit(&mut record["rectification"]);
    let path = out_dir(&format!("edited-{name}")).join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string(&record).expect("json")).expect("write");
    path
}

#[test]
fn finding_1_previous_must_be_an_earlier_round_of_the_same_family_over_the_same_units() {
    let (plan_2026, plan_2027) = ("fixtures/plans/jiaozuo-2026.toml", "fixtures/plans/jiaozuo-2027.toml");
    // The same round, and a later one, fed back as 上一轮.
    refused(plan_2026, "fixtures/jiaozuo", &round_2026().join("results.json"), "它就是本轮");
    refused(plan_2026, "fixtures/jiaozuo", &round_2027().join("results.json"), "不早于本轮日期 2026-11-29");
    // Another family of rounds.
    let other = edited_2026("family", |section| section["family"] = "jiaozuo-special".into());
    refused(plan_2027, "fixtures/jiaozuo-2027", &other, "督导系列");
    // Other units.
    let fewer = edited_2026("units", |section| {
        section["counties"].as_array_mut().expect("counties").remove(0);
    });
    refused(plan_2027, "fixtures/jiaozuo-2027", &fewer, "县级单位与本轮数据不同");
    // A record that does not say its family cannot be checked, so it is refused too.
    let unnamed = edited_2026("unnamed", |section| {
        section.as_object_mut().expect("object").remove("family");
    });
    refused(plan_2027, "fixtures/jiaozuo-2027", &unnamed, "没有记录督导系列");
}

/// Exemption and accountability of a round's record: disjoint, and exemption is exactly the
/// units with `rounds` top grades in a row that are not on the accountability list.
fn check_exemption_rule(section: &serde_json::Value, rounds: usize) -> (BTreeSet<String>, BTreeSet<String>) {
    let ids = |key: &str| -> BTreeSet<String> {
        section[key].as_array().expect(key).iter().map(|u| u["id"].as_str().expect("id").to_owned()).collect()
    };
    let (exempt, accountable) = (ids("exemption"), ids("accountability"));
    assert!(exempt.is_disjoint(&accountable), "accountability wins: {:?}", exempt.intersection(&accountable));
    let mut streaked = BTreeSet::new();
    for entry in section["grade_history"].as_array().expect("history") {
        let grades: Vec<Option<&str>> =
            entry["grades"].as_array().expect("grades").iter().map(|g| g["grade"].as_str()).collect();
        if grades.len() >= rounds && grades[grades.len() - rounds..].iter().all(|grade| *grade == Some("优秀")) {
            streaked.insert(entry["id"].as_str().expect("id").to_owned());
        }
    }
    let expected: BTreeSet<String> = streaked.difference(&accountable).cloned().collect();
    assert_eq!(exempt, expected);
    let both: BTreeSet<&String> = streaked.intersection(&accountable).collect();
    (exempt, both.into_iter().cloned().collect())
}

/// A third round, by hand: the 2027 plan re-dated 2028 over the 2027 data (nothing more is
/// fixed), following up the 2027 round.
fn round_2028() -> PathBuf {
    let dir = out_dir("2028");
    let root = support::root();
    let plan = std::fs::read_to_string(root.join("fixtures/plans/jiaozuo-2027.toml"))
        .expect("plan")
        .replace("jiaozuo-2027-comprehensive", "jiaozuo-2028-comprehensive")
        .replace("2027年度", "2028年度")
        .replace("period = \"2027\"", "period = \"2028\"")
        .replace("date = \"2027-11-29\"", "date = \"2028-11-29\"")
        .replace("\"../../target/packs/", &format!("\"{}/target/packs/", root.display()))
        .replace(
            "previous_data = \"../jiaozuo\"",
            &format!("previous_data = \"{}/fixtures/jiaozuo-2027\"", root.display()),
        );
    assert!(plan.contains("2028-11-29") && plan.contains(&format!("{}/target/packs/", root.display())));
    let plan_path = dir.join("jiaozuo-2028.toml");
    std::fs::write(&plan_path, plan).expect("plan");
    let out = dir.join("out");
    let previous = round_2027().join("results.json").display().to_string();
    report(&plan_path.display().to_string(), "fixtures/jiaozuo-2027", &out, &["--previous", &previous]);
    out
}

#[test]
fn finding_2_exemption_and_accountability_are_mutually_exclusive_accountability_wins() {
    let after = read_json(&round_2027().join("results.json"));
    let (_, both) = check_exemption_rule(&after["rectification"], 2);
    assert!(!both.is_empty(), "the 2027 fixture has units graded 优秀 twice that have overdue items or a veto");
    let html = std::fs::read_to_string(round_2027().join("report.html")).expect("html");
    let exemption = &html[html.find("id=\"exemption\"").expect("exemption")..];
    let exemption = &exemption[..exemption.find("</p>").expect("end")];
    let listed: BTreeSet<&str> =
        exemption.rsplit('：').next().expect("list").trim_end_matches('。').split('、').collect();
    for id in &both {
        let name = subject(&after, id)["name"].as_str().expect("name").to_owned();
        assert!(!listed.contains(name.as_str()), "{name} is accountable, not exempt");
    }
    // The third round: every 2027 finding still open is overdue now, and the rule holds.
    let third = read_json(&round_2028().join("results.json"));
    let section = &third["rectification"];
    assert_eq!(section["followup"]["previous_round"], "jiaozuo-2027-comprehensive");
    for item in section["items"].as_array().expect("items") {
        assert_eq!(item["status"], "overdue", "nothing was fixed after 2027: {}", item["id"]);
    }
    for entry in section["grade_history"].as_array().expect("history") {
        assert_eq!(entry["grades"].as_array().expect("grades").len(), 3, "three rounds of {}", entry["id"]);
    }
    check_exemption_rule(section, 2);
}

/// The HTML's visible text: tags (with their attributes) and the style sheet removed.
fn visible_text(html: &str) -> String {
    let body = html.find("</style>").map_or(html, |end| &html[end..]);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn finding_3_veto_column_words_the_finding_not_the_indicator_name() {
    let dir = round_2026();
    let results = read_json(&dir.join("results.json"));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    let markdown = std::fs::read_to_string(dir.join("report.md")).expect("md");
    let mut vetoed = 0;
    for entry in results["subjects"].as_array().expect("subjects").iter().filter(|s| s["level"] == "county") {
        let Some(vetoes) = entry["overall"]["vetoes"].as_array().filter(|vetoes| !vetoes.is_empty()) else {
            continue;
        };
        vetoed += 1;
        let id = entry["id"].as_str().expect("id");
        let row = &html[html.find(&format!("<tr data-county=\"{id}\">")).expect("overview row")..];
        let row = &row[..row.find("</tr>").expect("row end")];
        let cell = &row[row.find("<td class=\"veto\">").expect("veto cell")..];
        for veto in vetoes {
            let (reason, name) = (veto["reason"].as_str().expect("reason"), veto["name"].as_str().expect("name"));
            assert!(cell.contains(reason), "{id}: the finding `{reason}` in {cell}");
            assert!(!cell.contains(name) || reason.contains(name), "{id}: not the indicator `{name}`: {cell}");
            assert!(markdown.contains(reason), "{id}: `{reason}` in the Markdown");
        }
        let accountable = results["rectification"]["accountability"]
            .as_array()
            .expect("list")
            .iter()
            .find(|unit| unit["id"] == id)
            .expect("a vetoed county is accountable");
        let reasons = accountable["reasons"].to_string();
        assert!(vetoes.iter().all(|veto| reasons.contains(veto["reason"].as_str().expect("reason"))));
    }
    assert!(vetoed > 0, "the fixtures have vetoed counties");
}

/// Text as the HTML writes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Page count of a PDF written by Chromium (its page objects are not compressed).
fn pdf_pages(path: &Path) -> usize {
    let bytes = std::fs::read(path).expect("pdf");
    let text = String::from_utf8_lossy(&bytes);
    text.match_indices("/Type /Page").filter(|(at, _)| !text[at + 11..].starts_with('s')).count()
}

/// Prints `html` to PDF in headless Chromium; the page count.
fn print_pages(chromium: &Path, html: &Path, pdf: &Path) -> usize {
    let profile = tempfile::tempdir().expect("profile");
    let output = chromium_command(chromium, profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.exists(), "no PDF: {}", String::from_utf8_lossy(&output.stderr));
    pdf_pages(pdf)
}

/// Elements wider than an A4 page's text width (182 mm, 688 px), measured by Chromium on a
/// copy of the document with a measuring script added (the reports themselves have none).
fn overflowing(chromium: &Path, html: &Path) -> String {
    let text = std::fs::read_to_string(html).expect("html");
    let script = r"<script>
var w = document.documentElement.clientWidth, bad = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.right > w + 2) bad.push(e.tagName + '#' + e.id + ':' + Math.round(r.right));
});
document.body.setAttribute('data-overflow', bad.length + ' ' + bad.slice(0, 10).join(' '));
</script>";
    let probe = tempfile::Builder::new().suffix(".html").tempfile().expect("probe");
    std::fs::write(probe.path(), text.replace("</body>", &format!("{script}</body>"))).expect("probe");
    let profile = tempfile::tempdir().expect("profile");
    let output = chromium_command(chromium, profile.path())
        .arg("--window-size=703,1000")
        .arg("--dump-dom")
        .arg(format!("file://{}", probe.path().display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("data-overflow=\"").expect("measured") + 15;
    dom[start..start + dom[start..].find('"').expect("end")].to_owned()
}

#[test]
fn finding_4_reports_print_on_a4_with_names_and_no_overflow() {
    let dir = round_2027();
    let results = read_json(&dir.join("results.json"));
    let city = dir.join("report.html");
    let counties: Vec<PathBuf> =
        county_html(dir).into_iter().filter(|path| !path.display().to_string().ends_with("督办单.html")).collect();
    let county_count =
        results["subjects"].as_array().expect("subjects").iter().filter(|s| s["level"] == "county").count();
    assert_eq!(counties.len(), county_count, "one report per county");
    // Names, not ids, wherever a reader looks; the cover from the plan.
    let plan = std::fs::read_to_string(support::root().join("fixtures/plans/jiaozuo-2027.toml")).expect("plan");
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for entry in results["subjects"].as_array().expect("subjects") {
        for result in entry["results"].as_array().expect("results") {
            ids.insert(result["indicator"].as_str().expect("indicator").to_owned());
            ids.insert(result["pack"].as_str().expect("pack").to_owned());
        }
    }
    for path in counties.iter().chain([&city]) {
        let html = std::fs::read_to_string(path).expect("html");
        let text = visible_text(&html);
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{}: the id `{id}` is shown", path.display());
        }
        for field in ["issuer", "document-number"] {
            let start = html.find(&format!("id=\"{field}\">")).expect(field) + field.len() + 6;
            let value = &html[start..start + html[start..].find('<').expect("end")];
            assert!(!value.is_empty() && plan.contains(&format!("\"{value}\"")), "{field} `{value}` from the plan");
        }
        assert!(!text.contains("sha256"), "no digest on a document");
    }
    let Some(chromium) = chromium() else { return };
    let pdf_dir = out_dir("2027-pdf");
    let city_pages = print_pages(&chromium, &city, &pdf_dir.join("city.pdf"));
    eprintln!("2027 city overview: {city_pages} A4 pages");
    assert!((2..=30).contains(&city_pages), "the city overview prints on at most 30 pages: {city_pages}");
    assert!(overflowing(&chromium, &city).starts_with("0 "), "{}", overflowing(&chromium, &city));
    let mut largest = 0;
    for county in &counties {
        let pages = print_pages(&chromium, county, &pdf_dir.join("county.pdf"));
        eprintln!("{}: {pages} A4 pages", county.display());
        largest = largest.max(pages);
        let overflow = overflowing(&chromium, county);
        assert!(overflow.starts_with("0 "), "{}: {overflow}", county.display());
    }
    // Issue 10's goal: a county report prints on at most 20 pages (马村区, the largest, on 19).
    assert!(largest <= 20, "each county report prints on at most 20 pages: {largest}");
}

#[test]
fn finding_5_each_supervision_order_is_a_page_naming_each_overdue_finding() {
    let dir = round_2027();
    let results = read_json(&dir.join("results.json"));
    let section = &results["rectification"];
    let items: Vec<&serde_json::Value> = section["items"].as_array().expect("items").iter().collect();
    let orders = section["orders"].as_array().expect("orders");
    assert!(!orders.is_empty());
    let mut pages = String::new();
    let chromium = chromium();
    let pdf_dir = out_dir("2027-orders-pdf");
    for path in county_html(dir) {
        if path.display().to_string().ends_with("督办单.html") {
            let html = std::fs::read_to_string(&path).expect("orders");
            // Printed, each order is exactly one A4 page (long ones are set tighter).
            if let Some(chromium) = &chromium {
                let printed = print_pages(chromium, &path, &pdf_dir.join("orders.pdf"));
                let count = html.matches("<section class=\"order").count();
                assert_eq!(printed, count, "{}: {count} orders print on {printed} pages", path.display());
            }
            pages.push_str(&html);
        }
    }
    assert_eq!(pages.matches("<section class=\"order").count(), orders.len(), "one page per order");
    let days = |date: &str| dudao_engine::plan::parse_date(date).expect("date");
    for order in orders {
        let number = order["number"].as_str().expect("number");
        let start = pages.find(&format!("data-order=\"{number}\"")).expect("order page");
        let page = &pages[start..start + pages[start..].find("</section>").expect("end")];
        assert!(page.contains(order["unit_name"].as_str().expect("unit")));
        let deadline = order["deadline"].as_str().expect("new deadline");
        assert_eq!(days(deadline) - days("2027-11-29"), 90, "the new deadline: the plan's 90 days");
        let (year, rest) = deadline.split_at(4);
        assert!(
            page.contains(&format!("{year}年")) && page.contains(&format!("{}日", rest[4..].trim_start_matches('0')))
        );
        for id in order["items"].as_array().expect("items") {
            let item = items.iter().find(|item| item["id"] == *id).expect("item");
            let row = &page[page.find(&format!("data-item=\"{}\"", id.as_str().expect("id"))).expect("row")..];
            let row = &row[..row.find("</tr>").expect("row end")];
            assert!(row.contains(item["indicator_name"].as_str().expect("name")), "indicator name in {row}");
            let threshold = item["threshold"].as_str().expect("threshold");
            assert!(row.contains(&escaped(threshold)), "requirement in {row}");
            assert!(row.contains(item["deadline"].as_str().expect("deadline")), "original deadline in {row}");
            let overdue = days("2027-11-29") - days(item["deadline"].as_str().expect("deadline"));
            assert!(row.contains(&format!("{overdue}天")), "days overdue {overdue} in {row}");
            if let Some(source) = item["source"].as_str() {
                assert!(row.contains(&escaped(source)), "source in {row}");
            }
        }
    }
    let city = std::fs::read_to_string(dir.join("report.html")).expect("city");
    assert!(!city.contains("<section class=\"order"), "the orders are not inline in the city overview");
}

#[test]
fn finding_6_numbers_read_the_chinese_way() {
    let dir = round_2026();
    let results = read_json(&dir.join("results.json"));
    let bytes = std::fs::read(dir.join("rectification.csv")).expect("csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "the CSV starts with a UTF-8 BOM for Excel");
    // Shares as percentages, yes/no as 是/否, at most two decimals (three for a coefficient of
    // variation): every indicator row of a county report, checked against the record's unit.
    let (mut shares, mut yes_no) = (0, 0);
    for path in county_html(dir) {
        let html = std::fs::read_to_string(path).expect("html");
        for row in html.split("<tr id=\"ind-").skip(1) {
            let row = &row[..row.find("</tr>").expect("end")];
            let cells: Vec<&str> =
                row.split("<td").skip(1).map(|cell| &cell[cell.find('>').expect("td") + 1..]).collect();
            let value = cells[3].trim_end_matches("</td>");
            let requirement = cells[4].trim_end_matches("</td>");
            if value.ends_with('%') {
                shares += 1;
            }
            if requirement.starts_with("须为") {
                assert!(value == "是" || value == "否" || value == "—", "yes/no as 是/否: {value}");
                yes_no += 1;
            }
            let number: String = value.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
            if let Some((_, decimals)) = number.split_once('.') {
                assert!(decimals.len() <= 3, "at most three decimals: {value}");
            }
            assert!(!value.is_empty(), "a value or — in {row}");
            if row.contains("data-status=\"not_met\"") {
                assert!(!requirement.is_empty(), "a not-met row states its requirement: {row}");
            }
        }
    }
    assert!(shares > 0 && yes_no > 0, "shares as percentages ({shares}), yes/no indicators as 是/否 ({yes_no})");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    // Scores: at most two decimals in the overview, and the same number as the record.
    let machun = county_id(&results, "马村区");
    let total = subject(&results, &machun)["overall"]["total"].as_f64().expect("total");
    let shown = format!("{}", (total * 100.0).round() / 100.0);
    assert!(html.contains(&format!("id=\"overall-{machun}-total\" data-value=\"{}\">{shown}</td>", rounded(total))));
    // The city's own not-met rows state a requirement.
    for row in html.split("<tr id=\"ind-").skip(1) {
        let row = &row[..row.find("</tr>").expect("end")];
        if row.contains("data-status=\"not_met\"") {
            assert!(!row.contains("<td></td><td class=\"status-not_met\">"), "requirement of {row}");
        }
    }
}

/// `dudao inspect --format json` of every pack: indicator id → name.
fn indicator_names() -> std::collections::BTreeMap<String, String> {
    fn walk(nodes: &serde_json::Value, out: &mut std::collections::BTreeMap<String, String>) {
        for node in nodes.as_array().into_iter().flatten() {
            out.insert(node["id"].as_str().expect("id").to_owned(), node["name"].as_str().expect("name").to_owned());
            walk(&node["children"], out);
        }
    }
    let mut names = std::collections::BTreeMap::new();
    for krate in PACKS {
        let path = support::pack_path(krate).display().to_string();
        let output = dudao(&["inspect", "--format", "json", &path]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("manifest");
        walk(&json["manifest"]["indicators"], &mut names);
    }
    names
}

#[test]
fn finding_7_public_version_names_withheld_indicators_and_keeps_the_official_scores() {
    let dir = out_dir("2026-public-7");
    report("fixtures/plans/jiaozuo-2026.toml", "fixtures/jiaozuo", &dir, &["--public"]);
    let names = indicator_names();
    let plan = std::fs::read_to_string(support::root().join("fixtures/plans/jiaozuo-2026.toml")).expect("plan");
    let hidden: Vec<&str> = ["ss.management.self_assessment_gap", "gd.teachers.salary_parity"]
        .into_iter()
        .filter(|id| plan.contains(&format!("\"{id}\"")))
        .collect();
    assert!(!hidden.is_empty(), "the plan withholds indicators");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    let start = html.find("id=\"public-notice\">").expect("banner");
    let banner = &html[start..start + html[start..].find("</p>").expect("end")];
    for id in &hidden {
        assert!(!banner.contains(id), "no raw id in the banner: {banner}");
        assert!(banner.contains(names[*id].as_str()), "the banner names {}: {banner}", names[*id]);
    }
    assert!(banner.contains(dudao_publish::report::PUBLIC_SCORE_RULE), "the score rule is stated");
    // The rule applied: the public overview's scores are the internal ones.
    let internal = std::fs::read_to_string(round_2026().join("report.html")).expect("internal");
    let scores = |html: &str| -> Vec<String> {
        html.split("id=\"overall-").skip(1).map(|rest| rest[..rest.find("</td>").expect("end")].to_owned()).collect()
    };
    assert_eq!(scores(&html), scores(&internal));
    for path in county_html(&dir) {
        let text = std::fs::read_to_string(path).expect("county");
        for id in &hidden {
            assert!(!text.contains(&format!("data-indicator=\"{id}\"")), "{id} left out of county reports");
        }
    }
}

#[test]
fn county_option_writes_one_countys_documents_and_refuses_an_unknown_code() {
    let dir = out_dir("2027-one-county");
    let results = read_json(&round_2027().join("results.json"));
    let machun = county_id(&results, "马村区");
    let previous = round_2026().join("results.json").display().to_string();
    report(
        "fixtures/plans/jiaozuo-2027.toml",
        "fixtures/jiaozuo-2027",
        &dir,
        &["--previous", &previous, "--county", &machun],
    );
    let written: Vec<String> = std::fs::read_dir(dir.join("counties"))
        .expect("counties")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 4, "马村区's report and orders, HTML and DOCX: {written:?}");
    assert!(written.iter().all(|name| name.starts_with(&format!("{machun}-马村区"))));
    assert!(!dir.join("report.html").exists(), "only the county's documents");
    let same = std::fs::read(dir.join("counties").join(format!("{machun}-马村区.html"))).expect("county");
    let full = std::fs::read(round_2027().join("counties").join(format!("{machun}-马村区.html"))).expect("full");
    assert!(same == full, "the same document as in the full run");
    let out = dir.display().to_string();
    let output = dudao(&[
        "report",
        "--plan",
        "fixtures/plans/jiaozuo-2027.toml",
        "--data",
        "fixtures/jiaozuo-2027",
        "--out-dir",
        &out,
        "--county",
        "999999",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("999999"));
}

/// The rows of a fixture CSV table as maps from column to value.
fn csv_rows(path: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(support::root().join(path)).expect("fixture table");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("record");
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// The values of attribute `name` in an HTML document, in order.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest[..rest.find('"').expect("closing quote")].to_owned()
        })
        .collect()
}

#[test]
fn units_option_writes_a_document_per_zone_and_per_school_of_the_county() {
    let dir = out_dir("2027-units");
    let results = read_json(&round_2027().join("results.json"));
    let machun = county_id(&results, "马村区");
    let previous = round_2026().join("results.json").display().to_string();
    report(
        "fixtures/plans/jiaozuo-2027.toml",
        "fixtures/jiaozuo-2027",
        &dir,
        &["--previous", &previous, "--county", &machun, "--units", "zone,school"],
    );
    let names = |folder: PathBuf| -> BTreeSet<String> {
        std::fs::read_dir(folder)
            .expect("folder")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    };
    // Exactly the county's zones and schools, each named `<id>-<name>.html`.
    let zones: Vec<_> =
        csv_rows("fixtures/jiaozuo-2027/zones.csv").into_iter().filter(|z| z["county_id"] == machun).collect();
    let schools: Vec<_> =
        csv_rows("fixtures/jiaozuo-2027/schools.csv").into_iter().filter(|s| s["county_id"] == machun).collect();
    assert!(!zones.is_empty() && !schools.is_empty());
    let expected: BTreeSet<String> = zones.iter().map(|z| format!("{}-{}.html", z["id"], z["name"])).collect();
    assert_eq!(names(dir.join("zones")), expected);
    let school_dir = dir.join("schools").join(format!("{machun}-马村区"));
    let expected: BTreeSet<String> = schools.iter().map(|s| format!("{}-{}.html", s["id"], s["name"])).collect();
    assert_eq!(names(school_dir.clone()), expected);
    assert_eq!(names(dir.join("schools")).len(), 1, "no other county's schools");

    let section = &results["rectification"];
    let items_of = |units: &BTreeSet<&str>| -> Vec<String> {
        section["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|item| units.contains(item["unit_id"].as_str().expect("unit")))
            .map(|item| item["id"].as_str().expect("id").to_owned())
            .collect()
    };
    // A zone lists exactly its schools (by the dataset's zone_id) and their rectification items.
    for zone in &zones {
        let html = std::fs::read_to_string(dir.join("zones").join(format!("{}-{}.html", zone["id"], zone["name"])))
            .expect("zone document");
        let members: Vec<&str> =
            schools.iter().filter(|s| s["zone_id"] == zone["id"]).map(|s| s["id"].as_str()).collect();
        assert_eq!(attribute_values(&html, "data-school"), members, "{}", zone["name"]);
        let mut units: BTreeSet<&str> = members.iter().copied().collect();
        units.insert(&zone["id"]);
        assert_eq!(attribute_values(&html, "data-item"), items_of(&units), "{}", zone["name"]);
        let text = visible_text(&html);
        assert!(text.contains("总体情况") && text.contains("主要问题") && text.contains("整改清单"), "{text}");
        assert!(!text.contains(&format!("{}{}", "马村区", zone["name"])), "the county's name is not doubled");
    }
    // A school's document has its findings, its items and its own supervision orders, each on
    // its own page.
    let orders = section["orders"].as_array().expect("orders");
    let with_order = schools
        .iter()
        .find(|s| orders.iter().any(|order| order["unit_id"] == s["id"].as_str()))
        .expect("a school of 马村区 has a supervision order in 2027");
    let html = std::fs::read_to_string(school_dir.join(format!("{}-{}.html", with_order["id"], with_order["name"])))
        .expect("school document");
    let own: BTreeSet<&str> = [with_order["id"].as_str()].into();
    let items = items_of(&own);
    assert!(!items.is_empty());
    let listed = attribute_values(&html, "data-item");
    assert_eq!(listed[..items.len()], items[..], "the rectification list");
    let expected_orders: Vec<&str> = orders
        .iter()
        .filter(|order| order["unit_id"] == with_order["id"].as_str())
        .map(|order| order["number"].as_str().expect("number"))
        .collect();
    assert_eq!(attribute_values(&html, "data-order"), expected_orders);
    let text = visible_text(&html);
    assert!(text.contains("督 办 单") && text.contains("未达到标准"), "{text}");
    let zone_name = &zones.iter().find(|z| z["id"] == with_order["zone_id"]).expect("its zone")["name"];
    assert!(text.contains(&format!("所属督学责任区：{zone_name}")), "{text}");
}

/// One part of an XLSX file (a zip archive), as text.
fn xlsx_part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("xlsx")).expect("a zip archive");
    let mut text = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut text).expect("utf-8");
    text
}

/// The `n`th element `<tag …>` (or `<tag …/>`) inside the element `<list …>…</list>` of `xml`.
fn nth_element<'a>(xml: &'a str, list: &str, tag: &str, n: usize) -> &'a str {
    let start = xml.find(&format!("<{list}")).expect(list);
    let end = xml[start..].find(&format!("</{list}>")).expect(list) + start;
    let body = &xml[start..end];
    let open = format!("<{tag}");
    let mut parts = body
        .match_indices(&open)
        .map(|(at, _)| at)
        .filter(|at| matches!(body.as_bytes().get(at + open.len()), Some(b' ' | b'>' | b'/')));
    let at = parts.nth(n).unwrap_or_else(|| panic!("{tag} #{n} in {list}"));
    let rest = &body[at..];
    &rest[..rest.find(&format!("</{tag}>")).map_or_else(|| rest.find("/>").expect("end") + 2, |e| e + tag.len() + 3)]
}

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&element[start..start + element[start..].find('"')?])
}

#[test]
fn finding_6_workbook_has_widths_percent_and_date_formats_print_setup_and_the_not_met_fill() {
    let dir = round_2027();
    let path = dir.join("report.xlsx");
    let mut workbook: Xlsx<_> = open_workbook(&path).expect("xlsx");
    let names = workbook.sheet_names();
    // 整改清单: deadlines are dates, values numbers.
    let list = workbook.worksheet_range("整改清单").expect("整改清单");
    let header: Vec<String> = list.rows().next().expect("header").iter().map(ToString::to_string).collect();
    let deadline = header.iter().position(|name| name == "整改期限").expect("整改期限");
    let row = list.rows().nth(1).expect("an item");
    assert!(matches!(row[deadline], Data::DateTime(_)), "a deadline is a date cell: {:?}", row[deadline]);
    // The styles: percent, 是/否, date formats and the not-met fill.
    let styles = xlsx_part(&path, "xl/styles.xml");
    for code in ["0.00%", "yyyy-mm-dd", "[=1]&quot;是&quot;;[=0]&quot;否&quot;;0"] {
        assert!(styles.contains(&format!("formatCode=\"{code}\"")), "number format {code}");
    }
    assert!(!styles.contains("formatCode=\"0.####\""), "no format that shows `100.`");
    // Every sheet prints landscape on A4, one page wide, with its header row repeated, and
    // has fitted column widths.
    let book = xlsx_part(&path, "xl/workbook.xml");
    for (index, name) in names.iter().enumerate() {
        let sheet = xlsx_part(&path, &format!("xl/worksheets/sheet{}.xml", index + 1));
        assert!(
            sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"landscape\""),
            "{name}: A4 landscape"
        );
        assert!(sheet.contains("<cols>") && sheet.contains("customWidth=\"1\""), "{name}: column widths");
        assert!(sheet.contains("fitToPage=\"1\""), "{name}: fitted to the page width");
        assert!(
            book.contains(&format!("'{name}'!$1:$1")) || book.contains(&format!("{name}!$1:$1")),
            "{name}: print titles"
        );
    }
    // A not-met status cell of 学校 is filled with NOT_MET_FILL.
    let index = names.iter().position(|name| name == "学校").expect("学校");
    let sheet = xlsx_part(&path, &format!("xl/worksheets/sheet{}.xml", index + 1));
    let shared = xlsx_part(&path, "xl/sharedStrings.xml");
    let not_met = shared.split("<si>").skip(1).position(|entry| entry.contains(">未达标<")).expect("未达标 string");
    let cell_start = sheet.find(&format!("t=\"s\"><v>{not_met}</v>")).expect("a 未达标 cell");
    let cell = &sheet[sheet[..cell_start].rfind("<c ").expect("cell")..cell_start];
    let style: usize = attribute(cell, "s").expect("styled").parse().expect("index");
    let xf = nth_element(&styles, "cellXfs", "xf", style);
    let fill: usize = attribute(xf, "fillId").expect("fill").parse().expect("index");
    let fill = nth_element(&styles, "fills", "fill", fill);
    assert!(fill.contains(&format!("rgb=\"FF{:06X}\"", dudao_publish::report::NOT_MET_FILL)), "not-met fill: {fill}");
}

#[test]
fn county_reports_and_orders_read_back_as_docx_with_headings_numbers_and_fills() {
    let dir = round_2027();
    let results = read_json(&dir.join("results.json"));
    let machun = county_id(&results, "马村区");
    let report = dir.join("counties").join(format!("{machun}-马村区.docx"));
    let xml = xlsx_part(&report, "word/document.xml");
    // The parts of the HTML document, numbered alike.
    let html = std::fs::read_to_string(report.with_extension("html")).expect("html");
    let headings: Vec<&str> = html
        .split("<h2")
        .skip(1)
        .map(|rest| &rest[rest.find('>').expect(">") + 1..rest.find("</h2>").expect("</h2>")])
        .collect();
    assert_eq!(
        headings,
        [
            "一、总体情况",
            "二、主要问题",
            "三、图表",
            "四、指标结果",
            "五、学校情况",
            "六、整改清单",
            "七、回头看与督办"
        ]
    );
    let mut previous = 0;
    for heading in headings {
        let at = xml.find(&format!(">{heading}<")).unwrap_or_else(|| panic!("heading {heading}"));
        assert!(at > previous, "{heading} in the HTML's order");
        previous = at;
        let start = xml[..at].rfind("<w:p>").max(xml[..at].rfind("<w:p ")).expect("paragraph");
        let paragraph = &xml[start..at];
        assert!(paragraph.contains("w:val=\"Heading1\""), "{heading} is a heading: {paragraph}");
    }
    let total = subject(&results, &machun)["overall"]["total"].as_f64().expect("total");
    let shown = format!("{}", (total * 100.0).round() / 100.0);
    assert!(xml.contains(&format!("综合得分 {shown}，")), "the overall score, two decimals: {shown}");
    for veto in subject(&results, &machun)["overall"]["vetoes"].as_array().into_iter().flatten() {
        assert!(xml.contains(veto["reason"].as_str().expect("reason")), "the veto worded as its finding");
    }
    assert!(xml.contains(&format!("w:fill=\"{:06X}\"", dudao_publish::report::NOT_MET_FILL)), "not-met rows filled");
    assert!(xml.contains("<w:tblLayout w:type=\"fixed\""), "fixed column widths");
    // Its orders: one page each, every overdue finding named.
    let orders_path = dir.join("counties").join(format!("{machun}-马村区-督办单.docx"));
    let orders_xml = xlsx_part(&orders_path, "word/document.xml");
    let section = &results["rectification"];
    let items = section["items"].as_array().expect("items");
    let own: Vec<&serde_json::Value> =
        section["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .filter(|order| {
                order["unit_id"] == machun.as_str()
                    || order["items"].as_array().expect("items").iter().any(|id| {
                        items.iter().any(|item| item["id"] == *id && item["supervisor_id"] == machun.as_str())
                    })
            })
            .collect();
    assert!(!own.is_empty());
    assert_eq!(orders_xml.matches("<w:br w:type=\"page\"").count(), own.len() - 1, "a page per order");
    for order in own {
        assert!(orders_xml.contains(order["number"].as_str().expect("number")));
        for id in order["items"].as_array().expect("items") {
            let item = items.iter().find(|item| item["id"] == *id).expect("item");
            assert!(orders_xml.contains(&escaped(item["indicator_name"].as_str().expect("name"))));
        }
    }
}

/// Every part of a DOCX (a zip archive): name and bytes, in archive order.
fn docx_parts(path: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("docx")).expect("a zip archive");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).expect("entry");
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("readable");
            (file.name().expect("entry name").into_owned(), bytes)
        })
        .collect()
}

/// The texts of the `<c:v>` elements of `xml` (a chart part's fragment), unescaped.
fn chart_texts(xml: &str) -> Vec<String> {
    xml.split("<c:v>")
        .skip(1)
        .map(|rest| {
            let text = &rest[..rest.find("</c:v>").expect("</c:v>")];
            quick_xml::escape::unescape(text).expect("entities").into_owned()
        })
        .collect()
}

/// The series of a chart part: name, categories, and the values by category index.
fn chart_series(xml: &str) -> Vec<(String, Vec<String>, Vec<Option<f64>>)> {
    xml.split("<c:ser>")
        .skip(1)
        .map(|series| {
            let series = &series[..series.find("</c:ser>").expect("</c:ser>")];
            let between = |open: &str, close: &str| {
                let start = series.find(open).unwrap_or_else(|| panic!("{open} in {series}"));
                &series[start..start + series[start..].find(close).expect(close)]
            };
            let name = chart_texts(between("<c:tx>", "</c:tx>")).concat();
            let categories = chart_texts(between("<c:cat>", "</c:cat>"));
            let values = between("<c:val>", "</c:val>");
            let mut cached = vec![None; categories.len()];
            for point in values.split("<c:pt idx=\"").skip(1) {
                let index: usize = point[..point.find('"').expect("idx")].parse().expect("index");
                cached[index] = Some(chart_texts(point)[0].parse::<f64>().expect("a number"));
            }
            (name, categories, cached)
        })
        .collect()
}

/// Walks `xml` to its end with an XML reader: it is well-formed.
fn well_formed(name: &str, xml: &[u8]) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => buffer.clear(),
            Err(error) => panic!("{name} is not well-formed XML: {error}"),
        }
    }
}

#[test]
fn county_docx_has_the_html_figures_as_native_charts() {
    let dir = round_2027();
    let results = read_json(&dir.join("results.json"));
    let machun = county_id(&results, "马村区");
    let path = dir.join("counties").join(format!("{machun}-马村区.docx"));
    let parts = docx_parts(&path);
    let text = |name: &str| -> String {
        let bytes = &parts.iter().find(|(part, _)| part == name).unwrap_or_else(|| panic!("{name} missing")).1;
        String::from_utf8(bytes.clone()).expect("utf-8")
    };
    for (name, bytes) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            well_formed(name, bytes);
        }
    }
    // The HTML figures: caption and the numbers on each bar (`<title>category series：value</title>`).
    let html = std::fs::read_to_string(path.with_extension("html")).expect("html");
    let figures: Vec<&str> =
        html.split("<figure>").skip(1).map(|rest| &rest[..rest.find("</figure>").expect("end")]).collect();
    let charts: Vec<&String> =
        parts.iter().map(|(name, _)| name).filter(|name| name.starts_with("word/charts/chart")).collect();
    assert_eq!(figures.len(), 3, "two packs with dimensions and the grades of 马村区's schools");
    assert_eq!(charts.len(), figures.len(), "a chart per HTML figure: {charts:?}");
    let document = text("word/document.xml");
    let relationships = text("word/_rels/document.xml.rels");
    let types = text("[Content_Types].xml");
    let names: BTreeSet<&str> = parts.iter().map(|(name, _)| name.as_str()).collect();
    // Every relationship of the document and of its charts points at a part that is there.
    for (rels, base) in parts.iter().filter(|(name, _)| name.ends_with(".rels")).map(|(name, bytes)| {
        let folder = name.trim_end_matches(|c| c != '/').trim_end_matches("_rels/").to_owned();
        (String::from_utf8(bytes.clone()).expect("utf-8"), folder)
    }) {
        for target in rels.split("Target=\"").skip(1).map(|rest| &rest[..rest.find('"').expect("quote")]) {
            let mut resolved: Vec<&str> = base.split('/').filter(|part| !part.is_empty()).collect();
            for step in target.trim_start_matches('/').split('/') {
                if step == ".." {
                    resolved.pop();
                } else {
                    resolved.push(step);
                }
            }
            let resolved = resolved.join("/");
            assert!(names.contains(resolved.as_str()), "relationship target {target} (from {base}) is missing");
        }
    }
    let mut previous = 0;
    for (index, figure) in figures.iter().enumerate() {
        let number = index + 1;
        let part = format!("word/charts/chart{number}.xml");
        assert!(
            types.contains(&format!(
                r#"<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>"#
            )),
            "{part} has its content type"
        );
        let relationship = relationships
            .split("<Relationship ")
            .find(|rel| rel.contains(&format!("Target=\"charts/chart{number}.xml\"")))
            .unwrap_or_else(|| panic!("a relationship to {part}"));
        assert!(
            relationship
                .contains(r#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart""#)
        );
        let id = &relationship[relationship.find("Id=\"").expect("Id") + 4..];
        let id = &id[..id.find('"').expect("quote")];
        let reference =
            format!("<c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" r:id=\"{id}\"/>");
        assert_eq!(document.matches(&format!("r:id=\"{id}\"")).count(), 1, "{part} referenced once");
        let at = document.find(&reference).unwrap_or_else(|| panic!("{part} drawn inline"));
        assert!(at > previous, "charts in the HTML's order");
        previous = at;
        let drawing_start = document[..at].rfind("<w:drawing>").expect("inside a drawing");
        assert!(document[drawing_start..at].contains("<wp:inline"), "an inline drawing");
        assert!(
            document[drawing_start..at]
                .contains(r#"<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">"#)
        );
        // The caption under it, word for word the HTML's.
        let caption =
            &figure[figure.find("<figcaption>").expect("caption") + 12..figure.find("</figcaption>").expect("end")];
        let after = at + reference.len();
        let caption_at = document[after..].find(&format!(">{caption}<")).map(|offset| after + offset);
        assert!(
            caption_at.is_some_and(|c| !document[after..c].contains("<c:chart ")),
            "caption {caption} follows its chart"
        );
        // Each bar of the HTML figure is a cached value of the chart, and nothing else is.
        let chart = text(&part);
        assert!(
            chart.contains(r#"<c:barDir val=""#)
                && chart.contains("<c:catAx>")
                && chart.contains("<c:valAx>")
                && chart.contains("<c:legend>")
        );
        let series = chart_series(&chart);
        let mut bars: Vec<String> = Vec::new();
        for (name, categories, values) in &series {
            for (category, value) in categories.iter().zip(values) {
                if let Some(value) = value.filter(|value| *value != 0.0 || !figure.contains("chart-county-grades")) {
                    bars.push(escaped(&format!("{category} {name}：{}", dudao_publish::report::numbers::score(value))));
                }
            }
        }
        let titles: Vec<String> = figure
            .split("<title>")
            .skip(1)
            .map(|rest| rest[..rest.find("</title>").expect("end")].to_owned())
            .collect();
        let (mut bars, mut titles) = (bars, titles);
        bars.sort();
        titles.sort();
        assert_eq!(bars, titles, "{part} against the HTML figure {caption}");
        if chart.contains(r#"<c:grouping val="stacked"/>"#) {
            assert!(chart.contains(r#"<c:overlap val="100"/>"#));
            // The schools of 马村区 per grade, counted from results.json.
            let (name, categories, _) = &series[0];
            assert!(!name.is_empty());
            assert_eq!(categories, &["马村区"]);
            for (grade, _, values) in &series {
                let count = results["subjects"]
                    .as_array()
                    .expect("subjects")
                    .iter()
                    .filter(|s| {
                        s["level"] == "school"
                            && s["parent"] == machun.as_str()
                            && s["overall"]["grade"] == grade.as_str()
                    })
                    .count();
                assert_eq!(values[0], Some(count as f64), "{grade} schools of 马村区");
            }
        } else {
            assert!(chart.contains(r#"<c:grouping val="clustered"/>"#) && chart.contains(r#"<c:barDir val="col"/>"#));
            // The county's dimension scores and the mean over the counties, from results.json.
            assert_eq!(series.iter().map(|(name, _, _)| name.as_str()).collect::<Vec<_>>(), ["马村区", "全市平均"]);
            let pack = results["packs"]
                .as_array()
                .expect("packs")
                .iter()
                .find(|pack| caption.starts_with(&format!("图{number} {}：", pack["title"].as_str().expect("title"))))
                .expect("the caption names its pack");
            let dimensions = |subject: &serde_json::Value| -> Vec<(String, f64)> {
                subject["scores"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|score| score["pack"] == pack["id"] && score["level"] == "county")
                    .flat_map(|score| score["tree"].as_array().expect("tree").iter())
                    .filter(|node| node.get("status").is_none())
                    .map(|node| {
                        (node["name"].as_str().expect("name").to_owned(), node["score"].as_f64().expect("score"))
                    })
                    .collect()
            };
            let own = dimensions(subject(&results, &machun));
            let counties: Vec<Vec<(String, f64)>> = results["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .filter(|s| s["level"] == "county")
                .map(dimensions)
                .collect();
            assert_eq!(series[0].1, own.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>());
            for (index, (name, value)) in own.iter().enumerate() {
                let all: Vec<f64> =
                    counties.iter().filter_map(|c| c.iter().find(|(n, _)| n == name).map(|(_, v)| *v)).collect();
                let mean = all.iter().sum::<f64>() / all.len() as f64;
                let close =
                    |cached: Option<f64>, expected: f64| cached.is_some_and(|c| (c - expected).abs() <= 0.005 + 1e-9);
                assert!(close(series[0].2[index], *value), "{name}: {:?} against {value}", series[0].2[index]);
                assert!(close(series[1].2[index], mean), "{name} 全市平均: {:?} against {mean}", series[1].2[index]);
            }
        }
    }
    // The orders document has no charts.
    let orders = docx_parts(&dir.join("counties").join(format!("{machun}-马村区-督办单.docx")));
    assert!(orders.iter().all(|(name, _)| !name.starts_with("word/charts/")));
}

#[test]
fn pdf_option_prints_each_document_to_a4() {
    let Some(_) = chromium() else { return };
    let dir = out_dir("2026-pdf");
    let results = read_json(&round_2026().join("results.json"));
    let wenxian = county_id(&results, "温县");
    report("fixtures/plans/jiaozuo-2026.toml", "fixtures/jiaozuo", &dir, &["--county", &wenxian, "--pdf"]);
    let pdf = dir.join("counties").join(format!("{wenxian}-温县.pdf"));
    let pages = pdf_pages(&pdf);
    eprintln!("温县 2026 report: {pages} A4 pages");
    assert!((2..=20).contains(&pages), "{pages} pages");
    let bytes = std::fs::read(&pdf).expect("pdf");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("/MediaBox [0 0 595"), "A4 pages");
}
