//! County local packs (县级指标包): a county administrator uploads a built pack (`.wasm`) for
//! one open round or for the rounds the city creates later; the platform loads it in the
//! engine's sandbox and applies the plan loader's layering rules
//! ([`dudao_engine::plan::layering_problems`]) against the round's plan; a clean pack waits for
//! the city administrator, who approves it (it is then pinned by sha256 into the round's plan)
//! or rejects it with a reason. A pinned pack runs only for its county's units.
//!
//! A round's *effective plan* is its plan file with the pinned local packs added (a pack with
//! the id of a local pack the plan file already lists for the same county replaces that
//! entry: a new version of the county's pack, keeping the plan's parameters and bonus cap).
//! When the round runs it is written to `<data-dir>/rounds/<id>/plan.toml` with absolute paths
//! and run by the engine like any plan: pins, layering and scopes are checked again there.

use std::path::{Path, PathBuf};

use dudao_engine::pack::{LoadedPack, PackError};
use dudao_engine::plan::{self, Plan, PlanPack, ScopeKind};
use dudao_engine::sandbox::Sandbox;
use rules_sdk::wire::Manifest;
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, context};
use crate::model::{Unit, User, audit, now};
use crate::{AppState, Error};

/// The largest pack file accepted: 8 MiB (our choice: built packs are about 200 KiB and the
/// declarative interpreter 0.8 MiB; the engine's own module limit is 32 MiB).
pub const MAX_PACK_BYTES: usize = 8 * 1024 * 1024;

/// A stored local pack.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LocalPack {
    /// Id on the platform.
    pub id: i64,
    /// The county it belongs to.
    pub county_id: String,
    /// The county's name.
    pub county_name: String,
    /// The round it is for; `None` for the rounds created after its approval.
    pub round_id: Option<i64>,
    /// The pack's own id (`410825-taiji`).
    pub pack_id: String,
    /// The pack's version.
    pub version: String,
    /// The pack's title.
    pub title: String,
    /// The uploaded file's name.
    pub filename: String,
    /// sha256 of the module: the pin.
    pub sha256: String,
    /// The module's size in bytes (for a `.toml` or `.xlsx`, of the module compiled from it).
    pub size: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (RFC 3339, UTC).
    pub uploaded_at: String,
    /// `pending`, `approved`, `rejected` or `superseded`.
    pub status: String,
    /// The status in Chinese.
    pub status_chinese: String,
    /// Most bonus points its total adds to the overall result (set by the city; none: no bonus).
    pub bonus_cap: Option<f64>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// The city's reason (required for a rejection).
    pub reason: Option<String>,
    /// Its indicators: (id, name, level in Chinese).
    pub indicators: Vec<PackIndicator>,
}

/// One indicator of a local pack, as its page lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PackIndicator {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level evaluated, in Chinese (empty for a dimension).
    pub level: String,
}

/// A status in Chinese.
pub fn status_chinese(status: &str) -> &'static str {
    match status {
        "pending" => "待市级审核",
        "approved" => "已批准（已锁定 sha256）",
        "rejected" => "已退回",
        "superseded" => "已被新版本替代",
        _ => "未知",
    }
}

const COLUMNS: &str = "p.id, p.county_id, u.name AS county_name, p.round_id, p.pack_id, p.version, p.title, p.filename, p.sha256, p.size, a.username AS uploaded_by, p.uploaded_at, p.status, p.bonus_cap, d.username AS decided_by, p.decided_at, p.reason, p.manifest";
const FROM: &str = "FROM local_packs p JOIN units u ON u.id = p.county_id JOIN accounts a ON a.id = p.uploaded_by LEFT JOIN accounts d ON d.id = p.decided_by";

