//! Fidelity to the official texts: every threshold of the four standard packs, as the built
//! modules declare it, against the committed table of the official numbers and citations
//! (`fidelity/official.toml`, copied from the review of the packs against the texts). A change
//! of a number, an operator, a document, an article or a label that drifts from the text fails
//! here, and so does a threshold the table does not know.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::{Limits, Sandbox};
use rules_sdk::wire::{Comparison, IndicatorNode, Manifest, Threshold};
use serde::Deserialize;

use crate::support;

/// The four standard packs, by crate folder.
const STANDARD: [&str; 4] =
    ["rules/quality-balance", "rules/government-duty", "rules/school-supervision", "rules/quality-monitoring"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    threshold: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    pack: String,
    indicator: String,
    applies_to: Option<String>,
    op: String,
    value: f64,
    document: String,
    cite: String,
    quote: Option<String>,
    origin: Origin,
    #[serde(default)]
    veto: bool,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Origin {
    National,
    Secondary,
    Paraphrase,
    City,
    Local,
}

impl Row {
    fn matches(&self, pack: &str, node: &IndicatorNode, threshold: &Threshold) -> bool {
        self.pack == pack && glob(&self.indicator, &node.id) && self.applies_to == threshold.applies_to
    }

    fn name(&self) -> String {
        format!(
            "{} {}{}",
            self.pack,
            self.indicator,
            self.applies_to.as_deref().map_or(String::new(), |s| format!(" ({s})"))
        )
    }
}

/// `pattern` with at most one `*` matching any run of characters.
fn glob(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, tail)) => id.len() >= head.len() + tail.len() && id.starts_with(head) && id.ends_with(tail),
    }
}

fn table() -> Table {
    toml::from_str(include_str!("fidelity/official.toml")).expect("fidelity/official.toml parses")
}

/// The manifests of the built standard packs, loaded once for all the tests of this module.
fn manifests() -> &'static [Manifest] {
    static LOADED: OnceLock<Vec<Manifest>> = OnceLock::new();
    LOADED.get_or_init(|| {
        let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
        STANDARD
            .iter()
            .map(|dir| {
                LoadedPack::load(&sandbox, &support::pack_path(dir))
                    .unwrap_or_else(|error| panic!("{dir}: {error}"))
                    .manifest
            })
            .collect()
    })
}

/// What is wrong with one threshold against its row, if anything.
fn problems(row: &Row, node: &IndicatorNode, threshold: &Threshold) -> Vec<String> {
    let mut out = Vec::new();
    let item = threshold.source.item.as_str();
    let op = serde_json::to_value(threshold.op).expect("an operator serialises");
    if op.as_str() != Some(row.op.as_str()) {
        out.push(format!("operator {op} instead of {}", row.op));
    }
    if threshold.value != row.value {
        out.push(format!("value {} instead of {}", threshold.value, row.value));
    }
    if threshold.source.document != row.document {
        out.push(format!("document `{}` instead of `{}`", threshold.source.document, row.document));
    }
    if !item.starts_with(&row.cite) {
        out.push(format!("item `{item}` does not start with `{}`", row.cite));
    }
    if let Some(quote) = &row.quote
        && !item.contains(quote.as_str())
    {
        out.push(format!("item `{item}` does not quote `{quote}`"));
    }
    // A national figure may say that a method around it is the pack's (本包口径), never that the
    // figure itself is local practice or unverified.
    let local_figure = item.contains("地方实施口径");
    let local = local_figure || item.contains("本包口径") || item.contains("本包以");
    let unverified = item.contains("原文未经核对") || item.contains("未核实");
    let paraphrase = item.contains("概述，非原文");
    let label = match row.origin {
        Origin::National | Origin::City => (!local_figure && !unverified && !paraphrase).then_some(()),
        Origin::Secondary => (unverified && !local_figure).then_some(()),
        Origin::Paraphrase => (paraphrase && !local_figure).then_some(()),
        Origin::Local => local.then_some(()),
    };
    if label.is_none() {
        out.push(format!("item `{item}` is not labelled as {:?}", row.origin));
    }
    for rollup in &node.rollup {
        for judged in &rollup.thresholds {
            if judged.source != threshold.source {
                out.push(format!("roll-up threshold cites `{}`, not the indicator's source", judged.source.item));
            }
        }
    }
    match (&node.veto, row.veto) {
        (Some(veto), true) if veto.source != threshold.source => {
            out.push(format!("veto source `{}` differs from the threshold's", veto.source.item));
        }
        (None, true) => out.push("has no veto".to_owned()),
        (Some(_), false) => out.push("has a veto the table does not list".to_owned()),
        _ => {}
    }
    out
}

