//! The shape of the workspace: which crate may depend on which, and no cycle between the
//! modules of a crate. A change that makes the engine reach into publishing, the SDK into
//! datasets, or two modules into each other fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support;

/// The workspace crates (folder, package name) and the workspace crates each may use.
const LAYERS: [(&str, &str, &[&str]); 8] = [
    ("rules-sdk", "rules-sdk", &[]),
    ("host/dataset", "dudao-dataset", &["rules-sdk"]),
    ("rules-testing", "rules-testing", &["rules-sdk", "dudao-dataset"]),
    ("host/engine", "dudao-engine", &["rules-sdk", "dudao-dataset"]),
    ("host/publish", "dudao-publish", &["rules-sdk", "dudao-dataset", "dudao-engine"]),
    ("host/authoring", "dudao-authoring", &["rules-sdk", "dudao-engine"]),
    ("host/server", "dudao-server", &["rules-sdk", "dudao-dataset", "dudao-engine", "dudao-publish"]),
    (
        "host/cli",
        "dudao",
        &["rules-sdk", "dudao-dataset", "dudao-engine", "dudao-publish", "dudao-authoring", "dudao-server"],
    ),
];

/// The `[dependencies]` table's keys of a crate's Cargo.toml.
fn dependencies(folder: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(support::root().join(folder).join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Table = text.parse().expect("Cargo.toml parses");
    manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|deps| deps.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn crates_depend_only_downwards() {
    let workspace: BTreeSet<&str> = LAYERS.iter().map(|(_, name, _)| *name).collect();
    for (folder, name, allowed) in LAYERS {
        for dependency in dependencies(folder) {
            if workspace.contains(dependency.as_str()) || dependency.starts_with("dudao") {
                assert!(allowed.contains(&dependency.as_str()), "{name} must not depend on {dependency}");
            }
        }
    }
    // The SDK a county pins carries serde and serde_json, nothing else.
    assert_eq!(dependencies("rules-sdk"), BTreeSet::from(["serde".to_owned(), "serde_json".to_owned()]));
}

/// The module a source file belongs to, by its path below `src/` (`report/html.rs` →
/// `report::html`, `report/mod.rs` → `report`, `lib.rs` → the crate root, ``).
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts.join("::")
}

/// Module paths a line of code refers to with `crate::…` or `super::…`, from `module`.
fn references(line: &str, module: &str, modules: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent(module))] {
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            let tail = &rest[at + prefix.len()..];
            let path: String = tail.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            // The longest module path that the reference names.
            let mut candidate = base.clone();
            let mut best = None;
            for segment in path.split("::").filter(|s| !s.is_empty()) {
                candidate = if candidate.is_empty() { segment.to_owned() } else { format!("{candidate}::{segment}") };
                if modules.contains(&candidate) {
                    best = Some(candidate.clone());
                }
            }
            if let Some(target) = best {
                found.push(target);
            }
            rest = &tail[path.len().min(tail.len())..];
        }
    }
    found
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map_or_else(String::new, |(parent, _)| parent.to_owned())
}

fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// A cycle in `graph`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut found = stack[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                0 => {
                    if let Some(found) = visit(next, graph, state, stack) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(found) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn no_crate_has_a_cycle_between_its_modules() {
    for (folder, name, _) in LAYERS {
        let src = support::root().join(folder).join("src");
        let mut files = Vec::new();
        source_files(&src, &mut files);
        let modules: BTreeSet<String> =
            files.iter().map(|file| module_of(file.strip_prefix(&src).expect("below src"))).collect();
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let module = module_of(file.strip_prefix(&src).expect("below src"));
            let text = std::fs::read_to_string(file).expect("source");
            for line in text.lines().filter(|line| !line.trim_start().starts_with("//")) {
                for target in references(line, &module, &modules) {
                    // A module using its own submodules or its ancestors' items is not an edge.
                    let related = target == module
                        || target.starts_with(&format!("{module}::"))
                        || module.starts_with(&format!("{target}::"))
                        || target.is_empty();
                    if !related {
                        graph.entry(module.clone()).or_default().insert(target);
                    }
                }
            }
        }
        assert_eq!(cycle(&graph), None, "modules of {name} form a cycle");
    }
}
