//! Arrow schemas of the store's tables and conversion of records to and
//! from record batches.

use crate::record::{Class, Identity, Position};
use arrow_array::builder::{
    BooleanBuilder, Float32Builder, Float64Builder, StringBuilder, TimestampMillisecondBuilder,
    UInt16Builder, UInt32Builder, UInt8Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt16Array, UInt32Array, UInt8Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::{Arc, OnceLock};

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// `positions`: one row per position fix.
pub fn positions_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new("time", ts(), false),
            Field::new("mmsi", DataType::UInt32, false),
            Field::new("lat", DataType::Float64, false),
            Field::new("lon", DataType::Float64, false),
            Field::new("sog", DataType::Float32, true),
            Field::new("cog", DataType::Float32, true),
            Field::new("heading", DataType::UInt16, true),
            Field::new("nav_status", DataType::UInt8, true),
            Field::new("msg_type", DataType::UInt8, false),
            Field::new("class", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, true),
            Field::new("accuracy", DataType::Boolean, false),
            Field::new("report_tag", DataType::UInt8, true),
            Field::new("carried_by", DataType::Utf8, true),
        ]))
    })
    .clone()
}

/// `identities`: one row per static/voyage report.
pub fn identities_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new("time", ts(), false),
            Field::new("mmsi", DataType::UInt32, false),
            Field::new("msg_type", DataType::UInt8, false),
            Field::new("imo", DataType::UInt32, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("callsign", DataType::Utf8, true),
            Field::new("ship_type", DataType::UInt8, true),
            Field::new("to_bow", DataType::UInt16, true),
            Field::new("to_stern", DataType::UInt16, true),
            Field::new("to_port", DataType::UInt16, true),
            Field::new("to_starboard", DataType::UInt16, true),
            Field::new("draught", DataType::Float32, true),
            Field::new("destination", DataType::Utf8, true),
            Field::new("eta", DataType::Utf8, true),
            Field::new("source", DataType::Utf8, true),
            Field::new("carried_by", DataType::Utf8, true),
        ]))
    })
    .clone()
}

/// The stored 8 bits of a row's payload hash (`report_tag`, the top byte):
/// copies of one report share them, two reports of a vessel that repeats
/// an identical position differ in them (255 times in 256), which is what
/// lets sources be merged by content without taking consecutive reports
/// for copies. 0 is "no tag" (stored as null): rows of files written
/// before the column, and rows rebuilt from a lossy source (gpsd's scaled
/// JSON), which match any tag.
pub fn report_tag(payload_hash: u64) -> u8 {
    (payload_hash >> 56) as u8
}

/// Whether two rows' tags allow them to be copies of one report.
pub fn tags_agree(a: u8, b: u8) -> bool {
    a == b || a == 0 || b == 0
}

/// Which sources carried each row (the `carried_by` column): the ids
/// (first 16 hex digits of the source's BLAKE3) separated by spaces. Null
/// in a source's own files, whose name starts with its id (a column of one
/// repeated value would cost a string per row to write); set row by row in
/// merged files (`m-*.parquet`).
#[derive(Debug, Clone, Copy)]
pub enum Carried<'a> {
    /// Not written: the file's name says the source (or rows built outside
    /// an ingest).
    Unknown,
    /// Row by row.
    Each(&'a [String]),
}

impl Carried<'_> {
    fn column(&self, n: usize) -> ArrayRef {
        match self {
            Carried::Unknown => Arc::new(arrow_array::new_null_array(&DataType::Utf8, n)),
            Carried::Each(v) => Arc::new(StringArray::from_iter_values(v.iter())),
        }
    }
}

