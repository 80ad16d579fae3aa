//! The guest side of pack ABI version 1: the only module of the SDK that touches raw memory.
//!
//! [`export_pack!`](crate::export_pack) expands to six exported functions that forward here:
//!
//! | export | signature | meaning |
//! |---|---|---|
//! | `dudao_abi_version` | `() -> i32` | `(major << 16) \| minor` |
//! | `dudao_alloc` | `(len: i32) -> i32` | a buffer of `len` bytes the host may fill; 0 when out of memory |
//! | `dudao_free` | `(ptr: i32, len: i32)` | gives back a buffer from `dudao_alloc` or an output |
//! | `dudao_describe` | `() -> i64` | the manifest as JSON, packed `(ptr << 32) \| len` |
//! | `dudao_evaluate` | `(ptr: i32, len: i32) -> i64` | a [`Unit`](crate::Unit) in, an [`Output`](crate::wire::Output) out |
//! | `dudao_evaluate_compact` | `(ptr: i32, len: i32) -> i64` | the same, the output in the [compact encoding](crate::compact) (ABI 1.2) |
//!
//! Ownership: the input buffer of `dudao_evaluate` passes to the guest, which frees it; the
//! output buffer belongs to the guest until the host calls `dudao_free` on it (the host may
//! instead discard the whole instance). A panic is reported through the `dudao.fail` import
//! before the module traps, so the host can show the panic message.
#![allow(unsafe_code)]

use crate::Pack;
use crate::wire::{AbiVersion, Output, Unit};

#[cfg(target_arch = "wasm32")]
mod host {
    #[link(wasm_import_module = "dudao")]
    unsafe extern "C" {
        /// `dudao.log(level, ptr, len)`: one UTF-8 log line.
        #[link_name = "log"]
        pub fn log(level: i32, ptr: *const u8, len: usize);
        /// `dudao.fail(ptr, len)`: the UTF-8 message of the trap that follows.
        #[link_name = "fail"]
        pub fn fail(ptr: *const u8, len: usize);
    }
}

/// Sends a log line to the host (standard error when native).
pub fn host_log(level: i32, message: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the pointer and length describe a live UTF-8 string for the duration of the call.
    unsafe {
        host::log(level, message.as_ptr(), message.len());
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[pack log {level}] {message}");
}

fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                let text = info.payload_as_str().unwrap_or("the pack panicked");
                let message = match info.location() {
                    Some(place) => format!("{text} (at {}:{})", place.file(), place.line()),
                    None => text.to_owned(),
                };
                // SAFETY: as in `host_log`.
                unsafe { host::fail(message.as_ptr(), message.len()) };
            }));
        });
    }
}

/// Body of the `dudao_abi_version` export.
pub fn abi_version() -> i32 {
    AbiVersion::CURRENT.packed()
}

/// Body of the `dudao_alloc` export.
pub fn alloc(len: i32) -> i32 {
    install_panic_hook();
    let Ok(len) = usize::try_from(len) else { return 0 };
    let mut buffer = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr as usize as i32
}

/// Body of the `dudao_free` export.
///
/// # Safety
///
/// `ptr` and `len` must come from `dudao_alloc` or from a packed output of this module, and
/// must not be freed twice.
pub unsafe fn free(ptr: i32, len: i32) {
    if ptr == 0 {
        return;
    }
    let len = usize::try_from(len).unwrap_or(0);
    // SAFETY: the caller hands back a buffer this module allocated with capacity `len.max(1)`.
    drop(unsafe { Vec::from_raw_parts(ptr as usize as *mut u8, 0, len.max(1)) });
}

/// Body of the `dudao_describe` export.
pub fn describe<P: Pack>() -> i64 {
    install_panic_hook();
    let json = serde_json::to_vec(&P::manifest()).expect("a manifest always serialises");
    leak(json)
}

