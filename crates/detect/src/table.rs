//! Events as an Arrow table (for Parquet, Python and Spark): one row per
//! event, the evidence kept as its JSON text, the vessel's identity and
//! the port flattened into columns. [`events_from_batch`] reads the rows
//! back into the same events, so JSON lines and the table say the same.

use crate::event::{Event, EventKind, Evidence, PortRef, Time, VesselRef};
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, StringBuilder, TimestampMillisecondBuilder, UInt32Builder,
    UInt8Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array, UInt8Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::{Arc, OnceLock};

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The events table's columns.
pub fn events_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        let f = Field::new;
        Arc::new(Schema::new(vec![
            f("id", DataType::Utf8, false),
            f("kind", DataType::Utf8, false),
            f("mmsi", DataType::UInt32, false),
            f("other_mmsi", DataType::UInt32, true),
            f("start", ts(), false),
            f("end", ts(), true),
            f("lat", DataType::Float64, true),
            f("lon", DataType::Float64, true),
            f("port_name", DataType::Utf8, true),
            f("port_locode", DataType::Utf8, true),
            f("confidence", DataType::Float64, false),
            f("evidence", DataType::Utf8, false),
            f("vessel_name", DataType::Utf8, true),
            f("vessel_imo", DataType::UInt32, true),
            f("vessel_callsign", DataType::Utf8, true),
            f("vessel_ship_type", DataType::UInt8, true),
            f("vessel_flag", DataType::Utf8, true),
            // whether the event carries a vessel identity at all (the
            // vessel_* columns may all be null when it does)
            f("has_vessel", DataType::Boolean, false),
        ]))
    })
    .clone()
}

/// The events as one batch of [`events_schema`].
pub fn events_batch(events: &[Event]) -> RecordBatch {
    let n = events.len();
    let s = || StringBuilder::with_capacity(n, n * 8);
    let (mut id, mut kind, mut pname, mut plocode, mut ev) = (s(), s(), s(), s(), s());
    let (mut vname, mut vcall, mut vflag) = (s(), s(), s());
    let mut mmsi = UInt32Builder::with_capacity(n);
    let mut other = UInt32Builder::with_capacity(n);
    let mut vimo = UInt32Builder::with_capacity(n);
    let mut vtype = UInt8Builder::with_capacity(n);
    let mut has_vessel = BooleanBuilder::with_capacity(n);
    let tsb = || TimestampMillisecondBuilder::with_capacity(n).with_timezone("UTC");
    let (mut start, mut end) = (tsb(), tsb());
    let (mut lat, mut lon, mut conf) = (
        Float64Builder::with_capacity(n),
        Float64Builder::with_capacity(n),
        Float64Builder::with_capacity(n),
    );
    for e in events {
        id.append_value(&e.id);
        kind.append_value(e.kind().as_str());
        mmsi.append_value(e.mmsi);
        other.append_option(e.other_mmsi);
        start.append_value(e.start_ms());
        end.append_option(e.end.map(Time::ms));
        lat.append_option(e.lat);
        lon.append_option(e.lon);
        pname.append_option(e.port.as_ref().map(|p| &p.name));
        plocode.append_option(e.port.as_ref().and_then(|p| p.locode.as_ref()));
        conf.append_value(e.confidence);
        ev.append_value(e.evidence.to_string());
        let v = e.vessel.as_ref();
        vname.append_option(v.and_then(|v| v.name.as_ref()));
        vimo.append_option(v.and_then(|v| v.imo));
        vcall.append_option(v.and_then(|v| v.callsign.as_ref()));
        vtype.append_option(v.and_then(|v| v.ship_type));
        vflag.append_option(v.and_then(|v| v.flag.as_ref()));
        has_vessel.append_value(v.is_some());
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(kind.finish()),
        Arc::new(mmsi.finish()),
        Arc::new(other.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(pname.finish()),
        Arc::new(plocode.finish()),
        Arc::new(conf.finish()),
        Arc::new(ev.finish()),
        Arc::new(vname.finish()),
        Arc::new(vimo.finish()),
        Arc::new(vcall.finish()),
        Arc::new(vtype.finish()),
        Arc::new(vflag.finish()),
        Arc::new(has_vessel.finish()),
    ];
    RecordBatch::try_new(events_schema(), cols).expect("columns match the schema")
}

fn col<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> Result<&'a T, String> {
    b.column_by_name(name)
        .ok_or_else(|| format!("events table has no column {name:?}"))?
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| format!("events column {name:?} has the wrong type"))
}

