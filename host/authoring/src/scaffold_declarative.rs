//! Scaffolding a declarative pack (`dudao new NAME`, the default): one spec file
//! (`<name>.toml`, or with `--xlsx` the indicator table `<name>.xlsx`), two test cases and a
//! short Chinese README. No Rust, no cargo: `dudao build <name>.toml` makes the module.
//!
//! The example has a school indicator (每百名学生县级以上骨干教师数) and a county indicator
//! over it (达标学校比例) with linear scoring, so a county-local pack counts in the county's
//! overall result within the plan's `bonus_cap` from the start.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};

use crate::scaffold::{NewPack, ScaffoldError};
use dudao_engine::declarative::{
    COLUMNS, SHEET_DERIVED, SHEET_DIMENSIONS, SHEET_INDICATORS, SHEET_INPUTS, SHEET_PACK, SHEET_PARAMETERS,
};

/// The source of the example's thresholds.
const SOURCE: (&str, &str) = ("县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）", "第五条第（二）项");
/// The source of the county target (every school meets it).
const COUNTY_SOURCE: (&str, &str) =
    ("县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）", "第五条（每所学校均达到要求）");

/// The county of the sample data when no code is given (温县).
const SAMPLE_COUNTY: &str = "410825";

/// A scaffolded declarative pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarativeScaffold {
    /// The folder.
    pub path: PathBuf,
    /// The spec file, relative to the folder.
    pub spec: String,
    /// The pack id.
    pub pack_id: String,
    /// The indicator ids.
    pub indicators: Vec<String>,
    /// The files written, relative to the folder.
    pub files: Vec<String>,
}

