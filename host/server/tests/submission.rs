//! Data submission: the pre-filled template, uploads with every problem shown by row and
//! column, nothing stored until clean, versions, and concurrent uploads.

use serde_json::json;

use crate::common::{self, Server};

/// County `county`'s schools from the fixture as CSV, with `edits` (row as a spreadsheet
/// numbers it, column, value) applied.
fn schools_csv(county: &str, edits: &[(usize, &str, &str)]) -> Vec<u8> {
    let mut reader = csv::Reader::from_path(common::root().join("fixtures/jiaozuo/schools.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let county_column = header.iter().position(|h| h == "county_id").unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    let rows: Vec<csv::StringRecord> =
        reader.records().map(Result::unwrap).filter(|row| &row[county_column] == county).collect();
    for (index, row) in rows.iter().enumerate() {
        let mut cells: Vec<String> = row.iter().map(str::to_owned).collect();
        for (edit_row, column, value) in edits {
            if *edit_row == index + 2 {
                let at = header.iter().position(|h| h == *column).unwrap();
                cells[at] = (*value).to_owned();
            }
        }
        writer.write_record(&cells).unwrap();
    }
    writer.into_inner().unwrap()
}

#[tokio::test]
async fn county_upload_shows_every_problem_stores_nothing_then_accepts_the_fix() {
    for backend in common::backends() {
        let server = Server::start(backend).await;
        let city = server.login("city").await;
        let (status, created) = city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await;
        assert_eq!(status, 200, "{created}");
        let round = created["id"].as_i64().unwrap();
        let county = server.login("county-a").await;
        let page = format!("/rounds/{round}/data/410802");

        let bad = schools_csv("410802", &[(3, "qualified_teachers", "很多"), (5, "stage", "college")]);
        let (status, html) = county.post_file(&page, &[], ("schools.csv", bad)).await;
        assert_eq!(status, 422, "{backend}");
        assert!(html.contains("文件有 2 处问题，未保存任何数据"), "{html}");
        for (row, column, value) in [("3", "qualified_teachers", "很多"), ("5", "stage", "college")] {
            let shown = format!("<td>schools.csv</td><td>{row}</td><td>{column}</td><td>{value}</td>");
            assert!(html.contains(&shown), "{backend}: problem at row {row} column {column} is listed: {html}");
        }
        let (_, versions) = county.get_json(&format!("/api/v1/rounds/{round}/data/410802")).await;
        assert_eq!(versions["submissions"].as_array().unwrap().len(), 0, "nothing stored");

        let foreign = schools_csv("410803", &[]);
        let (status, html) = county.post_file(&page, &[], ("schools.csv", foreign)).await;
        assert_eq!(status, 422);
        assert!(html.contains("不属于解放区"), "another county's schools are refused: {html}");

        let fixed = schools_csv("410802", &[(3, "qualified_teachers", "80")]);
        let (status, html) = county.post_file(&page, &[], ("schools.csv", fixed.clone())).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("已接收，第 1 版"));
        let (_, versions) = county.get_json(&format!("/api/v1/rounds/{round}/data/410802")).await;
        let list = versions["submissions"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["username"], "county-a");
        assert_eq!(list[0]["sha256"], dudao_dataset::sha256_hex(&fixed));
        let records = dudao_server::engine::round_records(&server.state.db, round).await.unwrap();
        let third = records["school"].iter().filter(|r| r["county_id"] == "410802").nth(1).unwrap();
        assert_eq!(third["qualified_teachers"], "80", "the accepted upload is the round's data");
    }
}

#[tokio::test]
async fn template_has_the_round_columns_prefilled_and_an_xlsx_upload_names_excel_rows() {
    use calamine::{Reader, Xlsx};
    let server = Server::start("sqlite").await;
    let city = server.login("city").await;
    let round = city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await.1["id"].as_i64().unwrap();
    let county = server.login("county-a").await;
    let (status, bytes) = county.get_bytes(&format!("/rounds/{round}/data/410802/template.xlsx")).await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), vec!["counties".to_owned(), "zones".to_owned(), "schools".to_owned()]);
    let schools = book.worksheet_range("schools").unwrap();
    let header: Vec<String> = schools.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    for column in ["id", "county_id", "zone_id", "qualified_teachers", "matter_curriculum"] {
        assert!(header.iter().any(|h| h == column), "template has {column}: {header:?}");
    }
    assert!(!header.iter().any(|h| h == "taiji_classes_per_week"), "温县's local pack is not asked of 解放区");
    assert_eq!(schools.rows().count(), 25, "header and the county's 24 schools");
    // The drop-downs: the sheet XML carries list validations.
    let xml = {
        let mut zip = zip_entries(&bytes);
        zip.remove("xl/worksheets/sheet3.xml").unwrap()
    };
    assert!(xml.contains("<dataValidation type=\"list\""), "enumerations have drop-downs");

    // Uploaded unchanged, the template is clean; with one bad cell, the problem names the sheet
    // and the row as Excel numbers it.
    let page = format!("/rounds/{round}/data/410802");
    let (status, html) = county.post_file(&page, &[], ("模板.xlsx", bytes.clone())).await;
    assert_eq!(status, 200, "{html}");
    let broken =
        rewrite_cell(&bytes, "schools", 4, header.iter().position(|h| h == "qualified_teachers").unwrap(), "x");
    let (status, html) = county.post_file(&page, &[], ("模板.xlsx", broken)).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("<td>5</td><td>qualified_teachers</td><td>x</td>"), "Excel row 5 (4th school): {html}");
}

