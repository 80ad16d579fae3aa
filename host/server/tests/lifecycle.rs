//! A round from start to finish on each backend: a visit and a self-supervision form become
//! data, the round runs in the background and is published, per-level results trace every
//! figure, the rectification loop (submit, return, accept, overdue → 督办单, 回头看), the
//! public pages, the access walk, and a service killed in the middle of a run.

use std::time::Duration;

use serde_json::{Value, json};

use crate::access::{self, Targets};
use crate::common::{self, Server};

const SECRET: &str = "已调整课程表（内部整改材料 7f3a）";

#[tokio::test]
async fn a_round_from_visit_to_published_report_and_rectification() {
    for backend in common::backends() {
        lifecycle(backend).await;
    }
}

async fn lifecycle(backend: &str) {
    let server = Server::start(backend).await;
    let city = server.login("city").await;
    let zone = server.login("zone-a").await;
    let school = server.login("school-a").await;
    let county = server.login("county-a").await;

    let (status, created) = city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await;
    assert_eq!(status, 200, "{created}");
    let round = created["id"].as_i64().unwrap();

    // 挂牌督导: the 责任督学 finds a problem in 课程开设和课堂教学; the school fills its form.
    let mut visit: Vec<(&str, &str)> = dudao_server::web::MATTERS.iter().map(|(name, _)| (*name, "ok")).collect();
    visit.retain(|(name, _)| *name != "matter_curriculum");
    visit.extend([("matter_curriculum", "issue"), ("visit_date", "2026-11-20"), ("notes", "音乐课被挤占")]);
    let (status, html) = zone.post_form(&format!("/rounds/{round}/visits/4108020001"), &visit).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("已保存") && html.contains("挂牌督导发现问题：课程开设和课堂教学"), "{html}");
    let (status, _) = county.post_form(&format!("/rounds/{round}/visits/4108020001"), &visit).await;
    assert_eq!(status, 403, "a county administrator does not record visits");
    let (status, html) = school
        .post_form(
            &format!("/rounds/{round}/visits/4108020001"),
            &[("self_inspection_system", "true"), ("school_supervisor", "true"), ("self_assessment_score", "95")],
        )
        .await;
    assert_eq!(status, 200, "{html}");

    // The city locks the data and runs the round in the background.
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/lock"), &json!({})).await.0, 200);
    let (status, body) = county.post_json(&format!("/api/v1/rounds/{round}/run"), &json!({})).await;
    assert_eq!(status, 403, "only the city runs rounds: {body}");
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/run"), &json!({})).await.0, 200);
    let (_, page) = city.get(&format!("/rounds/{round}")).await;
    assert!(page.contains("评估运行中") || page.contains("评估完成"), "{page}");
    let overview = server.wait_round(&city, round).await;
    let counties = overview["groups"].as_array().unwrap().iter().find(|g| g["level"] == "county").unwrap();
    assert_eq!(counties["rows"].as_array().unwrap().len(), 11, "{backend}: all 11 counties have results");
    assert!(
        counties["rows"].as_array().unwrap().iter().all(|row| row["total"].is_number() && row["grade"].is_string())
    );

    // The visit became the data the school-supervision pack evaluated.
    let (status, result) = school.get_json(&format!("/api/v1/rounds/{round}/results/4108020001")).await;
    assert_eq!(status, 200);
    let indicator = |id: &str| -> Value {
        result["detail"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|line| line["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(indicator("ss.teaching.regular_matters")["not_met"], true, "{backend}: the visit's finding counts");
    assert_eq!(indicator("ss.management.self_inspection")["not_met"], false, "the self-supervision form counts");
    let traced = indicator("ss.teaching.regular_matters");
    assert!(traced["threshold"].is_string() && !traced["sources"].as_array().unwrap().is_empty(), "{traced}");
    let (_, html) = school.get(&format!("/rounds/{round}/results/4108020001")).await;
    assert!(
        html.contains("依据：") && html.contains("经常性督导：课程开设和课堂教学"),
        "the page shows how it was computed"
    );
    // A value is shown with its unit once, and a source the stage thresholds share once.
    let teachers = indicator("qb.school.qualified_teachers_per100");
    let shown = teachers["value"].as_str().expect("a shown value");
    let unit = teachers["unit"].as_str().expect("a unit");
    assert!(shown.ends_with(unit) && html.contains(&format!("<td>{shown}</td>")), "{shown}");
    assert!(!html.contains(&format!("{unit} {unit}")), "the unit is not repeated");
    let sources = teachers["sources"].as_array().expect("sources");
    assert!(!sources.is_empty(), "{teachers}");
    let distinct: std::collections::BTreeSet<&str> = sources.iter().filter_map(Value::as_str).collect();
    assert_eq!(distinct.len(), sources.len(), "each source once: {sources:?}");
    let (status, html) = county.get(&format!("/rounds/{round}/results/410802")).await;
    assert_eq!(status, 200);
    assert!(html.contains("解放区第1督学责任区"), "a county's page links its zones");
    // A zone has no score of its own: its row says how many schools it has and how many
    // findings they have not met, as its 责任督学 sees them.
    let zone_id = zone.get_json("/api/v1/me").await.1["me"]["unit"]["id"].as_str().unwrap().to_owned();
    let schools = all_pages(&zone, &format!("/api/v1/rounds/{round}/results/{zone_id}"), "children").await;
    let findings = all_pages(&zone, "/api/v1/items", "items").await;
    let findings = findings.iter().filter(|item| item["round_id"] == round).count();
    let zones = all_pages(&county, &format!("/api/v1/rounds/{round}/results/410802"), "children").await;
    let row = zones.iter().find(|row| row["unit_id"] == zone_id.as_str()).expect("the zone's row");
    assert!(!schools.is_empty() && findings > 0, "{backend}: the fixture's zone has schools with findings");
    assert_eq!(row["schools"], schools.len(), "{backend}: {row}");
    assert_eq!(row["not_met"], findings, "{backend}: {row}");
    assert!(row["total"].is_null(), "{row}");
    let (_, html) = county.get(&format!("/rounds/{round}/results/410802")).await;
    assert!(
        html.contains(&format!("<td id=\"schools-{zone_id}\">{}</td>", schools.len()))
            && html.contains(&format!("<td id=\"not-met-{zone_id}\">{findings}</td>"))
            && html.contains("不单独评分"),
        "the county's page shows the zone's counts"
    );

    // The finding is a rectification item of the school, with the plan's deadline.
    let (_, items) = school.get_json("/api/v1/items").await;
    let item = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["indicator"] == "ss.teaching.regular_matters")
        .cloned()
        .expect("the visit's finding is an item");
    let item_id = item["id"].as_i64().unwrap();
    assert_eq!(item["deadline"], "2027-02-27", "round date 2026-11-29 + 90 days");
    assert!(
        items["items"].as_array().unwrap().iter().all(|i| i["unit_id"] == "4108020001"),
        "a school sees only its own"
    );

    // Rectification: a bad attachment is refused; the report is submitted, returned, resubmitted, accepted.
    let report_path = format!("/items/{item_id}/reports");
    let (status, html) = school.post_file(&report_path, &[("body", "x")], ("run.exe", b"MZ".to_vec())).await;
    assert_eq!(status, 200);
    assert!(html.contains("类型不允许"), "{html}");
    let (status, _) =
        school.post_file(&report_path, &[("body", SECRET)], ("整改报告.pdf", b"%PDF-1.4 test".to_vec())).await;
    assert_eq!(status, 303);
    let (_, detail) = school.get_json(&format!("/api/v1/items/{item_id}")).await;
    assert_eq!(detail["item"]["state"], "submitted");
    let report_id = detail["reports"][0]["id"].as_i64().unwrap();
    let (status, bytes) = zone.get_bytes(&format!("/items/{item_id}/reports/{report_id}/attachment")).await;
    assert_eq!((status, bytes.as_slice()), (200, b"%PDF-1.4 test".as_slice()), "the inspector reads the attachment");
    assert_eq!(county.post_form(&format!("/items/{item_id}/decision"), &[("decision", "accept")]).await.0, 403);
    let (status, _) =
        zone.post_form(&format!("/items/{item_id}/decision"), &[("decision", "return"), ("comment", "缺少课表")]).await;
    assert_eq!(status, 303);
    assert_eq!(school.get_json(&format!("/api/v1/items/{item_id}")).await.1["item"]["state"], "returned");
    let (status, _) =
        school.post_file(&report_path, &[("body", "补充了调整后的课表")], ("课表.xlsx", b"PK".to_vec())).await;
    assert_eq!(status, 303);
    let (status, _) = zone.post_form(&format!("/items/{item_id}/decision"), &[("decision", "accept")]).await;
    assert_eq!(status, 303);
    let (_, html) = school.get(&format!("/items/{item_id}")).await;
    assert!(html.contains("已整改") && html.contains("缺少课表"), "{html}");

    // Access: every route of 解放区 is refused to each role of 中站区.
    let (status, body) =
        county.post_file("/api/v1/packs", &[("round", "future")], ("taiji.wasm", crate::packs::good_pack())).await;
    assert_eq!(status, 200, "{backend}: a local pack of 解放区 for later rounds: {body}");
    let pack = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let targets = Targets {
        round,
        county: "410802",
        zone: "41080201",
        school: "4108020001",
        item: item_id,
        report: report_id,
        pack,
    };
    access::walk_as_other_county(&server, &targets, SECRET).await;

    // A deadline passes: the open items get supervision orders, shown to the unit and its county.
    let (_, orders) = school.get_json("/api/v1/orders").await;
    assert!(orders["orders"].as_array().unwrap().is_empty(), "nothing is overdue before the deadline");
    server.state.set_today(Some("2027-03-01".to_owned()));
    let (_, orders) = county.get_json("/api/v1/orders").await;
    let orders = orders["orders"].as_array().unwrap().clone();
    assert!(!orders.is_empty(), "{backend}: open items of 解放区 are overdue");
    for order in &orders {
        let ids: Vec<i64> = order["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(!ids.contains(&item_id), "the accepted item is not on an order");
        assert!(order["items"].as_array().unwrap().iter().all(|i| i["county_id"] == "410802"));
    }
    let order = orders.iter().find(|o| o["level"] == "school").expect("a school's order").clone();
    assert_eq!(order["supervisor"], "解放区人民政府教育督导委员会办公室", "a school's order is issued by its county");
    let (_, all) = city.get_json("/api/v1/orders").await;
    let county_order = all["orders"].as_array().unwrap().iter().find(|o| o["level"] == "county");
    let county_order = county_order.expect("a county's order (the 2026 round has not-met county findings)");
    assert_eq!(county_order["supervisor"], "焦作市人民政府教育督导委员会办公室", "a county's order: the city's office");
    let (_, html) = county.get("/orders").await;
    assert!(
        html.contains("督办单") && html.contains(order["unit_name"].as_str().unwrap()),
        "the superior sees the order"
    );
    // The unit itself sees it too.
    let unit = order["unit_id"].as_str().unwrap();
    dudao_server::admin_create(&server.config, "overdue-school", common::PASSWORD, "school", unit).await.unwrap();
    let overdue = server.login("overdue-school").await;
    let (_, own) = overdue.get_json("/api/v1/orders").await;
    assert_eq!(own["orders"].as_array().unwrap().len(), 1, "the school sees its own order");
    let first = order["items"][0]["id"].as_i64().unwrap();
    let (_, html) = overdue.get(&format!("/items/{first}")).await;
    assert!(html.contains("id=\"order\""), "the item page shows the order");
    let (_, mine) = school.get_json("/api/v1/orders").await;
    assert!(mine["orders"].as_array().unwrap().iter().all(|o| o["unit_id"] == "4108020001"));
    server.state.set_today(Some(common::TODAY.to_owned()));

    // The audit log records every write, for the city only.
    let (status, log) = city.get_json("/api/v1/audit").await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in [
        "创建评估轮次",
        "记录挂牌督导",
        "填报自我督导",
        "锁定数据",
        "运行评估",
        "写入评估结果",
        "提交整改报告",
        "退回整改报告",
        "整改验收通过",
    ] {
        assert!(actions.contains(&action), "{backend}: audit has {action}: {actions:?}");
    }
    assert!(
        log["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "提交整改报告").all(|e| e["after_sha256"]
            .as_str()
            .unwrap()
            .len()
            == 64)
    );

    // Public pages: nothing before publishing; after, the public version without not-public indicators.
    let anonymous = server.anonymous();
    assert_eq!(anonymous.get(&format!("/public/rounds/{round}")).await.0, 404);
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/publish"), &json!({})).await.0, 200);
    let (status, list) = anonymous.get("/public").await;
    assert_eq!(status, 200);
    assert!(list.contains("焦作市2026年度教育督导综合督导"));
    let (status, public) = anonymous.get(&format!("/public/rounds/{round}")).await;
    assert_eq!(status, 200);
    let (_, internal) = city.get(&format!("/rounds/{round}/report")).await;
    let hidden = "自评与督学评估分差";
    assert!(internal.contains(hidden), "the internal report has the not-public indicator");
    // The public report names a withheld indicator once, in its list of what it leaves out
    // (issue 10, finding 7), and shows none of its results.
    assert!(public.matches(hidden).count() <= 1, "{backend}: the public report leaves its results out");
    assert!(!public.contains(SECRET));
    let (_, json) = anonymous.get_json(&format!("/api/v1/public/rounds/{round}")).await;
    assert_eq!(json["counties"].as_array().unwrap().len(), 11);
    assert!(!json.to_string().contains(hidden));

    access::walk_unauthenticated(&server, &targets).await;
    access::csrf_is_required(&server, round).await;

    // The next round's 回头看 closes what was fixed and carries what was not.
    let next = server.run_round(&city, "jiaozuo-2027.toml", Some(round)).await;
    let (_, after) = school.get_json(&format!("/api/v1/items/{item_id}")).await;
    assert_eq!(after["item"]["state"], "closed", "{backend}: fixed and found met again → closed");
    let (_, items) = city.get_json("/api/v1/items").await;
    let carried = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["round_id"] == next && i["found_status"] != "new")
        .count();
    assert!(carried > 0, "items still not met are carried into the next round");
}

#[tokio::test]
async fn a_killed_run_leaves_no_or_all_results_and_can_run_again() {
    for backend in common::backends() {
        killed_run(backend).await;
    }
}

async fn results_count(config: &dudao_server::ServeConfig, round: i64) -> i64 {
    use sqlx::Row;
    let db = dudao_server::Db::open(&config.data_dir, config.database.as_deref()).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) AS n FROM results WHERE round_id = $1")
        .bind(round)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let count = n.try_get("n").unwrap();
    db.pool.close().await;
    count
}

