//! National-scale drill (not a test): the platform imports an organisation of thousands of
//! counties and ~200 000 schools, runs a round of the quality-balance pack over it, and stays
//! browsable page by page. Prints how long each step took and the latency of the long pages.
//!
//! ```sh
//! cargo xtask bench 2800 70          # once: writes target/bench/national (or any dataset folder)
//! cargo xtask packs
//! cargo run -p dudao-server --example national --release -- [DATASET]   # default target/bench/national
//! ```
//!
//! The dataset needs no city: one (`900000`, the bench generator's parent id) is added in a
//! copy when it has none. `DATABASE_URL=postgres://…` runs it on PostgreSQL.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dudao_server::{AppState, Role, ServeConfig};

fn plan(root: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    let pack = root.join("target/packs/quality-balance.wasm");
    let sha256: String = sha2::Sha256::digest(std::fs::read(&pack)?).iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!(
        r#"id = "national-quality-balance"
title = "全国规模演练：县域义务教育优质均衡"
period = "2026"
date = "2026-11-29"
kind = "comprehensive"

[rectification]
deadline_days = 90

[[packs]]
path = "{}"
sha256 = "{sha256}"
scope = "standard"
"#,
        pack.display()
    ))
}

/// A copy of `dataset` with a city when it has none; returns the folder and the city's id.
fn with_city(dataset: &Path, into: &Path) -> std::io::Result<(PathBuf, String)> {
    let counties = std::fs::read_to_string(dataset.join("counties.csv"))?;
    let header: Vec<&str> = counties.lines().next().unwrap_or_default().split(',').collect();
    let parent = header.iter().position(|name| *name == "parent_id");
    let city = counties
        .lines()
        .nth(1)
        .and_then(|line| parent.and_then(|at| line.split(',').nth(at)))
        .unwrap_or("900000")
        .to_owned();
    if dataset.join("cities.csv").exists() {
        return Ok((dataset.to_owned(), city));
    }
    std::fs::create_dir_all(into)?;
    for entry in std::fs::read_dir(dataset)? {
        let entry = entry?;
        std::fs::copy(entry.path(), into.join(entry.file_name()))?;
    }
    std::fs::write(into.join("cities.csv"), format!("id,name\n{city},全国规模演练\n"))?;
    Ok((into.to_owned(), city))
}

fn seconds(since: Instant) -> String {
    format!("{:.1} s", since.elapsed().as_secs_f64())
}

/// The service's allocator in `dudao serve` (`host/cli/src/main.rs`), so that the figures are
/// the shipped service's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dataset = std::env::args().nth(1).map_or_else(|| root.join("target/bench/national"), PathBuf::from);
    let dir = tempfile::tempdir()?;
    let (dataset, city) = with_city(&dataset, &dir.path().join("dataset"))?;
    let plans = dir.path().join("plans");
    std::fs::create_dir_all(&plans)?;
    std::fs::write(plans.join("national.toml"), plan(&root)?)?;
    let mut config = ServeConfig::new(dir.path().join("data"));
    config.plans_dir = plans;
    config.database = std::env::var("DATABASE_URL").ok();
    let state = AppState::open(config).await?;

    let started = Instant::now();
    let units = dudao_server::org::import(&state.db, &dataset).await?;
    eprintln!("import: {units} units in {}", seconds(started));

    dudao_server::model::create_account(
        &state.db,
        None,
        "national-city",
        "national-password-1",
        Role::CityAdmin,
        &city,
    )
    .await?;
    let (token, admin) =
        dudao_server::auth::login(&state.db, "national-city", "national-password-1").await?.ok_or("cannot sign in")?;
    let started = Instant::now();
    let round = dudao_server::engine::create_round(&state, &admin, "national.toml", None).await?;
    dudao_server::engine::transition(&state.db, &admin, round, "lock").await?;
    dudao_server::engine::start_run(&state, &admin, round).await?;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let info = dudao_server::engine::round(&state.db, round).await?.ok_or("the round vanished")?;
        match info.status.as_str() {
            "running" => {}
            "done" => break,
            other => return Err(format!("the round ended as {other}: {:?}", info.error).into()),
        }
    }
    eprintln!("round: created, run and stored in {}", seconds(started));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(dudao_server::serve_on(state.clone(), listener));
    let http = reqwest::Client::new();
    let cookie = format!("{}={token}", dudao_server::auth::SESSION_COOKIE);
    let county =
        dudao_server::model::units(&state.db).await?.into_iter().find(|u| u.level == "county").ok_or("no county")?;
    let pages = [
        ("home", "/".to_owned()),
        ("round, first page of each list", format!("/rounds/{round}")),
        ("round, school list page 1000", format!("/rounds/{round}?school_page=1000")),
        ("round, last school page", format!("/rounds/{round}?school_page=999999")),
        ("city's results (counties)", format!("/rounds/{round}/results/{city}")),
        ("a county's results", format!("/rounds/{round}/results/{}", county.id)),
        ("the city's units", format!("/units/{city}")),
        ("a county's units", format!("/units/{}", county.id)),
        ("items, first page", "/items".to_owned()),
        ("items, page 500", "/items?page=500".to_owned()),
        ("orders", "/orders".to_owned()),
    ];
    println!("| page | status | bytes | median of 5 |");
    println!("|---|---|---|---|");
    for (name, path) in pages {
        let mut times = Vec::new();
        let (mut status, mut bytes) = (0, 0);
        for _ in 0..5 {
            let began = Instant::now();
            let response = http.get(format!("{base}{path}")).header("cookie", &cookie).send().await?;
            status = response.status().as_u16();
            bytes = response.bytes().await?.len();
            times.push(began.elapsed());
        }
        times.sort();
        println!("| {name} (`{path}`) | {status} | {bytes} | {:.1} ms |", times[2].as_secs_f64() * 1000.0);
    }
    Ok(())
}
