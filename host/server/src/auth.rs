//! Passwords (argon2id), sessions in cookies, CSRF tokens and login rate limits.

use std::net::IpAddr;
use std::num::NonZeroU32;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum_extra::extract::cookie::{Cookie, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::Error;
use crate::db::{Db, context};
use crate::model::{Role, Unit, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dudao_session";
/// The cookie carrying the pre-login CSRF token of the login form (double submit).
pub const LOGIN_CSRF_COOKIE: &str = "dudao_login_csrf";
/// How long a session lasts: one working day (8 h), then the user signs in again. Our
/// choice; OWASP's Session Management Cheat Sheet asks for an absolute timeout fitted to the
/// application's use.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// The shortest password accepted: NIST SP 800-63B §5.1.1.2 requires at least 8 characters;
/// we ask for 10.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password's length.
///
/// # Errors
///
/// A message in English when it is too short.
pub fn check_password_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("the password must have at least {MIN_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// Hashes a password with argon2id (the crate's default parameters, RFC 9106's second
/// recommended option: m = 19 MiB, t = 2, p = 1).
///
/// # Errors
///
/// When hashing fails.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A random token: 32 bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Compares two tokens in constant time.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Login attempts allowed: 5 a minute per account name and 30 a minute per client address
/// (our choice; NIST SP 800-63B §5.2.2 requires limiting failed attempts to at most 100 per
/// account).
#[derive(Debug)]
pub struct LoginLimits {
    by_name: DefaultKeyedRateLimiter<String>,
    by_addr: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginLimits {
    /// The limits above.
    pub fn new() -> LoginLimits {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        LoginLimits { by_name: RateLimiter::keyed(per_minute(5)), by_addr: RateLimiter::keyed(per_minute(30)) }
    }

    /// Whether another attempt is allowed now (and counts it).
    pub fn allow(&self, username: &str, addr: Option<IpAddr>) -> bool {
        let name_ok = self.by_name.check_key(&username.to_owned()).is_ok();
        let addr_ok = addr.is_none_or(|addr| self.by_addr.check_key(&addr).is_ok());
        name_ok && addr_ok
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits::new()
    }
}

/// Checks a name and password; on success starts a session and returns its cookie token.
///
/// # Errors
///
/// On a database failure. A wrong name or password is `Ok(None)`.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<Option<(String, User)>, Error> {
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("signing in"))?;
    let Some(row) = row else {
        // Spend the same time as for a real account, so names cannot be probed by timing.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let password = password.to_owned();
        let _ = tokio::task::spawn_blocking(move || {
            verify_password(&password, DUMMY.get_or_init(|| hash_password("not an account").unwrap_or_default()))
        })
        .await;
        return Ok(None);
    };
    let id: i64 = row.try_get("id").map_err(context("signing in"))?;
    let hash: String = row.try_get("password_hash").map_err(context("signing in"))?;
    let check = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
    };
    if !check {
        return Ok(None);
    }
    let token = random_token();
    let csrf = random_token();
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + SESSION_SECONDS;
    let mut tx = db.pool.begin().await.map_err(context("starting a session"))?;
    sqlx::query("INSERT INTO sessions (token_sha256, account_id, csrf, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(dudao_dataset::sha256_hex(token.as_bytes()))
        .bind(id)
        .bind(&csrf)
        .bind(expires)
        .execute(&mut *tx)
        .await
        .map_err(context("starting a session"))?;
    tx.commit().await.map_err(context("starting a session"))?;
    Ok(session_user(db, &token).await?.map(|user| (token, user)))
}

/// The account of a session cookie, if the session is valid.
///
/// # Errors
///
/// On a database failure.
pub async fn session_user(db: &Db, token: &str) -> Result<Option<User>, Error> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // One query for the session, its account and the account's unit: it runs on every request.
    let row = sqlx::query(
        "SELECT a.id, a.username, a.role, s.csrf, u.id AS unit_id, u.level, u.name, u.county_id, u.zone_id \
         FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN units u ON u.id = a.unit_id \
         WHERE s.token_sha256 = $1 AND s.expires_at > $2",
    )
    .bind(dudao_dataset::sha256_hex(token.as_bytes()))
    .bind(now)
    .fetch_optional(&db.pool)
    .await
    .map_err(context("reading a session"))?;
    let Some(row) = row else { return Ok(None) };
    let get = |name: &str| row.try_get::<String, _>(name).map_err(context("reading a session"));
    let optional = |name: &str| row.try_get::<Option<String>, _>(name).map_err(context("reading a session"));
    let role = Role::parse(&get("role")?)
        .ok_or_else(|| Error::Round(format!("账号的角色 `{}` 无法识别", get("role").unwrap_or_default())))?;
    let unit = Unit {
        id: get("unit_id")?,
        level: get("level")?,
        name: get("name")?,
        county_id: optional("county_id")?,
        zone_id: optional("zone_id")?,
    };
    Ok(Some(User {
        id: row.try_get("id").map_err(context("reading a session"))?,
        username: get("username")?,
        role,
        unit,
        csrf: get("csrf")?,
    }))
}

/// Ends a session.
///
/// # Errors
///
/// On a database failure.
pub async fn logout(db: &Db, token: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
        .bind(dudao_dataset::sha256_hex(token.as_bytes()))
        .execute(&db.pool)
        .await
        .map_err(context("ending a session"))?;
    Ok(())
}

/// A cookie as the service sets it: HttpOnly, SameSite=Strict, Secure, path `/`.
pub fn cookie(name: &'static str, value: String, max_age: Option<i64>) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value)).http_only(true).same_site(SameSite::Strict).secure(true).path("/");
    if let Some(seconds) = max_age {
        cookie = cookie.max_age(time::Duration::seconds(seconds));
    }
    cookie.build()
}
