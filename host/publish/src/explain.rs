//! Why one subject got its result (`dudao explain`): its score card as a tree, built from the
//! evaluation — for each pack, the records and fields the unit delivered to it, and for each
//! indicator its value, thresholds with their sources, status, weight and score; the roll-up
//! to the pack's total and grade, the vetoes that capped it, and (with a plan) the overall
//! result. Every figure is read from the evaluation: nothing is recomputed here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use dudao_engine::evaluate::Evaluation;
use dudao_engine::round::Round;
use dudao_engine::score::{ScoreNode, VetoHit};
use rules_sdk::UnitExt;
use rules_sdk::wire::{IndicatorNode, Level, Manifest, Record, Status};
use serde::Serialize;

use crate::text::{format_rounded, format_value};

/// The explanation of one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Subject id.
    pub id: String,
    /// Subject name.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Its parent's id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The overall result of the round, with a plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall: Option<OverallLine>,
    /// One entry per pack that evaluated or rolled up to this subject, in plan order.
    pub packs: Vec<PackExplanation>,
}

/// The round's overall result for the subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallLine {
    /// Weighted mean of the standard packs' totals.
    pub standard: f64,
    /// Bonus points from local packs.
    pub bonus: f64,
    /// The total (at most 100).
    pub total: f64,
    /// The grade, capped by vetoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Vetoes that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<VetoHit>,
}

/// What one pack says about the subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackExplanation {
    /// Pack id.
    pub pack: String,
    /// Version.
    pub version: String,
    /// Chinese title.
    pub title: String,
    /// The pack's total score for the subject, when it scores this level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The grade, capped by vetoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Vetoes that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<VetoHit>,
    /// The records and fields the unit delivered to the pack.
    pub inputs: Vec<InputLine>,
    /// The indicator tree (only the requested indicator's subtree with `--indicator`).
    pub indicators: Vec<NodeLine>,
    /// The sandbox failure, when the unit failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Records of one level that a unit delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputLine {
    /// Their level.
    pub level: Level,
    /// How many records.
    pub records: usize,
    /// The fields the pack declared for that level; with values when it is the subject's own
    /// record.
    pub fields: Vec<FieldValue>,
}

/// A declared field, and its value in the subject's own record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldValue {
    /// Field name.
    pub name: String,
    /// Its value (the subject's own record only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

/// One indicator or dimension of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeLine {
    /// Indicator id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The level it is evaluated at (none for a dimension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// How the value is computed, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub formula: String,
    /// Unit of the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Thresholds with their sources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<ThresholdLine>,
    /// The results for this subject (more than one for a school's parts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResultLine>,
    /// The host's roll-up of lower-level results to this subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollup: Option<RollupLine>,
    /// Weight in its parent.
    pub weight: f64,
    /// Its score (0–100), when scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The veto it carries, and whether it fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto: Option<VetoLine>,
    /// Sub-indicators.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<NodeLine>,
}

/// A threshold and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdLine {
    /// `≥ 4.2`, with the part it applies to.
    pub bound: String,
    /// The source document.
    pub document: String,
    /// The article or item.
    pub item: String,
}

/// One indicator result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultLine {
    /// The result's subject (a school part such as `S1:primary`).
    pub subject: String,
    /// The value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
    /// The pack's note.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A roll-up result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupLine {
    /// The aggregation, in words.
    pub method: String,
    /// How many member results it aggregates.
    pub members: usize,
    /// The value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The status.
    pub status: Status,
}

/// A veto an indicator carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VetoLine {
    /// The grade it caps at.
    pub cap: String,
    /// What the finding is, when it fires.
    pub reason: String,
    /// Whether it fired for this subject.
    pub fired: bool,
}

/// Why [`explain`] found nothing to explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// No subject has the id.
    #[error("the dataset has no subject `{0}` (give a city, county, zone or school id)")]
    NoSubject(String),
    /// No pack has the indicator.
    #[error("no pack of this run has an indicator `{0}`")]
    NoIndicator(String),
}

