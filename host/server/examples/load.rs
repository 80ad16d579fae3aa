//! Load benchmark (not a test): many concurrent sessions browsing the Jiaozuo 2026 round on
//! loopback. Bounded: `SESSIONS` sessions × `REQUESTS` requests each, then it stops.
//!
//! ```sh
//! cargo run -p dudao-server --example load --release -- [SESSIONS] [REQUESTS]   # default 60 × 50
//! cargo run -p dudao-server --example load --release -- --serve REQUESTS.tsv [SESSIONS] [REQUESTS]
//! wrk -t 2 -c 60 -d 30s -s host/server/examples/load.lua http://127.0.0.1:PORT -- REQUESTS.tsv
//! ```
//!
//! Prints p50/p95/p99 latency and the error count; the goal is p95 ≤ 50 ms. The clients run in
//! this process, on the same two cores as the service. With `--serve FILE` the clients are
//! left to another process: the same sessions and requests are written to `FILE` (a session
//! cookie and a path per line) and the service stays up until interrupted; `load.lua` has
//! `wrk` play them, one connection per session, and print the same percentiles.

use std::time::{Duration, Instant};

use dudao_server::{AppState, Role, ServeConfig};

/// The service's allocator in `dudao serve` (`host/cli/src/main.rs`), so that the figures are
/// the shipped service's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let serve = raw.iter().position(|a| a == "--serve").and_then(|i| raw.get(i + 1)).map(std::path::PathBuf::from);
    let args: Vec<usize> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let sessions = args.first().copied().unwrap_or(60);
    let requests = args.get(1).copied().unwrap_or(50);
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir()?;
    let mut config = ServeConfig::new(dir.path().join("data"));
    config.plans_dir = root.join("fixtures/plans");
    config.database = std::env::var("DATABASE_URL").ok();
    let state = AppState::open(config).await?;
    eprintln!("seeding: Jiaozuo organisation, 2026 round (run and published)…");
    dudao_server::demo::seed(&state, &root.join("fixtures/jiaozuo"), "jiaozuo-2026.toml").await?;
    let units = dudao_server::model::units(&state.db).await?;
    let mut accounts = Vec::new();
    for unit in units.iter().filter(|u| u.level == "county" || u.level == "zone").take(sessions) {
        let role = if unit.level == "county" { Role::CountyAdmin } else { Role::ZoneInspector };
        let name = format!("load-{}", unit.id);
        dudao_server::model::create_account(&state.db, None, &name, "load-password-1", role, &unit.id).await?;
        accounts.push((name, unit.clone()));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(dudao_server::serve_on(state.clone(), listener));
    let round = 1;
    let schools: Vec<_> = units.iter().filter(|u| u.level == "school").cloned().collect();

    let mut tasks = Vec::new();
    // Sessions are opened through the library (the HTTP login is rate-limited per address, and
    // this measures browsing, not signing in).
    let mut cookies = Vec::new();
    for index in 0..sessions {
        let (name, _) = &accounts[index % accounts.len()];
        let (token, _) = dudao_server::auth::login(&state.db, name, "load-password-1").await?.ok_or("login failed")?;
        cookies.push(format!("{}={token}", dudao_server::auth::SESSION_COOKIE));
    }
    if let Some(file) = serve {
        let mut lines = String::new();
        let plays: Vec<(&String, &str, Vec<String>)> = cookies
            .iter()
            .enumerate()
            .map(|(index, cookie)| {
                let unit = &accounts[index % accounts.len()].1;
                (cookie, unit.id.as_str(), own_schools(&schools, unit))
            })
            .collect();
        for n in 0..requests {
            for (cookie, unit, own) in &plays {
                lines.push_str(&format!("{cookie}\t{}\n", path_of(n, round, unit, own)));
            }
        }
        std::fs::write(&file, lines)?;
        println!("serving {base} for {} sessions; requests in {}; Ctrl-C stops", sessions, file.display());
        tokio::signal::ctrl_c().await?;
        return Ok(());
    }
    // The clock starts after the sign-ins (argon2 by design takes tens of milliseconds each).
    let started = Instant::now();
    for index in 0..sessions {
        let (_, unit) = accounts[index % accounts.len()].clone();
        let cookie = cookies[index].clone();
        let base = base.clone();
        let schools = own_schools(&schools, &unit);
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
            let mut times = Vec::with_capacity(requests);
            let mut errors = 0usize;
            for n in 0..requests {
                let path = path_of(n, round, &unit.id, &schools);
                let start = Instant::now();
                let ok = client
                    .get(format!("{base}{path}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .map(|r| r.status().is_success());
                times.push((n % 5, start.elapsed()));
                if !matches!(ok, Ok(true)) {
                    errors += 1;
                }
            }
            (times, errors)
        }));
    }
    let mut kinds: Vec<Vec<Duration>> = vec![Vec::new(); 5];
    let mut errors = 0;
    for task in tasks {
        let (times, failed) = task.await?;
        for (kind, time) in times {
            kinds[kind].push(time);
        }
        errors += failed;
    }
    let wall = started.elapsed();
    let mut all: Vec<Duration> = kinds.iter().flatten().copied().collect();
    all.sort();
    let names = ["round page", "own results page", "a school's results page", "items (API)", "own results (API)"];
    for (name, times) in names.iter().zip(&mut kinds) {
        times.sort();
        if let Some(p95) = times.get(((times.len() as f64 - 1.0) * 0.95).round() as usize) {
            eprintln!(
                "  {name}: p50 {:.1} ms, p95 {:.1} ms",
                times[times.len() / 2].as_secs_f64() * 1000.0,
                p95.as_secs_f64() * 1000.0
            );
        }
    }
    let pick = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{} sessions × {} requests = {} requests in {:.1} s ({:.0}/s): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {}",
        sessions,
        requests,
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        pick(0.50).as_secs_f64() * 1000.0,
        pick(0.95).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        errors
    );
    Ok(())
}

/// The schools a session's unit sees: a county's, or a zone's.
fn own_schools(schools: &[dudao_server::model::Unit], unit: &dudao_server::model::Unit) -> Vec<String> {
    schools
        .iter()
        .filter(|s| {
            s.county_id == unit.county_id && (unit.level == "county" || s.zone_id.as_deref() == Some(unit.id.as_str()))
        })
        .map(|s| s.id.clone())
        .collect()
}

/// The `n`th request of a session of `unit`: the round, its own results, one of its schools'
/// results, the items (API), its own results (API), in turn.
fn path_of(n: usize, round: i64, unit: &str, schools: &[String]) -> String {
    match n % 5 {
        0 => format!("/rounds/{round}"),
        1 => format!("/rounds/{round}/results/{unit}"),
        2 => format!("/rounds/{round}/results/{}", schools[n % schools.len().max(1)]),
        3 => "/api/v1/items".to_owned(),
        _ => format!("/api/v1/rounds/{round}/results/{unit}"),
    }
}
