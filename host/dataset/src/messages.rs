//! The words of every data problem, in English and Chinese, keyed by the problem's stable
//! machine code (`bad_number`, `missing_column`, …). Scripts match the code; people read the
//! message in their language. Each arm is one message, so the table moves one-to-one into a
//! message catalogue.

use std::fmt;

/// The language messages are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

impl Lang {
    /// `en` or `zh` (and `zh-CN`, `zh_CN.UTF-8`, …); `None` for anything else.
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en") || lower == "c" || lower == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the POSIX locale in force: the first set of `LC_ALL`, `LC_MESSAGES`
    /// and `LANG`; Chinese when it starts with `zh`, English otherwise.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .map_or(Lang::En, |value| if value.starts_with("zh") { Lang::Zh } else { Lang::En })
    }
}

/// The named values a message is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Args(pub Vec<(&'static str, String)>);

impl Args {
    /// No values.
    pub fn none() -> Args {
        Args(Vec::new())
    }

    /// With one more value.
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Args {
        self.0.push((name, value.to_string()));
        self
    }

    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| *key == name).map_or("", |(_, value)| value.as_str())
    }
}

/// The Chinese word for a level or row label used as a message value.
fn term_zh(word: &str) -> &str {
    match word {
        "city" => "市",
        "county" => "县（市、区）",
        "zone" => "督学责任区",
        "school" => "学校",
        "row" => "行",
        "record" => "条记录",
        other => other,
    }
}

/// The message of `code` in `lang`.
pub fn render(code: &str, args: &Args, lang: Lang) -> String {
    match lang {
        Lang::En => english(code, args),
        Lang::Zh => chinese(code, args),
    }
}

fn english(code: &str, a: &Args) -> String {
    let g = |name: &str| a.get(name).to_owned();
    match code {
        "missing_column" => "the column is missing".to_owned(),
        "missing_field_column" => {
            format!("the column is missing; pack `{}` requires it ({})", g("pack"), g("description"))
        }
        "empty_id" => "the id is empty".to_owned(),
        "bad_id" => "an id may not contain `:` or spaces".to_owned(),
        "duplicate_id" => format!("the id is used twice (first on {} {})", g("label"), g("first")),
        "id_taken" => format!("the id is already used by a {} in {}", g("level"), g("source")),
        "inexact_id" => "a numeric id this large cannot be read exactly; write the id as a string (\"…\")".to_owned(),
        "empty_name" => "the name is empty".to_owned(),
        "empty_link" => format!("the {} id is empty", g("level")),
        "unknown_link" => format!("no {} with this id in the `{}` table", g("level"), g("table")),
        "link_conflict" => format!(
            "this {} belongs to {} `{}`, but the record's other columns put it in {} `{}`",
            g("link"),
            g("level"),
            g("first"),
            g("level"),
            g("second")
        ),
        "stage_mismatch" => format!(
            "the stage does not fit the student counts (primary_students {}, junior_students {}): {}",
            g("primary"),
            g("junior"),
            match a.get("stage") {
                "primary" => "a `primary` school needs primary_students > 0 and junior_students = 0",
                "junior" => "a `junior` school needs junior_students > 0 and primary_students = 0",
                _ => "a `nine_year` school needs primary_students > 0 and junior_students > 0",
            }
        ),
        "empty_value" => "the value is empty; a value is required".to_owned(),
        "not_integer" => "not a whole number".to_owned(),
        "not_number" => "not a number".to_owned(),
        "not_finite" => "not a finite number".to_owned(),
        "negative" => "negative, but it counts or measures something (must be ≥ 0)".to_owned(),
        "below_min" => format!("below the smallest allowed value {}", g("min")),
        "not_enum" => format!("not one of {}", g("allowed")),
        "not_boolean" => "not a yes/no value (true/false, 1/0, 是/否)".to_owned(),
        "date_not_number" => {
            "the cell holds a date, not a number; format the cell as a number (Excel shows a date where a count belongs)"
                .to_owned()
        }
        "bool_not_number" => "the cell holds TRUE/FALSE, not a number".to_owned(),
        "sheet_error" => format!(
            "the cell holds the spreadsheet error `{}`; fix the formula or enter the value",
            g("error")
        ),
        "empty_table" if a.get("pack").contains(", ") => format!(
            "the `{}` table has no records, but packs {} evaluate them; fill in the table",
            g("table"),
            g("pack")
        ),
        "empty_table" => format!(
            "the `{}` table has no records, but pack {} evaluates them; fill in the table",
            g("table"),
            g("pack")
        ),
        "no_table" if a.get("pack").contains(", ") => {
            format!("the dataset has no `{}` table, which packs {} need", g("table"), g("pack"))
        }
        "no_table" => format!("the dataset has no `{}` table, which pack {} needs", g("table"), g("pack")),
        "no_previous" => format!(
            "pack `{}` compares with the previous period (value-added), but no previous-period dataset was given",
            g("pack")
        ),
        "unknown_scope_county" => {
            format!("pack `{}` is local to this county, but the dataset has no such county", g("pack"))
        }
        "not_utf8" => "the file is not UTF-8 text; save it as \"CSV UTF-8\"".to_owned(),
        "ragged_row" => format!(
            "the row has {} cells but the header has {} columns; check for a comma inside a value (quote it) or a shifted row",
            g("len"),
            g("expected")
        ),
        "csv_syntax" => format!("the file cannot be read as CSV: {}", g("detail")),
        "unnamed_column" => format!(
            "column {} holds values but has no name in the header; give it a name or delete the column",
            g("letters")
        ),
        "duplicate_column" => format!("column `{}` appears twice in the header", g("name")),
        "title_row" => format!(
            "the first row must be the header, but the column names are on row {}; remove the rows above them (a title row)",
            g("header")
        ),
        "no_header" => "the first row must be the header with the column names (id, name, …)".to_owned(),
        "header_not_in_a" => "the column names must start in column A".to_owned(),
        "not_json" => format!("not valid JSON: {}", g("detail")),
        "json_not_object" => {
            "the file must hold an object such as {\"counties\": [...], \"schools\": [...]}".to_owned()
        }
        "json_not_array" => format!("`{}` must be an array of records", g("table")),
        "json_record_not_object" => "a record must be an object".to_owned(),
        "nested_value" => {
            "the field holds a nested array or object; values must be text, numbers or booleans".to_owned()
        }
        "not_xlsx" => format!("not a readable XLSX workbook: {}", g("detail")),
        "unreadable_sheet" => format!("the sheet cannot be read: {}", g("detail")),
        "unreadable_file" => format!("the file cannot be read: {}", g("detail")),
        "misnamed_table" => format!(
            "expected the file `{}`, but the folder has `{}`; rename it to `{}`",
            g("expected"),
            g("found"),
            g("expected")
        ),
        "dangling_link" => format!("`{}` is a link to a file that does not exist", g("expected")),
        "no_counties" => format!(
            "the dataset has no `counties` table (expected `counties.csv` in the folder, a `counties` array in the JSON file or a `counties` sheet in the workbook); found: {}",
            g("found")
        ),
        other => format!("data problem `{other}`"),
    }
}

