//! How instances get their memory: from a pool of slots that stay mapped, instead of a fresh
//! mapping per unit.
//!
//! Every unit runs in a fresh instance, and with wasmtime's default (on-demand) allocator
//! each instance maps, protects and unmaps its own linear memory: half of a national run went
//! to those system calls, and they take the process-wide memory-map lock, so a second worker
//! added nothing. The pooling allocator keeps a fixed number of instance slots mapped for the
//! life of the engine; a finished instance's memory is reset in place and the module's data
//! segments are mapped copy-on-write. Each unit still sees a fresh memory — the module's image
//! and zeros, exactly as if newly mapped; the tests check that nothing written by one unit is
//! visible to the next — and every limit still holds per instance.
//!
//! Resetting: on Linux 6.7 and later the `PAGEMAP_SCAN` ioctl tells which pages the finished
//! instance wrote, and only those are restored (zeroed, or copied back from the image), up to
//! [`KEEP_RESIDENT`] bytes; the pages stay mapped, so the next unit takes no page faults.
//! A unit touches a few dozen pages of a Rust pack's 1 MiB stack and heap: resetting them is a
//! few kilobytes of copying where zeroing the whole kept-resident region was a megabyte.
//! Where the ioctl is missing (older kernels, other systems) wasmtime zeroes the first
//! [`KEEP_RESIDENT`] bytes and returns the rest to the kernel, as before.
//!
//! Slots bound how many instances may be alive at once: [`SLOTS`] is far more than the
//! workers of any run (each worker holds one instance at a time), and each slot only reserves
//! address space until used.

use wasmtime::{Config, Enabled, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Instance slots in the pool.
pub const SLOTS: u32 = 256;

/// Most bytes of each linear memory that stay resident between instances and are reset in
/// place (cheaper than returning them to the kernel and faulting them in again). With
/// `PAGEMAP_SCAN` only the pages an instance wrote count; without it, this many bytes at the
/// start of memory are zeroed on every reset, so it must stay small there.
pub const KEEP_RESIDENT: usize = 16 << 20;

/// Bytes kept resident and zeroed when `PAGEMAP_SCAN` is not available.
const KEEP_RESIDENT_WITHOUT_SCAN: usize = 1 << 20;

/// Configures the pooling allocator for instances of at most `memory_bytes` of linear memory
/// and tables of at most `max_table_elements`.
pub(crate) fn configure(config: &mut Config, memory_bytes: usize, max_table_elements: usize) {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(SLOTS)
        .total_memories(SLOTS)
        .total_tables(SLOTS)
        // The slot may hold all of a 32-bit memory; the cap itself is the store's limiter's, so
        // that a module asking for more than the cap gets the named memory-limit error.
        .max_memory_size(memory_bytes.max(1 << 32))
        .table_elements(max_table_elements)
        .table_keep_resident(64 << 10);
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes).linear_memory_keep_resident(KEEP_RESIDENT);
    } else {
        pool.linear_memory_keep_resident(KEEP_RESIDENT_WITHOUT_SCAN);
    }
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool)).memory_init_cow(true);
}
