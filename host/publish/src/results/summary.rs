//! A readable summary for a terminal: per pack, one line per county with its own indicators,
//! those of the subjects below it, its score and grade; then what was not met, the vetoes, and
//! (with a plan) the overall results and the random selection.

use std::collections::BTreeMap;
use std::fmt::Write;

use rules_sdk::wire::{Level, Status};
use unicode_width::UnicodeWidthStr;

use crate::text::{format_rounded, threshold_text};
use dudao_engine::evaluate::Evaluation;
use dudao_engine::round::Round;

/// Pads `text` with spaces to `width` terminal columns (CJK characters count two).
fn pad(text: &str, width: usize) -> String {
    let shown = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

#[derive(Default, Clone, Copy)]
struct Tally {
    met: usize,
    not_met: usize,
    not_applicable: usize,
    errors: usize,
}

impl Tally {
    fn add(&mut self, status: Status) {
        match status {
            Status::Met => self.met += 1,
            Status::NotMet => self.not_met += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Error => self.errors += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.met += other.met;
        self.not_met += other.not_met;
        self.not_applicable += other.not_applicable;
        self.errors += other.errors;
    }

    fn ratio(&self) -> String {
        if self.met + self.not_met == 0 {
            "—".to_owned()
        } else {
            format!("{}/{}", self.met, self.met + self.not_met)
        }
    }
}

/// The summary as text.
pub fn table(evaluation: &Evaluation, round: Option<&Round>) -> String {
    let mut out = String::new();
    if let Some(round) = round {
        let kind = match round.plan.kind {
            dudao_engine::plan::RoundKind::Comprehensive => "综合督导",
            dudao_engine::plan::RoundKind::Special => "专项督导",
        };
        let _ = writeln!(out, "督导轮次 {} — {}（{}，{}）", round.plan.id, round.plan.title, round.plan.period, kind);
        if !round.plan.indicators.is_empty() {
            let _ = writeln!(out, "专项范围: {}", round.plan.indicators.join(", "));
        }
    }
    let dataset = &evaluation.dataset;
    let counts: Vec<String> = dataset.records.iter().map(|(table, count)| format!("{table} {count}")).collect();
    let _ = writeln!(
        out,
        "数据集 {} ({}, sha256 {}…): {}",
        dataset.path,
        dataset.format,
        &dataset.sha256[..12],
        counts.join(", ")
    );
    let prepared = &evaluation.prepared;
    let Some(counties) = prepared.subjects.get(&Level::County) else { return out };
    let mut owners: BTreeMap<Level, Vec<Option<usize>>> = BTreeMap::new();
    for level in Level::ALL {
        owners.insert(level, evaluation.prepared.counties_of(level));
    }

    for (pack_index, pack) in evaluation.packs.iter().enumerate() {
        let scope = match &pack.scope {
            dudao_engine::plan::Scope::All => String::new(),
            dudao_engine::plan::Scope::County(county) => format!("，仅 {county}"),
        };
        let info = &pack.info;
        let _ =
            writeln!(out, "\n{} {} — {}（sha256 {}…{scope}）", info.id, info.version, info.title, &info.sha256[..12]);
        let manifest = &pack.manifest;
        let mut own: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut below: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut above = Tally::default();
        let mut misses: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut lower_levels: Vec<Level> = Vec::new();
        let mut evaluated = 0;
        for outcome in evaluation.outcomes.iter().filter(|outcome| outcome.pack == pack_index) {
            evaluated += 1;
            if outcome.level < Level::County {
                match &outcome.result {
                    Ok(results) => results.iter().for_each(|result| above.add(result.status)),
                    Err(_) => above.add(Status::Error),
                }
                continue;
            }
            let Some(county) = owners[&outcome.level][outcome.subject] else { continue };
            if outcome.level > Level::County && !lower_levels.contains(&outcome.level) {
                lower_levels.push(outcome.level);
            }
            let tally = if outcome.level == Level::County {
                own.entry(county).or_default()
            } else {
                below.entry(county).or_default()
            };
            match &outcome.result {
                Ok(results) => {
                    for result in results {
                        tally.add(result.status);
                        if outcome.level == Level::County && result.status == Status::NotMet {
                            let name =
                                manifest.node(&result.indicator).map_or(result.indicator.as_str(), |node| &node.name);
                            let value = result.value.map(format_rounded).unwrap_or_else(|| "—".to_owned());
                            let bound = threshold_text(manifest, &result.indicator, &result.subject)
                                .map(|bound| format!("（要求 {bound}）"))
                                .unwrap_or_default();
                            misses.entry(county).or_default().push(format!("{name} {value}{bound}"));
                        }
                    }
                }
                Err(_) => tally.add(Status::Error),
            }
        }
        if evaluated == 0 {
            let _ = writeln!(out, "  （本轮未评估）");
            continue;
        }
        let cards: BTreeMap<usize, &dudao_engine::score::ScoreCard> = evaluation
            .scores
            .cards
            .iter()
            .filter(|card| card.pack == pack_index && card.level == Level::County)
            .map(|card| (card.subject, card))
            .collect();
        let summaries: BTreeMap<usize, &dudao_engine::score::ScoreSummary> = evaluation
            .scores
            .summaries
            .iter()
            .filter(|summary| summary.pack == pack_index && summary.level == Level::County)
            .map(|summary| (summary.subject, summary))
            .collect();
        let lower_name = lower_levels.iter().map(|level| level.chinese()).collect::<Vec<_>>().join("、");
        let _ = writeln!(
            out,
            "  {}{}{}{}{}{}错误",
            pad("代码", 10),
            pad("县（市、区）", 20),
            pad("本级指标达标", 14),
            pad(&if lower_name.is_empty() { String::new() } else { format!("{lower_name}指标达标") }, 20),
            pad("得分", 12),
            pad("等级", 30),
        );
        let (mut total_own, mut total_below) = (Tally::default(), Tally::default());
        for (index, county) in counties.iter().enumerate() {
            let (mine, theirs) =
                (own.get(&index).copied().unwrap_or_default(), below.get(&index).copied().unwrap_or_default());
            if mine.met + mine.not_met + mine.not_applicable + mine.errors + theirs.met + theirs.not_met + theirs.errors
                == 0
            {
                continue;
            }
            total_own.merge(mine);
            total_below.merge(theirs);
            let (score, grade) = match (cards.get(&index), summaries.get(&index)) {
                (Some(card), _) => (
                    format_rounded(card.total),
                    format!(
                        "{}{}",
                        card.grade.as_deref().unwrap_or("—"),
                        if card.vetoes.is_empty() { "" } else { "（否决）" }
                    ),
                ),
                (None, Some(summary)) => {
                    // Grade counts in band order, highest first.
                    let mut counts: Vec<(&String, &usize)> = summary.grades.iter().collect();
                    let rank = |name: &str| {
                        evaluation.packs[pack_index]
                            .grades
                            .iter()
                            .position(|band| band.name == name)
                            .unwrap_or(usize::MAX)
                    };
                    counts.sort_by_key(|(name, _)| rank(name));
                    (
                        format!("均 {}", format_rounded(summary.mean_total)),
                        counts.iter().map(|(grade, count)| format!("{grade}{count}")).collect::<Vec<_>>().join(" "),
                    )
                }
                (None, None) => (String::new(), String::new()),
            };
            let _ = writeln!(
                out,
                "  {}{}{}{}{}{}{}",
                pad(&county.id, 10),
                pad(&county.name, 20),
                pad(&mine.ratio(), 14),
                pad(&if lower_name.is_empty() { String::new() } else { theirs.ratio() }, 20),
                pad(&score, 12),
                pad(&grade, 30),
                mine.errors + theirs.errors
            );
        }
        let _ = writeln!(
            out,
            "  {}{}{}{}",
            pad("合计", 30),
            pad(&total_own.ratio(), 14),
            pad(&if lower_name.is_empty() { String::new() } else { total_below.ratio() }, 20),
            total_own.errors + total_below.errors + above.errors
        );
        if above.met + above.not_met > 0 {
            let _ = writeln!(out, "  市级指标达标 {}", above.ratio());
        }
        let not_applicable = total_own.not_applicable + total_below.not_applicable;
        if not_applicable > 0 {
            let _ = writeln!(out, "  不适用（不参与计算）: {not_applicable} 项");
        }
        if !misses.is_empty() {
            let _ = writeln!(out, "\n  未达标的县级指标:");
            for (index, list) in &misses {
                let county = &counties[*index];
                let _ = writeln!(out, "    {} {}:", county.id, county.name);
                for miss in list {
                    let _ = writeln!(out, "      - {miss}");
                }
            }
        }
        let vetoed: Vec<_> =
            evaluation.scores.cards.iter().filter(|c| c.pack == pack_index && !c.vetoes.is_empty()).collect();
        if !vetoed.is_empty() {
            let _ = writeln!(out, "\n  一票否决:");
            for card in vetoed {
                let subject = prepared.subject(card.level, card.subject);
                for veto in &card.vetoes {
                    let _ = writeln!(
                        out,
                        "    {} {}: {}（{}，等级至多{}）",
                        subject.id, subject.name, veto.name, veto.reason, veto.cap
                    );
                }
            }
        }
    }

    if let Some(round) = round {
        let county_overall: Vec<_> = round.overall.iter().filter(|overall| overall.level == Level::County).collect();
        if !county_overall.is_empty() {
            let _ = writeln!(
                out,
                "\n综合结果（标准包加权{}）:",
                if round.plan.packs.iter().any(|p| p.bonus_cap.is_some()) { "，含地方加分" } else { "" }
            );
            for overall in county_overall {
                let county = prepared.subject(Level::County, overall.subject);
                let bonus = if overall.bonus > 0.0 {
                    format!("（加分 {}）", format_rounded(overall.bonus))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {}{}{}{}",
                    pad(&county.id, 10),
                    pad(&county.name, 20),
                    pad(&format!("{}{bonus}", format_rounded(overall.total)), 24),
                    overall.grade.as_deref().unwrap_or("—")
                );
            }
        }
        if !round.sample.is_empty() {
            let _ = writeln!(out, "\n随机督导抽取（种子 {}）:", round.plan.sampling.as_ref().map_or(0, |s| s.seed));
            for group in &round.sample {
                let name = counties
                    .iter()
                    .find(|county| county.id == group.group)
                    .map_or("全部", |county| county.name.as_str());
                let _ = writeln!(
                    out,
                    "  {} {}: {}/{} — {}",
                    group.group,
                    name,
                    group.selected.len(),
                    group.population,
                    group.selected.join(", ")
                );
            }
        }
    }

    let failures = evaluation.failures();
    if failures.is_empty() {
        let _ = writeln!(out, "\n沙箱错误: 无");
    } else {
        let _ = writeln!(out, "\n沙箱错误 ({}):", failures.len());
        for failure in &failures {
            let _ = writeln!(out, "  {failure}");
        }
    }
    out
}
