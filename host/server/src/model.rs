//! Units, accounts and the audit log.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, context};
use crate::{Error, auth};

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 市级管理员: everything, creates, runs and publishes rounds.
    CityAdmin,
    /// 市级督学: reads everything, accepts county rectification reports.
    CityInspector,
    /// 县级管理员: its county; uploads the county's data.
    CountyAdmin,
    /// 责任督学: the schools of its zone; records visits, accepts schools' reports.
    ZoneInspector,
    /// 学校: itself; self-supervision form, own record, rectification reports.
    School,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] =
        [Role::CityAdmin, Role::CityInspector, Role::CountyAdmin, Role::ZoneInspector, Role::School];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CityAdmin => "city_admin",
            Role::CityInspector => "city_inspector",
            Role::CountyAdmin => "county_admin",
            Role::ZoneInspector => "zone_inspector",
            Role::School => "school",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The role in Chinese.
    pub fn chinese(self) -> &'static str {
        match self {
            Role::CityAdmin => "市级管理员",
            Role::CityInspector => "市级督学",
            Role::CountyAdmin => "县级管理员",
            Role::ZoneInspector => "责任督学",
            Role::School => "学校",
        }
    }

    /// The level of the unit an account of this role belongs to.
    pub fn level(self) -> &'static str {
        match self {
            Role::CityAdmin | Role::CityInspector => "city",
            Role::CountyAdmin => "county",
            Role::ZoneInspector => "zone",
            Role::School => "school",
        }
    }

    /// A city-level role (sees everything).
    pub fn is_city(self) -> bool {
        matches!(self, Role::CityAdmin | Role::CityInspector)
    }
}

/// A unit of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// Id (the dataset's).
    pub id: String,
    /// `city`, `county`, `zone` or `school`.
    pub level: String,
    /// Name.
    pub name: String,
    /// Its county (zones and schools; a county's is itself).
    pub county_id: Option<String>,
    /// Its zone (schools).
    pub zone_id: Option<String>,
}

impl Unit {
    /// The level in Chinese.
    pub fn level_chinese(&self) -> &'static str {
        level_chinese(&self.level)
    }
}

/// A level in Chinese.
pub fn level_chinese(level: &str) -> &'static str {
    match level {
        "city" => "市",
        "county" => "县（市、区）",
        "zone" => "督学责任区",
        "school" => "学校",
        _ => "单位",
    }
}

fn unit_of(row: &sqlx::any::AnyRow) -> Result<Unit, sqlx::Error> {
    Ok(Unit {
        id: row.try_get("id")?,
        level: row.try_get("level")?,
        name: row.try_get("name")?,
        county_id: row.try_get("county_id")?,
        zone_id: row.try_get("zone_id")?,
    })
}

/// The unit with this id.
///
/// # Errors
///
/// On a database failure.
pub async fn unit(db: &Db, id: &str) -> Result<Option<Unit>, Error> {
    let row = sqlx::query("SELECT id, level, name, county_id, zone_id FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("reading a unit"))?;
    row.as_ref().map(unit_of).transpose().map_err(context("reading a unit"))
}

/// Every unit, in dataset order (city, counties, zones, schools).
///
/// # Errors
///
/// On a database failure.
pub async fn units(db: &Db) -> Result<Vec<Unit>, Error> {
    let rows = sqlx::query(
        "SELECT id, level, name, county_id, zone_id FROM units ORDER BY CASE level WHEN 'city' THEN 0 WHEN 'county' THEN 1 WHEN 'zone' THEN 2 ELSE 3 END, position",
    )
    .fetch_all(&db.pool)
    .await
    .map_err(context("reading units"))?;
    rows.iter().map(unit_of).collect::<Result<_, _>>().map_err(context("reading units"))
}

/// A signed-in account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Account id.
    pub id: i64,
    /// Account name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// The unit it belongs to.
    pub unit: Unit,
    /// The session's CSRF token.
    #[serde(skip)]
    pub csrf: String,
}

