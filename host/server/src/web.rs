//! Routes. Every page's data is also JSON under `/api/v1/` from the same handler, with the
//! same access rule ([`crate::access`]). Unsafe methods need a valid CSRF token: the session's
//! token in the `csrf` form field or the `X-CSRF-Token` header.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use crate::AppState;
use crate::access;
use crate::auth::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::db::{Backend, context};
use crate::engine::{self, RoundInfo};
use crate::model::{self, Role, Unit, User};
use crate::paging::Page;
use crate::upload;

mod packs;

/// The largest request body: an upload plus form fields.
const MAX_BODY: usize = upload::MAX_UPLOAD_BYTES + 1024 * 1024;
/// The largest rectification attachment: 5 MiB (our choice: a scanned report of a few pages).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Attachment types accepted, by extension, with the content type they are served as.
pub const ATTACHMENT_TYPES: [(&str, &str); 6] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
];

/// The service's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/api/v1/session", post(api_login))
        .route("/", get(home))
        .route("/api/v1/me", get(home))
        .route("/units/{id}", get(unit_page))
        .route("/api/v1/units/{id}", get(unit_page))
        .route("/rounds", get(rounds_page).post(create_round))
        .route("/api/v1/rounds", get(rounds_page).post(create_round))
        .route("/rounds/{id}", get(round_page))
        .route("/api/v1/rounds/{id}", get(round_page))
        .route("/rounds/{id}/{action}", post(round_action))
        .route("/api/v1/rounds/{id}/{action}", post(round_action))
        .route("/rounds/{id}/report", get(round_report))
        .route("/rounds/{id}/results/{unit}", get(results_page))
        .route("/api/v1/rounds/{id}/results/{unit}", get(results_page))
        .route("/rounds/{id}/data/{unit}", get(data_page).post(data_upload))
        .route("/api/v1/rounds/{id}/data/{unit}", get(data_page).post(data_upload))
        .route("/rounds/{id}/data/{unit}/template.xlsx", get(data_template))
        .route("/rounds/{id}/visits/{school}", get(visit_page).post(visit_save))
        .route("/api/v1/rounds/{id}/visits/{school}", get(visit_page).post(visit_save))
        .route("/items", get(items_page))
        .route("/api/v1/items", get(items_page))
        .route("/items/{id}", get(item_page))
        .route("/api/v1/items/{id}", get(item_page))
        .route("/items/{id}/reports", post(item_report))
        .route("/api/v1/items/{id}/reports", post(item_report))
        .route("/items/{id}/decision", post(item_decision))
        .route("/api/v1/items/{id}/decision", post(item_decision))
        .route("/items/{id}/reports/{report}/attachment", get(item_attachment))
        .route("/packs", get(packs::packs_page).post(packs::packs_upload))
        .route("/api/v1/packs", get(packs::packs_page).post(packs::packs_upload))
        .route("/packs/{id}", get(packs::pack_page))
        .route("/api/v1/packs/{id}", get(packs::pack_page))
        .route("/packs/{id}/decision", post(packs::pack_decision))
        .route("/api/v1/packs/{id}/decision", post(packs::pack_decision))
        .route("/orders", get(orders_page))
        .route("/api/v1/orders", get(orders_page))
        .route("/audit", get(audit_page))
        .route("/api/v1/audit", get(audit_page))
        .route("/public", get(public_index))
        .route("/api/v1/public/rounds", get(public_index))
        .route("/public/rounds/{id}", get(public_report))
        .route("/api/v1/public/rounds/{id}", get(public_round_json))
        .route("/api/v1/openapi.json", get(openapi))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn_with_state(state.clone(), session_layer))
        .with_state(state)
}

/// The signed-in account of a request, if any (set by [`session_layer`]).
#[derive(Debug, Clone)]
struct Session(Option<User>);

/// A multipart form whose CSRF token the handler must check (the header was absent).
#[derive(Debug, Clone)]
struct CsrfPending;

/// What a handler knows about its request.
#[derive(Debug, Clone)]
pub struct Ctx {
    state: AppState,
    user: Option<User>,
    api: bool,
    csrf_pending: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = parts.extensions.get::<Session>().and_then(|session| session.0.clone());
        Ok(Ctx {
            state: state.clone(),
            user,
            api: parts.uri.path().starts_with("/api/"),
            csrf_pending: parts.extensions.get::<CsrfPending>().is_some(),
        })
    }
}

type Reply = Result<Response, Response>;

impl Ctx {
    fn user(&self) -> Result<&User, Response> {
        match &self.user {
            Some(user) => Ok(user),
            None if self.api => Err(self.fail(StatusCode::UNAUTHORIZED, "请先登录")),
            None => Err(Redirect::to("/login").into_response()),
        }
    }

    fn base(&self) -> Value {
        match &self.user {
            Some(user) => json!({"user": user, "role_chinese": user.role.chinese(), "csrf": user.csrf}),
            None => json!({}),
        }
    }

    /// The page `template` with `data` (a map; its keys win over the signed-in user's), or
    /// `data` itself as JSON under `/api/`.
    fn render(&self, template: &str, data: impl Serialize) -> Response {
        if self.api {
            return Json(data).into_response();
        }
        let context = minijinja::value::merge_maps([
            minijinja::Value::from_serialize(&data),
            minijinja::Value::from_serialize(self.base()),
        ]);
        match self.state.views.render(template, context) {
            Ok(html) => Html(html).into_response(),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("页面渲染失败：{error}")).into_response(),
        }
    }

    fn fail(&self, status: StatusCode, message: &str) -> Response {
        if self.api {
            return (status, Json(json!({"error": message}))).into_response();
        }
        let context = {
            let mut base = self.base();
            if let Some(map) = base.as_object_mut() {
                map.insert("title".into(), json!(status.canonical_reason().map_or("错误", chinese_status)));
                map.insert("message".into(), json!(message));
                map.insert("bad".into(), json!(true));
                map.insert("back".into(), json!("/"));
            }
            base
        };
        let body = self
            .state
            .views
            .render("message.html", minijinja::Value::from_serialize(context))
            .unwrap_or_else(|_| message.to_owned());
        (status, Html(body)).into_response()
    }

    fn not_found(&self) -> Response {
        self.fail(StatusCode::NOT_FOUND, "未找到，或您无权访问")
    }

    fn forbidden(&self) -> Response {
        self.fail(StatusCode::FORBIDDEN, "您的角色无权执行该操作")
    }

    fn internal(&self, error: crate::Error) -> Response {
        self.fail(StatusCode::INTERNAL_SERVER_ERROR, &format!("服务出错：{error}"))
    }

    fn bad_request(&self, error: impl std::fmt::Display) -> Response {
        self.fail(StatusCode::BAD_REQUEST, &error.to_string())
    }

    /// After a form post: back to a page (HTML) or the outcome (JSON).
    fn done(&self, to: &str, data: Value) -> Response {
        if self.api { Json(data).into_response() } else { Redirect::to(to).into_response() }
    }

    /// A unit the user sees, or 404 (also for units that do not exist, so ids cannot be probed).
    async fn unit(&self, id: &str) -> Result<Unit, Response> {
        let user = self.user()?;
        match model::unit(&self.state.db, id).await.map_err(|e| self.internal(e))? {
            Some(unit) if access::sees(user, &unit) => Ok(unit),
            _ => Err(self.not_found()),
        }
    }

    async fn round(&self, id: i64) -> Result<RoundInfo, Response> {
        self.user()?;
        engine::round(&self.state.db, id).await.map_err(|e| self.internal(e))?.ok_or_else(|| self.not_found())
    }
}

fn chinese_status(reason: &str) -> &'static str {
    match reason {
        "Not Found" => "未找到",
        "Forbidden" => "无权访问",
        "Bad Request" => "请求有误",
        "Unauthorized" => "请先登录",
        "Too Many Requests" => "请求过于频繁",
        _ => "出错了",
    }
}

