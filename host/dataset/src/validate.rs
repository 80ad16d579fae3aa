//! Validation of a dataset against the fields its packs declare, and preparation of the
//! typed records each pack receives.
//!
//! Every problem is collected (not just the first) and named by file, row, column and value;
//! if there is any, nothing is evaluated.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use rules_sdk::wire::{FieldSpec, FieldType, Level, Manifest, Record};
use serde_json::Value;

use super::{Cell, Dataset, Row, Table, TableSpec};
use crate::Scope;
use crate::messages::{self, Args, Lang, Place};

/// One problem in a dataset: its place (file, row, column, value) and what is wrong, as a
/// stable machine code with the values its message is built from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataError {
    /// The file (and table) it is in.
    pub source: String,
    /// The row (CSV and XLSX, counting the header as row 1, as Excel numbers rows) or record
    /// (JSON, from 1).
    pub row: Option<usize>,
    /// `row` or `record`.
    pub row_label: &'static str,
    /// The column, when the problem is in one.
    pub column: Option<String>,
    /// The offending value, as written.
    pub value: Option<String>,
    /// What is wrong, in English words (see [`DataError::render`] for other languages).
    pub message: String,
    /// The stable machine code of the problem (`not_number`, `missing_column`, …).
    pub code: &'static str,
    /// The values the message is built from.
    pub args: Args,
    /// The record's id and name (`S1 第一小学`), when the problem is in a record that has them.
    pub subject: Option<String>,
    /// The spreadsheet cell (`L7`), in CSV and XLSX tables.
    pub cell: Option<String>,
}

impl DataError {
    /// A problem in `source` with no row or column yet.
    pub fn new(code: &'static str, args: Args, source: impl Into<String>) -> DataError {
        DataError {
            source: source.into(),
            row: None,
            row_label: "row",
            column: None,
            value: None,
            message: messages::render(code, &args, Lang::En),
            code,
            args,
            subject: None,
            cell: None,
        }
    }

    /// The problem with its place and message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let place = Place {
            source: &self.source,
            row: self.row,
            row_label: self.row_label,
            subject: self.subject.as_deref(),
            column: self.column.as_deref(),
            cell: self.cell.as_deref(),
            value: self.value.as_deref(),
        };
        let separator = if lang == Lang::Zh { "：" } else { ": " };
        format!("{}{separator}{}", place.render(lang), messages::render(self.code, &self.args, lang))
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// All problems found in a dataset, in file, row and column order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DataErrors(pub Vec<DataError>);

impl DataErrors {
    /// The report with at most `shown` problems listed; the rest are counted in a last line.
    pub fn first(&self, shown: usize) -> ShownDataErrors<'_> {
        ShownDataErrors { errors: self, shown }
    }

    /// The report in `lang`, with at most `shown` problems listed and the rest counted.
    pub fn render(&self, shown: usize, lang: Lang) -> String {
        let count = self.0.len();
        let mut out = match lang {
            Lang::En => {
                format!("the dataset has {count} problem{}; nothing was evaluated:", if count == 1 { "" } else { "s" })
            }
            Lang::Zh => format!("数据集有 {count} 个问题，未进行任何评估："),
        };
        for error in self.0.iter().take(shown) {
            out.push_str("\n  ");
            out.push_str(&error.render(lang));
        }
        if count > shown {
            out.push_str(&match lang {
                Lang::En => format!("\n  … and {} more", count - shown),
                Lang::Zh => format!("\n  ……另有 {} 个问题", count - shown),
            });
        }
        out
    }
}

/// [`DataErrors`] with a bounded number of problems listed ([`DataErrors::first`]).
#[derive(Debug, Clone, Copy)]
pub struct ShownDataErrors<'a> {
    errors: &'a DataErrors,
    shown: usize,
}

impl fmt::Display for ShownDataErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.errors.render(self.shown, Lang::En))
    }
}

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.first(usize::MAX).fmt(f)
    }
}

/// A subject of the dataset: what results and reports need to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its parent's id, if the table has a parent column.
    pub parent: Option<String>,
}

