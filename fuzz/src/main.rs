//! `dudao-fuzz TARGET… [--executions N] [--seconds S] [--seed N]`: fuzzes dudao's sandbox
//! and parsers (see the library's documentation for the targets and properties). Exits 1 when
//! an input panicked the host or overran its time bound; such inputs are written to
//! `fuzz/crashes/<target>/`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let mut targets = Vec::new();
    let (mut executions, mut seconds, mut seed) = (u64::MAX, 60_u64, 1_u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> anyhow::Result<u64> {
            args.next().with_context(|| format!("{name} needs a value"))?.parse().with_context(|| name.to_owned())
        };
        match arg.as_str() {
            "--executions" => executions = value("--executions")?,
            "--seconds" => seconds = value("--seconds")?,
            "--seed" => seed = value("--seed")?,
            "all" => targets.extend(dudao_fuzz::TARGETS.map(str::to_owned)),
            other if other.starts_with('-') => bail!("unknown option `{other}`"),
            other => targets.push(other.to_owned()),
        }
    }
    if targets.is_empty() {
        bail!(
            "usage: dudao-fuzz TARGET…|all [--executions N] [--seconds S] [--seed N]; targets: {}",
            dudao_fuzz::TARGETS.join(", ")
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut clean = true;
    for name in &targets {
        let target = dudao_fuzz::Target::new(name).map_err(|error| anyhow::anyhow!(error.0))?;
        let corpus = dudao_fuzz::corpus_of(root, name);
        let report = dudao_fuzz::fuzz(&target, &corpus, executions, Duration::from_secs(seconds), seed);
        println!(
            "{name}: {} executions reached the host ({} generated inputs did not), {} accepted, {} panics, {} over the time bound, slowest {:.1} ms, peak RSS {} MiB",
            report.executions,
            report.unreached,
            report.accepted,
            report.panics.len(),
            report.hangs.len(),
            report.slowest.as_secs_f64() * 1000.0,
            report.peak_rss_kib.map_or_else(|| "?".to_owned(), |kib| (kib / 1024).to_string()),
        );
        for (reason, count) in &report.unreached_because {
            println!("  not reached, {reason}: {count}");
        }
        if report.stages.len() > 1 {
            for (stage, count) in &report.stages {
                println!("  {stage}: {count}");
            }
        }
        let crashes = root.join("crashes").join(name);
        let mut messages: Vec<&str> = report.panics.iter().map(|(_, message)| message.as_str()).collect();
        messages.sort_unstable();
        messages.dedup();
        for message in messages.iter().take(10) {
            println!("  panic: {message}");
        }
        let inputs = report.panics.iter().map(|(data, _)| data).chain(report.hangs.iter().map(|(data, _)| data));
        for (index, data) in inputs.enumerate().take(20) {
            std::fs::create_dir_all(&crashes)?;
            let path = crashes.join(format!("seed{seed}-{index:04}"));
            std::fs::write(&path, data)?;
            println!("  written {}", path.display());
            clean = false;
        }
    }
    Ok(clean)
}