/// Loads the session and enforces CSRF on unsafe methods.
async fn session_layer(State(state): State<AppState>, jar: CookieJar, request: Request, next: Next) -> Response {
    let user = match jar.get(SESSION_COOKIE) {
        Some(cookie) => auth::session_user(&state.db, cookie.value()).await.ok().flatten(),
        None => None,
    };
    let path = request.uri().path().to_owned();
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut request = request;
    if !safe && path != "/login" && path != "/api/v1/session" {
        let refuse = |status: StatusCode, message: &str| (status, Json(json!({"error": message}))).into_response();
        let Some(account) = &user else {
            return refuse(StatusCode::UNAUTHORIZED, "请先登录");
        };
        let header = request.headers().get("x-csrf-token").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("").to_owned();
        if let Some(token) = header {
            if !auth::tokens_equal(&token, &account.csrf) {
                return refuse(StatusCode::FORBIDDEN, "CSRF 校验失败：请刷新页面后重试");
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, "表单过大");
            };
            let token =
                form_urlencoded::parse(&bytes).find(|(key, _)| key == "csrf").map(|(_, value)| value.into_owned());
            if !token.is_some_and(|token| auth::tokens_equal(&token, &account.csrf)) {
                return refuse(StatusCode::FORBIDDEN, "CSRF 校验失败：请刷新页面后重试");
            }
            request = Request::from_parts(parts, Body::from(bytes));
        } else if content_type.starts_with("multipart/form-data") {
            request.extensions_mut().insert(CsrfPending);
        } else {
            return refuse(StatusCode::FORBIDDEN, "CSRF 校验失败：缺少令牌");
        }
    }
    request.extensions_mut().insert(Session(user));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// A multipart form: text fields and at most one file.
struct Fields {
    text: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

async fn read_multipart(ctx: &Ctx, mut multipart: Multipart, max_file: usize) -> Result<Fields, Response> {
    let user = ctx.user()?;
    let mut fields = Fields { text: HashMap::new(), file: None };
    while let Some(field) = multipart.next_field().await.map_err(|e| ctx.bad_request(format!("表单无法读取：{e}")))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if let Some(filename) = field.file_name().map(str::to_owned) {
            let bytes = field.bytes().await.map_err(|e| ctx.bad_request(format!("文件无法读取：{e}")))?;
            if bytes.len() > max_file {
                return Err(ctx.fail(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("文件 {filename} 超过 {} MiB 上限", max_file / 1024 / 1024),
                ));
            }
            if !filename.is_empty() {
                fields.file = Some((filename, bytes.to_vec()));
            }
        } else {
            let value = field.text().await.map_err(|e| ctx.bad_request(format!("表单无法读取：{e}")))?;
            fields.text.insert(name, value);
        }
    }
    if ctx.csrf_pending && !fields.text.get("csrf").is_some_and(|token| auth::tokens_equal(token, &user.csrf)) {
        return Err(ctx.fail(StatusCode::FORBIDDEN, "CSRF 校验失败：请刷新页面后重试"));
    }
    Ok(fields)
}

fn client_ip(parts: &axum::http::Extensions) -> Option<IpAddr> {
    parts.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())
}

// ---- sign in and out ------------------------------------------------------------------------

async fn login_page(ctx: Ctx, jar: CookieJar) -> Response {
    let token = auth::random_token();
    let jar = jar.add(auth::cookie(LOGIN_CSRF_COOKIE, token.clone(), Some(3600)));
    (jar, ctx.render("login.html", json!({"login_csrf": token}))).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login_submit(ctx: Ctx, jar: CookieJar, request: Request) -> Response {
    let ip = client_ip(request.extensions());
    let Ok(Form(form)) = Form::<LoginForm>::from_request(request, &ctx.state).await else {
        return ctx.bad_request("登录表单不完整");
    };
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|cookie| cookie.value().to_owned()).unwrap_or_default();
    let retry = |error: &str, status: StatusCode| {
        let token = auth::random_token();
        let jar = jar.clone().add(auth::cookie(LOGIN_CSRF_COOKIE, token.clone(), Some(3600)));
        (status, jar, ctx.render("login.html", json!({"login_csrf": token, "error": error}))).into_response()
    };
    if expected.is_empty() || !auth::tokens_equal(&expected, &form.csrf) {
        return retry("登录表单已失效（CSRF 校验失败），请重新登录", StatusCode::FORBIDDEN);
    }
    if !ctx.state.limits.allow(&form.username, ip) {
        return retry("登录尝试过于频繁，请一分钟后再试", StatusCode::TOO_MANY_REQUESTS);
    }
    match auth::login(&ctx.state.db, &form.username, &form.password).await {
        Ok(Some((token, _))) => {
            let jar = jar.remove(removal(LOGIN_CSRF_COOKIE)).add(auth::cookie(
                SESSION_COOKIE,
                token,
                Some(auth::SESSION_SECONDS),
            ));
            (jar, Redirect::to("/")).into_response()
        }
        Ok(None) => retry("账号或密码错误", StatusCode::UNAUTHORIZED),
        Err(error) => ctx.internal(error),
    }
}

#[derive(Deserialize)]
struct ApiLogin {
    username: String,
    password: String,
}

/// `POST /api/v1/session` with `{"username", "password"}`: sets the session cookie and returns
/// the CSRF token to send as `X-CSRF-Token`.
async fn api_login(ctx: Ctx, jar: CookieJar, request: Request) -> Response {
    let ip = client_ip(request.extensions());
    let Ok(Json(form)) = Json::<ApiLogin>::from_request(request, &ctx.state).await else {
        return ctx.bad_request("需要 JSON：{\"username\": …, \"password\": …}");
    };
    if !ctx.state.limits.allow(&form.username, ip) {
        return ctx.fail(StatusCode::TOO_MANY_REQUESTS, "登录尝试过于频繁，请一分钟后再试");
    }
    match auth::login(&ctx.state.db, &form.username, &form.password).await {
        Ok(Some((token, user))) => {
            let jar = jar.add(auth::cookie(SESSION_COOKIE, token, Some(auth::SESSION_SECONDS)));
            (jar, Json(json!({"csrf": user.csrf, "user": user}))).into_response()
        }
        Ok(None) => ctx.fail(StatusCode::UNAUTHORIZED, "账号或密码错误"),
        Err(error) => ctx.internal(error),
    }
}

async fn logout(ctx: Ctx, jar: CookieJar) -> Response {
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Err(error) = auth::logout(&ctx.state.db, cookie.value()).await
    {
        return ctx.internal(error);
    }
    (jar.remove(removal(SESSION_COOKIE)), Redirect::to("/login")).into_response()
}

use axum::extract::FromRequest;

/// A cookie removal matching the path the cookie was set with.
fn removal(name: &'static str) -> axum_extra::extract::cookie::Cookie<'static> {
    axum_extra::extract::cookie::Cookie::build(name).path("/").build()
}

// ---- organisation ---------------------------------------------------------------------------

/// The order units are listed in: the city, counties, zones, schools, each in dataset order.
const UNIT_ORDER: &str = "CASE level WHEN 'city' THEN 0 WHEN 'county' THEN 1 WHEN 'zone' THEN 2 ELSE 3 END, position";

fn unit_of(row: &sqlx::any::AnyRow) -> Unit {
    Unit {
        id: row.try_get("id").unwrap_or_default(),
        level: row.try_get("level").unwrap_or_default(),
        name: row.try_get("name").unwrap_or_default(),
        county_id: row.try_get("county_id").unwrap_or_default(),
        zone_id: row.try_get("zone_id").unwrap_or_default(),
    }
}

/// A page of the units `user` sees that also meet `condition` (parameters `binds`, numbered
/// from `$1`), in [`UNIT_ORDER`].
async fn units_page(
    ctx: &Ctx,
    user: &User,
    (condition, binds): (&str, Vec<Bind>),
    paging: (&HashMap<String, String>, &str),
) -> Result<(Vec<Unit>, Page), Response> {
    let (scope, bind) = access::sees_sql(user, access::UNIT_COLUMNS, binds.len() + 1);
    let mut binds = binds;
    binds.extend(bind.map(Bind::Text));
    let from = format!("FROM units WHERE {condition} AND {scope}");
    let (rows, page) =
        paged(ctx, ("id, level, name, county_id, zone_id", &from, UNIT_ORDER), &binds, paging, "reading units").await?;
    Ok((rows.iter().map(unit_of).collect(), page))
}

async fn visible_units(ctx: &Ctx, user: &User) -> Result<Vec<Unit>, Response> {
    let (scope, bind) = access::sees_sql(user, access::UNIT_COLUMNS, 1);
    let sql = format!("SELECT id, level, name, county_id, zone_id FROM units WHERE {scope} ORDER BY {UNIT_ORDER}");
    let mut query = sqlx::query(&sql);
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&ctx.state.db.pool).await.map_err(|e| ctx.internal(context("reading units")(e)))?;
    Ok(rows.iter().map(unit_of).collect())
}

fn unit_json(unit: &Unit) -> Value {
    json!({"id": unit.id, "level": unit.level, "level_chinese": unit.level_chinese(), "name": unit.name,
        "county_id": unit.county_id, "zone_id": unit.zone_id})
}