/// One typed record as a pack receives it: `id`, `name` and the pack's declared fields.
///
/// Kept as the JSON text of each value, without the field names: those are the same for every
/// record of a (pack, level) and are held once, in [`Keys`]. A record is written into a unit
/// as the JSON object those make (`write_json`), byte for byte what serialising the record's
/// map writes. A map per record took about forty bytes of memory per byte of data; the whole
/// object's text, field names included, still took most of a national run's memory.
#[derive(Clone)]
pub struct PackRecord {
    keys: std::sync::Arc<Keys>,
    /// For each field present, in the order of `keys`: its index there, the length of its
    /// value's JSON text (both LEB128) and that text.
    entries: Box<[u8]>,
}

/// The field names the records of one (pack, level) may have, sorted as a record's map sorts
/// them, each with the JSON text that starts its entry in an object (`"students":`).
#[derive(Debug, PartialEq, Eq)]
struct Keys {
    names: Vec<String>,
    prefixes: Vec<Box<[u8]>>,
    /// The bytes of an object with every field, less the values' texts.
    object_bytes: usize,
}

impl Keys {
    fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> std::sync::Arc<Keys> {
        let names: BTreeSet<&str> = names.into_iter().collect();
        let prefixes = names
            .iter()
            .map(|name| {
                let mut prefix = serde_json::to_vec(name).expect("a name always serialises");
                prefix.push(b':');
                prefix.into_boxed_slice()
            })
            .collect::<Vec<_>>();
        let object_bytes = 2 + prefixes.iter().map(|prefix| prefix.len() + 1).sum::<usize>();
        let names = names.into_iter().map(str::to_owned).collect();
        std::sync::Arc::new(Keys { names, prefixes, object_bytes })
    }
}

fn put_varint(bytes: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        bytes.push((value as u8) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn take_varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut value = 0;
    let mut shift = 0;
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return value;
        }
        shift += 7;
    }
}

impl PackRecord {
    /// `record`, whose every field is one of `keys`.
    fn of(keys: &std::sync::Arc<Keys>, record: &Record) -> PackRecord {
        let mut entries = Vec::new();
        let mut text = Vec::new();
        for (name, value) in record {
            let index = keys.names.binary_search(name).expect("a record has only its table's fields");
            text.clear();
            serde_json::to_writer(&mut text, value).expect("a value always serialises");
            put_varint(&mut entries, index);
            put_varint(&mut entries, text.len());
            entries.extend_from_slice(&text);
        }
        PackRecord { keys: std::sync::Arc::clone(keys), entries: entries.into_boxed_slice() }
    }

    /// Each field present: its index in `keys` and its value's JSON text.
    fn entries(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at == self.entries.len() {
                return None;
            }
            let index = take_varint(&self.entries, &mut at);
            let len = take_varint(&self.entries, &mut at);
            at += len;
            Some((index, &self.entries[at - len..at]))
        })
    }

    /// At least the length of the record's JSON text (for sizing a buffer).
    pub fn json_len_bound(&self) -> usize {
        self.entries.len() + self.keys.object_bytes
    }

    /// Writes the record as the JSON object `dudao_evaluate` receives.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (position, (index, text)) in self.entries().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&self.keys.prefixes[index]);
            out.extend_from_slice(text);
        }
        out.push(b'}');
    }

    /// The record as JSON text.
    pub fn json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out);
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// The record as a map of its fields.
    pub fn to_record(&self) -> Record {
        self.entries().map(|(index, text)| (self.keys.names[index].clone(), value_of(text))).collect()
    }

    /// One field's value, if the record has it.
    pub fn field(&self, name: &str) -> Option<Value> {
        let wanted = self.keys.names.binary_search_by(|key| key.as_str().cmp(name)).ok()?;
        self.entries().find(|(index, _)| *index == wanted).map(|(_, text)| value_of(text))
    }
}

fn value_of(text: &[u8]) -> Value {
    serde_json::from_slice(text).expect("a value's own JSON reads back")
}

impl PartialEq for PackRecord {
    fn eq(&self, other: &PackRecord) -> bool {
        self.json() == other.json()
    }
}

impl fmt::Debug for PackRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json())
    }
}

/// The typed records one pack receives, per level, in dataset order.
#[derive(Debug, Clone, PartialEq)]
pub struct PackData {
    /// Records with `id`, `name` and exactly the fields the pack declared.
    pub records: BTreeMap<Level, Vec<PackRecord>>,
    /// The pack's parameter values: the manifest's defaults, overridden by
    /// [`PrepareOptions::params`].
    pub params: Record,
    /// Where the pack applies.
    pub scope: Scope,
}

