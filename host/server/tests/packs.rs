//! County local packs (县级指标包): a county administrator uploads a pack; one breaking the
//! layering rules is refused with every problem in Chinese and nothing stored; a clean one
//! waits for the city, which rejects (with a reason) or approves and pins it; the round then
//! evaluates it for that county's units only, and its results show on that county's pages.

use serde_json::{Value, json};

use crate::common::{self, Server};

/// The 温县 declarative taiji pack, rewritten for another county (its ids, scope and title).
fn county_spec(county: &str) -> String {
    let text = std::fs::read_to_string(common::root().join("rules/local/declarative/taiji/taiji.toml"))
        .expect("the taiji spec");
    text.replace("410825", county).replace("温县", "解放区")
}

/// Builds a declarative spec into a module with the engine's builder (no Rust toolchain).
fn build(spec: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pack.toml");
    std::fs::write(&path, spec).expect("write the spec");
    dudao_engine::declarative::compile(&path).expect("the spec builds")
}

/// A clean local pack for 解放区 (410802): `410802-taiji`, indicators `410802.taiji.*`.
pub fn good_pack() -> Vec<u8> {
    build(&good_spec())
}

/// The source of [`good_pack`]: what county staff write and may upload as it is.
pub fn good_spec() -> String {
    county_spec("410802")
}

/// A pack that builds (it names no county, so the builder's own county rules do not apply) but
/// breaks three layering rules as a local pack of 解放区: its id lacks the county code, it
/// defines a standard indicator id of 县域义务教育优质均衡, and that indicator vetoes.
pub fn bad_pack() -> Vec<u8> {
    let spec = county_spec("410802")
        .replace("county = \"410802\"", "")
        .replace("id = \"410802-taiji\"", "id = \"bad-taiji\"")
        .replace(
            "id = \"410802.taiji.weekly_classes\"",
            "id = \"qb.school.resource_standard\"\nveto = { cap = \"不合格\", reason = \"未开设太极拳\", source = \"local\" }",
        );
    build(&spec)
}

#[tokio::test]
async fn a_county_pack_is_checked_approved_pinned_and_evaluated_for_its_county_only() {
    for backend in common::backends() {
        county_pack(backend).await;
    }
}

