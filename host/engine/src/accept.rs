//! Accepting a test case's actual results as its new `expected.csv` (`dudao test --accept`):
//! snapshot review without cargo-insta. The caller shows the differences first; this writes
//! every result row of the case (subject, indicator, value with every digit, status) in the
//! order the host reports them, so the next `dudao test` passes and `git diff` shows the change.

use std::path::{Path, PathBuf};

use crate::casetest::EXPECTED_FILE;
use crate::evaluate::{self, RunOptions};
use crate::pack::LoadedPack;
use crate::rows::{format_value, rows};
use crate::sandbox::Sandbox;
use dudao_dataset::{self as dataset, Dataset};

/// Why a case could not be accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcceptError {
    /// The case's dataset cannot be read or does not satisfy the pack's manifest.
    #[error("用例 `{case}` 的数据无法使用：{message}")]
    Data {
        /// The case.
        case: String,
        /// What is wrong.
        message: String,
    },
    /// `expected.csv` cannot be written.
    #[error("无法写入 `{}`：{source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Evaluates the dataset of the case folder `folder` with `pack` and writes its
/// `expected.csv`. Returns the file and the number of rows written.
///
/// # Errors
///
/// An [`AcceptError`] when the dataset cannot be used or the file cannot be written.
pub fn accept(
    folder: &Path,
    dataset_path: &Path,
    sandbox: &Sandbox,
    pack: &LoadedPack,
) -> Result<(PathBuf, usize), AcceptError> {
    let case = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let data_error = |message: String| AcceptError::Data { case: case.clone(), message };
    let data = Dataset::load(dataset_path).map_err(|error| data_error(error.to_string()))?;
    let prepared = dataset::prepare(&data, &[&pack.manifest]).map_err(|errors| data_error(errors.to_string()))?;
    let evaluation = evaluate::evaluate(sandbox, std::slice::from_ref(pack), &data, prepared, RunOptions::default());
    let rows = rows(&evaluation);
    let mut text = String::from("subject_id,indicator_id,value,status\n");
    for row in &rows {
        text.push_str(&format!(
            "{},{},{},{}\n",
            row.subject_id,
            row.indicator_id,
            row.value.map(format_value).unwrap_or_default(),
            row.status.as_str()
        ));
    }
    let path = folder.join(EXPECTED_FILE);
    crate::files::write_atomically(&path, text.as_bytes())
        .map_err(|source| AcceptError::Write { path: path.clone(), source })?;
    Ok((path, rows.len()))
}

/// The dataset of a case folder: the folder itself when it has `counties.csv`, else its one
/// `.json` or `.xlsx` file.
pub fn dataset_of(folder: &Path) -> Option<PathBuf> {
    if folder.join("counties.csv").is_file() {
        return Some(folder.to_owned());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|file| {
            file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json") || ext.eq_ignore_ascii_case("xlsx"))
        })
        .collect();
    files.sort();
    (files.len() == 1).then(|| files.remove(0))
}
