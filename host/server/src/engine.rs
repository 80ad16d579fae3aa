//! Rounds: created from a plan file, run in the background, stored in one transaction,
//! published. The dataset a round evaluates is assembled from the organisation's records, the
//! latest accepted submission of each unit, and the visits and self-supervision forms.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dudao_engine::evaluate::Progress;
use dudao_engine::pack::LoadedPack;
use dudao_engine::plan::{self, Plan};
use dudao_engine::sandbox::Sandbox;
use dudao_publish::report::{self, PublishOptions};
use rules_sdk::wire::Manifest;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sqlx::Row;

use crate::db::{Backend, Db, context};
use crate::model::{User, audit, now};
use crate::org::{level_name, table_name};
use crate::{AppState, Error};

/// A round as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundInfo {
    /// Id.
    pub id: i64,
    /// The plan file, relative to the plans folder.
    pub plan_path: String,
    /// The plan's id.
    pub plan_id: String,
    /// Chinese title.
    pub title: String,
    /// `open`, `running`, `done`, `failed`, `interrupted` or `published`.
    pub status: String,
    /// Whether the city locked the data.
    pub locked: bool,
    /// Why the last run failed.
    pub error: Option<String>,
    /// The round whose items this one follows up (回头看).
    pub previous_round: Option<i64>,
    /// When created.
    pub created_at: String,
    /// When the last run finished.
    pub finished_at: Option<String>,
    /// When published.
    pub published_at: Option<String>,
}

impl RoundInfo {
    /// The status in Chinese.
    pub fn status_chinese(&self) -> &'static str {
        status_chinese(&self.status)
    }
}

/// A round status in Chinese.
pub fn status_chinese(status: &str) -> &'static str {
    match status {
        "open" => "数据填报中",
        "running" => "评估运行中",
        "done" => "评估完成（未发布）",
        "failed" => "评估失败",
        "interrupted" => "评估中断（可重新运行）",
        "published" => "已发布",
        _ => "未知",
    }
}

fn round_of(row: &sqlx::any::AnyRow) -> Result<RoundInfo, sqlx::Error> {
    Ok(RoundInfo {
        id: row.try_get("id")?,
        plan_path: row.try_get("plan_path")?,
        plan_id: row.try_get("plan_id")?,
        title: row.try_get("title")?,
        status: row.try_get("status")?,
        locked: row.try_get::<i64, _>("locked")? != 0,
        error: row.try_get("error")?,
        previous_round: row.try_get("previous_round")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
        published_at: row.try_get("published_at")?,
    })
}

const ROUND_COLUMNS: &str =
    "id, plan_path, plan_id, title, status, locked, error, previous_round, created_at, finished_at, published_at";

/// One round.
///
/// # Errors
///
/// On a database failure.
pub async fn round(db: &Db, id: i64) -> Result<Option<RoundInfo>, Error> {
    let row = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("reading a round"))?;
    row.as_ref().map(round_of).transpose().map_err(context("reading a round"))
}

/// Every round, newest first.
///
/// # Errors
///
/// On a database failure.
pub async fn rounds(db: &Db) -> Result<Vec<RoundInfo>, Error> {
    let rows = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM rounds ORDER BY id DESC"))
        .fetch_all(&db.pool)
        .await
        .map_err(context("reading rounds"))?;
    rows.iter().map(round_of).collect::<Result<_, _>>().map_err(context("reading rounds"))
}

/// Marks rounds left `running` by a stopped service as interrupted; their results were never
/// committed, so they can simply run again.
///
/// # Errors
///
/// On a database failure.
pub async fn recover_interrupted(db: &Db) -> Result<(), Error> {
    sqlx::query("UPDATE rounds SET status = 'interrupted' WHERE status = 'running'")
        .execute(&db.pool)
        .await
        .map_err(context("recovering interrupted rounds"))?;
    Ok(())
}

/// The plan files in the plans folder, sorted.
pub fn plan_files(plans_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(plans_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// Resolves a plan file name inside the plans folder; refuses paths that leave it.
pub(crate) fn plan_file(plans_dir: &Path, name: &str) -> Result<PathBuf, Error> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') || !name.ends_with(".toml") {
        return Err(Error::Round(format!("评估方案文件名 `{name}` 无效：应为方案目录中的 .toml 文件名")));
    }
    Ok(plans_dir.join(name))
}