/// A validated dataset, ready to be cut into units.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Subjects per level, in dataset order.
    pub subjects: BTreeMap<Level, Vec<Subject>>,
    /// For each (level, lower level): the indices of each subject's members at the lower
    /// level, in dataset order.
    pub members: BTreeMap<(Level, Level), Vec<Vec<usize>>>,
    /// One entry per manifest, in the order given.
    pub packs: Vec<PackData>,
    /// The previous period's records, when a previous-period dataset was given.
    pub previous: Option<PreviousPeriod>,
}

/// The previous period's typed records, found by id.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousPeriod {
    /// One entry per manifest (empty for packs that do not ask for the previous period).
    pub packs: Vec<PackData>,
    index: BTreeMap<Level, HashMap<String, usize>>,
}

impl PreviousPeriod {
    /// The previous record of `id` at `level` for pack number `pack`.
    pub fn record(&self, pack: usize, level: Level, id: &str) -> Option<&PackRecord> {
        let index = *self.index.get(&level)?.get(id)?;
        self.packs.get(pack)?.records.get(&level)?.get(index)
    }
}

impl Prepared {
    /// The subject with this index at this level.
    pub fn subject(&self, level: Level, index: usize) -> &Subject {
        &self.subjects[&level][index]
    }
}

struct Errors(BTreeSet<DataError>);

impl Errors {
    fn add(
        &mut self,
        table: &Table,
        row: Option<&Row>,
        column: Option<&str>,
        value: Option<&Cell>,
        code: &'static str,
        args: Args,
    ) {
        let mut error = DataError::new(code, args, table.source.clone());
        error.row = row.map(|row| row.number);
        error.row_label = table.row_label;
        error.column = column.map(str::to_owned);
        error.value = value.map(ToString::to_string);
        if let Some(row) = row {
            error.subject = subject_of(table, row);
            if table.row_label == "row"
                && let Some(index) = column.and_then(|column| table.column(column))
            {
                error.cell = Some(format!("{}{}", crate::column_letters(index), row.number));
            }
        }
        self.0.insert(error);
    }

    fn dataset(&mut self, dataset: &Dataset, code: &'static str, args: Args) {
        self.0.insert(DataError::new(code, args, dataset.path.display().to_string()));
    }
}