fn scope_words(user: &User) -> String {
    match user.role {
        Role::CityAdmin | Role::CityInspector => "全市".to_owned(),
        Role::CountyAdmin => format!("{}及其所属责任区、学校", user.unit.name),
        Role::ZoneInspector => format!("{}的学校", user.unit.name),
        Role::School => "本校".to_owned(),
    }
}

fn round_json(round: &RoundInfo) -> Value {
    let mut value = serde_json::to_value(round).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("status_chinese".into(), json!(round.status_chinese()));
    }
    value
}

async fn home(ctx: Ctx, Query(query): Query<HashMap<String, String>>) -> Reply {
    let user = ctx.user()?.clone();
    let rounds = engine::rounds(&ctx.state.db).await.map_err(|e| ctx.internal(e))?;
    // The units the account sees, a page at a time; schools only when there are few (a zone's,
    // a school's own), the others are reached through their county's or zone's page.
    let (scope, bind) = access::sees_sql(&user, access::UNIT_COLUMNS, 1);
    let sql = format!("SELECT COUNT(*) AS n FROM units WHERE {scope}");
    let mut count = sqlx::query(&sql);
    if let Some(bind) = bind {
        count = count.bind(bind);
    }
    let all: i64 = count
        .fetch_one(&ctx.state.db.pool)
        .await
        .and_then(|row| row.try_get("n"))
        .map_err(|e| ctx.internal(context("reading units")(e)))?;
    let condition = if all < 60 { "1 = 1" } else { "level IN ('city', 'county', 'zone')" };
    let (units, page) = units_page(&ctx, &user, (condition, Vec::new()), (&query, "page")).await?;
    let shown: Vec<Value> = units.iter().map(unit_json).collect();
    let overdue = overdue_count(&ctx, &user).await?;
    Ok(ctx.render(
        "home.html",
        json!({
            "me": {"username": user.username, "role": user.role, "unit": unit_json(&user.unit)},
            "scope": scope_words(&user),
            "rounds": rounds.iter().map(round_json).collect::<Vec<_>>(),
            "units": shown,
            "page": page.json("page"),
            "can_submit": access::submits_data(&user, &user.unit),
            "overdue": overdue,
        }),
    ))
}

async fn unit_page(ctx: Ctx, Path(id): Path<String>, Query(query): Query<HashMap<String, String>>) -> Reply {
    let user = ctx.user()?.clone();
    let unit = ctx.unit(&id).await?;
    let (children, page) = units_page(&ctx, &user, children_of(&unit), (&query, "page")).await?;
    let children: Vec<Value> = children.iter().map(unit_json).collect();
    let rows = sqlx::query(
        "SELECT r.round_id, d.title, r.total, r.grade FROM results r JOIN rounds d ON d.id = r.round_id WHERE r.unit_id = $1 ORDER BY r.round_id DESC",
    )
    .bind(&unit.id)
    .fetch_all(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading results")(e)))?;
    let results: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({"round_id": row.try_get::<i64, _>("round_id").ok(), "title": row.try_get::<String, _>("title").ok(),
                "total": row.try_get::<Option<f64>, _>("total").ok().flatten(), "grade": row.try_get::<Option<String>, _>("grade").ok().flatten(),
                "schools": row.try_get::<Option<i64>, _>("schools").ok().flatten(), "not_met": row.try_get::<Option<i64>, _>("not_met").ok().flatten()})
        })
        .collect();
    Ok(ctx.render(
        "unit.html",
        json!({"unit": unit_json(&unit), "children": children, "page": page.json("page"), "results": results}),
    ))
}

/// The units directly below `parent` in the organisation, as an SQL condition on the units
/// table: the city's counties, a county's zones and its schools outside any zone, a zone's
/// schools.
fn children_of(parent: &Unit) -> (&'static str, Vec<Bind>) {
    let id = || vec![Bind::Text(parent.id.clone())];
    match parent.level.as_str() {
        "city" => ("level = 'county'", Vec::new()),
        "county" => {
            ("(level = 'zone' AND county_id = $1 OR level = 'school' AND county_id = $1 AND zone_id IS NULL)", id())
        }
        "zone" => ("level = 'school' AND zone_id = $1", id()),
        _ => ("1 = 0", Vec::new()),
    }
}

// ---- rounds ---------------------------------------------------------------------------------

async fn rounds_page(ctx: Ctx) -> Reply {
    let user = ctx.user()?;
    let rounds = engine::rounds(&ctx.state.db).await.map_err(|e| ctx.internal(e))?;
    Ok(ctx.render(
        "rounds.html",
        json!({
            "rounds": rounds.iter().map(round_json).collect::<Vec<_>>(),
            "can_create": access::administers_city(user),
            "plans": engine::plan_files(&ctx.state.config.plans_dir),
        }),
    ))
}

#[derive(Deserialize)]
struct NewRound {
    plan: String,
    #[serde(default)]
    previous: Option<String>,
}

async fn create_round(ctx: Ctx, request: Request) -> Reply {
    let user = ctx.user()?.clone();
    if !access::administers_city(&user) {
        return Err(ctx.forbidden());
    }
    let form: NewRound = if ctx.api {
        Json::<NewRound>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    } else {
        Form::<NewRound>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    };
    let previous = match form.previous.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => {
            Some(text.parse::<i64>().map_err(|_| ctx.bad_request(format!("前一轮次编号 `{text}` 不是数字")))?)
        }
        None => None,
    };
    let id = engine::create_round(&ctx.state, &user, &form.plan, previous).await.map_err(|e| ctx.bad_request(e))?;
    Ok(ctx.done(&format!("/rounds/{id}"), json!({"id": id})))
}

/// A value bound to a query parameter.
#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

/// `query` with `binds` bound in order.
fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(*value),
            Bind::Text(value) => query.bind(value.clone()),
        };
    }
    query
}

/// `$first, $first+1, …`: the placeholders of `count` parameters, for `IN (…)`.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Reads the page of the rows of `from` (`FROM … WHERE …`, parameters `binds`) that the query
/// parameter `param` asks for, `columns` in `order`, and how many rows there are, in one query
/// (the count is an uncorrelated subquery, evaluated once). Only a page past the end, which
/// reads no rows and so no count, takes a second look.
async fn paged(
    ctx: &Ctx,
    (columns, from, order): (&str, &str, &str),
    binds: &[Bind],
    (query, param): (&HashMap<String, String>, &str),
    what: &'static str,
) -> Result<(Vec<sqlx::any::AnyRow>, Page), Response> {
    let asked = Page::asked(query, param);
    let sql = format!(
        "SELECT {columns}, (SELECT COUNT(*) {from}) AS total_rows {from} ORDER BY {order} {}",
        Page::sql_of(asked)
    );
    let rows = bound(sqlx::query(&sql), binds)
        .fetch_all(&ctx.state.db.pool)
        .await
        .map_err(|e| ctx.internal(context(what)(e)))?;
    match counted(rows.first(), asked) {
        Some(page) => Ok((rows, page)),
        None => {
            let page = Page::of(query, param, count_of(ctx, from, binds, what).await?);
            Ok((page_of(ctx, (columns, from, order), binds, page, what).await?, page))
        }
    }
}

/// The page `asked` of a list, from the first row read for it and its `total_rows` column; `None`
/// when it read nothing although it was not the first page (past the end: the count is unknown).
fn counted(first: Option<&sqlx::any::AnyRow>, asked: i64) -> Option<Page> {
    match first {
        Some(row) => Some(Page { number: asked, total: row.try_get::<i64, _>("total_rows").ok()? }),
        None if asked == 1 => Some(Page { number: 1, total: 0 }),
        None => None,
    }
}

/// Counts the rows of `from` (`FROM … WHERE …`, parameters `binds`).
async fn count_of(ctx: &Ctx, from: &str, binds: &[Bind], what: &'static str) -> Result<i64, Response> {
    bound(sqlx::query(&format!("SELECT COUNT(*) AS n {from}")), binds)
        .fetch_one(&ctx.state.db.pool)
        .await
        .and_then(|row| row.try_get("n"))
        .map_err(|e| ctx.internal(context(what)(e)))
}

/// Reads `page` of the rows of `from` (parameters `binds`), `columns` in `order`.
async fn page_of(
    ctx: &Ctx,
    (columns, from, order): (&str, &str, &str),
    binds: &[Bind],
    page: Page,
    what: &'static str,
) -> Result<Vec<sqlx::any::AnyRow>, Response> {
    let sql = format!("SELECT {columns} {from} ORDER BY {order} {}", page.sql());
    bound(sqlx::query(&sql), binds).fetch_all(&ctx.state.db.pool).await.map_err(|e| ctx.internal(context(what)(e)))
}