/// Creates a round from a plan file of the plans folder. Its pinned packs and layering rules
/// are checked now.
///
/// # Errors
///
/// [`Error::Round`] when the plan cannot be used, in Chinese with the engine's reason.
pub async fn create_round(state: &AppState, by: &User, plan_name: &str, previous: Option<i64>) -> Result<i64, Error> {
    let path = plan_file(&state.config.plans_dir, plan_name)?;
    let (plan, manifests) = load_plan(path.clone()).await?;
    if let Some(previous) = previous {
        let Some(earlier) = round(&state.db, previous).await? else {
            return Err(Error::Round(format!("前一轮次 {previous} 不存在")));
        };
        if !matches!(earlier.status.as_str(), "done" | "published") {
            return Err(Error::Round(format!("前一轮次 {previous} 尚无评估结果，不能用于回头看")));
        }
    }
    let mut tx = state.db.pool.begin().await.map_err(context("creating a round"))?;
    let row = sqlx::query(
        "INSERT INTO rounds (plan_path, plan_id, title, status, locked, previous_round, created_at) VALUES ($1, $2, $3, 'open', 0, $4, $5) RETURNING id",
    )
    .bind(plan_name)
    .bind(&plan.id)
    .bind(&plan.title)
    .bind(previous)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(context("creating a round"))?;
    let id: i64 = row.try_get("id").map_err(context("creating a round"))?;
    let left_out = crate::packs::pin_future(&mut tx, id, &plan, &manifests).await?;
    let after = json!({"plan": plan_name, "plan_id": plan.id, "previous": previous}).to_string();
    audit(&mut tx, Some(by), "创建评估轮次", &format!("round:{id}"), None, Some(&after)).await?;
    for (pack, problems) in left_out {
        let target =
            format!("round:{id} local_pack:{pack}（不符合本轮方案的分层规则，未纳入：{}）", problems.join("；"));
        audit(&mut tx, Some(by), "未纳入县级指标包", &target, None, None).await?;
    }
    tx.commit().await.map_err(context("creating a round"))?;
    Ok(id)
}

/// Loads a plan and its packs' manifests (compiling the packs), off the async threads.
pub(crate) async fn load_plan(path: PathBuf) -> Result<(Plan, Vec<Manifest>), Error> {
    tokio::task::spawn_blocking(move || -> Result<(Plan, Vec<Manifest>), Error> {
        let round_error =
            |error: &dyn std::fmt::Display| Error::Round(format!("评估方案 `{}` 不可用：{error}", path.display()));
        let plan = Plan::load(&path).map_err(|e| round_error(&e))?;
        let files = plan::read_pinned(&plan, &path).map_err(|e| round_error(&e))?;
        let sandbox = Sandbox::new(plan.limits()).map_err(|e| round_error(&e))?;
        let mut manifests = Vec::new();
        for (file, bytes) in &files {
            manifests.push(LoadedPack::from_bytes(&sandbox, file, bytes).map_err(|e| round_error(&e))?.manifest);
        }
        plan::check_layering(&plan, &manifests.iter().collect::<Vec<_>>()).map_err(|e| round_error(&e))?;
        Ok((plan, manifests))
    })
    .await
    .map_err(|e| Error::Round(e.to_string()))?
}

/// The effective plan of a round (its plan file with the pinned county local packs, see
/// [`crate::packs`]) and its packs' manifests (cached until a pack is approved).
///
/// # Errors
///
/// When the plan can no longer be used.
pub async fn round_plan(state: &AppState, info: &RoundInfo) -> Result<Arc<(Plan, Vec<Manifest>)>, Error> {
    if let Some(found) = state.manifests.lock().ok().and_then(|cache| cache.get(&info.id).cloned()) {
        return Ok(found);
    }
    let file = load_plan(plan_file(&state.config.plans_dir, &info.plan_path)?).await?;
    let loaded = Arc::new(crate::packs::effective_plan(state, info.id, &info.plan_path, file).await?);
    if let Ok(mut cache) = state.manifests.lock() {
        cache.insert(info.id, loaded.clone());
    }
    Ok(loaded)
}

/// The previous period's dataset a round's plan names (for value-added indicators), if any.
pub fn previous_data(state: &AppState, info: &RoundInfo, plan: &Plan) -> Option<PathBuf> {
    let plan_path = state.config.plans_dir.join(&info.plan_path);
    plan.previous_data.as_ref().map(|path| plan_path.parent().unwrap_or(Path::new(".")).join(path))
}

