//! The binary design cache: a design matrix on disk in the layout the
//! trainer reads, so an epoch is one memory-mapped pass with no parsing.
//!
//! ```text
//! offset  size        field
//! 0       8           magic  b"CRDESIGN"
//! 8       4           version (u32 LE) = 1
//! 12      4           header length h (u32 LE), a multiple of 8
//! 16      8           n rows (u64 LE)
//! 24      8           d features (u64 LE)
//! 32      h           JSON {"response": "y", "names": ["x1", …], "formula": "…",
//!                     "source": [{path, bytes, modified_ns, sample}, …]},
//!                     padded with spaces to a multiple of 8
//! 32+h    8·n·d       X, row-major f64 LE (feature j of row i at i·d + j)
//! …       8·n         y, f64 LE
//! ```
//!
//! X and y are apart (not interleaved) so that a chunk of rows is two
//! slices of the map, exactly the `Batch` the gradient sources take: no
//! copy at all between the page cache and the kernel. f64 offsets are
//! multiples of 8 from a page-aligned map, so the slices are aligned.
//! Writing is atomic (temp file + rename). A cache rewritten in place (by
//! `cp`, or truncated) under a running reader would fault its map; the CLI
//! turns that signal into an error message.

use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use serde::{Deserialize, Serialize};

use super::atomic::{sync_dir, Temp};
use super::DataError;

pub const MAGIC: &[u8; 8] = b"CRDESIGN";
pub const VERSION: u32 = 1;
const FIXED: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheHeader {
    pub response: String,
    pub names: Vec<String>,
    /// The formula the design was made with.
    pub formula: String,
    /// The files the rows came from, as they were when the cache was made
    /// (absent in caches written before it was recorded: never reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Vec<FileStamp>>,
}

/// What identifies an input file's contents cheaply: where it is, its size,
/// its modification time, and a hash of its first and last 64 KiB. A
/// different file at the same path, an edit, or `touch` all change it; the
/// time alone misses a file replaced by an older copy, the size alone an
/// edit in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub path: String,
    pub bytes: u64,
    /// Nanoseconds since the Unix epoch (0 where the platform has none).
    pub modified_ns: u128,
    /// FNV-1a (64-bit) of the first and the last 64 KiB, as hex.
    pub sample: String,
}

impl FileStamp {
    pub fn of(path: &Path) -> io::Result<FileStamp> {
        const SAMPLE: u64 = 64 * 1024;
        if !fs::metadata(path)?.is_file() {
            return Ok(Self::unrepeatable(path));
        }
        let canonical = fs::canonicalize(path)?;
        let mut file = File::open(&canonical)?;
        let meta = file.metadata()?;
        let bytes = meta.len();
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let mut hash = Fnv1a::default();
        let mut buf = vec![0u8; SAMPLE as usize];
        for start in [0, bytes.saturating_sub(SAMPLE)] {
            file.seek(SeekFrom::Start(start))?;
            let got = io::Read::read(&mut file, &mut buf)?;
            hash.write(&buf[..got]);
        }
        Ok(FileStamp {
            path: canonical.display().to_string(),
            bytes,
            modified_ns,
            sample: format!("{:016x}", hash.0),
        })
    }
}

impl FileStamp {
    /// A pipe or device (`train <(zcat data.gz) --cache c.crd`) cannot be
    /// read ahead (its bytes would be taken from the reader, or a second
    /// open would wait for a writer that has gone), and what it will give
    /// next time is unknown: its stamp names this reading alone (process
    /// and time), so a cache made from it is never taken as fresh.
    fn unrepeatable(path: &Path) -> FileStamp {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        FileStamp {
            path: path.display().to_string(),
            bytes: 0,
            modified_ns: now,
            sample: format!("not a regular file, read by pid {}", std::process::id()),
        }
    }
}

/// FNV-1a, 64-bit: fixed constants, so a stamp means the same on every
/// build (std's hasher is allowed to change between Rust versions).
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Writes a cache chunk by chunk: X goes straight to the file, y to a
/// sidecar that is appended at the end, then n is patched in and the file
/// renamed into place. Both are temp files next to the target
/// (`.NAME.tmp-<pid>-<n>`, see `atomic.rs`): removed on an error, on an
/// unfinished writer's drop and on a second Ctrl-C; one left by a killed
/// writer is removed by the next writer of the same path.
pub struct CacheWriter {
    path: PathBuf,
    tmp: Temp,
    tmp_y: Temp,
    x: BufWriter<File>,
    y: BufWriter<File>,
    n: u64,
    d: usize,
}

