//! Browser tests: the pages in a real headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`; nothing downloads a browser). Skipped with a note when
//! `chromedriver` is missing outside CI; under CI (`CI=true`) a missing driver fails.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::common::{PASSWORD, Server};

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    /// Stops chromedriver and every browser it started: they share the process group it was
    /// started in, so a failing test (whose `Client` is never closed) leaves no Chromium behind.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let signal = |name: &str| Command::new("kill").args([name, "--", &group]).stderr(Stdio::null()).status();
        let _ = signal("-TERM");
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(500));
        let _ = signal("-KILL");
    }
}

fn driver() -> Option<Driver> {
    let path = Path::new("/usr/bin/chromedriver");
    if !path.exists() {
        assert!(std::env::var("CI").is_err(), "CI must run the browser tests: install chromium-driver");
        eprintln!(
            "note: /usr/bin/chromedriver is missing; browser tests skipped (apt-get install chromium chromium-driver)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    Some(Driver { child, port })
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,1600", "--lang=zh-CN"]}),
    );
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => return client,
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver did not answer");
}

/// The text of an element; retried while the page reloads (the round page refreshes itself
/// during a run, which makes found elements stale).
async fn text(browser: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        match browser.find(Locator::Css(css)).await {
            Ok(element) => match element.text().await {
                Ok(text) => return text,
                Err(error) => last = error.to_string(),
            },
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css}: {last}");
}

/// The text of an element once it contains `want` (a form post's answer page may not have
/// replaced the page yet right after the click); the last text read after 20 s otherwise.
async fn text_once(browser: &Client, css: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        last = text(browser, css).await;
        if last.contains(want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}

async fn click(browser: &Client, css: &str) {
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn fill(browser: &Client, css: &str, value: &str) {
    browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).send_keys(value).await.unwrap();
}

async fn login(browser: &Client, base: &str, name: &str, role: &str) {
    browser.goto(&format!("{base}/login")).await.unwrap();
    fill(browser, "#username", name).await;
    fill(browser, "#password", PASSWORD).await;
    click(browser, "#login").await;
    let who = text(browser, "#whoami").await;
    assert!(who.contains(name) && who.contains(role), "{name} is signed in as {role}: {who}");
}

async fn logout(browser: &Client) {
    click(browser, "#logout").await;
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#login")).await.unwrap();
}

fn schools_csv(edit: Option<(usize, &str, &str)>) -> Vec<u8> {
    let mut reader = csv::Reader::from_path(crate::common::root().join("fixtures/jiaozuo/schools.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    let rows = reader.records().map(Result::unwrap).filter(|r| &r[2] == "410802");
    for (index, row) in rows.enumerate() {
        let mut cells: Vec<String> = row.iter().map(str::to_owned).collect();
        if let Some((at, column, value)) = edit
            && at == index + 2
        {
            cells[header.iter().position(|h| h == column).unwrap()] = value.to_owned();
        }
        writer.write_record(&cells).unwrap();
    }
    writer.into_inner().unwrap()
}

#[tokio::test]
async fn a_round_through_the_pages_in_chromium() {
    let Some(driver) = driver() else { return };
    let server = Server::start("sqlite").await;
    let base = server.base.clone();
    let b = browser(&driver).await;
    let files = tempfile::tempdir().unwrap();

    // Each role signs in and sees its own unit.
    for (name, role) in
        [("inspector", "市级督学"), ("county-b", "县级管理员"), ("zone-b", "责任督学"), ("school-b", "学校")]
    {
        login(&b, &base, name, role).await;
        logout(&b).await;
    }

    // The city creates the round.
    login(&b, &base, "city", "市级管理员").await;
    b.goto(&format!("{base}/rounds")).await.unwrap();
    b.find(Locator::Css("#plan")).await.unwrap().select_by_value("jiaozuo-2026.toml").await.unwrap();
    click(&b, "#create-round").await;
    assert_eq!(text(&b, "#round-status").await, "数据填报中");
    let round = b.current_url().await.unwrap().path().rsplit('/').next().unwrap().to_owned();
    logout(&b).await;

    // The county uploads a file with errors, sees them by row and column, fixes and resubmits.
    login(&b, &base, "county-a", "县级管理员").await;
    b.goto(&format!("{base}/rounds/{round}/data/410802")).await.unwrap();
    let bad = files.path().join("schools.csv");
    std::fs::write(&bad, schools_csv(Some((4, "qualified_teachers", "-5")))).unwrap();
    fill(&b, "#file", bad.to_str().unwrap()).await;
    click(&b, "#upload").await;
    assert!(text(&b, "#problem-count").await.contains("1 处问题"));
    let problems = text(&b, "#problems").await;
    assert!(problems.contains("schools.csv 4 qualified_teachers -5"), "{problems}");
    std::fs::write(&bad, schools_csv(None)).unwrap();
    fill(&b, "#file", bad.to_str().unwrap()).await;
    click(&b, "#upload").await;
    assert!(text(&b, "#stored").await.contains("第 1 版"));

    // The county uploads a local pack breaking the layering rules and sees each problem, then a
    // clean one, which waits for the city.
    let upload_pack = |name: &'static str, bytes: Vec<u8>| {
        let (b, base, round) = (b.clone(), base.clone(), round.clone());
        let path = files.path().join(name);
        async move {
            std::fs::write(&path, bytes).unwrap();
            b.goto(&format!("{base}/packs")).await.unwrap();
            b.find(Locator::Css("#pack-round")).await.unwrap().select_by_value(&round).await.unwrap();
            fill(&b, "#pack-file", path.to_str().unwrap()).await;
            click(&b, "#pack-upload").await;
        }
    };
    upload_pack("bad.wasm", crate::packs::bad_pack()).await;
    let problems = text(&b, "#pack-problems").await;
    assert!(problems.contains("`410802-…`") && problems.contains("一票否决"), "{problems}");
    // The clean one as its source, the way county staff write it: the platform compiles it.
    upload_pack("taiji.toml", crate::packs::good_spec().into_bytes()).await;
    assert_eq!(text_once(&b, "#pack-status", "待市级审核").await, "待市级审核");
    let pack_page = b.current_url().await.unwrap().to_string();
    logout(&b).await;

    // The city approves it with a bonus cap.
    login(&b, &base, "city", "市级管理员").await;
    b.goto(&pack_page).await.unwrap();
    fill(&b, "#pack-bonus-cap", "3").await;
    click(&b, "#pack-approve").await;
    assert!(text_once(&b, "#pack-status", "已批准").await.starts_with("已批准"));
    logout(&b).await;

    // The 责任督学 records a visit.
    login(&b, &base, "zone-a", "责任督学").await;
    b.goto(&format!("{base}/rounds/{round}/visits/4108020001")).await.unwrap();
    for (name, _) in dudao_server::web::MATTERS {
        b.find(Locator::Css(&format!("#{name}"))).await.unwrap().select_by_value("ok").await.unwrap();
    }
    b.find(Locator::Css("#matter_curriculum")).await.unwrap().select_by_value("issue").await.unwrap();
    fill(&b, "#notes", "音乐课被挤占").await;
    click(&b, "#save-visit").await;
    text(&b, "#saved").await;
    logout(&b).await;

    // The city locks, runs (progress on the page) and publishes.
    login(&b, &base, "city", "市级管理员").await;
    b.goto(&format!("{base}/rounds/{round}")).await.unwrap();
    click(&b, "#lock").await;
    click(&b, "#run").await;
    let mut status = String::new();
    for _ in 0..600 {
        status = text(&b, "#round-status").await;
        if status.starts_with("评估完成") || status == "评估失败" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        b.refresh().await.unwrap();
    }
    assert_eq!(status, "评估完成（未发布）");
    let total = text(&b, "#total-410802").await;
    assert!(total.parse::<f64>().is_ok(), "the county's total is shown: {total}");
    b.goto(&format!("{base}/rounds/{round}/results/410802")).await.unwrap();
    text(&b, "#overall-total").await;
    let page = b.source().await.unwrap();
    assert!(page.contains("解放区太极拳进校园"), "the approved local pack's results: {page}");
    b.goto(&format!("{base}/rounds/{round}")).await.unwrap();
    click(&b, "#publish").await;
    // The click posts a form; until its redirect has loaded, the old page is still there.
    assert_eq!(text_once(&b, "#round-status", "已发布").await, "已发布");
    logout(&b).await;

    // The school submits a rectification report; the 责任督学 returns it, then accepts it.
    let school = server.login("school-a").await;
    let (_, items) = school.get_json("/api/v1/items").await;
    let item = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "ss.teaching.regular_matters")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let attachment = files.path().join("整改报告.pdf");
    std::fs::write(&attachment, b"%PDF-1.4 browser").unwrap();
    let report = |body: &'static str| {
        let b = b.clone();
        let base = base.clone();
        let attachment = attachment.clone();
        async move {
            login(&b, &base, "school-a", "学校").await;
            b.goto(&format!("{base}/items/{item}")).await.unwrap();
            fill(&b, "#report-body", body).await;
            fill(&b, "#report-file", attachment.to_str().unwrap()).await;
            click(&b, "#submit-report").await;
            assert!(text_once(&b, "#item-state", "待审核").await.contains("待审核"));
            logout(&b).await;
        }
    };
    report("已调整课程表").await;
    login(&b, &base, "zone-a", "责任督学").await;
    b.goto(&format!("{base}/items/{item}")).await.unwrap();
    fill(&b, "#comment", "缺少课表").await;
    click(&b, "#return").await;
    assert!(text_once(&b, "#item-state", "退回").await.contains("退回"));
    logout(&b).await;
    report("补充了调整后的课表").await;
    login(&b, &base, "zone-a", "责任督学").await;
    b.goto(&format!("{base}/items/{item}")).await.unwrap();
    click(&b, "#accept").await;
    assert_eq!(text_once(&b, "#item-state", "已整改").await, "已整改");
    logout(&b).await;

    // A deadline passes: the county sees the supervision orders of its units.
    server.state.set_today(Some("2027-03-01".to_owned()));
    login(&b, &base, "county-a", "县级管理员").await;
    b.goto(&format!("{base}/orders")).await.unwrap();
    let order = text(&b, ".order").await;
    assert!(order.contains("督办单〔2027〕1号") && order.contains("督办单位"), "{order}");
    logout(&b).await;

    // The public page, without signing in.
    b.goto(&format!("{base}/public")).await.unwrap();
    assert!(text(&b, "#public-rounds").await.contains("焦作市2026年度教育督导综合督导"));
    click(&b, "#public-rounds a").await;
    let source = b.source().await.unwrap();
    assert!(source.contains("公开") && source.matches("自评与督学评估分差").count() <= 1);
    if let Ok(png) = b.screenshot().await {
        let _ = std::fs::write(crate::common::root().join("target/platform-public.png"), png);
    }
    b.close().await.unwrap();
}
