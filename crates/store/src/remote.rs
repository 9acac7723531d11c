//! Stores that live in object storage (`s3://`, `gs://`, `az://`): the
//! manifest and the Parquet files read through the `object_store` crate.
//!
//! The readers stay synchronous (a detection task reads one file at a time):
//! each request runs on a small Tokio runtime owned by the store. A file is
//! a [`parquet::file::reader::ChunkReader`] that fetches the footer, the
//! page index and then only the pages a read selects, in aligned blocks
//! kept in a small cache per file, so a range read of a vessel-sorted file
//! fetches about the bytes it decodes.
//!
//! Credentials and endpoints come from the environment, as the clouds' own
//! tools take them: `AWS_*` (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`...),
//! `GOOGLE_*` and `AZURE_*`, read by `object_store`'s builders.

use crate::StoreError;
use bytes::{Bytes, BytesMut};
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes per cached block, for the reads a scan's plan does not cover
/// (footers, page indexes, headers read as a stream). Small blocks keep a
/// footer from fetching its neighbours; row groups are fetched whole by
/// the plan (see BENCHMARKS.md for the designs measured).
const BLOCK: u64 = 64 << 10;
/// Blocks kept per open file (32 MiB): the columns of a row group are read
/// side by side, so the cache holds every column's current page of a row
/// group (about 2.5 MB in the store's files) several times over.
const CACHED_BLOCKS: usize = 512;

/// Row groups of a planned read held at once: Parquet decodes a batch
/// column by column, so a batch across a row-group boundary goes back and
/// forth between two groups.
const HELD_GROUPS: usize = 2;
/// Chunks of a row group this close are fetched as one range (object_store's
/// own default for joining ranges).
const COALESCE: u64 = 1 << 20;

/// A fetched row group: its ranges and their bytes.
type Held = Vec<(Range<u64>, Bytes)>;

/// An object store and the store's prefix in it.
#[derive(Debug)]
pub(crate) struct Remote {
    url: String,
    store: Arc<dyn ObjectStore>,
    prefix: ObjPath,
    rt: tokio::runtime::Runtime,
    /// Requests made and bytes fetched (what a cloud bills).
    requests: AtomicU64,
    fetched: AtomicU64,
}

fn remote_err(url: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Remote {
        path: PathBuf::from(url),
        msg: e.to_string(),
    }
}

