//! Access: one rule for every route. Each role of one county is refused everything of another
//! county (including by guessing ids); unauthenticated requests reach only public pages; forms
//! without a valid CSRF token are refused; login attempts are rate-limited.

use serde_json::json;

use crate::common::{Client, PASSWORD, Server};

/// Ids of county A's things a county-B account must not reach.
pub struct Targets {
    pub round: i64,
    pub county: &'static str,
    pub zone: &'static str,
    pub school: &'static str,
    pub item: i64,
    pub report: i64,
    /// A local pack of county A.
    pub pack: i64,
}

/// Every route (page, API, download, attachment) with county A's ids filled in.
pub fn routes(t: &Targets) -> Vec<(&'static str, String)> {
    let r = t.round;
    let mut list = vec![
        ("GET", format!("/units/{}", t.county)),
        ("GET", format!("/units/{}", t.zone)),
        ("GET", format!("/units/{}", t.school)),
        ("GET", format!("/rounds/{r}/results/{}", t.county)),
        ("GET", format!("/rounds/{r}/results/{}", t.zone)),
        ("GET", format!("/rounds/{r}/results/{}", t.school)),
        ("GET", format!("/rounds/{r}/data/{}", t.county)),
        ("GET", format!("/rounds/{r}/data/{}", t.school)),
        ("GET", format!("/rounds/{r}/data/{}/template.xlsx", t.county)),
        ("GET", format!("/rounds/{r}/data/{}/template.xlsx", t.school)),
        ("GET", format!("/rounds/{r}/visits/{}", t.school)),
        ("GET", format!("/items/{}", t.item)),
        ("GET", format!("/items/{}/reports/{}/attachment", t.item, t.report)),
        ("GET", format!("/items/{}/reports/{}/attachment", t.item + 100000, t.report)),
        ("GET", format!("/packs/{}", t.pack)),
        ("GET", format!("/packs/{}", t.pack + 100000)),
        ("POST", format!("/rounds/{r}/data/{}", t.county)),
        ("POST", format!("/rounds/{r}/visits/{}", t.school)),
        ("POST", format!("/items/{}/reports", t.item)),
        ("POST", format!("/items/{}/decision", t.item)),
        ("POST", format!("/packs/{}/decision", t.pack)),
    ];
    let api: Vec<(&str, String)> = list
        .iter()
        .map(|(m, p)| (*m, format!("/api/v1{p}")))
        .filter(|(_, p)| !p.contains("template") && !p.contains("attachment"))
        .collect();
    list.extend(api);
    list
}

async fn send(client: &Client, method: &str, path: &str) -> (u16, String) {
    if method == "GET" {
        return client.get(path).await;
    }
    if path.contains("/data/") || path.ends_with("/reports") {
        client.post_file(path, &[("body", "x")], ("a.csv", b"id\n".to_vec())).await
    } else if path.starts_with("/api/") {
        let (status, body) = client.post_json(path, &json!({"decision": "accept", "notes": "x"})).await;
        (status, body.to_string())
    } else {
        client.post_form(path, &[("decision", "accept"), ("notes", "x")]).await
    }
}

/// Walks every route as each county-B role and checks it is refused and leaks nothing.
pub async fn walk_as_other_county(server: &Server, targets: &Targets, secret: &str) {
    for name in ["county-b", "zone-b", "school-b"] {
        let client = server.login(name).await;
        for (method, path) in routes(targets) {
            let (status, body) = send(&client, method, &path).await;
            assert!(matches!(status, 403 | 404), "{name} {method} {path} must be refused, got {status}: {body}");
            assert!(!body.contains(secret), "{name} {method} {path} leaks {secret}");
        }
        // Lists show only the account's own subtree.
        let (_, items) = client.get_json("/api/v1/items").await;
        for item in items["items"].as_array().unwrap() {
            assert_eq!(item["county_id"], "410803", "{name} sees only 中站区 items");
        }
        let (_, round) = client.get_json(&format!("/api/v1/rounds/{}", targets.round)).await;
        for group in round["groups"].as_array().unwrap() {
            for row in group["rows"].as_array().unwrap() {
                assert!(row["unit_id"] == "410803" || row["county_id"] == "410803", "{name} sees {row}");
            }
        }
        let (status, packs) = client.get_json("/api/v1/packs").await;
        if status == 200 {
            assert_eq!(packs["packs"], json!([]), "{name} sees none of another county's packs");
        } else {
            assert_eq!(status, 403, "{name} /api/v1/packs");
        }
        let (_, orders) = client.get_json("/api/v1/orders").await;
        for order in orders["orders"].as_array().unwrap() {
            assert!(!order["unit_id"].as_str().unwrap().starts_with("410802"), "{name} sees another county's order");
        }
        for path in ["/api/v1/audit", "/audit", &format!("/rounds/{}/report", targets.round)] {
            assert_eq!(client.get(path).await.0, 403, "{name} {path}");
        }
    }
}