fn chinese(code: &str, a: &Args) -> String {
    let g = |name: &str| a.get(name).to_owned();
    let t = |name: &str| term_zh(a.get(name)).to_owned();
    match code {
        "missing_column" => "缺少该列".to_owned(),
        "missing_field_column" => format!("缺少该列；指标包 `{}` 需要此列（{}）", g("pack"), g("description")),
        "empty_id" => "编号为空".to_owned(),
        "bad_id" => "编号不能包含 `:` 或空格".to_owned(),
        "duplicate_id" => format!("编号重复（第 {} {}已使用）", g("first"), t("label")),
        "id_taken" => format!("该编号已被{}使用（{}）", t("level"), g("source")),
        "inexact_id" => "数字编号过长，无法精确读取；请将编号写成字符串（\"…\"）".to_owned(),
        "empty_name" => "名称为空".to_owned(),
        "empty_link" => format!("所属{}编号为空", t("level")),
        "unknown_link" => format!("`{}` 表中没有这个{}编号", g("table"), t("level")),
        "link_conflict" => format!(
            "该{}属于{} `{}`，但本行其他列表明属于{} `{}`",
            t("link"),
            t("level"),
            g("first"),
            t("level"),
            g("second")
        ),
        "stage_mismatch" => format!(
            "学段与在校生数不符（小学段 {}，初中段 {}）：{}",
            g("primary"),
            g("junior"),
            match a.get("stage") {
                "primary" => "小学（primary）要求小学段在校生数 > 0 且初中段为 0",
                "junior" => "初中（junior）要求初中段在校生数 > 0 且小学段为 0",
                _ => "九年一贯制（nine_year）要求小学段和初中段在校生数均 > 0",
            }
        ),
        "empty_value" => "值为空；此项必须填写".to_owned(),
        "not_integer" => "不是整数".to_owned(),
        "not_number" => "不是数字".to_owned(),
        "not_finite" => "不是有限的数字".to_owned(),
        "negative" => "为负数，但这是数量或面积（必须 ≥ 0）".to_owned(),
        "below_min" => format!("小于允许的最小值 {}", g("min")),
        "not_enum" => format!("不是可选值之一：{}", g("allowed")),
        "not_boolean" => "不是“是/否”值（是/否、true/false、1/0）".to_owned(),
        "date_not_number" => {
            "单元格是日期，不是数字；请把单元格格式设为“数值”（本应填数量的地方显示成了日期）".to_owned()
        }
        "bool_not_number" => "单元格是 TRUE/FALSE，不是数字".to_owned(),
        "sheet_error" => format!("单元格是表格错误值 `{}`；请修正公式或直接填写数值", g("error")),
        "empty_table" => format!("`{}` 表没有任何记录，但指标包 {} 要评估它；请填写该表", g("table"), g("pack")),
        "no_table" => format!("数据集中没有 `{}` 表，指标包 {} 需要它", g("table"), g("pack")),
        "no_previous" => format!("指标包 `{}` 要与上一期比较（增值评价），但没有提供上一期数据集", g("pack")),
        "unknown_scope_county" => format!("指标包 `{}` 只适用于该县，但数据集中没有这个县", g("pack")),
        "not_utf8" => "文件不是 UTF-8 文本；请另存为“CSV UTF-8（逗号分隔）”".to_owned(),
        "ragged_row" => format!(
            "该行有 {} 个单元格，但表头有 {} 列；请检查值中是否有逗号（需加引号）或整行错位",
            g("len"),
            g("expected")
        ),
        "csv_syntax" => format!("文件无法按 CSV 读取：{}", g("detail")),
        "unnamed_column" => format!("第 {} 列有数据但表头没有列名；请填写列名或删除该列", g("letters")),
        "duplicate_column" => format!("列名 `{}` 在表头中出现了两次", g("name")),
        "title_row" => format!("第一行必须是表头，但列名在第 {} 行；请删除上面的行（标题行）", g("header")),
        "no_header" => "第一行必须是写有列名（id、name 等）的表头".to_owned(),
        "header_not_in_a" => "列名必须从 A 列开始".to_owned(),
        "not_json" => format!("不是有效的 JSON：{}", g("detail")),
        "json_not_object" => "文件必须是一个对象，例如 {\"counties\": [...], \"schools\": [...]}".to_owned(),
        "json_not_array" => format!("`{}` 必须是记录数组", g("table")),
        "json_record_not_object" => "记录必须是对象".to_owned(),
        "nested_value" => "该字段是嵌套的数组或对象；值只能是文本、数字或布尔值".to_owned(),
        "not_xlsx" => format!("不是可读取的 XLSX 工作簿：{}", g("detail")),
        "unreadable_sheet" => format!("无法读取该工作表：{}", g("detail")),
        "unreadable_file" => format!("无法读取该文件：{}", g("detail")),
        "misnamed_table" => {
            format!("应为文件 `{}`，但文件夹中是 `{}`；请将其改名为 `{}`", g("expected"), g("found"), g("expected"))
        }
        "dangling_link" => format!("`{}` 是指向不存在文件的链接", g("expected")),
        "no_counties" => format!(
            "数据集中没有 `counties`（县）表（文件夹中应有 `counties.csv`，JSON 文件中应有 `counties` 数组，工作簿中应有 `counties` 或“县”工作表）；实际找到：{}",
            g("found")
        ),
        other => format!("数据问题 `{other}`"),
    }
}

