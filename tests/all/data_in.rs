//! Data as county offices make it in Excel (issue 12): CSV exported on Windows (CRLF, with and
//! without BOM), XLSX workbooks with dates, booleans and error cells, title rows, blank rows,
//! misnamed files; every problem reported once, at the row Excel shows, with the school's name,
//! in Chinese when asked; nothing evaluated or written. Also `dudao validate` and the
//! data-entry template (`dudao template`) round trip.

use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use dudao_dataset::{self as dataset, DataError, Dataset, DatasetError, Lang};
use rust_xlsxwriter::{Format, Formula, Workbook};

use crate::support;

const COUNTIES: &str = "id,name,parent_id\n410825,温县,410800\n";
const HEADER: &str = "id,name,county_id,stage,kind,primary_students,junior_students,qualified_teachers,backbone_teachers,pe_art_teachers,teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms";
const ROW_1: &str = "S1,第一小学,410825,primary,regular,500,0,25,6,5,2500,4000,1100000,13";
const ROW_2: &str = "S2,第二小学,410825,primary,regular,480,0,24,6,5,2400,3900,1000000,12";
const ROW_3: &str = "S3,第三小学,410825,primary,regular,460,0,23,6,5,2300,3800,1000000,12";

fn problems_of(dir: &Path) -> Vec<DataError> {
    let data = match Dataset::load(dir) {
        Ok(data) => data,
        Err(DatasetError::Problems(errors)) => return errors.0,
        Err(other) => panic!("unexpected: {other}"),
    };
    match dataset::prepare(&data, &[&quality_balance::manifest()]) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0,
    }
}

fn csv_problems(schools: &[u8]) -> Vec<DataError> {
    let dir = support::dataset_dir(&[("counties.csv", COUNTIES)]);
    std::fs::write(dir.path().join("schools.csv"), schools).expect("write");
    problems_of(dir.path())
}

fn places(found: &[DataError]) -> Vec<(Option<usize>, Option<&str>, &str)> {
    found.iter().map(|error| (error.row, error.column.as_deref(), error.code)).collect()
}

/// A workbook with a `counties` sheet and a `schools` sheet holding these rows (strings and
/// numbers as given); `edit` may overwrite cells of the schools sheet.
fn workbook(rows: &[&str], edit: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("folder");
    let mut book = Workbook::new();
    let write = |sheet: &mut rust_xlsxwriter::Worksheet, lines: &[&str]| {
        for (r, line) in lines.iter().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(number) if !cell.is_empty() && c > 2 => sheet.write_number(r, c, number).map(|_| ()),
                    _ if cell.is_empty() => Ok(()),
                    _ => sheet.write_string(r, c, cell).map(|_| ()),
                }
                .expect("cell");
            }
        }
    };
    let counties = book.add_worksheet().set_name("counties").expect("name");
    write(counties, &COUNTIES.lines().collect::<Vec<_>>());
    let schools = book.add_worksheet().set_name("学校").expect("name");
    let mut lines = vec![HEADER];
    lines.extend(rows);
    write(schools, &lines);
    edit(schools);
    book.save(dir.path().join("data.xlsx")).expect("save");
    dir
}

fn xlsx_problems(dir: &tempfile::TempDir) -> Vec<DataError> {
    problems_of(&dir.path().join("data.xlsx"))
}

