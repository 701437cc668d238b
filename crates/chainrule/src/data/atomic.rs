//! Atomic file writes: readers see the old file or the new one, never half.
//!
//! The bytes go to a temporary file in the target's own directory (so the
//! final `rename` stays on one file system and is atomic), are flushed to
//! disk, and only then renamed over the target; the directory is synced
//! after the rename so the new name survives a crash. On any error the
//! temporary file is removed and the target is untouched.
//!
//! Device nodes and FIFOs are written in place (see [`write_atomic`]).
//!
//! Temporary files in flight are listed ([`remove_temps_in_flight`]), so a
//! program that must exit at once (a second Ctrl-C) can remove them first.
//! A process killed mid-write (SIGKILL, power loss) cannot remove its
//! temporary file. Temp names carry the writer's pid
//! (`.model.json.tmp-<pid>-<n>`), so the next write to the same path
//! removes those whose process is gone (on Linux, where `/proc` says so).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Temporary files this process is writing now.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file this process is writing now; for a caller
/// about to exit without unwinding (`std::process::exit` on a second
/// Ctrl-C), which runs no destructor.
pub fn remove_temps_in_flight() {
    if let Ok(list) = IN_FLIGHT.lock() {
        for tmp in list.iter() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// A temporary file in flight: listed while it lives, removed when dropped
/// unless it was renamed into place ([`Temp::renamed`]).
pub(crate) struct Temp {
    pub path: PathBuf,
    renamed: bool,
}

impl Temp {
    /// A new temp name for `target`, after removing those of dead writers.
    pub fn for_target(target: &Path) -> io::Result<Self> {
        remove_stale_temps(target);
        let path = temp_path(target)?;
        if let Ok(mut list) = IN_FLIGHT.lock() {
            list.push(path.clone());
        }
        Ok(Temp {
            path,
            renamed: false,
        })
    }

    /// Renames the file over `target`; it is then no longer a temp.
    pub fn rename_to(&mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
        if let Ok(mut list) = IN_FLIGHT.lock() {
            list.retain(|p| p != &self.path);
        }
    }
}

/// Writes `bytes` to `path` atomically (temp file in the same dir + rename).
///
/// A target that exists and is not a regular file (`/dev/stdout`, a FIFO,
/// a terminal) is written in place: renaming over it would replace the
/// device node with a file — as root, `--out /dev/null` would destroy
/// `/dev/null`. Such targets have no "old contents" to protect anyway.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, &mut |out| out.write_all(bytes))
}

/// [`write_atomic`] for output made piece by piece: `fill` writes it (to a
/// buffered temp file), so it need never be whole in memory. An error
/// from `fill` leaves the target untouched and removes the temp file.
pub fn write_atomic_with(
    path: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if let Ok(meta) = fs::metadata(path) {
        if !meta.is_file() {
            if meta.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "it is a directory; name a file inside it",
                ));
            }
            let mut target = io::BufWriter::new(File::options().write(true).open(path)?);
            fill(&mut target)?;
            return target.flush();
        }
    }
    // Dropped on every return: an error removes the temp file.
    let mut tmp = Temp::for_target(path)?;
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&tmp.path)?;
    let mut out = io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    drop(file);
    tmp.rename_to(path)?;
    sync_dir(path);
    Ok(())
}

/// Makes the rename durable: fsync the directory that holds `path`. Best
/// effort (some file systems refuse to open directories for syncing).
pub(crate) fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Removes `dir/.name.tmp-<pid>-<n>` files left by writers that died (their
/// pid no longer runs). Only where `/proc` lists processes; elsewhere stale
/// files stay until removed by hand.
fn remove_stale_temps(path: &Path) {
    let proc = Path::new("/proc/self");
    let (Some(name), true) = (path.file_name(), proc.exists()) else {
        return;
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `dir/.name.tmp-<pid>-<counter>`: unique per process and per call, so two
/// writers (threads or processes) never share a temporary file.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file path", path.display()),
        )
    })?;
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp_name = format!(
        ".{}.tmp-{}-{unique}",
        name.to_string_lossy(),
        std::process::id()
    );
    Ok(path.with_file_name(tmp_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let entries: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn stale_temps_of_dead_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        // A pid above the kernel's maximum (2^22) never runs.
        let stale = dir.path().join(".model.json.tmp-4999999-0");
        let unrelated = dir.path().join(".other.json.tmp-4999999-0");
        fs::write(&stale, b"half").unwrap();
        fs::write(&unrelated, b"keep").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(unrelated.exists());
        assert_eq!(stale.exists(), !Path::new("/proc/self").exists());
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.csv");
        assert!(write_atomic(&path, b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_node_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        write_atomic(null, b"discarded").unwrap();
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    }
}
