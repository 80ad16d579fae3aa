//! The wire types of pack ABI version 1, shared by the host and every SDK pack.
//!
//! Everything that crosses the boundary between the host and a pack is one of these types,
//! serialised as UTF-8 JSON. The host (`dudao`) and the SDK both compile this module, so the two
//! sides cannot drift apart. `docs/abi.md` describes the same shapes for authors who write a
//! pack in another language.
//!
//! Compatibility rule: a minor version may add optional fields (readers ignore fields they do
//! not know and default the ones that are missing); anything else is a new major version.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Major version of the ABI this crate speaks. A host refuses a pack with another major.
pub const ABI_MAJOR: u16 = 1;
/// Minor version of the ABI this crate speaks. Minor versions only add optional fields.
pub const ABI_MINOR: u16 = 2;

/// An ABI version, written `"MAJOR.MINOR"` on the wire and packed as
/// `(major << 16) | minor` by the `dudao_abi_version` export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbiVersion {
    /// Breaking changes bump the major version.
    pub major: u16,
    /// Additive changes bump the minor version.
    pub minor: u16,
}

impl AbiVersion {
    /// The version this build of the SDK and host implements.
    pub const CURRENT: AbiVersion = AbiVersion { major: ABI_MAJOR, minor: ABI_MINOR };

    /// Packs the version into the `i32` returned by `dudao_abi_version`.
    pub fn packed(self) -> i32 {
        (i32::from(self.major) << 16) | i32::from(self.minor)
    }

    /// Unpacks the `i32` returned by `dudao_abi_version`.
    pub fn from_packed(value: i32) -> AbiVersion {
        // Truncation is the point: the high half is the major, the low half the minor.
        let bits = value as u32;
        AbiVersion { major: (bits >> 16) as u16, minor: (bits & 0xffff) as u16 }
    }
}

impl fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for AbiVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AbiVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let parsed = text
            .split_once('.')
            .and_then(|(major, minor)| Some(AbiVersion { major: major.parse().ok()?, minor: minor.parse().ok()? }));
        parsed.ok_or_else(|| serde::de::Error::custom(format!("ABI version `{text}` is not MAJOR.MINOR")))
    }
}

/// A level of the organisational hierarchy: city ← county ← inspection zone ← school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 市: the city (the dataset's root).
    City,
    /// 县（市、区）: a county-level unit, including the city's demonstration zone.
    County,
    /// 督学责任区: an inspection zone inside a county.
    Zone,
    /// 学校: a school (its evaluated parts are sub-subjects such as `<id>:primary`).
    School,
}

impl Level {
    /// Every level, from the top of the hierarchy down.
    pub const ALL: [Level; 4] = [Level::City, Level::County, Level::Zone, Level::School];

    /// The name used on the wire and in file names (`county`, `school`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::County => "county",
            Level::Zone => "zone",
            Level::School => "school",
        }
    }

    /// The Chinese name used in reports.
    pub fn chinese(self) -> &'static str {
        match self {
            Level::City => "市",
            Level::County => "县（市、区）",
            Level::Zone => "督学责任区",
            Level::School => "学校",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `dudao_describe` returns: everything the host needs to know about a pack before it
/// runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The ABI version the manifest is written against.
    pub abi: AbiVersion,
    /// Stable pack id, lowercase with dashes (`quality-balance`).
    pub id: String,
    /// The pack's own version (semantic versioning).
    pub version: String,
    /// Chinese title shown in reports.
    pub title: String,
    /// A sentence or two on what the pack evaluates.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The evaluation units: one entry per level the pack evaluates.
    pub units: Vec<UnitSpec>,
    /// The data fields the pack requires, per level. The host validates them before anything
    /// runs and passes a pack only the fields it declares here.
    pub inputs: Vec<InputSpec>,
    /// The indicator tree: dimensions with indicators below them.
    pub indicators: Vec<IndicatorNode>,
    /// Grade bands (优秀/良好/合格/不合格) for the pack's total score, highest first. A plan may
    /// replace them (they differ by place). Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<GradeBand>,
    /// Parameters an evaluation plan may set (for example a student count above which a school
    /// needs its own inspector). Every unit receives their values in `params`. Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ParameterSpec>,
}

