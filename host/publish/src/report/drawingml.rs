//! Native Word charts (DrawingML, ECMA-376 Part 1 §21.2) for the county DOCX. docx-rs cannot
//! write charts, so the document is built with a placeholder paragraph per figure
//! ([`placeholder`]) and [`embed`] then rewrites the packed archive: each placeholder becomes an
//! inline drawing that references `word/charts/chartN.xml`; the chart parts get their content
//! types and relationships, and each chart its data as an embedded workbook (WPS/Word
//! 编辑数据). The chart draws from the values cached in the chart part (`c:strCache`,
//! `c:numCache`), so it shows without opening the workbook.

use std::fmt::Write as _;
use std::io::{Cursor, Read, Write};

use quick_xml::escape::escape;
use rust_xlsxwriter::{ExcelDateTime, Workbook, XlsxError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::chart::{Chart, Kind};
use super::html::PALETTE;
use super::{PublishError, numbers};

const CHART_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/chart";
const DRAWING_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const RELATIONSHIPS_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CHART_RELATIONSHIP: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart";
const PACKAGE_RELATIONSHIP: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package";
const CHART_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";
const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// EMU (English Metric Units) per twentieth of a point.
const EMU_PER_TWIP: usize = 635;
/// EMU per centimetre.
const EMU_PER_CM: usize = 360_000;

/// The worksheet of each embedded workbook, as the chart's formulas name it.
const SHEET: &str = "Sheet1";

/// The text of the placeholder paragraph of figure `index` (from 0), replaced by its chart.
pub(super) fn placeholder(index: usize) -> String {
    format!("DUDAO-CHART-{}-PLACEHOLDER", index + 1)
}

/// The part name of chart `index` (from 0) inside the archive.
fn chart_part(index: usize) -> String {
    format!("word/charts/chart{}.xml", index + 1)
}

/// The id of chart `index`'s relationship from the document.
fn relationship_id(index: usize) -> String {
    format!("rIdDudaoChart{}", index + 1)
}

/// A number as the chart caches it: the report's two decimals (what the HTML figure shows).
fn cached(value: f64) -> String {
    numbers::score(value)
}

/// `c:strRef`: the formula of a range and the texts cached from it.
fn str_ref(out: &mut String, formula: &str, texts: &[String]) {
    let _ = write!(out, "<c:strRef><c:f>{}</c:f><c:strCache><c:ptCount val=\"{}\"/>", escape(formula), texts.len());
    for (index, text) in texts.iter().enumerate() {
        let _ = write!(out, "<c:pt idx=\"{index}\"><c:v>{}</c:v></c:pt>", escape(text.as_str()));
    }
    out.push_str("</c:strCache></c:strRef>");
}

/// `c:numRef`: the formula of a range and the numbers cached from it (missing ones left out).
fn num_ref(out: &mut String, formula: &str, values: &[Option<f64>], format: &str) {
    let _ = write!(
        out,
        "<c:numRef><c:f>{}</c:f><c:numCache><c:formatCode>{format}</c:formatCode><c:ptCount val=\"{}\"/>",
        escape(formula),
        values.len()
    );
    for (index, value) in values.iter().enumerate() {
        if let Some(value) = value {
            let _ = write!(out, "<c:pt idx=\"{index}\"><c:v>{}</c:v></c:pt>", cached(*value));
        }
    }
    out.push_str("</c:numCache></c:numRef>");
}

/// Default text of the chart: 9 pt, the document's fonts (宋体 for Chinese).
fn text_properties(out: &mut String, size: usize) {
    let _ = write!(
        out,
        r#"<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"><a:latin typeface="Times New Roman"/><a:ea typeface="宋体"/><a:cs typeface="Times New Roman"/></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr>"#
    );
}

/// The chart part (`c:chartSpace`) of `chart`: a bar chart of its series with their names,
/// categories and values cached, a category and a value axis, the legend below; the data is in
/// the embedded workbook of relationship `rId1` ([`workbook`]).
pub(super) fn chart_xml(chart: &Chart) -> String {
    let rows = chart.categories.len();
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="{CHART_NS}" xmlns:a="{DRAWING_NS}" xmlns:r="{RELATIONSHIPS_NS}"><c:lang val="zh-CN"/><c:roundedCorners val="0"/><c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/><c:barChart>"#
    );
    let (direction, grouping) = match chart.kind {
        Kind::Clustered => ("col", "clustered"),
        Kind::Stacked => ("bar", "stacked"),
    };
    let _ = write!(out, r#"<c:barDir val="{direction}"/><c:grouping val="{grouping}"/><c:varyColors val="0"/>"#);
    let categories = format!("{SHEET}!$A$2:$A${}", rows + 1);
    for (index, name) in chart.series.iter().enumerate() {
        let letters = dudao_dataset::column_letters(index + 1);
        let _ = write!(out, r#"<c:ser><c:idx val="{index}"/><c:order val="{index}"/><c:tx>"#);
        str_ref(&mut out, &format!("{SHEET}!${letters}$1"), std::slice::from_ref(name));
        let _ = write!(
            out,
            r#"</c:tx><c:spPr><a:solidFill><a:srgbClr val="{}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>"#,
            PALETTE[index % PALETTE.len()].trim_start_matches('#').to_ascii_uppercase()
        );
        if chart.kind == Kind::Stacked {
            // Each segment shows its count, as the HTML figure does (an empty one nothing).
            out.push_str(r#"<c:dLbls><c:numFmt formatCode="0;-0;;@" sourceLinked="0"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="900"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr><c:dLblPos val="ctr"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>"#);
        }
        out.push_str("<c:cat>");
        str_ref(&mut out, &categories, &chart.categories);
        out.push_str("</c:cat><c:val>");
        let values: Vec<Option<f64>> = chart.values.iter().map(|row| row.get(index).copied().flatten()).collect();
        let format = if chart.kind == Kind::Stacked { "0" } else { "0.00" };
        num_ref(&mut out, &format!("{SHEET}!${letters}$2:${letters}${}", rows + 1), &values, format);
        out.push_str("</c:val></c:ser>");
    }
    match chart.kind {
        Kind::Clustered => out.push_str(r#"<c:gapWidth val="80"/>"#),
        Kind::Stacked => out.push_str(r#"<c:gapWidth val="60"/><c:overlap val="100"/>"#),
    }
    // Category axis along the bottom (columns) or the left (bars); the value axis across it.
    let (category_position, value_position) = match chart.kind {
        Kind::Clustered => ("b", "l"),
        Kind::Stacked => ("l", "b"),
    };
    // Scores are on 0–100, like the HTML figure; counts of schools from 0, in whole schools.
    let (scale, unit) = match chart.kind {
        Kind::Clustered => (r#"<c:max val="100"/><c:min val="0"/>"#, r#"<c:majorUnit val="20"/>"#),
        Kind::Stacked => (r#"<c:min val="0"/>"#, ""),
    };
    let _ = write!(
        out,
        r#"<c:axId val="10001"/><c:axId val="10002"/></c:barChart><c:catAx><c:axId val="10001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="{category_position}"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx><c:valAx><c:axId val="10002"/><c:scaling><c:orientation val="minMax"/>{scale}</c:scaling><c:delete val="0"/><c:axPos val="{value_position}"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="DDE3E8"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>{unit}</c:valAx></c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"#
    );
    text_properties(&mut out, 900);
    out.push_str(r#"<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData></c:chartSpace>"#);
    out
}

/// The chart's data as a workbook (what 编辑数据 opens): categories down column A, one
/// column per series with its name in row 1 — the ranges [`chart_xml`]'s formulas name.
/// `created` fixes the workbook's creation time so the same report gives the same bytes.
fn workbook(chart: &Chart, created: &ExcelDateTime) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(created));
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    for (index, name) in chart.series.iter().enumerate() {
        sheet.write_string(0, (index + 1) as u16, name)?;
    }
    for (row, (category, values)) in chart.categories.iter().zip(&chart.values).enumerate() {
        let row = (row + 1) as u32;
        sheet.write_string(row, 0, category)?;
        for (index, value) in values.iter().enumerate() {
            if let Some(value) = value {
                // The cached number, so the sheet and the drawing agree.
                sheet.write_number(row, (index + 1) as u16, cached(*value).parse::<f64>().unwrap_or(*value))?;
            }
        }
    }
    workbook.save_to_buffer()
}

/// The paragraph that shows chart `index` (from 0) inline, centred, the full text width wide.
fn drawing_paragraph(chart: &Chart, index: usize, width_twips: usize) -> String {
    let width = width_twips * EMU_PER_TWIP;
    let height = match chart.kind {
        Kind::Clustered => 8 * EMU_PER_CM,
        Kind::Stacked => (3 + chart.categories.len()) * EMU_PER_CM,
    };
    format!(
        r#"<w:p><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{}" name="图表 {}" descr="{}"/><wp:cNvGraphicFramePr/><a:graphic xmlns:a="{DRAWING_NS}"><a:graphicData uri="{CHART_NS}"><c:chart xmlns:c="{CHART_NS}" r:id="{}"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#,
        1000 + index,
        index + 1,
        escape(chart.caption.as_str()),
        relationship_id(index)
    )
}

fn broken(what: &str) -> PublishError {
    PublishError::Document(format!("DOCX 图表：{what}"))
}

fn zip_error(error: zip::result::ZipError) -> PublishError {
    PublishError::Document(format!("DOCX 图表：压缩包读写失败（{error}）"))
}

fn io_error(error: std::io::Error) -> PublishError {
    PublishError::Document(format!("DOCX 图表：写入失败（{error}）"))
}

/// Inserts `addition` before the closing `tag` of `xml` (its last occurrence).
fn insert_before(xml: &mut String, tag: &str, addition: &str, part: &str) -> Result<(), PublishError> {
    let at = xml.rfind(tag).ok_or_else(|| broken(&format!("{part} 中没有 {tag}")))?;
    xml.insert_str(at, addition);
    Ok(())
}

/// `document.xml` with each placeholder paragraph replaced by its chart's drawing.
fn document_xml(mut xml: String, charts: &[Chart], width_twips: usize) -> Result<String, PublishError> {
    for (index, chart) in charts.iter().enumerate() {
        let marker = placeholder(index);
        if xml.matches(&marker).count() != 1 {
            return Err(broken(&format!("占位段落 {marker} 应恰好出现一次")));
        }
        let at = xml.find(&marker).unwrap_or_default();
        let start =
            xml[..at].rfind("<w:p>").max(xml[..at].rfind("<w:p ")).ok_or_else(|| broken("占位段落没有 <w:p>"))?;
        let end = at + xml[at..].find("</w:p>").ok_or_else(|| broken("占位段落没有 </w:p>"))? + "</w:p>".len();
        xml.replace_range(start..end, &drawing_paragraph(chart, index, width_twips));
    }
    Ok(xml)
}

/// The packed `docx` with `charts` in place of their placeholder paragraphs (see
/// [`placeholder`]), each `width_twips` wide; the archive's other entries are copied as they
/// are, the new ones written in a fixed order with a fixed time, so the same report gives the
/// same bytes. `date` (`YYYY-MM-DD`, the round's) is the embedded workbooks' creation time.
///
/// # Errors
///
/// [`PublishError::Document`] when the archive cannot be read or written, a part the charts
/// need is missing, or a placeholder is not found exactly once.
pub(super) fn embed(docx: Vec<u8>, charts: &[Chart], width_twips: usize, date: &str) -> Result<Vec<u8>, PublishError> {
    if charts.is_empty() {
        return Ok(docx);
    }
    let created = ExcelDateTime::from_ymd(
        date.get(0..4).and_then(|year| year.parse().ok()).unwrap_or(2000),
        date.get(5..7).and_then(|month| month.parse().ok()).unwrap_or(1),
        date.get(8..10).and_then(|day| day.parse().ok()).unwrap_or(1),
    )
    .map_err(|error| broken(&format!("日期 {date} 无效（{error}）")))?;
    let mut archive = ZipArchive::new(Cursor::new(docx)).map_err(zip_error)?;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let mut seen = [false; 3];
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(zip_error)?;
        let name = file.name().map_err(zip_error)?.into_owned();
        let slot = match name.as_str() {
            "[Content_Types].xml" => 0,
            "word/_rels/document.xml.rels" => 1,
            "word/document.xml" => 2,
            _ => {
                out.raw_copy_file(file).map_err(zip_error)?;
                continue;
            }
        };
        seen[slot] = true;
        let mut xml = String::new();
        file.read_to_string(&mut xml).map_err(io_error)?;
        drop(file);
        let xml = match slot {
            0 => {
                let mut xml = xml;
                let mut types = String::new();
                if !xml.contains(r#"Extension="xlsx""#) {
                    let _ = write!(types, r#"<Default Extension="xlsx" ContentType="{XLSX_CONTENT_TYPE}"/>"#);
                }
                for index in 0..charts.len() {
                    let _ = write!(
                        types,
                        r#"<Override PartName="/{}" ContentType="{CHART_CONTENT_TYPE}"/>"#,
                        chart_part(index)
                    );
                }
                insert_before(&mut xml, "</Types>", &types, &name)?;
                xml
            }
            1 => {
                let mut xml = xml;
                let mut relationships = String::new();
                for index in 0..charts.len() {
                    let id = relationship_id(index);
                    if xml.contains(&format!("Id=\"{id}\"")) {
                        return Err(broken(&format!("{name} 已有关系 {id}")));
                    }
                    let _ = write!(
                        relationships,
                        r#"<Relationship Id="{id}" Type="{CHART_RELATIONSHIP}" Target="charts/chart{}.xml"/>"#,
                        index + 1
                    );
                }
                insert_before(&mut xml, "</Relationships>", &relationships, &name)?;
                xml
            }
            _ => document_xml(xml, charts, width_twips)?,
        };
        out.start_file(name, options).map_err(zip_error)?;
        out.write_all(xml.as_bytes()).map_err(io_error)?;
    }
    if let Some(missing) = ["[Content_Types].xml", "word/_rels/document.xml.rels", "word/document.xml"]
        .iter()
        .zip(seen)
        .find_map(|(name, seen)| (!seen).then_some(name))
    {
        return Err(broken(&format!("文档缺少 {missing}")));
    }
    for (index, chart) in charts.iter().enumerate() {
        let number = index + 1;
        out.start_file(chart_part(index), options).map_err(zip_error)?;
        out.write_all(chart_xml(chart).as_bytes()).map_err(io_error)?;
        out.start_file(format!("word/charts/_rels/chart{number}.xml.rels"), options).map_err(zip_error)?;
        let relationships = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{PACKAGE_RELATIONSHIP}" Target="../embeddings/chart{number}-data.xlsx"/></Relationships>"#
        );
        out.write_all(relationships.as_bytes()).map_err(io_error)?;
        let data = workbook(chart, &created).map_err(|error| broken(&format!("图{number}的数据表（{error}）")))?;
        out.start_file(
            format!("word/embeddings/chart{number}-data.xlsx"),
            options.compression_method(CompressionMethod::Stored),
        )
        .map_err(zip_error)?;
        out.write_all(&data).map_err(io_error)?;
    }
    Ok(out.finish().map_err(zip_error)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(county: &str) -> Chart {
        Chart {
            id: "chart-county-dims-x".to_owned(),
            kind: Kind::Clustered,
            caption: format!("图1 质量：{county}维度得分与全市平均"),
            categories: vec!["资源配置".to_owned(), "政府<保障>".to_owned()],
            series: vec![county.to_owned(), "全市平均".to_owned()],
            values: vec![vec![Some(81.234), Some(70.0)], vec![Some(66.5), None]],
        }
    }

    #[test]
    fn names_with_markup_characters_are_escaped_in_the_chart_xml() {
        let xml = chart_xml(&chart(r#"马村<区>&"新'区"#));
        assert!(xml.contains("<c:v>马村&lt;区&gt;&amp;&quot;新&apos;区</c:v>"), "{xml}");
        assert!(xml.contains("<c:v>政府&lt;保障&gt;</c:v>"), "{xml}");
        assert!(!xml.contains("马村<区>"), "{xml}");
        // Well-formed, and the name reads back as it was.
        let mut reader = quick_xml::Reader::from_str(&xml);
        while reader.read_event().expect("well-formed chart XML") != quick_xml::events::Event::Eof {}
        let texts: Vec<String> = xml
            .split("<c:v>")
            .skip(1)
            .map(|rest| {
                quick_xml::escape::unescape(&rest[..rest.find("</c:v>").expect("</c:v>")])
                    .expect("entities")
                    .into_owned()
            })
            .collect();
        assert!(texts.iter().any(|text| text == r#"马村<区>&"新'区"#), "{texts:?}");
    }

    #[test]
    fn a_missing_value_is_left_out_of_the_cache_and_values_keep_two_decimals() {
        let xml = chart_xml(&chart("马村区"));
        assert!(xml.contains(r#"<c:pt idx="0"><c:v>81.23</c:v></c:pt>"#), "{xml}");
        let mean = &xml[xml.find("<c:f>Sheet1!$C$2:$C$3</c:f>").expect("mean series")..];
        let mean = &mean[..mean.find("</c:numCache>").expect("cache end")];
        assert!(mean.contains(r#"<c:ptCount val="2"/><c:pt idx="0"><c:v>70</c:v></c:pt>"#), "{mean}");
        assert!(!mean.contains(r#"idx="1""#), "{mean}");
    }
}
