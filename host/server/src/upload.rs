//! Data submission: a county's (or a school's) data for a round, as CSV or XLSX, checked with
//! the engine's validator against exactly the fields the round's packs require. All problems
//! are reported together by sheet, row (as Excel numbers it), column and value; nothing is
//! stored until the upload is clean. Also the pre-filled XLSX template of those fields.

use std::collections::BTreeMap;

use dudao_dataset::{self as dataset, Dataset, PrepareOptions};
use dudao_engine::plan::{Plan, ScopeKind};
use rules_sdk::wire::{FieldType, Level, Manifest};
use rust_xlsxwriter::{DataValidation, Format, Workbook};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::Error;
use crate::db::{Db, context};
use crate::model::{Unit, User, audit, now};
use crate::org::{level_name, record_of};

/// The largest upload accepted: 10 MiB, far above a county's data (the Jiaozuo fixture's whole
/// schools table is under 200 KiB); our choice.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// One problem in an upload.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The sheet or file (and table).
    pub sheet: String,
    /// The row, as a spreadsheet numbers it (the header is row 1).
    pub row: Option<usize>,
    /// The column.
    pub column: Option<String>,
    /// The value as written.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// An accepted submission.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submission {
    /// Version, from 1.
    pub version: i64,
    /// Who.
    pub username: String,
    /// When.
    pub at: String,
    /// The uploaded file's name.
    pub filename: String,
    /// sha256 of the uploaded file.
    pub sha256: String,
}

/// The fields the round's packs require at each level, for `unit`'s county: standard packs
/// everywhere, local packs in their county. Field specs by level, in pack order, once each.
pub fn required_fields(
    plan: &Plan,
    manifests: &[Manifest],
    county: Option<&str>,
) -> BTreeMap<Level, Vec<rules_sdk::wire::FieldSpec>> {
    let mut fields: BTreeMap<Level, Vec<rules_sdk::wire::FieldSpec>> = BTreeMap::new();
    for (pack, manifest) in plan.packs.iter().zip(manifests) {
        if pack.scope == ScopeKind::Local && pack.county.as_deref() != county {
            continue;
        }
        for input in &manifest.inputs {
            let list = fields.entry(input.level).or_default();
            for field in &input.fields {
                if !list.iter().any(|known| known.name == field.name) {
                    list.push(field.clone());
                }
            }
        }
    }
    fields
}

fn link_columns(level: Level) -> &'static [&'static str] {
    match level {
        Level::City => &["id", "name"],
        Level::County => &["id", "name", "parent_id"],
        Level::Zone => &["id", "name", "county_id"],
        Level::School => &["id", "name", "county_id", "zone_id"],
    }
}

/// The sheets of a template for `unit`: its county's record, zones and schools (a county); for
/// a school, its county and zone (for the links, not taken from an upload) and its own record.
fn template_levels(_unit: &Unit) -> Vec<Level> {
    vec![Level::County, Level::Zone, Level::School]
}

