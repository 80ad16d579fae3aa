//! Refusing to write over the inputs: an output path that is one of the files a command reads
//! (a dataset table, the plan, a pack) would destroy it.

use std::path::{Path, PathBuf};

use rust_i18n::t;

use crate::Failure;

/// The files a dataset path is read from.
pub fn dataset_files(path: &Path) -> Vec<PathBuf> {
    dudao_dataset::input_files(path)
}

/// Whether two paths name the same existing file (after links; by device and inode on unix).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(first), Ok(second)) = (a.canonicalize(), b.canonicalize()) else { return false };
    if first == second {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(first), Ok(second)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return first.dev() == second.dev() && first.ino() == second.ino();
        }
    }
    false
}

/// Refuses (exit 2) when an output would replace one of the inputs.
pub fn refuse_overwrite(outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<(), Failure> {
    for output in outputs {
        if let Some(input) = inputs.iter().find(|input| same_file(output, input)) {
            let message = t!("guard.overwrite", output = output.display(), input = input.display());
            return Err(Failure::bad_input(anyhow::anyhow!(message.into_owned())));
        }
    }
    Ok(())
}
