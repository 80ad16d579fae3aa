//! Routes of county local packs (县级指标包): `/packs` (list, upload), `/packs/{id}` (a pack)
//! and `/packs/{id}/decision` (the city's approval or rejection), each also under `/api/v1/`.
//! A county administrator sees and uploads only its county's packs; city accounts see all and
//! the city administrator decides; a pack of another county answers 404, like any unit.

use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Ctx, Reply, read_multipart, round_json};
use crate::access;
use crate::engine::{self, RoundInfo};
use crate::model::{Role, Unit, User};
use crate::packs::{self, Checked, LocalPack};

/// Whether the account works with local packs at all: county administrators and the city.
fn uses_packs(user: &User) -> bool {
    user.role == Role::CountyAdmin || user.role.is_city()
}

/// The plans a pack for `round` (or, for `None`, for the rounds created later: every plan of
/// the plans folder) is checked against, with their manifests.
async fn target_plans(
    ctx: &Ctx,
    round: Option<&RoundInfo>,
) -> Result<Vec<(String, dudao_engine::plan::Plan, Vec<rules_sdk::wire::Manifest>)>, Response> {
    match round {
        Some(round) => {
            let loaded = engine::round_plan(&ctx.state, round).await.map_err(|e| ctx.internal(e))?;
            Ok(vec![(round.plan_path.clone(), loaded.0.clone(), loaded.1.clone())])
        }
        None => {
            let mut plans = Vec::new();
            for name in engine::plan_files(&ctx.state.config.plans_dir) {
                let path = engine::plan_file(&ctx.state.config.plans_dir, &name).map_err(|e| ctx.internal(e))?;
                let (plan, manifests) = engine::load_plan(path).await.map_err(|e| ctx.internal(e))?;
                plans.push((name, plan, manifests));
            }
            Ok(plans)
        }
    }
}

/// Rounds a pack may be uploaded for: open, data not locked.
async fn open_rounds(ctx: &Ctx) -> Result<Vec<RoundInfo>, Response> {
    let rounds = engine::rounds(&ctx.state.db).await.map_err(|e| ctx.internal(e))?;
    Ok(rounds.into_iter().filter(|round| round.status == "open" && !round.locked).collect())
}

