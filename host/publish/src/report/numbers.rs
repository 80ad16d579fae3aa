//! How numbers read in a report (Chinese conventions): shares as percentages (`56%`), yes/no
//! as 是/否, scores and other values to at most two decimals, coefficients of variation
//! (差异系数) to three, so that a value just above its limit (0.451 against 0.45) does not
//! print as the limit. Machine outputs (CSV of results, results.json) keep every digit.

use rules_sdk::wire::Comparison;

/// What kind of number an indicator's unit says its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    /// A share from 0 to 1 (比例, 比率): shown as a percentage.
    Share,
    /// A change of a share (比例变化, 比率变化): shown in percentage points.
    ShareChange,
    /// Yes (1) or no (0): shown as 是/否.
    YesNo,
    /// A coefficient of variation (差异系数): three decimals.
    Cv,
    /// A plain ratio (比值): two decimals, no unit.
    Ratio,
    /// A quantity with a unit (`m²`, `人`), or none.
    Quantity(Option<&'a str>),
}

impl<'a> Kind<'a> {
    /// The kind of a unit as packs declare it.
    pub fn of(unit: Option<&'a str>) -> Kind<'a> {
        match unit.map(str::trim) {
            Some("比例" | "比率" | "百分比") => Kind::Share,
            Some("比例变化" | "比率变化") => Kind::ShareChange,
            Some("是/否") => Kind::YesNo,
            Some("差异系数") => Kind::Cv,
            Some("比值") => Kind::Ratio,
            Some("") | None => Kind::Quantity(None),
            Some(other) => Kind::Quantity(Some(other)),
        }
    }
}

/// A number to at most `decimals` decimals, trailing zeros dropped (`-0` reads `0`).
pub fn decimals(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// A score (0–100), to at most two decimals.
pub fn score(value: f64) -> String {
    decimals(value, 2)
}

/// A share (0–1) as a percentage, to at most two decimals: `0.5625` reads `56.25%`.
pub fn percent(value: f64) -> String {
    format!("{}%", decimals(value * 100.0, 2))
}

/// A value as a reader sees it, by the kind of its unit; `—` when there is none.
pub fn value(value: Option<f64>, unit: Option<&str>) -> String {
    let Some(value) = value else { return "—".to_owned() };
    match Kind::of(unit) {
        Kind::Share => percent(value),
        Kind::ShareChange => format!("{}个百分点", decimals(value * 100.0, 2)),
        Kind::YesNo if value == 1.0 => "是".to_owned(),
        Kind::YesNo if value == 0.0 => "否".to_owned(),
        Kind::YesNo | Kind::Ratio | Kind::Quantity(None) => decimals(value, 2),
        Kind::Cv => decimals(value, 3),
        Kind::Quantity(Some(unit)) => format!("{} {unit}", decimals(value, 2)),
    }
}

/// A threshold's bound as a reader sees it: `≥ 95%`, `须为“是”`, `≤ 0.45`, `≥ 4.2 m²`.
pub fn bound(op: Comparison, bound: f64, unit: Option<&str>) -> String {
    let kind = Kind::of(unit);
    if kind == Kind::YesNo {
        let yes = match op {
            Comparison::AtLeast => bound > 0.0,
            Comparison::Above => bound >= 0.0,
            Comparison::AtMost => bound >= 1.0,
            Comparison::Below => bound > 1.0,
        };
        return if yes { "须为“是”".to_owned() } else { "须为“否”".to_owned() };
    }
    format!("{} {}", op.symbol(), value(Some(bound), unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages_and_yes_no_as_words() {
        assert_eq!(value(Some(0.56), Some("比例")), "56%");
        assert_eq!(value(Some(0.5625), Some("比率")), "56.25%");
        assert_eq!(value(Some(1.0), Some("是/否")), "是");
        assert_eq!(value(Some(0.0), Some("是/否")), "否");
        assert_eq!(value(Some(0.4512), Some("差异系数")), "0.451");
        assert_eq!(value(Some(4.256), Some("m²")), "4.26 m²");
        assert_eq!(value(Some(100.0), None), "100");
        assert_eq!(score(87.12345), "87.12");
        assert_eq!(bound(Comparison::AtLeast, 1.0, Some("是/否")), "须为“是”");
        assert_eq!(bound(Comparison::AtMost, 0.0, Some("是/否")), "须为“否”");
        assert_eq!(bound(Comparison::AtLeast, 0.95, Some("比例")), "≥ 95%");
    }
}