/// Creates an account; `by` is the account doing it (for the audit log), `None` from the
/// command line.
///
/// # Errors
///
/// [`Error::Account`] when the name is taken or empty, the unit missing or of the wrong level
/// for the role, or the password shorter than 10 characters.
pub async fn create_account(
    db: &Db,
    by: Option<&User>,
    username: &str,
    password: &str,
    role: Role,
    unit_id: &str,
) -> Result<i64, Error> {
    let refuse = |message: String| Error::Account { username: username.to_owned(), message };
    if username.trim().is_empty() || username.chars().any(char::is_whitespace) {
        return Err(refuse("the account name must be non-empty and contain no spaces".to_owned()));
    }
    auth::check_password_strength(password).map_err(refuse)?;
    let Some(unit) = unit(db, unit_id).await? else {
        return Err(refuse(format!("unit `{unit_id}` does not exist; import the organisation first")));
    };
    if unit.level != role.level() {
        return Err(refuse(format!(
            "role {} belongs to a {} unit, but `{unit_id}` ({}) is a {} unit",
            role.as_str(),
            role.level(),
            unit.name,
            unit.level
        )));
    }
    let exists = sqlx::query("SELECT id FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("checking an account name"))?;
    if exists.is_some() {
        return Err(refuse("the account name is already taken".to_owned()));
    }
    let hash = auth::hash_password(password).map_err(refuse)?;
    let mut tx = db.pool.begin().await.map_err(context("creating an account"))?;
    let row = sqlx::query(
        "INSERT INTO accounts (username, password_hash, role, unit_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(username)
    .bind(&hash)
    .bind(role.as_str())
    .bind(unit_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(context("creating an account"))?;
    let id: i64 = row.try_get("id").map_err(context("creating an account"))?;
    let after = serde_json::json!({"username": username, "role": role.as_str(), "unit": unit_id}).to_string();
    audit(&mut tx, by, "创建账号", &format!("account:{username}"), None, Some(&after)).await?;
    tx.commit().await.map_err(context("creating an account"))?;
    Ok(id)
}

/// Sets a new password and ends the account's sessions.
///
/// # Errors
///
/// [`Error::Account`] when there is no such account or the password is too short.
pub async fn reset_password(db: &Db, username: &str, password: &str) -> Result<(), Error> {
    let refuse = |message: String| Error::Account { username: username.to_owned(), message };
    auth::check_password_strength(password).map_err(refuse)?;
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("reading an account"))?
        .ok_or_else(|| refuse("there is no such account".to_owned()))?;
    let id: i64 = row.try_get("id").map_err(context("reading an account"))?;
    let before: String = row.try_get("password_hash").map_err(context("reading an account"))?;
    let hash = auth::hash_password(password).map_err(refuse)?;
    let mut tx = db.pool.begin().await.map_err(context("resetting a password"))?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(context("resetting a password"))?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(context("resetting a password"))?;
    audit(&mut tx, None, "重置密码", &format!("account:{username}"), Some(&before), Some(&hash)).await?;
    tx.commit().await.map_err(context("resetting a password"))?;
    Ok(())
}

/// The current time, RFC 3339 in UTC, to the second.
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Writes an audit entry in the same transaction as the write it records: who, when, what, and
/// the sha256 of the state before and after.
///
/// # Errors
///
/// On a database failure (the write is then rolled back with it).
pub async fn audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    by: Option<&User>,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), Error> {
    let digest = |text: Option<&str>| text.map(|text| dudao_dataset::sha256_hex(text.as_bytes()));
    sqlx::query(
        "INSERT INTO audit (at, account_id, username, action, target, before_sha256, after_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(by.map(|user| user.id))
    .bind(by.map_or("（命令行）".to_owned(), |user| user.username.clone()))
    .bind(action)
    .bind(target)
    .bind(digest(before))
    .bind(digest(after))
    .execute(&mut **tx)
    .await
    .map_err(context("writing the audit log"))?;
    Ok(())
}

/// One audit entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub username: String,
    /// What, in Chinese.
    pub action: String,
    /// On what.
    pub target: String,
    /// sha256 of the state before.
    pub before_sha256: Option<String>,
    /// sha256 of the state after.
    pub after_sha256: Option<String>,
}

/// The latest audit entries, newest first.
///
/// # Errors
///
/// On a database failure.
pub async fn audit_log(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, Error> {
    let rows = sqlx::query(
        "SELECT at, username, action, target, before_sha256, after_sha256 FROM audit ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await
    .map_err(context("reading the audit log"))?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                at: row.try_get("at")?,
                username: row.try_get("username")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                before_sha256: row.try_get("before_sha256")?,
                after_sha256: row.try_get("after_sha256")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(context("reading the audit log"))
}
