//! Datasets: the records of the city, its counties, inspection zones and schools that packs
//! evaluate.
//!
//! A dataset is either a folder of CSV files (`cities.csv`, `counties.csv`, `zones.csv`,
//! `schools.csv`; only `counties.csv` is required; UTF-8, header row, comma separated) or one
//! JSON file holding the same records as arrays under the same names
//! (`{"counties": [...], "schools": [...]}`). Columns beyond the standard ones are kept
//! and reach a pack when it declares them.
//!
//! Loading ([`Dataset::load`]) only reads the tables; [`validate`](validate::prepare) checks
//! every field each pack requires and reports all problems together, naming file, row, column
//! and value, before anything is evaluated.

mod csv_source;
mod json_source;
pub mod messages;
mod owners;
mod scope;
mod sheet;
pub mod template;
mod units;
pub mod validate;
mod xlsx_source;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rules_sdk::wire::Level;
use sha2::{Digest, Sha256};

pub use messages::Lang;
pub use scope::Scope;
pub use sheet::column_name;
pub use units::{unit, unit_json};
pub use validate::{
    DataError, DataErrors, PackData, PackRecord, PrepareOptions, Prepared, PreviousPeriod, ShownDataErrors, Subject,
    enum_labels, prepare, prepare_with,
};
pub use xlsx_source::column_letters;

/// The levels a dataset can hold, top down, with their table names and the columns linking a
/// record to the levels above it.
pub const TABLES: [TableSpec; 4] = [
    TableSpec { level: Level::City, name: "cities", links: &[] },
    TableSpec {
        level: Level::County,
        name: "counties",
        links: &[Link { column: "parent_id", level: Level::City, required: false }],
    },
    TableSpec {
        level: Level::Zone,
        name: "zones",
        links: &[Link { column: "county_id", level: Level::County, required: true }],
    },
    TableSpec {
        level: Level::School,
        name: "schools",
        links: &[
            Link { column: "county_id", level: Level::County, required: true },
            Link { column: "zone_id", level: Level::Zone, required: false },
        ],
    },
];

/// How one level is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    /// The level.
    pub level: Level,
    /// Table name: the CSV file stem and the JSON key.
    pub name: &'static str,
    /// Columns naming records of higher levels; the first is the record's parent.
    pub links: &'static [Link],
}

/// A column naming the record's ancestor at a higher level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The column (`county_id`).
    pub column: &'static str,
    /// The level whose ids it names.
    pub level: Level,
    /// Whether the column must be present. An optional link is checked when its column and the
    /// linked table are both present (a dataset without `cities.csv` has no city level).
    pub required: bool,
}

impl TableSpec {
    /// The spec of a level.
    pub fn of(level: Level) -> &'static TableSpec {
        TABLES.iter().find(|spec| spec.level == level).expect("every level has a table spec")
    }

    /// The column naming the record's parent, if the level has one.
    pub fn parent_column(&self) -> Option<&'static str> {
        self.links.first().map(|link| link.column)
    }
}

/// How a dataset is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetFormat {
    /// A folder of CSV files.
    CsvFolder,
    /// One JSON file.
    Json,
    /// One XLSX workbook, one sheet per table.
    Xlsx,
}

impl DatasetFormat {
    /// `csv` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetFormat::CsvFolder => "csv",
            DatasetFormat::Json => "json",
            DatasetFormat::Xlsx => "xlsx",
        }
    }
}

/// One raw cell, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// An empty cell (or JSON `null`, or a missing key).
    Empty,
    /// Text (every CSV cell is text until validated). Short texts — most cells — are kept
    /// inline, without an allocation of their own.
    Text(compact_str::CompactString),
    /// A JSON number.
    Number(f64),
    /// A JSON boolean, or a TRUE/FALSE spreadsheet cell.
    Bool(bool),
    /// A spreadsheet cell formatted as a date or time, as the date it shows (`2026-08-31`).
    Date(String),
    /// A spreadsheet error cell (`#N/A`, `#DIV/0!`), as shown.
    SheetError(String),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Text(text) => f.write_str(text),
            Cell::Number(number) => write!(f, "{number}"),
            Cell::Bool(value) => write!(f, "{value}"),
            Cell::Date(text) | Cell::SheetError(text) => f.write_str(text),
        }
    }
}

/// One record, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number a user sees: in a CSV file the line (the header is row 1, so the first
    /// record is row 2, as in a spreadsheet); in JSON the 1-based position in the array.
    pub number: usize,
    /// Cells, one per column of the table.
    pub cells: Vec<Cell>,
}

/// The records of one level.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The level.
    pub level: Level,
    /// Where the records come from, as shown in errors (`data/schools.csv`,
    /// `data.json (schools)`).
    pub source: String,
    /// What a row is called in errors: `row` in CSV (a spreadsheet row), `record` in JSON.
    pub row_label: &'static str,
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// The records, in file order.
    pub rows: Vec<Row>,
    /// Problems found while reading records (a row with the wrong number of cells, a nested
    /// JSON value, an id that cannot be read exactly); [`prepare`] reports them with the
    /// others, and does not check the values of those rows further.
    pub problems: Vec<DataError>,
}