/// Explains the result of the subject `id`, optionally only the indicator `indicator` (and
/// the indicators below it).
///
/// # Errors
///
/// [`ExplainError`] when the subject or the indicator does not exist.
pub fn explain(
    evaluation: &Evaluation,
    round: Option<&Round>,
    id: &str,
    indicator: Option<&str>,
) -> Result<Explanation, ExplainError> {
    let prepared = &evaluation.prepared;
    let (level, index) = prepared
        .subjects
        .iter()
        .find_map(|(level, subjects)| subjects.iter().position(|subject| subject.id == id).map(|index| (*level, index)))
        .ok_or_else(|| ExplainError::NoSubject(id.to_owned()))?;
    let subject = prepared.subject(level, index);
    if let Some(wanted) = indicator
        && !evaluation.packs.iter().any(|pack| pack.manifest.node(wanted).is_some())
    {
        return Err(ExplainError::NoIndicator(wanted.to_owned()));
    }
    let mut packs = Vec::new();
    for (pack_index, pack) in evaluation.packs.iter().enumerate() {
        let outcome = evaluation
            .outcomes
            .iter()
            .find(|outcome| outcome.pack == pack_index && outcome.level == level && outcome.subject == index);
        let rollups: BTreeMap<&str, _> = evaluation
            .scores
            .rollups
            .iter()
            .filter(|rolled| rolled.pack == pack_index && rolled.level == level && rolled.subject == index)
            .map(|rolled| (rolled.indicator.as_str(), rolled))
            .collect();
        if outcome.is_none() && rollups.is_empty() {
            continue;
        }
        let card = evaluation
            .scores
            .cards
            .iter()
            .find(|card| card.pack == pack_index && card.level == level && card.subject == index);
        let mut scores = BTreeMap::new();
        if let Some(card) = card {
            collect_scores(&card.tree, &mut scores);
        }
        let results: Vec<_> = outcome.and_then(|outcome| outcome.result.as_ref().ok()).cloned().unwrap_or_default();
        let fired: Vec<&str> =
            card.map(|card| card.vetoes.iter().map(|veto| veto.indicator.as_str()).collect()).unwrap_or_default();
        let context = NodeContext { level, results: &results, rollups: &rollups, scores: &scores, fired: &fired };
        let mut indicators: Vec<NodeLine> =
            pack.manifest.indicators.iter().filter_map(|node| node_line(node, &context)).collect();
        if let Some(wanted) = indicator {
            indicators = indicators.into_iter().filter_map(|node| subtree(node, wanted)).collect();
            if indicators.is_empty() {
                continue;
            }
        }
        packs.push(PackExplanation {
            pack: pack.info.id.clone(),
            version: pack.info.version.clone(),
            title: pack.info.title.clone(),
            total: card.map(|card| card.total),
            grade: card.and_then(|card| card.grade.clone()),
            vetoes: card.map(|card| card.vetoes.clone()).unwrap_or_default(),
            inputs: outcome
                .map(|outcome| inputs(evaluation, pack_index, &pack.manifest, outcome.level, index))
                .unwrap_or_default(),
            indicators,
            error: outcome
                .and_then(|outcome| outcome.result.as_ref().err())
                .map(|error| format!("{error} ({})", error.kind())),
        });
    }
    let overall = round.and_then(|round| {
        round.overall.iter().find(|overall| overall.level == level && overall.subject == index).map(|overall| {
            OverallLine {
                standard: overall.standard,
                bonus: overall.bonus,
                total: overall.total,
                grade: overall.grade.clone(),
                vetoes: overall.vetoes.clone(),
            }
        })
    });
    Ok(Explanation {
        id: subject.id.clone(),
        name: subject.name.clone(),
        level,
        parent: subject.parent.clone(),
        overall,
        packs,
    })
}

struct NodeContext<'a> {
    level: Level,
    results: &'a [rules_sdk::wire::IndicatorResult],
    rollups: &'a BTreeMap<&'a str, &'a dudao_engine::score::RolledUp>,
    scores: &'a BTreeMap<String, (f64, f64)>,
    fired: &'a [&'a str],
}