impl CacheWriter {
    pub fn create(path: &Path, header: &CacheHeader) -> io::Result<Self> {
        let tmp = Temp::for_target(path)?;
        let tmp_y = Temp::for_target(path)?;
        let mut json = serde_json::to_vec(header).map_err(io::Error::other)?;
        json.resize(json.len().div_ceil(8) * 8, b' ');
        let mut x = BufWriter::with_capacity(1 << 20, File::create_new(&tmp.path)?);
        x.write_all(MAGIC)?;
        x.write_all(&VERSION.to_le_bytes())?;
        x.write_all(&(json.len() as u32).to_le_bytes())?;
        x.write_all(&0u64.to_le_bytes())?;
        x.write_all(&(header.names.len() as u64).to_le_bytes())?;
        x.write_all(&json)?;
        let y = BufWriter::with_capacity(1 << 20, File::create_new(&tmp_y.path)?);
        Ok(CacheWriter {
            path: path.to_path_buf(),
            tmp,
            tmp_y,
            x,
            y,
            n: 0,
            d: header.names.len(),
        })
    }

    /// Appends rows (`x` row-major, d per row).
    pub fn append(&mut self, x: &[f64], y: &[f64]) -> io::Result<()> {
        assert_eq!(x.len(), y.len() * self.d, "x has d values per row");
        for v in x {
            self.x.write_all(&v.to_le_bytes())?;
        }
        for v in y {
            self.y.write_all(&v.to_le_bytes())?;
        }
        self.n += y.len() as u64;
        Ok(())
    }

    /// Appends y, writes n, syncs and renames into place (the temp files
    /// go with `self` on every return).
    pub fn finish(mut self) -> io::Result<u64> {
        self.y.flush()?;
        let mut y = File::open(&self.tmp_y.path)?;
        io::copy(&mut y, &mut self.x)?;
        self.x.flush()?;
        let file = self.x.get_mut();
        file.seek(SeekFrom::Start(16))?;
        file.write_all(&self.n.to_le_bytes())?;
        file.sync_all()?;
        self.tmp.rename_to(&self.path)?;
        sync_dir(&self.path);
        Ok(self.n)
    }
}

/// A cache file, memory-mapped.
pub struct DesignCache {
    map: Mmap,
    pub header: CacheHeader,
    pub n: usize,
    pub d: usize,
    data_at: usize,
}

impl DesignCache {
    /// Whether the file starts with the cache's magic bytes.
    ///
    /// Only a regular file is looked at: reading the first bytes of a pipe
    /// (`train <(cat data.csv)`, `/dev/stdin`) would take them from the
    /// reader that comes after, so a pipe is never a cache.
    pub fn is_cache(path: &Path) -> bool {
        Self::first_bytes(path).is_some_and(|b| &b == MAGIC)
    }

    /// Whether the file is meant to be a cache, damaged or not: its name
    /// ends in `.crd`, or its first bytes are `MAGIC` or nearly (at
    /// least 5 of the 8 in place, which no text file's first bytes are by
    /// chance: a damaged cache). Such a file is opened as a cache, whose
    /// checks refuse it by name if it is damaged, never read as a CSV
    /// (where its bytes could even parse as numbers).
    pub fn is_meant_as_cache(path: &Path) -> bool {
        let named = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("crd"));
        named || Self::first_bytes(path).is_some_and(|b| near_magic(&b))
    }

    /// The first 8 bytes of a regular file (see [`Self::is_cache`] on why
    /// only regular files).
    fn first_bytes(path: &Path) -> Option<[u8; 8]> {
        let mut magic = [0u8; 8];
        if !fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        File::open(path)
            .and_then(|mut f| io::Read::read_exact(&mut f, &mut magic))
            .ok()
            .map(|()| magic)
    }

    pub fn open(path: &Path) -> Result<Self, DataError> {
        let bad = |message: String| DataError::Format {
            file: path.display().to_string(),
            message,
        };
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        // SAFETY: the map is read-only and chainrule never writes a cache in
        // place (writes go to a temp file and are renamed over it).
        let map = unsafe { Mmap::map(&file) }.map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if map.len() < 8 || &map[..8] != MAGIC {
            return Err(bad(format!(
                "not a chainrule design cache: it does not begin with the bytes {}, so it is \
                 damaged{}; rebuild it from the data with `chainrule convert DATA --out {}`",
                String::from_utf8_lossy(MAGIC),
                if near_magic(&map[..map.len().min(8)]) {
                    " (its first bytes are nearly those)"
                } else {
                    ", or is another kind of file named .crd (a CSV must not be)"
                },
                path.display()
            )));
        }
        if map.len() < FIXED {
            return Err(bad(format!(
                "design cache of {} bytes, shorter than its {FIXED}-byte header: the file is \
                 truncated; {}",
                map.len(),
                rebuild(path)
            )));
        }
        let u32_at = |at: usize| u32::from_le_bytes(map[at..at + 4].try_into().unwrap());
        let u64_at = |at: usize| u64::from_le_bytes(map[at..at + 8].try_into().unwrap());
        let version = u32_at(8);
        if version != VERSION {
            return Err(bad(format!(
                "design cache version {version}, this chainrule reads version {VERSION}; {}",
                rebuild(path)
            )));
        }
        let h = u32_at(12) as usize;
        let (n, d) = (u64_at(16) as usize, u64_at(24) as usize);
        let data_at = FIXED + h;
        let expected = (n as u128) * (d as u128 + 1) * 8 + data_at as u128;
        if !h.is_multiple_of(8) || map.len() as u128 != expected {
            return Err(bad(format!(
                "design cache is {} bytes, its header says {expected} (n = {n} rows, d = {d} \
                 features, a {h}-byte description): the file is truncated or damaged; {}",
                map.len(),
                rebuild(path)
            )));
        }
        let header: CacheHeader = serde_json::from_slice(&map[FIXED..data_at]).map_err(|e| {
            bad(format!(
                "damaged design cache header ({e}); {}",
                rebuild(path)
            ))
        })?;
        if header.names.len() != d {
            return Err(bad(format!(
                "design cache header names {} features, its size field says {d}: the file is \
                 damaged; {}",
                header.names.len(),
                rebuild(path)
            )));
        }
        if cfg!(target_endian = "big") {
            return Err(bad(
                "design caches are little-endian; this machine is not".into()
            ));
        }
        Ok(DesignCache {
            map,
            header,
            n,
            d,
            data_at,
        })
    }

    fn f64s(&self, at: usize, len: usize) -> &[f64] {
        let bytes = &self.map[at..at + 8 * len];
        // SAFETY: in bounds (checked in `open`), 8-aligned (a page-aligned
        // map plus a multiple of 8), any bit pattern is an f64, and the
        // target is little-endian (checked in `open`).
        assert_eq!(bytes.as_ptr().align_offset(8), 0, "the map is 8-aligned");
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<f64>(), len) }
    }

    /// X, row-major n × d.
    pub fn x(&self) -> &[f64] {
        self.f64s(self.data_at, self.n * self.d)
    }

    pub fn y(&self) -> &[f64] {
        self.f64s(self.data_at + 8 * self.n * self.d, self.n)
    }

    /// Size of the file in bytes.
    pub fn bytes(&self) -> u64 {
        self.map.len() as u64
    }
}

