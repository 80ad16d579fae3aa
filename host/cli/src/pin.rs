//! `dudao pin PLAN.toml`: records the sha256 of each pack file in the plan (after review),
//! or with `--check` reports which pins no longer match.

use std::path::PathBuf;

use dudao_engine::plan;

use super::{Exit, Failure, emit};

/// Arguments of `dudao pin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file; its pack paths are relative to it.
    plan: PathBuf,
    /// Only report pins that differ from the files (exit 1 if any); change nothing.
    #[arg(long)]
    check: bool,
}

/// Re-pins (or checks) every pack of the plan.
pub fn pin(args: Args) -> Result<Exit, Failure> {
    let (text, changes) = plan::pin(&args.plan).map_err(Failure::bad_input)?;
    let mut report = String::new();
    let mut changed = 0;
    for (path, old, new) in &changes {
        if old.eq_ignore_ascii_case(new) {
            report.push_str(&format!("unchanged  {}  {new}\n", path.display()));
        } else {
            changed += 1;
            report.push_str(&format!(
                "changed    {}  {} → {new}\n",
                path.display(),
                if old.is_empty() { "(none)" } else { old }
            ));
        }
    }
    if !args.check && changed > 0 {
        dudao_engine::files::write_atomically(&args.plan, text.as_bytes())
            .map_err(|error| Failure::unexpected(anyhow::anyhow!("cannot write `{}`: {error}", args.plan.display())))?;
        report.push_str(&format!("wrote {changed} new pin(s) to {}\n", args.plan.display()));
    }
    emit(None, &report)?;
    Ok(if args.check && changed > 0 { Exit::Failure } else { Exit::Success })
}
