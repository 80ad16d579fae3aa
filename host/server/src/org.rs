//! Importing the organisation — the city, its counties, zones (督学责任区) and schools, with
//! their records — from a dataset, checked by the engine's own validator.

use std::path::Path;

use dudao_dataset::{self as dataset, Dataset, TABLES};
use rules_sdk::wire::Level;
use serde_json::{Map, Value};

use crate::Error;
use crate::db::{Db, context};

/// The stored name of a level.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::City => "city",
        Level::County => "county",
        Level::Zone => "zone",
        Level::School => "school",
    }
}

/// The table (CSV file stem) of a stored level name.
pub fn table_name(level: &str) -> &'static str {
    match level {
        "city" => "cities",
        "county" => "counties",
        "zone" => "zones",
        _ => "schools",
    }
}

/// A record as stored: every non-empty cell as text, by column.
pub fn record_of(table: &dataset::Table, row: &dataset::Row) -> Map<String, Value> {
    table
        .columns
        .iter()
        .zip(&row.cells)
        .filter(|(_, cell)| !matches!(cell, dataset::Cell::Empty))
        .map(|(column, cell)| (column.clone(), Value::String(cell.to_string())))
        .collect()
}

/// Imports a dataset's units; returns how many. Existing units are updated (accounts keep
/// their unit); nothing is stored when the dataset has problems.
///
/// # Errors
///
/// [`Error::Dataset`] or [`Error::DataErrors`], naming file, row, column and value.
pub async fn import(db: &Db, path: &Path) -> Result<usize, Error> {
    let data = Dataset::load(path)?;
    dataset::prepare(&data, &[])?;
    let mut tx = db.pool.begin().await.map_err(context("importing the organisation"))?;
    let mut count = 0;
    for spec in &TABLES {
        let Some(table) = data.table(spec.level) else { continue };
        for (position, row) in table.rows.iter().enumerate() {
            let record = record_of(table, row);
            let text = |name: &str| record.get(name).and_then(Value::as_str).map(str::to_owned);
            let id = text("id").unwrap_or_default();
            let name = text("name").unwrap_or_else(|| id.clone());
            let (county, zone) = match spec.level {
                Level::City => (None, None),
                Level::County => (Some(id.clone()), None),
                Level::Zone => (text("county_id"), None),
                Level::School => (text("county_id"), text("zone_id")),
            };
            sqlx::query(
                "INSERT INTO units (id, level, name, county_id, zone_id, position, record) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET level = excluded.level, name = excluded.name, county_id = excluded.county_id, \
                 zone_id = excluded.zone_id, position = excluded.position, record = excluded.record",
            )
            .bind(&id)
            .bind(level_name(spec.level))
            .bind(&name)
            .bind(county)
            .bind(zone)
            .bind(position as i64)
            .bind(Value::Object(record).to_string())
            .execute(&mut *tx)
            .await
            .map_err(context("importing the organisation"))?;
            count += 1;
        }
    }
    let summary = format!("{} ({} units, sha256 {})", path.display(), count, data.sha256);
    crate::model::audit(&mut tx, None, "导入组织机构", &summary, None, Some(&data.sha256)).await?;
    tx.commit().await.map_err(context("importing the organisation"))?;
    Ok(count)
}