#[test]
fn every_threshold_of_the_standard_packs_matches_the_official_table() {
    let table = table();
    let mut used = BTreeSet::new();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for manifest in manifests() {
        for node in manifest.nodes() {
            for threshold in &node.thresholds {
                checked += 1;
                let rows: Vec<(usize, &Row)> = table
                    .threshold
                    .iter()
                    .enumerate()
                    .filter(|(_, row)| row.matches(&manifest.id, node, threshold))
                    .collect();
                let [(index, row)] = rows.as_slice() else {
                    wrong.push(format!(
                        "{} {} ({:?}): {} rows of the table, expected 1",
                        manifest.id,
                        node.id,
                        threshold.applies_to,
                        rows.len()
                    ));
                    continue;
                };
                used.insert(*index);
                for problem in problems(row, node, threshold) {
                    wrong.push(format!("{}: {problem}", row.name()));
                }
            }
        }
    }
    for (index, row) in table.threshold.iter().enumerate() {
        if !used.contains(&index) {
            wrong.push(format!("{}: in the table but in no pack", row.name()));
        }
    }
    assert!(wrong.is_empty(), "{checked} thresholds checked; drift from the official texts:\n{}", wrong.join("\n"));
    assert!(checked >= 98, "every threshold is walked ({checked})");
}

#[test]
fn the_six_conditions_of_non_recognition_and_the_85_percent_rule_are_vetoes_of_government_duty() {
    let duty = manifests().iter().find(|manifest| manifest.id == "government-duty").expect("government-duty");
    let vetoes: Vec<&str> = duty
        .nodes()
        .into_iter()
        .filter(|node| node.veto.is_some())
        .map(|node| node.thresholds[0].source.item.as_str())
        .collect();
    for condition in [
        "存在以考试方式招生",
        "存在违规择校行为",
        "存在重点学校或重点班",
        "存在‘有编不补’或长期聘用编外教师的情况",
        "教育系统存在重大安全责任事故和严重违纪违规事件",
        "有弄虚作假行为",
        "社会认可度达到85%以上",
    ] {
        assert!(vetoes.iter().any(|item| item.contains(condition)), "{condition} is a veto: {vetoes:?}");
    }
    assert_eq!(vetoes.len(), 7);
}

#[test]
fn no_standard_pack_calls_national_wording_unverified_local_practice_or_a_one_vote_veto() {
    for manifest in manifests() {
        let mut texts: Vec<(String, &str)> = Vec::new();
        for node in manifest.nodes() {
            for threshold in &node.thresholds {
                texts.push((node.id.clone(), threshold.source.item.as_str()));
            }
        }
        for parameter in &manifest.parameters {
            if let Some(source) = &parameter.source {
                texts.push((parameter.name.clone(), source.item.as_str()));
            }
        }
        for (id, text) in texts {
            assert!(!text.contains("国家文本表述未核实"), "{} {id}: `{text}`", manifest.id);
            if text.starts_with("不予认定") {
                assert!(!text.contains("一票否决情形"), "{} {id}: the official term is 不予认定", manifest.id);
            }
            for wrong in ["第五条第", "第五条（"] {
                assert!(!text.contains(wrong), "{} {id}: 第五条 is the general article: `{text}`", manifest.id);
            }
        }
    }
}

#[test]
fn a_drifted_number_or_label_is_caught() {
    // The check itself: a threshold one step off the text fails it.
    let table = table();
    let row = table.threshold.iter().find(|row| row.indicator == "gd.conditions.special_school_funding").expect("row");
    let node: IndicatorNode = serde_json::from_value(serde_json::json!({
        "id": "gd.conditions.special_school_funding", "name": "特殊教育学校生均公用经费", "level": "county"
    }))
    .expect("node");
    let good = Threshold {
        op: Comparison::AtLeast,
        value: 6000.0,
        applies_to: None,
        source: rules_sdk::Source {
            document: row.document.clone(),
            item: "第七条第（七）项（“特殊教育学校生均公用经费不低于6000元”）".to_owned(),
        },
    };
    assert!(problems(row, &node, &good).is_empty(), "{:?}", problems(row, &node, &good));
    let lower = Threshold { value: 5000.0, ..good.clone() };
    assert_eq!(problems(row, &node, &lower), ["value 5000 instead of 6000"]);
    let mut article = good.clone();
    article.source.item = "第六条第（七）项（“特殊教育学校生均公用经费不低于6000元”）".to_owned();
    assert_eq!(problems(row, &node, &article).len(), 1);
    let mut local = good.clone();
    local.source.item.push_str("；地方实施口径，国家文本表述未核实");
    assert_eq!(problems(row, &node, &local).len(), 1);
}
