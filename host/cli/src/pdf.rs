//! PDF copies of the HTML reports, printed by a headless Chromium exactly as an official
//! printing the HTML file would get them (A4, the reports' own print style sheet).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, anyhow};

/// Where Chromium is looked for when `--chromium` is not given, in order.
const CANDIDATES: [&str; 4] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "chromium"];

/// The Chromium to print with: the one given, else the first of [`CANDIDATES`] that exists.
///
/// # Errors
///
/// When none is found.
pub fn find_chromium(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return if path.exists() {
            Ok(path.to_owned())
        } else {
            Err(anyhow!("`--chromium {}`：找不到该程序", path.display()))
        };
    }
    for candidate in CANDIDATES {
        let path = PathBuf::from(candidate);
        if path.is_absolute() && path.exists() {
            return Ok(path);
        }
        if !path.is_absolute() && Command::new(candidate).arg("--version").output().is_ok() {
            return Ok(path);
        }
    }
    Err(anyhow!("`--pdf` 需要 Chromium 打印 PDF，但未找到（可用 `--chromium PATH` 指定）"))
}

/// Prints `html` to `pdf` (A4, no browser header or footer).
///
/// # Errors
///
/// When Chromium cannot run or writes no PDF.
pub fn print(chromium: &Path, html: &Path, pdf: &Path) -> anyhow::Result<()> {
    // A fresh profile per run, removed afterwards: Chromium refuses to share one.
    let profile = std::env::temp_dir().join(format!("dudao-chromium-{}", std::process::id()));
    let html = std::path::absolute(html).with_context(|| format!("path of {}", html.display()))?;
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .with_context(|| format!("cannot run {}", chromium.display()));
    let _ = std::fs::remove_dir_all(&profile);
    let output = output?;
    if !pdf.exists() {
        return Err(anyhow!(
            "{} wrote no PDF for {}: {}",
            chromium.display(),
            html.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}
