//! Long lists come a page at a time (`dudao_server::paging`), within each account's subtree:
//! every row once across the pages, in the round's order, page numbers clamped, and the page
//! links on the HTML page.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{self, Server};

/// The schools of the Jiaozuo fixture, as (id, county_id), read from the dataset itself.
fn fixture_schools() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(common::root().join("fixtures/jiaozuo/schools.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[0].to_owned(), fields[2].to_owned())
        })
        .collect()
}

/// Every row of one group of the round page, page by page; checks each page's figures.
async fn all_pages(client: &common::Client, round: i64, level: &str) -> (Vec<String>, Value) {
    let mut ids = Vec::new();
    let mut first_page = Value::Null;
    for number in 1.. {
        let (status, body) = client.get_json(&format!("/api/v1/rounds/{round}?{level}_page={number}")).await;
        assert_eq!(status, 200);
        let group = body["groups"].as_array().unwrap().iter().find(|g| g["level"] == level).unwrap().clone();
        let page = &group["page"];
        assert_eq!(page["number"], number, "{page}");
        let rows = group["rows"].as_array().unwrap();
        assert!(rows.len() <= 100, "{level} page {number} has {} rows", rows.len());
        ids.extend(rows.iter().map(|row| row["unit_id"].as_str().unwrap().to_owned()));
        if number == 1 {
            first_page = page.clone();
        }
        if page["next"].is_null() {
            assert_eq!(page["pages"], number);
            break;
        }
    }
    (ids, first_page)
}

#[tokio::test]
async fn long_lists_come_a_page_at_a_time_within_the_accounts_subtree() {
    for backend in common::backends() {
        let server = Server::start(backend).await;
        let city = server.login("city").await;
        let round = server.run_round(&city, "jiaozuo-2026.toml", None).await;
        let schools = fixture_schools();

        // The city sees every school, 100 to a page, each once, in dataset order.
        let (ids, page) = all_pages(&city, round, "school").await;
        let expected: Vec<String> = schools.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(ids, expected, "{backend}: the pages together are every school once, in order");
        assert_eq!(page["total"], schools.len(), "{backend}");
        assert_eq!(page["pages"], schools.len().div_ceil(100), "{backend}");

        // A page past the last is the last; a page that is not a number is the first.
        let (_, past) = city.get_json(&format!("/api/v1/rounds/{round}?school_page=999")).await;
        let group = past["groups"].as_array().unwrap().iter().find(|g| g["level"] == "school").unwrap();
        assert_eq!(group["page"]["number"], schools.len().div_ceil(100));
        assert_eq!(group["rows"].as_array().unwrap().len(), (schools.len() - 1) % 100 + 1);
        let (status, _) = city.get_json(&format!("/api/v1/rounds/{round}?school_page=abc")).await;
        assert_eq!(status, 200);

        // A county administrator pages through its own schools only.
        let county = server.login("county-a").await;
        let (ids, page) = all_pages(&county, round, "school").await;
        let own: Vec<String> =
            schools.iter().filter(|(_, county)| county == "410802").map(|(id, _)| id.clone()).collect();
        assert_eq!(ids, own, "{backend}: 解放区 pages through exactly its schools");
        assert_eq!(page["total"], own.len());

        // The HTML page says where the list stands and links the next page.
        let (status, html) = city.get(&format!("/rounds/{round}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("第 1–100 条，共 {} 条", schools.len())), "{backend}: no page line");
        let pager = html.split("class=\"pager\"").nth(1).unwrap_or_default();
        assert!(
            pager.contains("school_page=2\">下一页"),
            "{backend}: no next-page link: {}",
            &pager[..pager.len().min(600)]
        );

        // A zone's page lists its schools, and the results of a county its zones.
        let (_, zone) = city.get_json("/api/v1/units/41080201").await;
        let children: BTreeSet<&str> =
            zone["children"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        let dataset = std::fs::read_to_string(common::root().join("fixtures/jiaozuo/schools.csv")).unwrap();
        let header: Vec<&str> = dataset.lines().next().unwrap().split(',').collect();
        let zone_column = header.iter().position(|name| *name == "zone_id").unwrap();
        let in_zone: BTreeSet<&str> = dataset
            .lines()
            .skip(1)
            .filter(|line| line.split(',').nth(zone_column) == Some("41080201"))
            .map(|line| line.split(',').next().unwrap())
            .collect();
        assert_eq!(children, in_zone, "{backend}: the zone's children are its schools");
        assert_eq!(zone["page"]["total"], in_zone.len());

        // Rectification items too: the pages together are every item once.
        let (_, first) = city.get_json("/api/v1/items").await;
        let total = first["page"]["total"].as_u64().unwrap();
        let mut items = BTreeSet::new();
        for number in 1..=first["page"]["pages"].as_u64().unwrap() {
            let (_, page) = city.get_json(&format!("/api/v1/items?page={number}")).await;
            for item in page["items"].as_array().unwrap() {
                assert!(items.insert(item["id"].as_i64().unwrap()), "{backend}: item {item} on two pages");
            }
        }
        assert_eq!(items.len() as u64, total, "{backend}");
        assert!(total > 100, "{backend}: the round has more items than one page ({total})");
        // Past the last page (read with the count, then again), however far: the last page.
        for far in ["999", "9223372036854775807"] {
            let (status, past) = city.get_json(&format!("/api/v1/items?page={far}")).await;
            assert_eq!(status, 200, "{backend}: items page {far}");
            assert_eq!(past["page"]["number"], first["page"]["pages"], "{backend}: items page {far}");
            assert_eq!(past["page"]["total"], total, "{backend}: items page {far}");
            assert_eq!(past["items"].as_array().unwrap().len() as u64, (total - 1) % 100 + 1, "{backend}");
        }

        // Supervision orders, once the deadline has passed: a page of units at a time, every
        // overdue unit on one page only, numbered on from the page before.
        server.state.set_today(Some("2027-03-01".to_owned()));
        let (_, first) = city.get_json("/api/v1/orders").await;
        let total = first["page"]["total"].as_u64().unwrap();
        let mut units = BTreeSet::new();
        let mut numbers = Vec::new();
        for number in 1..=first["page"]["pages"].as_u64().unwrap() {
            let (_, page) = city.get_json(&format!("/api/v1/orders?page={number}")).await;
            for order in page["orders"].as_array().unwrap() {
                assert!(units.insert(order["unit_id"].as_str().unwrap().to_owned()), "{backend}: {order} twice");
                numbers.push(order["number"].as_u64().unwrap());
                assert!(!order["items"].as_array().unwrap().is_empty(), "{backend}: an order without items");
            }
        }
        assert_eq!(units.len() as u64, total, "{backend}");
        assert_eq!(numbers, (1..=total).collect::<Vec<_>>(), "{backend}: orders numbered 1, 2, … across pages");
        assert!(total > 100, "{backend}: more overdue units than one page ({total})");
        let (_, html) = city.get("/orders?page=2").await;
        assert!(
            html.contains("督办单〔2027〕101号") && html.contains("rel=\"prev\""),
            "{backend}: page 2 of the orders"
        );
        server.state.set_today(Some(common::TODAY.to_owned()));
    }
}