/// `id name` of a record, as far as it has them.
fn subject_of(table: &Table, row: &Row) -> Option<String> {
    let part = |name: &str| match table.cell(row, name) {
        Some(Cell::Text(text)) => Some(text.to_string()),
        Some(Cell::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    match (part("id"), part("name")) {
        (Some(id), Some(name)) => Some(format!("{id} {name}")),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// Validates `dataset` for the packs described by `manifests` and prepares their records.
///
/// # Errors
///
/// [`DataErrors`] with every problem found, when there is at least one.
pub fn prepare(dataset: &Dataset, manifests: &[&Manifest]) -> Result<Prepared, DataErrors> {
    prepare_with(dataset, manifests, &PrepareOptions::default())
}

/// What else [`prepare_with`] takes into account.
#[derive(Debug, Clone, Default)]
pub struct PrepareOptions<'a> {
    /// The previous period's dataset, for packs whose units ask for it.
    pub previous: Option<&'a Dataset>,
    /// Per manifest (in the same order): where the pack applies. A county-local pack has only
    /// that county's records validated and delivered. Missing entries mean everywhere.
    pub scopes: Vec<Scope>,
    /// Per manifest (in the same order): parameter values that replace the manifest's
    /// defaults (a plan's `params`). Missing entries keep the defaults.
    pub params: Vec<Record>,
}

/// Like [`prepare`], with a previous period's dataset for packs whose units ask for it
/// (value-added indicators) and county scopes for local packs. Problems in either dataset are
/// reported together.
///
/// # Errors
///
/// [`DataErrors`] with every problem found, including a missing previous dataset when a pack
/// needs one and a scope naming a county the dataset does not have.
pub fn prepare_with(
    dataset: &Dataset,
    manifests: &[&Manifest],
    options: &PrepareOptions<'_>,
) -> Result<Prepared, DataErrors> {
    let previous = options.previous;
    let mut errors = Errors(BTreeSet::new());
    let mut subjects = BTreeMap::new();
    let mut seen_ids: HashMap<String, (Level, String)> = HashMap::new();

    for table in dataset.tables() {
        errors.0.extend(table.problems.iter().cloned());
        subjects.insert(table.level, core_subjects(table, &mut errors, &mut seen_ids));
    }
    // Each needed table that is missing or empty is one problem, naming every pack that needs it.
    let mut needed: BTreeMap<Level, Vec<String>> = BTreeMap::new();
    for manifest in manifests {
        for level in visible_levels(manifest) {
            needed.entry(level).or_default().push(format!("`{}`", manifest.id));
        }
    }
    for (level, packs) in needed {
        let spec = TableSpec::of(level).name;
        let args = Args::none().with("table", spec).with("pack", packs.join(", "));
        match dataset.table(level) {
            None => errors.dataset(dataset, "no_table", args),
            Some(table) if table.rows.is_empty() => errors.add(table, None, None, None, "empty_table", args),
            Some(_) => {}
        }
    }
    let members = link_parents(dataset, &subjects, &mut errors);
    if let Some(schools) = dataset.table(Level::School) {
        check_stage_students(schools, &mut errors);
    }

    // Each pack's scope first; then every (pack, level) table is typed in parallel.
    let mut scoped = Vec::with_capacity(manifests.len());
    for (position, manifest) in manifests.iter().enumerate() {
        let scope = options.scopes.get(position).cloned().unwrap_or_default();
        let in_scope = match &scope {
            Scope::County(county) => match in_county(county, &subjects, &members) {
                Some(rows) => Some(rows),
                None => {
                    let mut error = DataError::new(
                        "unknown_scope_county",
                        Args::none().with("pack", &manifest.id),
                        dataset
                            .table(Level::County)
                            .map_or_else(|| dataset.path.display().to_string(), |t| t.source.clone()),
                    );
                    error.column = Some("id".to_owned());
                    error.value = Some(county.clone());
                    errors.0.insert(error);
                    continue;
                }
            },
            Scope::All => None,
        };
        scoped.push((position, *manifest, scope, in_scope));
    }
    let jobs: Vec<TypingJob<'_>> = scoped
        .iter()
        .enumerate()
        .flat_map(|(pack, (_, manifest, _, in_scope))| {
            visible_levels(manifest).into_iter().filter_map(move |level| {
                let rows = in_scope.as_ref().and_then(|rows| rows.get(&level));
                dataset.table(level).map(|table| TypingJob { pack, level, table, manifest, rows })
            })
        })
        .collect();
    let mut records_of = vec![BTreeMap::new(); scoped.len()];
    for (pack, level, records) in type_all(jobs, &mut errors) {
        records_of[pack].insert(level, records);
    }
    let mut packs = Vec::with_capacity(manifests.len());
    for ((position, manifest, scope, _), records) in scoped.into_iter().zip(records_of) {
        let mut params: Record =
            manifest.parameters.iter().map(|param| (param.name.clone(), param.default.clone())).collect();
        if let Some(values) = options.params.get(position) {
            params.extend(values.iter().map(|(name, value)| (name.clone(), value.clone())));
        }
        packs.push(PackData { records, params, scope });
    }

    let wants_previous: Vec<bool> =
        manifests.iter().map(|manifest| manifest.units.iter().any(|unit| unit.previous)).collect();
    let previous = match previous {
        Some(previous) => Some(previous_period(previous, manifests, &wants_previous, &mut errors)),
        None => {
            for (manifest, wants) in manifests.iter().zip(&wants_previous) {
                if *wants {
                    errors.dataset(dataset, "no_previous", Args::none().with("pack", &manifest.id));
                }
            }
            None
        }
    };

    if errors.0.is_empty() {
        Ok(Prepared { subjects, members, packs, previous })
    } else {
        Err(DataErrors(errors.0.into_iter().collect()))
    }
}

/// Which rows of each level lie in a county (the county itself, its zones, its schools).
fn in_county(
    county: &str,
    subjects: &BTreeMap<Level, Vec<Subject>>,
    members: &BTreeMap<(Level, Level), Vec<Vec<usize>>>,
) -> Option<BTreeMap<Level, BTreeSet<usize>>> {
    let index = subjects.get(&Level::County)?.iter().position(|subject| subject.id == county)?;
    let mut rows = BTreeMap::new();
    rows.insert(Level::County, BTreeSet::from([index]));
    for ((upper, lower), lists) in members {
        if *upper == Level::County {
            rows.insert(*lower, lists[index].iter().copied().collect());
        }
    }
    Some(rows)
}

/// Validates the previous period's dataset for the packs that want it.
fn previous_period(dataset: &Dataset, manifests: &[&Manifest], wants: &[bool], errors: &mut Errors) -> PreviousPeriod {
    let mut seen = HashMap::new();
    let mut index = BTreeMap::new();
    for table in dataset.tables() {
        errors.0.extend(table.problems.iter().cloned());
        let subjects = core_subjects(table, errors, &mut seen);
        index.insert(table.level, subjects.into_iter().enumerate().map(|(i, subject)| (subject.id, i)).collect());
    }
    let mut jobs = Vec::new();
    for (pack, (manifest, wants)) in manifests.iter().zip(wants).enumerate() {
        if !*wants {
            continue;
        }
        let levels: BTreeSet<Level> = manifest
            .units
            .iter()
            .filter(|unit| unit.previous)
            .flat_map(|unit| std::iter::once(unit.level).chain(unit.include.iter().copied()))
            .collect();
        for level in levels {
            if let Some(table) = dataset.table(level) {
                jobs.push(TypingJob { pack, level, table, manifest, rows: None });
            }
        }
    }
    let mut records_of = vec![BTreeMap::new(); manifests.len()];
    for (pack, level, records) in type_all(jobs, errors) {
        records_of[pack].insert(level, records);
    }
    let packs =
        records_of.into_iter().map(|records| PackData { records, params: Record::new(), scope: Scope::All }).collect();
    PreviousPeriod { packs, index }
}

/// The levels whose records a pack receives.
pub fn visible_levels(manifest: &Manifest) -> BTreeSet<Level> {
    manifest.units.iter().flat_map(|unit| std::iter::once(unit.level).chain(unit.include.iter().copied())).collect()
}

fn text_of(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty | Cell::SheetError(_) => None,
        other => Some(other.to_string()),
    }
}

/// The rows with a problem found while reading them.
fn flawed_rows(table: &Table) -> BTreeSet<usize> {
    table.problems.iter().filter_map(|problem| problem.row).collect()
}

/// Reports a spreadsheet error cell in a column every record needs; true when there was one.
fn sheet_error(table: &Table, row: &Row, column: &str, errors: &mut Errors) -> bool {
    match table.cell(row, column) {
        Some(cell @ Cell::SheetError(error)) => {
            errors.add(table, Some(row), Some(column), Some(cell), "sheet_error", Args::none().with("error", error));
            true
        }
        _ => false,
    }
}

/// Checks `id`, `name` and the parent column, and returns the subjects.
fn core_subjects(table: &Table, errors: &mut Errors, seen: &mut HashMap<String, (Level, String)>) -> Vec<Subject> {
    let spec = TableSpec::of(table.level);
    let parent_column = spec.parent_column();
    let mut required = vec!["id", "name"];
    required.extend(spec.links.iter().filter(|link| link.required).map(|link| link.column));
    // An empty JSON array has no columns to check; it is reported as an empty table.
    let has_columns = !(table.columns.is_empty() && table.rows.is_empty());
    for column in &required {
        if has_columns && table.column(column).is_none() {
            errors.add(table, None, Some(column), None, "missing_column", Args::none());
        }
    }
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut subjects = Vec::with_capacity(table.rows.len());
    let flawed = flawed_rows(table);
    for row in &table.rows {
        let id = table.cell(row, "id").and_then(text_of).unwrap_or_default();
        let name = table.cell(row, "name").and_then(text_of).unwrap_or_default();
        let parent = parent_column.and_then(|column| table.cell(row, column)).and_then(text_of);
        if flawed.contains(&row.number) {
            // Already reported (a ragged row, a nested value): its cells are not to be trusted.
            subjects.push(Subject { id, name, parent });
            continue;
        }
        if table.column("id").is_some() && !sheet_error(table, row, "id", errors) {
            if id.is_empty() {
                errors.add(table, Some(row), Some("id"), None, "empty_id", Args::none());
            } else if id.contains(':') || id.contains(char::is_whitespace) {
                errors.add(table, Some(row), Some("id"), table.cell(row, "id"), "bad_id", Args::none());
            } else if let Some(first) = first_row.get(&id) {
                errors.add(
                    table,
                    Some(row),
                    Some("id"),
                    table.cell(row, "id"),
                    "duplicate_id",
                    Args::none().with("label", table.row_label).with("first", first),
                );
            } else if let Some((level, source)) = seen.get(&id) {
                errors.add(
                    table,
                    Some(row),
                    Some("id"),
                    table.cell(row, "id"),
                    "id_taken",
                    Args::none().with("level", level).with("source", source),
                );
            } else {
                first_row.insert(id.clone(), row.number);
            }
        }
        if table.column("name").is_some() && !sheet_error(table, row, "name", errors) && name.is_empty() {
            errors.add(table, Some(row), Some("name"), None, "empty_name", Args::none());
        }
        subjects.push(Subject { id, name, parent });
    }
    for id in first_row.into_keys() {
        seen.insert(id, (table.level, table.source.clone()));
    }
    subjects
}

/// Checks that every link column names a record of its level (and that a school's zone lies in
/// its county), then indexes every record's ancestors and every subject's members.
fn link_parents(
    dataset: &Dataset,
    subjects: &BTreeMap<Level, Vec<Subject>>,
    errors: &mut Errors,
) -> BTreeMap<(Level, Level), Vec<Vec<usize>>> {
    // ancestors[level][row] = the row's ancestor index at each higher level.
    let mut ancestors: BTreeMap<Level, Vec<BTreeMap<Level, usize>>> = BTreeMap::new();
    for table in dataset.tables() {
        let spec = TableSpec::of(table.level);
        let mut rows_ancestors = vec![BTreeMap::new(); table.rows.len()];
        for link in spec.links {
            let (Some(column), Some(targets)) = (table.column(link.column), subjects.get(&link.level)) else {
                continue;
            };
            let target_table = TableSpec::of(link.level).name;
            let index: HashMap<&str, usize> =
                targets.iter().enumerate().map(|(i, subject)| (subject.id.as_str(), i)).collect();
            let flawed = flawed_rows(table);
            for (position, row) in table.rows.iter().enumerate() {
                if flawed.contains(&row.number) {
                    continue;
                }
                let Some(target) = text_of(&row.cells[column]) else {
                    if sheet_error(table, row, link.column, errors) {
                        continue;
                    }
                    if link.required {
                        errors.add(
                            table,
                            Some(row),
                            Some(link.column),
                            None,
                            "empty_link",
                            Args::none().with("level", link.level),
                        );
                    }
                    continue;
                };
                let Some(&found) = index.get(target.as_str()) else {
                    errors.add(
                        table,
                        Some(row),
                        Some(link.column),
                        Some(&row.cells[column]),
                        "unknown_link",
                        Args::none().with("level", link.level).with("table", target_table),
                    );
                    continue;
                };
                let mut chain = ancestors.get(&link.level).map(|rows| rows[found].clone()).unwrap_or_default();
                chain.insert(link.level, found);
                for (level, index) in chain {
                    match rows_ancestors[position].get(&level) {
                        Some(&existing) if existing != index => {
                            let name = |i: usize| subjects[&level][i].id.clone();
                            errors.add(
                                table,
                                Some(row),
                                Some(link.column),
                                Some(&row.cells[column]),
                                "link_conflict",
                                Args::none()
                                    .with("link", link.level)
                                    .with("level", level)
                                    .with("first", name(index))
                                    .with("second", name(existing)),
                            );
                        }
                        _ => {
                            rows_ancestors[position].insert(level, index);
                        }
                    }
                }
            }
        }
        ancestors.insert(table.level, rows_ancestors);
    }
    let mut members: BTreeMap<(Level, Level), Vec<Vec<usize>>> = BTreeMap::new();
    for (level, rows) in &ancestors {
        for upper in Level::ALL.iter().filter(|upper| *upper < level) {
            let Some(uppers) = subjects.get(upper) else { continue };
            let mut lists = vec![Vec::new(); uppers.len()];
            for (position, chain) in rows.iter().enumerate() {
                if let Some(&ancestor) = chain.get(upper) {
                    lists[ancestor].push(position);
                }
            }
            members.insert((*upper, *level), lists);
        }
    }
    members
}

/// The data dictionary's rule for schools: a `primary` school has primary students and no
/// junior students, a `junior` school the reverse, a `nine_year` school both.
fn check_stage_students(table: &Table, errors: &mut Errors) {
    let (Some(stage), Some(primary), Some(junior)) =
        (table.column("stage"), table.column("primary_students"), table.column("junior_students"))
    else {
        return;
    };
    let flawed = flawed_rows(table);
    for row in table.rows.iter().filter(|row| !flawed.contains(&row.number)) {
        let count = |index: usize| match &row.cells[index] {
            Cell::Text(text) => text.parse::<i64>().ok(),
            Cell::Number(number) if number.fract() == 0.0 => Some(*number as i64),
            _ => None,
        };
        let (Some(p), Some(j)) = (count(primary), count(junior)) else { continue };
        let Cell::Text(stage_value) = &row.cells[stage] else { continue };
        let Some(stage_code) = stage_code(stage_value) else { continue };
        let fits = match stage_code {
            "primary" => p > 0 && j == 0,
            "junior" => j > 0 && p == 0,
            _ => p > 0 && j > 0,
        };
        if fits {
            continue;
        }
        errors.add(
            table,
            Some(row),
            Some("stage"),
            Some(&row.cells[stage]),
            "stage_mismatch",
            Args::none().with("primary", p).with("junior", j).with("stage", stage_code),
        );
    }
}

/// One table to type for one pack: `rows` limits the fields to the pack's scope.
struct TypingJob<'a> {
    pack: usize,
    level: Level,
    table: &'a Table,
    manifest: &'a Manifest,
    rows: Option<&'a BTreeSet<usize>>,
}

/// Types every job's table in parallel (on the current thread pool); the records come back
/// in job order, and every job's problems are added to `errors` (a set: the same for any
/// thread count).
fn type_all(jobs: Vec<TypingJob<'_>>, errors: &mut Errors) -> Vec<(usize, Level, Vec<PackRecord>)> {
    use rayon::prelude::*;
    let typed: Vec<(usize, Level, Vec<PackRecord>, Errors)> = jobs
        .into_par_iter()
        .map(|job| {
            let mut found = Errors(BTreeSet::new());
            let records = typed_records(job.table, job.manifest, job.rows, &mut found);
            (job.pack, job.level, records, found)
        })
        .collect();
    typed
        .into_iter()
        .map(|(pack, level, records, found)| {
            errors.0.extend(found.0);
            (pack, level, records)
        })
        .collect()
}

/// Converts the declared fields of every row into the record the pack receives.
/// Rows outside `only` (when given) get a record with just `id` and `name`: they are not
/// validated and never reach the pack.
fn typed_records(
    table: &Table,
    manifest: &Manifest,
    only: Option<&BTreeSet<usize>>,
    errors: &mut Errors,
) -> Vec<PackRecord> {
    let fields = manifest.fields(table.level);
    let mut columns = Vec::with_capacity(fields.len());
    for field in fields {
        match table.column(&field.name) {
            Some(index) => columns.push(Some(index)),
            None if table.columns.is_empty() && table.rows.is_empty() => columns.push(None),
            None => {
                errors.add(
                    table,
                    None,
                    Some(&field.name),
                    None,
                    "missing_field_column",
                    Args::none().with("pack", &manifest.id).with("description", &field.description),
                );
                columns.push(None);
            }
        }
    }
    let id_column = table.column("id");
    let name_column = table.column("name");
    let keys = Keys::new(["id", "name"].into_iter().chain(fields.iter().map(|field| field.name.as_str())));
    let flawed = flawed_rows(table);
    let mut records = Vec::with_capacity(table.rows.len());
    for (position, row) in table.rows.iter().enumerate() {
        if flawed.contains(&row.number) {
            records.push(PackRecord::of(&keys, &Record::new()));
            continue;
        }
        let mut record = Record::new();
        let text = |index: Option<usize>| index.and_then(|i| text_of(&row.cells[i])).unwrap_or_default();
        record.insert("id".to_owned(), Value::String(text(id_column)));
        record.insert("name".to_owned(), Value::String(text(name_column)));
        if only.is_some_and(|rows| !rows.contains(&position)) {
            records.push(PackRecord::of(&keys, &record));
            continue;
        }
        for (field, column) in fields.iter().zip(&columns) {
            let Some(column) = column else { continue };
            let cell = &row.cells[*column];
            match convert(cell, field) {
                Ok(value) => {
                    record.insert(field.name.clone(), value);
                }
                Err((code, args)) => errors.add(
                    table,
                    Some(row),
                    Some(&field.name),
                    Some(cell).filter(|c| **c != Cell::Empty),
                    code,
                    args,
                ),
            }
        }
        records.push(PackRecord::of(&keys, &record));
    }
    records
}

type Problem = (&'static str, Args);

fn problem(code: &'static str) -> Problem {
    (code, Args::none())
}

/// The code of a school stage written as its code or its Chinese name.
fn stage_code(text: &str) -> Option<&'static str> {
    match text {
        "primary" | "小学" => Some("primary"),
        "junior" | "初中" => Some("junior"),
        "nine_year" | "九年一贯制" => Some("nine_year"),
        _ => None,
    }
}

/// The Chinese names of an enumeration's values, from its description, which names them in
/// order after a colon: `学段：小学/初中/九年一贯制` for `primary`, `junior`, `nine_year`
/// (a trailing parenthesis is a remark). `None` when the description does not name them all.
pub fn enum_labels(field: &FieldSpec) -> Option<Vec<String>> {
    let (_, list) = field.description.split_once('：').or_else(|| field.description.split_once(':'))?;
    let list = list.split(['（', '(']).next().unwrap_or(list);
    let labels: Vec<String> = list.split('/').map(|label| label.trim().to_owned()).collect();
    (labels.len() == field.values.len() && labels.iter().all(|label| !label.is_empty())).then_some(labels)
}

/// Converts one cell to the JSON value of a field's type.
fn convert(cell: &Cell, field: &FieldSpec) -> Result<Value, Problem> {
    if *cell == Cell::Empty {
        return if field.optional { Ok(Value::Null) } else { Err(problem("empty_value")) };
    }
    if let Cell::SheetError(error) = cell {
        return Err(("sheet_error", Args::none().with("error", error)));
    }
    let numeric = matches!(field.kind, FieldType::Integer | FieldType::Number);
    match cell {
        Cell::Date(_) if numeric => return Err(problem("date_not_number")),
        Cell::Bool(_) if numeric => return Err(problem("bool_not_number")),
        _ => {}
    }
    let value = match field.kind {
        FieldType::Text => Value::String(cell.to_string()),
        FieldType::Enum => {
            let text = cell.to_string();
            let code = if field.values.contains(&text) {
                Some(text)
            } else {
                enum_labels(field)
                    .and_then(|labels| labels.iter().position(|label| *label == text))
                    .map(|index| field.values[index].clone())
            };
            let Some(code) = code else {
                let mut allowed: String =
                    field.values.iter().map(|value| format!("`{value}`")).collect::<Vec<_>>().join(", ");
                if let Some(labels) = enum_labels(field) {
                    allowed.push_str(&format!(" ({})", labels.join(", ")));
                }
                return Err(("not_enum", Args::none().with("allowed", allowed)));
            };
            Value::String(code)
        }
        FieldType::Boolean => match cell {
            Cell::Bool(value) => Value::Bool(*value),
            other => match other.to_string().to_lowercase().as_str() {
                "true" | "1" | "yes" | "y" | "是" => Value::Bool(true),
                "false" | "0" | "no" | "n" | "否" => Value::Bool(false),
                _ => return Err(problem("not_boolean")),
            },
        },
        FieldType::Integer => {
            let number = match cell {
                Cell::Number(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => *number as i64,
                Cell::Text(text) => text.parse::<i64>().map_err(|_| problem("not_integer"))?,
                _ => return Err(problem("not_integer")),
            };
            check_min(number as f64, field)?;
            Value::from(number)
        }
        FieldType::Number => {
            let number = match cell {
                Cell::Number(number) => *number,
                Cell::Text(text) => text.parse::<f64>().map_err(|_| problem("not_number"))?,
                _ => return Err(problem("not_number")),
            };
            if !number.is_finite() {
                return Err(problem("not_finite"));
            }
            check_min(number, field)?;
            Value::from(number + 0.0)
        }
    };
    Ok(value)
}

fn check_min(number: f64, field: &FieldSpec) -> Result<(), Problem> {
    match field.min {
        Some(min) if number < min && min == 0.0 => Err(problem("negative")),
        Some(min) if number < min => Err(("below_min", Args::none().with("min", min))),
        _ => Ok(()),
    }
}
