//! The figures of a report as numbers: one [`Chart`] per figure (categories, series, values,
//! caption), computed once and drawn twice — as inline SVG in the HTML documents
//! ([`super::html::grouped_bars`], [`super::html::stacked_bars`]) and as a native DrawingML
//! chart in the county DOCX ([`super::drawingml`]).

use rules_sdk::wire::Level;

use super::html::{esc, grouped_bars, slug, stacked_bars};
use super::{PackScore, Report, UnitReport};

/// How a chart's series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Vertical bars side by side, one group per category, on a 0–100 scale (scores).
    Clustered,
    /// One horizontal bar per category, one segment per series (counts of schools).
    Stacked,
}

/// One figure of a report.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Chart {
    /// The HTML figure's element id (`chart-county-dims-<pack>`).
    pub id: String,
    pub kind: Kind,
    /// The caption as a reader sees it, numbered: `图1 义务教育优质均衡：马村区维度得分与全市平均`.
    pub caption: String,
    pub categories: Vec<String>,
    pub series: Vec<String>,
    /// `values[category][series]`; `None` where a series has no value for a category.
    pub values: Vec<Vec<Option<f64>>>,
}

impl Chart {
    /// `unit`'s dimension scores in one pack against the mean of `peers` (each peer with a
    /// score for that dimension counts once): `id` is the figure's id prefix and `label` the
    /// name of the mean's series (`全市平均`, `本县学校平均`).
    pub fn dimensions(
        report: &Report,
        unit: &UnitReport,
        score: &PackScore,
        peers: &[&UnitReport],
        (id, label): (&str, &str),
        figure: usize,
    ) -> Chart {
        let values = score
            .dimensions
            .iter()
            .map(|(name, value)| {
                let all: Vec<f64> = peers
                    .iter()
                    .filter_map(|peer| peer.score(score.pack))
                    .filter_map(|s| s.dimensions.iter().find(|(n, _)| n == name).map(|(_, v)| *v))
                    .collect();
                let mean = (!all.is_empty()).then(|| all.iter().sum::<f64>() / all.len() as f64);
                vec![Some(*value), mean]
            })
            .collect();
        let pack = &report.packs[score.pack];
        Chart {
            id: format!("{id}-{}", slug(&pack.id)),
            kind: Kind::Clustered,
            caption: format!("图{figure} {}：{}维度得分与{label}", pack.title, unit.name),
            categories: score.dimensions.iter().map(|(name, _)| name.clone()).collect(),
            series: vec![unit.name.clone(), label.to_owned()],
            values,
        }
    }

    /// The schools of `unit` per overall grade (`counts` in the order of the report's grades),
    /// one stacked bar.
    pub fn grades(report: &Report, id: &str, unit: &UnitReport, counts: &[usize], figure: usize) -> Chart {
        Chart {
            id: id.to_owned(),
            kind: Kind::Stacked,
            caption: format!("图{figure} {}学校综合等级分布（所数）", unit.name),
            categories: vec![unit.name.clone()],
            series: report.grade_names.clone(),
            values: vec![counts.iter().map(|count| Some(*count as f64)).collect()],
        }
    }

    /// The figure as HTML: the SVG drawing and its caption.
    pub fn html(&self) -> String {
        let svg = match self.kind {
            Kind::Clustered => grouped_bars(&self.id, &self.categories, &self.series, &self.values),
            Kind::Stacked => {
                // Counts were stored exactly (whole numbers well below 2^53).
                let counts: Vec<Vec<usize>> = self
                    .values
                    .iter()
                    .map(|row| row.iter().map(|value| value.unwrap_or(0.0) as usize).collect())
                    .collect();
                stacked_bars(&self.id, &self.categories, &self.series, &counts)
            }
        };
        format!("<figure>{svg}<figcaption>{}</figcaption></figure>", esc(&self.caption))
    }
}

/// The figures of section 三、图表 of county number `county`'s report: for each non-local pack
/// with at least two dimensions, the county's dimension scores against the mean of all
/// counties (全市平均); then, when the plan has grades and the county has schools, its
/// schools' grade distribution.
pub(super) fn county_charts(report: &Report, county: usize) -> Vec<Chart> {
    let counties = report.level(Level::County);
    let unit = &counties[county];
    let peers: Vec<&UnitReport> = counties.iter().collect();
    let mut charts: Vec<Chart> = unit
        .scores
        .iter()
        .filter(|score| !report.packs[score.pack].local && score.dimensions.len() >= 2)
        .zip(1..)
        .map(|(score, figure)| {
            Chart::dimensions(report, unit, score, &peers, ("chart-county-dims", "全市平均"), figure)
        })
        .collect();
    if !report.grade_names.is_empty() && report.schools_of(county).next().is_some() {
        let counts: Vec<usize> = report.grade_distribution(county).into_iter().map(|(_, count)| count).collect();
        charts.push(Chart::grades(report, "chart-county-grades", unit, &counts, charts.len() + 1));
    }
    charts
}
