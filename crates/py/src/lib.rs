//! `shiptrace._native`: the engine behind the Python package `shiptrace`
//! (python/shiptrace). Every function here calls the same library code as
//! the command line; tables cross into Python through the Arrow C data
//! interface (no copy of the columns). Errors become
//! `shiptrace.ShiptraceError` with the command line's message. The Python
//! side (python/shiptrace/__init__.py) adds argument handling, docs and
//! types; the Spark job (python/shiptrace/spark.py) calls the `spark_*`
//! functions inside its tasks.

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Float32Builder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, UInt32Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, UInt32Array,
};
use arrow_pyarrow::{PyArrowType, Table as PaTable};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use detect::gazetteer::Gazetteer;
use detect::{Event, Params};
use pyo3::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pyo3::create_exception!(
    _native,
    ShiptraceError,
    pyo3::exceptions::PyException,
    "An error of the engine; the message is the command line's."
);

fn err(e: impl std::fmt::Display) -> PyErr {
    ShiptraceError::new_err(e.to_string())
}

fn aerr(e: anyhow::Error) -> PyErr {
    ShiptraceError::new_err(format!("{e:#}"))
}

type PyTable = PyArrowType<PaTable>;

fn table(batches: Vec<RecordBatch>, schema: SchemaRef) -> PyResult<PyTable> {
    PaTable::try_new(batches, schema)
        .map(PyArrowType)
        .map_err(err)
}

// ---------------------------------------------------------------- params

/// Detection parameters: a JSON object of `[detect]` keys (every key
/// optional), or a shiptrace.toml read as `shiptrace detect --config`
/// reads it; not both.
fn params_of(json: Option<&str>, config: Option<&Path>) -> anyhow::Result<Params> {
    match (json, config) {
        (Some(_), Some(_)) => anyhow::bail!("give params or config, not both"),
        (Some(j), None) => {
            let p: Params = serde_json::from_str(j).map_err(|e| anyhow::anyhow!("params: {e}"))?;
            p.check().map_err(|e| anyhow::anyhow!("params: {e}"))?;
            Ok(p)
        }
        (None, c) => config::params(c),
    }
}

/// The gazetteer of the last parameters seen, built once per process:
/// Spark calls the `spark_*` functions once per partition.
fn gazetteer(p: &Params) -> anyhow::Result<Arc<Gazetteer>> {
    static CACHE: Mutex<Option<(String, Arc<Gazetteer>)>> = Mutex::new(None);
    let key = serde_json::to_string(p)?;
    let mut c = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, g)) = c.as_ref() {
        if *k == key {
            return Ok(g.clone());
        }
    }
    let g = Arc::new(
        Gazetteer::for_params(p, None).map_err(|e| anyhow::anyhow!("configuration: {e}"))?,
    );
    *c = Some((key, g.clone()));
    Ok(g)
}

/// The detection parameters as JSON, every key present (for shipping to
/// Spark workers and for printing in reports).
#[pyfunction]
#[pyo3(signature = (params=None, config=None))]
fn params_json(params: Option<String>, config: Option<PathBuf>) -> PyResult<String> {
    let p = params_of(params.as_deref(), config.as_deref()).map_err(aerr)?;
    serde_json::to_string(&p).map_err(err)
}

// ---------------------------------------------------------------- decode

/// Decodes one input through the store's own ingest (format sniffed,
/// gzip/zstd, multi-sentence reassembly, duplicates dropped, rejects
/// counted) into a store in a temporary folder, and reads it back.
fn decode_file(
    path: &Path,
    assume_time: Option<&str>,
) -> anyhow::Result<(Vec<RecordBatch>, Vec<RecordBatch>, String)> {
    let opts = store::IngestOptions {
        assume_time_ms: assume_time_ms(assume_time)?,
        ..store::IngestOptions::default()
    };
    let dir = tempfile::tempdir()?;
    let outcomes = store::ingest(dir.path(), &[path.to_path_buf()], &opts, &mut |_| {})?;
    let entry = match outcomes.into_iter().next() {
        Some(store::SourceOutcome::Ingested(e)) => e,
        Some(store::SourceOutcome::Failed { error, .. }) => return Err(error.into()),
        _ => anyhow::bail!("{}: nothing was read", path.display()),
    };
    let st = store::Store::open(dir.path())?;
    let all = store::Filter::default();
    Ok((
        read_all(&st, &all, true)?,
        read_all(&st, &all, false)?,
        serde_json::to_string(&entry)?,
    ))
}

/// Every batch of positions (or identity reports) the filter passes.
fn read_all(
    st: &store::Store,
    f: &store::Filter,
    positions: bool,
) -> Result<Vec<RecordBatch>, store::StoreError> {
    let scan = if positions {
        st.scan_positions(f)
    } else {
        st.scan_identities(f)
    };
    scan.map(|b| b.map(|b| b.1)).collect()
}

/// Decodes a file (NMEA, MarineCadastre or DMA CSV; gzip/zstd): (positions,
/// identities, source summary as JSON).
#[pyfunction]
#[pyo3(signature = (path, assume_time=None))]
fn decode_path(
    py: Python<'_>,
    path: PathBuf,
    assume_time: Option<String>,
) -> PyResult<(PyTable, PyTable, String)> {
    let (p, i, s) = py
        .detach(|| decode_file(&path, assume_time.as_deref()))
        .map_err(aerr)?;
    Ok((
        table(p, store::schema::positions_schema())?,
        table(i, store::schema::identities_schema())?,
        s,
    ))
}

/// [`decode_path`] over bytes in memory.
#[pyfunction]
#[pyo3(signature = (data, assume_time=None))]
fn decode_bytes(
    py: Python<'_>,
    data: Vec<u8>,
    assume_time: Option<String>,
) -> PyResult<(PyTable, PyTable, String)> {
    let (p, i, s) = py
        .detach(|| -> anyhow::Result<_> {
            let dir = tempfile::tempdir()?;
            let f = dir.path().join("input");
            std::fs::write(&f, &data)?;
            let name = f.display().to_string();
            // the temporary file's name means nothing to the caller
            let (p, i, s) = decode_file(&f, assume_time.as_deref())
                .map_err(|e| anyhow::anyhow!("{}", format!("{e:#}").replace(&name, "<bytes>")))?;
            Ok((
                p,
                i,
                s.replace(&serde_json::to_string(&name)?, "\"<bytes>\""),
            ))
        })
        .map_err(aerr)?;
    Ok((
        table(p, store::schema::positions_schema())?,
        table(i, store::schema::identities_schema())?,
        s,
    ))
}

