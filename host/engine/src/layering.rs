//! The layering rules between a plan's packs, as typed problems (found by
//! [`crate::plan::layering_problems`]): the plan loader ([`crate::plan::check_layering`]) refuses a plan with any of them, and the platform shows
//! them — in Chinese — to a county administrator who uploads a local pack.
//!
//! A local pack may only add indicators namespaced by its county, may not define or override a
//! standard id, may not veto, may not evaluate the city, and may only be given parameters it
//! declares, of their declared types.

use std::fmt;

use rules_sdk::wire::{FieldType, Level};

/// One broken layering rule of one pack.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayeringProblem {
    /// Another pack of the plan has the same id.
    DuplicatePack,
    /// The plan sets a parameter the pack does not declare.
    UndeclaredParameter {
        /// The parameter set.
        name: String,
        /// The parameters the pack declares.
        declared: Vec<String>,
    },
    /// The plan sets a parameter to a value of the wrong type.
    ParameterType {
        /// The parameter.
        name: String,
        /// The value as the plan writes it.
        value: String,
        /// The declared type.
        kind: FieldType,
    },
    /// A local pack's id does not start with `<county>-`.
    PackIdNotNamespaced {
        /// The county code.
        county: String,
    },
    /// A local pack defines an id of a standard pack.
    StandardId {
        /// The indicator id.
        id: String,
        /// The standard pack that defines it.
        standard: String,
    },
    /// A local pack's indicator is not namespaced `<county>.…`.
    IndicatorNotNamespaced {
        /// The indicator id.
        id: String,
        /// The prefix it needs.
        prefix: String,
    },
    /// A local pack declares a veto.
    Veto {
        /// The indicator id.
        id: String,
    },
    /// A local pack evaluates (or includes) the city.
    CityUnits {
        /// The county code.
        county: String,
    },
}

impl fmt::Display for LayeringProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayeringProblem::DuplicatePack => write!(f, "the plan lists this pack id twice"),
            LayeringProblem::UndeclaredParameter { name, declared } => write!(
                f,
                "the plan sets parameter `{name}`, which the pack does not declare (it declares: {})",
                if declared.is_empty() { "none".to_owned() } else { declared.join(", ") }
            ),
            LayeringProblem::ParameterType { name, value, kind } => {
                write!(f, "parameter `{name}` = `{value}` is not {}", kind.describe())
            }
            LayeringProblem::PackIdNotNamespaced { county } => {
                write!(f, "a local pack's id must start with its county code: `{county}-…`")
            }
            LayeringProblem::StandardId { id, standard } => write!(
                f,
                "it defines `{id}`, an id of the standard pack `{standard}`; a local pack may not define or override standard indicators or their weights"
            ),
            LayeringProblem::IndicatorNotNamespaced { id, prefix } => {
                write!(f, "indicator `{id}` must be namespaced by the county: `{prefix}…`")
            }
            LayeringProblem::Veto { id } => write!(f, "indicator `{id}` declares a veto; only standard packs may veto"),
            LayeringProblem::CityUnits { county } => {
                write!(f, "it evaluates {} units, which would show it data outside county `{county}`", Level::City)
            }
        }
    }
}

impl LayeringProblem {
    /// The problem in Chinese, for people reading it on the platform's pages.
    pub fn chinese(&self) -> String {
        match self {
            LayeringProblem::DuplicatePack => "评估方案中已有同一编号的指标包".to_owned(),
            LayeringProblem::UndeclaredParameter { name, declared } => format!(
                "评估方案设置了参数 `{name}`，但指标包未声明该参数（指标包声明的参数：{}）",
                if declared.is_empty() { "无".to_owned() } else { declared.join("、") }
            ),
            LayeringProblem::ParameterType { name, value, kind } => {
                format!("参数 `{name}` 的值 `{value}` 不是{}", type_chinese(*kind))
            }
            LayeringProblem::PackIdNotNamespaced { county } => {
                format!("县级指标包的编号必须以本县代码开头：`{county}-…`")
            }
            LayeringProblem::StandardId { id, standard } => {
                format!("指标 `{id}` 是市级标准指标包 `{standard}` 的编号；县级指标包不得定义或覆盖标准指标及其权重")
            }
            LayeringProblem::IndicatorNotNamespaced { id, prefix } => {
                format!("指标 `{id}` 的编号必须以本县代码开头：`{prefix}…`")
            }
            LayeringProblem::Veto { id } => format!("指标 `{id}` 设有一票否决；只有市级标准指标包可以一票否决"),
            LayeringProblem::CityUnits { county } => {
                format!("指标包评价市级单位，会读取县（市、区）`{county}` 以外的数据；县级指标包只能评价本县及其学校")
            }
        }
    }
}

fn type_chinese(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Text | FieldType::Enum => "文本",
        FieldType::Integer => "整数",
        FieldType::Number => "数",
        FieldType::Boolean => "true 或 false",
    }
}
