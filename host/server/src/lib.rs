//! 督导综合管理平台 (the city's inspection platform): a web service with a Chinese user
//! interface and a JSON API (`/api/v1/`) on top of the dudao engine.
//!
//! Storage is SQLite in a data folder by default, or PostgreSQL ([`db`]). The organisation
//! (city, counties, 督学责任区, schools) is imported from a dataset with the engine's validator
//! ([`org`]). Accounts belong to one unit with a role and see only that unit's subtree
//! ([`access`]). Rounds are created from plan files, run in the background and published
//! ([`engine`]); their not-met findings become rectification items.
//!
//! ```no_run
//! # async fn demo() -> Result<(), dudao_server::Error> {
//! let config = dudao_server::ServeConfig::new("data".into());
//! dudao_server::import_org(&config, "fixtures/jiaozuo".as_ref()).await?;
//! dudao_server::admin_create(&config, "admin", "a long password", "city_admin", "410800").await?;
//! dudao_server::serve(config).await
//! # }
//! ```

pub mod access;
pub mod auth;
pub mod commands;
pub mod db;
pub mod demo;
pub mod engine;
pub mod model;
pub mod openapi;
pub mod org;
pub mod packs;
pub mod paging;
pub mod upload;
mod views;
pub mod web;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use db::{Backend, Db};
pub use model::Role;

/// Why the service or an administrative command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL is neither `postgres://…` nor `sqlite:…`.
    #[error("database URL `{0}` is neither `postgres://…` nor `sqlite:…`")]
    BadDatabaseUrl(String),
    /// A database operation failed.
    #[error("database: {context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The sqlx error.
        source: sqlx::Error,
    },
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(String),
    /// A file or folder cannot be used.
    #[error("cannot use `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The organisation dataset cannot be read.
    #[error("organisation dataset: {0}")]
    Dataset(#[from] dudao_dataset::DatasetError),
    /// The organisation dataset has bad values.
    #[error("organisation dataset: {0}")]
    DataErrors(#[from] dudao_dataset::DataErrors),
    /// An account cannot be created or changed.
    #[error("account `{username}`: {message}")]
    Account {
        /// The account name.
        username: String,
        /// What is wrong.
        message: String,
    },
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A round cannot be created or run (the message, in Chinese, is shown to the user as it is).
    #[error("{0}")]
    Round(String),
}

/// How to run the service.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The data folder: the SQLite database and each round's assembled dataset.
    pub data_dir: PathBuf,
    /// A `postgres://` URL to use PostgreSQL instead of SQLite in the data folder.
    pub database: Option<String>,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Folder of evaluation plans (`*.toml`) rounds are created from.
    pub plans_dir: PathBuf,
    /// The date the service takes as today (`YYYY-MM-DD`), for deadlines; the system date
    /// when `None`.
    pub today: Option<String>,
    /// Worker threads for evaluations (default: one per core).
    pub threads: Option<usize>,
}

impl ServeConfig {
    /// Defaults: listen on 127.0.0.1:8080, plans from `fixtures/plans`.
    pub fn new(data_dir: PathBuf) -> ServeConfig {
        ServeConfig {
            data_dir,
            database: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            plans_dir: PathBuf::from("fixtures/plans"),
            today: None,
            threads: None,
        }
    }
}

/// Progress of a running round: units done and total.
pub type ProgressMap = Arc<Mutex<HashMap<i64, (usize, usize)>>>;

/// What every request handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The configuration.
    pub config: Arc<ServeConfig>,
    /// Running rounds' progress.
    pub progress: ProgressMap,
    /// Login rate limits.
    pub limits: Arc<auth::LoginLimits>,
    /// The date taken as today; tests move it forward to let deadlines pass.
    pub today: Arc<Mutex<Option<String>>>,
    /// Plans and pack manifests of rounds, loaded once.
    pub manifests: Arc<Mutex<HashMap<i64, Arc<(dudao_engine::plan::Plan, Vec<rules_sdk::wire::Manifest>)>>>>,
    /// Templates.
    views: Arc<views::Views>,
}

