//! A readable summary for a terminal: per pack, one line per county with its own indicators,
//! those of the subjects below it, its score and grade; then what was not met, the vetoes, and
//! (with a plan) the overall results and the random selection.

use std::collections::BTreeMap;
use std::fmt::Write;

use rules_sdk::wire::{GradeBand, Level, Status};
use unicode_width::UnicodeWidthStr;

use crate::text::{format_rounded, threshold_text};
use dudao_engine::evaluate::Evaluation;
use dudao_engine::round::Round;
use dudao_engine::score::{ScoreCard, ScoreSummary};

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
        round_header(&mut out, round);
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
    let Some(counties) = evaluation.prepared.subjects.get(&Level::County) else { return out };
    let owners: BTreeMap<Level, Vec<Option<usize>>> =
        Level::ALL.into_iter().map(|level| (level, evaluation.prepared.counties_of(level))).collect();
    for pack in 0..evaluation.packs.len() {
        pack_section(&mut out, evaluation, pack, counties, &owners);
    }
    if let Some(round) = round {
        overall_section(&mut out, evaluation, round);
        sample_section(&mut out, round, counties);
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

/// The round's title line and, for a special round, its indicators.
fn round_header(out: &mut String, round: &Round) {
    let kind = match round.plan.kind {
        dudao_engine::plan::RoundKind::Comprehensive => "综合督导",
        dudao_engine::plan::RoundKind::Special => "专项督导",
    };
    let _ = writeln!(out, "督导轮次 {} — {}（{}，{}）", round.plan.id, round.plan.title, round.plan.period, kind);
    if !round.plan.indicators.is_empty() {
        let _ = writeln!(out, "专项范围: {}", round.plan.indicators.join(", "));
    }
}

/// One pack's statuses counted per county: its own indicators, those of the units below it,
/// the city's, and the county indicators it did not meet.
#[derive(Default)]
struct PackTallies {
    own: BTreeMap<usize, Tally>,
    below: BTreeMap<usize, Tally>,
    above: Tally,
    misses: BTreeMap<usize, Vec<String>>,
    lower_levels: Vec<Level>,
    evaluated: usize,
}

fn tally_pack(evaluation: &Evaluation, pack: usize, owners: &BTreeMap<Level, Vec<Option<usize>>>) -> PackTallies {
    let manifest = &evaluation.packs[pack].manifest;
    let mut tallies = PackTallies::default();
    for outcome in evaluation.outcomes.iter().filter(|outcome| outcome.pack == pack) {
        tallies.evaluated += 1;
        if outcome.level < Level::County {
            match &outcome.result {
                Ok(results) => results.iter().for_each(|result| tallies.above.add(result.status)),
                Err(_) => tallies.above.add(Status::Error),
            }
            continue;
        }
        let Some(county) = owners[&outcome.level][outcome.subject] else { continue };
        if outcome.level > Level::County && !tallies.lower_levels.contains(&outcome.level) {
            tallies.lower_levels.push(outcome.level);
        }
        let tally = if outcome.level == Level::County {
            tallies.own.entry(county).or_default()
        } else {
            tallies.below.entry(county).or_default()
        };
        let Ok(results) = &outcome.result else {
            tally.add(Status::Error);
            continue;
        };
        for result in results {
            tally.add(result.status);
            if outcome.level == Level::County && result.status == Status::NotMet {
                let name = manifest.node(&result.indicator).map_or(result.indicator.as_str(), |node| &node.name);
                let value = result.value.map(format_rounded).unwrap_or_else(|| "—".to_owned());
                let bound = threshold_text(manifest, &result.indicator, &result.subject)
                    .map(|bound| format!("（要求 {bound}）"))
                    .unwrap_or_default();
                tallies.misses.entry(county).or_default().push(format!("{name} {value}{bound}"));
            }
        }
    }
    tallies
}

/// The county-level score cards and score summaries of one pack, by county index.
struct CountyScores<'a> {
    cards: BTreeMap<usize, &'a ScoreCard>,
    summaries: BTreeMap<usize, &'a ScoreSummary>,
}

