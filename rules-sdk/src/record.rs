//! Typed access to the records of a unit.

use serde::de::DeserializeOwned;

use crate::PackError;
use crate::wire::{Level, Record, Unit};

/// Typed views of a [`Unit`]'s records: deserialise them into the author's own structs.
pub trait UnitExt {
    /// The subject's id.
    fn subject_id(&self) -> &str;

    /// The subject's record as a `T` (any `serde::Deserialize` struct).
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
}

impl UnitExt for Unit {
    fn subject_id(&self) -> &str {
        record_id(&self.subject)
    }

    fn subject_as<T: DeserializeOwned>(&self) -> Result<T, PackError> {
        typed(&self.subject, self.level)
    }

    fn members_as<T: DeserializeOwned>(&self, level: Level) -> Result<Vec<T>, PackError> {
        self.members
            .get(&level)
            .map_or(Ok(Vec::new()), |records| records.iter().map(|record| typed(record, level)).collect())
    }
}

fn record_id(record: &Record) -> &str {
    record.get("id").and_then(|id| id.as_str()).unwrap_or("")
}

fn typed<T: DeserializeOwned>(record: &Record, level: Level) -> Result<T, PackError> {
    T::deserialize(serde_json::Value::Object(record.clone())).map_err(|error| {
        PackError::new(format!("{level} record `{}` does not fit the pack's type: {error}", record_id(record)))
    })
}