fn pack_of(row: &sqlx::any::AnyRow) -> Result<LocalPack, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let manifest: String = row.try_get("manifest")?;
    let manifest: Option<Manifest> = serde_json::from_str(&manifest).ok();
    let indicators = manifest
        .as_ref()
        .map(|manifest| {
            manifest
                .nodes()
                .into_iter()
                .map(|node| PackIndicator {
                    id: node.id.clone(),
                    name: node.name.clone(),
                    level: node.level.map(|level| level.chinese().to_owned()).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(LocalPack {
        id: row.try_get("id")?,
        county_id: row.try_get("county_id")?,
        county_name: row.try_get("county_name")?,
        round_id: row.try_get("round_id")?,
        pack_id: row.try_get("pack_id")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        filename: row.try_get("filename")?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
        status_chinese: status_chinese(&status).to_owned(),
        status,
        bonus_cap: row.try_get::<Option<String>, _>("bonus_cap")?.and_then(|text| text.parse().ok()),
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        reason: row.try_get("reason")?,
        indicators,
    })
}

/// The local packs of one county (`Some`), or of every county, newest first.
///
/// # Errors
///
/// On a database failure.
pub async fn list(db: &Db, county: Option<&str>) -> Result<Vec<LocalPack>, Error> {
    let rows = match county {
        Some(county) => {
            sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE p.county_id = $1 ORDER BY p.id DESC"))
                .bind(county)
                .fetch_all(&db.pool)
                .await
        }
        None => sqlx::query(&format!("SELECT {COLUMNS} {FROM} ORDER BY p.id DESC")).fetch_all(&db.pool).await,
    }
    .map_err(context("reading local packs"))?;
    rows.iter().map(pack_of).collect::<Result<_, _>>().map_err(context("reading local packs"))
}

/// One local pack.
///
/// # Errors
///
/// On a database failure.
pub async fn get(db: &Db, id: i64) -> Result<Option<LocalPack>, Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(context("reading a local pack"))?;
    row.as_ref().map(pack_of).transpose().map_err(context("reading a local pack"))
}

/// The pinned local packs of a round: (county, pack id, sha256, bonus cap, manifest, module).
struct Pinned {
    county: String,
    sha256: String,
    bonus_cap: Option<f64>,
    manifest: Manifest,
    module: Vec<u8>,
}

async fn pinned(db: &Db, round: i64) -> Result<Vec<Pinned>, Error> {
    let rows = sqlx::query(
        "SELECT p.county_id, p.sha256, p.bonus_cap, p.manifest, p.module FROM round_packs r JOIN local_packs p ON p.id = r.local_pack_id WHERE r.round_id = $1 ORDER BY p.id",
    )
    .bind(round)
    .fetch_all(&db.pool)
    .await
    .map_err(context("reading pinned packs"))?;
    let mut out = Vec::new();
    for row in rows {
        let manifest: String = row.try_get("manifest").map_err(context("reading pinned packs"))?;
        out.push(Pinned {
            county: row.try_get("county_id").map_err(context("reading pinned packs"))?,
            sha256: row.try_get("sha256").map_err(context("reading pinned packs"))?,
            bonus_cap: row
                .try_get::<Option<String>, _>("bonus_cap")
                .map_err(context("reading pinned packs"))?
                .and_then(|text| text.parse().ok()),
            manifest: serde_json::from_str(&manifest)
                .map_err(|e| Error::Round(format!("已锁定的县级指标包说明无法读取：{e}")))?,
            module: row.try_get("module").map_err(context("reading pinned packs"))?,
        });
    }
    Ok(out)
}

/// Where a stored module is written for the engine to read: `<data-dir>/packs/<sha256>.wasm`.
fn module_path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("packs").join(format!("{sha256}.wasm"))
}

/// A plan's pack paths and previous dataset made absolute, so that the plan can be written
/// anywhere.
fn absolute(mut plan: Plan, plan_file: &Path) -> Plan {
    let base = plan_file.parent().unwrap_or(Path::new("."));
    let full = |path: &Path| std::path::absolute(base.join(path)).unwrap_or_else(|_| base.join(path));
    for pack in &mut plan.packs {
        pack.path = full(&pack.path);
    }
    plan.previous_data = plan.previous_data.as_deref().map(full);
    plan
}

/// Adds a local pack to a plan (its manifest to `manifests`): replacing the entry of a local
/// pack with the same id for the same county (a new version), else appended. Returns its index.
fn add_local(
    plan: &mut Plan,
    manifests: &mut Vec<Manifest>,
    county: &str,
    path: PathBuf,
    sha256: &str,
    bonus_cap: Option<f64>,
    manifest: Manifest,
) -> usize {
    let same = plan.packs.iter().zip(manifests.iter()).position(|(pack, existing)| {
        pack.scope == ScopeKind::Local && pack.county.as_deref() == Some(county) && existing.id == manifest.id
    });
    match same {
        Some(index) => {
            plan.packs[index].path = path;
            plan.packs[index].sha256 = sha256.to_owned();
            if bonus_cap.is_some() {
                plan.packs[index].bonus_cap = bonus_cap;
            }
            manifests[index] = manifest;
            index
        }
        None => {
            plan.packs.push(PlanPack {
                path,
                sha256: sha256.to_owned(),
                scope: ScopeKind::Local,
                county: Some(county.to_owned()),
                weight: None,
                bonus_cap,
                grades: Vec::new(),
                params: toml::Table::new(),
            });
            manifests.push(manifest);
            plan.packs.len() - 1
        }
    }
}

/// A round's effective plan (absolute paths, the pinned local packs added, their modules
/// written to the data folder) and every pack's manifest, in plan order.
///
/// # Errors
///
/// When the plan file or a pinned pack can no longer be used.
pub async fn effective_plan(
    state: &AppState,
    round: i64,
    plan_name: &str,
    file: (Plan, Vec<Manifest>),
) -> Result<(Plan, Vec<Manifest>), Error> {
    let plan_file = state.config.plans_dir.join(plan_name);
    let (plan, mut manifests) = file;
    let mut plan = absolute(plan, &plan_file);
    for pack in pinned(&state.db, round).await? {
        let path = module_path(&state.config.data_dir, &pack.sha256);
        if !path.exists() {
            let folder = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(folder).map_err(|source| Error::Io { path: folder.to_owned(), source })?;
            dudao_engine::files::write_atomically(&path, &pack.module)
                .map_err(|source| Error::Io { path: path.clone(), source })?;
        }
        add_local(&mut plan, &mut manifests, &pack.county, path, &pack.sha256, pack.bonus_cap, pack.manifest);
    }
    plan::check_layering(&plan, &manifests.iter().collect::<Vec<_>>())
        .map_err(|e| Error::Round(format!("评估方案与已锁定的县级指标包不一致：{e}")))?;
    Ok((plan, manifests))
}

/// Writes a round's effective plan where its run reads it: `<dir>/plan.toml`.
///
/// # Errors
///
/// When it cannot be written.
pub fn write_plan(plan: &Plan, dir: &Path) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
    let text = toml::to_string(plan).map_err(|e| Error::Round(format!("评估方案无法写出：{e}")))?;
    let path = dir.join("plan.toml");
    dudao_engine::files::write_atomically(&path, text.as_bytes())
        .map_err(|source| Error::Io { path: path.clone(), source })?;
    Ok(path)
}