async fn list_view(ctx: &Ctx, user: &User, extra: Value) -> Reply {
    let county = (user.role == Role::CountyAdmin).then_some(user.unit.id.as_str());
    let list = packs::list(&ctx.state.db, county).await.map_err(|e| ctx.internal(e))?;
    let rounds: Vec<Value> = open_rounds(ctx).await?.iter().map(round_json).collect();
    let mut data = json!({
        "packs": list,
        "can_upload": user.role == Role::CountyAdmin,
        "county": user.unit.id,
        "rounds": rounds,
        "max_mib": packs::MAX_PACK_BYTES / 1024 / 1024,
    });
    if let (Some(map), Value::Object(extra)) = (data.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(ctx.render("packs.html", data))
}

pub(super) async fn packs_page(ctx: Ctx) -> Reply {
    let user = ctx.user()?.clone();
    if !uses_packs(&user) {
        return Err(ctx.forbidden());
    }
    list_view(&ctx, &user, json!({})).await
}

pub(super) async fn packs_upload(ctx: Ctx, multipart: Multipart) -> Reply {
    let user = ctx.user()?.clone();
    if user.role != Role::CountyAdmin {
        return Err(ctx.forbidden());
    }
    let fields = read_multipart(&ctx, multipart, packs::MAX_PACK_BYTES).await?;
    let target = fields.text.get("round").map(|text| text.trim().to_owned()).unwrap_or_default();
    let round = match target.as_str() {
        "" | "future" => None,
        text => {
            let id = text.parse::<i64>().map_err(|_| ctx.bad_request(format!("轮次编号 `{text}` 不是数字")))?;
            let round = ctx.round(id).await?;
            if round.status != "open" || round.locked {
                return Err(ctx.fail(
                    StatusCode::CONFLICT,
                    &format!("轮次“{}”已锁定数据或已运行，不再接受县级指标包", round.title),
                ));
            }
            Some(round)
        }
    };
    let Some((filename, bytes)) = fields.file else {
        return Err(ctx.bad_request("请选择要上传的指标包文件（.wasm、.toml 或 .xlsx）"));
    };
    let plans = target_plans(&ctx, round.as_ref()).await?;
    let county = user.unit.id.clone();
    let checked = {
        let (filename, bytes) = (filename.clone(), bytes.clone());
        tokio::task::spawn_blocking(move || packs::check(&county, &filename, &bytes, &plans))
            .await
            .map_err(|e| ctx.internal(crate::Error::Round(e.to_string())))?
    };
    match checked {
        Checked::Clean(manifest, module) => {
            let id = packs::store(
                &ctx.state.db,
                &user,
                &user.unit,
                round.as_ref().map(|r| r.id),
                &filename,
                &module,
                &manifest,
            )
            .await
            .map_err(|e| ctx.internal(e))?;
            Ok(ctx.done(&format!("/packs/{id}"), json!({"id": id, "problems": []})))
        }
        Checked::Problems(problems) => {
            if ctx.api {
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(packs::PackUploadOutcome { id: None, problems }))
                    .into_response());
            }
            let page = list_view(&ctx, &user, json!({"problems": problems, "filename": filename})).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A pack the user sees, or 404 (also for ids that do not exist).
async fn load_pack(ctx: &Ctx, id: i64) -> Result<LocalPack, Response> {
    let user = ctx.user()?;
    let pack = packs::get(&ctx.state.db, id).await.map_err(|e| ctx.internal(e))?.ok_or_else(|| ctx.not_found())?;
    let county = Unit {
        id: pack.county_id.clone(),
        level: "county".to_owned(),
        name: pack.county_name.clone(),
        county_id: Some(pack.county_id.clone()),
        zone_id: None,
    };
    if !uses_packs(user) || !access::sees(user, &county) {
        return Err(ctx.not_found());
    }
    Ok(pack)
}

async fn pack_view(ctx: &Ctx, id: i64, extra: Value) -> Reply {
    let user = ctx.user()?.clone();
    let pack = load_pack(ctx, id).await?;
    let round = match pack.round_id {
        Some(round) => engine::round(&ctx.state.db, round).await.map_err(|e| ctx.internal(e))?.map(|r| round_json(&r)),
        None => None,
    };
    let mut data = json!({
        "pack": pack,
        "round": round,
        "can_decide": access::administers_city(&user) && pack.status == "pending",
    });
    if let (Some(map), Value::Object(extra)) = (data.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(ctx.render("pack.html", data))
}

pub(super) async fn pack_page(ctx: Ctx, Path(id): Path<i64>) -> Reply {
    pack_view(&ctx, id, json!({})).await
}

#[derive(Deserialize)]
struct Decision {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    bonus_cap: String,
}

pub(super) async fn pack_decision(ctx: Ctx, Path(id): Path<i64>, request: Request) -> Reply {
    let user = ctx.user()?.clone();
    let pack = load_pack(&ctx, id).await?;
    if !access::administers_city(&user) {
        return Err(ctx.forbidden());
    }
    let form: Decision = if ctx.api {
        Json::<Decision>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    } else {
        Form::<Decision>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    };
    if pack.status != "pending" {
        return Err(ctx.fail(StatusCode::CONFLICT, &format!("该指标包状态为“{}”，不能再审核", pack.status_chinese)));
    }
    let reason = form.reason.trim().to_owned();
    match form.decision.as_str() {
        "approve" => {
            let cap = form.bonus_cap.trim();
            let bonus_cap = if cap.is_empty() {
                None
            } else {
                match cap.parse::<f64>() {
                    Ok(value) if value.is_finite() && value >= 0.0 => Some(value),
                    _ => return Err(ctx.bad_request(format!("加分上限 `{cap}` 应为不小于 0 的数，或留空（不计加分）"))),
                }
            };
            let round = match pack.round_id {
                Some(round) => {
                    let round = ctx.round(round).await?;
                    if round.status != "open" || round.locked {
                        return Err(ctx.fail(
                            StatusCode::CONFLICT,
                            &format!("轮次“{}”已锁定数据或已运行，不能再纳入县级指标包；请退回", round.title),
                        ));
                    }
                    Some(round)
                }
                None => None,
            };
            // The rules again: another pack may have been approved since the upload.
            let manifest = packs::manifest(&ctx.state.db, id).await.map_err(|e| ctx.internal(e))?;
            let plans = target_plans(&ctx, round.as_ref()).await?;
            let problems = packs::layering(&pack.county_id, &pack.filename, &pack.sha256, &manifest, &plans);
            if !problems.is_empty() {
                return Err(ctx.fail(
                    StatusCode::CONFLICT,
                    &format!("该指标包现在不符合分层规则，不能批准：{}", problems.join("；")),
                ));
            }
            packs::approve(&ctx.state.db, &user, &pack, bonus_cap).await.map_err(|e| ctx.internal(e))?;
            if let Ok(mut cache) = ctx.state.manifests.lock() {
                cache.clear();
            }
        }
        "reject" => {
            if reason.is_empty() {
                return Err(ctx.bad_request("退回须填写理由"));
            }
            packs::reject(&ctx.state.db, &user, &pack, &reason).await.map_err(|e| ctx.internal(e))?;
        }
        other => return Err(ctx.bad_request(format!("审核结论 `{other}` 无效：应为 approve（批准）或 reject（退回）"))),
    }
    let now = packs::get(&ctx.state.db, id).await.map_err(|e| ctx.internal(e))?;
    Ok(ctx.done(&format!("/packs/{id}"), json!({"ok": true, "pack": now})))
}