fn collect_scores(nodes: &[ScoreNode], out: &mut BTreeMap<String, (f64, f64)>) {
    for node in nodes {
        out.insert(node.id.to_string(), (node.score, node.weight));
        collect_scores(&node.children, out);
    }
}

/// The node's line, or `None` when nothing of it concerns this subject.
fn node_line(node: &IndicatorNode, context: &NodeContext<'_>) -> Option<NodeLine> {
    let children: Vec<NodeLine> = node.children.iter().filter_map(|child| node_line(child, context)).collect();
    let results: Vec<ResultLine> = context
        .results
        .iter()
        .filter(|result| result.indicator == node.id)
        .map(|result| ResultLine {
            subject: result.subject.clone(),
            value: result.value,
            status: result.status,
            note: result.note.clone().unwrap_or_default(),
        })
        .collect();
    let rollup = context.rollups.get(node.id.as_str()).map(|rolled| RollupLine {
        method: crate::results::aggregation_words(rolled.method).to_owned(),
        members: rolled.members,
        value: rolled.value,
        status: rolled.status,
    });
    let score = context.scores.get(&node.id);
    if children.is_empty() && results.is_empty() && rollup.is_none() && score.is_none() {
        return None;
    }
    Some(NodeLine {
        id: node.id.clone(),
        name: node.name.clone(),
        level: node.level,
        formula: node.formula.clone(),
        unit: node.unit.clone(),
        thresholds: node
            .thresholds
            .iter()
            .map(|threshold| ThresholdLine {
                bound: match &threshold.applies_to {
                    Some(target) => format!("{} {}（{target}）", threshold.op.symbol(), format_value(threshold.value)),
                    None => format!("{} {}", threshold.op.symbol(), format_value(threshold.value)),
                },
                document: threshold.source.document.clone(),
                item: threshold.source.item.clone(),
            })
            .collect(),
        results,
        rollup,
        weight: score.map_or_else(|| node.weight.unwrap_or(1.0), |(_, weight)| *weight),
        score: score.map(|(score, _)| *score),
        veto: node.veto.as_ref().filter(|_| node.level == Some(context.level)).map(|veto| VetoLine {
            cap: veto.cap.clone(),
            reason: veto.reason.clone(),
            fired: context.fired.contains(&node.id.as_str()),
        }),
        children,
    })
}

/// The subtree rooted at `wanted`, searching below `node`.
fn subtree(node: NodeLine, wanted: &str) -> Option<NodeLine> {
    if node.id == wanted {
        return Some(node);
    }
    node.children.into_iter().find_map(|child| subtree(child, wanted))
}

/// The records and declared fields the unit of pack `pack` at `level` delivered for subject
/// number `index`.
fn inputs(evaluation: &Evaluation, pack: usize, manifest: &Manifest, level: Level, index: usize) -> Vec<InputLine> {
    let Some(spec) = manifest.units.iter().find(|unit| unit.level == level) else { return Vec::new() };
    let unit = dudao_dataset::unit(&evaluation.prepared, pack, spec, index);
    // The host made these records from the dataset's rows: each is a JSON object.
    let subject: Record = unit.subject_as().expect("a subject record is an object");
    let mut member_levels = spec.include.clone();
    member_levels.sort();
    member_levels.dedup();
    let declared = |level: Level| -> Vec<&str> {
        manifest
            .inputs
            .iter()
            .filter(|input| input.level == level)
            .flat_map(|input| input.fields.iter().map(|field| field.name.as_str()))
            .collect()
    };
    let mut lines = vec![InputLine {
        level,
        records: 1,
        fields: declared(level)
            .into_iter()
            .map(|name| FieldValue { name: name.to_owned(), value: subject.get(name).cloned() })
            .collect(),
    }];
    for member_level in member_levels {
        let records: Vec<Record> = unit.members_as(member_level).expect("member records are objects");
        lines.push(InputLine {
            level: member_level,
            records: records.len(),
            fields: declared(member_level)
                .into_iter()
                .map(|name| FieldValue { name: name.to_owned(), value: None })
                .collect(),
        });
    }
    lines
}