/// Why a pack file cannot be loaded, in Chinese (the engine's technical detail kept).
fn load_problems(error: &PackError) -> Vec<String> {
    match error {
        PackError::TooLarge { size, limit, .. } => vec![format!("文件有 {size} 字节，超过 {limit} 字节的上限")],
        PackError::NotWasm { message, .. } => {
            vec![format!("文件不是有效的 WebAssembly 模块（用 `dudao build` 构建的 .wasm）：{message}")]
        }
        PackError::Abi { violations, .. } => {
            violations.iter().map(|violation| format!("不符合 dudao 指标包接口（ABI）：{violation}")).collect()
        }
        PackError::AbiVersion { found, supported, .. } => vec![format!(
            "指标包使用接口 ABI {found}，本平台只支持 ABI {}.x：请用匹配的 rules-sdk 重新构建",
            supported.major
        )],
        PackError::Describe { error, .. } => vec![format!("指标包在沙箱中自我描述失败：{error}")],
        PackError::Limit { error, .. } => vec![format!("指标包超出平台的模块限制：{error}")],
        PackError::Manifest { problems, .. } => {
            problems.iter().map(|problem| format!("指标包说明（manifest）有误：{problem}")).collect()
        }
        other => vec![format!("指标包无法加载：{other}")],
    }
}