/// A parameter of a pack, set by the evaluation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSpec {
    /// Name (`large_school_students`).
    pub name: String,
    /// Type of the value (`integer`, `number`, `text`, `boolean`).
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The value used when the plan does not set it.
    pub default: serde_json::Value,
    /// Chinese description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the default comes from, when a document sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// One grade band: totals at or above `min` (and below the next band up) get `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeBand {
    /// The grade's name (`优秀`).
    pub name: String,
    /// The lowest total score of the band (0–100).
    pub min: f64,
}

impl Manifest {
    /// Every node of the indicator tree, depth first, in manifest order.
    pub fn nodes(&self) -> Vec<&IndicatorNode> {
        fn walk<'a>(nodes: &'a [IndicatorNode], out: &mut Vec<&'a IndicatorNode>) {
            for node in nodes {
                out.push(node);
                walk(&node.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.indicators, &mut out);
        out
    }

    /// The node with this id, if the manifest declares it.
    pub fn node(&self, id: &str) -> Option<&IndicatorNode> {
        self.nodes().into_iter().find(|node| node.id == id)
    }

    /// The fields declared for a level (empty when the pack declares none).
    pub fn fields(&self, level: Level) -> &[FieldSpec] {
        self.inputs.iter().find(|input| input.level == level).map_or(&[], |input| &input.fields)
    }
}

/// One kind of evaluation unit: a subject at `level` together with the records of its
/// descendants at the `include`d levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSpec {
    /// The level of the unit's subject.
    pub level: Level,
    /// Descendant levels whose records come with the subject (for example `["school"]` for a
    /// county unit that needs its schools).
    #[serde(default)]
    pub include: Vec<Level>,
    /// Whether the unit also needs the previous period's records of the same subject and
    /// members (for value-added indicators, 增值评价). The host then requires a previous-period
    /// dataset. Since ABI 1.1.
    #[serde(default, skip_serializing_if = "is_false")]
    pub previous: bool,
}

/// The fields a pack requires at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// The level whose records carry these fields.
    pub level: Level,
    /// The fields, in the order the pack wants to document them.
    pub fields: Vec<FieldSpec>,
}

/// One data field a pack requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Column name in the dataset (`primary_students`).
    pub name: String,
    /// The value's type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Allowed values, for `enum` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Smallest allowed value, for numeric fields (counts use 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Whether an empty cell is allowed (it reaches the pack as `null`). Default: required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// Chinese description, as in the data dictionary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The type of a data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// Any finite number.
    Number,
    /// One of the declared `values`.
    Enum,
    /// `true`/`false` (CSV also accepts `1`/`0`, `yes`/`no`, `是`/`否`).
    Boolean,
}

impl FieldType {
    /// How the type is described to a user in an error message.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "a whole number",
            FieldType::Number => "a number",
            FieldType::Enum => "one of the listed values",
            FieldType::Boolean => "true or false",
        }
    }
}

/// A node of the indicator tree: a dimension (with children) or an indicator (a leaf).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorNode {
    /// Stable id, dotted (`qb.school.teaching_area_per_student`). Results are keyed by it.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Level of the subjects this indicator is reported for; absent on pure dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Unit of the value (`m²`, `元`, `人`, `比率`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Weight of the node among its siblings, when the indicator system weights them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Thresholds the status is judged against, each with its source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
    /// How the value is computed, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub formula: String,
    /// Sub-dimensions or indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<IndicatorNode>,
    /// How the host turns the indicator's result into a score from 0 to 100. Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
    /// A one-vote veto (一票否决): when the indicator is not met, the subject's grade is capped.
    /// Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veto: Option<Veto>,
    /// How the host rolls the indicator up the hierarchy (school → zone → county → city).
    /// Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollup: Vec<Rollup>,
}

/// How an indicator's result becomes a score from 0 to 100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Scoring {
    /// 100 when met, 0 when not met.
    PassFail,
    /// Linear between two values: `zero` scores 0, `full` scores 100, clamped in between
    /// (`zero` may be above `full` for indicators where less is better).
    Linear {
        /// The value that scores 0.
        zero: f64,
        /// The value that scores 100.
        full: f64,
    },
    /// Banded: the first band (in the order given) whose bound the value reaches.
    Bands {
        /// The bands, for example `[{min: 0.95, score: 100}, {min: 0.85, score: 60}]`.
        bands: Vec<ScoreBand>,
        /// The score when no band is reached.
        #[serde(default)]
        otherwise: f64,
    },
    /// A checklist: the value is how many of `items` are satisfied; the score is that share.
    Checklist {
        /// The items, in Chinese, as inspectors read them.
        items: Vec<String>,
    },
}

