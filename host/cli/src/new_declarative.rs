//! `dudao new NAME` without `--rust`: a declarative pack and the next steps, in Chinese.

use std::fmt::Write;
use std::path::Path;

use dudao_authoring::scaffold::{NewPack, ScaffoldError};
use dudao_authoring::scaffold_declarative;

use super::{Exit, Failure, emit};

/// Writes the pack and prints the next steps.
pub fn new(name: &str, county: Option<String>, title: Option<&str>, xlsx: bool, dir: &Path) -> Result<Exit, Failure> {
    let request = NewPack { name: name.to_owned(), county, sdk: Default::default() };
    let created = scaffold_declarative::create(&request, title, xlsx, dir).map_err(|error| match error {
        ScaffoldError::Write { .. } => Failure::unexpected(error),
        _ => Failure::bad_input(error),
    })?;
    let folder = created.path.display().to_string();
    let mut text = String::new();
    let _ = writeln!(text, "已创建声明式指标包 `{}`：{folder}", created.pack_id);
    let _ = writeln!(text, "  指标：{}", created.indicators.join("、"));
    for file in &created.files {
        let _ = writeln!(text, "  {file}");
    }
    let steps = [
        (format!("cd {folder}"), ""),
        (format!("dudao build {}", created.spec), "检查并生成模块（错误会指出位置）"),
        (format!("dudao test target/packs/{name}.wasm"), "运行 cases/ 中的测试用例"),
    ];
    let width = steps.iter().map(|(command, _)| command.len()).max().unwrap_or(0);
    let _ = writeln!(text, "\n下一步：");
    for (command, what) in steps {
        let line = if what.is_empty() { command } else { format!("{command:<width$}  # {what}") };
        let _ = writeln!(text, "  {line}");
    }
    let _ = writeln!(text, "然后把示例指标、测试用例换成本县的；写法见 docs/authoring.md。");
    emit(None, &text)?;
    Ok(Exit::Success)
}