/// Ingests files into the store at `dir` (created if missing), as
/// `shiptrace ingest` does: a source already in the store (same content)
/// is skipped. Returns one JSON object per source; a source that fails
/// raises after the others are ingested.
#[pyfunction]
#[pyo3(signature = (dir, paths, assume_time=None))]
fn ingest(
    py: Python<'_>,
    dir: PathBuf,
    paths: Vec<PathBuf>,
    assume_time: Option<String>,
) -> PyResult<Vec<String>> {
    py.detach(|| -> anyhow::Result<Vec<String>> {
        let opts = store::IngestOptions {
            assume_time_ms: assume_time_ms(assume_time.as_deref())?,
            ..store::IngestOptions::default()
        };
        let mut out = Vec::new();
        let mut failed = Vec::new();
        for o in store::ingest(&dir, &paths, &opts, &mut |_| {})? {
            out.push(match o {
                store::SourceOutcome::Ingested(e) => {
                    serde_json::json!({"status": "ingested", "source": e}).to_string()
                }
                store::SourceOutcome::AlreadyIngested { path, hash } => {
                    serde_json::json!({"status": "already_ingested", "path": path, "hash": hash})
                        .to_string()
                }
                store::SourceOutcome::Failed { path, error } => {
                    failed.push(format!("{path}: {error}"));
                    continue;
                }
            });
        }
        if !failed.is_empty() {
            anyhow::bail!("{}", failed.join("; "));
        }
        Ok(out)
    })
    .map_err(aerr)
}

/// `assume_time` as `shiptrace ingest --assume-time` reads it.
fn assume_time_ms(t: Option<&str>) -> anyhow::Result<Option<i64>> {
    t.map(|t| config::parse_time(t).map_err(|e| e.context("assume_time")))
        .transpose()
}

// ---------------------------------------------------------------- store

/// An opened store (committed sources only).
#[pyclass(frozen, module = "shiptrace._native")]
struct Store {
    inner: store::Store,
}

fn filter(
    mmsi: Option<(u32, u32)>,
    time: Option<(i64, i64)>,
    bbox: Option<(f64, f64, f64, f64)>,
) -> store::Filter {
    store::Filter {
        mmsi,
        time,
        bbox,
        ..store::Filter::default()
    }
}

#[pymethods]
impl Store {
    /// Positions matching every filter given, in file order.
    #[pyo3(signature = (mmsi=None, time=None, bbox=None))]
    fn positions(
        &self,
        py: Python<'_>,
        mmsi: Option<(u32, u32)>,
        time: Option<(i64, i64)>,
        bbox: Option<(f64, f64, f64, f64)>,
    ) -> PyResult<PyTable> {
        let f = filter(mmsi, time, bbox);
        let b = py.detach(|| read_all(&self.inner, &f, true)).map_err(err)?;
        table(b, store::schema::positions_schema())
    }

    /// Identity reports matching every filter given, in file order.
    #[pyo3(signature = (mmsi=None, time=None))]
    fn identities(
        &self,
        py: Python<'_>,
        mmsi: Option<(u32, u32)>,
        time: Option<(i64, i64)>,
    ) -> PyResult<PyTable> {
        let f = filter(mmsi, time, None);
        let b = py
            .detach(|| read_all(&self.inner, &f, false))
            .map_err(err)?;
        table(b, store::schema::identities_schema())
    }

    /// The manifest's sources as JSON.
    fn sources_json(&self) -> PyResult<String> {
        serde_json::to_string(self.inner.sources()).map_err(err)
    }

    /// The committed Parquet files of one table ("positions" or
    /// "identities"), absolute paths.
    fn files(&self, table: &str) -> PyResult<Vec<String>> {
        if table != "positions" && table != "identities" {
            return Err(err(format!("no table {table:?} (positions or identities)")));
        }
        let prefix = format!("{table}/");
        Ok(store::manifest::live_files(self.inner.sources())
            .iter()
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".parquet"))
            .map(|f| self.inner.dir().join(f).display().to_string())
            .collect())
    }

    #[getter]
    fn dir(&self) -> String {
        self.inner.dir().display().to_string()
    }
}

#[pyfunction]
fn open_store(dir: PathBuf) -> PyResult<Store> {
    Ok(Store {
        inner: store::Store::open(&dir).map_err(err)?,
    })
}

// ---------------------------------------------------------------- detect

/// The rows of every batch of `t`, read by `from_batch`.
fn rows_of<T>(
    t: &PaTable,
    what: &str,
    from_batch: fn(&RecordBatch) -> Result<Vec<T>, String>,
) -> anyhow::Result<Vec<T>> {
    let mut v = Vec::new();
    for b in t.record_batches() {
        v.extend(from_batch(b).map_err(|e| anyhow::anyhow!("{what}: {e}"))?);
    }
    Ok(v)
}

fn positions_of(t: &PaTable) -> anyhow::Result<Vec<store::Position>> {
    rows_of(t, "positions", store::schema::positions_from_batch)
}

fn identities_of(t: &PaTable) -> anyhow::Result<Vec<store::Identity>> {
    rows_of(t, "identities", store::schema::identities_from_batch)
}

fn events_table(events: &[Event]) -> PyResult<PyTable> {
    table(
        vec![detect::table::events_batch(events)],
        detect::table::events_schema(),
    )
}

/// Every detector over fixes and identity reports in memory.
#[pyfunction]
#[pyo3(signature = (positions, identities=None, params=None, config=None))]
fn detect_tables(
    py: Python<'_>,
    positions: PyTable,
    identities: Option<PyTable>,
    params: Option<String>,
    config: Option<PathBuf>,
) -> PyResult<(PyTable, String)> {
    let (events, summary) = py
        .detach(|| -> anyhow::Result<_> {
            let p = params_of(params.as_deref(), config.as_deref())?;
            let gaz = gazetteer(&p)?;
            let pos = positions_of(&positions.0)?;
            let ids = match &identities {
                Some(t) => identities_of(&t.0)?,
                None => Vec::new(),
            };
            let r = detect::Records::new(pos, ids);
            Ok(detect::detect_records(&r, &p, &gaz)?)
        })
        .map_err(aerr)?;
    Ok((
        events_table(&events)?,
        serde_json::to_string(&summary).map_err(err)?,
    ))
}

