//! The packs' allocator: a heap inside the module's initial memory, grown only when a unit
//! needs more.
//!
//! Rust's default WebAssembly allocator (dlmalloc) takes its heap from `memory.grow`, so every
//! unit — a fresh instance — grew its memory by at least a page. The host resets a finished
//! instance's memory in place (`host/engine/src/instances.rs`), and shrinking a grown memory
//! back to its initial size is an `mprotect` system call, which takes the process-wide
//! memory-map lock and makes the kernel interrupt the other core to flush its TLB: the second
//! worker thread was spent waiting in the kernel.
//!
//! Here the heap starts as an arena of [`ARENA_BYTES`] in the module's zero-initialised data
//! (`.bss`, part of the initial memory: no `memory.grow`, nothing to protect again), managed by
//! the `talc` allocator. Only a unit that needs more than the arena grows memory, as before.
//! The arena costs nothing until touched: the host maps memory lazily and resets only the
//! pages a unit wrote.

#![allow(unsafe_code)]

use core::alloc::Layout;
use core::ptr::NonNull;

use talc::base::Talc;
use talc::base::binning::Binning;
use talc::source::Source;
use talc::wasm::WasmBinning;

/// Bytes of the heap inside the initial memory. Our choice, measured on the national datasets
/// (2026-12-06): no unit of the four standard packs grows memory with it (the whole four-pack
/// run makes 50 `mprotect` calls, the host's own, as with the 8 MiB arena before). Smaller is
/// faster: the host's reset scans the page table of the whole initial memory after every unit
/// (`PAGEMAP_SCAN`), and 8 MiB made that scan and the kernel's page walk about a tenth of a
/// sandboxed evaluation; the 2 MiB arena made the national runs 1.1–1.2× faster.
pub const ARENA_BYTES: usize = 2 << 20;

/// Where the heap's memory comes from: the arena first, then `memory.grow`.
#[derive(Debug)]
pub struct ArenaThenGrow {
    /// The arena, until it is claimed.
    arena: Option<(*mut u8, usize)>,
    /// The end of the last grown region, to extend it when memory grows again.
    end: Option<NonNull<u8>>,
}

/// WebAssembly's page size.
const PAGE_BYTES: usize = 64 << 10;

impl ArenaThenGrow {
    /// A source whose first region is `arena`.
    ///
    /// # Safety
    ///
    /// `arena` must be valid for reads and writes of `size` bytes for the life of the program
    /// and used by nothing else.
    pub const unsafe fn new(arena: *mut u8, size: usize) -> Self {
        Self { arena: Some((arena, size)), end: None }
    }
}

// SAFETY: `acquire` claims only the arena (valid by `new`'s contract) and pages `memory.grow`
// has just added, which nothing else uses.
unsafe impl Source for ArenaThenGrow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        if let Some((base, size)) = talc.source.arena.take() {
            // SAFETY: by `new`'s contract.
            if unsafe { talc.claim(base, size) }.is_some() {
                return Ok(());
            }
        }
        grow(talc, layout)
    }
}

/// Grows memory by enough pages for `layout` (and the allocator's bookkeeping) and gives them
/// to `talc`, extending the last grown region when the new pages follow it.
fn grow<B: Binning>(talc: &mut Talc<ArenaThenGrow, B>, layout: Layout) -> Result<(), ()> {
    let pages = (layout.size() + layout.align() + 4 * 1024).div_ceil(PAGE_BYTES).max(16);
    let previous = core::arch::wasm32::memory_grow(0, pages);
    if previous == usize::MAX {
        return Err(());
    }
    let base = (previous * PAGE_BYTES) as *mut u8;
    let bytes = pages * PAGE_BYTES;
    let new_end = base.wrapping_add(bytes);
    if let Some(end) = talc.source.end.take() {
        if end.as_ptr() == base {
            // SAFETY: `end` is the end of the heap's last region and the pages after it are new.
            talc.source.end = Some(unsafe { talc.extend(end, new_end) });
            return Ok(());
        }
    }
    // SAFETY: the pages were just added to memory and nothing else uses them.
    talc.source.end = unsafe { talc.claim(base, bytes) };
    Ok(())
}

/// The global allocator of every pack built with the SDK.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::cell::TalcSyncCell<ArenaThenGrow, WasmBinning> = {
    static mut ARENA: [core::mem::MaybeUninit<u8>; ARENA_BYTES] = [core::mem::MaybeUninit::uninit(); ARENA_BYTES];
    // SAFETY: the arena is the allocator's alone.
    talc::cell::TalcSyncCell::new_wasm(unsafe { ArenaThenGrow::new((&raw mut ARENA).cast(), ARENA_BYTES) })
};