impl Remote {
    /// Connects to the store at `url` (nothing is fetched yet).
    pub(crate) fn open(url: &str) -> Result<Remote, StoreError> {
        let url = url.trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&url).map_err(|e| remote_err(&url, e))?;
        // reqwest's TLS has no built-in provider here: ring's, once per process
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "s3" | "s3a" => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url.as_str())
                    .build()
                    .map_err(|e| remote_err(&url, e))?,
            ),
            "gs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(url.as_str())
                    .build()
                    .map_err(|e| remote_err(&url, e))?,
            ),
            "az" | "azure" | "abfs" | "abfss" | "adl" => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(url.as_str())
                    .build()
                    .map_err(|e| remote_err(&url, e))?,
            ),
            other => {
                return Err(remote_err(
                    &url,
                    format!(
                        "stores under {other}:// are not read here (paths, file://, s3://, s3a://, gs://, az://, abfs[s]:// are)"
                    ),
                ))
            }
        };
        let prefix = ObjPath::from_url_path(parsed.path()).map_err(|e| remote_err(&url, e))?;
        Remote::new(url, store, prefix)
    }

    /// The store under `prefix` in `store`, named `url` in messages.
    pub(crate) fn new(
        url: String,
        store: Arc<dyn ObjectStore>,
        prefix: ObjPath,
    ) -> Result<Remote, StoreError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("shiptrace-store-io")
            .enable_all()
            .build()
            .map_err(|e| remote_err(&url, e))?;
        Ok(Remote {
            url,
            store,
            prefix,
            rt,
            requests: AtomicU64::new(0),
            fetched: AtomicU64::new(0),
        })
    }

    /// (requests, bytes fetched) so far.
    pub(crate) fn traffic(&self) -> (u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.fetched.load(Ordering::Relaxed),
        )
    }

    fn count(&self, requests: u64, bytes: u64) {
        self.requests.fetch_add(requests, Ordering::Relaxed);
        self.fetched.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The store's URL (no trailing slash).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The object of the store's relative file `rel` (`/`-separated).
    fn object(&self, rel: &str) -> ObjPath {
        rel.split('/')
            .filter(|p| !p.is_empty())
            .fold(self.prefix.clone(), |p, part| p.join(part))
    }

    /// The relative name of `full` (a name made by joining the URL and a
    /// store file), as `/`-separated text.
    fn relative(&self, full: &Path) -> String {
        let text = full.to_string_lossy();
        text.strip_prefix(self.url.as_str())
            .unwrap_or(&text)
            .trim_start_matches('/')
            .to_string()
    }

    /// The whole object `rel`; `None` when it does not exist.
    pub(crate) fn read(&self, rel: &str) -> Result<Option<Bytes>, StoreError> {
        let full = format!("{}/{rel}", self.url);
        let loc = self.object(rel);
        let got = self.rt.block_on(async {
            match self.store.get(&loc).await {
                Ok(r) => r.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        let got = got.map_err(|e| remote_err(&full, e))?;
        self.count(1, got.as_ref().map_or(0, |b| b.len() as u64));
        Ok(got)
    }

    /// Opens the store file named `full` (the store's URL joined with the
    /// file's relative name) for reading.
    pub(crate) fn file(self: &Arc<Self>, full: &Path) -> Result<RemoteFile, StoreError> {
        let loc = self.object(&self.relative(full));
        let meta = self
            .rt
            .block_on(self.store.head(&loc))
            .map_err(|e| StoreError::Io {
                path: full.to_path_buf(),
                error: std::io::Error::new(
                    match e {
                        object_store::Error::NotFound { .. } => std::io::ErrorKind::NotFound,
                        _ => std::io::ErrorKind::Other,
                    },
                    e.to_string(),
                ),
            })?;
        self.count(1, 0);
        Ok(RemoteFile(Arc::new(FileInner {
            remote: Arc::clone(self),
            loc,
            size: meta.size,
            blocks: Mutex::new(Blocks::default()),
            plan: Mutex::new(Vec::new()),
            group: Mutex::new(VecDeque::new()),
        })))
    }
}

#[derive(Default)]
struct Blocks {
    map: HashMap<u64, Bytes>,
    order: VecDeque<u64>,
}

struct FileInner {
    remote: Arc<Remote>,
    loc: ObjPath,
    size: u64,
    blocks: Mutex<Blocks>,
    /// The read's plan: per row group, the byte ranges of the column
    /// chunks it will read ([`RemoteFile::plan`]).
    plan: Mutex<Vec<Vec<Range<u64>>>>,
    /// The row groups fetched last (at most [`HELD_GROUPS`]): their
    /// ranges and bytes.
    group: Mutex<VecDeque<Held>>,
}

impl FileInner {
    /// The bytes of `ranges`, requested side by side, counted.
    fn fetch(&self, ranges: &[Range<u64>]) -> parquet::errors::Result<Vec<Bytes>> {
        self.remote.count(
            ranges.len() as u64,
            ranges.iter().map(|r| r.end - r.start).sum(),
        );
        self.remote
            .rt
            .block_on(self.remote.store.get_ranges(&self.loc, ranges))
            .map_err(pq_err)
    }
}

/// One Parquet file of a remote store, read by ranges.
#[derive(Clone)]
pub(crate) struct RemoteFile(Arc<FileInner>);

fn pq_err(e: impl std::fmt::Display) -> ParquetError {
    ParquetError::General(e.to_string())
}

impl RemoteFile {
    /// What the read will fetch once the footer is known: per row group it
    /// reads, the byte ranges of its column chunks it decodes. The first
    /// read inside a row group's chunks then fetches all of that group's
    /// chunks at once, side by side (object_store joins neighbours and
    /// runs the requests concurrently), instead of page after page: on an
    /// object store each request waits tens of milliseconds.
    pub(crate) fn plan(&self, groups: Vec<Vec<Range<u64>>>) {
        // a row group's chunks less than COALESCE apart are one request
        // (as object_store would join them anyway, so the count is true)
        let groups = groups
            .into_iter()
            .map(|mut g| {
                g.sort_by_key(|r| r.start);
                let mut out: Vec<Range<u64>> = Vec::new();
                for r in g {
                    match out.last_mut() {
                        Some(l) if r.start <= l.end + COALESCE => l.end = l.end.max(r.end),
                        _ => out.push(r),
                    }
                }
                out
            })
            .collect();
        if let Ok(mut p) = self.0.plan.lock() {
            *p = groups;
        }
    }

    /// `[start, end)` from the planned row group that holds it, fetching
    /// the group when it is not the one held; `None` when no planned
    /// chunk holds it.
    fn planned(&self, start: u64, end: u64) -> parquet::errors::Result<Option<Bytes>> {
        let f = &self.0;
        let slice = |held: &[(Range<u64>, Bytes)]| {
            held.iter()
                .find(|(r, _)| r.start <= start && end <= r.end)
                .map(|(r, b)| b.slice((start - r.start) as usize..(end - r.start) as usize))
        };
        if let Some(b) = f
            .group
            .lock()
            .map_err(pq_err)?
            .iter()
            .find_map(|g| slice(g))
        {
            return Ok(Some(b));
        }
        let ranges = {
            let plan = f.plan.lock().map_err(pq_err)?;
            match plan
                .iter()
                .find(|g| g.iter().any(|r| r.start <= start && end <= r.end))
            {
                Some(g) => g.clone(),
                None => return Ok(None),
            }
        };
        let got = f.fetch(&ranges)?;
        let held: Held = ranges.into_iter().zip(got).collect();
        let out = slice(&held);
        let mut g = f.group.lock().map_err(pq_err)?;
        g.push_back(held);
        while g.len() > HELD_GROUPS {
            g.pop_front();
        }
        Ok(out)
    }

    /// Bytes `[start, start + len)`: from the planned row group, else from
    /// cached blocks, fetching the missing ones in one request set.
    fn range(&self, start: u64, len: usize) -> parquet::errors::Result<Bytes> {
        let f = &self.0;
        let end = start
            .checked_add(len as u64)
            .filter(|&e| e <= f.size)
            .ok_or_else(|| pq_err(format!("read past the end of {} ({start}+{len})", f.loc)))?;
        if len == 0 {
            return Ok(Bytes::new());
        }
        if let Some(b) = self.planned(start, end)? {
            return Ok(b);
        }
        let (b0, b1) = (start / BLOCK, (end - 1) / BLOCK);
        // a read larger than the cache goes straight to the store
        if (b1 - b0 + 1) as usize > CACHED_BLOCKS / 2 {
            f.remote.count(1, end - start);
            return f
                .remote
                .rt
                .block_on(f.remote.store.get_range(&f.loc, start..end))
                .map_err(pq_err);
        }
        let mut have: Vec<Option<Bytes>> = {
            let c = f.blocks.lock().map_err(pq_err)?;
            (b0..=b1).map(|b| c.map.get(&b).cloned()).collect()
        };
        let missing: Vec<u64> = (b0..=b1)
            .filter(|b| have[(b - b0) as usize].is_none())
            .collect();
        if !missing.is_empty() {
            // runs of adjacent missing blocks, one request each
            let mut runs: Vec<(u64, u64)> = Vec::new();
            for &b in &missing {
                match runs.last_mut() {
                    Some(r) if r.1 + 1 == b => r.1 = b,
                    _ => runs.push((b, b)),
                }
            }
            let ranges: Vec<std::ops::Range<u64>> = runs
                .iter()
                .map(|&(a, z)| a * BLOCK..((z + 1) * BLOCK).min(f.size))
                .collect();
            let fetched = f.fetch(&ranges)?;
            let mut got = Vec::with_capacity(missing.len());
            for ((a, z), bytes) in runs.iter().zip(fetched) {
                for b in *a..=*z {
                    let lo = ((b - a) * BLOCK) as usize;
                    let hi = (lo + BLOCK as usize).min(bytes.len());
                    if lo >= hi {
                        return Err(pq_err(format!("short read of {}", f.loc)));
                    }
                    got.push(bytes.slice(lo..hi));
                }
            }
            let mut c = f.blocks.lock().map_err(pq_err)?;
            for (&b, bytes) in missing.iter().zip(got) {
                have[(b - b0) as usize] = Some(bytes.clone());
                if c.map.insert(b, bytes).is_none() {
                    c.order.push_back(b);
                }
            }
            while c.order.len() > CACHED_BLOCKS {
                if let Some(old) = c.order.pop_front() {
                    c.map.remove(&old);
                }
            }
        }
        let lo = (start - b0 * BLOCK) as usize;
        if b0 == b1 {
            let b = have[0].take().unwrap_or_default();
            return b
                .get(lo..lo + len)
                .map(|_| b.slice(lo..lo + len))
                .ok_or_else(|| pq_err(format!("short read of {}", f.loc)));
        }
        let mut out = BytesMut::with_capacity(len);
        for b in have.into_iter().flatten() {
            out.extend_from_slice(&b);
        }
        out.get(lo..lo + len)
            .ok_or_else(|| pq_err(format!("short read of {}", f.loc)))?;
        Ok(out.freeze().slice(lo..lo + len))
    }
}

impl Length for RemoteFile {
    fn len(&self) -> u64 {
        self.0.size
    }
}

/// Sequential reads of a [`RemoteFile`] from an offset (Parquet reads page
/// headers this way when a file has no page index).
pub(crate) struct RemoteRead {
    file: RemoteFile,
    pos: u64,
}

impl Read for RemoteRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.file.0.size;
        if self.pos >= size || buf.is_empty() {
            return Ok(0);
        }
        // to the end of the current block at most
        let block_end = (self.pos / BLOCK + 1) * BLOCK;
        let n = (buf.len() as u64).min(block_end.min(size) - self.pos) as usize;
        let b = self
            .file
            .range(self.pos, n)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        buf[..n].copy_from_slice(&b);
        self.pos += n as u64;
        Ok(n)
    }
}

impl ChunkReader for RemoteFile {
    type T = RemoteRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<RemoteRead> {
        Ok(RemoteRead {
            file: self.clone(),
            pos: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.range(start, length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn bytes(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect()
    }

    #[test]
    fn ranges_across_blocks_read_the_objects_bytes() {
        let mem: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let data = bytes(3 * BLOCK as usize + 12_345);
        assert!(data.len() < CACHED_BLOCKS / 2 * BLOCK as usize);
        let r = Arc::new(
            Remote::new("mem://b/s".into(), Arc::clone(&mem), ObjPath::from("s")).unwrap(),
        );
        r.rt.block_on(mem.put(&ObjPath::from("s/x.parquet"), data.clone().into()))
            .unwrap();
        let f = r.file(Path::new("mem://b/s/x.parquet")).unwrap();
        assert_eq!(f.len(), data.len() as u64);
        let n = BLOCK as usize;
        for (start, len) in [
            (0, 0),
            (0, 8),
            (n - 3, 6),
            (n - 1, 2 * n + 2),
            (data.len() - 8, 8),
            (5, data.len() - 5),
        ] {
            let got = f.get_bytes(start as u64, len).unwrap();
            assert_eq!(&got[..], &data[start..start + len], "{start}+{len}");
        }
        // read twice: the second from the cache, the same bytes, no request
        let before = r.traffic();
        assert_eq!(
            &f.get_bytes(n as u64 - 3, 6).unwrap()[..],
            &data[n - 3..n + 3]
        );
        assert_eq!(r.traffic(), before);
        // two adjacent missing blocks: one request of both
        let f2 = r.file(Path::new("mem://b/s/x.parquet")).unwrap();
        let (q0, b0) = r.traffic();
        assert_eq!(
            &f2.get_bytes(n as u64 - 3, 6).unwrap()[..],
            &data[n - 3..n + 3]
        );
        assert_eq!(r.traffic(), (q0 + 1, b0 + 2 * BLOCK));
        let mut all = Vec::new();
        f.get_read(7).unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all, data[7..]);
        // past the end: an error, not a short read
        assert!(f.get_bytes(data.len() as u64 - 4, 5).is_err());
        // a file that is not there names itself
        let e = match r.file(Path::new("mem://b/s/gone.parquet")) {
            Ok(_) => panic!("a missing object opened"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("mem://b/s/gone.parquet"), "{e}");
        assert_eq!(r.read("manifest.jsonl").unwrap(), None);
        // read only: without a manifest, not a store (not an empty one)
        let e = crate::Store::in_remote(r).unwrap_err().to_string();
        assert!(
            e.contains("mem://b/s") && e.contains("not a shiptrace store"),
            "{e}"
        );
    }

    #[test]
    fn a_store_in_object_storage_reads_as_its_local_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let data = |n: &str| {
            PathBuf::from(format!(
                "{}/../../tests/data/{n}",
                env!("CARGO_MANIFEST_DIR")
            ))
        };
        crate::ingest(
            &dir,
            &[data("kystverket-1000.nm4"), data("dma-stream-example.nmea")],
            &crate::IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        let mem: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let r = Arc::new(
            Remote::new("s3://b/ais".into(), Arc::clone(&mem), ObjPath::from("ais")).unwrap(),
        );
        for e in walkdir::WalkDir::new(&dir) {
            let e = e.unwrap();
            if e.file_type().is_file() {
                let rel = e
                    .path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                let loc = r.object(&rel);
                let body = std::fs::read(e.path()).unwrap();
                r.rt.block_on(mem.put(&loc, body.into())).unwrap();
            }
        }
        let local = crate::Store::open(&dir).unwrap();
        let remote = crate::Store::in_remote(Arc::clone(&r)).unwrap();
        assert!(remote.is_remote() && !local.is_remote());
        assert_eq!(remote.dir(), Path::new("s3://b/ais"));
        assert_eq!(remote.sources().len(), 2);
        let all = crate::Filter::default();
        let lp = local.positions(&all).unwrap();
        assert!(lp.len() > 1000);
        let before = r.traffic();
        assert_eq!(remote.positions(&all).unwrap(), lp);
        // per file: its size, footer and page index, then one request per
        // row group (its column chunks at once), not one per page
        let (files, groups) = local
            .files(crate::reader::Table::Positions)
            .iter()
            .map(|p| {
                let m = parquet::file::metadata::ParquetMetaDataReader::new()
                    .parse_and_finish(&std::fs::File::open(p).unwrap())
                    .unwrap();
                m.num_row_groups() as u64
            })
            .fold((0, 0), |(f, g), n| (f + 1, g + n));
        let requests = r.traffic().0 - before.0;
        assert!(
            requests <= 3 * files + groups,
            "{requests} requests for {files} files, {groups} row groups"
        );
        assert_eq!(
            remote.identities(&all).unwrap(),
            local.identities(&all).unwrap()
        );
        assert_eq!(
            remote.position_spans().unwrap(),
            local.position_spans().unwrap()
        );
        let m = lp[lp.len() / 2].mmsi;
        let one = crate::Filter::vessel(m);
        assert_eq!(
            remote.positions(&one).unwrap(),
            local.positions(&one).unwrap()
        );
        let tracks = |s: &crate::Store| -> Vec<(u32, usize)> {
            s.tracks(&all)
                .map(|t| t.map(|(m, v)| (m, v.len())))
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(tracks(&remote), tracks(&local));
        // a listed file gone from the bucket: an error that names it
        let gone = local.sources()[0]
            .files
            .iter()
            .find(|f| f.starts_with("positions/"))
            .unwrap();
        r.rt.block_on(mem.delete(&r.object(gone))).unwrap();
        let e = remote.positions(&all).unwrap_err().to_string();
        assert!(
            e.contains(gone.as_str()) && e.starts_with("s3://b/ais/"),
            "{e}"
        );
    }
}