/// Every detector over a store, as `shiptrace detect` runs them.
#[pyfunction]
#[pyo3(signature = (store, params=None, config=None))]
fn detect_store(
    py: Python<'_>,
    store: &Store,
    params: Option<String>,
    config: Option<PathBuf>,
) -> PyResult<(PyTable, String)> {
    let (events, summary) = py
        .detach(|| -> anyhow::Result<_> {
            let p = params_of(params.as_deref(), config.as_deref())?;
            let gaz = gazetteer(&p)?;
            Ok(detect::detect_store_with(&store.inner, &p, &gaz)?)
        })
        .map_err(aerr)?;
    Ok((
        events_table(&events)?,
        serde_json::to_string(&summary).map_err(err)?,
    ))
}

/// Events as JSON lines, exactly as `shiptrace detect` writes them.
#[pyfunction]
fn events_jsonl(events: PyTable) -> PyResult<String> {
    let mut out = String::new();
    for e in rows_of(&events.0, "events", detect::table::events_from_batch).map_err(aerr)? {
        out.push_str(&serde_json::to_string(&e).map_err(err)?);
        out.push('\n');
    }
    Ok(out)
}

/// Events read from JSON lines (as `shiptrace detect` writes them).
#[pyfunction]
fn read_events(path: PathBuf) -> PyResult<PyTable> {
    let ev = config::read_events(&path).map_err(aerr)?;
    events_table(&ev)
}

// ---------------------------------------------------------------- simulate / estimate

/// Runs a scenario: writes OUT/ais.nmea.gz and OUT/truth.jsonl; returns the
/// run's summary as JSON.
#[pyfunction]
#[pyo3(signature = (out, scenario="rason-shuttle".to_string(), seed=None, days=None, vessels=None, start=None))]
fn simulate(
    py: Python<'_>,
    out: PathBuf,
    scenario: String,
    seed: Option<u64>,
    days: Option<f64>,
    vessels: Option<usize>,
    start: Option<String>,
) -> PyResult<String> {
    py.detach(|| -> anyhow::Result<String> {
        let run = config::RunOpts {
            seed,
            days,
            vessels,
            start,
        };
        let s = config::run_scenario(&scenario, &run, &out)?;
        Ok(serde_json::to_string(&s)?)
    })
    .map_err(aerr)
}

/// The graph of vessels, companies and people the lists and registers
/// give: `{"nodes": [...], "edges": [...]}` as JSON.
#[pyfunction]
#[pyo3(signature = (config=None, watchlists=Vec::new(), registries=Vec::new()))]
fn network(
    py: Python<'_>,
    config: Option<PathBuf>,
    watchlists: Vec<PathBuf>,
    registries: Vec<PathBuf>,
) -> PyResult<String> {
    py.detach(|| -> anyhow::Result<String> {
        let sources = config::Sources {
            config,
            watchlists,
            registries,
            ..config::Sources::default()
        };
        let prep = config::prepare(&sources)?;
        let g = intel::network::Graph::build(&prep.inputs.entries, &prep.inputs.fragment);
        let (nodes, edges) = g.rows();
        Ok(serde_json::to_string(
            &serde_json::json!({ "nodes": nodes, "edges": edges }),
        )?)
    })
    .map_err(aerr)
}

/// Watchlist matches, risk, what the voyages could have carried and
/// claims checked: `shiptrace estimate` as JSON.
#[pyfunction]
#[pyo3(signature = (store, events, config=None, watchlists=Vec::new(), claims=None, observations=Vec::new(), registries=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn estimate(
    py: Python<'_>,
    store: &Store,
    events: PyTable,
    config: Option<PathBuf>,
    watchlists: Vec<PathBuf>,
    claims: Option<String>,
    observations: Vec<PathBuf>,
    registries: Vec<PathBuf>,
) -> PyResult<String> {
    py.detach(|| -> anyhow::Result<String> {
        let sources = config::Sources {
            config,
            watchlists,
            registries,
            claims,
            observations,
            ..config::Sources::default()
        };
        let prep = config::prepare(&sources)?;
        let ev = rows_of(&events.0, "events", detect::table::events_from_batch)?;
        let (j, _) = config::judge(&store.inner, ev, &prep)?;
        Ok(serde_json::to_string(&j)?)
    })
    .map_err(aerr)
}

// ---------------------------------------------------------------- imagery

/// Satellite detections fused with a store's AIS, as `shiptrace analyze
/// --imagery --scenes` does: the events with `dark_vessel` events added
/// and the dark port calls imaged raised, `imagery.csv`'s text (every
/// detection's outcome), and counts as JSON. `imagery` is a JSON object of
/// `[imagery]` keys (replacing the config's table), `config` a
/// shiptrace.toml (its `[detect]` splits shared MMSIs, its `[imagery]`
/// is used unless `imagery` is given).
#[pyfunction]
#[pyo3(signature = (store, events, detections, scenes=Vec::new(), imagery=None, config=None))]
fn fuse_imagery(
    py: Python<'_>,
    store: &Store,
    events: PyTable,
    detections: Vec<PathBuf>,
    scenes: Vec<PathBuf>,
    imagery: Option<String>,
    config: Option<PathBuf>,
) -> PyResult<(PyTable, String, String)> {
    let (ev, csv, summary) = py
        .detach(|| -> anyhow::Result<_> {
            let prep = config::prepare(&config::Sources {
                config,
                ..config::Sources::default()
            })?;
            let p: imagery::ImageryParams = match imagery.as_deref() {
                Some(j) => {
                    let p: imagery::ImageryParams =
                        serde_json::from_str(j).map_err(|e| anyhow::anyhow!("imagery: {e}"))?;
                    p.check().map_err(|e| anyhow::anyhow!("imagery: {e}"))?;
                    p
                }
                None => prep.cfg.imagery.clone(),
            };
            let mut ev = rows_of(&events.0, "events", detect::table::events_from_batch)?;
            let f = imagery::run::fuse_files(
                &store.inner,
                &mut ev,
                &detections,
                &scenes,
                &p,
                &prep.gazetteer,
                &prep.cfg.detect,
            )?
            .ok_or_else(|| anyhow::anyhow!("no detection files given"))?;
            let mut csv = Vec::new();
            imagery::run::write_csv(&mut csv, &f)?;
            let summary = serde_json::json!({
                "scenes": f.fusion.scenes.len(),
                "detections": f.fusion.detections.len(),
                "matched": f.fusion.matched.len(),
                "dark_vessels": f.dark.len(),
                "not_seen": f.fusion.missed.len(),
                "imaged_dark_port_calls": f.imaged,
                "one_sided_encounters_imaged": f.partners.encounters_imaged,
                "one_sided_encounters_from_loitering": f.partners.from_loitering,
                "rows_refused": f.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                "notes": f.fusion.notes.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            });
            Ok((ev, String::from_utf8(csv)?, summary.to_string()))
        })
        .map_err(aerr)?;
    Ok((events_table(&ev)?, csv, summary))
}

