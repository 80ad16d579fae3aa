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

/// One problem in a dataset's values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataError {
    /// The file (and table) it is in.
    pub source: String,
    /// The row (CSV, counting the header as row 1) or record (JSON, from 1).
    pub row: Option<usize>,
    /// `row` or `record`.
    pub row_label: &'static str,
    /// The column, when the problem is in one.
    pub column: Option<String>,
    /// The offending value, as written.
    pub value: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(row) = self.row {
            write!(f, ", {} {row}", self.row_label)?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value `{value}`")?;
        }
        write!(f, ": {}", self.message)
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
}

/// [`DataErrors`] with a bounded number of problems listed ([`DataErrors::first`]).
#[derive(Debug, Clone, Copy)]
pub struct ShownDataErrors<'a> {
    errors: &'a DataErrors,
    shown: usize,
}

impl fmt::Display for ShownDataErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.0.len();
        write!(f, "the dataset has {count} problem{}; nothing was evaluated:", if count == 1 { "" } else { "s" })?;
        for error in self.errors.0.iter().take(self.shown) {
            write!(f, "\n  {error}")?;
        }
        if count > self.shown {
            write!(f, "\n  … and {} more", count - self.shown)?;
        }
        Ok(())
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

/// The typed records one pack receives, per level, in dataset order.
#[derive(Debug, Clone, PartialEq)]
pub struct PackData {
    /// Records with `id`, `name` and exactly the fields the pack declared.
    pub records: BTreeMap<Level, Vec<Record>>,
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
    pub fn record(&self, pack: usize, level: Level, id: &str) -> Option<&Record> {
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
    fn add(&mut self, table: &Table, row: Option<&Row>, column: Option<&str>, value: Option<&Cell>, message: String) {
        self.0.insert(DataError {
            source: table.source.clone(),
            row: row.map(|row| row.number),
            row_label: table.row_label,
            column: column.map(str::to_owned),
            value: value.map(ToString::to_string),
            message,
        });
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
        subjects.insert(table.level, core_subjects(table, &mut errors, &mut seen_ids));
    }
    for manifest in manifests {
        for level in visible_levels(manifest) {
            if dataset.table(level).is_none() {
                let spec = TableSpec::of(level).name;
                errors.0.insert(DataError {
                    source: dataset.path.display().to_string(),
                    row: None,
                    row_label: "row",
                    column: None,
                    value: None,
                    message: format!("the dataset has no `{spec}` table, which pack `{}` needs", manifest.id),
                });
            }
        }
    }
    let members = link_parents(dataset, &subjects, &mut errors);
    if let Some(schools) = dataset.table(Level::School) {
        check_stage_students(schools, &mut errors);
    }

    let mut packs = Vec::with_capacity(manifests.len());
    for (position, manifest) in manifests.iter().enumerate() {
        let scope = options.scopes.get(position).cloned().unwrap_or_default();
        let in_scope = match &scope {
            Scope::County(county) => match in_county(county, &subjects, &members) {
                Some(rows) => Some(rows),
                None => {
                    errors.0.insert(DataError {
                        source: dataset
                            .table(Level::County)
                            .map_or_else(|| dataset.path.display().to_string(), |t| t.source.clone()),
                        row: None,
                        row_label: "row",
                        column: Some("id".to_owned()),
                        value: Some(county.clone()),
                        message: format!(
                            "pack `{}` is local to this county, but the dataset has no such county",
                            manifest.id
                        ),
                    });
                    continue;
                }
            },
            Scope::All => None,
        };
        let mut records = BTreeMap::new();
        for level in visible_levels(manifest) {
            let Some(table) = dataset.table(level) else { continue };
            let rows = in_scope.as_ref().and_then(|rows| rows.get(&level));
            records.insert(level, typed_records(table, manifest, rows, &mut errors));
        }
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
                    errors.0.insert(DataError {
                        source: dataset.path.display().to_string(),
                        row: None,
                        row_label: "row",
                        column: None,
                        value: None,
                        message: format!(
                            "pack `{}` compares with the previous period (value-added), but no previous-period dataset was given",
                            manifest.id
                        ),
                    });
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
        let subjects = core_subjects(table, errors, &mut seen);
        index.insert(table.level, subjects.into_iter().enumerate().map(|(i, subject)| (subject.id, i)).collect());
    }
    let packs = manifests
        .iter()
        .zip(wants)
        .map(|(manifest, wants)| {
            let mut records = BTreeMap::new();
            if *wants {
                for unit in manifest.units.iter().filter(|unit| unit.previous) {
                    for level in std::iter::once(unit.level).chain(unit.include.iter().copied()) {
                        if records.contains_key(&level) {
                            continue;
                        }
                        if let Some(table) = dataset.table(level) {
                            records.insert(level, typed_records(table, manifest, None, errors));
                        }
                    }
                }
            }
            PackData { records, params: Record::new(), scope: Scope::All }
        })
        .collect();
    PreviousPeriod { packs, index }
}

/// The levels whose records a pack receives.
pub fn visible_levels(manifest: &Manifest) -> BTreeSet<Level> {
    manifest.units.iter().flat_map(|unit| std::iter::once(unit.level).chain(unit.include.iter().copied())).collect()
}

fn text_of(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        other => Some(other.to_string()),
    }
}

