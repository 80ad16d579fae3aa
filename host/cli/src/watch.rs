//! `dudao test --watch`: the changes to a pack and its cases, as batches of paths from the
//! file system (notify, debounced), and the loop that runs the cases again after each batch.
//! The loop takes any source of batches, so it is driven by a plain list in the unit tests.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use rust_i18n::t;

use crate::{Exit, Failure};

/// How long the file system must be quiet before a batch of changes is reported, so that a
/// rebuild or an editor's save-by-rename is one change, not several.
const QUIET: Duration = Duration::from_millis(300);

/// Changes to a pack file and a cases folder, one batch of changed paths at a time.
pub struct FsChanges {
    events: Receiver<DebounceEventResult>,
    pack: PathBuf,
    cases: PathBuf,
    // Kept alive: dropping it stops the watching.
    _debouncer: Debouncer<RecommendedWatcher>,
}

impl std::fmt::Debug for FsChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FsChanges").field("pack", &self.pack).field("cases", &self.cases).finish_non_exhaustive()
    }
}

impl FsChanges {
    /// Watches the pack's folder (a rebuild may replace the file) and the cases, recursively.
    pub fn new(pack: &Path, cases: &Path) -> Result<FsChanges, Failure> {
        let failed = |path: &Path, error: &dyn std::fmt::Display| {
            Failure::bad_input(anyhow::anyhow!(
                t!("test.watch_failed", path = path.display(), detail = error).into_owned()
            ))
        };
        let pack = pack.canonicalize().map_err(|error| failed(pack, &crate::errors::io(&error)))?;
        let cases = cases.canonicalize().map_err(|error| failed(cases, &crate::errors::io(&error)))?;
        let (sender, events) = channel();
        let mut debouncer = new_debouncer(QUIET, sender).map_err(|error| failed(&cases, &error))?;
        let folder = pack.parent().unwrap_or(Path::new("/"));
        debouncer.watcher().watch(folder, RecursiveMode::NonRecursive).map_err(|error| failed(folder, &error))?;
        debouncer.watcher().watch(&cases, RecursiveMode::Recursive).map_err(|error| failed(&cases, &error))?;
        Ok(FsChanges { events, pack, cases, _debouncer: debouncer })
    }
}

impl Iterator for FsChanges {
    type Item = Vec<PathBuf>;

    /// The next batch that touches the pack or a case (other files beside the pack are
    /// ignored); `None` once the watcher has stopped.
    fn next(&mut self) -> Option<Vec<PathBuf>> {
        loop {
            let Ok(events) = self.events.recv().ok()? else { continue };
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .map(|event| event.path)
                .filter(|path| *path == self.pack || path.starts_with(&self.cases))
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                return Some(paths);
            }
        }
    }
}

/// The watch loop: shows the first run's failure if it had one, then after every batch of
/// changes says what changed and runs again (a run that fails, say on a half-written file,
/// is shown and the watching goes on). Returns the last run's status when the changes end.
pub fn rerun_on_changes(
    first: Result<Exit, Failure>,
    changes: &mut impl Iterator<Item = Vec<PathBuf>>,
    mut run: impl FnMut() -> Result<Exit, Failure>,
) -> Exit {
    let mut last = settle(first);
    for batch in changes {
        let names: Vec<String> = batch.iter().map(|path| path.display().to_string()).collect();
        crate::ui::info(format_args!("\n{}", t!("test.rerun", paths = names.join(", "))));
        last = settle(run());
    }
    last
}

/// A run's status, its failure shown.
fn settle(outcome: Result<Exit, Failure>) -> Exit {
    match outcome {
        Ok(exit) => exit,
        Err(failure) => {
            crate::ui::error(crate::errors::describe(&failure.error));
            crate::exit::failure_code(Some("test"), failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_batch_of_changes_runs_the_cases_again_and_the_last_status_counts() {
        let batches = vec![vec![PathBuf::from("cases/a/expected.csv")], vec![PathBuf::from("pack.wasm")]];
        let mut statuses = vec![Ok(Exit::Success), Ok(Exit::Failure)].into_iter();
        let mut runs = 0;
        let last = rerun_on_changes(Ok(Exit::Failure), &mut batches.into_iter(), || {
            runs += 1;
            statuses.next().expect("one status per run")
        });
        assert_eq!(runs, 2);
        assert_eq!(last, Exit::Failure);
    }

    #[test]
    fn a_failing_run_is_shown_and_the_watching_goes_on() {
        let batches = vec![vec![PathBuf::from("pack.wasm")], vec![PathBuf::from("pack.wasm")]];
        let mut statuses =
            vec![Err(Failure::unexpected(anyhow::anyhow!("half-written module"))), Ok(Exit::Success)].into_iter();
        let last = rerun_on_changes(Ok(Exit::Failure), &mut batches.into_iter(), || statuses.next().expect("a status"));
        assert_eq!(last, Exit::Success);
        assert!(statuses.next().is_none(), "both changes ran the cases");
    }

    #[test]
    fn without_changes_the_first_status_stands() {
        let last = rerun_on_changes(Ok(Exit::BadInput), &mut std::iter::empty(), || panic!("nothing changed"));
        assert_eq!(last, Exit::BadInput);
        let unexpected =
            rerun_on_changes(Err(Failure::unexpected(anyhow::anyhow!("sandbox"))), &mut std::iter::empty(), || {
                panic!("nothing changed")
            });
        assert_eq!(unexpected, Exit::BadInput, "for `test`, trouble is 2");
    }
}
