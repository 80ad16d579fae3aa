//! A readable summary for a terminal: per pack, one line per top-level subject (usually a
//! county) with its own indicators and those of the subjects below it, then what was not met
//! and what failed.

use std::collections::BTreeMap;
use std::fmt::Write;

use rules_sdk::wire::{Level, Status};
use unicode_width::UnicodeWidthStr;

use super::{format_rounded, threshold_text};
use crate::evaluate::Evaluation;

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

    fn judged(&self) -> usize {
        self.met + self.not_met
    }

    fn ratio(&self) -> String {
        if self.judged() == 0 { "—".to_owned() } else { format!("{}/{}", self.met, self.judged()) }
    }
}

/// The summary as text.
pub fn table(evaluation: &Evaluation) -> String {
    let mut out = String::new();
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
    for (pack_index, pack) in evaluation.packs.iter().enumerate() {
        let _ = writeln!(out, "\n{} {} — {} (sha256 {}…)", pack.id, pack.version, pack.title, &pack.sha256[..12]);
        let outcomes: Vec<_> = evaluation.outcomes.iter().filter(|outcome| outcome.pack == pack_index).collect();
        let Some(top) = outcomes.iter().map(|outcome| outcome.level).min() else {
            let _ = writeln!(out, "  (no subjects to evaluate)");
            continue;
        };
        // Tally the top level's own results, and every lower result under its top ancestor.
        let mut own: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut below: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut lower_levels: Vec<Level> = Vec::new();
        let mut misses: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let top_index: BTreeMap<&str, usize> =
            prepared.subjects[&top].iter().enumerate().map(|(i, subject)| (subject.id.as_str(), i)).collect();
        for outcome in &outcomes {
            let subject = prepared.subject(outcome.level, outcome.subject);
            let ancestor = if outcome.level == top {
                Some(outcome.subject)
            } else {
                if !lower_levels.contains(&outcome.level) {
                    lower_levels.push(outcome.level);
                }
                subject.parent.as_deref().and_then(|parent| top_index.get(parent).copied())
            };
            let Some(ancestor) = ancestor else { continue };
            let tally = if outcome.level == top {
                own.entry(ancestor).or_default()
            } else {
                below.entry(ancestor).or_default()
            };
            match &outcome.result {
                Ok(results) => {
                    for result in results {
                        tally.add(result.status);
                        if outcome.level == top && result.status == Status::NotMet {
                            let manifest = &evaluation.manifests[pack_index];
                            let name =
                                manifest.node(&result.indicator).map_or(result.indicator.as_str(), |node| &node.name);
                            let value = result.value.map(format_rounded).unwrap_or_else(|| "—".to_owned());
                            let bound = threshold_text(manifest, &result.indicator, &result.subject)
                                .map(|bound| format!("（要求 {bound}）"))
                                .unwrap_or_default();
                            misses.entry(ancestor).or_default().push(format!("{name} {value}{bound}"));
                        }
                    }
                }
                Err(_) => tally.add(Status::Error),
            }
        }
        let lower_name = lower_levels.iter().map(|level| level.chinese()).collect::<Vec<_>>().join("、");
        let _ = writeln!(
            out,
            "  {}{}{}{}错误",
            pad("代码", 10),
            pad(top.chinese(), 20),
            pad("本级指标达标", 16),
            pad(&if lower_name.is_empty() { String::new() } else { format!("{lower_name}指标达标") }, 18),
        );
        let mut total_own = Tally::default();
        let mut total_below = Tally::default();
        for (index, subject) in prepared.subjects[&top].iter().enumerate() {
            let mine = own.get(&index).copied().unwrap_or_default();
            let theirs = below.get(&index).copied().unwrap_or_default();
            for (total, part) in [(&mut total_own, mine), (&mut total_below, theirs)] {
                total.met += part.met;
                total.not_met += part.not_met;
                total.not_applicable += part.not_applicable;
                total.errors += part.errors;
            }
            let _ = writeln!(
                out,
                "  {}{}{}{}{}",
                pad(&subject.id, 10),
                pad(&subject.name, 20),
                pad(&mine.ratio(), 16),
                pad(&if lower_name.is_empty() { String::new() } else { theirs.ratio() }, 18),
                mine.errors + theirs.errors
            );
        }
        let _ = writeln!(
            out,
            "  {}{}{}{}",
            pad("合计", 30),
            pad(&total_own.ratio(), 16),
            pad(&if lower_name.is_empty() { String::new() } else { total_below.ratio() }, 18),
            total_own.errors + total_below.errors
        );
        if total_below.not_applicable + total_own.not_applicable > 0 {
            let _ =
                writeln!(out, "  不适用（不参与计算）: {} 项", total_below.not_applicable + total_own.not_applicable);
        }
        if !misses.is_empty() {
            let _ = writeln!(out, "\n  未达标的{}级指标:", top.chinese());
            for (index, list) in &misses {
                let subject = prepared.subject(top, *index);
                let _ = writeln!(out, "    {} {}:", subject.id, subject.name);
                for miss in list {
                    let _ = writeln!(out, "      - {miss}");
                }
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