/// Sets a round's `locked` flag or publishes it, with an audit entry.
///
/// # Errors
///
/// [`Error::Round`] when the round is not in a state that allows it.
pub async fn transition(db: &Db, by: &User, id: i64, action: &str) -> Result<(), Error> {
    let info = round(db, id).await?.ok_or_else(|| Error::Round(format!("轮次 {id} 不存在")))?;
    let before = serde_json::to_string(&info).unwrap_or_default();
    let (sql, chinese) = match action {
        "lock" if info.status == "open" || !info.locked => ("UPDATE rounds SET locked = 1 WHERE id = $1", "锁定数据"),
        "unlock" if info.status != "published" && info.status != "running" => {
            ("UPDATE rounds SET locked = 0 WHERE id = $1", "解锁数据")
        }
        "publish" if info.status == "done" => {
            ("UPDATE rounds SET status = 'published', published_at = $2 WHERE id = $1", "发布评估结果")
        }
        "publish" => {
            return Err(Error::Round(format!("轮次状态为“{}”，只有评估完成的轮次可以发布", info.status_chinese())));
        }
        _ => return Err(Error::Round(format!("轮次状态为“{}”，不能执行该操作", info.status_chinese()))),
    };
    let mut tx = db.pool.begin().await.map_err(context("changing a round"))?;
    let mut query = sqlx::query(sql).bind(id);
    if action == "publish" {
        query = query.bind(now());
    }
    query.execute(&mut *tx).await.map_err(context("changing a round"))?;
    let after = round_in(&mut tx, id).await?;
    audit(&mut tx, Some(by), chinese, &format!("round:{id}"), Some(&before), Some(&after)).await?;
    tx.commit().await.map_err(context("changing a round"))?;
    Ok(())
}

async fn round_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<String, Error> {
    let row = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await
        .map_err(context("reading a round"))?;
    let info = round_of(&row).map_err(context("reading a round"))?;
    Ok(serde_json::to_string(&info).unwrap_or_default())
}

/// Starts running a round in the background. The data must be locked. Results replace the
/// previous run's in one transaction when the run finishes.
///
/// # Errors
///
/// [`Error::Round`] when the round is running, published or not locked.
pub async fn start_run(state: &AppState, by: &User, id: i64) -> Result<(), Error> {
    let info = round(&state.db, id).await?.ok_or_else(|| Error::Round(format!("轮次 {id} 不存在")))?;
    if !info.locked {
        return Err(Error::Round("数据尚未锁定：请先锁定数据再运行评估".to_owned()));
    }
    if matches!(info.status.as_str(), "running" | "published") {
        return Err(Error::Round(format!("轮次状态为“{}”，不能运行", info.status_chinese())));
    }
    let before = serde_json::to_string(&info).unwrap_or_default();
    let mut tx = state.db.pool.begin().await.map_err(context("starting a round"))?;
    let changed =
        sqlx::query("UPDATE rounds SET status = 'running', error = NULL WHERE id = $1 AND status <> 'running'")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(context("starting a round"))?;
    if changed.rows_affected() != 1 {
        return Err(Error::Round("该轮次已在运行".to_owned()));
    }
    let after = round_in(&mut tx, id).await?;
    audit(&mut tx, Some(by), "运行评估", &format!("round:{id}"), Some(&before), Some(&after)).await?;
    tx.commit().await.map_err(context("starting a round"))?;
    if let Ok(mut progress) = state.progress.lock() {
        progress.insert(id, (0, 0));
    }
    let state = state.clone();
    tokio::spawn(async move {
        let outcome = run_and_store(&state, &info).await;
        if let Err(error) = outcome {
            let _ = sqlx::query("UPDATE rounds SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3")
                .bind(error.to_string())
                .bind(now())
                .bind(id)
                .execute(&state.db.pool)
                .await;
        }
        if let Ok(mut progress) = state.progress.lock() {
            progress.remove(&id);
        }
    });
    Ok(())
}

/// What a finished evaluation hands to storage.
struct Outcome {
    units: Vec<(String, usize, String, Option<f64>, Option<String>, String)>,
    items: Vec<report::Item>,
    html_internal: String,
    html_public: String,
    results_json: String,
}