// ---------------------------------------------------------------- spark

/// Columns of the representative slow fixes sent to encounter tiles.
fn tiles_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("day", DataType::Int64, false),
        Field::new("ty", DataType::Int64, false),
        Field::new("tx", DataType::Int64, false),
        Field::new("home", DataType::Boolean, false),
        Field::new("mmsi", DataType::UInt32, false),
        Field::new("t", DataType::Int64, false),
        Field::new("lat", DataType::Float64, false),
        Field::new("lon", DataType::Float64, false),
        Field::new("sog", DataType::Float32, false),
    ]))
}

/// Rows of phase two's per-vessel stage, keyed by the MMSI they belong
/// to: `ves` (a vessel's phase-one part, JSON), `pair` (a pair encounter
/// of the vessel, JSON), `seen` (a pair encounter whose partner is the
/// vessel: its start `t0` and end `t1`).
fn parts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("mmsi", DataType::UInt32, false),
        Field::new("part", DataType::Utf8, false),
        Field::new("blob", DataType::Utf8, true),
        Field::new("t0", DataType::Int64, true),
        Field::new("t1", DataType::Int64, true),
    ]))
}

/// Builds rows of [`parts_schema`].
#[derive(Default)]
struct Parts {
    mmsi: UInt32Builder,
    part: StringBuilder,
    blob: StringBuilder,
    t0: Int64Builder,
    t1: Int64Builder,
}

impl Parts {
    fn push(&mut self, mmsi: u32, part: &str, blob: Option<&str>, span: Option<(i64, i64)>) {
        self.mmsi.append_value(mmsi);
        self.part.append_value(part);
        self.blob.append_option(blob);
        self.t0.append_option(span.map(|s| s.0));
        self.t1.append_option(span.map(|s| s.1));
    }
    fn finish(mut self) -> anyhow::Result<RecordBatch> {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.mmsi.finish()),
            Arc::new(self.part.finish()),
            Arc::new(self.blob.finish()),
            Arc::new(self.t0.finish()),
            Arc::new(self.t1.finish()),
        ];
        Ok(RecordBatch::try_new(parts_schema(), cols)?)
    }
}

/// Rows of the reception map's join ([`detect::coverage::Record`]): the
/// block each goes to (`by`, `bx`, `period`) and the record: `cnt` (fixes
/// and visits in cell `cy`, `cx` on `day`), `end` (where a silence of
/// `mmsi` from `t0` to `t1` began, `start`, or ended: `lat`, `lon`) or
/// `ask` (a question of `mmsi`, `also`: the silence of `hours` that began,
/// `start`, or ended at `lat`, `lon`, `t0`).
fn cov_schema() -> SchemaRef {
    let f = |n: &str, t: DataType| Field::new(n, t, true);
    Arc::new(Schema::new(vec![
        Field::new("by", DataType::Int32, false),
        Field::new("bx", DataType::Int32, false),
        Field::new("period", DataType::Int64, false),
        Field::new("part", DataType::Utf8, false),
        f("mmsi", DataType::UInt32),
        f("also", DataType::UInt32),
        f("day", DataType::Int64),
        f("t0", DataType::Int64),
        f("t1", DataType::Int64),
        f("lat", DataType::Float64),
        f("lon", DataType::Float64),
        f("hours", DataType::Float64),
        f("start", DataType::Boolean),
        f("cy", DataType::Int32),
        f("cx", DataType::Int32),
        f("fixes", DataType::UInt32),
        f("visits", DataType::UInt32),
    ]))
}

/// Builds rows of [`cov_schema`]: each record once per block it is routed to.
#[derive(Default)]
struct CovRows {
    by: Int32Builder,
    bx: Int32Builder,
    period: Int64Builder,
    part: StringBuilder,
    mmsi: UInt32Builder,
    also: UInt32Builder,
    day: Int64Builder,
    t0: Int64Builder,
    t1: Int64Builder,
    lat: Float64Builder,
    lon: Float64Builder,
    hours: Float64Builder,
    start: BooleanBuilder,
    cy: Int32Builder,
    cx: Int32Builder,
    fixes: UInt32Builder,
    visits: UInt32Builder,
}

impl CovRows {
    fn push(&mut self, r: &detect::coverage::Record, p: &Params) {
        use detect::coverage::Record;
        for (by, bx, period) in detect::coverage::Blocks::default().route(r, p) {
            self.by.append_value(by);
            self.bx.append_value(bx);
            self.period.append_value(period);
            let (mut mmsi, mut also, mut day, mut t0, mut t1) = (None, None, None, None, None);
            let (mut at, mut hours, mut start) = (None, None, None);
            let (mut cell, mut counts) = (None, None);
            let part = match *r {
                Record::Counts {
                    day: d,
                    cy,
                    cx,
                    fixes,
                    visits,
                } => {
                    day = Some(d);
                    cell = Some((cy, cx));
                    counts = Some((fixes, visits));
                    "cnt"
                }
                Record::End {
                    mmsi: m,
                    t0: a,
                    t1: b,
                    at: x,
                    start: s,
                } => {
                    (mmsi, t0, t1, at, start) = (Some(m), Some(a), Some(b), Some(x), Some(s));
                    "end"
                }
                Record::Ask(q) => {
                    (mmsi, also, t0, at) = (Some(q.mmsi), q.also, Some(q.t), Some((q.lat, q.lon)));
                    (hours, start) = (Some(q.hours), Some(q.start));
                    "ask"
                }
            };
            self.part.append_value(part);
            self.mmsi.append_option(mmsi);
            self.also.append_option(also);
            self.day.append_option(day);
            self.t0.append_option(t0);
            self.t1.append_option(t1);
            self.lat.append_option(at.map(|a| a.0));
            self.lon.append_option(at.map(|a| a.1));
            self.hours.append_option(hours);
            self.start.append_option(start);
            self.cy.append_option(cell.map(|c| c.0));
            self.cx.append_option(cell.map(|c| c.1));
            self.fixes.append_option(counts.map(|c| c.0));
            self.visits.append_option(counts.map(|c| c.1));
        }
    }

