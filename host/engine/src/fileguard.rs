//! Reading files a user names (packs, plans) with a size bound that holds for every kind of
//! file: a FIFO or a device reports a length of 0, so the length in the metadata proves
//! nothing. Only regular files are read, and never more than the limit plus one byte.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read within its bound.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BoundedReadError {
    /// It could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// It is not a regular file (a folder, FIFO, socket or device).
    #[error("it is not a regular file (it is {0})")]
    NotRegular(&'static str),
    /// It is larger than the limit.
    #[error("it is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Its size: the length the file system reports, or `limit + 1` when that is
        /// smaller (a file that grew while it was read).
        size: u64,
        /// The limit.
        limit: usize,
    },
}

fn kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() { "a folder" } else { "not a regular file" }
}

/// Reads a regular file of at most `limit` bytes.
///
/// # Errors
///
/// [`BoundedReadError::NotRegular`] for anything but a regular file (checked on the opened
/// file, and before opening so that a FIFO does not block), [`BoundedReadError::TooLarge`]
/// when more than `limit` bytes can be read.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, BoundedReadError> {
    // Before opening: opening a FIFO for reading blocks until a writer appears.
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(BoundedReadError::NotRegular(kind(before.file_type())));
    }
    let file = std::fs::File::open(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(BoundedReadError::NotRegular(kind(opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0).min(limit.saturating_add(1)));
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(BoundedReadError::TooLarge { size: opened.len().max(limit as u64 + 1), limit });
    }
    Ok(bytes)
}

/// As [`read_bounded`], with every failure as an [`std::io::Error`] (for errors that carry
/// one); the message says why.
///
/// # Errors
///
/// As [`read_bounded`].
pub fn read_bounded_io(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    read_bounded(path, limit).map_err(|error| match error {
        BoundedReadError::Io(error) => error,
        other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
    })
}

/// Largest plan file read, in bytes.
pub const MAX_PLAN_BYTES: usize = 4 << 20;