async fn run_and_store(state: &AppState, info: &RoundInfo) -> Result<(), Error> {
    let id = info.id;
    let dir = state.config.data_dir.join("rounds").join(id.to_string());
    let file = load_plan(plan_file(&state.config.plans_dir, &info.plan_path)?).await?;
    let (plan, _) = crate::packs::effective_plan(state, info.id, &info.plan_path, file).await?;
    let plan_path = crate::packs::write_plan(&plan, &dir)?;
    let dataset_dir = assemble_dataset(&state.db, id, &dir).await?;
    let previous = match info.previous_round {
        Some(previous) => previous_results(&state.db, previous, &dir).await?,
        None => None,
    };
    let progress = {
        let map = state.progress.clone();
        Progress(Arc::new(move |done, total| {
            if let Ok(mut progress) = map.lock() {
                progress.insert(id, (done, total));
            }
        }))
    };
    let threads = state.config.threads;
    let outcome =
        tokio::task::spawn_blocking(move || evaluate(&plan_path, &dataset_dir, previous.as_deref(), threads, progress))
            .await
            .map_err(|e| Error::Round(e.to_string()))??;
    store(&state.db, id, info.previous_round, outcome).await
}

fn evaluate(
    plan_path: &Path,
    dataset: &Path,
    previous: Option<&Path>,
    threads: Option<usize>,
    progress: Progress,
) -> Result<Outcome, Error> {
    let (evaluation, round) = dudao_engine::round::run_plan(
        plan_path,
        dataset,
        &dudao_engine::round::RunSettings { threads, progress: Some(progress), ..Default::default() },
    )
    .map_err(|e| {
        // Data problems in Chinese, as the upload page shows them (at most 50 listed).
        let reason = match &e {
            dudao_engine::round::RunError::Data(errors) => errors.render(50, dudao_dataset::Lang::Zh),
            dudao_engine::round::RunError::Dataset(error) => error.render(dudao_dataset::Lang::Zh),
            other => other.to_string(),
        };
        Error::Round(format!("评估未能开始：{reason}"))
    })?;
    let previous = previous
        .map(|path| report::read_previous(path).map(|section| (path.to_owned(), section)))
        .transpose()
        .map_err(|e| Error::Round(e.to_string()))?;
    let options = PublishOptions { date: None, public: false, previous: previous.clone() };
    let report = report::build(&evaluation, Some(&round), &options).map_err(|e| Error::Round(e.to_string()))?;
    let public = report::build(&evaluation, Some(&round), &PublishOptions { date: None, public: true, previous })
        .map_err(|e| Error::Round(e.to_string()))?;
    let mut units = Vec::new();
    for (level, list) in &report.units {
        for unit in list {
            let detail = unit_detail(
                &report,
                &evaluation.packs.iter().map(|pack| pack.manifest.clone()).collect::<Vec<_>>(),
                unit,
            );
            let overall = unit.overall.as_ref();
            units.push((
                unit.id.clone(),
                unit.index,
                level_name(*level).to_owned(),
                overall.map(|o| o.total),
                overall.and_then(|o| o.grade.clone()),
                detail.to_string(),
            ));
        }
    }
    Ok(Outcome {
        units,
        items: report.rectification.items.clone(),
        html_internal: report::html(&report),
        html_public: report::html(&public),
        results_json: report::results_json(&evaluation, Some(&round), &report),
    })
}

