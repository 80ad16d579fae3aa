//! The report as Markdown tables.

use std::fmt::Write;

use rules_sdk::wire::Level;

use super::rectification::value_with_unit;
use super::{Report, numbers, status_words};

/// Escapes a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn row(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|text| cell(text)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn header(out: &mut String, cells: &[&str]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cells.len()));
}

fn grade_or_dash(grade: Option<&str>) -> String {
    grade.unwrap_or("—").to_owned()
}

/// The report as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}报告{}\n", report.title, if report.public { "（公开版）" } else { "" });
    if let Some(issuer) = &report.issuer {
        let _ = writeln!(out, "- 发布单位：{issuer}");
    }
    if let Some(number) = &report.document_number {
        let _ = writeln!(out, "- 文号：{number}");
    }
    let _ = writeln!(out, "- 日期：{}", report.date);
    let _ = writeln!(out, "- 数据 sha256：`{}`", report.dataset_sha256);
    if report.public {
        let _ = writeln!(
            out,
            "- 公开版：{}等{}项指标的结果不公开，本报告未列出。{}",
            report.hidden_names.join("、"),
            report.hidden_names.len(),
            super::PUBLIC_SCORE_RULE
        );
    }
    out.push('\n');
    for paragraph in &report.foreword {
        let _ = writeln!(out, "{paragraph}\n");
    }

    // 一、全市概况
    let _ = writeln!(out, "## 一、全市概况\n");
    let packs = report.county_packs();
    let mut columns: Vec<String> = vec!["县（市、区）".to_owned()];
    for &pack in &packs {
        let line = &report.packs[pack];
        columns.push(format!("{}{}", line.title, if line.local { "（地方）" } else { "" }));
    }
    columns.extend(["综合得分".to_owned(), "综合等级".to_owned(), "一票否决".to_owned()]);
    header(&mut out, &columns.iter().map(String::as_str).collect::<Vec<_>>());
    for county in report.level(Level::County) {
        let mut cells = vec![county.name.clone()];
        for &pack in &packs {
            cells.push(match county.score(pack) {
                Some(score) => {
                    format!("{} {}", numbers::score(score.total), grade_or_dash(score.grade.as_deref()))
                }
                None => "—".to_owned(),
            });
        }
        match &county.overall {
            Some(overall) => {
                cells.push(numbers::score(overall.total));
                cells.push(grade_or_dash(overall.grade.as_deref()));
                cells.push(overall.vetoes.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join("；"));
            }
            None => cells.extend(["—".to_owned(), "—".to_owned(), String::new()]),
        }
        row(&mut out, &cells);
    }
    out.push('\n');
    if !report.grade_names.is_empty() && !report.level(Level::School).is_empty() {
        let _ = writeln!(out, "### 学校综合等级分布\n");
        let mut columns = vec!["县（市、区）"];
        columns.extend(report.grade_names.iter().map(String::as_str));
        header(&mut out, &columns);
        for (index, county) in report.level(Level::County).iter().enumerate() {
            let mut cells = vec![county.name.clone()];
            cells.extend(report.grade_distribution(index).into_iter().map(|(_, count)| count.to_string()));
            row(&mut out, &cells);
        }
        out.push('\n');
    }
    for city in report.level(Level::City) {
        if city.indicators.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}指标\n", city.name);
        indicator_table(&mut out, report, &city.indicators.iter().collect::<Vec<_>>());
    }

    // 二、各县（市、区）
    let _ = writeln!(out, "## 二、各县（市、区）\n");
    for (index, county) in report.level(Level::County).iter().enumerate() {
        let _ = writeln!(out, "### {}（{}）\n", county.name, county.id);
        if let Some(overall) = &county.overall {
            let _ = writeln!(
                out,
                "综合得分 {}，综合等级 {}。\n",
                numbers::score(overall.total),
                grade_or_dash(overall.grade.as_deref())
            );
        }
        indicator_table(&mut out, report, &county.indicators.iter().collect::<Vec<_>>());
        let schools: Vec<_> = report.schools_of(index).collect();
        if !schools.is_empty() {
            let _ = writeln!(out, "#### 学校概况\n");
            header(&mut out, &["学校", "代码", "综合得分", "综合等级", "未达标指标数"]);
            for school in schools {
                let (total, grade) = match &school.overall {
                    Some(overall) => (numbers::score(overall.total), grade_or_dash(overall.grade.as_deref())),
                    None => ("—".to_owned(), "—".to_owned()),
                };
                row(
                    &mut out,
                    &[school.name.clone(), school.id.clone(), total, grade, school.not_met().count().to_string()],
                );
            }
            out.push('\n');
        }
    }

    // 三、学校未达标指标
    let _ = writeln!(out, "## 三、学校未达标指标\n");
    for school in report.level(Level::School) {
        let lines: Vec<_> = school.not_met().collect();
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}（{}）\n", school.name, school.id);
        indicator_table(&mut out, report, &lines);
    }

    // 四、整改清单
    let rect = &report.rectification;
    let _ = writeln!(out, "## 四、整改清单\n");
    let _ = writeln!(
        out,
        "共 {} 项{}。\n",
        rect.items.len(),
        rect.deadline_days.map(|days| format!("，整改期限为督导之日起 {days} 天")).unwrap_or_default()
    );
    header(&mut out, &["编号", "责任单位", "督办单位", "指标", "值", "标准", "一票否决", "整改期限", "状态"]);
    for item in &rect.items {
        row(
            &mut out,
            &[
                item.id.clone(),
                item.unit_name.clone(),
                item.supervisor_name.clone().unwrap_or_default(),
                format!("{}{}", item.indicator_name, if item.local { "（地方）" } else { "" }),
                value_with_unit(item.value, item.unit.as_deref()),
                item.threshold.clone().unwrap_or_default(),
                if item.veto { "是".to_owned() } else { String::new() },
                item.deadline.clone().unwrap_or_default(),
                item.status.chinese().to_owned(),
            ],
        );
    }
    out.push('\n');

    // 五、回头看
    let _ = writeln!(out, "## 五、回头看与督办\n");
    match &rect.followup {
        None => {
            let _ = writeln!(out, "本轮无上一轮整改记录。\n");
        }
        Some(followup) => {
            let _ = writeln!(
                out,
                "对照上一轮 `{}`（{}）：已整改 {} 项，回头看未整改 {} 项，督办单 {} 份。\n",
                followup.previous_round,
                followup.previous_date,
                followup.fixed.len(),
                followup.still_open.len(),
                rect.orders.len()
            );
            if !followup.fixed.is_empty() {
                let _ = writeln!(out, "### 已整改\n");
                header(&mut out, &["编号", "责任单位", "指标"]);
                for item in &followup.fixed {
                    row(&mut out, &[item.id.clone(), item.unit_name.clone(), item.indicator_name.clone()]);
                }
                out.push('\n');
            }
        }
    }
    if !rect.orders.is_empty() {
        let _ = writeln!(out, "### 督办单\n");
        for order in &rect.orders {
            let _ = writeln!(
                out,
                "- **{}** {}{}：逾期未整改 {} 项：{}",
                order.number,
                order.unit_name,
                order.supervisor_name.as_ref().map(|name| format!("（督办单位：{name}）")).unwrap_or_default(),
                order.items.len(),
                order
                    .items
                    .iter()
                    .map(|id| report.item(id).map_or(id.as_str(), |item| item.indicator_name.as_str()))
                    .collect::<Vec<_>>()
                    .join("、")
            );
        }
        out.push('\n');
    }

    // 六、激励与问责
    let _ = writeln!(out, "## 六、免除督导与问责建议\n");
    match rect.exemption_rounds {
        Some(rounds) => {
            let _ = writeln!(
                out,
                "连续 {rounds} 轮综合等级为{}、且本轮无一票否决和逾期未整改问题的单位，可免除督导：{}\n",
                rect.top_grade.as_deref().unwrap_or("优秀"),
                if rect.exemption.is_empty() {
                    "无。".to_owned()
                } else {
                    rect.exemption.iter().map(|unit| unit.name.as_str()).collect::<Vec<_>>().join("、")
                }
            );
        }
        None => {
            let _ = writeln!(out, "本轮计划未设免除督导条件。\n");
        }
    }
    if rect.accountability.is_empty() {
        let _ = writeln!(out, "问责建议（不得评优评先）：无。");
    } else {
        let _ = writeln!(out, "问责建议（不得评优评先；列入问责建议的单位不免除督导）：\n");
        header(&mut out, &["单位", "代码", "原因"]);
        for unit in &rect.accountability {
            row(&mut out, &[unit.name.clone(), unit.id.clone(), unit.reasons.join("；")]);
        }
    }
    out
}

fn indicator_table(out: &mut String, report: &Report, lines: &[&super::IndicatorLine]) {
    header(out, &["指标体系", "对象", "指标", "值", "标准", "状态", "说明"]);
    for line in lines {
        let pack = &report.packs[line.pack];
        row(
            out,
            &[
                format!("{}{}", pack.title, if pack.local { "（地方）" } else { "" }),
                line.subject_name.clone(),
                format!("{}{}", line.name, if line.veto { "（一票否决）" } else { "" }),
                value_with_unit(line.value, line.unit.as_deref()),
                line.threshold.clone().unwrap_or_default(),
                status_words(line.status).to_owned(),
                line.note.clone(),
            ],
        );
    }
    out.push('\n');
}