/// What a check of an uploaded pack found.
#[derive(Debug)]
pub enum Checked {
    /// It loads and keeps every rule: its manifest, and the module to store (the upload
    /// itself, or the module a declarative spec compiled to).
    Clean(Box<Manifest>, Vec<u8>),
    /// Everything wrong, in Chinese.
    Problems(Vec<String>),
}

/// Loads an uploaded pack in the engine's sandbox and applies the layering rules against each
/// of `plans` (with their manifests) as a local pack of `county`. The upload is a built module
/// (`.wasm`) or a declarative spec (`.toml`, or an `.xlsx` indicator table, as `dudao build`
/// takes), which is compiled here with the embedded interpreter: county staff need no
/// toolchain. Blocking: compiles the module.
pub fn check(county: &str, filename: &str, bytes: &[u8], plans: &[(String, Plan, Vec<Manifest>)]) -> Checked {
    if bytes.len() > MAX_PACK_BYTES {
        return Checked::Problems(vec![format!(
            "文件有 {} 字节，超过 {} MiB 的上限",
            bytes.len(),
            MAX_PACK_BYTES / 1024 / 1024
        )]);
    }
    let module = if dudao_engine::declarative::is_spec(Path::new(filename)) {
        match dudao_engine::declarative::compile_bytes(filename, bytes) {
            Ok(module) => module,
            Err(error) => return Checked::Problems(error.lines()),
        }
    } else if filename.to_ascii_lowercase().ends_with(".wasm") {
        bytes.to_vec()
    } else {
        return Checked::Problems(vec![format!(
            "文件 {filename} 不是指标包：请上传用 `dudao build` 构建的 .wasm 模块，或声明式指标包（.toml 或 .xlsx 指标表）"
        )]);
    };
    let limits = plans.first().map(|(_, plan, _)| plan.limits()).unwrap_or_default();
    let sandbox = match Sandbox::new(limits) {
        Ok(sandbox) => sandbox,
        Err(error) => return Checked::Problems(vec![format!("沙箱无法启动：{error}")]),
    };
    let loaded = match LoadedPack::from_bytes(&sandbox, Path::new(filename), &module) {
        Ok(loaded) => loaded,
        Err(error) => return Checked::Problems(load_problems(&error)),
    };
    let problems = layering(county, filename, &loaded.sha256, &loaded.manifest, plans);
    if problems.is_empty() { Checked::Clean(Box::new(loaded.manifest), module) } else { Checked::Problems(problems) }
}

/// The layering rules `manifest` breaks as a local pack of `county` in each of `plans`
/// (with their manifests), in Chinese, each once.
pub fn layering(
    county: &str,
    filename: &str,
    sha256: &str,
    manifest: &Manifest,
    plans: &[(String, Plan, Vec<Manifest>)],
) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    for (name, plan, manifests) in plans {
        let (mut plan, mut manifests) = (plan.clone(), manifests.clone());
        let index =
            add_local(&mut plan, &mut manifests, county, PathBuf::from(filename), sha256, None, manifest.clone());
        let refs: Vec<&Manifest> = manifests.iter().collect();
        for problem in plan::layering_problems(&plan, &refs, index) {
            let text = if plans.len() > 1 {
                format!("（评估方案 {name}）{}", problem.chinese())
            } else {
                problem.chinese()
            };
            if !problems.contains(&text) {
                problems.push(text);
            }
        }
    }
    problems
}