async fn county_pack(backend: &str) {
    let server = Server::start(backend).await;
    let city = server.login("city").await;
    let created = city.post_json("/api/v1/rounds", &json!({"plan": "jiaozuo-2026.toml"})).await;
    assert_eq!(created.0, 200, "{backend}: {}", created.1);
    let round = created.1["id"].as_i64().unwrap();
    let county = server.login("county-a").await;
    let other = server.login("county-b").await;
    let round_field = round.to_string();

    // Only county administrators and the city work with local packs.
    assert_eq!(server.login("school-a").await.get("/api/v1/packs").await.0, 403);
    assert_eq!(server.login("zone-a").await.get("/api/v1/packs").await.0, 403);

    // A pack breaking the layering rules: every problem in Chinese, nothing stored.
    let (status, page) = county.post_file("/packs", &[("round", &round_field)], ("bad.wasm", bad_pack())).await;
    assert_eq!(status, 422, "{backend}: {page}");
    assert!(page.contains("未保存"), "{page}");
    for expected in [
        "县级指标包的编号必须以本县代码开头：`410802-…`",
        "指标 `qb.school.resource_standard` 是市级标准指标包",
        "县级指标包不得定义或覆盖标准指标",
        "指标 `qb.school.resource_standard` 设有一票否决",
    ] {
        assert!(page.contains(expected), "{backend}: the page shows `{expected}`: {page}");
    }
    let (status, _) = county.post_file("/packs", &[("round", &round_field)], ("junk.wasm", b"not wasm".to_vec())).await;
    assert_eq!(status, 422);
    // A declarative spec with a mistake: the problem with its file, line and column, no module.
    let typo = county_spec("410802").replacen("level = \"school\"", "level = \"schoool\"", 1);
    assert_ne!(typo, county_spec("410802"), "the spec has a school-level input to misspell");
    let (status, page) =
        county.post_file("/packs", &[("round", &round_field)], ("taiji.toml", typo.into_bytes())).await;
    assert_eq!(status, 422, "{backend}: {page}");
    assert!(page.contains("taiji.toml:") && page.contains("schoool"), "{backend}: the typo's position: {page}");
    let (_, list) = county.get_json("/api/v1/packs").await;
    assert_eq!(list["packs"], json!([]), "{backend}: nothing stored for refused packs");

    // A clean pack waits for the city.
    let bytes = good_pack();
    let sha256 = dudao_dataset::sha256_hex(&bytes);
    let (status, body) =
        county.post_file("/api/v1/packs", &[("round", &round_field)], ("taiji.wasm", bytes.clone())).await;
    assert_eq!(status, 200, "{backend}: {body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, pack) = county.get_json(&format!("/api/v1/packs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(pack["pack"]["status"], "pending");
    assert_eq!(pack["pack"]["sha256"], sha256.as_str());
    assert_eq!(pack["pack"]["pack_id"], "410802-taiji");
    assert_eq!(pack["pack"]["uploaded_by"], "county-a");

    // Another county cannot see it or decide it, even knowing the id; a city inspector sees it
    // but does not decide.
    assert_eq!(other.get(&format!("/packs/{id}")).await.0, 404);
    assert_eq!(other.get_json(&format!("/api/v1/packs/{id}")).await.0, 404);
    let (_, other_list) = other.get_json("/api/v1/packs").await;
    assert_eq!(other_list["packs"], json!([]), "中站区 sees none of 解放区's packs");
    let inspector = server.login("inspector").await;
    assert_eq!(inspector.get_json(&format!("/api/v1/packs/{id}")).await.0, 200);
    let decide = |decision: &'static str, reason: &'static str, cap: &'static str| json!({"decision": decision, "reason": reason, "bonus_cap": cap});
    let path = format!("/api/v1/packs/{id}/decision");
    assert_eq!(inspector.post_json(&path, &decide("approve", "", "")).await.0, 403);
    assert_eq!(county.post_json(&path, &decide("approve", "", "")).await.0, 403);

    // A second upload of the same pack, this time its source (`.toml`), compiled by the
    // platform into the very same module, is rejected with a reason.
    let source = county_spec("410802").into_bytes();
    let (status, second) = county.post_file("/api/v1/packs", &[("round", &round_field)], ("taiji.toml", source)).await;
    assert_eq!(status, 200, "{backend}: {second}");
    let second = serde_json::from_str::<Value>(&second).unwrap()["id"].as_i64().unwrap();
    let (_, compiled) = county.get_json(&format!("/api/v1/packs/{second}")).await;
    assert_eq!(compiled["pack"]["sha256"], sha256.as_str(), "{backend}: the spec compiles to the built module");
    let second_path = format!("/api/v1/packs/{second}/decision");
    assert_eq!(city.post_json(&second_path, &decide("reject", "  ", "")).await.0, 400, "a rejection needs a reason");
    let (status, rejected) = city.post_json(&second_path, &decide("reject", "与第一次上传重复", "")).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["pack"]["status"], "rejected");
    assert_eq!(rejected["pack"]["reason"], "与第一次上传重复");
    let (_, html) = county.get(&format!("/packs/{second}")).await;
    assert!(html.contains("已退回") && html.contains("与第一次上传重复"), "{html}");

    // The city approves the first with a bonus cap; it is pinned into the round's plan.
    assert_eq!(city.post_json(&path, &decide("approve", "", "-1")).await.0, 400, "a negative bonus cap");
    let (status, approved) = city.post_json(&path, &decide("approve", "", "3")).await;
    assert_eq!(status, 200, "{backend}: {approved}");
    assert_eq!(approved["pack"]["status"], "approved");
    assert_eq!(approved["pack"]["decided_by"], "city");
    assert_eq!(city.post_json(&path, &decide("approve", "", "3")).await.0, 409, "decided once");
    let (_, audit) = city.get_json("/api/v1/audit").await;
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["上传县级指标包", "批准县级指标包", "退回县级指标包"] {
        assert!(actions.contains(&action), "{backend}: audit has {action}: {actions:?}");
    }

    // The county's data template now asks for the pack's fields; another county's does not.
    let (_, template) = county.get_bytes(&format!("/rounds/{round}/data/410802/template.xlsx")).await;
    let (_, other_template) = other.get_bytes(&format!("/rounds/{round}/data/410803/template.xlsx")).await;
    assert!(sheet_text(&template).contains("taiji_participants"), "解放区's template has the pack's fields");
    assert!(!sheet_text(&other_template).contains("taiji_participants"), "中站区's template does not");

    // The round runs with the pinned pack: results for 解放区 and its schools, nowhere else.
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/lock"), &json!({})).await.0, 200);
    assert_eq!(city.post_json(&format!("/api/v1/rounds/{round}/run"), &json!({})).await.0, 200);
    server.wait_round(&city, round).await;
    let plan = std::fs::read_to_string(server.config.data_dir.join(format!("rounds/{round}/plan.toml"))).unwrap();
    assert!(plan.contains(&sha256), "{backend}: the run's plan pins the approved sha256");

    let (status, results) = county.get_json(&format!("/api/v1/rounds/{round}/results/410802")).await;
    assert_eq!(status, 200);
    let local: Vec<&Value> =
        results["detail"]["scores"].as_array().unwrap().iter().filter(|s| s["local"] == true).collect();
    assert_eq!(local.len(), 1, "{backend}: 解放区 has the local pack's score: {}", results["detail"]["scores"]);
    assert_eq!(local[0]["pack"], "解放区太极拳进校园");
    assert!(has_indicator(&results, "410802.taiji.schools_teaching"), "the county-level indicator");
    let (_, school) = county.get_json(&format!("/api/v1/rounds/{round}/results/4108020001")).await;
    assert!(has_indicator(&school, "410802.taiji.weekly_classes"), "a school of 解放区 has the school indicator");
    let (_, html) = county.get(&format!("/rounds/{round}/results/410802")).await;
    assert!(html.contains("解放区太极拳进校园") && html.contains("开设太极拳课程的学校比例"), "the county page");

    for unit in ["410803", "4108030001", "410800"] {
        let (status, results) = city.get_json(&format!("/api/v1/rounds/{round}/results/{unit}")).await;
        assert_eq!(status, 200, "{unit}");
        assert!(!results.to_string().contains("410802.taiji"), "{backend}: {unit} has no result of 解放区's pack");
        assert!(!results.to_string().contains("解放区太极拳进校园"), "{backend}: {unit}");
    }

    // The round is no longer open: no more packs for it.
    let (status, _) = county.post_file("/api/v1/packs", &[("round", &round_field)], ("taiji.wasm", bytes)).await;
    assert_eq!(status, 409);
}

fn has_indicator(results: &Value, id: &str) -> bool {
    results["detail"]["indicators"].as_array().unwrap().iter().any(|line| line["id"] == id)
}

/// The shared strings of an XLSX workbook (its cell texts).
fn sheet_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let mut text = String::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        if file.name().unwrap().ends_with(".xml") {
            let mut part = String::new();
            std::io::Read::read_to_string(&mut file, &mut part).unwrap();
            text.push_str(&part);
        }
    }
    text
}