/// One row of a sheet: (column key, cell text).
type Row = Vec<(&'static str, String)>;

struct Example {
    pack_id: String,
    title: String,
    county: Option<String>,
    school_id: String,
    county_id: String,
    dimension: String,
}

impl Example {
    fn of(request: &NewPack, title: Option<&str>) -> Example {
        let prefix = request.indicator_prefix();
        let title = title.map_or_else(
            || match &request.county {
                Some(code) => format!("{code} 县域特色指标（示例）"),
                None => "县域特色指标（示例）".to_owned(),
            },
            str::to_owned,
        );
        Example {
            pack_id: request.pack_id(),
            title,
            county: request.county.clone(),
            school_id: format!("{prefix}.backbone_teachers_per100"),
            county_id: format!("{prefix}.schools_meeting"),
            dimension: prefix,
        }
    }

    fn toml(&self) -> String {
        let county = match &self.county {
            Some(code) => format!("county = \"{code}\"            # 县级指标包：只评价本县及其学校\n"),
            None => String::new(),
        };
        format!(
            r#"# 声明式指标包：不需要 Rust。改完后运行
#   dudao build {{file}}          # 检查并生成模块（错误会指出行和列）
#   dudao test target/packs/{{stem}}.wasm     # 运行 cases/ 中的测试用例
# 表达式语言为 CEL（https://github.com/google/cel-spec），所有数字按小数计算；
# 可用函数：sum、count、mean、min、max、share、weighted_mean、coalesce、join。详见 docs/authoring.md。

[pack]
id = "{pack_id}"
version = "0.1.0"
title = "{title}"
description = "示例：学校每百名学生县级以上骨干教师数，及全县达标学校比例。"
{county}
[sources.qb]
document = "{document}"
item = "{item}"

[sources.county]
document = "{county_document}"
item = "{county_item}"

[[input]]
level = "school"
name = "primary_students"
type = "integer"
min = 0
description = "小学段在校生数"

[[input]]
level = "school"
name = "junior_students"
type = "integer"
min = 0
description = "初中段在校生数"

[[input]]
level = "school"
name = "backbone_teachers"
type = "integer"
min = 0
description = "县级以上骨干教师数"

[[parameter]]
name = "min_per100"
type = "number"
default = 1.0
description = "每百名学生县级以上骨干教师数下限（小学、初中相同）"
source = "qb"

[[derived]]
level = "school"
name = "students"
value = "primary_students + junior_students"

[[dimension]]
id = "{dimension}"
name = "{title}"
weight = 1

[[indicator]]
id = "{school_id}"
dimension = "{dimension}"
name = "每百名学生拥有县级以上骨干教师数"
level = "school"
unit = "人/百名学生"
applies = "students > 0"
not_applicable_note = "学校无在校生"
value = "backbone_teachers / students * 100"
threshold = {{ op = ">=", value = "min_per100", source = "qb" }}
weight = 1
scoring = {{ method = "pass_fail" }}

[[indicator]]
id = "{county_id}"
dimension = "{dimension}"
name = "每百名学生骨干教师数达标学校比例"
level = "county"
unit = "比例"
applies = "count(schools.filter(s, s.students > 0)) > 0"
not_applicable_note = "县域内无在校生的学校"
value = "share(schools.filter(s, s.students > 0).map(s, s.backbone_teachers / s.students * 100 >= min_per100))"
note = "join(schools.filter(s, s.students > 0 && s.backbone_teachers / s.students * 100 < min_per100).map(s, s.name), '、')"
threshold = {{ op = ">=", value = 1, source = "county" }}
weight = 1
scoring = {{ method = "linear", zero = 0.6, full = 1.0 }}
"#,
            pack_id = self.pack_id,
            title = self.title.replace('"', "\\\""),
            document = SOURCE.0,
            item = SOURCE.1,
            county_document = COUNTY_SOURCE.0,
            county_item = COUNTY_SOURCE.1,
            dimension = self.dimension,
            school_id = self.school_id,
            county_id = self.county_id,
        )
    }

    /// The same spec as rows of the indicator table's sheets.
    fn sheets(&self) -> Vec<(&'static str, Vec<Row>)> {
        let row =
            |cells: &[(&'static str, &str)]| cells.iter().map(|(key, value)| (*key, (*value).to_owned())).collect();
        let mut pack = vec![
            row(&[("key", "id"), ("value", &self.pack_id)]),
            row(&[("key", "version"), ("value", "0.1.0")]),
            row(&[("key", "title"), ("value", &self.title)]),
            row(&[("key", "description"), ("value", "示例：学校每百名学生县级以上骨干教师数，及全县达标学校比例。")]),
        ];
        if let Some(code) = &self.county {
            pack.push(row(&[("key", "county"), ("value", code)]));
        }
        let input = |name: &str, description: &str| {
            row(&[
                ("level", "school"),
                ("name", name),
                ("type", "integer"),
                ("optional", "否"),
                ("min", "0"),
                ("description", description),
            ])
        };
        vec![
            (SHEET_PACK, pack),
            (
                SHEET_INPUTS,
                vec![
                    input("primary_students", "小学段在校生数"),
                    input("junior_students", "初中段在校生数"),
                    input("backbone_teachers", "县级以上骨干教师数"),
                ],
            ),
            (
                SHEET_PARAMETERS,
                vec![row(&[
                    ("name", "min_per100"),
                    ("type", "number"),
                    ("default", "1.0"),
                    ("description", "每百名学生县级以上骨干教师数下限（小学、初中相同）"),
                    ("source_document", SOURCE.0),
                    ("source_item", SOURCE.1),
                ])],
            ),
            (
                SHEET_DERIVED,
                vec![row(&[
                    ("level", "school"),
                    ("name", "students"),
                    ("value", "primary_students + junior_students"),
                ])],
            ),
            (SHEET_DIMENSIONS, vec![row(&[("id", &self.dimension), ("name", &self.title), ("weight", "1")])]),
            (
                SHEET_INDICATORS,
                vec![
                    row(&[
                        ("id", &self.school_id),
                        ("name", "每百名学生拥有县级以上骨干教师数"),
                        ("dimension", &self.dimension),
                        ("level", "school"),
                        ("unit", "人/百名学生"),
                        ("applies", "students > 0"),
                        ("not_applicable_note", "学校无在校生"),
                        ("value", "backbone_teachers / students * 100"),
                        ("operator", ">="),
                        ("threshold", "min_per100"),
                        ("weight", "1"),
                        ("source_document", SOURCE.0),
                        ("source_item", SOURCE.1),
                        ("scoring", "pass_fail"),
                    ]),
                    row(&[
                        ("id", &self.county_id),
                        ("name", "每百名学生骨干教师数达标学校比例"),
                        ("dimension", &self.dimension),
                        ("level", "county"),
                        ("unit", "比例"),
                        ("applies", "count(schools.filter(s, s.students > 0)) > 0"),
                        ("not_applicable_note", "县域内无在校生的学校"),
                        (
                            "value",
                            "share(schools.filter(s, s.students > 0).map(s, s.backbone_teachers / s.students * 100 >= min_per100))",
                        ),
                        (
                            "note",
                            "join(schools.filter(s, s.students > 0 && s.backbone_teachers / s.students * 100 < min_per100).map(s, s.name), '、')",
                        ),
                        ("operator", ">="),
                        ("threshold", "1"),
                        ("weight", "1"),
                        ("source_document", COUNTY_SOURCE.0),
                        ("source_item", COUNTY_SOURCE.1),
                        ("scoring", "linear 0.6 1.0"),
                    ]),
                ],
            ),
        ]
    }

    fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let header = Format::new().set_bold().set_background_color("DDEBF7");
        for (sheet_name, rows) in self.sheets() {
            let Some((_, columns)) = COLUMNS.iter().find(|(name, _)| *name == sheet_name) else { continue };
            let sheet = workbook.add_worksheet();
            sheet.set_name(sheet_name)?;
            for (index, (key, chinese)) in columns.iter().enumerate() {
                let column = index as u16;
                sheet.write_string_with_format(0, column, format!("{chinese} {key}"), &header)?;
                let width = if matches!(*key, "value" | "applies" | "note" | "source_document" | "source_item") {
                    48
                } else {
                    16
                };
                sheet.set_column_width(column, width)?;
            }
            for (number, cells) in rows.iter().enumerate() {
                for (key, value) in cells {
                    if let Some(column) = columns.iter().position(|(known, _)| known == key) {
                        sheet.write_string(number as u32 + 1, column as u16, value)?;
                    }
                }
            }
            sheet.set_freeze_panes(1, 0)?;
        }
        workbook.save_to_buffer()
    }

    fn cases(&self) -> Vec<(String, String)> {
        let county = self.county.clone().unwrap_or_else(|| SAMPLE_COUNTY.to_owned());
        let parent = format!("{}00", &county[..4]);
        let counties = format!("id,name,parent_id\n{county},示例县,{parent}\n");
        vec![
            ("cases/threshold/counties.csv".to_owned(), counties.clone()),
            (
                "cases/threshold/schools.csv".to_owned(),
                format!(
                    "id,name,county_id,primary_students,junior_students,backbone_teachers\n\
                     {county}0101,高于阈值的小学,{county},500,0,6\n\
                     {county}0102,恰好等于阈值的初中,{county},0,300,3\n\
                     {county}0103,低于阈值的小学,{county},300,0,2\n"
                ),
            ),
            (
                "cases/threshold/expected.csv".to_owned(),
                format!(
                    "subject_id,indicator_id,value,status\n\
                     {county}0101,{school},1.2,met\n\
                     {county}0102,{school},1,met\n\
                     {county}0103,{school},0.6666666666666666,not_met\n\
                     {county},{county_indicator},0.6666666666666666,not_met\n",
                    school = self.school_id,
                    county_indicator = self.county_id
                ),
            ),
            ("cases/all-meet/counties.csv".to_owned(), counties.clone()),
            (
                "cases/all-meet/schools.csv".to_owned(),
                format!(
                    "id,name,county_id,primary_students,junior_students,backbone_teachers\n\
                     {county}0201,达标的小学,{county},200,0,2\n\
                     {county}0202,新建学校（未招生）,{county},0,0,0\n"
                ),
            ),
            (
                "cases/all-meet/expected.csv".to_owned(),
                format!(
                    "subject_id,indicator_id,value,status\n\
                     {county}0201,{school},1,met\n\
                     {county}0202,{school},,not_applicable\n\
                     {county},{county_indicator},1,met\n",
                    school = self.school_id,
                    county_indicator = self.county_id
                ),
            ),
        ]
    }
}

/// Writes a declarative pack into `<parent>/<name>/`.
///
/// # Errors
///
/// A [`ScaffoldError`] for a bad name or county code, an existing folder, or a failed write.
pub fn create(
    request: &NewPack,
    title: Option<&str>,
    xlsx: bool,
    parent: &Path,
) -> Result<DeclarativeScaffold, ScaffoldError> {
    request.validate()?;
    let destination = parent.join(&request.name);
    if destination.exists() && std::fs::read_dir(&destination).map_or(true, |mut entries| entries.next().is_some()) {
        return Err(ScaffoldError::Exists { path: destination });
    }
    let example = Example::of(request, title);
    let spec = format!("{}.{}", request.name, if xlsx { "xlsx" } else { "toml" });
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if xlsx {
        let bytes = example.xlsx().map_err(|error| ScaffoldError::Write {
            path: destination.join(&spec),
            source: std::io::Error::other(error.to_string()),
        })?;
        files.push((spec.clone(), bytes));
    } else {
        let text = example.toml().replace("{file}", &spec).replace("{stem}", &request.name);
        files.push((spec.clone(), text.into_bytes()));
    }
    for (path, content) in example.cases() {
        files.push((path, content.into_bytes()));
    }
    files.push(("README.md".to_owned(), readme(&spec, &request.name, &example).into_bytes()));
    files.push((".gitignore".to_owned(), b"target/\n".to_vec()));
    // Written beside the destination, then renamed into place: never half a pack.
    std::fs::create_dir_all(parent).map_err(|source| ScaffoldError::Write { path: parent.to_owned(), source })?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{}-", request.name))
        .tempdir_in(parent)
        .map_err(|source| ScaffoldError::Write { path: parent.to_owned(), source })?;
    for (path, content) in &files {
        let target = staging.path().join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|source| ScaffoldError::Write { path: folder.to_owned(), source })?;
        }
        std::fs::write(&target, content).map_err(|source| ScaffoldError::Write { path: target.clone(), source })?;
    }
    if destination.exists() {
        std::fs::remove_dir(&destination)
            .map_err(|source| ScaffoldError::Write { path: destination.clone(), source })?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, &destination)
        .map_err(|source| ScaffoldError::Write { path: destination.clone(), source })?;
    Ok(DeclarativeScaffold {
        path: destination,
        spec,
        pack_id: example.pack_id.clone(),
        indicators: vec![example.school_id.clone(), example.county_id.clone()],
        files: files.into_iter().map(|(path, _)| path).collect(),
    })
}

fn readme(spec: &str, name: &str, example: &Example) -> String {
    format!(
        "# {title}（`{pack_id}`）\n\n\
         声明式指标包：指标写在 `{spec}` 里，不需要安装 Rust。\n\n\
         ```sh\n\
         dudao build {spec}                      # 检查并生成 target/packs/{name}.wasm（错误会指出行列或单元格）\n\
         dudao test target/packs/{name}.wasm     # 运行 cases/ 中的测试用例\n\
         dudao test target/packs/{name}.wasm --accept   # 审阅差异后，把实际结果写为新的 expected.csv\n\
         dudao diff --old 旧版.wasm --new target/packs/{name}.wasm --data 数据 --plan 方案.toml\n\
         dudao pin 方案.toml                      # 审定后记录 sha256\n\
         ```\n\n\
         写法说明见仓库的 `docs/authoring.md`。\n",
        title = example.title,
        pack_id = example.pack_id,
    )
}