/// Position rows as a record batch of [`positions_schema`].
pub fn positions_batch(rows: &[Position], carried: Carried<'_>) -> RecordBatch {
    let n = rows.len();
    let mut time = TimestampMillisecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut mmsi = UInt32Builder::with_capacity(n);
    let mut lat = Float64Builder::with_capacity(n);
    let mut lon = Float64Builder::with_capacity(n);
    let mut sog = Float32Builder::with_capacity(n);
    let mut cog = Float32Builder::with_capacity(n);
    let mut heading = UInt16Builder::with_capacity(n);
    let mut nav = UInt8Builder::with_capacity(n);
    let mut mt = UInt8Builder::with_capacity(n);
    let mut class = StringBuilder::with_capacity(n, n * 2);
    let mut source = StringBuilder::new();
    let mut acc = BooleanBuilder::with_capacity(n);
    let mut tag = UInt8Builder::with_capacity(n);
    for r in rows {
        time.append_value(r.time_ms);
        mmsi.append_value(r.mmsi);
        lat.append_value(r.lat);
        lon.append_value(r.lon);
        sog.append_option(r.sog);
        cog.append_option(r.cog);
        heading.append_option(r.heading);
        nav.append_option(r.nav_status);
        mt.append_value(r.msg_type);
        class.append_value(r.class.as_str());
        source.append_option(r.source.as_deref());
        acc.append_value(r.accuracy);
        match report_tag(r.payload_hash) {
            0 => tag.append_null(),
            t => tag.append_value(t),
        }
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(time.finish()),
        Arc::new(mmsi.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(sog.finish()),
        Arc::new(cog.finish()),
        Arc::new(heading.finish()),
        Arc::new(nav.finish()),
        Arc::new(mt.finish()),
        Arc::new(class.finish()),
        Arc::new(source.finish()),
        Arc::new(acc.finish()),
        Arc::new(tag.finish()),
        carried.column(n),
    ];
    RecordBatch::try_new(positions_schema(), cols).expect("columns match the schema")
}

/// Identity rows as a record batch of [`identities_schema`].
pub fn identities_batch(rows: &[Identity], carried: Carried<'_>) -> RecordBatch {
    let n = rows.len();
    let mut time = TimestampMillisecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut mmsi = UInt32Builder::with_capacity(n);
    let mut mt = UInt8Builder::with_capacity(n);
    let mut imo = UInt32Builder::with_capacity(n);
    let mut name = StringBuilder::new();
    let mut callsign = StringBuilder::new();
    let mut ship_type = UInt8Builder::with_capacity(n);
    let mut bow = UInt16Builder::with_capacity(n);
    let mut stern = UInt16Builder::with_capacity(n);
    let mut port = UInt16Builder::with_capacity(n);
    let mut starboard = UInt16Builder::with_capacity(n);
    let mut draught = Float32Builder::with_capacity(n);
    let mut dest = StringBuilder::new();
    let mut eta = StringBuilder::new();
    let mut source = StringBuilder::new();
    for r in rows {
        time.append_value(r.time_ms);
        mmsi.append_value(r.mmsi);
        mt.append_value(r.msg_type);
        imo.append_option(r.imo);
        name.append_option(r.name.as_deref());
        callsign.append_option(r.callsign.as_deref());
        ship_type.append_option(r.ship_type);
        bow.append_option(r.to_bow);
        stern.append_option(r.to_stern);
        port.append_option(r.to_port);
        starboard.append_option(r.to_starboard);
        draught.append_option(r.draught);
        dest.append_option(r.destination.as_deref());
        eta.append_option(r.eta.as_deref());
        source.append_option(r.source.as_deref());
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(time.finish()),
        Arc::new(mmsi.finish()),
        Arc::new(mt.finish()),
        Arc::new(imo.finish()),
        Arc::new(name.finish()),
        Arc::new(callsign.finish()),
        Arc::new(ship_type.finish()),
        Arc::new(bow.finish()),
        Arc::new(stern.finish()),
        Arc::new(port.finish()),
        Arc::new(starboard.finish()),
        Arc::new(draught.finish()),
        Arc::new(dest.finish()),
        Arc::new(eta.finish()),
        Arc::new(source.finish()),
        carried.column(n),
    ];
    RecordBatch::try_new(identities_schema(), cols).expect("columns match the schema")
}

fn col<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> Result<&'a T, String> {
    b.column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| format!("column {name} missing or of the wrong type"))
}

fn opt<T, A: Array>(a: &A, i: usize, v: impl Fn(usize) -> T) -> Option<T> {
    (!a.is_null(i)).then(|| v(i))
}

/// Rows of a `positions` batch (as read back from the store).
pub fn positions_from_batch(b: &RecordBatch) -> Result<Vec<Position>, String> {
    let time = col::<TimestampMillisecondArray>(b, "time")?;
    let mmsi = col::<UInt32Array>(b, "mmsi")?;
    let lat = col::<Float64Array>(b, "lat")?;
    let lon = col::<Float64Array>(b, "lon")?;
    let sog = col::<Float32Array>(b, "sog")?;
    let cog = col::<Float32Array>(b, "cog")?;
    let heading = col::<UInt16Array>(b, "heading")?;
    let nav = col::<UInt8Array>(b, "nav_status")?;
    let mt = col::<UInt8Array>(b, "msg_type")?;
    let class = col::<StringArray>(b, "class")?;
    let source = col::<StringArray>(b, "source")?;
    let acc = col::<BooleanArray>(b, "accuracy")?;
    // files written before the column: no tag (0)
    let tag = b
        .column_by_name("report_tag")
        .and_then(|c| c.as_any().downcast_ref::<UInt8Array>());
    Ok((0..b.num_rows())
        .map(|i| Position {
            time_ms: time.value(i),
            mmsi: mmsi.value(i),
            lat: lat.value(i),
            lon: lon.value(i),
            sog: opt(sog, i, |i| sog.value(i)),
            cog: opt(cog, i, |i| cog.value(i)),
            heading: opt(heading, i, |i| heading.value(i)),
            nav_status: opt(nav, i, |i| nav.value(i)),
            msg_type: mt.value(i),
            class: Class::parse(class.value(i)).unwrap_or(Class::A),
            source: opt(source, i, |i| std::sync::Arc::from(source.value(i))),
            accuracy: acc.value(i),
            payload_hash: tag
                .and_then(|t| opt(t, i, |i| t.value(i)))
                .map_or(0, |t| (t as u64) << 56),
        })
        .collect())
}

