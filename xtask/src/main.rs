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
const PACK_CRATES: [&str; 8] = [
    "rules/quality-balance",
    "rules/government-duty",
    "rules/school-supervision",
    "rules/quality-monitoring",
    "rules/local/wenxian-taiji",
    "rules/local/xiuwu-afterschool",
    "rules/declarative",
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
        Some("fuzz") => fuzz(&root, &args[1..]),
        Some("interpreter") => packs(&root).and_then(|()| interpreter(&root)),
        _ => Err("usage: cargo xtask packs|demo|test|fixtures|bench|fuzz|interpreter|serve".to_owned()),
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

/// Refreshes the committed interpreter of declarative packs (`rules/declarative/interpreter.wasm`,
/// embedded in `dudao`) from its reproducible build; commit the file after a change to
/// `rules/declarative` or `rules/declarative-spec`.
fn interpreter(root: &Path) -> Result<(), String> {
    let built = root.join("target/packs/declarative.wasm");
    let committed = root.join("rules/declarative/interpreter.wasm");
    std::fs::copy(&built, &committed).map_err(|error| format!("cannot copy {}: {error}", built.display()))?;
    eprintln!("xtask: {} updated; rebuild dudao to embed it", committed.display());
    Ok(())
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
            .args(["run", "--quiet", "--package", "dudao", "--", "demo", "--data-dir"])
            .arg(&data)
            .args(extra),
        "dudao demo",
    )
}

fn test(root: &Path, extra: &[String]) -> Result<(), String> {
    status(cargo().current_dir(root).args(["test", "--workspace"]).args(extra), "cargo test")
}

/// `cargo xtask fuzz [TARGET…] [--seconds S] [--executions N] [--seed N]`: every fuzz target
/// (or those named) for 10 minutes each unless told otherwise; the smoke run of
/// `cargo xtask test` is the same for a few seconds.
fn fuzz(root: &Path, extra: &[String]) -> Result<(), String> {
    let mut args: Vec<String> = extra.to_vec();
    const TARGETS: [&str; 8] = ["all", "module", "output", "manifest", "plan", "csv", "json", "xlsx"];
    if !args.iter().any(|arg| TARGETS.contains(&arg.as_str())) {
        args.insert(0, "all".to_owned());
    }
    if !args.iter().any(|arg| arg == "--seconds") {
        args.extend(["--seconds".to_owned(), "600".to_owned()]);
    }
    status(
        cargo().current_dir(root).args(["run", "--quiet", "--package", "dudao-fuzz", "--"]).args(&args),
        "dudao-fuzz",
    )
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

/// Units a quality-balance run over the national dataset evaluates: every county and school.
fn national_units(counties: &str, per_county: &str) -> f64 {
    let counties: f64 = counties.parse().unwrap_or(0.0);
    counties * (1.0 + per_county.parse::<f64>().unwrap_or(0.0))
}

/// Generates a national dataset into `dir` (`extra`: `--all-packs`, `--seed N`).
fn generate_national(root: &Path, dir: &Path, counties: &str, per_county: &str, extra: &[&str]) -> Result<(), String> {
    status(
        cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--release", "--package", "dudao-fixtures", "--", "national"])
            .arg(dir)
            .args(["--counties", counties, "--schools-per-county", per_county])
            .args(extra),
        "generating a national dataset",
    )
}

/// One measured `dudao run`: which binary, how many threads, the figures, and its output.
struct Measured<'a> {
    label: &'a str,
    threads: &'a str,
    run: Timed,
    output: Vec<u8>,
}