impl Table {
    /// The position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column == name)
    }

    /// The cell of `row` in column `name`, if the column exists.
    pub fn cell<'a>(&self, row: &'a Row, name: &str) -> Option<&'a Cell> {
        self.column(name).and_then(|index| row.cells.get(index))
    }
}

/// A loaded dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The folder or file it was read from.
    pub path: PathBuf,
    /// How it is stored.
    pub format: DatasetFormat,
    /// sha256 of its content: of the JSON file; for a CSV folder, of each table file in
    /// [`TABLES`] order as `name NUL length(u64 LE) content`.
    pub sha256: String,
    tables: BTreeMap<Level, Table>,
}

/// A dataset that cannot be read at all (as opposed to [`DataErrors`] in its values).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The path does not exist or cannot be read.
    #[error("cannot read dataset `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The path is neither a folder nor a `.json` file.
    #[error("dataset `{}` is neither a folder of CSV files, a `.json` file nor a `.xlsx` workbook", path.display())]
    UnknownFormat {
        /// The path.
        path: PathBuf,
    },
    /// Files that cannot be read as tables: every problem of every file, each with its code.
    #[error(transparent)]
    Problems(DataErrors),
    /// The dataset holds no counties.
    #[error("{}", no_counties(path, found).render(Lang::En))]
    NoCounties {
        /// The path.
        path: PathBuf,
        /// What the folder or workbook holds instead (file or sheet names).
        found: Vec<String>,
    },
}

fn no_counties(path: &Path, found: &[String]) -> DataError {
    let found = if found.is_empty() { "nothing".to_owned() } else { found.join(", ") };
    DataError::new("no_counties", messages::Args::none().with("found", found), path.display().to_string())
}

impl DatasetError {
    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (DatasetError::Io { path, source }, Lang::Zh) => format!("无法读取数据集 `{}`：{source}", path.display()),
            (DatasetError::UnknownFormat { path }, Lang::Zh) => {
                format!("数据集 `{}` 既不是 CSV 文件夹，也不是 `.json` 文件或 `.xlsx` 工作簿", path.display())
            }
            (DatasetError::Problems(errors), Lang::Zh) => errors.render(usize::MAX, Lang::Zh),
            (DatasetError::NoCounties { path, found }, Lang::Zh) => no_counties(path, found).render(Lang::Zh),
        }
    }
}

impl Dataset {
    /// Reads a dataset folder or JSON file.
    ///
    /// # Errors
    ///
    /// A [`DatasetError`] when a file is missing, unreadable or not parseable; problems in
    /// values are found later by [`prepare`].
    pub fn load(path: &Path) -> Result<Dataset, DatasetError> {
        let metadata = std::fs::metadata(path).map_err(|source| DatasetError::Io { path: path.to_owned(), source })?;
        let (format, tables, sha256) = if metadata.is_dir() {
            let (tables, sha256) = csv_source::load(path)?;
            (DatasetFormat::CsvFolder, tables, sha256)
        } else if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) {
            let bytes = std::fs::read(path).map_err(|source| DatasetError::Io { path: path.to_owned(), source })?;
            let tables = json_source::load(path, &bytes)?;
            (DatasetFormat::Json, tables, sha256_hex(&bytes))
        } else if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx")) {
            let bytes = std::fs::read(path).map_err(|source| DatasetError::Io { path: path.to_owned(), source })?;
            let tables = xlsx_source::load(path, &bytes)?;
            (DatasetFormat::Xlsx, tables, sha256_hex(&bytes))
        } else {
            return Err(DatasetError::UnknownFormat { path: path.to_owned() });
        };
        if !tables.contains_key(&Level::County) {
            let found = match format {
                DatasetFormat::CsvFolder => csv_source::listing(path),
                DatasetFormat::Xlsx => {
                    std::fs::read(path).map(|bytes| xlsx_source::sheet_names(&bytes)).unwrap_or_default()
                }
                DatasetFormat::Json => tables.values().map(|table| table.source.clone()).collect(),
            };
            return Err(DatasetError::NoCounties { path: path.to_owned(), found });
        }
        Ok(Dataset { path: path.to_owned(), format, sha256, tables })
    }

    /// The table of a level, if the dataset has one.
    pub fn table(&self, level: Level) -> Option<&Table> {
        self.tables.get(&level)
    }

    /// The tables, from the top level down.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }
}

/// The files a dataset path is read from: the JSON or XLSX file, or the table files of a
/// folder (`counties.csv`, …) that exist.
pub fn input_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        TABLES.iter().map(|spec| path.join(format!("{}.csv", spec.name))).filter(|file| file.exists()).collect()
    } else {
        vec![path.to_owned()]
    }
}

/// sha256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Accumulates the dataset digest of a CSV folder.
pub(crate) struct FolderDigest(Sha256);

impl FolderDigest {
    pub(crate) fn new() -> FolderDigest {
        FolderDigest(Sha256::new())
    }

    pub(crate) fn add(&mut self, name: &str, content: &[u8]) {
        self.0.update(name.as_bytes());
        self.0.update([0]);
        self.0.update((content.len() as u64).to_le_bytes());
        self.0.update(content);
    }

    pub(crate) fn finish(self) -> String {
        self.0.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }
}