/// Every non-public route refuses a request without a session: API with 401, pages by sending
/// the browser to the login page.
pub async fn walk_unauthenticated(server: &Server, targets: &Targets) {
    let anonymous = server.anonymous();
    let mut all = routes(targets);
    all.extend([
        ("GET", "/".to_owned()),
        ("GET", "/api/v1/me".to_owned()),
        ("GET", "/rounds".to_owned()),
        ("GET", "/api/v1/rounds".to_owned()),
        ("GET", format!("/rounds/{}", targets.round)),
        ("GET", format!("/rounds/{}/report", targets.round)),
        ("GET", "/items".to_owned()),
        ("GET", "/orders".to_owned()),
        ("GET", "/audit".to_owned()),
        ("GET", "/packs".to_owned()),
        ("GET", "/api/v1/packs".to_owned()),
        ("POST", "/packs".to_owned()),
        ("GET", "/api/v1/audit".to_owned()),
        ("POST", format!("/rounds/{}/run", targets.round)),
        ("POST", "/rounds".to_owned()),
    ]);
    for (method, path) in all {
        let (status, body) = send(&anonymous, method, &path).await;
        let refused = if path.starts_with("/api/") || method == "POST" { status == 401 } else { status == 303 };
        assert!(refused, "anonymous {method} {path}: {status} {body}");
    }
    for operation in dudao_server::openapi::OPERATIONS.iter().filter(|op| op.public && op.method == "GET") {
        let path = operation.path.replace("{id}", &targets.round.to_string());
        assert_eq!(anonymous.get(&path).await.0, 200, "public {path}");
    }
}

/// Forms and API calls without a valid CSRF token are refused, and nothing changes.
pub async fn csrf_is_required(server: &Server, round: i64) {
    let mut city = server.login("city").await;
    let token = city.csrf.take().unwrap();
    let (status, _) =
        city.post_form("/rounds/{round}/unlock".replace("{round}", &round.to_string()).as_str(), &[]).await;
    assert_eq!(status, 403, "form without token");
    city.csrf = Some("0".repeat(64));
    assert_eq!(city.post_form(&format!("/rounds/{round}/unlock"), &[]).await.0, 403, "form with a wrong token");
    assert_eq!(
        city.post_json(&format!("/api/v1/rounds/{round}/unlock"), &json!({})).await.0,
        403,
        "API with a wrong token"
    );
    let response = city.request(reqwest::Method::POST, "/rounds").body("plan=jiaozuo-2026.toml").send().await.unwrap();
    assert_eq!(response.status(), 403, "a body of unknown type without a token");
    let school = server.login("school-a").await;
    let mut no_token = Client::new(&server.base);
    no_token.cookie = school.cookie.clone();
    let (status, _) =
        no_token.post_file(&format!("/rounds/{round}/data/4108020001"), &[], ("a.csv", b"id\n".to_vec())).await;
    assert_eq!(status, 403, "multipart without the token field");
    city.csrf = Some(token);
    let (_, now) = city.get_json(&format!("/api/v1/rounds/{round}")).await;
    assert_eq!(now["round"]["locked"], true, "nothing changed");
}