    fn finish(mut self) -> anyhow::Result<RecordBatch> {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.by.finish()),
            Arc::new(self.bx.finish()),
            Arc::new(self.period.finish()),
            Arc::new(self.part.finish()),
            Arc::new(self.mmsi.finish()),
            Arc::new(self.also.finish()),
            Arc::new(self.day.finish()),
            Arc::new(self.t0.finish()),
            Arc::new(self.t1.finish()),
            Arc::new(self.lat.finish()),
            Arc::new(self.lon.finish()),
            Arc::new(self.hours.finish()),
            Arc::new(self.start.finish()),
            Arc::new(self.cy.finish()),
            Arc::new(self.cx.finish()),
            Arc::new(self.fixes.finish()),
            Arc::new(self.visits.finish()),
        ];
        Ok(RecordBatch::try_new(cov_schema(), cols)?)
    }
}

/// The records of rows of [`cov_schema`], with their blocks.
fn cov_records(
    b: &RecordBatch,
) -> anyhow::Result<Vec<(detect::coverage::Block, detect::coverage::Record)>> {
    use detect::coverage::{Query, Record};
    let (by, bx) = (col::<Int32Array>(b, "by")?, col::<Int32Array>(b, "bx")?);
    let period = col::<Int64Array>(b, "period")?;
    let part = col::<StringArray>(b, "part")?;
    let (mmsi, also) = (
        col::<UInt32Array>(b, "mmsi")?,
        col::<UInt32Array>(b, "also")?,
    );
    let (day, t0, t1) = (
        col::<Int64Array>(b, "day")?,
        col::<Int64Array>(b, "t0")?,
        col::<Int64Array>(b, "t1")?,
    );
    let (lat, lon) = (
        col::<Float64Array>(b, "lat")?,
        col::<Float64Array>(b, "lon")?,
    );
    let hours = col::<Float64Array>(b, "hours")?;
    let start = col::<BooleanArray>(b, "start")?;
    let (cy, cx) = (col::<Int32Array>(b, "cy")?, col::<Int32Array>(b, "cx")?);
    let (fixes, visits) = (
        col::<UInt32Array>(b, "fixes")?,
        col::<UInt32Array>(b, "visits")?,
    );
    let mut out = Vec::with_capacity(b.num_rows());
    for i in 0..b.num_rows() {
        let need = |a: &dyn Array, name: &str| {
            if a.is_valid(i) {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "a {} row of the reception map without {name}",
                    part.value(i)
                ))
            }
        };
        let r = match part.value(i) {
            "cnt" => {
                for (a, n) in [
                    (day as &dyn Array, "day"),
                    (cy, "cy"),
                    (cx, "cx"),
                    (fixes, "fixes"),
                    (visits, "visits"),
                ] {
                    need(a, n)?;
                }
                Record::Counts {
                    day: day.value(i),
                    cy: cy.value(i),
                    cx: cx.value(i),
                    fixes: fixes.value(i),
                    visits: visits.value(i),
                }
            }
            "end" => {
                for (a, n) in [
                    (mmsi as &dyn Array, "mmsi"),
                    (t0, "t0"),
                    (t1, "t1"),
                    (lat, "lat"),
                    (lon, "lon"),
                    (start, "start"),
                ] {
                    need(a, n)?;
                }
                Record::End {
                    mmsi: mmsi.value(i),
                    t0: t0.value(i),
                    t1: t1.value(i),
                    at: (lat.value(i), lon.value(i)),
                    start: start.value(i),
                }
            }
            "ask" => {
                for (a, n) in [
                    (mmsi as &dyn Array, "mmsi"),
                    (t0, "t0"),
                    (lat, "lat"),
                    (lon, "lon"),
                    (hours, "hours"),
                    (start, "start"),
                ] {
                    need(a, n)?;
                }
                Record::Ask(Query {
                    lat: lat.value(i),
                    lon: lon.value(i),
                    t: t0.value(i),
                    hours: hours.value(i),
                    mmsi: mmsi.value(i),
                    also: also.is_valid(i).then(|| also.value(i)),
                    start: start.value(i),
                })
            }
            other => anyhow::bail!("a row of the reception map with part {other:?}"),
        };
        out.push(((by.value(i), bx.value(i), period.value(i)), r));
    }
    Ok(out)
}

/// The reception map's answers in one Spark partition of its join: rows
/// of [`cov_schema`] (the records sent to some blocks), each block
/// answered from its own records alone; returns `ans` rows of
/// [`parts_schema`] (keyed by the asking vessel, blob: the question and
/// its answer as JSON).
#[pyfunction]
fn spark_coverage(py: Python<'_>, rows: PyTable, params: String) -> PyResult<PyTable> {
    let batch = py
        .detach(|| -> anyhow::Result<RecordBatch> {
            let p = params_of(Some(&params), None)?;
            let mut blocks: HashMap<detect::coverage::Block, Vec<detect::coverage::Record>> =
                HashMap::new();
            for b in rows.0.record_batches() {
                for (k, r) in cov_records(b)? {
                    blocks.entry(k).or_default().push(r);
                }
            }
            let mut parts = Parts::default();
            for rs in blocks.values() {
                for (q, a) in detect::coverage::answer_block(rs, &p) {
                    parts.push(q.mmsi, "ans", Some(&serde_json::to_string(&(q, a))?), None);
                }
            }
            parts.finish()
        })
        .map_err(aerr)?;
    table(vec![batch], parts_schema())
}

/// Columns of pair hits: (a, o) in bucket b at the midpoint, both speeds.
fn hits_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::UInt32, false),
        Field::new("o", DataType::UInt32, false),
        Field::new("b", DataType::Int64, false),
        Field::new("mlat", DataType::Float64, false),
        Field::new("mlon", DataType::Float64, false),
        Field::new("sa", DataType::Float32, false),
        Field::new("so", DataType::Float32, false),
        Field::new("dist_m", DataType::Float32, false),
    ]))
}

fn col<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> anyhow::Result<&'a T> {
    b.column_by_name(name)
        .ok_or_else(|| anyhow::anyhow!("no column {name:?}"))?
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| anyhow::anyhow!("column {name:?} has the wrong type"))
}