fn dudao(args: &[&str], lang: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .current_dir(support::root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output()
        .expect("dudao runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn crlf_rows_are_numbered_as_excel_numbers_them() {
    let bad = ROW_2.replace("3900", "39OO");
    for (ending, bom) in [("\r\n", ""), ("\r\n", "\u{feff}"), ("\n", ""), ("\r", "")] {
        let file = format!("{bom}{HEADER}{ending}{ROW_1}{ending}{bad}{ending}{ROW_1}{ending}");
        let found = csv_problems(file.as_bytes());
        assert_eq!(
            places(&found),
            vec![(Some(3), Some("sports_area_m2"), "not_number"), (Some(4), Some("id"), "duplicate_id")],
            "line ending {ending:?}, BOM {bom:?}"
        );
        assert_eq!(found[0].cell.as_deref(), Some("L3"));
        assert_eq!(found[0].subject.as_deref(), Some("S2 第二小学"));
        assert!(found[1].message.contains("first on row 2"), "{}", found[1]);
    }
}

#[test]
fn a_quoted_cell_with_a_line_break_does_not_shift_later_rows() {
    let first = ROW_1.replace("第一小学", "\"第一\r\n小学\"");
    let bad = ROW_2.replace(",13", ",x").replace(",12", ",x");
    let found = csv_problems(format!("{HEADER}\r\n{first}\r\n{bad}\r\n").as_bytes());
    assert_eq!(places(&found), vec![(Some(3), Some("multimedia_rooms"), "not_integer")]);
}

#[test]
fn every_ragged_row_is_listed_with_the_value_problems() {
    let rows = [
        format!("{ROW_1},extra"),
        ROW_2.replace("2400", "lots"),
        ROW_3.rsplit_once(',').expect("cells").0.to_owned(),
        "S4,第四小学".to_owned(),
    ];
    let found = csv_problems(format!("{HEADER}\r\n{}\r\n", rows.join("\r\n")).as_bytes());
    assert_eq!(
        places(&found),
        vec![
            (Some(2), None, "ragged_row"),
            (Some(3), Some("teaching_area_m2"), "not_number"),
            (Some(4), None, "ragged_row"),
            (Some(5), None, "ragged_row"),
        ],
        "a ragged row is reported once, not also for the values it lacks"
    );
    assert_eq!(found[0].subject.as_deref(), Some("S1 第一小学"));
    assert!(found[0].message.contains("15 cells but the header has 14"), "{}", found[0]);
}

#[test]
fn blank_rows_and_a_trailing_empty_column_are_ignored_in_every_format() {
    let blank = ",".repeat(14);
    let csv = format!("{HEADER},\r\n{ROW_1},\r\n{blank}\r\n{ROW_2},\r\n{blank}\r\n{blank}\r\n");
    assert_eq!(csv_problems(csv.as_bytes()), Vec::new());
    let book = workbook(&[ROW_1, "", ROW_2, ""], |_| {});
    assert_eq!(xlsx_problems(&book), Vec::new());
}

#[test]
fn a_title_row_above_the_header_says_to_remove_it_in_every_format() {
    let csv = format!("温县学校基本情况统计表{}\r\n{HEADER}\r\n{ROW_1}\r\n", ",".repeat(13));
    let found = csv_problems(csv.as_bytes());
    assert_eq!(places(&found), vec![(Some(1), None, "title_row")]);
    assert!(found[0].message.contains("the first row must be the header"), "{}", found[0]);
    assert!(found[0].render(Lang::Zh).contains("请删除上面的行（标题行）"), "{}", found[0].render(Lang::Zh));

    let dir = tempfile::tempdir().expect("folder");
    let mut book = Workbook::new();
    book.add_worksheet().set_name("counties").expect("name").write_string(0, 0, "id").expect("cell");
    let schools = book.add_worksheet().set_name("schools").expect("name");
    schools.write_string(0, 0, "温县学校基本情况统计表").expect("cell");
    for (column, name) in HEADER.split(',').enumerate() {
        schools.write_string(1, column as u16, name).expect("cell");
    }
    book.save(dir.path().join("data.xlsx")).expect("save");
    let found = xlsx_problems(&dir);
    assert_eq!(places(&found), vec![(Some(1), None, "title_row")]);
    assert!(found[0].message.contains("on row 2"), "{}", found[0]);
}

#[test]
fn a_date_a_boolean_or_an_error_cell_where_a_number_is_required_is_named_by_cell() {
    let book = workbook(&[ROW_1, ROW_2, ROW_3], |sheet| {
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_number_with_format(1, 5, 46265.0, &date).expect("date"); // F2: primary_students
        sheet.write_boolean(2, 7, true).expect("bool"); // H3: qualified_teachers
        sheet.write_formula(3, 13, Formula::new("=NA()").set_result("#N/A")).expect("error"); // N4
        sheet.write_formula(3, 12, Formula::new("=1/0").set_result("#DIV/0!")).expect("error"); // M4
    });
    let found = xlsx_problems(&book);
    let cells: Vec<(Option<&str>, &str, Option<&str>)> =
        found.iter().map(|error| (error.cell.as_deref(), error.code, error.value.as_deref())).collect();
    assert_eq!(
        cells,
        vec![
            (Some("F2"), "date_not_number", Some("2026-08-31")),
            (Some("H3"), "bool_not_number", Some("true")),
            (Some("M4"), "sheet_error", Some("#DIV/0!")),
            (Some("N4"), "sheet_error", Some("#N/A")),
        ],
        "{found:#?}"
    );
    assert_eq!(found[0].source, "data.xlsx (学校)");
    assert_eq!(found[0].subject.as_deref(), Some("S1 第一小学"));
}

#[test]
fn an_empty_schools_table_is_refused_in_every_format() {
    assert_eq!(places(&csv_problems(format!("{HEADER}\r\n").as_bytes())), vec![(None, None, "empty_table")]);
    assert_eq!(places(&xlsx_problems(&workbook(&[], |_| {}))), vec![(None, None, "empty_table")]);
    let dir = tempfile::tempdir().expect("folder");
    let json = dir.path().join("data.json");
    std::fs::write(&json, r#"{"counties": [{"id": "410825", "name": "温县"}], "schools": []}"#).expect("write");
    let found = problems_of(&json);
    assert_eq!(places(&found), vec![(None, None, "empty_table")]);
    assert!(found[0].message.contains("`schools` table has no records"), "{}", found[0]);
}

#[test]
fn json_problems_of_every_record_are_listed_together() {
    let dir = tempfile::tempdir().expect("folder");
    let json = dir.path().join("data.json");
    let record = |id: &str, students: &str| {
        format!(
            r#"{{"id": "{id}", "name": "学校{id}", "county_id": "410825", "stage": "primary", "kind": "regular",
              "primary_students": {students}, "junior_students": 0, "qualified_teachers": 25, "backbone_teachers": 6,
              "pe_art_teachers": 5, "teaching_area_m2": 2500, "sports_area_m2": 4000, "equipment_value_yuan": 1100000,
              "multimedia_rooms": 13}}"#
        )
    };
    let records = [record("S1", "[500]"), record("S2", "\"many\""), record("S3", "{\"n\": 1}")];
    std::fs::write(
        &json,
        format!(
            "\u{feff}{{\"counties\": [{{\"id\": \"410825\", \"name\": \"温县\"}}], \"schools\": [{}]}}",
            records.join(",")
        ),
    )
    .expect("write");
    let found = problems_of(&json);
    assert_eq!(
        places(&found),
        vec![
            (Some(1), Some("primary_students"), "nested_value"),
            (Some(2), Some("primary_students"), "not_integer"),
            (Some(3), Some("primary_students"), "nested_value"),
        ]
    );
}

#[test]
fn a_numeric_json_id_above_2_pow_53_is_refused() {
    let dir = tempfile::tempdir().expect("folder");
    let json = dir.path().join("data.json");
    std::fs::write(
        &json,
        r#"{"counties": [{"id": 410825, "name": "温县"}, {"id": 9007199254740993, "name": "甲"}, {"id": 9007199254740992, "name": "乙"}]}"#,
    )
    .expect("write");
    let data = Dataset::load(&json).expect("loads");
    let found = dataset::prepare(&data, &[]).expect_err("inexact id").0;
    assert_eq!(places(&found), vec![(Some(2), Some("id"), "inexact_id")]);
    assert_eq!(found[0].value.as_deref(), Some("9007199254740993"), "the value quoted is the one in the file");
}

#[test]
fn chinese_enumeration_values_are_accepted_alongside_the_codes() {
    let rows = [ROW_1.replace("primary,regular", "小学,常规学校"), ROW_2.replace("primary,regular", "小学,教学点")];
    let dir = support::dataset_dir(&[
        ("counties.csv", COUNTIES),
        ("schools.csv", &format!("{HEADER}\n{}\n", rows.join("\n"))),
    ]);
    let data = Dataset::load(dir.path()).expect("loads");
    let prepared = dataset::prepare(&data, &[&quality_balance::manifest()]).expect("valid");
    let schools: Vec<_> =
        prepared.packs[0].records[&rules_sdk::wire::Level::School].iter().map(|record| record.to_record()).collect();
    assert_eq!((schools[0]["stage"].as_str(), schools[1]["kind"].as_str()), (Some("primary"), Some("teaching_point")));

    let found = csv_problems(format!("{HEADER}\n{}\n", ROW_1.replace("primary", "高中")).as_bytes());
    assert_eq!(places(&found), vec![(Some(2), Some("stage"), "not_enum")]);
    assert!(found[0].message.contains("`nine_year` (小学, 初中, 九年一贯制)"), "{}", found[0]);
}

#[test]
fn a_misnamed_or_missing_table_names_what_was_expected_and_found() {
    for name in ["schools.csv.csv", "学校.csv", "Schools.CSV"] {
        let dir = support::dataset_dir(&[("counties.csv", COUNTIES), (name, &format!("{HEADER}\n{ROW_1}\n"))]);
        let found = problems_of(dir.path());
        assert_eq!(places(&found), vec![(None, None, "misnamed_table")], "{name}");
        assert!(found[0].message.contains(&format!("expected the file `schools.csv`, but the folder has `{name}`")));
    }
    #[cfg(unix)]
    {
        let dir = support::dataset_dir(&[("counties.csv", COUNTIES)]);
        std::os::unix::fs::symlink(dir.path().join("gone.csv"), dir.path().join("schools.csv")).expect("link");
        assert_eq!(places(&problems_of(dir.path())), vec![(None, None, "dangling_link")]);
    }
    let dir = support::dataset_dir(&[("县.csv", COUNTIES), ("schools.csv", &format!("{HEADER}\n{ROW_1}\n"))]);
    let error = Dataset::load(dir.path()).expect_err("no counties");
    assert!(matches!(error, DatasetError::Problems(_)), "{error}");
    assert!(error.to_string().contains("expected the file `counties.csv`, but the folder has `县.csv`"), "{error}");
    let dir = support::dataset_dir(&[("schools.csv", &format!("{HEADER}\n{ROW_1}\n"))]);
    let error = Dataset::load(dir.path()).expect_err("no counties").to_string();
    assert!(error.contains("found: schools.csv"), "{error}");
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = support::dataset_dir(&[("counties.csv", COUNTIES), ("schools.csv", &format!("{HEADER}\n{ROW_1}\n"))]);
    let schools = dir.path().join("schools.csv");
    let before = std::fs::read(&schools).expect("read");
    let pack = support::quality_balance();
    let output = dudao(
        &["run", "--pack", path(&pack), "--data", path(dir.path()), "--format", "csv", "-o", path(&schools)],
        "C",
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("is one of the inputs"), "{}", text(&output.stderr));
    assert_eq!(std::fs::read(&schools).expect("read"), before, "the dataset is untouched");

    let out = tempfile::tempdir().expect("folder");
    let previous = out.path().join("results.json");
    std::fs::write(&previous, "{}").expect("write");
    let output = dudao(
        &[
            "report",
            "--pack",
            path(&pack),
            "--data",
            path(dir.path()),
            "--date",
            "2026-09-01",
            "--previous",
            path(&previous),
            "--out-dir",
            path(out.path()),
        ],
        "C",
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(&previous).expect("read"), "{}");
}

#[test]
fn a_chinese_locale_shows_chinese_messages_and_lang_overrides_it() {
    let dir = support::dataset_dir(&[
        ("counties.csv", "id,name,parent_id\r\n410825,温县,410800\r\n"),
        ("schools.csv", &format!("\u{feff}{HEADER}\r\n{ROW_1}\r\n{}\r\n", ROW_2.replace("3900", "39OO"))),
    ]);
    let pack = support::quality_balance();
    let args = ["validate", "--pack", path(&pack), "--data", path(dir.path())];
    let zh = dudao(&args, "zh_CN.UTF-8");
    assert_eq!(zh.status.code(), Some(2));
    let stderr = text(&zh.stderr);
    assert!(stderr.contains("数据集有 1 个问题，未进行任何评估"), "{stderr}");
    assert!(
        stderr.contains("schools.csv，第 3 行（S2 第二小学），列 `sports_area_m2`（单元格 L3），值 `39OO`：不是数字"),
        "{stderr}"
    );
    let en = dudao(&args, "C");
    let stderr = text(&en.stderr);
    assert!(
        stderr.contains("schools.csv, row 3 (S2 第二小学), column `sports_area_m2` (L3), value `39OO`: not a number"),
        "{stderr}"
    );
    let forced = dudao(&[&args[..], &["--lang", "zh"]].concat(), "C");
    assert!(text(&forced.stderr).contains("不是数字"), "{}", text(&forced.stderr));
}

#[test]
fn validate_checks_without_evaluating() {
    let good = dudao(&["validate", "--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", "fixtures/jiaozuo"], "C");
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(text(&good.stdout).contains("is valid for 6 packs: 11 counties"), "{}", text(&good.stdout));
    let dir = support::dataset_dir(&[("counties.csv", COUNTIES), ("schools.csv", &format!("{HEADER}\n"))]);
    let pack = support::quality_balance();
    let bad = dudao(&["validate", "--pack", path(&pack), "--data", path(dir.path())], "C");
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("has no records"), "{}", text(&bad.stderr));
    assert!(bad.stdout.is_empty());
}

