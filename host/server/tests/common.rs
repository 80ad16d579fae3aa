//! Starting a platform on loopback with the Jiaozuo organisation and one account per role in
//! two counties, and a small HTTP client that keeps the session cookie and CSRF token.

use std::path::PathBuf;
use std::time::Duration;

use dudao_server::{AppState, Role, ServeConfig};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";
/// The date tests take as today: after the 2026 round's date (2026-11-29), before its
/// rectification deadline (90 days later, 2027-02-27).
pub const TODAY: &str = "2026-12-01";

/// Accounts: (name, role, unit). County A is 解放区 (410802), county B 中站区 (410803).
pub const ACCOUNTS: &[(&str, Role, &str)] = &[
    ("city", Role::CityAdmin, "410800"),
    ("inspector", Role::CityInspector, "410800"),
    ("county-a", Role::CountyAdmin, "410802"),
    ("zone-a", Role::ZoneInspector, "41080201"),
    ("school-a", Role::School, "4108020001"),
    ("county-b", Role::CountyAdmin, "410803"),
    ("zone-b", Role::ZoneInspector, "41080301"),
    ("school-b", Role::School, "4108030001"),
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The backends to run on: SQLite always, PostgreSQL when `DATABASE_URL` is set.
pub fn backends() -> Vec<&'static str> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => vec!["sqlite", "postgres"],
        _ => {
            eprintln!("note: DATABASE_URL is not set; PostgreSQL runs are skipped (CI sets it)");
            vec!["sqlite"]
        }
    }
}

/// A fresh PostgreSQL database on the server of `DATABASE_URL`; returns its URL.
pub async fn fresh_postgres() -> String {
    sqlx::any::install_default_drivers();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = format!("dudao_test_{}", dudao_server::auth::random_token()[..16].to_owned());
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect to DATABASE_URL");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create a test database");
    pool.close().await;
    let base = url.rsplit_once('/').map(|(base, _)| base.to_owned()).expect("a URL with a database name");
    format!("{base}/{name}")
}

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub _dir: tempfile::TempDir,
    pub config: ServeConfig,
}

pub fn config_for(dir: &std::path::Path, database: Option<String>) -> ServeConfig {
    let mut config = ServeConfig::new(dir.join("data"));
    config.database = database;
    config.plans_dir = root().join("fixtures/plans");
    config.today = Some(TODAY.to_owned());
    config.threads = Some(2);
    config
}

/// Imports the organisation and creates the accounts.
pub async fn seed(config: &ServeConfig) {
    dudao_server::import_org(config, &root().join("fixtures/jiaozuo")).await.expect("import the organisation");
    for (name, role, unit) in ACCOUNTS {
        dudao_server::admin_create(config, name, PASSWORD, role.as_str(), unit).await.expect("create an account");
    }
}

impl Server {
    pub async fn start(backend: &str) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = if backend == "postgres" { Some(fresh_postgres().await) } else { None };
        let config = config_for(dir.path(), database);
        seed(&config).await;
        let state = AppState::open(config.clone()).await.expect("open the platform");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(dudao_server::serve_on(state.clone(), listener));
        Server { base, state, _dir: dir, config }
    }

    pub fn anonymous(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn login(&self, name: &str) -> Client {
        let mut client = Client::new(&self.base);
        let response = client
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"username": name, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "login of {name}");
        client.take_cookie(&response);
        let body: Value = response.json().await.expect("login JSON");
        client.csrf = body["csrf"].as_str().map(str::to_owned);
        client
    }

    /// Creates, locks and runs the 2026 round as the city administrator; waits for it.
    pub async fn run_round(&self, city: &Client, plan: &str, previous: Option<i64>) -> i64 {
        let created =
            city.post_json("/api/v1/rounds", &json!({"plan": plan, "previous": previous.map(|p| p.to_string())})).await;
        assert_eq!(created.0, 200, "create round: {}", created.1);
        let id = created.1["id"].as_i64().expect("round id");
        assert_eq!(city.post_json(&format!("/api/v1/rounds/{id}/lock"), &json!({})).await.0, 200);
        let run = city.post_json(&format!("/api/v1/rounds/{id}/run"), &json!({})).await;
        assert_eq!(run.0, 200, "run: {}", run.1);
        self.wait_round(city, id).await;
        id
    }

    pub async fn wait_round(&self, city: &Client, id: i64) -> Value {
        for _ in 0..1200 {
            let (status, body) = city.get_json(&format!("/api/v1/rounds/{id}")).await;
            assert_eq!(status, 200);
            match body["round"]["status"].as_str() {
                Some("running") => tokio::time::sleep(Duration::from_millis(250)).await,
                Some("done") | Some("published") => return body,
                other => panic!("round {id} ended as {other:?}: {}", body["round"]["error"]),
            }
        }
        panic!("round {id} did not finish in 5 minutes");
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Client { http, base: base.to_owned(), cookie: None, csrf: None }
    }

    pub fn take_cookie(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = value.to_str().unwrap_or("");
            if let Some(rest) = text.strip_prefix("dudao_session=") {
                assert!(text.contains("HttpOnly"), "session cookie is HttpOnly: {text}");
                assert!(text.contains("SameSite=Strict"), "session cookie is SameSite: {text}");
                assert!(text.contains("Secure"), "session cookie is Secure: {text}");
                self.cookie = Some(format!("dudao_session={}", rest.split(';').next().unwrap_or("")));
            }
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        request
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.request(reqwest::Method::GET, path).send().await.expect("GET");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get(path).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self.request(reqwest::Method::GET, path).send().await.expect("GET");
        (response.status().as_u16(), response.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let mut request = self.request(reqwest::Method::POST, path).json(body);
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        let response = request.send().await.expect("POST");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A form post as the browser sends it, with the CSRF field.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let response = self.request(reqwest::Method::POST, path).form(&all).send().await.expect("POST");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    /// A multipart upload as the browser sends it, with the CSRF field first.
    pub async fn post_file(&self, path: &str, fields: &[(&str, &str)], file: (&str, Vec<u8>)) -> (u16, String) {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone().unwrap_or_default());
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned()));
        let response = self.request(reqwest::Method::POST, path).multipart(form).send().await.expect("POST");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }
}