/// `FROM …` and its parameters for the result rows of a round at a level that the user sees
/// (and, with `parent`, whose `county_id` or `zone_id` column is that unit).
fn result_from(user: &User, (round, level): (i64, &str), parent: Option<(&'static str, &str)>) -> (String, Vec<Bind>) {
    let (scope, bind) =
        access::sees_level_sql(user, access::RESULT_COLUMNS, level, 4).unwrap_or_else(|| ("1 = 0".to_owned(), None));
    // `$3` is always used (an unused parameter has no type on PostgreSQL).
    let below = parent.map_or_else(|| "$3 = ''".to_owned(), |(column, _)| format!("{column} = $3"));
    let from = format!("FROM results WHERE round_id = $1 AND level = $2 AND {below} AND {scope}");
    let mut binds =
        vec![Bind::Int(round), Bind::Text(level.to_owned()), Bind::Text(parent.map_or("", |(_, id)| id).to_owned())];
    binds.extend(bind.map(Bind::Text));
    (from, binds)
}

/// A result row for the templates and the JSON.
fn result_json(row: &sqlx::any::AnyRow) -> Value {
    json!({"unit_id": row.try_get::<String, _>("unit_id").unwrap_or_default(), "name": row.try_get::<String, _>("name").unwrap_or_default(),
        "county_id": row.try_get::<Option<String>, _>("county_id").unwrap_or_default(), "zone_id": row.try_get::<Option<String>, _>("zone_id").unwrap_or_default(),
        "total": row.try_get::<Option<f64>, _>("total").ok().flatten(), "grade": row.try_get::<Option<String>, _>("grade").ok().flatten(),
        "schools": row.try_get::<Option<i64>, _>("schools").ok().flatten(), "not_met": row.try_get::<Option<i64>, _>("not_met").ok().flatten()})
}

/// A page of the result rows of a round at a level, limited to what the user sees (and, with
/// `parent`, to the rows whose `county_id` or `zone_id` column is that unit), filtered by the
/// database; the page is the one the query parameter `paging.1` asks for.
async fn result_rows(
    ctx: &Ctx,
    user: &User,
    round_level: (i64, &str),
    parent: Option<(&'static str, &str)>,
    paging: (&HashMap<String, String>, &str),
) -> Result<(Vec<Value>, Page), Response> {
    let (from, binds) = result_from(user, round_level, parent);
    let asked = Page::asked(paging.0, paging.1);
    let rows = read_results(ctx, &result_page_sql(ctx, &from, asked), &binds).await?;
    match counted(rows.first(), asked) {
        Some(page) => Ok((rows.iter().map(result_json).collect(), page)),
        None => past_the_end(ctx, (&from, &binds), paging).await,
    }
}

/// A page asked for past the end of the result list `from` (parameters `binds`): the list is
/// counted, and its last page read.
async fn past_the_end(
    ctx: &Ctx,
    (from, binds): (&str, &[Bind]),
    (query, param): (&HashMap<String, String>, &str),
) -> Result<(Vec<Value>, Page), Response> {
    let page = Page::of(query, param, count_of(ctx, from, binds, "reading results").await?);
    let rows = read_results(ctx, &result_page_sql(ctx, from, page.number), binds).await?;
    Ok((rows.iter().map(result_json).collect(), page))
}

/// Runs a query over result rows.
async fn read_results(ctx: &Ctx, sql: &str, binds: &[Bind]) -> Result<Vec<sqlx::any::AnyRow>, Response> {
    bound(sqlx::query(sql), binds)
        .fetch_all(&ctx.state.db.pool)
        .await
        .map_err(|e| ctx.internal(context("reading results")(e)))
}

/// The SELECT of page `number` of the result rows `from` (`FROM results WHERE round_id = $1 AND
/// …`), in list order, with the columns a list shows (`result_json`), `position` and how many
/// rows the list has (`total_rows`).
///
/// On PostgreSQL the page's unit ids are found on an index that holds them (migration 7), and
/// only the page's rows are then read: a deep page (`OFFSET 99900` on a national round) no
/// longer reads every row it skips from the table (128 ms → 18 ms in `EXPLAIN ANALYZE`). On
/// SQLite the same join ran the round page at a third of the requests per second under load
/// (sqlx's bundled SQLite), while reading the page straight is fast there at national scale,
/// so SQLite reads it straight.
fn result_page_sql(ctx: &Ctx, from: &str, number: i64) -> String {
    let limit = Page::sql_of(number);
    match ctx.state.db.backend {
        Backend::Postgres => format!(
            "SELECT r.unit_id AS unit_id, r.name AS name, r.county_id AS county_id, r.zone_id AS zone_id, \
             r.total AS total, r.grade AS grade, r.schools AS schools, r.not_met AS not_met, \
             p.position AS position, (SELECT COUNT(*) {from}) AS total_rows \
             FROM (SELECT unit_id, position {from} ORDER BY position {limit}) AS p \
             JOIN results r ON r.round_id = $1 AND r.unit_id = p.unit_id ORDER BY p.position"
        ),
        Backend::Sqlite => format!(
            "SELECT unit_id, name, county_id, zone_id, total, grade, schools, not_met, position, \
             (SELECT COUNT(*) {from}) AS total_rows {from} ORDER BY position {limit}"
        ),
    }
}

/// The levels of a round's results, from the top, with their lists' titles.
const LEVELS: [(&str, &str); 4] =
    [("city", "全市"), ("county", "各县（市、区）"), ("zone", "督学责任区"), ("school", "学校")];

/// The round page's lists: at each level, the page (query parameter `{level}_page`) of the
/// result rows the user sees, with how many there are, all in one query; a level without rows
/// is left out.
async fn result_lists(
    ctx: &Ctx,
    user: &User,
    round: i64,
    query: &HashMap<String, String>,
) -> Result<Vec<Value>, Response> {
    let mut binds = vec![Bind::Int(round)];
    let mut arms = Vec::new();
    let mut asked = Vec::new();
    for (index, (level, _)) in LEVELS.into_iter().enumerate() {
        let Some((scope, bind)) = access::sees_level_sql(user, access::RESULT_COLUMNS, level, binds.len() + 1) else {
            continue;
        };
        binds.extend(bind.map(Bind::Text));
        let number = Page::asked(query, &format!("{level}_page"));
        let rows = format!("FROM results WHERE round_id = $1 AND level = '{level}' AND {scope}");
        arms.push(format!(
            "SELECT {index} AS list_index, list_{level}.* FROM ({}) AS list_{level}",
            result_page_sql(ctx, &rows, number)
        ));
        asked.push((index, number));
    }
    if arms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{} ORDER BY list_index, position", arms.join(" UNION ALL "));
    let rows = read_results(ctx, &sql, &binds).await?;
    let mut lists = Vec::new();
    for (index, number) in asked {
        let (level, title) = LEVELS[index];
        let param = format!("{level}_page");
        let of_level: Vec<&sqlx::any::AnyRow> =
            rows.iter().filter(|row| row.try_get::<i64, _>("list_index").ok() == Some(index as i64)).collect();
        let (rows, page) = match counted(of_level.first().copied(), number) {
            Some(page) => (of_level.into_iter().map(result_json).collect(), page),
            None => {
                let (from, binds) = result_from(user, (round, level), None);
                past_the_end(ctx, (&from, &binds), (query, &param)).await?
            }
        };
        if page.total > 0 {
            lists.push(json!({"level": level, "title": title, "rows": rows, "page": page.json(&param)}));
        }
    }
    Ok(lists)
}

async fn round_page(ctx: Ctx, Path(id): Path<i64>, Query(query): Query<HashMap<String, String>>) -> Reply {
    let user = ctx.user()?.clone();
    let round = ctx.round(id).await?;
    let has_results = matches!(round.status.as_str(), "done" | "published")
        || (round.finished_at.is_some() && round.status != "failed");
    let groups = if has_results { result_lists(&ctx, &user, id, &query).await? } else { Vec::new() };
    let progress = ctx.state.progress.lock().ok().and_then(|map| map.get(&id).copied());
    let mut actions: Vec<(&str, &str)> = Vec::new();
    if access::administers_city(&user) {
        if !round.locked {
            actions.push(("lock", "锁定数据"));
        } else if round.status != "published" && round.status != "running" {
            actions.push(("unlock", "解锁数据"));
        }
        if round.locked && !matches!(round.status.as_str(), "running" | "published") {
            actions.push(("run", "运行评估"));
        }
        if round.status == "done" {
            actions.push(("publish", "发布"));
        }
    }
    let visit_schools: Vec<Value> = if user.role == Role::ZoneInspector && round.status == "open" {
        visible_units(&ctx, &user).await?.iter().filter(|u| u.level == "school").map(unit_json).collect()
    } else {
        Vec::new()
    };
    let submit_unit = access::submits_data(&user, &user.unit).then(|| user.unit.id.clone());
    Ok(ctx.render(
        "round.html",
        json!({
            "round": round_json(&round),
            "refresh": (round.status == "running" && !ctx.api).then_some(2),
            "progress": progress.map(|(done, total)| json!({"done": done, "total": total})),
            "can_admin": access::administers_city(&user),
            "actions": actions,
            "has_results": has_results,
            "groups": groups,
            "visit_schools": visit_schools,
            "submit_unit": submit_unit,
            "own_visit": (user.role == Role::School && round.status == "open").then(|| user.unit.id.clone()),
        }),
    ))
}

async fn round_action(ctx: Ctx, Path((id, action)): Path<(i64, String)>) -> Reply {
    let user = ctx.user()?.clone();
    if !matches!(action.as_str(), "lock" | "unlock" | "run" | "publish") {
        return Err(ctx.not_found());
    }
    let _ = ctx.round(id).await?;
    if !access::administers_city(&user) {
        return Err(ctx.forbidden());
    }
    let outcome = if action == "run" {
        engine::start_run(&ctx.state, &user, id).await
    } else {
        engine::transition(&ctx.state.db, &user, id, &action).await
    };
    outcome.map_err(|e| ctx.fail(StatusCode::CONFLICT, &e.to_string()))?;
    Ok(ctx.done(&format!("/rounds/{id}"), json!({"ok": true})))
}

async fn round_report(ctx: Ctx, Path(id): Path<i64>) -> Reply {
    let user = ctx.user()?;
    if !user.role.is_city() {
        return Err(ctx.forbidden());
    }
    let row = sqlx::query("SELECT html FROM reports WHERE round_id = $1 AND public = 0")
        .bind(id)
        .fetch_optional(&ctx.state.db.pool)
        .await
        .map_err(|e| ctx.internal(context("reading a report")(e)))?
        .ok_or_else(|| ctx.not_found())?;
    Ok(Html(row.try_get::<String, _>("html").unwrap_or_default()).into_response())
}

async fn results_page(
    ctx: Ctx,
    Path((id, unit_id)): Path<(i64, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    let user = ctx.user()?.clone();
    let round = ctx.round(id).await?;
    // The result row carries its unit's place in the tree, so it is also what access is
    // checked against: a unit the user does not see is 404, like one without results.
    let row = sqlx::query(
        "SELECT unit_id, level, name, county_id, zone_id, detail FROM results WHERE round_id = $1 AND unit_id = $2",
    )
    .bind(id)
    .bind(&unit_id)
    .fetch_optional(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading results")(e)))?
    .ok_or_else(|| ctx.not_found())?;
    let unit = unit_of_row(&row, "name");
    if !access::sees(&user, &unit) {
        return Err(ctx.not_found());
    }
    let detail = row.try_get::<String, _>("detail").unwrap_or_default();
    // The units directly below: the city's counties, a county's zones, a zone's schools.
    let paging = (&query, "page");
    let (children, page) = match unit.level.as_str() {
        "city" => result_rows(&ctx, &user, (id, "county"), None, paging).await?,
        "county" => result_rows(&ctx, &user, (id, "zone"), Some(("county_id", &unit.id)), paging).await?,
        "zone" => result_rows(&ctx, &user, (id, "school"), Some(("zone_id", &unit.id)), paging).await?,
        _ => (Vec::new(), Page::of(&query, "page", 0)),
    };
    let view = |detail| ResultsView {
        round: round_json(&round),
        unit: unit_json(&unit),
        name: &unit.name,
        level_chinese: unit.level_chinese(),
        detail,
        children,
        page: page.json("page"),
    };
    // The stored detail (tens of kilobytes for a county) is written out as stored for the API,
    // and read once, straight into the template's values, for the page.
    Ok(if ctx.api {
        let raw = serde_json::value::RawValue::from_string(detail)
            .map_err(|e| ctx.internal(crate::Error::Round(format!("结果详情无法读取：{e}"))))?;
        ctx.render("results.html", view(Detail::Stored(raw)))
    } else {
        let parsed = serde_json::from_str(&detail).unwrap_or_default();
        ctx.render("results.html", view(Detail::Read(parsed)))
    })
}

/// A results page: the unit's result row, its stored detail and the page of its children's rows.
#[derive(Serialize)]
struct ResultsView<'a> {
    round: Value,
    unit: Value,
    name: &'a str,
    level_chinese: &'static str,
    detail: Detail,
    children: Vec<Value>,
    page: Value,
}

/// A result's detail: the JSON text as stored, or read for a template.
#[derive(Serialize)]
#[serde(untagged)]
enum Detail {
    Stored(Box<serde_json::value::RawValue>),
    Read(minijinja::Value),
}

// ---- data submission ------------------------------------------------------------------------

async fn data_unit(ctx: &Ctx, round: i64, unit_id: &str) -> Result<(RoundInfo, Unit), Response> {
    let user = ctx.user()?.clone();
    let round = ctx.round(round).await?;
    let unit = ctx.unit(unit_id).await?;
    if !access::submits_data(&user, &unit) {
        return Err(ctx.forbidden());
    }
    Ok((round, unit))
}

async fn data_context(ctx: &Ctx, round: &RoundInfo, unit: &Unit, extra: Value) -> Reply {
    let submissions = upload::submissions(&ctx.state.db, round.id, &unit.id).await.map_err(|e| ctx.internal(e))?;
    let mut data = json!({"round": round_json(round), "unit": unit_json(unit), "submissions": submissions});
    if let (Some(map), Value::Object(extra)) = (data.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(ctx.render("data.html", data))
}

async fn data_page(ctx: Ctx, Path((id, unit_id)): Path<(i64, String)>) -> Reply {
    let (round, unit) = data_unit(&ctx, id, &unit_id).await?;
    data_context(&ctx, &round, &unit, json!({})).await
}

async fn data_template(ctx: Ctx, Path((id, unit_id)): Path<(i64, String)>) -> Reply {
    let (round, unit) = data_unit(&ctx, id, &unit_id).await?;
    let loaded = engine::round_plan(&ctx.state, &round).await.map_err(|e| ctx.internal(e))?;
    let records = engine::round_records(&ctx.state.db, id).await.map_err(|e| ctx.internal(e))?;
    let bytes = upload::template(&loaded.0, &loaded.1, &unit, &records).map_err(|e| ctx.internal(e))?;
    let name = format!("round-{id}-{}.xlsx", unit.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn data_upload(ctx: Ctx, Path((id, unit_id)): Path<(i64, String)>, multipart: Multipart) -> Reply {
    let user = ctx.user()?.clone();
    let (round, unit) = data_unit(&ctx, id, &unit_id).await?;
    let fields = read_multipart(&ctx, multipart, upload::MAX_UPLOAD_BYTES).await?;
    if round.locked || round.status != "open" {
        return Err(ctx.fail(StatusCode::CONFLICT, "数据已锁定，不再接受提交"));
    }
    let Some((filename, bytes)) = fields.file else {
        return Err(ctx.bad_request("请选择要上传的文件"));
    };
    let loaded = engine::round_plan(&ctx.state, &round).await.map_err(|e| ctx.internal(e))?;
    let previous = engine::previous_data(&ctx.state, &round, &loaded.0);
    let outcome =
        upload::submit(&ctx.state.db, &user, id, &loaded.0, &loaded.1, &unit, previous.as_deref(), &filename, &bytes)
            .await
            .map_err(|e| ctx.internal(e))?;
    if ctx.api {
        let status = if outcome.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok((status, Json(outcome)).into_response());
    }
    let status = if outcome.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page =
        data_context(&ctx, &round, &unit, json!({"problems": outcome.problems, "stored": outcome.version})).await?;
    Ok((status, page).into_response())
}

// ---- visits and self-supervision -----------------------------------------------------------

/// The eight regular matters of 挂牌督导 (《中小学校责任督学挂牌督导办法》, 2013, 第六条).
pub const MATTERS: [(&str, &str); 8] = [
    ("matter_governance", "校务管理和制度执行"),
    ("matter_admission_fees", "招生、收费、择校"),
    ("matter_curriculum", "课程开设和课堂教学"),
    ("matter_student_load", "学生学习、体育锻炼和课业负担"),
    ("matter_teacher_ethics", "教师师德和专业发展"),
    ("matter_campus_safety", "校园及周边安全、交通安全"),
    ("matter_canteen_hygiene", "食堂、食品、饮水、宿舍卫生"),
    ("matter_school_ethos", "校风、教风、学风"),
];

async fn visit_page(ctx: Ctx, Path((id, school_id)): Path<(i64, String)>) -> Reply {
    visit_view(&ctx, id, &school_id, json!({})).await
}

async fn visit_view(ctx: &Ctx, id: i64, school_id: &str, extra: Value) -> Reply {
    let user = ctx.user()?.clone();
    let round = ctx.round(id).await?;
    let school = ctx.unit(school_id).await?;
    if school.level != "school" {
        return Err(ctx.not_found());
    }
    let kind = if user.role == Role::School { "self" } else { "visit" };
    let records = engine::round_records(&ctx.state.db, id).await.map_err(|e| ctx.internal(e))?;
    let current = records
        .get("school")
        .and_then(|list| list.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(school.id.as_str())))
        .cloned()
        .unwrap_or_default();
    let rows = sqlx::query(
        "SELECT v.visit_date, v.kind, v.fields, v.notes, a.username FROM visits v JOIN accounts a ON a.id = v.account_id WHERE v.round_id = $1 AND v.school_id = $2 ORDER BY v.id DESC",
    )
    .bind(id)
    .bind(&school.id)
    .fetch_all(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading visits")(e)))?;
    let visits: Vec<Value> = rows
        .iter()
        .map(|row| {
            let fields: serde_json::Map<String, Value> =
                serde_json::from_str(&row.try_get::<String, _>("fields").unwrap_or_default()).unwrap_or_default();
            let issues: Vec<&str> = MATTERS
                .iter()
                .filter(|(name, _)| fields.get(*name).and_then(Value::as_str) == Some("issue"))
                .map(|(_, label)| *label)
                .collect();
            let kind: String = row.try_get("kind").unwrap_or_default();
            let summary = if kind == "self" {
                "学校自我督导".to_owned()
            } else if issues.is_empty() {
                "挂牌督导：未发现问题".to_owned()
            } else {
                format!("挂牌督导发现问题：{}", issues.join("、"))
            };
            json!({"visit_date": row.try_get::<String, _>("visit_date").ok(), "username": row.try_get::<String, _>("username").ok(),
                "notes": row.try_get::<String, _>("notes").ok(), "fields": fields, "summary": summary})
        })
        .collect();
    let editable = round.status == "open"
        && !round.locked
        && (access::records_visit(&user, &school) || (user.role == Role::School && user.unit.id == school.id));
    let matters: Vec<Value> = MATTERS
        .iter()
        .map(|(name, label)| json!({"name": name, "label": label, "current": current.get(*name).and_then(Value::as_str).unwrap_or("unchecked")}))
        .collect();
    let mut data = json!({
        "round": round_json(&round), "school": unit_json(&school), "kind": kind,
        "title": if kind == "self" { "学校自我督导" } else { "挂牌督导记录" },
        "editable": editable, "today": ctx.state.today(), "matters": matters,
        "choices": [["ok", "无问题"], ["issue", "发现问题"], ["unchecked", "本期未督导"]],
        "current": current, "visits": visits,
    });
    if let (Some(map), Value::Object(extra)) = (data.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(ctx.render("visit.html", data))
}

async fn visit_save(ctx: Ctx, Path((id, school_id)): Path<(i64, String)>, request: Request) -> Reply {
    let user = ctx.user()?.clone();
    let round = ctx.round(id).await?;
    let school = ctx.unit(&school_id).await?;
    let is_self = user.role == Role::School && user.unit.id == school.id;
    if school.level != "school" || !(access::records_visit(&user, &school) || is_self) {
        return Err(ctx.forbidden());
    }
    if round.status != "open" || round.locked {
        return Err(ctx.fail(StatusCode::CONFLICT, "数据已锁定，不再接受记录"));
    }
    let form: HashMap<String, String> = if ctx.api {
        Json::<HashMap<String, String>>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    } else {
        Form::<HashMap<String, String>>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    };
    let date = form.get("visit_date").cloned().unwrap_or_else(|| ctx.state.today());
    if !dudao_engine::plan::is_date(&date) {
        return Err(visit_view(
            &ctx,
            id,
            &school_id,
            json!({"error": format!("日期 `{date}` 无效，应写作 YYYY-MM-DD")}),
        )
        .await?);
    }
    let mut fields = serde_json::Map::new();
    if is_self {
        for name in ["self_inspection_system", "school_supervisor"] {
            fields.insert(
                name.to_owned(),
                json!(if form.get(name).is_some_and(|v| v == "true") { "true" } else { "false" }),
            );
        }
        let score = form.get("self_assessment_score").map(|s| s.trim().to_owned()).unwrap_or_default();
        if !score.is_empty() && !score.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v)) {
            return Err(visit_view(
                &ctx,
                id,
                &school_id,
                json!({"error": format!("自我督导评估得分 `{score}` 应为 0–100 的数，或留空")}),
            )
            .await?);
        }
        fields.insert("self_assessment_score".to_owned(), json!(score));
    } else {
        for (name, label) in MATTERS {
            let value = form.get(name).map(String::as_str).unwrap_or("unchecked");
            if !matches!(value, "ok" | "issue" | "unchecked") {
                return Err(visit_view(
                    &ctx,
                    id,
                    &school_id,
                    json!({"error": format!("事项“{label}”的结论 `{value}` 无效")}),
                )
                .await?);
            }
            fields.insert(name.to_owned(), json!(value));
        }
    }
    let notes = form.get("notes").cloned().unwrap_or_default();
    let fields_text = Value::Object(fields).to_string();
    let store = async {
        let mut tx = ctx.state.db.pool.begin().await.map_err(context("recording a visit"))?;
        sqlx::query(
            "INSERT INTO visits (round_id, school_id, kind, account_id, at, visit_date, fields, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&school.id)
        .bind(if is_self { "self" } else { "visit" })
        .bind(user.id)
        .bind(model::now())
        .bind(&date)
        .bind(&fields_text)
        .bind(&notes)
        .execute(&mut *tx)
        .await
        .map_err(context("recording a visit"))?;
        let action = if is_self { "填报自我督导" } else { "记录挂牌督导" };
        model::audit(
            &mut tx,
            Some(&user),
            action,
            &format!("round:{id} school:{}", school.id),
            None,
            Some(&fields_text),
        )
        .await?;
        tx.commit().await.map_err(context("recording a visit"))?;
        Ok::<(), crate::Error>(())
    };
    store.await.map_err(|e| ctx.internal(e))?;
    if ctx.api {
        return Ok(Json(json!({"ok": true})).into_response());
    }
    visit_view(&ctx, id, &school_id, json!({"saved": true})).await
}

// ---- rectification --------------------------------------------------------------------------

fn state_chinese(state: &str) -> &'static str {
    match state {
        "open" => "待整改",
        "submitted" => "已提交整改报告，待审核",
        "returned" => "整改报告被退回",
        "accepted" => "已整改",
        "closed" => "回头看已销号",
        "reopened" => "回头看重新打开",
        _ => "未知",
    }
}

/// The unit a result or item row is about, from its `unit_id`, `level`, `county_id`, `zone_id`
/// columns and its name column (`name` in results, `unit_name` in items); what access is
/// checked against.
fn unit_of_row(row: &sqlx::any::AnyRow, name: &str) -> Unit {
    let text = |column: &str| row.try_get::<Option<String>, _>(column).ok().flatten();
    Unit {
        id: text("unit_id").unwrap_or_default(),
        level: text("level").unwrap_or_default(),
        name: text(name).unwrap_or_default(),
        county_id: text("county_id"),
        zone_id: text("zone_id"),
    }
}

const ITEM_COLUMNS: &str = "id, round_id, level, unit_id, unit_name, county_id, zone_id, pack_title, indicator, indicator_name, value_text, threshold, deadline, found_status, state";

struct ItemRow {
    unit: Unit,
    json: Value,
}

fn item_of(row: &sqlx::any::AnyRow, today: &str) -> ItemRow {
    let text = |name: &str| row.try_get::<Option<String>, _>(name).ok().flatten();
    let state = text("state").unwrap_or_default();
    let deadline = text("deadline");
    let overdue = deadline.as_deref().is_some_and(|d| d < today) && !matches!(state.as_str(), "accepted" | "closed");
    let unit = unit_of_row(row, "unit_name");
    let json = json!({
        "id": row.try_get::<i64, _>("id").unwrap_or_default(), "round_id": row.try_get::<i64, _>("round_id").unwrap_or_default(),
        "level": unit.level, "unit_id": unit.id, "unit_name": unit.name, "county_id": unit.county_id,
        "pack_title": text("pack_title"), "indicator": text("indicator"), "indicator_name": text("indicator_name"),
        "value": text("value_text"), "threshold": text("threshold"), "deadline": deadline, "found_status": text("found_status"),
        "state": state, "state_chinese": state_chinese(&state), "overdue": overdue,
    });
    ItemRow { unit, json }
}

/// The items past their deadline (`$1`, today) and neither accepted nor closed.
const OVERDUE: &str = "deadline < $1 AND state NOT IN ('accepted', 'closed')";

/// The number of items `user` sees that are past their deadline and neither accepted nor closed.
async fn overdue_count(ctx: &Ctx, user: &User) -> Result<i64, Response> {
    let (scope, bind) = access::sees_sql(user, access::RESULT_COLUMNS, 2);
    let sql = format!("SELECT COUNT(*) AS n FROM items WHERE {OVERDUE} AND {scope}");
    let mut query = sqlx::query(&sql).bind(ctx.state.today());
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    query
        .fetch_one(&ctx.state.db.pool)
        .await
        .and_then(|row| row.try_get("n"))
        .map_err(|e| ctx.internal(context("reading items")(e)))
}

async fn items_page(ctx: Ctx, Query(query): Query<HashMap<String, String>>) -> Reply {
    let user = ctx.user()?.clone();
    let today = ctx.state.today();
    let (scope, bind) = access::sees_sql(&user, access::RESULT_COLUMNS, 1);
    let from = format!("FROM items WHERE {scope}");
    let binds: Vec<Bind> = bind.map(Bind::Text).into_iter().collect();
    let (rows, page) =
        paged(&ctx, (ITEM_COLUMNS, &from, "round_id DESC, id"), &binds, (&query, "page"), "reading items").await?;
    let items: Vec<Value> = rows.iter().map(|row| item_of(row, &today).json).collect();
    Ok(ctx.render("items.html", json!({"items": items, "page": page.json("page")})))
}

async fn load_item(ctx: &Ctx, id: i64) -> Result<ItemRow, Response> {
    let user = ctx.user()?;
    let row = sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1"))
        .bind(id)
        .fetch_optional(&ctx.state.db.pool)
        .await
        .map_err(|e| ctx.internal(context("reading an item")(e)))?
        .ok_or_else(|| ctx.not_found())?;
    let item = item_of(&row, &ctx.state.today());
    if !access::sees(user, &item.unit) {
        return Err(ctx.not_found());
    }
    Ok(item)
}

async fn item_page(ctx: Ctx, Path(id): Path<i64>) -> Reply {
    item_view(&ctx, id, json!({})).await
}

async fn item_view(ctx: &Ctx, id: i64, extra: Value) -> Reply {
    let user = ctx.user()?.clone();
    let item = load_item(ctx, id).await?;
    let rows = sqlx::query(
        "SELECT id, at, body, attachment_name, decision, comment FROM item_reports WHERE item_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading reports")(e)))?;
    let reports: Vec<Value> = rows
        .iter()
        .map(|row| {
            let decision = row.try_get::<Option<String>, _>("decision").ok().flatten();
            json!({"id": row.try_get::<i64, _>("id").ok(), "at": row.try_get::<String, _>("at").ok(), "body": row.try_get::<String, _>("body").ok(),
                "attachment_name": row.try_get::<Option<String>, _>("attachment_name").ok().flatten(),
                "decision": decision, "decision_chinese": decision.as_deref().map(|d| if d == "accept" { "通过" } else { "退回" }),
                "comment": row.try_get::<Option<String>, _>("comment").ok().flatten()})
        })
        .collect();
    let state = item.json["state"].as_str().unwrap_or("").to_owned();
    let can_report =
        access::reports_rectification(&user, &item.unit) && matches!(state.as_str(), "open" | "returned" | "reopened");
    let can_decide = access::decides_rectification(&user, &item.unit) && state == "submitted";
    let mut data = json!({"item": item.json, "reports": reports, "can_report": can_report, "can_decide": can_decide,
        "max_mib": MAX_ATTACHMENT_BYTES / 1024 / 1024});
    if let (Some(map), Value::Object(extra)) = (data.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(ctx.render("item.html", data))
}

async fn item_report(ctx: Ctx, Path(id): Path<i64>, multipart: Multipart) -> Reply {
    let user = ctx.user()?.clone();
    let item = load_item(&ctx, id).await?;
    if !access::reports_rectification(&user, &item.unit) {
        return Err(ctx.forbidden());
    }
    let fields = read_multipart(&ctx, multipart, MAX_ATTACHMENT_BYTES).await?;
    let state = item.json["state"].as_str().unwrap_or("").to_owned();
    if !matches!(state.as_str(), "open" | "returned" | "reopened") {
        return Err(ctx.fail(StatusCode::CONFLICT, &format!("事项状态为“{}”，不能提交整改报告", state_chinese(&state))));
    }
    let body = fields.text.get("body").map(|b| b.trim().to_owned()).unwrap_or_default();
    if body.is_empty() {
        return Err(item_view(&ctx, id, json!({"error": "请填写整改报告"})).await?);
    }
    let attachment = match fields.file {
        Some((name, bytes)) => {
            let extension = name.rsplit('.').next().unwrap_or("").to_lowercase();
            let Some((_, content_type)) = ATTACHMENT_TYPES.iter().find(|(ext, _)| *ext == extension) else {
                return Err(item_view(
                    &ctx,
                    id,
                    json!({"error": format!("附件 {name} 的类型不允许：只接受 PDF、PNG、JPG、XLSX、DOCX")}),
                )
                .await?);
            };
            Some((name, (*content_type).to_owned(), bytes))
        }
        None => None,
    };
    let before = item.json.to_string();
    let store = async {
        let mut tx = ctx.state.db.pool.begin().await.map_err(context("storing a report"))?;
        sqlx::query(
            "INSERT INTO item_reports (item_id, account_id, at, body, attachment_name, attachment_type, attachment) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(user.id)
        .bind(model::now())
        .bind(&body)
        .bind(attachment.as_ref().map(|a| a.0.clone()))
        .bind(attachment.as_ref().map(|a| a.1.clone()))
        .bind(attachment.as_ref().map(|a| a.2.clone()))
        .execute(&mut *tx)
        .await
        .map_err(context("storing a report"))?;
        sqlx::query("UPDATE items SET state = 'submitted' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(context("storing a report"))?;
        model::audit(&mut tx, Some(&user), "提交整改报告", &format!("item:{id}"), Some(&before), Some(&body)).await?;
        tx.commit().await.map_err(context("storing a report"))?;
        Ok::<(), crate::Error>(())
    };
    store.await.map_err(|e| ctx.internal(e))?;
    Ok(ctx.done(&format!("/items/{id}"), json!({"ok": true})))
}

#[derive(Deserialize)]
struct Decision {
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn item_decision(ctx: Ctx, Path(id): Path<i64>, request: Request) -> Reply {
    let user = ctx.user()?.clone();
    let item = load_item(&ctx, id).await?;
    if !access::decides_rectification(&user, &item.unit) {
        return Err(ctx.forbidden());
    }
    let form: Decision = if ctx.api {
        Json::<Decision>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    } else {
        Form::<Decision>::from_request(request, &ctx.state).await.map_err(|e| ctx.bad_request(e))?.0
    };
    let next = match form.decision.as_str() {
        "accept" => "accepted",
        "return" => "returned",
        other => return Err(ctx.bad_request(format!("审核结论 `{other}` 无效：应为 accept 或 return"))),
    };
    if item.json["state"].as_str() != Some("submitted") {
        return Err(ctx.fail(StatusCode::CONFLICT, "该事项没有待审核的整改报告"));
    }
    let before = item.json.to_string();
    let store = async {
        let mut tx = ctx.state.db.pool.begin().await.map_err(context("deciding a report"))?;
        sqlx::query(
            "UPDATE item_reports SET decision = $1, decided_by = $2, decided_at = $3, comment = $4 WHERE id = (SELECT MAX(id) FROM item_reports WHERE item_id = $5)",
        )
        .bind(&form.decision)
        .bind(user.id)
        .bind(model::now())
        .bind(&form.comment)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(context("deciding a report"))?;
        sqlx::query("UPDATE items SET state = $1 WHERE id = $2")
            .bind(next)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(context("deciding a report"))?;
        let action = if next == "accepted" { "整改验收通过" } else { "退回整改报告" };
        model::audit(&mut tx, Some(&user), action, &format!("item:{id}"), Some(&before), Some(next)).await?;
        tx.commit().await.map_err(context("deciding a report"))?;
        Ok::<(), crate::Error>(())
    };
    store.await.map_err(|e| ctx.internal(e))?;
    Ok(ctx.done(&format!("/items/{id}"), json!({"ok": true, "state": next})))
}

async fn item_attachment(ctx: Ctx, Path((id, report)): Path<(i64, i64)>) -> Reply {
    let _ = load_item(&ctx, id).await?;
    let row = sqlx::query(
        "SELECT attachment_name, attachment_type, attachment FROM item_reports WHERE id = $1 AND item_id = $2",
    )
    .bind(report)
    .bind(id)
    .fetch_optional(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading an attachment")(e)))?
    .ok_or_else(|| ctx.not_found())?;
    let bytes: Option<Vec<u8>> = row.try_get("attachment").ok().flatten();
    let Some(bytes) = bytes else { return Err(ctx.not_found()) };
    let content_type: String = row.try_get::<Option<String>, _>("attachment_type").ok().flatten().unwrap_or_default();
    let name: String = row.try_get::<Option<String>, _>("attachment_name").ok().flatten().unwrap_or_default();
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// The supervision orders (督办单): one per unit with items past their deadline, a page of units
/// at a time (a national round has thousands). A school's order is issued by its county's
/// office, a county's by the city's; both names come from the organisation's data.
async fn orders_page(ctx: Ctx, Query(query): Query<HashMap<String, String>>) -> Reply {
    let user = ctx.user()?.clone();
    let today = ctx.state.today();
    let (scope, bind) = access::sees_sql(&user, access::RESULT_COLUMNS, 2);
    let late = format!("FROM items WHERE {OVERDUE} AND {scope}");
    let mut binds = vec![Bind::Text(today.clone())];
    binds.extend(bind.map(Bind::Text));
    // A page of the units that have overdue items, then those units' overdue items.
    let (units, page) = paged(
        &ctx,
        ("unit_id", &format!("FROM (SELECT DISTINCT unit_id {late}) AS late_units"), "unit_id"),
        &binds,
        (&query, "page"),
        "reading items",
    )
    .await?;
    let unit_ids: Vec<String> = units.iter().filter_map(|row| row.try_get("unit_id").ok()).collect();
    let mut items: Vec<ItemRow> = Vec::new();
    if !unit_ids.is_empty() {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} {late} AND unit_id IN ({}) ORDER BY unit_id, round_id DESC, id",
            placeholders(binds.len() + 1, unit_ids.len())
        );
        binds.extend(unit_ids.into_iter().map(Bind::Text));
        let rows = bound(sqlx::query(&sql), &binds)
            .fetch_all(&ctx.state.db.pool)
            .await
            .map_err(|e| ctx.internal(context("reading items")(e)))?;
        items = rows.iter().map(|row| item_of(row, &today)).collect();
    }
    // The issuing offices: the city's, and those of the counties of this page's schools.
    let mut counties: Vec<String> = items
        .iter()
        .filter(|item| item.unit.level == "school")
        .filter_map(|item| item.unit.county_id.clone())
        .collect();
    counties.sort();
    counties.dedup();
    let marks = if counties.is_empty() { "''".to_owned() } else { placeholders(1, counties.len()) };
    let sql = format!("SELECT id, name, level FROM units WHERE level = 'city' OR id IN ({marks})");
    let offices: HashMap<String, String> =
        bound(sqlx::query(&sql), &counties.into_iter().map(Bind::Text).collect::<Vec<_>>())
            .fetch_all(&ctx.state.db.pool)
            .await
            .map_err(|e| ctx.internal(context("reading units")(e)))?
            .iter()
            .map(|row| {
                let level: String = row.try_get("level").unwrap_or_default();
                let id: String = if level == "city" { String::new() } else { row.try_get("id").unwrap_or_default() };
                (id, row.try_get::<String, _>("name").unwrap_or_default())
            })
            .collect();
    let office = |county: Option<&String>| {
        let name = offices.get(county.map_or("", String::as_str)).cloned().unwrap_or_default();
        format!("{name}人民政府教育督导委员会办公室")
    };
    let first_number = (page.number - 1) * crate::paging::PAGE_SIZE + 1;
    let mut orders: Vec<Value> = Vec::new();
    let mut order_of: HashMap<String, usize> = HashMap::new();
    for item in items {
        let index = match order_of.get(&item.unit.id) {
            Some(index) => *index,
            None => {
                order_of.insert(item.unit.id.clone(), orders.len());
                let supervisor =
                    if item.unit.level == "school" { office(item.unit.county_id.as_ref()) } else { office(None) };
                orders.push(json!({"unit_id": item.unit.id, "unit_name": item.unit.name, "level": item.unit.level,
                    "number": first_number + orders.len() as i64,
                    "supervisor": supervisor, "year": &today[..4], "items": []}));
                orders.len() - 1
            }
        };
        if let Some(list) = orders[index]["items"].as_array_mut() {
            list.push(item.json);
        }
    }
    Ok(ctx.render("orders.html", json!({"orders": orders, "today": today, "page": page.json("page")})))
}

async fn audit_page(ctx: Ctx) -> Reply {
    let user = ctx.user()?;
    if !user.role.is_city() {
        return Err(ctx.forbidden());
    }
    let entries = model::audit_log(&ctx.state.db, 500).await.map_err(|e| ctx.internal(e))?;
    Ok(ctx.render("audit.html", json!({"entries": entries})))
}

// ---- public pages ---------------------------------------------------------------------------

async fn published(ctx: &Ctx) -> Result<Vec<RoundInfo>, Response> {
    let rounds = engine::rounds(&ctx.state.db).await.map_err(|e| ctx.internal(e))?;
    Ok(rounds.into_iter().filter(|round| round.status == "published").collect())
}

async fn public_index(ctx: Ctx) -> Reply {
    let rounds: Vec<Value> = published(&ctx)
        .await?
        .iter()
        .map(|round| json!({"id": round.id, "title": round.title, "published_at": round.published_at}))
        .collect();
    Ok(ctx.render("public.html", json!({"rounds": rounds})))
}

async fn public_report(ctx: Ctx, Path(id): Path<i64>) -> Reply {
    if !published(&ctx).await?.iter().any(|round| round.id == id) {
        return Err(ctx.not_found());
    }
    let row = sqlx::query("SELECT html FROM reports WHERE round_id = $1 AND public = 1")
        .bind(id)
        .fetch_optional(&ctx.state.db.pool)
        .await
        .map_err(|e| ctx.internal(context("reading a report")(e)))?
        .ok_or_else(|| ctx.not_found())?;
    Ok(Html(row.try_get::<String, _>("html").unwrap_or_default()).into_response())
}

/// The public data of a published round: each county's overall score and grade.
async fn public_round_json(ctx: Ctx, Path(id): Path<i64>) -> Reply {
    let Some(round) = published(&ctx).await?.into_iter().find(|round| round.id == id) else {
        return Err(ctx.not_found());
    };
    let rows = sqlx::query(
        "SELECT unit_id, name, total, grade FROM results WHERE round_id = $1 AND level = 'county' ORDER BY position",
    )
    .bind(id)
    .fetch_all(&ctx.state.db.pool)
    .await
    .map_err(|e| ctx.internal(context("reading results")(e)))?;
    let counties: Vec<Value> = rows
        .iter()
        .map(|row| json!({"id": row.try_get::<String, _>("unit_id").ok(), "name": row.try_get::<String, _>("name").ok(),
            "total": row.try_get::<Option<f64>, _>("total").ok().flatten(), "grade": row.try_get::<Option<String>, _>("grade").ok().flatten(),
                "schools": row.try_get::<Option<i64>, _>("schools").ok().flatten(), "not_met": row.try_get::<Option<i64>, _>("not_met").ok().flatten()}))
        .collect();
    Ok(Json(json!({"id": round.id, "title": round.title, "published_at": round.published_at, "counties": counties,
        "report": format!("/public/rounds/{id}")}))
    .into_response())
}

async fn openapi(_headers: HeaderMap) -> Response {
    Json(crate::openapi::document()).into_response()
}