/// Fills the template's sheets from the fixture CSV files, column by column as the headers
/// name them.
fn fill(template: &Path, fixture: &Path, filled: &Path) {
    let mut reader: Xlsx<_> = calamine::open_workbook(template).expect("template opens");
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    for sheet in reader.sheet_names() {
        if sheet == "填报说明" {
            continue;
        }
        let table = match sheet.as_str() {
            "市" => "cities",
            "县" => "counties",
            "督学责任区" => "zones",
            "学校" => "schools",
            other => panic!("unexpected sheet {other}"),
        };
        let range = reader.worksheet_range(&sheet).expect("sheet");
        let headers: Vec<String> = range.rows().next().expect("header").iter().map(Data::to_string).collect();
        let mut csv = csv::Reader::from_path(fixture.join(format!("{table}.csv"))).expect("fixture");
        let columns: Vec<String> = csv.headers().expect("header").iter().map(str::to_owned).collect();
        let out = book.add_worksheet().set_name(&sheet).expect("name");
        for (c, header) in headers.iter().enumerate() {
            out.write_string(0, c as u16, header).expect("header");
        }
        for (r, record) in csv.records().enumerate() {
            let record = record.expect("record");
            for (c, header) in headers.iter().enumerate() {
                let code = dataset::column_name(header);
                let index = columns.iter().position(|column| *column == code).unwrap_or_else(|| panic!("{code}"));
                let value = &record[index];
                let (r, c) = ((r + 1) as u32, c as u16);
                let id_like = code == "id" || code == "name" || code.ends_with("_id");
                match value.parse::<f64>() {
                    _ if value.is_empty() => {}
                    Ok(number) if !id_like => {
                        out.write_number(r, c, number).expect("number");
                    }
                    _ => {
                        out.write_string_with_format(r, c, value, &text).expect("text");
                    }
                }
            }
        }
    }
    book.save(filled).expect("save");
}

