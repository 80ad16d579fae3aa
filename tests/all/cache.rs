//! The cache of compiled packs: a hit gives the same pack, and a corrupted, truncated, foreign
//! or incompatible entry is detected and replaced, never loaded.

use dudao_engine::cache::{CacheOutcome, ModuleCache};
use dudao_engine::sandbox::{Limits, Sandbox};

use crate::support;

fn only_entry(dir: &std::path::Path) -> std::path::PathBuf {
    let entries: Vec<_> =
        std::fs::read_dir(dir).expect("cache folder").map(|entry| entry.expect("entry").path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

#[test]
fn a_cached_pack_is_loaded_instead_of_compiled_and_evaluates_the_same() {
    let dir = tempfile::tempdir().expect("folder");
    let cache = ModuleCache::new(dir.path());
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    let bytes = std::fs::read(support::quality_balance()).expect("pack");
    let (_, first) = cache.compile(sandbox.engine(), &bytes).expect("compiles");
    assert_eq!(first, CacheOutcome::Miss);
    let (_, second) = cache.compile(sandbox.engine(), &bytes).expect("loads");
    assert_eq!(second, CacheOutcome::Hit);

    // Through the sandbox: the same results with and without the cache.
    let data = support::fixture("jiaozuo");
    let settings = dudao_engine::round::RunSettings { cache: Some(cache.clone()), ..Default::default() };
    let cached = dudao_engine::round::run_packs(&[support::quality_balance()], &data, &settings).expect("runs");
    let plain =
        dudao_engine::round::run_packs(&[support::quality_balance()], &data, &Default::default()).expect("runs");
    assert_eq!(dudao_publish::results::csv(&cached), dudao_publish::results::csv(&plain));
}

#[test]
fn a_corrupted_truncated_or_foreign_cache_entry_is_replaced_not_trusted() {
    let dir = tempfile::tempdir().expect("folder");
    let cache = ModuleCache::new(dir.path());
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    let bytes = std::fs::read(support::quality_balance()).expect("pack");
    cache.compile(sandbox.engine(), &bytes).expect("compiles");
    let entry = only_entry(dir.path());
    let good = std::fs::read(&entry).expect("entry");

    // One flipped byte in the compiled code.
    let mut corrupted = good.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x5a;
    std::fs::write(&entry, &corrupted).expect("corrupt");
    let (module, outcome) = cache.compile(sandbox.engine(), &bytes).expect("recompiles");
    assert_eq!(outcome, CacheOutcome::Replaced);
    assert!(module.get_export("dudao_evaluate").is_some());
    assert_eq!(std::fs::read(&entry).expect("rewritten"), good);

    // Cut short.
    std::fs::write(&entry, &good[..good.len() / 3]).expect("truncate");
    assert_eq!(cache.compile(sandbox.engine(), &bytes).expect("recompiles").1, CacheOutcome::Replaced);

    // Another module's entry under this module's name: its header names the other module.
    let other = support::wat(
        r#"(module (memory (export "memory") 1)
             (func (export "dudao_abi_version") (result i32) i32.const 0x10001))"#,
    );
    let other_dir = tempfile::tempdir().expect("folder");
    let other_cache = ModuleCache::new(other_dir.path());
    other_cache.compile(sandbox.engine(), &other).expect("compiles");
    std::fs::copy(only_entry(other_dir.path()), &entry).expect("plant");
    let (module, outcome) = cache.compile(sandbox.engine(), &bytes).expect("recompiles");
    assert_eq!(outcome, CacheOutcome::Replaced);
    assert!(module.get_export("dudao_describe").is_some(), "the planted module was loaded");

    // An engine with other settings does not use this entry.
    let mut config = wasmtime::Config::new();
    config.consume_fuel(false);
    let engine = wasmtime::Engine::new(&config).expect("engine");
    assert_eq!(cache.compile(&engine, &bytes).expect("compiles").1, CacheOutcome::Miss);
}

#[cfg(unix)]
#[test]
fn a_cache_folder_others_may_write_to_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("folder");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let cache = ModuleCache::new(dir.path());
    let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
    let bytes = std::fs::read(support::quality_balance()).expect("pack");
    assert_eq!(cache.compile(sandbox.engine(), &bytes).expect("compiles").1, CacheOutcome::Miss);
    assert_eq!(std::fs::read_dir(dir.path()).expect("folder").count(), 0, "nothing is written there");
}