impl AppState {
    /// Opens the database (running migrations) and marks rounds interrupted by a previous stop.
    ///
    /// # Errors
    ///
    /// As [`Db::open`].
    pub async fn open(config: ServeConfig) -> Result<AppState, Error> {
        let db = Db::open(&config.data_dir, config.database.as_deref()).await?;
        engine::recover_interrupted(&db).await?;
        Ok(AppState {
            db,
            today: Arc::new(Mutex::new(config.today.clone())),
            config: Arc::new(config),
            progress: Arc::default(),
            limits: Arc::new(auth::LoginLimits::new()),
            manifests: Arc::default(),
            views: Arc::new(views::Views::new()),
        })
    }

    /// Today as `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        let fixed = self.today.lock().map(|today| today.clone()).unwrap_or_default();
        fixed.unwrap_or_else(|| {
            let now = time::OffsetDateTime::now_utc().date();
            format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
        })
    }

    /// Sets the date taken as today.
    pub fn set_today(&self, date: Option<String>) {
        if let Ok(mut today) = self.today.lock() {
            *today = date;
        }
    }
}

/// Runs the service until it is stopped (Ctrl-C or SIGTERM).
///
/// # Errors
///
/// When the database cannot be opened or the address cannot be bound.
pub async fn serve(config: ServeConfig) -> Result<(), Error> {
    let addr = config.listen;
    let state = AppState::open(config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    eprintln!("督导综合管理平台 listening on http://{bound}/");
    serve_on(state, listener).await
}

/// The demo: seeds a fresh data folder with `dataset`, the demo accounts and the round of `plan`
/// (run and published), prints the address and the accounts, and serves.
///
/// # Errors
///
/// As [`serve`], or when seeding fails.
pub async fn serve_demo(config: ServeConfig, dataset: &Path, plan: &str) -> Result<(), Error> {
    let addr = config.listen;
    let state = AppState::open(config).await?;
    demo::seed(&state, dataset, plan).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    println!("督导综合管理平台: http://{bound}/   (公开报告: http://{bound}/public)");
    println!("演示账号（密码均为 `{}`）：", demo::DEMO_PASSWORD);
    for (name, role, unit) in demo::DEMO_ACCOUNTS {
        println!("  {name:<16} {}  单位 {unit}", role.chinese());
    }
    serve_on(state, listener).await
}

/// Serves `state` on an already bound listener (tests bind port 0).
///
/// # Errors
///
/// When serving fails.
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> Result<(), Error> {
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr: ([0, 0, 0, 0], 0).into(), source })?;
    let app = web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| Error::Bind { addr, source })
}

/// Imports (or updates) the organisation from a dataset: its city, counties, zones and schools
/// and their records. The dataset is checked by the engine's validator first; nothing is stored
/// when it has problems. Returns the number of units.
///
/// # Errors
///
/// [`Error::Dataset`] or [`Error::DataErrors`] naming file, row, column and value.
pub async fn import_org(config: &ServeConfig, path: &Path) -> Result<usize, Error> {
    let db = Db::open(&config.data_dir, config.database.as_deref()).await?;
    org::import(&db, path).await
}

/// Creates an account (the first city administrator, typically). `role` is one of
/// `city_admin`, `city_inspector`, `county_admin`, `zone_inspector`, `school`.
///
/// # Errors
///
/// [`Error::Account`] when the name is taken, the role unknown, the unit missing or of the
/// wrong level, or the password shorter than 10 characters.
pub async fn admin_create(
    config: &ServeConfig,
    username: &str,
    password: &str,
    role: &str,
    unit_id: &str,
) -> Result<i64, Error> {
    let db = Db::open(&config.data_dir, config.database.as_deref()).await?;
    let role = Role::parse(role).ok_or_else(|| Error::Account {
        username: username.to_owned(),
        message: format!(
            "unknown role `{role}`; expected city_admin, city_inspector, county_admin, zone_inspector or school"
        ),
    })?;
    model::create_account(&db, None, username, password, role, unit_id).await
}

/// Sets a new password for an account and ends its sessions.
///
/// # Errors
///
/// [`Error::Account`] when there is no such account or the password is too short.
pub async fn admin_reset_password(config: &ServeConfig, username: &str, password: &str) -> Result<(), Error> {
    let db = Db::open(&config.data_dir, config.database.as_deref()).await?;
    model::reset_password(&db, username, password).await
}