fn get<A: Array, T>(a: &A, i: usize, v: impl Fn(usize) -> T) -> Option<T> {
    (!a.is_null(i)).then(|| v(i))
}

/// The events of a batch of [`events_schema`].
pub fn events_from_batch(b: &RecordBatch) -> Result<Vec<Event>, String> {
    let s = |n: &str| col::<StringArray>(b, n);
    let (id, kind, pname, plocode, ev) = (
        s("id")?,
        s("kind")?,
        s("port_name")?,
        s("port_locode")?,
        s("evidence")?,
    );
    let (vname, vcall, vflag) = (s("vessel_name")?, s("vessel_callsign")?, s("vessel_flag")?);
    let u = |n: &str| col::<UInt32Array>(b, n);
    let (mmsi, other, vimo) = (u("mmsi")?, u("other_mmsi")?, u("vessel_imo")?);
    let vtype = col::<UInt8Array>(b, "vessel_ship_type")?;
    let t = |n: &str| col::<TimestampMillisecondArray>(b, n);
    let (start, end) = (t("start")?, t("end")?);
    let f = |n: &str| col::<Float64Array>(b, n);
    let (lat, lon, conf) = (f("lat")?, f("lon")?, f("confidence")?);
    let has_vessel = col::<BooleanArray>(b, "has_vessel")?;
    let st = |a: &StringArray, i: usize| get(a, i, |i| a.value(i).to_string());
    let mut out = Vec::with_capacity(b.num_rows());
    for i in 0..b.num_rows() {
        let k: EventKind = kind
            .value(i)
            .parse()
            .map_err(|e| format!("event {}: {e}", id.value(i)))?;
        let evidence = serde_json::from_str(ev.value(i))
            .map_err(|e| format!("event {}: evidence is not JSON: {e}", id.value(i)))?;
        let vessel = VesselRef {
            name: st(vname, i),
            imo: get(vimo, i, |i| vimo.value(i)),
            callsign: st(vcall, i),
            ship_type: get(vtype, i, |i| vtype.value(i)),
            flag: st(vflag, i),
        };
        out.push(Event {
            id: id.value(i).to_string(),
            mmsi: mmsi.value(i),
            other_mmsi: get(other, i, |i| other.value(i)),
            start: Time(start.value(i)),
            end: get(end, i, |i| Time(end.value(i))),
            lat: get(lat, i, |i| lat.value(i)),
            lon: get(lon, i, |i| lon.value(i)),
            port: st(pname, i).map(|name| PortRef {
                name,
                locode: st(plocode, i),
            }),
            confidence: conf.value(i),
            evidence: Evidence::from_value(k, evidence),
            vessel: has_vessel.value(i).then_some(vessel),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_the_table() {
        let mut a = Event::of_kind(
            EventKind::DarkPortCall,
            273_210_440,
            1_694_088_000_123,
            Some(1_694_318_400_000),
            Some((42.233, 130.3)),
        );
        a.id = "ev-0".into();
        a.port = Some(PortRef {
            name: "Najin".into(),
            locode: Some("KPRJN".into()),
        });
        a.confidence = 0.1 + 0.2;
        a.evidence = Evidence::from_value(
            EventKind::DarkPortCall,
            serde_json::json!({"hours": 1.0 / 3.0, "rule": "x\"<y>", "n": [1, 2], "score": 0.25}),
        );
        a.vessel = Some(VesselRef {
            name: Some("ANGARA".into()),
            imo: Some(9_179_842),
            callsign: None,
            ship_type: Some(70),
            flag: Some("RU".into()),
        });
        let mut b = Event::of_kind(EventKind::AisGap, 1, -5, None, None);
        b.vessel = Some(VesselRef::default());
        b.id = "ev-1".into();
        b.port = Some(PortRef {
            name: "p".into(),
            locode: None,
        });
        let mut c = Event::of_kind(EventKind::Voyage, 2, 0, Some(1), None);
        c.id = "ev-2".into();
        let events = vec![a, b, c];
        let back = events_from_batch(&events_batch(&events)).unwrap();
        assert_eq!(back, events);
        let json = |v: &[Event]| {
            v.iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(json(&back), json(&events));
    }

    #[test]
    fn a_table_without_a_column_is_an_error() {
        let b = events_batch(&[]);
        let b = b.project(&[0, 1]).unwrap();
        let e = events_from_batch(&b).unwrap_err();
        assert!(e.contains("no column"), "{e}");
    }
}