/// Checks `id`, `name` and the parent column, and returns the subjects.
fn core_subjects(table: &Table, errors: &mut Errors, seen: &mut HashMap<String, (Level, String)>) -> Vec<Subject> {
    let spec = TableSpec::of(table.level);
    let parent_column = spec.parent_column();
    let mut required = vec!["id", "name"];
    required.extend(spec.links.iter().filter(|link| link.required).map(|link| link.column));
    for column in &required {
        if table.column(column).is_none() {
            errors.add(table, None, Some(column), None, "the column is missing".to_owned());
        }
    }
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut subjects = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let id = table.cell(row, "id").and_then(text_of).unwrap_or_default();
        let name = table.cell(row, "name").and_then(text_of).unwrap_or_default();
        let parent = parent_column.and_then(|column| table.cell(row, column)).and_then(text_of);
        if table.column("id").is_some() {
            if id.is_empty() {
                errors.add(table, Some(row), Some("id"), None, "the id is empty".to_owned());
            } else if id.contains(':') || id.contains(char::is_whitespace) {
                errors.add(
                    table,
                    Some(row),
                    Some("id"),
                    table.cell(row, "id"),
                    "an id may not contain `:` or spaces".to_owned(),
                );
            } else if let Some(first) = first_row.get(&id) {
                errors.add(
                    table,
                    Some(row),
                    Some("id"),
                    table.cell(row, "id"),
                    format!("the id is used twice (first on {} {first})", table.row_label),
                );
            } else if let Some((level, source)) = seen.get(&id) {
                errors.add(
                    table,
                    Some(row),
                    Some("id"),
                    table.cell(row, "id"),
                    format!("the id is already used by a {level} in {source}"),
                );
            } else {
                first_row.insert(id.clone(), row.number);
            }
        }
        if table.column("name").is_some() && name.is_empty() {
            errors.add(table, Some(row), Some("name"), None, "the name is empty".to_owned());
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
            for (position, row) in table.rows.iter().enumerate() {
                let Some(target) = text_of(&row.cells[column]) else {
                    if link.required {
                        errors.add(
                            table,
                            Some(row),
                            Some(link.column),
                            None,
                            format!("the {} id is empty", link.level),
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
                        format!("no {} with this id in the `{target_table}` table", link.level),
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
                                format!(
                                    "this {} belongs to {level} `{}`, but the record's other columns put it in {level} `{}`",
                                    link.level,
                                    name(index),
                                    name(existing)
                                ),
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
    for row in &table.rows {
        let count = |index: usize| match &row.cells[index] {
            Cell::Text(text) => text.parse::<i64>().ok(),
            Cell::Number(number) if number.fract() == 0.0 => Some(*number as i64),
            _ => None,
        };
        let (Some(p), Some(j)) = (count(primary), count(junior)) else { continue };
        let Cell::Text(stage_value) = &row.cells[stage] else { continue };
        let rule = match stage_value.as_str() {
            "primary" if !(p > 0 && j == 0) => "a `primary` school needs primary_students > 0 and junior_students = 0",
            "junior" if !(j > 0 && p == 0) => "a `junior` school needs junior_students > 0 and primary_students = 0",
            "nine_year" if !(p > 0 && j > 0) => {
                "a `nine_year` school needs primary_students > 0 and junior_students > 0"
            }
            _ => continue,
        };
        errors.add(
            table,
            Some(row),
            Some("stage"),
            Some(&row.cells[stage]),
            format!("the stage does not fit the student counts (primary_students {p}, junior_students {j}): {rule}"),
        );
    }
}

/// Converts the declared fields of every row into the record the pack receives.
/// Rows outside `only` (when given) get a record with just `id` and `name`: they are not
/// validated and never reach the pack.
fn typed_records(
    table: &Table,
    manifest: &Manifest,
    only: Option<&BTreeSet<usize>>,
    errors: &mut Errors,
) -> Vec<Record> {
    let fields = manifest.fields(table.level);
    let mut columns = Vec::with_capacity(fields.len());
    for field in fields {
        match table.column(&field.name) {
            Some(index) => columns.push(Some(index)),
            None => {
                errors.add(
                    table,
                    None,
                    Some(&field.name),
                    None,
                    format!("the column is missing; pack `{}` requires it ({})", manifest.id, field.description),
                );
                columns.push(None);
            }
        }
    }
    let id_column = table.column("id");
    let name_column = table.column("name");
    let mut records = Vec::with_capacity(table.rows.len());
    for (position, row) in table.rows.iter().enumerate() {
        let mut record = Record::new();
        let text = |index: Option<usize>| index.and_then(|i| text_of(&row.cells[i])).unwrap_or_default();
        record.insert("id".to_owned(), Value::String(text(id_column)));
        record.insert("name".to_owned(), Value::String(text(name_column)));
        if only.is_some_and(|rows| !rows.contains(&position)) {
            records.push(record);
            continue;
        }
        for (field, column) in fields.iter().zip(&columns) {
            let Some(column) = column else { continue };
            let cell = &row.cells[*column];
            match convert(cell, field) {
                Ok(value) => {
                    record.insert(field.name.clone(), value);
                }
                Err(message) => {
                    errors.add(table, Some(row), Some(&field.name), Some(cell).filter(|c| **c != Cell::Empty), message)
                }
            }
        }
        records.push(record);
    }
    records
}

/// Converts one cell to the JSON value of a field's type.
fn convert(cell: &Cell, field: &FieldSpec) -> Result<Value, String> {
    if *cell == Cell::Empty {
        return if field.optional {
            Ok(Value::Null)
        } else {
            Err("the value is empty; a value is required".to_owned())
        };
    }
    let value = match field.kind {
        FieldType::Text => Value::String(cell.to_string()),
        FieldType::Enum => {
            let text = cell.to_string();
            if !field.values.contains(&text) {
                let allowed: Vec<String> = field.values.iter().map(|value| format!("`{value}`")).collect();
                return Err(format!("not one of {}", allowed.join(", ")));
            }
            Value::String(text)
        }
        FieldType::Boolean => match cell {
            Cell::Bool(value) => Value::Bool(*value),
            other => match other.to_string().to_lowercase().as_str() {
                "true" | "1" | "yes" | "y" | "是" => Value::Bool(true),
                "false" | "0" | "no" | "n" | "否" => Value::Bool(false),
                _ => return Err("not a yes/no value (true/false, 1/0, 是/否)".to_owned()),
            },
        },
        FieldType::Integer => {
            let number = match cell {
                Cell::Number(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => *number as i64,
                Cell::Text(text) => text.parse::<i64>().map_err(|_| "not a whole number".to_owned())?,
                _ => return Err("not a whole number".to_owned()),
            };
            check_min(number as f64, field)?;
            Value::from(number)
        }
        FieldType::Number => {
            let number = match cell {
                Cell::Number(number) => *number,
                Cell::Text(text) => text.parse::<f64>().map_err(|_| "not a number".to_owned())?,
                _ => return Err("not a number".to_owned()),
            };
            if !number.is_finite() {
                return Err("not a finite number".to_owned());
            }
            check_min(number, field)?;
            Value::from(number + 0.0)
        }
    };
    Ok(value)
}

fn check_min(number: f64, field: &FieldSpec) -> Result<(), String> {
    match field.min {
        Some(min) if number < min && min == 0.0 => {
            Err("negative, but it counts or measures something (must be ≥ 0)".to_owned())
        }
        Some(min) if number < min => Err(format!("below the smallest allowed value {min}")),
        _ => Ok(()),
    }
}