/// A unit's results as the result pages and the API show them: scores per pack and every
/// indicator with value, threshold, status, how it is computed and the threshold's source.
fn unit_detail(report: &report::Report, manifests: &[Manifest], unit: &report::UnitReport) -> Value {
    let scores: Vec<Value> = unit
        .scores
        .iter()
        .map(|score| {
            json!({
                "pack": report.packs[score.pack].title,
                "local": report.packs[score.pack].local,
                "total": round2(score.total),
                "grade": score.grade,
                "dimensions": score.dimensions.iter().map(|(name, value)| json!({"name": name, "score": round2(*value)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let indicators: Vec<Value> = unit
        .indicators
        .iter()
        .map(|line| {
            let node = manifests.get(line.pack).and_then(|manifest| manifest.node(&line.id));
            // A stage's thresholds often cite the same item: each source once.
            let mut sources: Vec<String> = Vec::new();
            for threshold in node.map_or(&[][..], |node| node.thresholds.as_slice()) {
                let source = format!("{} {}", threshold.source.document, threshold.source.item).trim().to_owned();
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
            json!({
                "pack": report.packs[line.pack].title,
                "subject": line.subject_name,
                "id": line.id,
                "name": line.name,
                "value": report::shown_value(line.value, line.unit.as_deref()),
                "unit": line.unit,
                "threshold": line.threshold,
                "status": report::status_words(line.status),
                "not_met": line.status == rules_sdk::wire::Status::NotMet,
                "note": line.note,
                "veto": line.veto,
                "rollup": line.rollup,
                "formula": node.map(|node| node.formula.clone()).unwrap_or_default(),
                "sources": sources,
            })
        })
        .collect();
    json!({
        "scores": scores,
        "overall": unit.overall.as_ref().map(|o| json!({
            "total": round2(o.total),
            "grade": o.grade,
            "vetoes": o.vetoes.iter().map(|(name, cap)| format!("{name}（封顶{cap}）")).collect::<Vec<_>>(),
        })),
        "indicators": indicators,
    })
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Where a unit sits: its county and zone (a county's county is itself) and its name.
type Places = HashMap<String, (Option<String>, Option<String>, String)>;

/// For every unit with results: the schools with results below it, and the not-met findings
/// (rectification items) of it and of every unit below it. A school counts for itself, its
/// zone, its county and the city; an item likewise for its unit and that unit's superiors.
fn subtree_counts(outcome: &Outcome, places: &Places) -> HashMap<String, (i64, i64)> {
    let city = outcome.units.iter().find(|unit| unit.2 == "city").map(|unit| unit.0.clone());
    let mut counts: HashMap<String, (i64, i64)> = outcome.units.iter().map(|unit| (unit.0.clone(), (0, 0))).collect();
    let mut add = |unit: &str, school: i64, item: i64| {
        let (county, zone) = places.get(unit).map_or((None, None), |(county, zone, _)| (county.clone(), zone.clone()));
        let mut above: Vec<String> =
            [Some(unit.to_owned()), zone, county, city.clone()].into_iter().flatten().collect();
        above.sort();
        above.dedup();
        for id in above {
            if let Some(count) = counts.get_mut(&id) {
                count.0 += school;
                count.1 += item;
            }
        }
    };
    for unit in outcome.units.iter().filter(|unit| unit.2 == "school") {
        add(&unit.0, 1, 0);
    }
    for item in &outcome.items {
        add(&item.unit_id, 0, 1);
    }
    counts
}

/// Writes the previous round's results.json where the engine's follow-up reader takes it.
async fn previous_results(db: &Db, previous: i64, dir: &Path) -> Result<Option<PathBuf>, Error> {
    let row = sqlx::query("SELECT results_json FROM reports WHERE round_id = $1 AND public = 0")
        .bind(previous)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("reading the previous round"))?;
    let Some(text) = row.and_then(|row| row.try_get::<Option<String>, _>("results_json").ok().flatten()) else {
        return Ok(None);
    };
    let path = dir.join("previous-results.json");
    std::fs::write(&path, text).map_err(|source| Error::Io { path: path.clone(), source })?;
    Ok(Some(path))
}

/// Stores a run's results, items and reports in one transaction, replacing the previous run's,
/// and closes or re-opens the previous round's items (回头看).
async fn store(db: &Db, id: i64, previous: Option<i64>, outcome: Outcome) -> Result<(), Error> {
    let places: Places = crate::model::units(db)
        .await?
        .into_iter()
        .map(|unit| (unit.id.clone(), (unit.county_id, unit.zone_id, unit.name)))
        .collect();
    let mut tx = db.pool.begin().await.map_err(context("storing results"))?;
    let open_reports =
        sqlx::query("SELECT COUNT(*) AS n FROM item_reports r JOIN items i ON i.id = r.item_id WHERE i.round_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(context("storing results"))?;
    if open_reports.try_get::<i64, _>("n").unwrap_or(0) > 0 {
        return Err(Error::Round("该轮次已有整改报告，不能重新运行".to_owned()));
    }
    for table in ["results", "items", "reports"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE round_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(context("storing results"))?;
    }
    let counts = subtree_counts(&outcome, &places);
    for (unit_id, position, level, total, grade, detail) in &outcome.units {
        let (county, zone, name) = places.get(unit_id).cloned().unwrap_or((None, None, unit_id.clone()));
        let (schools, not_met) = counts.get(unit_id).copied().unwrap_or_default();
        sqlx::query(
            "INSERT INTO results (round_id, level, unit_id, position, name, county_id, zone_id, total, grade, detail, schools, not_met) VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DOUBLE PRECISION), $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(level)
        .bind(unit_id)
        .bind(*position as i64)
        .bind(name)
        .bind(county)
        .bind(zone)
        // As text: sqlx's Any driver types a NULL double as float4 on PostgreSQL, which breaks
        // the cached statement for the next, non-NULL value.
        .bind(total.map(|total| round2(total).to_string()))
        .bind(grade)
        .bind(detail)
        .bind((level != "school").then_some(schools))
        .bind(not_met)
        .execute(&mut *tx)
        .await
        .map_err(context("storing results"))?;
    }
    let mut keys = BTreeSet::new();
    for item in &outcome.items {
        let (county, zone, _) = places.get(&item.unit_id).cloned().unwrap_or((None, None, String::new()));
        keys.insert(item.key.clone());
        sqlx::query(
            "INSERT INTO items (round_id, item_key, item_ref, level, unit_id, unit_name, county_id, zone_id, pack_title, indicator, indicator_name, value_text, threshold, deadline, found_status, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open')",
        )
        .bind(id)
        .bind(&item.key)
        .bind(&item.id)
        .bind(level_name(item.level))
        .bind(&item.unit_id)
        .bind(&item.unit_name)
        .bind(county)
        .bind(zone)
        .bind(&item.pack_title)
        .bind(&item.indicator)
        .bind(&item.indicator_name)
        .bind(report::shown_value(item.value, None))
        .bind(&item.threshold)
        .bind(&item.deadline)
        .bind(match item.status {
            report::ItemStatus::New => "new",
            report::ItemStatus::Open => "open",
            report::ItemStatus::Overdue => "overdue",
        })
        .execute(&mut *tx)
        .await
        .map_err(context("storing items"))?;
    }
    for (public, html, json) in
        [(0i64, &outcome.html_internal, Some(&outcome.results_json)), (1, &outcome.html_public, None)]
    {
        sqlx::query("INSERT INTO reports (round_id, public, html, results_json) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(public)
            .bind(html)
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(context("storing reports"))?;
    }
    if let Some(previous) = previous {
        let rows = sqlx::query("SELECT id, item_key, state FROM items WHERE round_id = $1")
            .bind(previous)
            .fetch_all(&mut *tx)
            .await
            .map_err(context("following up items"))?;
        for row in rows {
            let item: i64 = row.try_get("id").map_err(context("following up items"))?;
            let key: String = row.try_get("item_key").map_err(context("following up items"))?;
            let state: String = row.try_get("state").map_err(context("following up items"))?;
            let next = match (keys.contains(&key), state.as_str()) {
                (false, _) => "closed",
                (true, "accepted") => "reopened",
                (true, _) => continue,
            };
            sqlx::query("UPDATE items SET state = $1 WHERE id = $2")
                .bind(next)
                .bind(item)
                .execute(&mut *tx)
                .await
                .map_err(context("following up items"))?;
        }
    }
    sqlx::query("UPDATE rounds SET status = 'done', error = NULL, finished_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(context("storing results"))?;
    let digest = dudao_dataset::sha256_hex(outcome.results_json.as_bytes());
    audit(
        &mut tx,
        None,
        "写入评估结果",
        &format!("round:{id} ({} units, {} items)", outcome.units.len(), outcome.items.len()),
        None,
        Some(&digest),
    )
    .await?;
    tx.commit().await.map_err(context("storing results"))?;
    refresh_statistics(db).await;
    Ok(())
}

/// After a round's rows are stored in bulk, PostgreSQL's visibility map and planner statistics
/// for them lag until autovacuum comes by. Until then every index-only scan of the lists
/// (their counts, a page's keys) also reads the table for each row: measured on a national
/// round, the round page took 310 ms right after the run and under 40 ms once vacuumed. So the
/// two tables are vacuumed and analysed as soon as the results are committed. Best effort: the
/// results are stored either way, and a failure only leaves the work to autovacuum.
async fn refresh_statistics(db: &Db) {
    if db.backend == Backend::Postgres {
        if let Err(error) = sqlx::raw_sql("VACUUM (ANALYZE) results, items").execute(&db.pool).await {
            eprintln!("note: VACUUM (ANALYZE) after storing a round failed (autovacuum will do it): {error}");
        }
    }
}

/// The records of every unit as a round evaluates them: the organisation's, merged with the
/// latest submission of each unit, then the latest visit and self-supervision form of each
/// school. By level, in dataset order.
///
/// # Errors
///
/// On a database failure.
pub async fn round_records(db: &Db, round_id: i64) -> Result<BTreeMap<String, Vec<Map<String, Value>>>, Error> {
    let rows = sqlx::query(
        "SELECT id, level, record FROM units ORDER BY CASE level WHEN 'city' THEN 0 WHEN 'county' THEN 1 WHEN 'zone' THEN 2 ELSE 3 END, position",
    )
    .fetch_all(&db.pool)
    .await
    .map_err(context("assembling the dataset"))?;
    let mut by_level: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    let mut index: HashMap<String, (String, usize)> = HashMap::new();
    for row in rows {
        let id: String = row.try_get("id").map_err(context("assembling the dataset"))?;
        let level: String = row.try_get("level").map_err(context("assembling the dataset"))?;
        let record: String = row.try_get("record").map_err(context("assembling the dataset"))?;
        let record: Map<String, Value> = serde_json::from_str(&record).unwrap_or_default();
        let list = by_level.entry(level.clone()).or_default();
        index.insert(id, (level, list.len()));
        list.push(record);
    }
    let mut merge = |unit: &str, fields: &Map<String, Value>| {
        if let Some((level, position)) = index.get(unit)
            && let Some(record) = by_level.get_mut(level).and_then(|list| list.get_mut(*position))
        {
            for (key, value) in fields {
                if key == "id" {
                    continue;
                }
                match value.as_str() {
                    Some("") => {
                        record.remove(key);
                    }
                    _ => {
                        record.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    };
    let submissions = sqlx::query(
        "SELECT s.rows FROM submissions s WHERE s.round_id = $1 AND s.version = (SELECT MAX(t.version) FROM submissions t WHERE t.round_id = s.round_id AND t.unit_id = s.unit_id) ORDER BY s.id",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await
    .map_err(context("assembling the dataset"))?;
    for row in submissions {
        let text: String = row.try_get("rows").map_err(context("assembling the dataset"))?;
        let records: Vec<Map<String, Value>> = serde_json::from_str(&text).unwrap_or_default();
        for record in &records {
            if let Some(id) = record.get("id").and_then(Value::as_str) {
                merge(id, record);
            }
        }
    }
    let visits = sqlx::query("SELECT school_id, fields FROM visits WHERE round_id = $1 ORDER BY id")
        .bind(round_id)
        .fetch_all(&db.pool)
        .await
        .map_err(context("assembling the dataset"))?;
    for row in visits {
        let school: String = row.try_get("school_id").map_err(context("assembling the dataset"))?;
        let fields: String = row.try_get("fields").map_err(context("assembling the dataset"))?;
        let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
        merge(&school, &fields);
    }
    Ok(by_level)
}

/// Writes a round's records as a CSV dataset folder and returns it.
async fn assemble_dataset(db: &Db, round_id: i64, dir: &Path) -> Result<PathBuf, Error> {
    let records = round_records(db, round_id).await?;
    let folder = dir.join("dataset");
    write_csv_folder(&folder, &records)?;
    Ok(folder)
}

/// Writes records by level as a CSV dataset folder (`counties.csv`, …): `id` first, then the
/// other columns in sorted order.
///
/// # Errors
///
/// [`Error::Io`] when a file cannot be written.
pub fn write_csv_folder(folder: &Path, records: &BTreeMap<String, Vec<Map<String, Value>>>) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    if folder.exists() {
        std::fs::remove_dir_all(folder).map_err(io(folder))?;
    }
    std::fs::create_dir_all(folder).map_err(io(folder))?;
    for (level, list) in records {
        let mut columns: BTreeSet<&str> = list.iter().flat_map(|record| record.keys().map(String::as_str)).collect();
        columns.remove("id");
        let columns: Vec<&str> = std::iter::once("id").chain(columns).collect();
        let path = folder.join(format!("{}.csv", table_name(level)));
        let mut writer = csv::Writer::from_path(&path).map_err(|e| Error::Round(e.to_string()))?;
        writer.write_record(&columns).map_err(|e| Error::Round(e.to_string()))?;
        for record in list {
            let cells = columns.iter().map(|column| record.get(*column).and_then(Value::as_str).unwrap_or(""));
            writer.write_record(cells).map_err(|e| Error::Round(e.to_string()))?;
        }
        writer.flush().map_err(io(&path))?;
    }
    Ok(())
}
