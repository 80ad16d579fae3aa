//! Typed access to the records of a unit.

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::PackError;
use crate::wire::{Level, Unit};

/// Typed views of a [`Unit`]'s records: each record is decoded from the JSON it arrived in
/// straight into the author's own struct (any `serde::Deserialize` type; a
/// [`Record`](crate::Record) for every field by name).
pub trait UnitExt {
    /// The subject's id.
    fn subject_id(&self) -> &str;

    /// The subject's record as a `T`.
    ///
    /// # Errors
    ///
    /// A [`PackError`] naming the subject when the record does not fit `T`.
    fn subject_as<T: DeserializeOwned>(&self) -> Result<T, PackError>;

    /// The member records at `level` as `T`s, in dataset order (empty when there are none).
    ///
    /// # Errors
    ///
    /// A [`PackError`] naming the first record that does not fit `T`.
    fn members_as<T: DeserializeOwned>(&self, level: Level) -> Result<Vec<T>, PackError>;

    /// The subject's previous-period record as a `T`, when the unit has one (the unit spec asks
    /// for the previous period and the subject existed then).
    ///
    /// # Errors
    ///
    /// A [`PackError`] naming the subject when the record does not fit `T`.
    fn previous_as<T: DeserializeOwned>(&self) -> Result<Option<T>, PackError>;

    /// The previous-period records of the members at `level` that existed in both periods.
    ///
    /// # Errors
    ///
    /// A [`PackError`] naming the first record that does not fit `T`.
    fn previous_members_as<T: DeserializeOwned>(&self, level: Level) -> Result<Vec<T>, PackError>;
}

impl UnitExt for Unit {
    fn subject_id(&self) -> &str {
        self.subject_id.get_or_init(|| record_id(&self.subject))
    }

    fn subject_as<T: DeserializeOwned>(&self) -> Result<T, PackError> {
        typed(&self.subject, self.level)
    }

    fn members_as<T: DeserializeOwned>(&self, level: Level) -> Result<Vec<T>, PackError> {
        all(self.members.get(&level), level)
    }

    fn previous_as<T: DeserializeOwned>(&self) -> Result<Option<T>, PackError> {
        self.previous.as_deref().map(|record| typed(record, self.level)).transpose()
    }

    fn previous_members_as<T: DeserializeOwned>(&self, level: Level) -> Result<Vec<T>, PackError> {
        all(self.previous_members.get(&level), level)
    }
}

fn all<T: DeserializeOwned>(records: Option<&Vec<Box<RawValue>>>, level: Level) -> Result<Vec<T>, PackError> {
    records.map_or(Ok(Vec::new()), |records| records.iter().map(|record| typed(record, level)).collect())
}

fn typed<T: DeserializeOwned>(record: &RawValue, level: Level) -> Result<T, PackError> {
    serde_json::from_str(record.get()).map_err(|error| {
        let id = record_id(record);
        PackError::new(format!("{level} record `{id}` does not fit the pack's type: {}", without_position(&error)))
    })
}

/// A record's `id`, every other field skipped; `""` when it has none, or not as a string.
fn record_id(record: &RawValue) -> String {
    /// Only the id of a record.
    #[derive(serde::Deserialize)]
    struct Id {
        #[serde(default)]
        id: Option<String>,
    }
    serde_json::from_str::<Id>(record.get()).ok().and_then(|id| id.id).unwrap_or_default()
}

/// The error's message without serde_json's ` at line L column C`: the position is inside
/// the record's own text, which the author never sees.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    message.strip_suffix(&position).map_or(message.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn record(json: serde_json::Value) -> Record {
        json.as_object().expect("an object").clone()
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct School {
        id: String,
        students: f64,
        #[serde(default)]
        note: Option<String>,
    }

    #[test]
    fn records_decode_into_the_packs_types_and_as_maps() {
        let unit: Unit = serde_json::from_str(
            r#"{"level":"county","subject":{"id":"410802","name":"解放区"},
                "members":{"school":[{"id":"s1","students":120,"note":null},{"id":"s2","students":80.5}]},
                "previous":{"id":"410802","name":"解放区"},
                "previous_members":{"school":[{"id":"s1","students":100}]},
                "params":{"x":1}}"#,
        )
        .expect("a unit");
        assert_eq!(unit.level, Level::County);
        assert_eq!(unit.subject_id(), "410802");
        assert_eq!(unit.params.get("x"), Some(&serde_json::json!(1)));
        let schools: Vec<School> = unit.members_as(Level::School).expect("schools");
        assert_eq!(
            schools,
            [
                School { id: "s1".into(), students: 120.0, note: None },
                School { id: "s2".into(), students: 80.5, note: None }
            ]
        );
        let county: Record = unit.subject_as().expect("a map");
        assert_eq!(county.get("name"), Some(&serde_json::json!("解放区")));
        assert!(unit.has_previous());
        let before: Vec<School> = unit.previous_members_as(Level::School).expect("previous");
        assert_eq!(before[0].students, 100.0);
        assert!(unit.members_as::<School>(Level::Zone).expect("none").is_empty());
    }

    #[test]
    fn a_record_that_does_not_fit_names_its_level_and_id_without_a_text_position() {
        let unit = Unit::new(Level::School, &record(serde_json::json!({"id": "s9", "students": "many"})));
        let error = unit.subject_as::<School>().expect_err("does not fit");
        assert_eq!(
            error.message(),
            "school record `s9` does not fit the pack's type: invalid type: string \"many\", expected f64"
        );
    }

    #[test]
    fn a_unit_whose_records_are_not_objects_is_refused() {
        let refused = serde_json::from_str::<Unit>(r#"{"level":"school","subject":[1,2]}"#);
        assert!(refused.expect_err("not an object").to_string().contains("must be a JSON object"));
        let refused =
            serde_json::from_str::<Unit>(r#"{"level":"county","subject":{"id":"c"},"members":{"school":[3]}}"#);
        assert!(refused.is_err());
    }

    #[test]
    fn a_unit_built_in_a_test_reads_the_same_as_one_from_the_wire() {
        let school = record(serde_json::json!({"id": "s1", "students": 12}));
        let built = Unit::new(Level::County, &record(serde_json::json!({"id": "c1"})))
            .with_members(Level::School, std::slice::from_ref(&school))
            .with_previous(&record(serde_json::json!({"id": "c1"})));
        let text = serde_json::to_string(&built).expect("serialises");
        let read: Unit = serde_json::from_str(&text).expect("reads back");
        assert_eq!(read.subject_id(), "c1");
        assert_eq!(
            read.members_as::<School>(Level::School).expect("schools"),
            built.members_as::<School>(Level::School).expect("schools")
        );
        assert!(read.has_previous());
    }
}
