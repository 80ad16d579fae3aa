//! The documents a county is handed: its report (县级报告) — cover, summary, findings, charts,
//! indicator results, schools, its rectification list — and its supervision orders (督办单),
//! each order a printable page with every overdue finding and the new deadline.

use std::fmt::Write;

use rules_sdk::wire::Level;

use super::chart::{self, Chart};
use super::html::{chinese_date, cover, document, esc, finding, fired, indicator_table, items_table, slug};
use super::rectification::{ItemStatus, Order};
use super::{IndicatorLine, PackScore, Report, UnitReport, numbers, shown_value};
use dudao_engine::plan;

/// The report of county number `county` (index into the county level).
pub fn county_html(report: &Report, county: usize) -> String {
    let unit = &report.level(Level::County)[county];
    let mut out = String::new();
    cover(&mut out, report, Some(&unit.name), "报告");
    let _ = write!(out, r#"<section id="county-{}" data-county="{}">"#, slug(&unit.id), esc(&unit.id));
    summary(&mut out, report, county);
    findings(&mut out, report, county);
    charts(&mut out, report, county);
    out.push_str("<h2>四、指标结果</h2>");
    indicator_table(&mut out, report, &unit.id, &unit.indicators.iter().collect::<Vec<_>>());
    schools(&mut out, report, county);
    rectification(&mut out, report, county);
    out.push_str("</section>");
    document(&format!("{}{}报告", report.title, unit.name), &out)
}

/// The supervision orders of a county's units (the county and its schools), one page each;
/// `None` when there are none.
pub fn orders_html(report: &Report, county: usize) -> Option<String> {
    let orders = report.orders_of(county);
    if orders.is_empty() {
        return None;
    }
    let unit = &report.level(Level::County)[county];
    let mut out = String::new();
    for order in orders {
        order_page(&mut out, report, order);
    }
    Some(document(&format!("{}{}督办单", report.title, unit.name), &out))
}

/// 一、总体情况.
fn summary(out: &mut String, report: &Report, county: usize) {
    let unit = &report.level(Level::County)[county];
    out.push_str("<h2>一、总体情况</h2>");
    let mut sentences = Vec::new();
    if let Some(overall) = &unit.overall {
        let ranked: Vec<f64> =
            report.level(Level::County).iter().filter_map(|c| c.overall.as_ref().map(|o| o.total)).collect();
        let rank = ranked.iter().filter(|total| **total > overall.total).count() + 1;
        sentences.push(format!(
            "{}本轮综合得分 {}，综合等级{}，在全市{}个县（市、区）中居第{}位",
            unit.name,
            numbers::score(overall.total),
            overall.grade.as_deref().unwrap_or("未定"),
            ranked.len(),
            rank
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
    let schools: Vec<_> = report.schools_of(county).collect();
    if !schools.is_empty() {
        let distribution: Vec<String> = report
            .grade_distribution(county)
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(grade, count)| format!("{grade}{count}所"))
            .collect();
        sentences.push(format!("所属学校{}所，综合等级{}", schools.len(), distribution.join("、")));
    }
    let items = report.items_of(county);
    let overdue = items.iter().filter(|item| item.status == ItemStatus::Overdue).count();
    sentences.push(format!(
        "列入整改清单 {} 项，其中逾期未整改 {} 项，下达督办单 {} 份",
        items.len(),
        overdue,
        report.orders_of(county).len()
    ));
    let _ = write!(out, r#"<p id="county-summary">{}。</p>"#, esc(&sentences.join("；")));
}

/// 二、主要问题: vetoes and not-met county indicators, worded as findings.
fn findings(out: &mut String, report: &Report, county: usize) {
    let unit = &report.level(Level::County)[county];
    out.push_str(r#"<h2>二、主要问题</h2><ol class="findings" id="findings">"#);
    let mut any = false;
    if let Some(overall) = &unit.overall {
        for (finding, cap) in &overall.vetoes {
            any = true;
            let _ = write!(out, r#"<li class="veto">一票否决：{}（综合等级最高为{}）。</li>"#, esc(finding), esc(cap));
        }
    }
    let lines: Vec<&IndicatorLine> = unit.not_met().filter(|line| !fired(unit, line)).collect();
    for line in lines {
        any = true;
        let _ = write!(out, "<li>{}。</li>", esc(&finding(line)));
    }
    let schools_with: Vec<_> = report.schools_of(county).filter(|school| school.not_met().next().is_some()).collect();
    if !schools_with.is_empty() {
        any = true;
        let _ = write!(
            out,
            "<li>{}所学校存在未达标指标，共{}项，逐项列入整改清单（第六部分）。</li>",
            schools_with.len(),
            schools_with.iter().map(|school| school.not_met().count()).sum::<usize>()
        );
    }
    if !any {
        out.push_str("<li>未发现未达标指标。</li>");
    }
    out.push_str("</ol>");
}

/// 三、图表: the county's dimension scores against the city average, its schools' grades
/// ([`chart::county_charts`], the same figures as the DOCX).
fn charts(out: &mut String, report: &Report, county: usize) {
    out.push_str("<h2>三、图表</h2>");
    for chart in chart::county_charts(report, county) {
        out.push_str(&chart.html());
    }
}

/// A figure of `unit`'s dimension scores in one pack against the mean of `peers`: `chart` is the
/// figure's id prefix and the label of the mean (`全市平均`, `本县学校平均`).
pub(super) fn dimensions_figure(
    out: &mut String,
    report: &Report,
    unit: &UnitReport,
    score: &PackScore,
    peers: &[&UnitReport],
    id_label: (&str, &str),
    figure: usize,
) {
    out.push_str(&Chart::dimensions(report, unit, score, peers, id_label, figure).html());
}

/// 五、学校情况: each school's score, grade and number of findings.
fn schools(out: &mut String, report: &Report, county: usize) {
    let schools: Vec<_> = report.schools_of(county).collect();
    if schools.is_empty() {
        return;
    }
    schools_table(out, "五、", &schools);
}

/// `<number>学校情况`: each school's overall score, grade and number of not-met indicators.
pub(super) fn schools_table(out: &mut String, number: &str, schools: &[&UnitReport]) {
    let _ = write!(
        out,
        r#"<h2 class="part">{number}学校情况</h2><table id="schools"><colgroup><col style="width:46%"><col style="width:18%"><col style="width:18%"><col style="width:18%"></colgroup><thead><tr><th>学校</th><th>综合得分</th><th>综合等级</th><th>未达标指标</th></tr></thead><tbody>"#
    );
    for school in schools {
        let (total, grade) = match &school.overall {
            Some(overall) => (numbers::score(overall.total), overall.grade.clone().unwrap_or_else(|| "—".to_owned())),
            None => ("—".to_owned(), "—".to_owned()),
        };
        let _ = write!(
            out,
            r#"<tr data-school="{}"><td>{}</td><td class="num">{}</td><td>{}</td><td class="num">{}</td></tr>"#,
            esc(&school.id),
            esc(&school.name),
            total,
            esc(&grade),
            school.not_met().count()
        );
    }
    out.push_str("</tbody></table>");
}

/// 六、整改清单 and 七、回头看与督办.
fn rectification(out: &mut String, report: &Report, county: usize) {
    let items = report.items_of(county);
    let _ = write!(
        out,
        r#"<h2 class="part" id="rectification">六、整改清单</h2><p>共 <b id="items-count">{}</b> 项{}。</p>"#,
        items.len(),
        deadline_sentence(report)
    );
    items_table(out, &items);
    out.push_str("<h2>七、回头看与督办</h2>");
    let orders = report.orders_of(county);
    match followup(report, county) {
        None => out.push_str("<p>本轮无上一轮整改记录。</p>"),
        Some(Followup { previous_date, fixed, open }) => {
            let _ = write!(
                out,
                r#"<p>对照上一轮（{}）：已整改 <b id="fixed-count">{}</b> 项，回头看未整改 <b id="open-count">{}</b> 项，督办单 <b id="orders-count">{}</b> 份（另附）。</p>"#,
                esc(&chinese_date(previous_date)),
                fixed,
                open,
                orders.len()
            );
        }
    }
}

/// A county's follow-up of the previous round (七、回头看与督办), in numbers.
pub(super) struct Followup<'a> {
    /// The previous round's date (`YYYY-MM-DD`).
    pub previous_date: &'a str,
    /// The previous round's items of the county and its schools fixed since.
    pub fixed: usize,
    /// The county's items of this round carried over from the previous one.
    pub open: usize,
}

/// The follow-up of county number `county`; `None` without a previous round.
pub(super) fn followup(report: &Report, county: usize) -> Option<Followup<'_>> {
    let followup = report.rectification.followup.as_ref()?;
    let id = &report.level(Level::County)[county].id;
    let own = |unit_id: &str, supervisor: Option<&str>| unit_id == id || supervisor == Some(id.as_str());
    Some(Followup {
        previous_date: &followup.previous_date,
        fixed: followup.fixed.iter().filter(|item| own(&item.unit_id, item.supervisor_id.as_deref())).count(),
        open: report.items_of(county).iter().filter(|item| item.status != ItemStatus::New).count(),
    })
}

/// The sentence after `共 N 项` of 六、整改清单: the deadline, when the plan sets one.
pub(super) fn deadline_sentence(report: &Report) -> String {
    report
        .rectification
        .deadline_days
        .map(|days| format!("，整改期限为督导之日起 {days} 天，逾期未整改的下达督办单"))
        .unwrap_or_default()
}

/// Orders with more findings than this are set tighter.
const LONG_ORDER: usize = 8;

/// One supervision order (督办单) on its own page.
pub(super) fn order_page(out: &mut String, report: &Report, order: &Order) {
    let today = plan::parse_date(&report.date);
    let _ = write!(
        out,
        r#"<section class="order{}" data-order="{}"><h2>督 办 单</h2><p class="number">{}</p><p><b>{}</b>{}：</p>"#,
        // A long order is set tighter (and without the pack under each finding) to stay on one page.
        if order.items.len() > LONG_ORDER { " long" } else { "" },
        esc(&order.number),
        esc(&order.number),
        esc(&order.unit_name),
        order.supervisor_name.as_ref().map(|name| format!("（督办单位：{}）", esc(name))).unwrap_or_default()
    );
    let _ = write!(
        out,
        "<p>{}回头看发现，你单位下列问题已超过整改期限仍未整改到位：</p>",
        esc(&chinese_date(&report.date))
    );
    out.push_str(r#"<table class="order-items"><colgroup><col style="width:5%"><col style="width:21%"><col style="width:9%"><col style="width:10%"><col style="width:36%"><col style="width:11%"><col style="width:8%"></colgroup><thead><tr><th>序号</th><th>问题（指标）</th><th>现状值</th><th>标准</th><th>依据</th><th>原整改期限</th><th>逾期天数</th></tr></thead><tbody>"#);
    for (number, id) in order.items.iter().enumerate() {
        let Some(item) = report.item(id) else { continue };
        let overdue = match (today, item.deadline.as_deref().and_then(plan::parse_date)) {
            (Some(today), Some(due)) => format!("{}天", today - due),
            _ => "—".to_owned(),
        };
        let _ = write!(
            out,
            r#"<tr data-item="{}"><td class="num">{}</td><td>{}<br><span class="meta">{}</span></td><td class="num">{}</td><td>{}</td><td>{}</td><td class="nowrap">{}</td><td class="num">{}</td></tr>"#,
            esc(&item.id),
            number + 1,
            esc(&item.indicator_name),
            esc(&item.pack_title),
            esc(&shown_value(item.value, item.unit.as_deref())),
            esc(item.threshold.as_deref().unwrap_or("")),
            esc(item.source.as_deref().unwrap_or("")),
            esc(item.deadline.as_deref().unwrap_or("")),
            overdue
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        r#"<p>请于 <b class="deadline">{}</b> 前整改到位，并将整改情况书面报告。逾期仍未整改的，列入问责建议，不得评优评先。</p><p class="sign">{}<br>{}</p></section>"#,
        esc(&order.deadline.as_deref().map(chinese_date).unwrap_or_else(|| "限期".to_owned())),
        esc(report.issuer.as_deref().unwrap_or("")),
        esc(&chinese_date(&report.date))
    );
}