/// Runs `args` (a `dudao run` without `--threads` and `--output`) with every binary at 1 and 2
/// threads, each old run right after the new one, and prints each run, the 2-thread speed-up,
/// whether outputs are byte-identical across thread counts, and new against old. An old
/// binary that cannot run `args` is reported and skipped.
fn side_by_side<'a>(
    root: &Path,
    binaries: &'a [(&'a str, PathBuf)],
    what: &str,
    args: &[&str],
) -> Result<Vec<Measured<'a>>, String> {
    let mut measured = Vec::new();
    for threads in ["1", "2"] {
        for (label, binary) in binaries {
            let out = root.join(format!("target/bench/{}-{label}-{threads}.csv", what.replace(' ', "-")));
            let out_arg = out.display().to_string();
            let mut full = args.to_vec();
            full.extend(["--threads", threads, "--output", &out_arg]);
            match timed(binary, &full, &[("DUDAO_CACHE", "off")], root) {
                Ok(run) => {
                    println!("{label}: {what}, {threads} thread(s): {:.2} s, peak {}", run.seconds, mib(&run));
                    let output = std::fs::read(&out).map_err(|error| error.to_string())?;
                    measured.push(Measured { label, threads, run, output });
                }
                Err(error) if *label == "old" => println!("old: cannot run {what} ({error})"),
                Err(error) => return Err(error),
            }
        }
    }
    let find = |label: &str, threads: &str| measured.iter().find(|m| m.label == label && m.threads == threads);
    for (label, _) in binaries {
        if let (Some(one), Some(two)) = (find(label, "1"), find(label, "2")) {
            println!("{label}: {what}: speed-up 2 threads / 1 thread: {:.2}×", one.run.seconds / two.run.seconds);
            println!("{label}: {what}: outputs byte-identical across thread counts: {}", one.output == two.output);
        }
    }
    for threads in ["1", "2"] {
        if let (Some(new), Some(old)) = (find("new", threads), find("old", threads)) {
            println!(
                "{what}, {threads} thread(s): new is {:.2}× the speed of old; outputs identical: {}",
                old.run.seconds / new.run.seconds,
                new.output == old.output
            );
        }
    }
    Ok(measured)
}

/// The standard packs as built by `packs`, relative to the workspace root.
const STANDARD_PACK_PATHS: [&str; 4] = [
    "target/packs/quality-balance.wasm",
    "target/packs/government-duty.wasm",
    "target/packs/school-supervision.wasm",
    "target/packs/quality-monitoring.wasm",
];

/// One timed run of a command: wall seconds, peak resident memory (MiB, when `/usr/bin/time`
/// is there to measure it) and whether it succeeded.
struct Timed {
    seconds: f64,
    peak_mib: Option<f64>,
    /// User and system CPU seconds: on a shared machine the wall time also counts waiting for a
    /// core, the CPU time does not.
    cpu_seconds: Option<f64>,
}

