//! How numbers and values read: rounded for people, shortest round-trip form for files.

use rules_sdk::wire::{Comparison, Manifest, Threshold};

/// The thresholds of `indicator` that apply to `subject`: those without `applies_to`, and
/// those whose `applies_to` is the indicator's last id segment or the subject's part.
pub fn applying_thresholds<'a>(manifest: &'a Manifest, indicator: &str, subject: &str) -> Vec<&'a Threshold> {
    let Some(node) = manifest.node(indicator) else { return Vec::new() };
    let applies = |target: &Option<String>| match target {
        None => true,
        Some(target) => {
            indicator.rsplit('.').next() == Some(target.as_str()) || subject.rsplit(':').next() == Some(target.as_str())
        }
    };
    node.thresholds.iter().filter(|threshold| applies(&threshold.applies_to)).collect()
}

/// The threshold of `indicator` that applies to `subject` ([`applying_thresholds`]), as text
/// such as `≥ 4.2`.
pub fn threshold_text(manifest: &Manifest, indicator: &str, subject: &str) -> Option<String> {
    let bounds: Vec<String> = applying_thresholds(manifest, indicator, subject)
        .into_iter()
        .map(|threshold| format!("{} {}", threshold.op.symbol(), format_value(threshold.value)))
        .collect();
    (!bounds.is_empty()).then(|| bounds.join(", "))
}

/// The upper limit of `indicator` for `subject`, when its first applying threshold is one
/// (`≤ 0.5`): what a chart of values against their limit draws.
pub fn upper_limit(manifest: &Manifest, indicator: &str, subject: &str) -> Option<f64> {
    let first = *applying_thresholds(manifest, indicator, subject).first()?;
    (first.op == Comparison::AtMost).then_some(first.value)
}

/// A number rounded for reading (four decimals, trailing zeros dropped); files keep every digit.
pub fn format_rounded(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

pub use dudao_engine::rows::format_value;
