//! Builders that keep manifests short and readable in pack code.

use crate::wire::{
    AbiVersion, Aggregation, Comparison, FieldSpec, FieldType, GradeBand, IndicatorNode, InputSpec, Level, Manifest,
    ParameterSpec, Rollup, Scoring, Source, Threshold, UnitSpec, Veto,
};

/// Builds a [`Manifest`] for the current ABI version.
#[derive(Debug, Clone)]
pub struct ManifestBuilder {
    manifest: Manifest,
}

impl ManifestBuilder {
    /// A manifest with an id, a version and a Chinese title.
    pub fn new(id: &str, version: &str, title: &str) -> ManifestBuilder {
        ManifestBuilder {
            manifest: Manifest {
                abi: AbiVersion::CURRENT,
                id: id.to_owned(),
                version: version.to_owned(),
                title: title.to_owned(),
                description: String::new(),
                units: Vec::new(),
                inputs: Vec::new(),
                indicators: Vec::new(),
                grades: Vec::new(),
                parameters: Vec::new(),
            },
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> ManifestBuilder {
        self.manifest.description = text.to_owned();
        self
    }

    /// Evaluates subjects at `level`, each with its descendants at `include`.
    pub fn unit(mut self, level: Level, include: &[Level]) -> ManifestBuilder {
        self.manifest.units.push(UnitSpec { level, include: include.to_vec(), previous: false });
        self
    }

    /// Like [`ManifestBuilder::unit`], and the unit also receives the previous period's records
    /// (for value-added indicators).
    pub fn unit_with_previous(mut self, level: Level, include: &[Level]) -> ManifestBuilder {
        self.manifest.units.push(UnitSpec { level, include: include.to_vec(), previous: true });
        self
    }

    /// Requires a field at `level`.
    pub fn field(mut self, level: Level, field: FieldBuilder) -> ManifestBuilder {
        match self.manifest.inputs.iter_mut().find(|input| input.level == level) {
            Some(input) => input.fields.push(field.spec),
            None => self.manifest.inputs.push(InputSpec { level, fields: vec![field.spec] }),
        }
        self
    }

    /// Adds a top-level node of the indicator tree.
    pub fn indicator(mut self, node: NodeBuilder) -> ManifestBuilder {
        self.manifest.indicators.push(node.node);
        self
    }

    /// Sets the grade bands, highest first: `&[("优秀", 90.0), ("良好", 80.0), …]`.
    pub fn grades(mut self, bands: &[(&str, f64)]) -> ManifestBuilder {
        self.manifest.grades =
            bands.iter().map(|(name, min)| GradeBand { name: (*name).to_owned(), min: *min }).collect();
        self
    }

    /// Declares a parameter the plan may set, with its default and, if a document sets the
    /// default, its source.
    pub fn parameter(
        mut self,
        name: &str,
        kind: FieldType,
        default: serde_json::Value,
        description: &str,
        source: Option<(&str, &str)>,
    ) -> ManifestBuilder {
        self.manifest.parameters.push(ParameterSpec {
            name: name.to_owned(),
            kind,
            default,
            description: description.to_owned(),
            source: source.map(|(document, item)| Source { document: document.to_owned(), item: item.to_owned() }),
        });
        self
    }

    /// The finished manifest.
    pub fn build(self) -> Manifest {
        self.manifest
    }
}

/// Builds a [`FieldSpec`].
#[derive(Debug, Clone)]
pub struct FieldBuilder {
    spec: FieldSpec,
}

impl FieldBuilder {
    fn new(name: &str, kind: FieldType, description: &str) -> FieldBuilder {
        FieldBuilder {
            spec: FieldSpec {
                name: name.to_owned(),
                kind,
                values: Vec::new(),
                min: None,
                optional: false,
                description: description.to_owned(),
            },
        }
    }

    /// A text field.
    pub fn text(name: &str, description: &str) -> FieldBuilder {
        FieldBuilder::new(name, FieldType::Text, description)
    }

    /// A count: a whole number ≥ 0.
    pub fn count(name: &str, description: &str) -> FieldBuilder {
        FieldBuilder::new(name, FieldType::Integer, description).min(0.0)
    }

    /// A number ≥ 0 (an area, an amount of money).
    pub fn amount(name: &str, description: &str) -> FieldBuilder {
        FieldBuilder::new(name, FieldType::Number, description).min(0.0)
    }

    /// Any finite number.
    pub fn number(name: &str, description: &str) -> FieldBuilder {
        FieldBuilder::new(name, FieldType::Number, description)
    }

    /// A yes/no field.
    pub fn boolean(name: &str, description: &str) -> FieldBuilder {
        FieldBuilder::new(name, FieldType::Boolean, description)
    }

    /// One of `values`.
    pub fn one_of(name: &str, values: &[&str], description: &str) -> FieldBuilder {
        let mut field = FieldBuilder::new(name, FieldType::Enum, description);
        field.spec.values = values.iter().map(|value| (*value).to_owned()).collect();
        field
    }

    /// Sets the smallest allowed value.
    pub fn min(mut self, min: f64) -> FieldBuilder {
        self.spec.min = Some(min);
        self
    }

    /// Allows empty cells.
    pub fn optional(mut self) -> FieldBuilder {
        self.spec.optional = true;
        self
    }
}

/// Builds an [`IndicatorNode`].
#[derive(Debug, Clone)]
pub struct NodeBuilder {
    node: IndicatorNode,
}

impl NodeBuilder {
    /// A dimension: a node that groups indicators.
    pub fn dimension(id: &str, name: &str) -> NodeBuilder {
        NodeBuilder {
            node: IndicatorNode {
                id: id.to_owned(),
                name: name.to_owned(),
                level: None,
                unit: None,
                weight: None,
                thresholds: Vec::new(),
                formula: String::new(),
                children: Vec::new(),
                scoring: None,
                veto: None,
                rollup: Vec::new(),
            },
        }
    }

    /// An indicator reported for subjects at `level`.
    pub fn indicator(id: &str, name: &str, level: Level) -> NodeBuilder {
        let mut builder = NodeBuilder::dimension(id, name);
        builder.node.level = Some(level);
        builder
    }

    /// Sets the unit of the value.
    pub fn unit(mut self, unit: &str) -> NodeBuilder {
        self.node.unit = Some(unit.to_owned());
        self
    }

    /// Sets the weight among siblings.
    pub fn weight(mut self, weight: f64) -> NodeBuilder {
        self.node.weight = Some(weight);
        self
    }

    /// Describes the formula in words.
    pub fn formula(mut self, formula: &str) -> NodeBuilder {
        self.node.formula = formula.to_owned();
        self
    }

    /// Adds a threshold (`applies_to` names the subjects it is for, such as a stage).
    pub fn threshold(
        mut self,
        op: Comparison,
        value: f64,
        applies_to: Option<&str>,
        source: (&str, &str),
    ) -> NodeBuilder {
        self.node.thresholds.push(Threshold {
            op,
            value,
            applies_to: applies_to.map(str::to_owned),
            source: Source { document: source.0.to_owned(), item: source.1.to_owned() },
        });
        self
    }

    /// Sets how the host scores the indicator.
    pub fn scoring(mut self, scoring: Scoring) -> NodeBuilder {
        self.node.scoring = Some(scoring);
        self
    }

    /// Scores the indicator 100 when met and 0 when not.
    pub fn pass_fail(self) -> NodeBuilder {
        self.scoring(Scoring::PassFail)
    }

    /// Makes the indicator a one-vote veto capping the grade at `cap` when not met.
    pub fn veto(mut self, cap: &str, reason: &str, source: (&str, &str)) -> NodeBuilder {
        self.node.veto = Some(Veto {
            cap: cap.to_owned(),
            reason: reason.to_owned(),
            source: Source { document: source.0.to_owned(), item: source.1.to_owned() },
        });
        self
    }

    /// Rolls the indicator up to `to` with `method`.
    pub fn rollup(mut self, to: Level, method: Aggregation) -> NodeBuilder {
        self.node.rollup.push(Rollup { to, method, weight_field: None, thresholds: Vec::new() });
        self
    }

    /// Rolls the indicator up to `to` as a mean weighted by `field` of the member records.
    pub fn rollup_weighted(mut self, to: Level, field: &str) -> NodeBuilder {
        self.node.rollup.push(Rollup {
            to,
            method: Aggregation::WeightedMean,
            weight_field: Some(field.to_owned()),
            thresholds: Vec::new(),
        });
        self
    }

    /// Rolls the indicator up to `to` with `method`, judged against a threshold.
    pub fn rollup_judged(
        mut self,
        to: Level,
        method: Aggregation,
        op: Comparison,
        value: f64,
        source: (&str, &str),
    ) -> NodeBuilder {
        self.node.rollup.push(Rollup {
            to,
            method,
            weight_field: None,
            thresholds: vec![Threshold {
                op,
                value,
                applies_to: None,
                source: Source { document: source.0.to_owned(), item: source.1.to_owned() },
            }],
        });
        self
    }

    /// Adds a child node.
    pub fn child(mut self, child: NodeBuilder) -> NodeBuilder {
        self.node.children.push(child.node);
        self
    }

    /// The finished node.
    pub fn build(self) -> IndicatorNode {
        self.node
    }
}