fn zip_entries(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::HashMap::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut file, &mut text).is_ok() {
            out.insert(file.name().map(|n| n.to_string()).unwrap_or_default(), text);
        }
    }
    out
}

/// The workbook with one cell (0-based data row `row` below the header, column `col`) of
/// sheet `sheet` replaced by text, re-written with rust_xlsxwriter from calamine's reading.
fn rewrite_cell(bytes: &[u8], sheet: &str, row: usize, col: usize, value: &str) -> Vec<u8> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let target = out.add_worksheet();
        target.set_name(&name).unwrap();
        for (r, cells) in range.rows().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r32, c16) = (r as u32, c as u16);
                if name == sheet && r == row && c == col {
                    target.write_string(r32, c16, value).unwrap();
                    continue;
                }
                match cell {
                    Data::Float(f) => target.write_number(r32, c16, *f).map(|_| ()).unwrap(),
                    Data::Int(i) => target.write_number(r32, c16, *i as f64).map(|_| ()).unwrap(),
                    Data::Empty => {}
                    other => target.write_string(r32, c16, other.to_string()).map(|_| ()).unwrap(),
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

#[tokio::test]
async fn concurrent_uploads_by_two_counties_both_land() {
    for backend in common::backends() {
        let server = Server::start(backend).await;
        let city = server.login("city").await;
        let round =
            city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await.1["id"].as_i64().unwrap();
        let a = server.login("county-a").await;
        let b = server.login("county-b").await;
        let (pa, pb) = (format!("/rounds/{round}/data/410802"), format!("/rounds/{round}/data/410803"));
        let ((sa, ha), (sb, hb)) = tokio::join!(
            a.post_file(&pa, &[], ("a.csv", schools_csv("410802", &[]))),
            b.post_file(&pb, &[], ("b.csv", schools_csv("410803", &[]))),
        );
        assert_eq!((sa, sb), (200, 200), "{backend}: {ha} {hb}");
        for (client, unit) in [(&a, "410802"), (&b, "410803")] {
            let (_, versions) = client.get_json(&format!("/api/v1/rounds/{round}/data/{unit}")).await;
            assert_eq!(versions["submissions"].as_array().unwrap().len(), 1, "{backend}: {unit} landed");
        }
    }
}
