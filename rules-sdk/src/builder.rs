//! Builders that keep manifests short and readable in pack code.

use crate::wire::{
    AbiVersion, Comparison, FieldSpec, FieldType, IndicatorNode, InputSpec, Level, Manifest, Source, Threshold,
    UnitSpec,
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
        self.manifest.units.push(UnitSpec { level, include: include.to_vec() });
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