/// The words around a problem's place, in `lang`: `FILE, row 3 (S1 第一小学), column `x` (B3), value `v``.
pub(crate) struct Place<'a> {
    pub source: &'a str,
    pub row: Option<usize>,
    pub row_label: &'a str,
    pub subject: Option<&'a str>,
    pub column: Option<&'a str>,
    pub cell: Option<&'a str>,
    pub value: Option<&'a str>,
}

impl Place<'_> {
    pub(crate) fn render(&self, lang: Lang) -> String {
        let mut out = self.source.to_owned();
        match lang {
            Lang::En => {
                if let Some(row) = self.row {
                    out.push_str(&format!(", {} {row}", self.row_label));
                }
                if let Some(subject) = self.subject {
                    out.push_str(&format!(" ({subject})"));
                }
                if let Some(column) = self.column {
                    out.push_str(&format!(", column `{column}`"));
                }
                if let Some(cell) = self.cell {
                    out.push_str(&format!(" ({cell})"));
                }
                if let Some(value) = self.value {
                    out.push_str(&format!(", value `{value}`"));
                }
            }
            Lang::Zh => {
                if let Some(row) = self.row {
                    out.push_str(&format!("，第 {row} {}", term_zh(self.row_label)));
                }
                if let Some(subject) = self.subject {
                    out.push_str(&format!("（{subject}）"));
                }
                if let Some(column) = self.column {
                    out.push_str(&format!("，列 `{column}`"));
                }
                if let Some(cell) = self.cell {
                    out.push_str(&format!("（单元格 {cell}）"));
                }
                if let Some(value) = self.value {
                    out.push_str(&format!("，值 `{value}`"));
                }
            }
        }
        out
    }
}
