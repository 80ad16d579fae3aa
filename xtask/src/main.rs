//! Project tasks, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`):
//!
//! - `packs`: installs the `wasm32-unknown-unknown` target if it is missing, then builds every
//!   pack crate (and the test guests) into `target/packs/<name>.wasm`;
//! - `demo`: `packs`, then evaluates the Jiaozuo fixtures with the 2026 comprehensive plan and
//!   prints the summary;
//! - `serve`: `packs`, then the platform demo: seeds `target/platform-demo` with the Jiaozuo
//!   fixtures, one account per role and the 2026 round (run and published), prints the address
//!   and the accounts, and serves on 127.0.0.1:8080;
//! - `test`: `packs`, then runs every test of the workspace;
//! - `fixtures`: regenerates the committed fixture datasets;
//! - `bench`: measures evaluation speed on a national-scale generated dataset.
//!
//! Only the Rust toolchain is needed: everything else comes from crates.io.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Pack crates built by `packs`, relative to the workspace root.
const PACK_CRATES: [&str; 7] = [
    "rules/quality-balance",
    "rules/government-duty",
    "rules/school-supervision",
    "rules/quality-monitoring",
    "rules/local/wenxian-taiji",
    "rules/local/xiuwu-afterschool",
    "tests/guests/hostile",
];

const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned();
    let result = match args.first().map(String::as_str) {
        Some("packs") => packs(&root),
        Some("demo") => packs(&root).and_then(|()| demo(&root, &args[1..])),
        Some("serve") => packs(&root).and_then(|()| serve(&root, &args[1..])),
        Some("test") => packs(&root).and_then(|()| test(&root, &args[1..])),
        Some("fixtures") => fixtures(&root),
        Some("bench") => packs(&root).and_then(|()| bench(&root, &args[1..])),
        _ => Err("usage: cargo xtask packs|demo|serve|test|fixtures|bench".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn status(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|error| format!("cannot run {what}: {error}"))?;
    if status.success() { Ok(()) } else { Err(format!("{what} failed ({status})")) }
}

/// Installs the wasm target with rustup when the sysroot does not have it yet.
fn ensure_wasm_target() -> Result<(), String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|error| format!("cannot run rustc: {error}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(WASM_TARGET).exists() {
        return Ok(());
    }
    eprintln!("xtask: installing the {WASM_TARGET} target with rustup");
    status(Command::new("rustup").args(["target", "add", WASM_TARGET]), "rustup target add")
}

/// Builds every pack crate with `dudao build` into `target/packs`.
fn packs(root: &Path) -> Result<(), String> {
    ensure_wasm_target()?;
    for krate in PACK_CRATES {
        status(
            cargo().current_dir(root).args(["run", "--quiet", "--package", "dudao", "--", "build", krate]).args([
                "--out-dir",
                "target/packs",
                "--target-dir",
                "target/wasm",
                "--quiet",
            ]),
            &format!("building {krate}"),
        )?;
    }
    Ok(())
}

/// Evaluates the Jiaozuo fixtures as the city office would: the comprehensive round of
/// `fixtures/plans/jiaozuo-2026.toml` (every standard pack, the two county-local packs).
fn demo(root: &Path, extra: &[String]) -> Result<(), String> {
    status(
        cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--package", "dudao", "--", "run"])
            .args(["--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", "fixtures/jiaozuo"])
            .args(extra),
        "dudao run",
    )
}

/// The platform demo (督导综合管理平台), in a fresh data folder each time.
fn serve(root: &Path, extra: &[String]) -> Result<(), String> {
    let data = root.join("target/platform-demo");
    if data.exists() {
        std::fs::remove_dir_all(&data).map_err(|error| format!("cannot clear {}: {error}", data.display()))?;
    }
    status(
        cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--package", "dudao-server", "--", "demo", "--data-dir"])
            .arg(&data)
            .args(extra),
        "dudao-server demo",
    )
}

fn test(root: &Path, extra: &[String]) -> Result<(), String> {
    status(cargo().current_dir(root).args(["test", "--workspace"]).args(extra), "cargo test")
}

fn fixtures(root: &Path) -> Result<(), String> {
    for (city, out) in [
        ("jiaozuo", "fixtures/jiaozuo"),
        ("jiaozuo", "fixtures/jiaozuo.json"),
        ("jiaozuo-2025", "fixtures/jiaozuo-2025"),
        ("jiaozuo-2027", "fixtures/jiaozuo-2027"),
        ("xinxiang", "fixtures/xinxiang"),
    ] {
        status(
            cargo().current_dir(root).args(["run", "--quiet", "--package", "dudao-fixtures", "--", city, out]),
            &format!("generating {out}"),
        )?;
    }
    Ok(())
}

/// Times `dudao run` over a national-scale dataset at 1 and 2 threads, side by side.
fn bench(root: &Path, extra: &[String]) -> Result<(), String> {
    let counties = extra.first().cloned().unwrap_or_else(|| "2800".to_owned());
    let per_county = extra.get(1).cloned().unwrap_or_else(|| "70".to_owned());
    let data = root.join("target/bench/national");
    status(
        cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--release", "--package", "dudao-fixtures", "--", "national"])
            .arg(&data)
            .args(["--counties", &counties, "--schools-per-county", &per_county]),
        "generating the national dataset",
    )?;
    status(cargo().current_dir(root).args(["build", "--quiet", "--release", "--package", "dudao"]), "building dudao")?;
    let binary = root.join("target/release/dudao");
    let mut timings = Vec::new();
    for threads in ["1", "2"] {
        let out = root.join(format!("target/bench/results-{threads}.csv"));
        let start = Instant::now();
        status(
            Command::new(&binary)
                .args(["run", "--pack", "target/packs/quality-balance.wasm", "--format", "csv", "--threads", threads])
                .arg("--data")
                .arg(&data)
                .arg("--output")
                .arg(&out)
                .current_dir(root),
            "dudao run",
        )?;
        let seconds = start.elapsed().as_secs_f64();
        timings.push((threads, seconds, std::fs::read(&out).map_err(|error| error.to_string())?));
        println!("threads {threads}: {seconds:.2} s");
    }
    println!("speed-up 2 threads / 1 thread: {:.2}×", timings[0].1 / timings[1].1);
    println!("outputs byte-identical across thread counts: {}", timings[0].2 == timings[1].2);
    Ok(())
}