#[tokio::test]
async fn login_page_sets_a_secure_session_and_rate_limits_attempts() {
    let server = Server::start("sqlite").await;
    let anonymous = server.anonymous();
    let response = anonymous.request(reqwest::Method::GET, "/login").send().await.unwrap();
    let cookie = response.headers().get(reqwest::header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pre = cookie.split(';').next().unwrap().to_owned();
    let html = response.text().await.unwrap();
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let post = |password: &'static str, csrf: String| {
        let pre = pre.clone();
        let client = &anonymous;
        async move {
            client
                .request(reqwest::Method::POST, "/login")
                .header(reqwest::header::COOKIE, pre)
                .form(&[("username", "school-a"), ("password", password), ("csrf", csrf.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(post(PASSWORD, "wrong".to_owned()).await.status(), 403, "login form without its token");
    let ok = post(PASSWORD, token.clone()).await;
    assert_eq!(ok.status(), 303);
    let mut client = Client::new(&server.base);
    client.take_cookie(&ok);
    let (status, home) = client.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("解放区第1小学") && home.contains("学校"), "the school's home page");

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(post("wrong password!", token.clone()).await.status().as_u16());
    }
    assert_eq!(&statuses[..4], &[401, 401, 401, 401], "{statuses:?}");
    assert_eq!(statuses[5], 429, "attempts beyond 5 a minute are refused: {statuses:?}");
    assert_eq!(post(PASSWORD, token).await.status(), 429, "even with the right password while limited");
}

/// Every `$ref` of the OpenAPI document names a schema it defines, and the pack upload
/// documents both answers (the stored pack, or every problem with 422).
#[test]
fn openapi_response_schemas_resolve() {
    let document = serde_json::to_value(dudao_server::openapi::document()).unwrap();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner.as_str()) {
                        ("$ref", Some(target)) => out.push(target.to_owned()),
                        _ => refs(inner, out),
                    }
                }
            }
            serde_json::Value::Array(list) => list.iter().for_each(|inner| refs(inner, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&document["paths"], &mut found);
    assert!(found.len() > 20, "responses name their schemas: {found:?}");
    for target in &found {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or(target);
        assert!(schemas.contains_key(name), "{target} is defined");
    }
    let upload = &document["paths"]["/api/v1/packs"]["post"]["responses"];
    for status in ["200", "422"] {
        assert_eq!(
            upload[status]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/PackUploadOutcome",
            "{status}"
        );
    }
    assert_eq!(
        document["paths"]["/api/v1/packs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            ["packs"]["items"]["$ref"],
        "#/components/schemas/LocalPack"
    );
}

/// The access rule as SQL (which filters the lists) selects exactly the units the rule itself
/// (`access::sees`, which guards every single page) lets each account see.
#[tokio::test]
async fn the_sql_access_filter_is_the_access_rule() {
    use dudao_server::access::{UNIT_COLUMNS, sees, sees_level_sql, sees_sql};
    use sqlx::Row;
    // The ids of the units `WHERE condition`, with `binds` bound in order, sorted.
    async fn by_sql(db: &dudao_server::db::Db, condition: &str, binds: Vec<String>) -> Vec<String> {
        let sql = format!("SELECT id FROM units WHERE {condition} ORDER BY id");
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        query.fetch_all(&db.pool).await.unwrap().iter().map(|row| row.get::<String, _>("id")).collect()
    }
    for backend in crate::common::backends() {
        let server = Server::start(backend).await;
        let db = &server.state.db;
        let all = dudao_server::model::units(db).await.unwrap();
        for (name, _, _) in crate::common::ACCOUNTS {
            let (_, user) = dudao_server::auth::login(db, name, PASSWORD).await.unwrap().unwrap();
            let by_rule = |level: Option<&str>| {
                let mut ids: Vec<String> = all
                    .iter()
                    .filter(|unit| level.is_none_or(|level| unit.level == level) && sees(&user, unit))
                    .map(|unit| unit.id.clone())
                    .collect();
                ids.sort();
                ids
            };
            let (scope, bind) = sees_sql(&user, UNIT_COLUMNS, 1);
            let rule = by_rule(None);
            assert_eq!(by_sql(db, &scope, bind.into_iter().collect()).await, rule, "{backend}: {name}");
            assert!(!rule.is_empty(), "{name} sees at least its own unit");
            // The same rule for one level at a time, as the result lists use it.
            for level in ["city", "county", "zone", "school"] {
                let (scope, bind) =
                    sees_level_sql(&user, UNIT_COLUMNS, level, 2).unwrap_or_else(|| ("1 = 0".to_owned(), None));
                let binds = std::iter::once(level.to_owned()).chain(bind).collect();
                assert_eq!(
                    by_sql(db, &format!("level = $1 AND {scope}"), binds).await,
                    by_rule(Some(level)),
                    "{backend}: {name} at level {level}"
                );
            }
        }
    }
}