/// Whether `first` (up to 8 bytes) holds at least 5 of [`MAGIC`]'s 8
/// bytes in place: a cache with a byte or three damaged. Text starts
/// with at most a few of them (`CR…`, `C,R,…`), never 5.
fn near_magic(first: &[u8]) -> bool {
    first.iter().zip(MAGIC).filter(|(a, b)| a == b).count() >= 5
}

/// What to do about a damaged cache.
fn rebuild(path: &Path) -> String {
    format!(
        "rebuild it from the data with `chainrule convert DATA --out {}`",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_two_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.crd");
        let header = CacheHeader {
            response: "y".into(),
            names: vec!["a".into(), "b".into()],
            formula: "y ~ a + b".into(),
            source: None,
        };
        let mut w = CacheWriter::create(&path, &header).unwrap();
        w.append(&[1.0, 2.0], &[3.0]).unwrap();
        w.append(&[4.0, 5.0, 7.0, 8.0], &[6.0, 9.0]).unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        assert!(DesignCache::is_cache(&path));
        let c = DesignCache::open(&path).unwrap();
        assert_eq!((c.n, c.d), (3, 2));
        assert_eq!(c.header, header);
        assert_eq!(c.x(), [1.0, 2.0, 4.0, 5.0, 7.0, 8.0]);
        assert_eq!(c.y(), [3.0, 6.0, 9.0]);
        // Only the cache is left in the directory: no temp files.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_damaged_magic_still_marks_a_cache_and_text_never_does() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            fs::write(&path, bytes).unwrap();
            path
        };
        // 6 of the 8 magic bytes in place: a damaged cache, whatever its name.
        assert!(DesignCache::is_meant_as_cache(&file(
            "a.bin",
            b"CRDxxIGN...."
        )));
        // A .crd name is enough, whatever the bytes.
        assert!(DesignCache::is_meant_as_cache(&file("b.CRD", b"x,y\n")));
        // Text with a few of the letters in place (C, R, D at 0..3).
        assert!(!DesignCache::is_meant_as_cache(&file(
            "c.csv",
            b"CRD,y\n1,2\n"
        )));
        assert!(!DesignCache::is_meant_as_cache(&file("d.csv", b"")));
        assert!(!DesignCache::is_meant_as_cache(dir.path()));
    }

    #[test]
    fn truncated_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.crd");
        let header = CacheHeader {
            response: "y".into(),
            names: vec!["x".into()],
            formula: String::new(),
            source: None,
        };
        let mut w = CacheWriter::create(&path, &header).unwrap();
        w.append(&[1.0, 2.0], &[3.0, 4.0]).unwrap();
        w.finish().unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
        let err = DesignCache::open(&path).err().unwrap().to_string();
        assert!(err.contains("truncated"), "{err}");
    }
}