/// One band of banded scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBand {
    /// Reached when the value is at least this (use `max` for less-is-better indicators).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Reached when the value is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The score of the band (0–100).
    pub score: f64,
}

/// A one-vote veto.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Veto {
    /// The highest grade a vetoed subject can get (the name of a grade band, usually `不合格`).
    pub cap: String,
    /// Why, as the document words it.
    pub reason: String,
    /// The document and item that set the veto.
    pub source: Source,
}

/// How an indicator is aggregated to a higher level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// The level results are rolled up to.
    pub to: Level,
    /// The aggregation.
    pub method: Aggregation,
    /// For `weighted_mean`: the numeric field of the lower-level records used as weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_field: Option<String>,
    /// Thresholds the rolled-up value is judged against; without them, the rolled-up status is
    /// `met` when every member with a status met it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
}

/// An aggregation of member values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum of values.
    Sum,
    /// Plain mean.
    Mean,
    /// Mean weighted by `weight_field`.
    WeightedMean,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Share (0–1) of members whose status is `met`, among those met or not met.
    ShareMet,
    /// Coefficient of variation (population, unweighted; with `weight_field`, weighted).
    Cv,
}

/// A bound a value is compared against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The comparison: the value meets the threshold when `value op bound` holds.
    pub op: Comparison,
    /// The bound.
    pub value: f64,
    /// Which subjects the bound applies to (a stage such as `primary`); absent = all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// Where the bound comes from.
    pub source: Source,
}

/// The document and item a threshold comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The document, by its official title and number (`教督〔2017〕6号`).
    pub document: String,
    /// The article or item inside it (`第十条`).
    pub item: String,
}

/// A comparison operator of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// At least the bound.
    #[serde(rename = ">=")]
    AtLeast,
    /// At most the bound.
    #[serde(rename = "<=")]
    AtMost,
    /// Strictly above the bound.
    #[serde(rename = ">")]
    Above,
    /// Strictly below the bound.
    #[serde(rename = "<")]
    Below,
}

/// Relative tolerance used at thresholds, so that a value which equals its bound in exact
/// arithmetic is never pushed to the wrong side by floating-point rounding.
pub const THRESHOLD_TOLERANCE: f64 = 1e-9;

impl Comparison {
    /// Whether `value op bound` holds, treating values within [`THRESHOLD_TOLERANCE`]
    /// (relative to the bound, absolute below 1) as equal to the bound.
    pub fn holds(self, value: f64, bound: f64) -> bool {
        let slack = THRESHOLD_TOLERANCE * bound.abs().max(1.0);
        let equal = (value - bound).abs() <= slack;
        match self {
            Comparison::AtLeast => equal || value > bound,
            Comparison::AtMost => equal || value < bound,
            Comparison::Above => !equal && value > bound,
            Comparison::Below => !equal && value < bound,
        }
    }

    /// The operator as written (`>=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::AtMost => "≤",
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }
}

impl Threshold {
    /// Whether `value` meets this threshold.
    pub fn met_by(&self, value: f64) -> bool {
        self.op.holds(value, self.value)
    }
}

/// A data record as a pack receives it: `id`, `name` and the fields the pack declared.
/// Numbers are JSON numbers, text is a string, an empty optional field is `null`.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// What `dudao_evaluate` receives: one subject and the records below it that the pack asked
/// for.
///
/// The records are kept as the JSON text they arrived in and are decoded only when the pack
/// reads them, straight into the pack's own types ([`UnitExt::subject_as`](crate::UnitExt),
/// `members_as`, …): no map of every field is built on the way. A pack that wants a record's
/// fields by name reads it as a [`Record`] (`unit.subject_as::<Record>()`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "WireUnit", into = "WireUnit")]
pub struct Unit {
    /// The level of the subject.
    pub level: Level,
    /// The values of the pack's parameters (the plan's, or the manifest's defaults).
    /// Since ABI 1.1.
    pub params: Record,
    /// The subject's id (`""` when its record has none), read from the subject's record the
    /// first time a pack asks for it.
    pub(crate) subject_id: std::sync::OnceLock<String>,
    /// The subject's own record.
    pub(crate) subject: Box<RawValue>,
    /// Descendant records, per included level, in dataset order.
    pub(crate) members: BTreeMap<Level, Vec<Box<RawValue>>>,
    /// The previous period's record of the subject (same id), when the unit spec asks for it.
    pub(crate) previous: Option<Box<RawValue>>,
    /// The previous period's records of the members that exist in both periods, per level.
    pub(crate) previous_members: BTreeMap<Level, Vec<Box<RawValue>>>,
}