/// Every row of a paged list (`key`) of a JSON page, all its pages read.
async fn all_pages(client: &common::Client, path: &str, key: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for number in 1.. {
        let (status, body) = client.get_json(&format!("{path}?page={number}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        rows.extend(body[key].as_array().cloned().unwrap_or_default());
        if number >= body["page"]["pages"].as_i64().unwrap_or(1) {
            break;
        }
    }
    rows
}

fn spawn(config: &dudao_server::ServeConfig, port: u16) -> std::process::Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dudao-server"));
    command
        .args(["serve", "--data-dir"])
        .arg(&config.data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--plans-dir"])
        .arg(&config.plans_dir)
        .args(["--today", common::TODAY, "--threads", "1"])
        .env_remove("DUDAO_DATABASE")
        .stderr(std::process::Stdio::null());
    if let Some(url) = &config.database {
        command.args(["--database", url]);
    }
    command.spawn().expect("start dudao-server")
}

async fn wait_up(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/public")).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service did not start");
}

async fn killed_run(backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let database = if backend == "postgres" { Some(common::fresh_postgres().await) } else { None };
    let config = common::config_for(dir.path(), database);
    common::seed(&config).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn(&config, port);
    wait_up(&base).await;
    let server_like = common::Client::new(&base);
    let login = |name: &'static str| {
        let base = base.clone();
        async move {
            let mut client = common::Client::new(&base);
            let response = client
                .http
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"username": name, "password": common::PASSWORD}))
                .send()
                .await
                .unwrap();
            client.take_cookie(&response);
            client.csrf = response.json::<Value>().await.unwrap()["csrf"].as_str().map(str::to_owned);
            client
        }
    };
    let city = login("city").await;
    let round = city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await.1["id"].as_i64().unwrap();
    city.post_json(&format!("/api/v1/rounds/{round}/lock"), &json!({})).await;
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/run"), &json!({})).await.0, 200);
    // Kill it once the evaluation is under way (or whatever state it reached within 20 s).
    for _ in 0..200 {
        let (_, body) = city.get_json(&format!("/api/v1/rounds/{round}")).await;
        if body["progress"]["done"].as_u64().unwrap_or(0) > 0 || body["round"]["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    drop(server_like);
    let partial = results_count(&config, round).await;

    let mut child = spawn(&config, port);
    wait_up(&base).await;
    let city = login("city").await;
    let (_, body) = city.get_json(&format!("/api/v1/rounds/{round}")).await;
    let status = body["round"]["status"].as_str().unwrap().to_owned();
    assert!(status == "interrupted" || status == "done", "{backend}: after the kill the round is {status}");
    if status == "interrupted" {
        assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/run"), &json!({})).await.0, 200, "it can run again");
        for _ in 0..1200 {
            let (_, body) = city.get_json(&format!("/api/v1/rounds/{round}")).await;
            if body["round"]["status"] != "running" {
                assert_eq!(body["round"]["status"], "done", "{body}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    let full = results_count(&config, round).await;
    assert!(full > 0);
    assert!(partial == 0 || partial == full, "{backend}: either no results or all of them, found {partial} of {full}");
    child.kill().unwrap();
    child.wait().unwrap();
}
