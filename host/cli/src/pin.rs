//! `dudao pin PLAN.toml`: records the sha256 of each pack file in the plan (after review),
//! or with `--check` reports which pins no longer match.

use std::path::PathBuf;

use dudao_engine::plan;

use rust_i18n::t;

use super::{Exit, Failure, emit};

/// Arguments of `dudao pin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file; its pack paths are relative to it.
    plan: PathBuf,
    /// Only report pins that differ from the files (exit 1 if any, like `diff`); change nothing.
    #[arg(long)]
    check: bool,
}

/// Re-pins (or checks) every pack of the plan.
pub fn pin(args: Args) -> Result<Exit, Failure> {
    let (text, changes) = plan::pin(&args.plan).map_err(|error| match error {
        // A pack file the plan names, not the plan itself.
        plan::PlanError::Read { path, source } if path != args.plan => Failure::bad_input(anyhow::anyhow!(
            t!("pack.read", path = path.display(), reason = crate::errors::io(&source)).into_owned()
        )),
        other => Failure::bad_input(other),
    })?;
    let mut report = String::new();
    let mut changed = 0;
    for (path, old, new) in &changes {
        if old.eq_ignore_ascii_case(new) {
            report.push_str(&format!("{}\n", t!("pin.unchanged", path = path.display(), sha256 = new)));
        } else {
            changed += 1;
            let old = if old.is_empty() { t!("pin.none").into_owned() } else { old.clone() };
            report.push_str(&format!("{}\n", t!("pin.changed", path = path.display(), old = old, new = new)));
        }
    }
    if !args.check && changed > 0 {
        dudao_engine::files::write_atomically(&args.plan, text.as_bytes())
            .map_err(|error| Failure::bad_input(crate::errors::cannot_write(&args.plan, &error)))?;
        report.push_str(&format!("{}\n", t!("pin.wrote", count = changed, path = args.plan.display())));
    } else if args.check && changed > 0 {
        report.push_str(&format!("{}\n", t!("pin.check_differs", count = changed, path = args.plan.display())));
    } else if changed == 0 {
        report.push_str(&format!("{}\n", t!("pin.all_match")));
    }
    emit(None, &report)?;
    Ok(if args.check && changed > 0 { Exit::Failure } else { Exit::Success })
}