/// Body of the `dudao_evaluate` export.
///
/// # Safety
///
/// `ptr` and `len` must describe a buffer from `dudao_alloc` that the host filled.
pub unsafe fn evaluate<P: Pack>(ptr: i32, len: i32) -> i64 {
    // SAFETY: passed on from our caller.
    let output = unsafe { evaluate_input::<P>(ptr, len) };
    leak(serde_json::to_vec(&output).expect("an output always serialises"))
}

/// Body of the `dudao_evaluate_compact` export (ABI 1.2): as [`evaluate`], the output in the
/// [compact encoding](crate::compact), which a host of ABI 1.2 or later calls instead.
///
/// # Safety
///
/// As [`evaluate`].
pub unsafe fn evaluate_compact<P: Pack>(ptr: i32, len: i32) -> i64 {
    // SAFETY: passed on from our caller.
    let output = unsafe { evaluate_input::<P>(ptr, len) };
    leak(crate::compact::encode(&output))
}

/// Takes the input buffer the host filled and evaluates it.
///
/// # Safety
///
/// As [`evaluate`].
unsafe fn evaluate_input<P: Pack>(ptr: i32, len: i32) -> Output {
    install_panic_hook();
    let len = usize::try_from(len).unwrap_or(0);
    // SAFETY: the host filled `len` bytes of a buffer of capacity `len.max(1)` from `alloc`,
    // and its ownership passes to us here.
    let input = unsafe { Vec::from_raw_parts(ptr as usize as *mut u8, len, len.max(1)) };
    evaluate_bytes::<P>(&input)
}

/// Decodes a unit, evaluates it and wraps the outcome: the whole ABI call minus the memory
/// handling, so it can be tested natively.
pub fn evaluate_bytes<P: Pack>(input: &[u8]) -> Output {
    match serde_json::from_slice::<Unit>(input) {
        Ok(unit) => match P::evaluate(&unit) {
            Ok(results) => Output::Ok { results },
            Err(error) => Output::Error { message: error.message().to_owned() },
        },
        Err(error) => Output::Error { message: format!("the unit sent by the host is not valid: {error}") },
    }
}

fn leak(bytes: Vec<u8>) -> i64 {
    let mut bytes = bytes.into_boxed_slice();
    let len = bytes.len() as i64;
    let ptr = bytes.as_mut_ptr() as usize as i64;
    std::mem::forget(bytes);
    (ptr << 32) | len
}

/// Exports a [`Pack`](crate::Pack) implementation as an ABI version 1 WebAssembly module.
///
/// Use it once, at the root of the pack crate. On native targets it expands to nothing, so
/// the crate's unit tests call the pack type directly.
#[macro_export]
macro_rules! export_pack {
    ($pack:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            /// ABI export: the ABI version, `(major << 16) | minor`.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn dudao_abi_version() -> i32 {
                $crate::abi::abi_version()
            }

            /// ABI export: allocates `len` bytes for the host to fill.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn dudao_alloc(len: i32) -> i32 {
                $crate::abi::alloc(len)
            }

            /// ABI export: frees a buffer from `dudao_alloc` or an output.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn dudao_free(ptr: i32, len: i32) {
                unsafe { $crate::abi::free(ptr, len) }
            }

            /// ABI export: the manifest, packed `(ptr << 32) | len`.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn dudao_describe() -> i64 {
                $crate::abi::describe::<$pack>()
            }

            /// ABI export: evaluates the unit at `ptr..ptr+len`, returns the packed output.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn dudao_evaluate(ptr: i32, len: i32) -> i64 {
                unsafe { $crate::abi::evaluate::<$pack>(ptr, len) }
            }

            /// ABI export (1.2): as `dudao_evaluate`, the output in the compact encoding.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn dudao_evaluate_compact(ptr: i32, len: i32) -> i64 {
                unsafe { $crate::abi::evaluate_compact::<$pack>(ptr, len) }
            }
        };
    };
}