#[test]
fn the_template_round_trips_generate_fill_validate_run() {
    let dir = tempfile::tempdir().expect("folder");
    let template = dir.path().join("填报模板.xlsx");
    let made = dudao(&["template", "--plan", "fixtures/plans/jiaozuo-2026.toml", "-o", path(&template)], "C");
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));

    let mut reader: Xlsx<_> = calamine::open_workbook(&template).expect("opens");
    assert_eq!(reader.sheet_names(), vec!["市", "县", "督学责任区", "学校", "填报说明"]);
    let schools = reader.worksheet_range("学校").expect("sheet");
    let headers: Vec<String> = schools.rows().next().expect("header").iter().map(Data::to_string).collect();
    assert_eq!(
        &headers[..4],
        &["编号（id）", "名称（name）", "所属县编号（county_id）", "所属督学责任区编号（zone_id）"]
    );
    assert!(headers.contains(&"学段（stage）".to_owned()), "{headers:?}");
    let guide = reader.worksheet_range("填报说明").expect("guide");
    let stage =
        guide.rows().find(|row| matches!(&row[2], Data::String(code) if code == "stage")).expect("stage explained");
    assert_eq!(stage[5].to_string(), "小学（primary）、初中（junior）、九年一贯制（nine_year）");
    let sheet_xml = {
        let file = std::fs::File::open(&template).expect("open");
        let mut zip = zip_entry(file, "xl/worksheets/sheet4.xml");
        std::mem::take(&mut zip)
    };
    assert!(sheet_xml.contains("<dataValidation type=\"list\""), "drop-downs for enumerations");
    assert!(sheet_xml.contains("type=\"whole\" operator=\"greaterThanOrEqual\""), "whole numbers ≥ 0 for counts");

    let filled = dir.path().join("filled.xlsx");
    fill(&template, &support::fixture("jiaozuo"), &filled);
    let valid = dudao(&["validate", "--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", path(&filled)], "C");
    assert_eq!(valid.status.code(), Some(0), "{}", text(&valid.stderr));
    let run = |data: &str| {
        let output =
            dudao(&["run", "--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", data, "--format", "csv"], "C");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        output.stdout
    };
    assert!(run(path(&filled)) == run("fixtures/jiaozuo"), "the filled template gives the fixtures' results");
}

/// One file of a zip archive, as text (the workbook's XML).
fn zip_entry(file: std::fs::File, name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("read");
    text
}

#[test]
fn an_empty_schools_table_stops_a_plan_run_once_naming_every_pack_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("folder");
    for table in ["cities", "counties", "zones"] {
        let file = format!("{table}.csv");
        std::fs::copy(support::fixture("jiaozuo").join(&file), dir.path().join(&file)).expect("copy");
    }
    let header = std::fs::read_to_string(support::fixture("jiaozuo").join("schools.csv")).expect("read");
    std::fs::write(dir.path().join("schools.csv"), format!("{}\r\n", header.lines().next().expect("header")))
        .expect("write");
    let out = dir.path().join("results.csv");
    let output = dudao(
        &[
            "run",
            "--plan",
            "fixtures/plans/jiaozuo-2026.toml",
            "--data",
            path(dir.path()),
            "--format",
            "csv",
            "-o",
            path(&out),
        ],
        "C",
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.matches("has no records").count(), 1, "{stderr}");
    assert!(stderr.contains("packs `quality-balance`, `government-duty`, `school-supervision`"), "{stderr}");
    assert!(!out.exists(), "nothing is written");
}
