//! The demo (`cargo xtask serve`): the Jiaozuo organisation, one account per role, the 2026
//! round run and published.

use std::path::Path;
use std::time::Duration;

use crate::model::{Role, User};
use crate::{AppState, Error, engine, model};

/// The demo accounts: name, role, unit. They share [`DEMO_PASSWORD`].
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 5] = [
    ("city-admin", Role::CityAdmin, "410800"),
    ("city-inspector", Role::CityInspector, "410800"),
    ("jiefang-admin", Role::CountyAdmin, "410802"),
    ("jiefang-zone1", Role::ZoneInspector, "41080201"),
    ("jiefang-school1", Role::School, "4108020001"),
];

/// The demo accounts' password (a demo on loopback; change it for anything else).
pub const DEMO_PASSWORD: &str = "dudao-demo-2026";

/// Seeds a fresh platform: imports `dataset`, creates the demo accounts, creates the round of
/// `plan` (a file of the plans folder), runs it and publishes it. Does nothing when accounts
/// exist already.
///
/// # Errors
///
/// When the dataset, an account or the round fails.
pub async fn seed(state: &AppState, dataset: &Path, plan: &str) -> Result<bool, Error> {
    use sqlx::Row;
    let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM accounts")
        .fetch_one(&state.db.pool)
        .await
        .map_err(crate::db::context("reading accounts"))?
        .try_get("n")
        .unwrap_or(0);
    if existing > 0 {
        return Ok(false);
    }
    crate::org::import(&state.db, dataset).await?;
    for (name, role, unit) in DEMO_ACCOUNTS {
        model::create_account(&state.db, None, name, DEMO_PASSWORD, role, unit).await?;
    }
    let admin = User {
        id: 1,
        username: DEMO_ACCOUNTS[0].0.to_owned(),
        role: Role::CityAdmin,
        unit: model::unit(&state.db, "410800")
            .await?
            .ok_or_else(|| Error::Round("the city 410800 is missing".into()))?,
        csrf: String::new(),
    };
    let round = engine::create_round(state, &admin, plan, None).await?;
    engine::transition(&state.db, &admin, round, "lock").await?;
    engine::start_run(state, &admin, round).await?;
    // Progress only on a terminal: a log file gets no carriage-return lines.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let info = engine::round(&state.db, round).await?.ok_or_else(|| Error::Round("the round vanished".into()))?;
        match info.status.as_str() {
            "running" => {
                if let Some((done, total)) =
                    state.progress.lock().ok().and_then(|p| p.get(&round).copied()).filter(|_| terminal)
                {
                    eprint!("\r评估进度 {done}/{total}");
                }
            }
            "done" => break,
            _ => return Err(Error::Round(info.error.unwrap_or_else(|| info.status.clone()))),
        }
    }
    if terminal {
        eprintln!();
    }
    engine::transition(&state.db, &admin, round, "publish").await?;
    Ok(true)
}