/// The stored manifest of a local pack.
///
/// # Errors
///
/// On a database failure or an unreadable manifest.
pub async fn manifest(db: &Db, id: i64) -> Result<Manifest, Error> {
    let row = sqlx::query("SELECT manifest FROM local_packs WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .map_err(context("reading a local pack"))?;
    let text: String = row.try_get("manifest").map_err(context("reading a local pack"))?;
    serde_json::from_str(&text).map_err(|e| Error::Round(format!("指标包说明无法读取：{e}")))
}

/// What an upload came to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PackUploadOutcome {
    /// The stored pack's id (when clean).
    pub id: Option<i64>,
    /// Every problem, in Chinese; nothing is stored when there is one.
    pub problems: Vec<String>,
}

/// Stores a clean pack as pending, with an audit entry.
///
/// # Errors
///
/// On a database failure.
#[allow(clippy::too_many_arguments)]
pub async fn store(
    db: &Db,
    user: &User,
    county: &Unit,
    round: Option<i64>,
    filename: &str,
    bytes: &[u8],
    manifest: &Manifest,
) -> Result<i64, Error> {
    let sha256 = dudao_dataset::sha256_hex(bytes);
    let manifest_json = serde_json::to_string(manifest).map_err(|e| Error::Round(e.to_string()))?;
    let mut tx = db.pool.begin().await.map_err(context("storing a local pack"))?;
    let row = sqlx::query(
        "INSERT INTO local_packs (county_id, round_id, pack_id, version, title, filename, sha256, size, module, manifest, uploaded_by, uploaded_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending') RETURNING id",
    )
    .bind(&county.id)
    .bind(round)
    .bind(&manifest.id)
    .bind(&manifest.version)
    .bind(&manifest.title)
    .bind(filename)
    .bind(&sha256)
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(&manifest_json)
    .bind(user.id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(context("storing a local pack"))?;
    let id: i64 = row.try_get("id").map_err(context("storing a local pack"))?;
    let target = match round {
        Some(round) => {
            format!("local_pack:{id} ({} {} for round:{round}, sha256 {sha256})", manifest.id, manifest.version)
        }
        None => format!("local_pack:{id} ({} {} for future rounds, sha256 {sha256})", manifest.id, manifest.version),
    };
    audit(&mut tx, Some(user), "上传县级指标包", &target, None, Some(&sha256)).await?;
    tx.commit().await.map_err(context("storing a local pack"))?;
    Ok(id)
}

/// Approves a pending pack: pins it into its round (for a round) and supersedes the county's
/// earlier approved version with the same id and target.
///
/// # Errors
///
/// On a database failure.
pub async fn approve(db: &Db, by: &User, pack: &LocalPack, bonus_cap: Option<f64>) -> Result<(), Error> {
    let before = serde_json::to_string(pack).unwrap_or_default();
    let mut tx = db.begin_write().await.map_err(context("approving a local pack"))?;
    let same_target = if pack.round_id.is_some() { "round_id = $4" } else { "round_id IS NULL AND $4 = 0" };
    let earlier = sqlx::query(&format!(
        "SELECT id FROM local_packs WHERE county_id = $1 AND pack_id = $2 AND status = 'approved' AND id <> $3 AND {same_target}"
    ))
    .bind(&pack.county_id)
    .bind(&pack.pack_id)
    .bind(pack.id)
    .bind(pack.round_id.unwrap_or(0))
    .fetch_all(&mut *tx)
    .await
    .map_err(context("approving a local pack"))?;
    for row in earlier {
        let old: i64 = row.try_get("id").map_err(context("approving a local pack"))?;
        sqlx::query("UPDATE local_packs SET status = 'superseded' WHERE id = $1")
            .bind(old)
            .execute(&mut *tx)
            .await
            .map_err(context("approving a local pack"))?;
        if let Some(round) = pack.round_id {
            sqlx::query("DELETE FROM round_packs WHERE round_id = $1 AND local_pack_id = $2")
                .bind(round)
                .bind(old)
                .execute(&mut *tx)
                .await
                .map_err(context("approving a local pack"))?;
        }
    }
    sqlx::query(
        "UPDATE local_packs SET status = 'approved', decided_by = $1, decided_at = $2, bonus_cap = $3, reason = NULL WHERE id = $4",
    )
    .bind(by.id)
    .bind(now())
    .bind(bonus_cap.map(|cap| cap.to_string()))
    .bind(pack.id)
    .execute(&mut *tx)
    .await
    .map_err(context("approving a local pack"))?;
    if let Some(round) = pack.round_id {
        sqlx::query("INSERT INTO round_packs (round_id, local_pack_id, pinned_at) VALUES ($1, $2, $3)")
            .bind(round)
            .bind(pack.id)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(context("approving a local pack"))?;
    }
    let target = format!("local_pack:{} ({} sha256 {})", pack.id, pack.pack_id, pack.sha256);
    audit(&mut tx, Some(by), "批准县级指标包", &target, Some(&before), Some(&pack.sha256)).await?;
    tx.commit().await.map_err(context("approving a local pack"))?;
    Ok(())
}

/// Rejects a pending pack with the city's reason.
///
/// # Errors
///
/// On a database failure.
pub async fn reject(db: &Db, by: &User, pack: &LocalPack, reason: &str) -> Result<(), Error> {
    let before = serde_json::to_string(pack).unwrap_or_default();
    let mut tx = db.pool.begin().await.map_err(context("rejecting a local pack"))?;
    sqlx::query(
        "UPDATE local_packs SET status = 'rejected', decided_by = $1, decided_at = $2, reason = $3 WHERE id = $4",
    )
    .bind(by.id)
    .bind(now())
    .bind(reason)
    .bind(pack.id)
    .execute(&mut *tx)
    .await
    .map_err(context("rejecting a local pack"))?;
    let target = format!("local_pack:{} ({} sha256 {})", pack.id, pack.pack_id, pack.sha256);
    audit(&mut tx, Some(by), "退回县级指标包", &target, Some(&before), Some(reason)).await?;
    tx.commit().await.map_err(context("rejecting a local pack"))?;
    Ok(())
}

/// Pins the approved packs for future rounds into a new round (inside its creation
/// transaction), each county's latest version of each pack id that keeps the layering rules of
/// the round's plan. Returns the ids of the packs left out, with why.
///
/// # Errors
///
/// On a database failure.
pub async fn pin_future(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: i64,
    plan: &Plan,
    manifests: &[Manifest],
) -> Result<Vec<(i64, Vec<String>)>, Error> {
    let rows = sqlx::query(
        "SELECT id, county_id, sha256, bonus_cap, manifest FROM local_packs WHERE round_id IS NULL AND status = 'approved' ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(context("pinning local packs"))?;
    let (mut plan, mut manifests) = (plan.clone(), manifests.to_vec());
    let mut left_out = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id").map_err(context("pinning local packs"))?;
        let county: String = row.try_get("county_id").map_err(context("pinning local packs"))?;
        let sha256: String = row.try_get("sha256").map_err(context("pinning local packs"))?;
        let text: String = row.try_get("manifest").map_err(context("pinning local packs"))?;
        let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else { continue };
        let (mut candidate, mut candidate_manifests) = (plan.clone(), manifests.clone());
        let index = add_local(
            &mut candidate,
            &mut candidate_manifests,
            &county,
            PathBuf::from(&sha256),
            &sha256,
            None,
            manifest,
        );
        let refs: Vec<&Manifest> = candidate_manifests.iter().collect();
        let problems: Vec<String> =
            plan::layering_problems(&candidate, &refs, index).iter().map(|problem| problem.chinese()).collect();
        if !problems.is_empty() {
            left_out.push((id, problems));
            continue;
        }
        (plan, manifests) = (candidate, candidate_manifests);
        sqlx::query("INSERT INTO round_packs (round_id, local_pack_id, pinned_at) VALUES ($1, $2, $3)")
            .bind(round)
            .bind(id)
            .bind(now())
            .execute(&mut **tx)
            .await
            .map_err(context("pinning local packs"))?;
    }
    Ok(left_out)
}
