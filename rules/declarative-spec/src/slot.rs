//! How a checked spec travels inside the interpreter module: a reserved, marked buffer.
//!
//! The interpreter (`rules/declarative`) holds one static byte array of [`CAPACITY`] bytes that
//! starts with [`MAGIC`], then a little-endian `u32` length, then that many bytes of the
//! [`Program`](crate::program::Program) as JSON, then zeros. Built as is, the length is 0 and
//! the module describes itself as the bare interpreter. `dudao build pack.toml` finds the
//! marker in the module's data segment (it must occur exactly once), writes the length and the
//! program there, and leaves every other byte of the module as it was: the module stays valid,
//! its imports and exports are unchanged, and the host's ABI check passes as for any pack.

/// The marker at the start of the buffer (32 bytes).
pub const MAGIC: &[u8; 32] = b"dudao-declarative-program-slot/1";

/// Size of the whole buffer: marker, length and program.
pub const CAPACITY: usize = 32 * 1024;

/// The largest program (JSON bytes) the buffer holds.
pub const MAX_PROGRAM: usize = CAPACITY - MAGIC.len() - 4;

/// The buffer as the interpreter is built with it: the marker, a length of 0, zeros.
pub const fn empty() -> [u8; CAPACITY] {
    let mut slot = [0u8; CAPACITY];
    let mut i = 0;
    while i < MAGIC.len() {
        slot[i] = MAGIC[i];
        i += 1;
    }
    slot
}

/// The program bytes of a buffer (`None` for the bare interpreter or a damaged length).
pub fn program(slot: &[u8]) -> Option<&[u8]> {
    let start = MAGIC.len();
    let len = u32::from_le_bytes(slot.get(start..start + 4)?.try_into().ok()?) as usize;
    if len == 0 || len > MAX_PROGRAM {
        return None;
    }
    slot.get(start + 4..start + 4 + len)
}

/// Why a program could not be written into an interpreter module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// The module does not hold the marker exactly once.
    Marker {
        /// How many times it was found.
        found: usize,
    },
    /// The marker's buffer is already filled: the module already carries a program.
    AlreadyFilled,
    /// The program is larger than the buffer.
    TooLarge {
        /// Its size.
        size: usize,
    },
}

impl std::fmt::Display for PatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatchError::Marker { found } => {
                write!(f, "the interpreter module holds the program marker {found} times instead of once")
            }
            PatchError::AlreadyFilled => write!(f, "the interpreter module already carries a program"),
            PatchError::TooLarge { size } => write!(
                f,
                "编译后的指标包有 {size} 字节，超过解释器可容纳的 {MAX_PROGRAM} 字节；请减少指标或缩短说明文字"
            ),
        }
    }
}

impl std::error::Error for PatchError {}

/// A copy of `module` carrying `program` in its buffer.
///
/// # Errors
///
/// A [`PatchError`] when the module is not a bare interpreter or the program does not fit.
pub fn patch(module: &[u8], program: &[u8]) -> Result<Vec<u8>, PatchError> {
    let places: Vec<usize> =
        module.windows(MAGIC.len()).enumerate().filter(|(_, w)| *w == MAGIC).map(|(i, _)| i).collect();
    let [at] = places[..] else { return Err(PatchError::Marker { found: places.len() }) };
    if program.len() > MAX_PROGRAM {
        return Err(PatchError::TooLarge { size: program.len() });
    }
    let body = at + MAGIC.len();
    if module.len() < at + CAPACITY || module[body..at + CAPACITY].iter().any(|byte| *byte != 0) {
        return Err(PatchError::AlreadyFilled);
    }
    let mut out = module.to_vec();
    out[body..body + 4].copy_from_slice(&(program.len() as u32).to_le_bytes());
    out[body + 4..body + 4 + program.len()].copy_from_slice(program);
    Ok(out)
}

/// The interpreter module as committed (`rules/declarative/interpreter.wasm`, the reproducible
/// build of the `declarative` crate): what `dudao build pack.toml` patches. Embedded so that
/// the `dudao` binary alone builds declarative packs.
#[cfg(feature = "authoring")]
pub const INTERPRETER: &[u8] = include_bytes!("../../declarative/interpreter.wasm");
