//! Storage: one data-access layer over SQLite (the default, in the data folder, WAL mode) and
//! PostgreSQL, through sqlx's `Any` driver. Every query is written once with `$1` placeholders,
//! which both databases accept; schema migrations are versioned per database in
//! `host/server/migrations/{sqlite,postgres}` and run at start.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Connection};

use crate::Error;

/// How long a pooled connection may sit idle before it is checked (pinged) again on acquire.
const IDLE_BEFORE_PING: std::time::Duration = std::time::Duration::from_secs(10);

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file in the data folder.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The connection pool and what it is connected to.
#[derive(Debug, Clone)]
pub struct Db {
    /// The pool.
    pub pool: AnyPool,
    /// The database kind.
    pub backend: Backend,
}

impl Db {
    /// Opens the database: `database` when given (a `postgres://` or `sqlite:` URL), otherwise
    /// `platform.sqlite3` in `data_dir` (created with the folder on first start). Runs the
    /// migrations.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] when it cannot be reached or migrated; [`Error::Io`] when the data
    /// folder cannot be created.
    pub async fn open(data_dir: &Path, database: Option<&str>) -> Result<Db, Error> {
        sqlx::any::install_default_drivers();
        std::fs::create_dir_all(data_dir).map_err(|source| Error::Io { path: data_dir.to_owned(), source })?;
        let url = match database {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("platform.sqlite3").display()),
        };
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(Error::BadDatabaseUrl(url));
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|source| Error::Database { context: format!("cannot parse database URL `{url}`"), source })?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            // sqlx pings a connection on every acquire by default: a round trip to the server
            // (or a hand-off to the SQLite thread) before each query, which profiled at 15 % of
            // the service's CPU under load. A connection that has been idle a while is still
            // checked first; one in steady use is not (if its server went away, its query fails
            // and the pool drops it).
            .test_before_acquire(false)
            .before_acquire(|connection, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        connection.ping().await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while a round's results are written; waiting up
                        // to 10 s for the single writer keeps concurrent uploads from failing.
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *connection).await?;
                        sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *connection).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| Error::Database {
                context: format!("cannot open database `{}`", redact(&url)),
                source,
            })?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        };
        migrator.run(&pool).await.map_err(|source| Error::Migrate(source.to_string()))?;
        Ok(Db { pool, backend })
    }
}

impl Db {
    /// Begins a transaction that reads and then writes. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that has read cannot upgrade to a writer
    /// after another connection committed (`SQLITE_BUSY_SNAPSHOT`, which the busy timeout does
    /// not wait out), so two concurrent uploads would fail one of them.
    ///
    /// # Errors
    ///
    /// When no connection can be had or the transaction cannot begin.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Maps a sqlx error into [`Error::Database`] with what was being done.
pub(crate) fn context(what: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |source| Error::Database { context: what.to_owned(), source }
}
