//! Instances come from a pool whose memory is reused: each unit must still see a fresh,
//! zeroed memory and freshly initialised data, however many units ran in the slot before.

use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::{Limits, Sandbox};
use rules_sdk::wire::{Level, Status};

use crate::support::{self, WAT_MANIFEST, wat_bytes};

/// A pack whose result value is what it finds in memory: the byte at 40000, the bytes at the
/// start of the first and of the last of 300 pages it grows (the last lies past the
/// [`KEEP_RESIDENT`](dudao_engine::instances::KEEP_RESIDENT) bytes reset in place, so both ways
/// of resetting are crossed), and whether its data segment still holds the digit it was written
/// with. It then scribbles over all three, so a unit that saw another unit's memory
/// reports a value other than 0.
fn leak_probe() -> String {
    let output = br#"{"ok":{"results":[{"subject":"S1","indicator":"wat.students","value":0,"status":"met"}]}}"#;
    let digit = output.iter().position(|&byte| byte == b'0').expect("a digit") as i32 + 16384;
    format!(
        r#"(module
  (memory (export "memory") 2)
  (global $bump (mut i32) (i32.const 65536))
  (data (i32.const 1024) "{manifest}")
  (data (i32.const 16384) "{output}")
  (func (export "dudao_abi_version") (result i32) (i32.const 0x10001))
  (func (export "dudao_alloc") (param $len i32) (result i32) (local $ptr i32)
    (local.set $ptr (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get $len)))
    (local.get $ptr))
  (func (export "dudao_free") (param i32 i32))
  (func (export "dudao_describe") (result i64) (i64.const {manifest_packed}))
  (func (export "dudao_evaluate") (param i32 i32) (result i64) (local $seen i32) (local $page i32)
    (local.set $page (i32.mul (memory.grow (i32.const 300)) (i32.const 65536)))
    (local.set $seen
      (i32.add (i32.load8_u (i32.const 40000))
        (i32.add (i32.add (i32.load8_u (local.get $page)) (i32.load8_u (i32.add (local.get $page) (i32.const {last}))))
          (i32.sub (i32.load8_u (i32.const {digit})) (i32.const 48)))))
    (i32.store8 (i32.const {digit}) (i32.add (i32.const 48) (local.get $seen)))
    (i32.store8 (i32.const 40000) (i32.const 1))
    (i32.store8 (local.get $page) (i32.const 1))
    (i32.store8 (i32.add (local.get $page) (i32.const {last})) (i32.const 1))
    (i64.const {packed})))"#,
        manifest = wat_bytes(WAT_MANIFEST.as_bytes()),
        manifest_packed = ((1024_u64 << 32) | WAT_MANIFEST.len() as u64) as i64,
        output = wat_bytes(output),
        digit = digit,
        last = 299 * 65536,
        packed = ((16384_u64 << 32) | output.len() as u64) as i64,
    )
}

#[test]
fn nothing_written_by_one_unit_is_seen_by_the_next() {
    let dir = tempfile::tempdir().expect("folder");
    let path = dir.path().join("probe.wasm");
    std::fs::write(&path, support::wat(&leak_probe())).expect("module");
    for threads in [1, 2] {
        let sandbox = Sandbox::new(Limits::default()).expect("sandbox");
        let pack = LoadedPack::load(&sandbox, &path).expect("loads");
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let values: Vec<Option<f64>> = pool.install(|| {
            use rayon::prelude::*;
            (0..400)
                .into_par_iter()
                .map(|_| {
                    let (result, _) = pack.evaluate(&sandbox, Level::School, "S1", br#"{"level":"school"}"#);
                    let results = result.expect("evaluates");
                    assert_eq!(results[0].status, Status::Met);
                    results[0].value
                })
                .collect()
        });
        assert!(values.iter().all(|value| *value == Some(0.0)), "{threads} thread(s): {values:?}");
    }
}
