//! The documents of one zone (督学责任区) or one school, written on request (`dudao report
//! --units zone,school`): a cover, the summary, the findings worded as findings, a chart, the
//! indicator results, (for a zone) its schools, the rectification list and the unit's own
//! supervision orders, each order on its own page — what a 责任督学 or a principal is handed.

use std::fmt::Write;

use rules_sdk::wire::Level;

use super::chart::Chart;
use super::county::{dimensions_figure, order_page, schools_table};
use super::html::{cover, document, esc, finding, fired, indicator_table, items_table, slug};
use super::rectification::ItemStatus;
use super::{IndicatorLine, Report, UnitReport, numbers};

/// The document of zone or school number `index` at `level` (`Level::Zone` or
/// `Level::School`); `None` for another level or an index out of range.
pub fn unit_html(report: &Report, level: Level, index: usize) -> Option<String> {
    if !matches!(level, Level::Zone | Level::School) {
        return None;
    }
    let unit = report.level(level).get(index)?;
    let county = unit.county.and_then(|county| report.level(Level::County).get(county));
    // `温县` + `第一小学`, but not `解放区` + `解放区第1小学`.
    let full_name = match county {
        Some(county) if !unit.name.starts_with(&county.name) => format!("{}{}", county.name, unit.name),
        _ => unit.name.clone(),
    };
    let schools: Vec<&UnitReport> = match level {
        Level::Zone => report.schools_of_zone(index).collect(),
        _ => Vec::new(),
    };
    let items = report.items_of_unit(level, index);
    let orders = report.orders_covering(&items);
    let mut out = String::new();
    cover(&mut out, report, Some(&full_name), "报告");
    let _ = write!(out, r#"<section id="unit-{}" data-unit="{}">"#, slug(&unit.id), esc(&unit.id));
    let mut part = Numbering::default();

    // 一、总体情况
    let _ = write!(out, "<h2>{}总体情况</h2>", part.next());
    let mut sentences = Vec::new();
    if let Some(overall) = &unit.overall {
        sentences.push(format!(
            "{}本轮综合得分 {}，综合等级{}",
            unit.name,
            numbers::score(overall.total),
            overall.grade.as_deref().unwrap_or("未定")
        ));
    }
    for score in &unit.scores {
        sentences.push(format!(
            "{}得分 {}{}",
            report.packs[score.pack].title,
            numbers::score(score.total),
            score.grade.as_ref().map(|grade| format!("（{grade}）")).unwrap_or_default()
        ));
    }
    if level == Level::School
        && let Some(zone) = unit.zone.and_then(|zone| report.level(Level::Zone).get(zone))
    {
        sentences.push(format!("所属督学责任区：{}", zone.name));
    }
    if !schools.is_empty() {
        let distribution: Vec<String> = grade_counts(report, &schools)
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(grade, count)| format!("{grade}{count}所"))
            .collect();
        let graded = if distribution.is_empty() {
            String::new()
        } else {
            format!("，综合等级{}", distribution.join("、"))
        };
        sentences.push(format!("责任区内学校{}所{graded}", schools.len()));
    }
    let overdue = items.iter().filter(|item| item.status == ItemStatus::Overdue).count();
    sentences.push(format!(
        "列入整改清单 {} 项，其中逾期未整改 {} 项，下达督办单 {} 份",
        items.len(),
        overdue,
        orders.len()
    ));
    let _ = write!(out, r#"<p id="unit-summary">{}。</p>"#, esc(&sentences.join("；")));

    // 二、主要问题
    let _ = write!(out, r#"<h2>{}主要问题</h2><ol class="findings" id="findings">"#, part.next());
    let mut any = unit_findings(&mut out, unit, None);
    for school in &schools {
        any |= unit_findings(&mut out, school, Some(&school.name));
    }
    if !any {
        out.push_str("<li>未发现未达标指标。</li>");
    }
    out.push_str("</ol>");

    // 三、图表
    let chart = chart(report, level, unit, &schools);
    if !chart.is_empty() {
        let _ = write!(out, "<h2>{}图表</h2>{chart}", part.next());
    }

    // 四、指标结果
    if !unit.indicators.is_empty() {
        let _ = write!(out, "<h2>{}指标结果</h2>", part.next());
        indicator_table(&mut out, report, &unit.id, &unit.indicators.iter().collect::<Vec<_>>());
    }

    // 五、学校情况 (a zone)
    if !schools.is_empty() {
        schools_table(&mut out, &part.next(), &schools);
    }

    // 六、整改清单
    let _ = write!(
        out,
        r#"<h2 class="part" id="rectification">{}整改清单</h2><p>共 <b id="items-count">{}</b> 项{}。</p>"#,
        part.next(),
        items.len(),
        report
            .rectification
            .deadline_days
            .map(|days| format!("，整改期限为督导之日起 {days} 天，逾期未整改的下达督办单"))
            .unwrap_or_default()
    );
    items_table(&mut out, &items);
    // A unit's own orders are attached; a zone's schools' orders are in each school's
    // document and the county's orders (attaching them all would triple a zone's pages).
    let (own, schools_orders): (Vec<_>, Vec<_>) = orders.into_iter().partition(|order| order.unit_id == unit.id);
    if !own.is_empty() {
        let _ = write!(out, r#"<p id="orders-count">督办单 {} 份，附后。</p>"#, own.len());
    }
    if !schools_orders.is_empty() {
        let _ = write!(
            out,
            r#"<p id="school-orders-count">所属学校督办单 {} 份，见各校报告及县（市、区）督办单。</p>"#,
            schools_orders.len()
        );
    }
    out.push_str("</section>");
    for order in own {
        order_page(&mut out, report, order);
    }
    Some(document(&format!("{}{}报告", report.title, full_name), &out))
}

/// The unit's vetoes and not-met results as findings (`prefix：` for a zone's schools);
/// whether there were any.
fn unit_findings(out: &mut String, unit: &UnitReport, prefix: Option<&str>) -> bool {
    let prefix = prefix.map(|name| format!("{}：", esc(name))).unwrap_or_default();
    let mut any = false;
    if let Some(overall) = &unit.overall {
        for (finding, cap) in &overall.vetoes {
            any = true;
            let _ = write!(
                out,
                r#"<li class="veto">{prefix}一票否决：{}（综合等级最高为{}）。</li>"#,
                esc(finding),
                esc(cap)
            );
        }
    }
    let lines: Vec<&IndicatorLine> = unit.not_met().filter(|line| !fired(unit, line)).collect();
    for line in lines {
        any = true;
        let _ = write!(out, "<li>{prefix}{}。</li>", esc(&finding(line)));
    }
    any
}

/// Schools per overall grade, in grade order.
fn grade_counts(report: &Report, schools: &[&UnitReport]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = report.grade_names.iter().map(|name| (name.clone(), 0)).collect();
    for school in schools {
        let grade = school.overall.as_ref().and_then(|overall| overall.grade.as_deref());
        if let Some(slot) = grade.and_then(|grade| counts.iter_mut().find(|(name, _)| name == grade)) {
            slot.1 += 1;
        }
    }
    counts
}

/// A zone's grade distribution of its schools; a school's dimension scores against the mean
/// of the schools of its county.
fn chart(report: &Report, level: Level, unit: &UnitReport, schools: &[&UnitReport]) -> String {
    let mut out = String::new();
    if level == Level::Zone && !report.grade_names.is_empty() && !schools.is_empty() {
        let counts: Vec<usize> = grade_counts(report, schools).into_iter().map(|(_, count)| count).collect();
        out.push_str(&Chart::grades(report, "chart-zone-grades", unit, &counts, 1).html());
    }
    if level == Level::School {
        let peers: Vec<&UnitReport> = match unit.county {
            Some(county) => report.schools_of(county).collect(),
            None => Vec::new(),
        };
        for (figure, score) in (1..).zip(unit.scores.iter().filter(|score| score.dimensions.len() >= 2)) {
            dimensions_figure(&mut out, report, unit, score, &peers, ("chart-school-dims", "本县学校平均"), figure);
        }
    }
    out
}

/// Chinese section numbers (`一、`, `二、`…) for the parts a document has.
#[derive(Default)]
struct Numbering(usize);

impl Numbering {
    fn next(&mut self) -> String {
        const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        self.0 += 1;
        format!("{}、", NUMERALS.get(self.0 - 1).copied().unwrap_or("十"))
    }
}