/// What a phase-one task returns: the shared part (JSON), one `ves` row
/// per vessel ([`parts_schema`]), every vessel's representative slow
/// fixes with the encounter tiles each goes to ([`tiles_schema`]) and the
/// reception counts, routed to the map's blocks ([`cov_schema`]).
type PhaseOneRows = (String, RecordBatch, RecordBatch, RecordBatch);

/// Phase one over one range of whole vessels ([`PhaseOneRows`]).
fn phase_one_rows(
    range: detect::Range,
    p: &Params,
    gaz: &Gazetteer,
) -> anyhow::Result<PhaseOneRows> {
    let (pos, by_id, n_ids, thinned) = range;
    let mut one = detect::phase_one(&pos, by_id, n_ids, p, gaz);
    one.shared.thinned = thinned;
    let mut cov = CovRows::default();
    for r in std::mem::take(&mut one.shared.counts).records() {
        cov.push(&r, p);
    }
    let mut parts = Parts::default();
    for v in &one.vessels {
        parts.push(v.mmsi, "ves", Some(&serde_json::to_string(v)?), None);
    }
    let (mut day, mut ty, mut tx) = (
        Int64Builder::new(),
        Int64Builder::new(),
        Int64Builder::new(),
    );
    let (mut home, mut mmsi, mut t) = (
        BooleanBuilder::new(),
        UInt32Builder::new(),
        Int64Builder::new(),
    );
    let (mut lat, mut lon, mut sog) = (
        Float64Builder::new(),
        Float64Builder::new(),
        Float32Builder::new(),
    );
    let mut start = 0;
    while start < pos.len() {
        let m = pos[start].mmsi;
        let end = start + pos[start..].partition_point(|f| f.mmsi == m);
        for f in detect::encounter::vessel_representatives(&pos[start..end], p) {
            for ((d, y, x), h) in detect::encounter::tiles_of(&f, p) {
                day.append_value(d);
                ty.append_value(y);
                tx.append_value(x);
                home.append_value(h);
                mmsi.append_value(f.0);
                t.append_value(f.1);
                lat.append_value(f.2);
                lon.append_value(f.3);
                sog.append_value(f.4);
            }
        }
        start = end;
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(day.finish()),
        Arc::new(ty.finish()),
        Arc::new(tx.finish()),
        Arc::new(home.finish()),
        Arc::new(mmsi.finish()),
        Arc::new(t.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(sog.finish()),
    ];
    let batch = RecordBatch::try_new(tiles_schema(), cols)?;
    Ok((
        serde_json::to_string(&one.shared)?,
        parts.finish()?,
        batch,
        cov.finish()?,
    ))
}

/// Phase one over the vessels of one Spark partition (all fixes and
/// identity reports of each of its MMSIs), handed over as Arrow through
/// the JVM (a DataFrame that is not a shiptrace store): the shared part
/// (JSON), the vessels' parts and their slow fixes by encounter tile.
#[pyfunction]
fn spark_phase_one(
    py: Python<'_>,
    positions: PyTable,
    identities: PyTable,
    params: String,
) -> PyResult<(String, PyTable, PyTable, PyTable)> {
    let (blob, parts, batch, cov) = py
        .detach(|| -> anyhow::Result<_> {
            let p = params_of(Some(&params), None)?;
            let gaz = gazetteer(&p)?;
            let range =
                detect::Records::new(positions_of(&positions.0)?, identities_of(&identities.0)?)
                    .into_range(&p);
            phase_one_rows(range, &p, &gaz)
        })
        .map_err(aerr)?;
    Ok((
        blob,
        table(vec![parts], parts_schema())?,
        table(vec![batch], tiles_schema())?,
        table(vec![cov], cov_schema())?,
    ))
}

/// Phase one over MMSIs `a..=z` of the store at `store`, read here (in
/// Rust, from the store's files: only the pages that hold the range), not
/// through the JVM. Returns the same as [`spark_phase_one`] (the fixes
/// read are in the phase-one result).
#[pyfunction]
fn spark_phase_one_store(
    py: Python<'_>,
    store: PathBuf,
    a: u32,
    z: u32,
    params: String,
) -> PyResult<(String, PyTable, PyTable, PyTable)> {
    let (blob, parts, batch, cov) = py
        .detach(|| -> anyhow::Result<_> {
            let p = params_of(Some(&params), None)?;
            let gaz = gazetteer(&p)?;
            let st = store::Store::open(&store)?;
            let thin = detect::range_thinning(&st, a, z, &p)?;
            phase_one_rows(detect::Source::range(&st, a, z, &thin)?, &p, &gaz)
        })
        .map_err(aerr)?;
    Ok((
        blob,
        table(vec![parts], parts_schema())?,
        table(vec![batch], tiles_schema())?,
        table(vec![cov], cov_schema())?,
    ))
}

/// The work items of a Spark job over the store at `store`: MMSI ranges of
/// about `per` fixes each, planned from the files' footers alone
/// ([`detect::plan_ranges`]), and the fixes the files hold.
#[pyfunction]
fn spark_plan(py: Python<'_>, store: PathBuf, per: u64) -> PyResult<(Vec<(u32, u32)>, u64)> {
    py.detach(|| -> anyhow::Result<_> {
        let st = store::Store::open(&store)?;
        let spans = st.position_spans()?;
        let total = spans.iter().map(|s| s.2).sum();
        Ok((detect::plan_ranges(&spans, per), total))
    })
    .map_err(aerr)
}

/// Close pairs in the encounter tiles of one Spark partition: rows of
/// [`tiles_schema`] sorted by (day, ty, tx), one tile after another.
#[pyfunction]
fn spark_tile_hits(py: Python<'_>, tiles: PyTable, params: String) -> PyResult<PyTable> {
    let batch = py
        .detach(|| -> anyhow::Result<RecordBatch> {
            let p = params_of(Some(&params), None)?;
            let gaz = gazetteer(&p)?;
            let mut rows: Vec<((i64, i64, i64), bool, detect::SlowFix)> = Vec::new();
            for b in tiles.0.record_batches() {
                let (day, ty, tx) = (
                    col::<Int64Array>(b, "day")?,
                    col::<Int64Array>(b, "ty")?,
                    col::<Int64Array>(b, "tx")?,
                );
                let home = col::<BooleanArray>(b, "home")?;
                let mmsi = col::<UInt32Array>(b, "mmsi")?;
                let t = col::<Int64Array>(b, "t")?;
                let (lat, lon) = (
                    col::<Float64Array>(b, "lat")?,
                    col::<Float64Array>(b, "lon")?,
                );
                let sog = col::<Float32Array>(b, "sog")?;
                for i in 0..b.num_rows() {
                    rows.push((
                        (day.value(i), ty.value(i), tx.value(i)),
                        home.value(i),
                        (
                            mmsi.value(i),
                            t.value(i),
                            lat.value(i),
                            lon.value(i),
                            sog.value(i),
                        ),
                    ));
                }
            }
            rows.sort_by_key(|r| r.0);
            let mut hits = detect::encounter::PairHits::new();
            let mut start = 0;
            while start < rows.len() {
                let key = rows[start].0;
                let end = start + rows[start..].partition_point(|r| r.0 == key);
                let fixes: Vec<detect::SlowFix> = rows[start..end].iter().map(|r| r.2).collect();
                let homes: Vec<bool> = rows[start..end].iter().map(|r| r.1).collect();
                detect::encounter::index_tile(&fixes, &homes, &p, &gaz, &mut hits);
                start = end;
            }
            let (mut a, mut o, mut bk) = (
                UInt32Builder::new(),
                UInt32Builder::new(),
                Int64Builder::new(),
            );
            let (mut mlat, mut mlon) = (Float64Builder::new(), Float64Builder::new());
            let (mut sa, mut so) = (Float32Builder::new(), Float32Builder::new());
            let mut dm = Float32Builder::new();
            for ((x, y), v) in hits {
                for h in v {
                    a.append_value(x);
                    o.append_value(y);
                    bk.append_value(h.bucket);
                    mlat.append_value(h.lat);
                    mlon.append_value(h.lon);
                    sa.append_value(h.sog_a);
                    so.append_value(h.sog_b);
                    dm.append_value(h.distance_m);
                }
            }
            let cols: Vec<ArrayRef> = vec![
                Arc::new(a.finish()),
                Arc::new(o.finish()),
                Arc::new(bk.finish()),
                Arc::new(mlat.finish()),
                Arc::new(mlon.finish()),
                Arc::new(sa.finish()),
                Arc::new(so.finish()),
                Arc::new(dm.finish()),
            ];
            Ok(RecordBatch::try_new(hits_schema(), cols)?)
        })
        .map_err(aerr)?;
    table(vec![batch], hits_schema())
}

/// Encounter events of the pairs in one Spark partition (every hit of
/// each pair), as rows of [`parts_schema`]: a `pair` row for the vessel
/// (its `mmsi`) and a `seen` row for its partner.
#[pyfunction]
fn spark_pair_events(py: Python<'_>, hits: PyTable, params: String) -> PyResult<PyTable> {
    let batch = py
        .detach(|| -> anyhow::Result<RecordBatch> {
            let p = params_of(Some(&params), None)?;
            let gaz = gazetteer(&p)?;
            let mut ph = detect::encounter::PairHits::new();
            for b in hits.0.record_batches() {
                let (a, o) = (col::<UInt32Array>(b, "a")?, col::<UInt32Array>(b, "o")?);
                let bk = col::<Int64Array>(b, "b")?;
                let (mlat, mlon) = (
                    col::<Float64Array>(b, "mlat")?,
                    col::<Float64Array>(b, "mlon")?,
                );
                let (sa, so) = (col::<Float32Array>(b, "sa")?, col::<Float32Array>(b, "so")?);
                let dm = col::<Float32Array>(b, "dist_m")?;
                for i in 0..b.num_rows() {
                    ph.entry((a.value(i), o.value(i)))
                        .or_default()
                        .push(detect::encounter::Hit {
                            bucket: bk.value(i),
                            lat: mlat.value(i),
                            lon: mlon.value(i),
                            sog_a: sa.value(i),
                            sog_b: so.value(i),
                            distance_m: dm.value(i),
                        });
                }
            }
            let mut parts = Parts::default();
            for e in detect::encounter::encounters(&mut ph, &p, &gaz) {
                parts.push(e.mmsi, "pair", Some(&serde_json::to_string(&e)?), None);
                if let Some(o) = e.other_mmsi {
                    parts.push(o, "seen", None, Some((e.start_ms(), e.end_ms())));
                }
            }
            parts.finish()
        })
        .map_err(aerr)?;
    table(vec![batch], parts_schema())
}

/// Phase two's shared part on the driver, from every phase-one task's
/// shared part (JSON): the [`detect::Shared`] to broadcast (JSON) and the
/// counts of what phase one read (JSON: fixes kept, identities, vessels,
/// `fixes_read` with those thinning left out, `thinned` when any was).
#[pyfunction]
fn spark_shared(py: Python<'_>, parts: Vec<String>, params: String) -> PyResult<(String, String)> {
    py.detach(|| -> anyhow::Result<_> {
        let p = params_of(Some(&params), None)?;
        let mut all = detect::SharedPart::default();
        for b in &parts {
            all.absorb(serde_json::from_str(b)?);
        }
        let read = all.fixes_read();
        let shared = detect::Shared::build(all, &p);
        let mut counts = serde_json::json!({
            "fixes": shared.fixes, "identities": shared.identities, "vessels": shared.vessels,
            "fixes_read": read,
        });
        if !shared.thinned.is_empty() {
            counts["thinned"] = serde_json::to_value(&shared.thinned)?;
        }
        Ok((serde_json::to_string(&shared)?, counts.to_string()))
    })
    .map_err(aerr)
}

/// Phase two's per-vessel part in a Spark task: built once per worker
/// process from the broadcast [`detect::Shared`], then called for each
/// partition of vessels.
#[pyclass(frozen)]
struct PhaseTwo {
    ready: detect::Ready,
    params: Params,
    gaz: Arc<Gazetteer>,
}

#[pymethods]
impl PhaseTwo {
    #[new]
    fn new(py: Python<'_>, shared: String, params: String) -> PyResult<Self> {
        py.detach(|| -> anyhow::Result<_> {
            let p = params_of(Some(&params), None)?;
            let gaz = gazetteer(&p)?;
            let s: detect::Shared = serde_json::from_str(&shared)?;
            Ok(PhaseTwo {
                ready: detect::Ready::new(s),
                params: p,
                gaz,
            })
        })
        .map_err(aerr)
    }

    /// What the vessels in `parts` (their `ves` rows) send to the
    /// reception map's blocks: the ends of their silences and their
    /// questions ([`detect::coverage_records`]), as rows of the map's join
    /// routed to their blocks.
    fn queries(&self, py: Python<'_>, parts: PyTable) -> PyResult<PyTable> {
        let batch = py
            .detach(|| -> anyhow::Result<RecordBatch> {
                let mut cov = CovRows::default();
                for b in parts.0.record_batches() {
                    let part = col::<StringArray>(b, "part")?;
                    let blob = col::<StringArray>(b, "blob")?;
                    let mut vs = Vec::new();
                    for i in 0..b.num_rows() {
                        if part.value(i) != "ves" || !blob.is_valid(i) {
                            anyhow::bail!(
                                "a {} row where vessel parts were expected",
                                part.value(i)
                            );
                        }
                        vs.push(serde_json::from_str::<detect::VesselPart>(blob.value(i))?);
                    }
                    for r in detect::coverage_records(&vs, &self.ready, &self.params) {
                        cov.push(&r, &self.params);
                    }
                }
                cov.finish()
            })
            .map_err(aerr)?;
        table(vec![batch], cov_schema())
    }

    /// The events of the vessels in `parts` (rows of the `parts` schema:
    /// every `ves` row of each vessel, its `pair` rows, `seen` rows and the
    /// `ans` rows of the reception map's answers to its questions), not
    /// yet numbered: the events table with an empty `id` and a binary
    /// `key` column that sorts them ([`detect::order_key`]).
    fn vessels(&self, py: Python<'_>, parts: PyTable) -> PyResult<PyTable> {
        let batch = py
            .detach(|| -> anyhow::Result<RecordBatch> {
                let (mut vs, mut pairs, mut seen) = (Vec::new(), Vec::new(), Vec::new());
                let mut answers = Vec::new();
                for b in parts.0.record_batches() {
                    let mmsi = col::<UInt32Array>(b, "mmsi")?;
                    let part = col::<StringArray>(b, "part")?;
                    let blob = col::<StringArray>(b, "blob")?;
                    let (t0, t1) = (col::<Int64Array>(b, "t0")?, col::<Int64Array>(b, "t1")?);
                    for i in 0..b.num_rows() {
                        let text = || {
                            blob.is_valid(i).then(|| blob.value(i)).ok_or_else(|| {
                                anyhow::anyhow!("a {} row without its blob", part.value(i))
                            })
                        };
                        match part.value(i) {
                            "ves" => vs.push(serde_json::from_str::<detect::VesselPart>(text()?)?),
                            "pair" => pairs.push(serde_json::from_str::<Event>(text()?)?),
                            "seen" if t0.is_valid(i) && t1.is_valid(i) => {
                                seen.push((mmsi.value(i), t0.value(i), t1.value(i)))
                            }
                            "seen" => anyhow::bail!("a seen row without its start and end"),
                            "ans" => answers.push(serde_json::from_str::<(
                                detect::coverage::Query,
                                detect::coverage::Answer,
                            )>(text()?)?),
                            other => anyhow::bail!("a row of phase two with part {other:?}"),
                        }
                    }
                }
                let map: detect::coverage::Answers = answers.into_iter().collect();
                let events = detect::phase_two_vessels(
                    vs,
                    pairs,
                    &seen,
                    &self.ready,
                    &map,
                    &self.params,
                    &self.gaz,
                )?;
                let b = detect::table::events_batch(&events);
                let mut key = BinaryBuilder::new();
                for e in &events {
                    key.append_value(detect::order_key(e));
                }
                let mut cols = b.columns().to_vec();
                cols.push(Arc::new(key.finish()));
                Ok(RecordBatch::try_new(keyed_events_schema(), cols)?)
            })
            .map_err(aerr)?;
        table(vec![batch], keyed_events_schema())
    }
}

/// The events schema with the binary sort key last.
fn keyed_events_schema() -> SchemaRef {
    let mut f: Vec<Field> = detect::table::events_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    f.push(Field::new("key", DataType::Binary, false));
    Arc::new(Schema::new(f))
}

/// Land rings (Natural Earth 1:10m, embedded) meeting (min lon, min lat,
/// max lon, max lat): lists of (lon, lat), for drawing maps offline.
#[pyfunction]
fn land(bbox: (f64, f64, f64, f64)) -> Vec<Vec<(f64, f64)>> {
    sea::outline::land_in(bbox)
        .map(|r| r.points.clone())
        .collect()
}

/// The store's table schemas, for casting tables that come from elsewhere
/// (Spark, pandas) to the types the engine reads.
#[pyfunction]
fn schema(name: &str) -> PyResult<PyArrowType<Schema>> {
    let s = match name {
        "positions" => store::schema::positions_schema(),
        "identities" => store::schema::identities_schema(),
        "events" => detect::table::events_schema(),
        "tiles" => tiles_schema(),
        "hits" => hits_schema(),
        "parts" => parts_schema(),
        "cov" => cov_schema(),
        "keyed_events" => keyed_events_schema(),
        _ => return Err(err(format!("no schema {name:?}"))),
    };
    Ok(PyArrowType(s.as_ref().clone()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ShiptraceError", m.py().get_type::<ShiptraceError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Store>()?;
    m.add_function(wrap_pyfunction!(params_json, m)?)?;
    m.add_function(wrap_pyfunction!(decode_path, m)?)?;
    m.add_function(wrap_pyfunction!(decode_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(open_store, m)?)?;
    m.add_function(wrap_pyfunction!(ingest, m)?)?;
    m.add_function(wrap_pyfunction!(detect_tables, m)?)?;
    m.add_function(wrap_pyfunction!(detect_store, m)?)?;
    m.add_function(wrap_pyfunction!(events_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(read_events, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(fuse_imagery, m)?)?;
    m.add_function(wrap_pyfunction!(network, m)?)?;
    m.add_function(wrap_pyfunction!(spark_phase_one, m)?)?;
    m.add_function(wrap_pyfunction!(spark_phase_one_store, m)?)?;
    m.add_function(wrap_pyfunction!(spark_plan, m)?)?;
    m.add_function(wrap_pyfunction!(spark_tile_hits, m)?)?;
    m.add_function(wrap_pyfunction!(spark_pair_events, m)?)?;
    m.add_function(wrap_pyfunction!(spark_shared, m)?)?;
    m.add_function(wrap_pyfunction!(spark_coverage, m)?)?;
    m.add_class::<PhaseTwo>()?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(land, m)?)?;
    Ok(())
}