impl<'a> CountyScores<'a> {
    fn of(evaluation: &'a Evaluation, pack: usize) -> CountyScores<'a> {
        let scores = &evaluation.scores;
        CountyScores {
            cards: scores
                .cards
                .iter()
                .filter(|card| card.pack == pack && card.level == Level::County)
                .map(|card| (card.subject, card))
                .collect(),
            summaries: scores
                .summaries
                .iter()
                .filter(|summary| summary.pack == pack && summary.level == Level::County)
                .map(|summary| (summary.subject, summary))
                .collect(),
        }
    }

    /// A county's score and grade: its own score card, or (for a pack scored below the
    /// county) the mean total and the grade counts of its units, in band order.
    fn shown(&self, bands: &[GradeBand], county: usize) -> (String, String) {
        if let Some(card) = self.cards.get(&county) {
            let veto = if card.vetoes.is_empty() { "" } else { "（否决）" };
            return (format_rounded(card.total), format!("{}{veto}", card.grade.as_deref().unwrap_or("—")));
        }
        let Some(summary) = self.summaries.get(&county) else { return (String::new(), String::new()) };
        let rank = |name: &str| bands.iter().position(|band| band.name == name).unwrap_or(usize::MAX);
        let mut counts: Vec<(&String, &usize)> = summary.grades.iter().collect();
        counts.sort_by_key(|(name, _)| rank(name));
        (
            format!("均 {}", format_rounded(summary.mean_total)),
            counts.iter().map(|(grade, count)| format!("{grade}{count}")).collect::<Vec<_>>().join(" "),
        )
    }
}

/// One pack: its title, a line per county, the totals, the not-met county indicators and the
/// vetoes.
fn pack_section(
    out: &mut String,
    evaluation: &Evaluation,
    pack: usize,
    counties: &[dudao_dataset::validate::Subject],
    owners: &BTreeMap<Level, Vec<Option<usize>>>,
) {
    let entry = &evaluation.packs[pack];
    let scope = match &entry.scope {
        dudao_engine::plan::Scope::All => String::new(),
        dudao_engine::plan::Scope::County(county) => format!("，仅 {county}"),
    };
    let info = &entry.info;
    let _ = writeln!(out, "\n{} {} — {}（sha256 {}…{scope}）", info.id, info.version, info.title, &info.sha256[..12]);
    let tallies = tally_pack(evaluation, pack, owners);
    if tallies.evaluated == 0 {
        let _ = writeln!(out, "  （本轮未评估）");
        return;
    }
    let lower_name = tallies.lower_levels.iter().map(|level| level.chinese()).collect::<Vec<_>>().join("、");
    let below_column = |text: String| if lower_name.is_empty() { String::new() } else { text };
    let _ = writeln!(
        out,
        "  {}{}{}{}{}{}错误",
        pad("代码", 10),
        pad("县（市、区）", 20),
        pad("本级指标达标", 14),
        pad(&below_column(format!("{lower_name}指标达标")), 20),
        pad("得分", 12),
        pad("等级", 30),
    );
    let scores = CountyScores::of(evaluation, pack);
    let (mut total_own, mut total_below) = (Tally::default(), Tally::default());
    for (index, county) in counties.iter().enumerate() {
        let mine = tallies.own.get(&index).copied().unwrap_or_default();
        let theirs = tallies.below.get(&index).copied().unwrap_or_default();
        if mine.met + mine.not_met + mine.not_applicable + mine.errors + theirs.met + theirs.not_met + theirs.errors
            == 0
        {
            continue;
        }
        total_own.merge(mine);
        total_below.merge(theirs);
        let (score, grade) = scores.shown(&entry.grades, index);
        let _ = writeln!(
            out,
            "  {}{}{}{}{}{}{}",
            pad(&county.id, 10),
            pad(&county.name, 20),
            pad(&mine.ratio(), 14),
            pad(&below_column(theirs.ratio()), 20),
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
        pad(&below_column(total_below.ratio()), 20),
        total_own.errors + total_below.errors + tallies.above.errors
    );
    if tallies.above.met + tallies.above.not_met > 0 {
        let _ = writeln!(out, "  市级指标达标 {}", tallies.above.ratio());
    }
    let not_applicable = total_own.not_applicable + total_below.not_applicable;
    if not_applicable > 0 {
        let _ = writeln!(out, "  不适用（不参与计算）: {not_applicable} 项");
    }
    if !tallies.misses.is_empty() {
        let _ = writeln!(out, "\n  未达标的县级指标:");
        for (index, list) in &tallies.misses {
            let county = &counties[*index];
            let _ = writeln!(out, "    {} {}:", county.id, county.name);
            for miss in list {
                let _ = writeln!(out, "      - {miss}");
            }
        }
    }
    let vetoed: Vec<_> = evaluation.scores.cards.iter().filter(|c| c.pack == pack && !c.vetoes.is_empty()).collect();
    if !vetoed.is_empty() {
        let _ = writeln!(out, "\n  一票否决:");
        for card in vetoed {
            let subject = evaluation.prepared.subject(card.level, card.subject);
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

/// The plan's overall result per county.
fn overall_section(out: &mut String, evaluation: &Evaluation, round: &Round) {
    let county_overall: Vec<_> = round.overall.iter().filter(|overall| overall.level == Level::County).collect();
    if county_overall.is_empty() {
        return;
    }
    let bonus = if round.plan.packs.iter().any(|p| p.bonus_cap.is_some()) { "，含地方加分" } else { "" };
    let _ = writeln!(out, "\n综合结果（标准包加权{bonus}）:");
    for overall in county_overall {
        let county = evaluation.prepared.subject(Level::County, overall.subject);
        let bonus =
            if overall.bonus > 0.0 { format!("（加分 {}）", format_rounded(overall.bonus)) } else { String::new() };
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

/// The plan's random selection, per group.
fn sample_section(out: &mut String, round: &Round, counties: &[dudao_dataset::validate::Subject]) {
    if round.sample.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n随机督导抽取（种子 {}）:", round.plan.sampling.as_ref().map_or(0, |s| s.seed));
    for group in &round.sample {
        let name =
            counties.iter().find(|county| county.id == group.group).map_or("全部", |county| county.name.as_str());
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
