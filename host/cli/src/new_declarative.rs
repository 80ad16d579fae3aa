//! `dudao new NAME` without `--rust`: a declarative pack and the next steps.

use std::fmt::Write;
use std::path::Path;

use dudao_authoring::scaffold::NewPack;
use dudao_authoring::scaffold_declarative;

use rust_i18n::t;

use super::{Exit, Failure, emit};

/// Writes the pack and prints the next steps.
pub fn new(name: &str, county: Option<String>, title: Option<&str>, xlsx: bool, dir: &Path) -> Result<Exit, Failure> {
    let request = NewPack { name: name.to_owned(), county, sdk: Default::default() };
    let created = scaffold_declarative::create(&request, title, xlsx, dir).map_err(super::scaffolded::failure)?;
    let folder = created.path.display().to_string();
    let mut text = String::new();
    let _ = writeln!(text, "{}", t!("new.created_declarative", id = created.pack_id, path = folder));
    let _ = writeln!(text, "{}", t!("new.indicators", list = created.indicators.join(&t!("common.list_separator"))));
    for file in &created.files {
        let _ = writeln!(text, "  {file}");
    }
    let steps = [
        (format!("cd {folder}"), String::new()),
        (format!("dudao build {}", created.spec), t!("new.step_build_declarative").into_owned()),
        (format!("dudao test target/packs/{name}.wasm"), t!("new.step_test").into_owned()),
    ];
    super::scaffolded::next_steps(&mut text, &steps);
    let _ = writeln!(text, "{}", t!("new.then_declarative"));
    emit(None, &text)?;
    Ok(Exit::Success)
}
