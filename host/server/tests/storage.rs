//! Storage: SQLite in the data folder (WAL), PostgreSQL, migrations, the organisation import
//! and the administrative commands.

use sqlx::Row;

use crate::common::{self, PASSWORD};

#[tokio::test]
async fn sqlite_is_created_in_wal_mode_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new-folder");
    let db = dudao_server::Db::open(&data, None).await.unwrap();
    assert!(data.join("platform.sqlite3").exists(), "the database file is created in the data folder");
    let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&db.pool).await.unwrap().try_get(0).unwrap();
    assert_eq!(mode, "wal");
    db.pool.close().await;
    let again = dudao_server::Db::open(&data, None).await.unwrap();
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
        .fetch_one(&again.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    let files = std::fs::read_dir(common::root().join("host/server/migrations/sqlite")).unwrap().count() as i64;
    assert_eq!(applied, files, "every migration applied exactly once");
}

#[tokio::test]
async fn postgres_runs_the_same_migrations() {
    if !common::backends().contains(&"postgres") {
        return;
    }
    let url = common::fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dudao_server::Db::open(dir.path(), Some(&url)).await.unwrap();
    assert_eq!(db.backend, dudao_server::Backend::Postgres);
    let tables: i64 = sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('units','accounts','sessions','audit','rounds','submissions','visits','results','reports','items','item_reports')")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(tables, 11);
    db.pool.close().await;
    dudao_server::Db::open(dir.path(), Some(&url)).await.expect("migrations are idempotent");
}

#[tokio::test]
async fn import_refuses_a_bad_dataset_and_stores_nothing() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("bad");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("counties.csv"), "id,name\n410802,解放区\n").unwrap();
        std::fs::write(data.join("schools.csv"), "id,name,county_id\n1,一小,410802\n2,二小,999999\n").unwrap();
        let database = if backend == "postgres" { Some(common::fresh_postgres().await) } else { None };
        let config = common::config_for(dir.path(), database);
        let error = dudao_server::import_org(&config, &data).await.unwrap_err().to_string();
        assert!(
            error.contains("schools.csv")
                && error.contains("row 3")
                && error.contains("county_id")
                && error.contains("999999"),
            "{error}"
        );
        let db = dudao_server::Db::open(&config.data_dir, config.database.as_deref()).await.unwrap();
        let units: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM units").fetch_one(&db.pool).await.unwrap().try_get("n").unwrap();
        assert_eq!(units, 0, "{backend}: nothing stored");
    }
}

#[tokio::test]
async fn admin_creates_accounts_for_the_right_level_and_resets_passwords() {
    for backend in common::backends() {
        let server = common::Server::start(backend).await;
        let wrong = dudao_server::admin_create(&server.config, "x", PASSWORD, "county_admin", "4108020001").await;
        assert!(wrong.unwrap_err().to_string().contains("school unit"), "{backend}");
        let short = dudao_server::admin_create(&server.config, "y", "short", "school", "4108020001").await;
        assert!(short.unwrap_err().to_string().contains("at least 10"));
        let taken = dudao_server::admin_create(&server.config, "city", PASSWORD, "city_admin", "410800").await;
        assert!(taken.unwrap_err().to_string().contains("taken"));

        let before = server.login("county-a").await;
        assert_eq!(before.get_json("/api/v1/me").await.0, 200);
        dudao_server::admin_reset_password(&server.config, "county-a", "another long password").await.unwrap();
        assert_eq!(before.get_json("/api/v1/me").await.0, 401, "{backend}: the old session ended");
        let response = server
            .anonymous()
            .http
            .post(format!("{}/api/v1/session", server.base))
            .json(&serde_json::json!({"username": "county-a", "password": "another long password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}
