//! Plan parameters: the numbers an evaluation plan may set, with the pack's default.
//!
//! A pack declares each parameter once ([`Parameter`]), puts it in its manifest
//! ([`ManifestBuilder::declare`]) and reads it from a unit ([`Params`]), so the default a user
//! reads in `dudao inspect` is the default the pack applies.

use crate::PackError;
use crate::builder::ManifestBuilder;
use crate::rule::Rule;
use crate::wire::{FieldType, Record, Unit};

/// A numeric parameter an evaluation plan may set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameter {
    /// Name, as the plan and `Unit.params` spell it.
    pub name: &'static str,
    /// Whether the value is a whole number (declared as `integer`, else `number`).
    pub integer: bool,
    /// The value used when the plan does not set it.
    pub default: f64,
    /// Chinese description.
    pub description: &'static str,
    /// Where the default comes from (document, item), when a document or a local decision
    /// sets it.
    pub source: Option<(&'static str, &'static str)>,
}

impl Parameter {
    /// A number parameter with a default and its source.
    pub const fn number(
        name: &'static str,
        default: f64,
        description: &'static str,
        source: (&'static str, &'static str),
    ) -> Parameter {
        Parameter { name, integer: false, default, description, source: Some(source) }
    }

    /// A whole-number parameter with a default and its source.
    pub const fn integer(
        name: &'static str,
        default: f64,
        description: &'static str,
        source: (&'static str, &'static str),
    ) -> Parameter {
        Parameter { name, integer: true, default, description, source: Some(source) }
    }
}

impl ManifestBuilder {
    /// Declares `parameter` in the manifest (type, default, description and source).
    pub fn declare(self, parameter: &Parameter) -> ManifestBuilder {
        let (kind, default) = if parameter.integer {
            (FieldType::Integer, serde_json::Value::from(parameter.default as i64))
        } else {
            (FieldType::Number, serde_json::Value::from(parameter.default))
        };
        self.parameter(parameter.name, kind, default, parameter.description, parameter.source)
    }
}

/// The parameter values a unit received (the plan's; absent ones take their default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: Record,
}

impl Params {
    /// The values in `values` (a unit's `params`).
    pub fn new(values: &Record) -> Params {
        Params { values: values.clone() }
    }

    /// The values `unit` received.
    pub fn of(unit: &Unit) -> Params {
        Params::new(&unit.params)
    }

    /// The value of parameter `name`, or `default` when the plan did not set it (absent or
    /// `null`).
    ///
    /// # Errors
    ///
    /// When the plan set it to something that is not a finite number; the message names the
    /// parameter and the value.
    pub fn number(&self, name: &str, default: f64) -> Result<f64, PackError> {
        match self.values.get(name) {
            None | Some(serde_json::Value::Null) => Ok(default),
            Some(value) => value
                .as_f64()
                .filter(|number| number.is_finite())
                .ok_or_else(|| PackError::new(format!("parameter `{name}` is `{value}`, not a number"))),
        }
    }

    /// The value of a declared parameter.
    ///
    /// # Errors
    ///
    /// As [`Params::number`].
    pub fn value(&self, parameter: &Parameter) -> Result<f64, PackError> {
        self.number(parameter.name, parameter.default)
    }

    /// The bound of `rule`: its parameter's value when it has one, else its fixed bound.
    ///
    /// # Errors
    ///
    /// As [`Params::number`].
    pub fn bound(&self, rule: &Rule) -> Result<f64, PackError> {
        match rule.param {
            Some(name) => self.number(name, rule.bound),
            None => Ok(rule.bound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Comparison;

    fn params(pairs: &[(&str, serde_json::Value)]) -> Params {
        Params::new(&pairs.iter().map(|(name, value)| ((*name).to_owned(), value.clone())).collect())
    }

    #[test]
    fn an_absent_or_null_parameter_takes_its_default_and_a_set_one_replaces_it() {
        let set = params(&[("limit", serde_json::json!(0.9)), ("empty", serde_json::Value::Null)]);
        assert_eq!(set.number("limit", 0.5), Ok(0.9));
        assert_eq!(set.number("empty", 0.5), Ok(0.5));
        assert_eq!(set.number("other", 0.5), Ok(0.5));
    }

    #[test]
    fn a_parameter_that_is_not_a_number_is_an_error_naming_it_and_its_value() {
        let set = params(&[("limit", serde_json::json!("high"))]);
        let error = set.number("limit", 0.5).expect_err("text is not a number");
        assert_eq!(error.message(), "parameter `limit` is `\"high\"`, not a number");
    }

    #[test]
    fn a_rule_reads_its_bound_from_its_parameter_only() {
        let fixed = Rule::new("x.fixed", Comparison::AtLeast, 1.0, ("文件", "第一条"));
        let open = fixed.with_param("x_min");
        let set = params(&[("x_min", serde_json::json!(0.8))]);
        assert_eq!(set.bound(&fixed), Ok(1.0));
        assert_eq!(set.bound(&open), Ok(0.8));
        assert_eq!(Params::default().bound(&open), Ok(1.0));
    }

    #[test]
    fn a_declared_parameter_reaches_the_manifest_with_its_type_default_and_source() {
        let parameter = Parameter::integer("per_room", 12.0, "每多少个班级", ("文件", "第七条"));
        let manifest = ManifestBuilder::new("demo", "0.1.0", "示例").declare(&parameter).build();
        let spec = &manifest.parameters[0];
        assert_eq!(spec.kind, FieldType::Integer);
        assert_eq!(spec.default, serde_json::json!(12));
        assert_eq!(spec.source.as_ref().map(|source| source.item.as_str()), Some("第七条"));
    }
}