/// The explanation as an indented tree, in Chinese.
pub fn text(explanation: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}（{}）· {}", explanation.name, explanation.id, explanation.level.chinese());
    if let Some(overall) = &explanation.overall {
        let _ = writeln!(
            out,
            "总评：{} 分（标准指标 {} 分 + 地方加分 {} 分）{}",
            format_rounded(overall.total),
            format_rounded(overall.standard),
            format_rounded(overall.bonus),
            overall.grade.as_deref().map(|grade| format!("，等级 {grade}")).unwrap_or_default()
        );
        for veto in &overall.vetoes {
            let _ = writeln!(out, "  一票否决：{}（等级至多为 {}）", veto.reason, veto.cap);
        }
    }
    for pack in &explanation.packs {
        let _ = write!(out, "\n■ {}（{} {}）", pack.title, pack.pack, pack.version);
        if let Some(total) = pack.total {
            let _ = write!(out, " —— 总分 {}", format_rounded(total));
        }
        if let Some(grade) = &pack.grade {
            let _ = write!(out, "，等级 {grade}");
        }
        out.push('\n');
        for veto in &pack.vetoes {
            let _ = writeln!(out, "  一票否决：{}（等级至多为 {}）", veto.reason, veto.cap);
        }
        if let Some(error) = &pack.error {
            let _ = writeln!(out, "  沙箱错误：{error}");
        }
        for input in &pack.inputs {
            let fields: Vec<String> = input
                .fields
                .iter()
                .map(|field| match &field.value {
                    Some(value) => format!("{}={}", field.name, json_text(value)),
                    None => field.name.clone(),
                })
                .collect();
            let _ = writeln!(
                out,
                "  输入：{}记录 {} 条{}",
                input.level.chinese(),
                input.records,
                if fields.is_empty() { String::new() } else { format!("（{}）", fields.join("，")) }
            );
        }
        for node in &pack.indicators {
            node_text(&mut out, node, 1);
        }
    }
    out
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => "（空）".to_owned(),
        serde_json::Value::Bool(true) => "是".to_owned(),
        serde_json::Value::Bool(false) => "否".to_owned(),
        serde_json::Value::Number(number) => number.as_f64().map_or_else(|| number.to_string(), format_rounded),
        other => other.to_string(),
    }
}

fn node_text(out: &mut String, node: &NodeLine, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = write!(out, "{indent}- {}（{}）", node.name, node.id);
    let unit = node.unit.as_deref().unwrap_or("");
    if let Some(score) = node.score {
        let _ = write!(out, " 得分 {}，权重 {}", format_rounded(score), format_rounded(node.weight));
    }
    out.push('\n');
    for result in &node.results {
        let value = result
            .value
            .map_or_else(|| "—".to_owned(), |value| format!("{} {unit}", format_rounded(value)).trim_end().to_owned());
        let part = if result.subject.contains(':') { format!("[{}] ", result.subject) } else { String::new() };
        let _ = write!(out, "{indent}    {part}值 {value}，{}", result.status.chinese());
        if !result.note.is_empty() {
            let _ = write!(out, "（{}）", result.note);
        }
        out.push('\n');
    }
    if let Some(rollup) = &node.rollup {
        let value = rollup.value.map_or_else(|| "—".to_owned(), format_rounded);
        let _ = writeln!(
            out,
            "{indent}    汇总：{} 个下级结果{}，值 {value}，{}",
            rollup.members,
            rollup.method,
            rollup.status.chinese()
        );
    }
    for threshold in &node.thresholds {
        let _ = writeln!(out, "{indent}    标准 {}，依据《{}》{}", threshold.bound, threshold.document, threshold.item);
    }
    if !node.formula.is_empty() && node.children.is_empty() {
        let _ = writeln!(out, "{indent}    计算：{}", node.formula);
    }
    if let Some(veto) = &node.veto {
        let state = if veto.fired { "已触发" } else { "未触发" };
        let _ = writeln!(out, "{indent}    否决项（{state}）：{}，等级至多为 {}", veto.reason, veto.cap);
    }
    for child in &node.children {
        node_text(out, child, depth + 1);
    }
}
