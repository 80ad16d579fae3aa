//! `dudao inspect PACK.wasm`: the manifest as a readable indicator tree, or as JSON.

use std::fmt::Write;
use std::path::PathBuf;

use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;
use dudao_engine::wire::{IndicatorNode, Manifest};

use super::{Exit, Failure, LimitArgs, TextOrJson, emit};

/// Arguments of `dudao inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack module (`.wasm`).
    pack: PathBuf,
    /// Output format: a readable tree, or the manifest with the module's digest as JSON.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Prints the manifest.
pub fn inspect(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let pack = LoadedPack::load(&sandbox, &args.pack).map_err(Failure::bad_input)?;
    let text = match args.format {
        TextOrJson::Json => {
            let record = serde_json::json!({
                "path": args.pack.display().to_string(),
                "sha256": pack.sha256,
                "bytes": pack.size,
                "manifest": pack.manifest,
            });
            format!("{}\n", serde_json::to_string_pretty(&record).expect("manifests serialise"))
        }
        TextOrJson::Text => tree(&pack),
    };
    emit(None, &text)?;
    Ok(Exit::Success)
}

/// The manifest as text.
pub fn tree(pack: &LoadedPack) -> String {
    let manifest: &Manifest = &pack.manifest;
    let mut out = String::new();
    let _ = writeln!(out, "{} {} — {}", manifest.id, manifest.version, manifest.title);
    let _ = writeln!(out, "ABI {} · {} bytes · sha256 {}", pack.abi, pack.size, pack.sha256);
    if !manifest.description.is_empty() {
        let _ = writeln!(out, "{}", manifest.description);
    }
    let _ = writeln!(out, "\n评估单元 (units):");
    for unit in &manifest.units {
        let include: Vec<&str> = unit.include.iter().map(|level| level.as_str()).collect();
        let with = if include.is_empty() { String::new() } else { format!(" with its {} records", include.join(", ")) };
        let _ = writeln!(out, "  {} ({}){with}", unit.level, unit.level.chinese());
    }
    let _ = writeln!(out, "\n所需数据 (required fields):");
    for input in &manifest.inputs {
        let _ = writeln!(out, "  {}:", input.level);
        for field in &input.fields {
            let mut kind = field.kind.describe().to_owned();
            if !field.values.is_empty() {
                kind = field.values.join(" | ");
            }
            if let Some(min) = field.min {
                kind.push_str(&format!(", ≥ {min}"));
            }
            if field.optional {
                kind.push_str(", optional");
            }
            let _ = writeln!(out, "    {:<24} {:<28} {}", field.name, kind, field.description);
        }
    }
    let _ = writeln!(out, "\n指标体系 (indicator tree):");
    let count = manifest.indicators.len();
    for (index, node) in manifest.indicators.iter().enumerate() {
        write_node(&mut out, node, "  ", index + 1 == count);
    }
    out
}

fn write_node(out: &mut String, node: &IndicatorNode, prefix: &str, last: bool) {
    let branch = if last { "└─ " } else { "├─ " };
    let mut line = format!("{prefix}{branch}{}  {}", node.id, node.name);
    if let Some(unit) = &node.unit {
        line.push_str(&format!(" [{unit}]"));
    }
    if let Some(level) = node.level {
        line.push_str(&format!(" ({level})"));
    }
    if let Some(weight) = node.weight {
        line.push_str(&format!(" weight {weight}"));
    }
    let _ = writeln!(out, "{line}");
    let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
    for threshold in &node.thresholds {
        let applies = threshold.applies_to.as_deref().map(|stage| format!("{stage}: ")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{child_prefix}{}{applies}{} {} — {} {}",
            if node.children.is_empty() { "   " } else { "│  " },
            threshold.op.symbol(),
            threshold.value,
            threshold.source.document,
            threshold.source.item
        );
    }
    let count = node.children.len();
    for (index, child) in node.children.iter().enumerate() {
        write_node(out, child, &child_prefix, index + 1 == count);
    }
}
