//! Output files: every command writes through [`write_atomically`], so a reader never sees a
//! half-written file and a failed write leaves the old file intact.

use std::io::Write;
use std::path::Path;

/// Writes `content` to `path` atomically: into a temporary file beside it, then renamed over
/// it, so a reader never sees a half-written file and a failure leaves the old file intact.
///
/// # Errors
///
/// The I/O error, if the temporary file cannot be written or renamed.
pub fn write_atomically(path: &Path, content: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |out| out.write_all(content))
}

/// Writes what `write` produces to `path` atomically, as [`write_atomically`] does, without
/// holding the whole content in memory: `write` gets a buffered writer into the temporary file.
/// If `write` fails, the temporary file is removed and `path` is left as it was.
///
/// # Errors
///
/// The I/O error of `write`, or of writing, flushing or renaming the temporary file.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(directory)?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    #[cfg(unix)]
    {
        // Temporary files are private; the result is an ordinary file others may read.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |existing| existing.permissions().mode());
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
