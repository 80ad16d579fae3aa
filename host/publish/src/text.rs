//! How numbers and values read: rounded for people, shortest round-trip form for files.

use rules_sdk::wire::Manifest;

/// The threshold of `indicator` that applies to `subject` (matched by `applies_to` against the
/// indicator's last id segment or the subject's part), as text such as `≥ 4.2`.
pub fn threshold_text(manifest: &Manifest, indicator: &str, subject: &str) -> Option<String> {
    let node = manifest.node(indicator)?;
    let applies = |target: &Option<String>| match target {
        None => true,
        Some(target) => {
            indicator.rsplit('.').next() == Some(target.as_str()) || subject.rsplit(':').next() == Some(target.as_str())
        }
    };
    let bounds: Vec<String> = node
        .thresholds
        .iter()
        .filter(|threshold| applies(&threshold.applies_to))
        .map(|threshold| format!("{} {}", threshold.op.symbol(), format_value(threshold.value)))
        .collect();
    (!bounds.is_empty()).then(|| bounds.join(", "))
}

/// A number rounded for reading (four decimals, trailing zeros dropped); files keep every digit.
pub fn format_rounded(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// A number in the shortest form that reads back to the same double (`4.2`, `0.515…`).
pub fn format_value(value: f64) -> String {
    let value = value + 0.0;
    format!("{value}")
}