/// Makes the pre-filled XLSX template of a unit for a round: one sheet per level, the link
/// columns and exactly the fields the round's packs require, the current values filled in,
/// drop-downs for enumerations and booleans.
///
/// # Errors
///
/// [`Error::Round`] when the workbook cannot be made.
pub fn template(
    plan: &Plan,
    manifests: &[Manifest],
    unit: &Unit,
    records: &BTreeMap<String, Vec<Map<String, Value>>>,
) -> Result<Vec<u8>, Error> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Round(format!("无法生成填报模板：{e}"));
    let fields = required_fields(plan, manifests, unit.county_id.as_deref());
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    for level in template_levels(unit) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(dataset::TableSpec::of(level).name).map_err(fail)?;
        let mut columns: Vec<(String, Option<&rules_sdk::wire::FieldSpec>)> =
            link_columns(level).iter().map(|c| ((*c).to_owned(), None)).collect();
        for field in fields.get(&level).into_iter().flatten() {
            if !columns.iter().any(|(name, _)| *name == field.name) {
                columns.push((field.name.clone(), Some(field)));
            }
        }
        let rows: Vec<&Map<String, Value>> = records
            .get(level_name(level))
            .into_iter()
            .flatten()
            .filter(|record| {
                let text = |key: &str| record.get(key).and_then(Value::as_str);
                let county = unit.county_id.as_deref();
                match level {
                    Level::County => text("id") == county,
                    Level::Zone if unit.level == "county" => text("county_id") == county,
                    Level::Zone => text("id") == unit.zone_id.as_deref(),
                    _ if unit.level == "county" => text("county_id") == county,
                    _ => text("id") == Some(unit.id.as_str()),
                }
            })
            .collect();
        for (col, (name, spec)) in columns.iter().enumerate() {
            let col = col as u16;
            sheet.write_string_with_format(0, col, name, &header).map_err(fail)?;
            if let Some(spec) = spec {
                if !spec.description.is_empty() {
                    let note = rust_xlsxwriter::Note::new(&spec.description).set_author("dudao");
                    sheet.insert_note(0, col, &note).map_err(fail)?;
                }
                let choices: Option<Vec<String>> = match spec.kind {
                    FieldType::Enum => Some(spec.values.clone()),
                    FieldType::Boolean => Some(vec!["true".to_owned(), "false".to_owned()]),
                    _ => None,
                };
                if let Some(choices) = choices
                    && !rows.is_empty()
                {
                    let validation = DataValidation::new().allow_list_strings(choices.as_slice()).map_err(fail)?;
                    sheet.add_data_validation(1, col, rows.len() as u32, col, &validation).map_err(fail)?;
                }
            }
            for (index, record) in rows.iter().enumerate() {
                let row = index as u32 + 1;
                let Some(text) = record.get(name).and_then(Value::as_str) else { continue };
                let numeric = spec.is_some_and(|s| matches!(s.kind, FieldType::Integer | FieldType::Number));
                match text.parse::<f64>() {
                    Ok(number) if numeric => sheet.write_number(row, col, number).map_err(fail)?,
                    _ => sheet.write_string(row, col, text).map_err(fail)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    workbook.save_to_buffer().map_err(fail)
}

/// The outcome of an upload.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UploadOutcome {
    /// The stored version, when the upload was clean.
    pub version: Option<i64>,
    /// Every problem found (empty when stored).
    pub problems: Vec<Problem>,
}

/// Checks an upload and stores it as the unit's next version when it has no problems.
///
/// # Errors
///
/// On a database or file failure; problems in the data are in the outcome.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    user: &User,
    round_id: i64,
    plan: &Plan,
    manifests: &[Manifest],
    unit: &Unit,
    previous: Option<&std::path::Path>,
    filename: &str,
    bytes: &[u8],
) -> Result<UploadOutcome, Error> {
    let records = crate::engine::round_records(db, round_id).await?;
    let previous = previous.map(Dataset::load).transpose()?;
    let (rows, problems) = check(plan, manifests, unit, previous.as_ref(), filename, bytes, &records)?;
    if !problems.is_empty() {
        return Ok(UploadOutcome { version: None, problems });
    }
    let sha256 = dataset::sha256_hex(bytes);
    let rows_text = Value::Array(rows.into_iter().map(Value::Object).collect()).to_string();
    let mut tx = db.begin_write().await.map_err(context("storing a submission"))?;
    let last =
        sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM submissions WHERE round_id = $1 AND unit_id = $2")
            .bind(round_id)
            .bind(&unit.id)
            .fetch_one(&mut *tx)
            .await
            .map_err(context("storing a submission"))?;
    let version = last.try_get::<i64, _>("v").map_err(context("storing a submission"))? + 1;
    sqlx::query(
        "INSERT INTO submissions (round_id, unit_id, version, account_id, at, filename, sha256, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(round_id)
    .bind(&unit.id)
    .bind(version)
    .bind(user.id)
    .bind(now())
    .bind(filename)
    .bind(&sha256)
    .bind(&rows_text)
    .execute(&mut *tx)
    .await
    .map_err(context("storing a submission"))?;
    let before = sqlx::query("SELECT rows FROM submissions WHERE round_id = $1 AND unit_id = $2 AND version = $3")
        .bind(round_id)
        .bind(&unit.id)
        .bind(version - 1)
        .fetch_optional(&mut *tx)
        .await
        .map_err(context("storing a submission"))?
        .and_then(|row| row.try_get::<String, _>("rows").ok());
    audit(
        &mut tx,
        Some(user),
        "提交数据",
        &format!("round:{round_id} unit:{} v{version} {filename}", unit.id),
        before.as_deref(),
        Some(&rows_text),
    )
    .await?;
    tx.commit().await.map_err(context("storing a submission"))?;
    Ok(UploadOutcome { version: Some(version), problems: Vec::new() })
}

/// Validates an upload; returns its records and every problem.
fn check(
    plan: &Plan,
    manifests: &[Manifest],
    unit: &Unit,
    previous: Option<&Dataset>,
    filename: &str,
    bytes: &[u8],
    records: &BTreeMap<String, Vec<Map<String, Value>>>,
) -> Result<(Vec<Map<String, Value>>, Vec<Problem>), Error> {
    let lower = filename.to_lowercase();
    let is_xlsx = lower.ends_with(".xlsx");
    if !is_xlsx && !lower.ends_with(".csv") {
        let problem = Problem {
            sheet: filename.to_owned(),
            row: None,
            column: None,
            value: None,
            message: "只接受 .xlsx 或 .csv 文件".to_owned(),
        };
        return Ok((Vec::new(), vec![problem]));
    }
    let county = unit.county_id.clone().unwrap_or_default();
    let temp = tempfile::tempdir().map_err(|source| Error::Io { path: std::env::temp_dir(), source })?;
    let io = |path: std::path::PathBuf| move |source| Error::Io { path, source };
    // The uploaded file keeps its name (without any folder), so problems name it as the user
    // knows it.
    let safe: String =
        filename.rsplit(['/', '\\']).next().unwrap_or("upload").chars().filter(|c| !c.is_control()).collect();
    let path = if is_xlsx {
        let path = temp.path().join(if safe.is_empty() { "upload.xlsx".to_owned() } else { safe.clone() });
        std::fs::write(&path, bytes).map_err(io(path.clone()))?;
        path
    } else {
        // A CSV upload is the schools table; the county's own record and zones come from the
        // platform so that links are checked.
        let folder = temp.path().join("data");
        let mut context: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
        for level in ["county", "zone"] {
            let list: Vec<Map<String, Value>> = records
                .get(level)
                .into_iter()
                .flatten()
                .filter(|record| {
                    let key = if level == "county" { "id" } else { "county_id" };
                    record.get(key).and_then(Value::as_str) == Some(county.as_str())
                })
                .cloned()
                .collect();
            context.insert(level.to_owned(), list);
        }
        crate::engine::write_csv_folder(&folder, &context)?;
        let path = folder.join("schools.csv");
        std::fs::write(&path, bytes).map_err(io(path.clone()))?;
        folder
    };
    let data = match Dataset::load(&path) {
        Ok(data) => data,
        Err(error) => {
            let problem = Problem { sheet: safe, row: None, column: None, value: None, message: error.to_string() };
            return Ok((Vec::new(), vec![problem]));
        }
    };
    let shown = |source: &str| {
        source.strip_prefix(&format!("{}/", path.display())).map(str::to_owned).unwrap_or_else(|| {
            source.replace(&format!("{}", temp.path().display()), "").trim_start_matches('/').to_owned()
        })
    };
    let mut problems = Vec::new();
    // Local packs of other counties do not apply to this upload.
    let applicable: Vec<usize> = plan
        .packs
        .iter()
        .enumerate()
        .filter(|(_, pack)| pack.scope == ScopeKind::Standard || pack.county.as_deref() == Some(county.as_str()))
        .map(|(index, _)| index)
        .collect();
    let chosen: Vec<&Manifest> = applicable.iter().map(|&index| &manifests[index]).collect();
    let options = PrepareOptions { previous, ..Default::default() };
    if let Err(errors) = dataset::prepare_with(&data, &chosen, &options) {
        for error in errors.0 {
            problems.push(Problem {
                sheet: shown(&error.source),
                row: error.row,
                column: error.column,
                value: error.value,
                message: error.message,
            });
        }
    }
    let known: BTreeMap<&str, (&str, Option<&str>)> = records
        .iter()
        .flat_map(|(level, list)| {
            list.iter().filter_map(move |record| {
                let id = record.get("id").and_then(Value::as_str)?;
                Some((id, (level.as_str(), record.get("county_id").and_then(Value::as_str))))
            })
        })
        .collect();
    let mut rows = Vec::new();
    // A CSV upload is only the schools table; the rest of its folder came from the platform. A
    // school's workbook carries its county and zone for the links only.
    for table in data.tables().filter(|table| (is_xlsx && unit.level == "county") || table.level == Level::School) {
        let level = level_name(table.level);
        for row in &table.rows {
            let record = record_of(table, row);
            let id = record.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
            let mut refuse = |message: String| {
                problems.push(Problem {
                    sheet: shown(&table.source),
                    row: Some(row.number),
                    column: Some("id".to_owned()),
                    value: Some(id.clone()),
                    message,
                })
            };
            let allowed = match (unit.level.as_str(), level) {
                ("county", "county") => id == unit.id,
                ("county", "zone") => {
                    known.get(id.as_str()).is_some_and(|(l, c)| *l == "zone" && *c == Some(unit.id.as_str()))
                }
                ("county", "school") => {
                    known.get(id.as_str()).is_some_and(|(l, c)| *l == "school" && *c == Some(unit.id.as_str()))
                }
                ("school", "school") => id == unit.id,
                _ => false,
            };
            if !known.contains_key(id.as_str()) {
                refuse(format!("平台中没有编号为 {id} 的单位；新单位须由市级导入组织机构"));
            } else if !allowed {
                refuse(format!("该行不属于{}（{}），不能由本单位提交", unit.name, unit.id));
            } else {
                rows.push(record);
            }
        }
    }
    Ok((rows, problems))
}

/// The accepted versions of a unit's submissions for a round, newest first.
///
/// # Errors
///
/// On a database failure.
pub async fn submissions(db: &Db, round_id: i64, unit_id: &str) -> Result<Vec<Submission>, Error> {
    let rows = sqlx::query(
        "SELECT s.version, a.username, s.at, s.filename, s.sha256 FROM submissions s JOIN accounts a ON a.id = s.account_id WHERE s.round_id = $1 AND s.unit_id = $2 ORDER BY s.version DESC",
    )
    .bind(round_id)
    .bind(unit_id)
    .fetch_all(&db.pool)
    .await
    .map_err(context("reading submissions"))?;
    rows.iter()
        .map(|row| {
            Ok(Submission {
                version: row.try_get("version")?,
                username: row.try_get("username")?,
                at: row.try_get("at")?,
                filename: row.try_get("filename")?,
                sha256: row.try_get("sha256")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(context("reading submissions"))
}