/// A unit exactly as it is written on the wire (`docs/abi.md`, "Unit").
#[derive(Serialize, Deserialize)]
struct WireUnit {
    level: Level,
    subject: Box<RawValue>,
    #[serde(default)]
    members: BTreeMap<Level, Vec<Box<RawValue>>>,
    /// `null` when the subject did not exist in the previous period. Since ABI 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<Box<RawValue>>,
    /// Since ABI 1.1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    previous_members: BTreeMap<Level, Vec<Box<RawValue>>>,
    /// Since ABI 1.1.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    params: Record,
}

impl TryFrom<WireUnit> for Unit {
    type Error = String;

    fn try_from(wire: WireUnit) -> Result<Unit, String> {
        let objects = std::iter::once(&wire.subject)
            .chain(wire.previous.iter())
            .chain(wire.members.values().flatten())
            .chain(wire.previous_members.values().flatten());
        for record in objects {
            if !record.get().starts_with('{') {
                return Err(format!("a record must be a JSON object, not `{}`", record.get()));
            }
        }
        Ok(Unit {
            level: wire.level,
            params: wire.params,
            subject_id: std::sync::OnceLock::new(),
            subject: wire.subject,
            members: wire.members,
            previous: wire.previous,
            previous_members: wire.previous_members,
        })
    }
}

impl From<Unit> for WireUnit {
    fn from(unit: Unit) -> WireUnit {
        WireUnit {
            level: unit.level,
            subject: unit.subject,
            members: unit.members,
            previous: unit.previous,
            previous_members: unit.previous_members,
            params: unit.params,
        }
    }
}

impl Unit {
    /// A unit of `subject` at `level`, without members, previous period or parameters: for
    /// calling a pack natively in its tests.
    pub fn new(level: Level, subject: &Record) -> Unit {
        Unit {
            level,
            params: Record::new(),
            subject_id: std::sync::OnceLock::new(),
            subject: raw(subject),
            members: BTreeMap::new(),
            previous: None,
            previous_members: BTreeMap::new(),
        }
    }

    /// The same unit with `records` as its members at `level`.
    pub fn with_members(mut self, level: Level, records: &[Record]) -> Unit {
        self.members.insert(level, records.iter().map(raw).collect());
        self
    }

    /// The same unit with the subject's previous-period record.
    pub fn with_previous(mut self, record: &Record) -> Unit {
        self.previous = Some(raw(record));
        self
    }

    /// The same unit with `records` as the members' previous-period records at `level`.
    pub fn with_previous_members(mut self, level: Level, records: &[Record]) -> Unit {
        self.previous_members.insert(level, records.iter().map(raw).collect());
        self
    }

    /// The same unit with these parameter values.
    pub fn with_params(mut self, params: Record) -> Unit {
        self.params = params;
        self
    }

    /// Whether the subject has a previous-period record.
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }
}

/// A record's JSON text.
fn raw(record: &Record) -> Box<RawValue> {
    serde_json::value::to_raw_value(record).expect("a record always serialises")
}

/// The status of one indicator for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The value meets every applicable threshold.
    Met,
    /// The value misses a threshold.
    NotMet,
    /// The indicator does not apply to this subject (for example a small teaching point).
    NotApplicable,
    /// The host could not evaluate the subject (set by the host only, never by a pack).
    Error,
}

impl Status {
    /// The status as written in result tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
        }
    }

    /// The Chinese word used in reports.
    pub fn chinese(self) -> &'static str {
        match self {
            Status::Met => "达标",
            Status::NotMet => "未达标",
            Status::NotApplicable => "不适用",
            Status::Error => "错误",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One indicator result for one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    /// The subject: the unit's subject id, or one of its parts (`<id>:primary`).
    pub subject: String,
    /// The indicator id, declared in the manifest.
    pub indicator: String,
    /// The value; `null` when there is none (for example not applicable).
    pub value: Option<f64>,
    /// The status against the indicator's thresholds.
    pub status: Status,
    /// A short explanation, when the pack has one (why not applicable, which items failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What `dudao_evaluate` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// The unit was evaluated.
    Ok {
        /// The results, in the order the pack wants them reported.
        results: Vec<IndicatorResult>,
    },
    /// The pack refused the unit (bad or inconsistent data it cannot evaluate).
    Error {
        /// Why, in words a user understands.
        message: String,
    },
}