fn timed(binary: &Path, args: &[&str], envs: &[(&str, &str)], root: &Path) -> Result<Timed, String> {
    let time = Path::new("/usr/bin/time");
    let report = root.join("target/bench/time.txt");
    let mut command = if time.exists() {
        let mut command = Command::new(time);
        command.arg("-f").arg("%M %U %S").arg("-o").arg(&report).arg(binary);
        command
    } else {
        Command::new(binary)
    };
    command.args(args).current_dir(root).stdout(std::process::Stdio::null());
    for (name, value) in envs {
        command.env(name, value);
    }
    let start = Instant::now();
    let status = command.status().map_err(|error| format!("cannot run {}: {error}", binary.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{} {} failed ({status})", binary.display(), args.join(" ")));
    }
    let report = std::fs::read_to_string(&report).unwrap_or_default();
    let fields: Vec<f64> = report
        .trim()
        .lines()
        .last()
        .map(|line| line.split_whitespace().filter_map(|field| field.parse().ok()).collect())
        .unwrap_or_default();
    let (peak_mib, cpu_seconds) = match fields[..] {
        [kib, user, system] => (Some(kib / 1024.0), Some(user + system)),
        _ => (None, None),
    };
    Ok(Timed { seconds, peak_mib, cpu_seconds })
}

/// Peak memory and CPU time of a measured run, for its line.
fn mib(timed: &Timed) -> String {
    let peak = timed.peak_mib.map_or_else(|| "n/a".to_owned(), |mib| format!("{mib:.0} MiB"));
    match timed.cpu_seconds {
        Some(cpu) => format!("{peak}, CPU {cpu:.2} s"),
        None => peak,
    }
}

/// Whole-process figures, side by side in one run: `dudao run` over a national-scale dataset
/// at 1 and 2 threads (peak memory, byte-identical outputs), and the Jiaozuo round cold and
/// with a warm cache of compiled packs. `--baseline OLD_DUDAO` runs an older binary on the
/// same inputs right after each measurement, for ratios.
fn bench(root: &Path, extra: &[String]) -> Result<(), String> {
    let mut positional = Vec::new();
    let mut baseline = None;
    let mut args = extra.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--baseline" => baseline = Some(PathBuf::from(args.next().ok_or("--baseline needs a binary")?)),
            other => positional.push(other.to_owned()),
        }
    }
    let counties = positional.first().cloned().unwrap_or_else(|| "2800".to_owned());
    let per_county = positional.get(1).cloned().unwrap_or_else(|| "70".to_owned());
    let data = root.join("target/bench/national");
    generate_national(root, &data, &counties, &per_county, &[])?;
    status(cargo().current_dir(root).args(["build", "--quiet", "--release", "--package", "dudao"]), "building dudao")?;
    let binary = root.join("target/release/dudao");
    let binaries: Vec<(&str, PathBuf)> =
        std::iter::once(("new", binary)).chain(baseline.map(|old| ("old", old))).collect();
    let data_arg = data.display().to_string();
    let dataset_mib = std::fs::read_dir(&data)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum::<u64>())
        .unwrap_or(0) as f64
        / (1 << 20) as f64;
    println!("national dataset: {counties} counties × {per_county} schools, {dataset_mib:.1} MiB of CSV");
    let args = ["run", "--pack", STANDARD_PACK_PATHS[0], "--format", "csv", "--data", &data_arg];
    let units = national_units(&counties, &per_county);
    for m in side_by_side(root, &binaries, "quality-balance national", &args)? {
        let threads: f64 = m.threads.parse().unwrap_or(1.0);
        println!(
            "{}: quality-balance at {threads} thread(s): {:.0} units/s, {:.0} units/s per core",
            m.label,
            units / m.run.seconds,
            units / m.run.seconds / threads
        );
    }
    // The four standard packs, over the same national dataset with every pack's columns and a
    // previous period drawn with another seed (the value-added indicators need one).
    let plan_data = root.join("target/bench/national-plan");
    let previous = root.join("target/bench/national-plan-previous");
    generate_national(root, &plan_data, &counties, &per_county, &["--all-packs"])?;
    generate_national(root, &previous, &counties, &per_county, &["--all-packs", "--seed", "2415919105"])?;
    let (plan_arg, previous_arg) = (plan_data.display().to_string(), previous.display().to_string());
    let mut args = vec!["run"];
    for pack in STANDARD_PACK_PATHS {
        args.extend(["--pack", pack]);
    }
    args.extend(["--previous-data", &previous_arg, "--data", &plan_arg, "--format", "csv"]);
    side_by_side(root, &binaries, "four standard packs national", &args)?;
    // The Jiaozuo round: compiling the six packs dominates a cold start.
    let cache = root.join("target/bench/cache");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).map_err(|error| error.to_string())?;
    let cache_arg = cache.display().to_string();
    let round = ["run", "--plan", "fixtures/plans/jiaozuo-2026.toml", "--data", "fixtures/jiaozuo", "--format", "csv"];
    for (label, binary) in &binaries {
        // An older binary may not read today's plan (new fields): say so and go on.
        match timed(binary, &round, &[("DUDAO_CACHE", "off")], root) {
            Ok(off) => println!("{label}: Jiaozuo 2026 round, no cache: {:.2} s", off.seconds),
            Err(error) if *label == "old" => println!("old: cannot run today's Jiaozuo plan ({error})"),
            Err(error) => return Err(error),
        }
    }
    let cold = timed(&binaries[0].1, &round, &[("DUDAO_CACHE_DIR", &cache_arg)], root)?;
    let warm = timed(&binaries[0].1, &round, &[("DUDAO_CACHE_DIR", &cache_arg)], root)?;
    println!(
        "new: Jiaozuo 2026 round, cold cache {:.2} s, warm cache {:.2} s ({:.0}% of cold)",
        cold.seconds,
        warm.seconds,
        100.0 * warm.seconds / cold.seconds
    );
    Ok(())
}