/// Fixes of a `positions` batch read with only some columns: `time`,
/// `mmsi`, `lat`, `lon` needed, `sog` and `cog` read if present, the rest
/// left at their defaults (class A, message type 0, no source).
pub fn fixes_from_batch(b: &RecordBatch) -> Result<Vec<Position>, String> {
    let time = col::<TimestampMillisecondArray>(b, "time")?;
    let mmsi = col::<UInt32Array>(b, "mmsi")?;
    let lat = col::<Float64Array>(b, "lat")?;
    let lon = col::<Float64Array>(b, "lon")?;
    let f32col = |name: &str| {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<Float32Array>())
    };
    let (sog, cog) = (f32col("sog"), f32col("cog"));
    Ok((0..b.num_rows())
        .map(|i| Position {
            time_ms: time.value(i),
            mmsi: mmsi.value(i),
            lat: lat.value(i),
            lon: lon.value(i),
            sog: sog.and_then(|c| opt(c, i, |i| c.value(i))),
            cog: cog.and_then(|c| opt(c, i, |i| c.value(i))),
            heading: None,
            nav_status: None,
            msg_type: 0,
            class: Class::A,
            source: None,
            accuracy: false,
            payload_hash: 0,
        })
        .collect())
}

/// Rows of an `identities` batch.
pub fn identities_from_batch(b: &RecordBatch) -> Result<Vec<Identity>, String> {
    let time = col::<TimestampMillisecondArray>(b, "time")?;
    let mmsi = col::<UInt32Array>(b, "mmsi")?;
    let mt = col::<UInt8Array>(b, "msg_type")?;
    let imo = col::<UInt32Array>(b, "imo")?;
    let s = |n: &str| col::<StringArray>(b, n);
    let (name, callsign, dest, eta, source) = (
        s("name")?,
        s("callsign")?,
        s("destination")?,
        s("eta")?,
        s("source")?,
    );
    let ship_type = col::<UInt8Array>(b, "ship_type")?;
    let u16c = |n: &str| col::<UInt16Array>(b, n);
    let (bow, stern, port, stbd) = (
        u16c("to_bow")?,
        u16c("to_stern")?,
        u16c("to_port")?,
        u16c("to_starboard")?,
    );
    let draught = col::<Float32Array>(b, "draught")?;
    let st = |a: &StringArray, i: usize| opt(a, i, |i| a.value(i).to_string());
    Ok((0..b.num_rows())
        .map(|i| Identity {
            time_ms: time.value(i),
            mmsi: mmsi.value(i),
            msg_type: mt.value(i),
            imo: opt(imo, i, |i| imo.value(i)),
            name: st(name, i),
            callsign: st(callsign, i),
            ship_type: opt(ship_type, i, |i| ship_type.value(i)),
            to_bow: opt(bow, i, |i| bow.value(i)),
            to_stern: opt(stern, i, |i| stern.value(i)),
            to_port: opt(port, i, |i| port.value(i)),
            to_starboard: opt(stbd, i, |i| stbd.value(i)),
            draught: opt(draught, i, |i| draught.value(i)),
            destination: st(dest, i),
            eta: st(eta, i),
            source: opt(source, i, |i| std::sync::Arc::from(source.value(i))),
            payload_hash: 0,
        })
        .collect())
}

/// The `carried_by` column of a batch read back, row by row; `None` where
/// the file predates the column (the file's name then says its source).
pub fn carried_from_batch(b: &RecordBatch) -> Vec<Option<String>> {
    match b
        .column_by_name("carried_by")
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
    {
        Some(a) => (0..b.num_rows())
            .map(|i| opt(a, i, |i| a.value(i).to_string()))
            .collect(),
        None => vec![None; b.num_rows()],
    }
}

/// A batch read from a file written before a column existed, given the
/// current schema's nullable columns as nulls.
pub fn conform(b: RecordBatch, schema: &SchemaRef) -> RecordBatch {
    if b.schema().fields().len() == schema.fields().len() {
        return b;
    }
    let n = b.num_rows();
    let mut cols = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        match b.column_by_name(f.name()) {
            Some(c) => cols.push(c.clone()),
            None if f.is_nullable() => cols.push(arrow_array::new_null_array(f.data_type(), n)),
            None => return b,
        }
    }
    RecordBatch::try_new(schema.clone(), cols).unwrap_or(b)
}
