//! The platform's commands, shared by `dudao serve|demo|admin` and the `dudao-server` binary:
//! run the web service, run the demo, import the organisation and manage accounts.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::ServeConfig;
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct Storage {
    /// The data folder (SQLite database, assembled round datasets); created on first start.
    #[arg(long, value_name = "DIR", default_value = "dudao-data")]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite: `postgres://user:password@host:port/db`.
    #[arg(long, value_name = "URL", env = "DUDAO_DATABASE")]
    database: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Platform {
    /// Runs the web service.
    Serve {
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Folder of evaluation plans rounds are created from.
        #[arg(long, value_name = "DIR", default_value = "fixtures/plans")]
        plans_dir: PathBuf,
        /// Take this date (YYYY-MM-DD) as today, for deadlines.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// Worker threads for evaluations (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// The demo: imports a dataset, creates one account per role, runs and publishes a round,
    /// prints the address and accounts, and serves (a data folder that has accounts is reused).
    Demo {
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Folder of evaluation plans.
        #[arg(long, value_name = "DIR", default_value = "fixtures/plans")]
        plans_dir: PathBuf,
        /// The organisation dataset.
        #[arg(long, value_name = "DATASET", default_value = "fixtures/jiaozuo")]
        data: PathBuf,
        /// The plan file (in the plans folder) of the round.
        #[arg(long, default_value = "jiaozuo-2026.toml")]
        plan: String,
    },
    /// Administration: import the organisation, create accounts, reset passwords.
    Admin {
        #[command(flatten)]
        storage: Storage,
        #[command(subcommand)]
        action: Admin,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum Admin {
    /// Imports the city, counties, zones and schools from a dataset (validated first).
    Import {
        /// The dataset: a folder of CSV files, a `.json` file or a `.xlsx` workbook.
        data: PathBuf,
    },
    /// Creates an account.
    Create {
        /// Account name.
        username: String,
        /// city_admin, city_inspector, county_admin, zone_inspector or school.
        #[arg(long, default_value = "city_admin")]
        role: String,
        /// The unit's id (the city's for city roles).
        #[arg(long)]
        unit: String,
        /// The password; read from DUDAO_PASSWORD when not given.
        #[arg(long, env = "DUDAO_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Sets a new password and ends the account's sessions.
    ResetPassword {
        /// Account name.
        username: String,
        /// The new password; read from DUDAO_PASSWORD when not given.
        #[arg(long, env = "DUDAO_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

fn config(storage: Storage) -> ServeConfig {
    let mut config = ServeConfig::new(storage.data_dir);
    config.database = storage.database;
    config
}

/// Runs one platform command to its end.
///
/// # Errors
///
/// The service's or the administration's failure, with its context.
pub async fn run(command: Platform) -> anyhow::Result<()> {
    match command {
        Platform::Serve { storage, listen, plans_dir, today, threads } => {
            let mut config = config(storage);
            config.listen = listen;
            config.plans_dir = plans_dir;
            config.today = today;
            config.threads = threads;
            crate::serve(config).await.context("the service stopped")
        }
        Platform::Demo { storage, listen, plans_dir, data, plan } => {
            let mut config = config(storage);
            config.listen = listen;
            config.plans_dir = plans_dir;
            crate::serve_demo(config, &data, &plan).await.context("the demo stopped")
        }
        Platform::Admin { storage, action } => {
            let config = config(storage);
            match action {
                Admin::Import { data } => {
                    let count = crate::import_org(&config, &data).await?;
                    println!("imported {count} units from {}", data.display());
                }
                Admin::Create { username, role, unit, password } => {
                    crate::admin_create(&config, &username, &password, &role, &unit).await?;
                    println!("created account {username} ({role}, unit {unit})");
                }
                Admin::ResetPassword { username, password } => {
                    crate::admin_reset_password(&config, &username, &password).await?;
                    println!("password of {username} reset; its sessions are ended");
                }
            }
            Ok(())
        }
    }
}
