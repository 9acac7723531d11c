//! The two record kinds the store keeps, and how AIS messages become them.

use ais::{Body, Decoded, StaticDataBTarget, StaticDataReport, Value};
use std::sync::Arc;

/// Receiving-station names, interned: every row of one station shares one
/// allocation.
#[derive(Default)]
pub struct SourceNames {
    last: Option<Arc<str>>,
    all: std::collections::HashMap<String, Arc<str>>,
}

impl SourceNames {
    /// The shared name (`None` for an empty name).
    pub fn get(&mut self, name: &str) -> Option<Arc<str>> {
        if name.is_empty() {
            return None;
        }
        if let Some(l) = &self.last {
            if &**l == name {
                return Some(l.clone());
            }
        }
        let a = self
            .all
            .entry(name.to_string())
            .or_insert_with(|| Arc::from(name))
            .clone();
        self.last = Some(a.clone());
        Some(a)
    }
}

/// Transceiver / report class of a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Class A (types 1-3).
    A,
    /// Class B (types 18, 19).
    B,
    /// Search-and-rescue aircraft (type 9).
    Sar,
    /// Long-range / satellite broadcast (type 27).
    LongRange,
}

impl Class {
    /// Its name in the store (`A`, `B`, `SAR`, `LR`).
    pub fn as_str(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::Sar => "SAR",
            Class::LongRange => "LR",
        }
    }
    /// Reads a name written by [`Class::as_str`].
    pub fn parse(s: &str) -> Option<Class> {
        match s {
            "A" => Some(Class::A),
            "B" => Some(Class::B),
            "SAR" => Some(Class::Sar),
            "LR" => Some(Class::LongRange),
            _ => None,
        }
    }
}

/// One position fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Receive time, unix milliseconds UTC.
    pub time_ms: i64,
    /// The vessel.
    pub mmsi: u32,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog: Option<f32>,
    /// Course over ground, degrees.
    pub cog: Option<f32>,
    /// True heading, degrees.
    pub heading: Option<u16>,
    /// Navigational status code (types 1-3, 27).
    pub nav_status: Option<u8>,
    /// The message type it came from.
    pub msg_type: u8,
    /// The transponder class.
    pub class: Class,
    /// Receiving station, where the input names it.
    pub source: Option<Arc<str>>,
    /// Position accuracy flag (true: < 10 m).
    pub accuracy: bool,
    /// Hash of the raw payload (duplicate removal; not stored).
    pub payload_hash: u64,
}

/// One identity report (static and voyage data).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Identity {
    /// Receive time, unix milliseconds UTC.
    pub time_ms: i64,
    /// The vessel.
    pub mmsi: u32,
    /// The message type it came from (5, 19, 24).
    pub msg_type: u8,
    /// IMO number.
    pub imo: Option<u32>,
    /// Name (attacker-controlled text).
    pub name: Option<String>,
    /// Call sign (attacker-controlled text).
    pub callsign: Option<String>,
    /// Ship type code.
    pub ship_type: Option<u8>,
    /// Antenna to bow, m.
    pub to_bow: Option<u16>,
    /// Antenna to stern, m.
    pub to_stern: Option<u16>,
    /// Antenna to port side, m.
    pub to_port: Option<u16>,
    /// Antenna to starboard side, m.
    pub to_starboard: Option<u16>,
    /// Draught, metres.
    pub draught: Option<f32>,
    /// Destination (attacker-controlled text).
    pub destination: Option<String>,
    /// ETA as broadcast, `MM-DDTHH:MM` (no year in AIS).
    pub eta: Option<String>,
    /// Receiving station, where the input names it.
    pub source: Option<Arc<str>>,
    /// Hash of the raw payload (duplicate removal; not stored).
    pub payload_hash: u64,
}

fn opt_f32(a: Option<f32>, b: Option<f32>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.is_some().cmp(&b.is_some()),
    }
}

impl Position {
    /// A total order: (mmsi, time), then every stored field, so that
    /// records read in any order (files, Spark partitions) sort alike.
    pub fn total_cmp(&self, o: &Position) -> std::cmp::Ordering {
        (self.mmsi, self.time_ms)
            .cmp(&(o.mmsi, o.time_ms))
            .then(self.lat.total_cmp(&o.lat))
            .then(self.lon.total_cmp(&o.lon))
            .then(opt_f32(self.sog, o.sog))
            .then(opt_f32(self.cog, o.cog))
            .then(
                (
                    self.heading,
                    self.nav_status,
                    self.msg_type,
                    self.class as u8,
                    self.accuracy,
                )
                    .cmp(&(
                        o.heading,
                        o.nav_status,
                        o.msg_type,
                        o.class as u8,
                        o.accuracy,
                    )),
            )
            .then(self.source.cmp(&o.source))
    }
}

impl Identity {
    /// This vessel's identity after a newer report: every field the report
    /// carries replaces the held one, the others are kept (class B splits
    /// its identity over type 24 parts A and B; types 5 and 19 carry
    /// several fields). Time and message type become the report's.
    pub fn overlay(&mut self, newer: &Identity) {
        self.time_ms = newer.time_ms;
        self.msg_type = newer.msg_type;
        macro_rules! take {
            ($($f:ident),*) => { $( if newer.$f.is_some() { self.$f = newer.$f.clone(); } )* };
        }
        take!(
            imo,
            name,
            callsign,
            ship_type,
            to_bow,
            to_stern,
            to_port,
            to_starboard,
            draught,
            destination,
            eta
        );
    }

    /// A total order: (mmsi, time), then every stored field.
    pub fn total_cmp(&self, o: &Identity) -> std::cmp::Ordering {
        (self.mmsi, self.time_ms, self.msg_type, self.imo)
            .cmp(&(o.mmsi, o.time_ms, o.msg_type, o.imo))
            .then((&self.name, &self.callsign, self.ship_type).cmp(&(
                &o.name,
                &o.callsign,
                o.ship_type,
            )))
            .then(
                (self.to_bow, self.to_stern, self.to_port, self.to_starboard).cmp(&(
                    o.to_bow,
                    o.to_stern,
                    o.to_port,
                    o.to_starboard,
                )),
            )
            .then(opt_f32(self.draught, o.draught))
            .then((&self.destination, &self.eta, &self.source).cmp(&(
                &o.destination,
                &o.eta,
                &o.source,
            )))
    }
}

fn f32_of(v: Value<'_>) -> Option<f32> {
    match v {
        Value::F(x) => Some(x as f32),
        Value::U(x) => Some(x as f32),
        Value::I(x) => Some(x as f32),
        _ => None,
    }
}

fn text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn dim(v: u16) -> Option<u16> {
    (v != 0).then_some(v)
}

/// What a decoded message contributes to the store.
pub enum Record {
    /// A position fix.
    Position(Position),
    /// An identity report.
    Identity(Identity),
    /// A message that carries neither (base stations, binary, ...), or a
    /// position report without a valid position.
    None,
}

/// Converts a decoded message with a known receive time.
pub fn from_decoded(d: &Decoded, time_ms: i64, source: Option<Arc<str>>) -> Record {
    let m = &d.message;
    let hash = d.meta.payload_hash;
    let pos =
        |lat_lon: Option<(f64, f64)>, sog, cog, heading: Option<u16>, nav, class, accuracy| {
            match lat_lon {
                Some((lon, lat)) => Record::Position(Position {
                    time_ms,
                    mmsi: m.mmsi,
                    lat,
                    lon,
                    sog,
                    cog,
                    heading,
                    nav_status: nav,
                    msg_type: m.msg_type,
                    class,
                    source: source.clone(),
                    accuracy,
                    payload_hash: hash,
                }),
                None => Record::None,
            }
        };
    use ais::field::{Unit, COG, HEADING, SOG};
    let heading = |h: u16| match HEADING.interpret(h as i64, false) {
        Value::U(v) => Some(v as u16),
        _ => None,
    };
    match &m.body {
        Body::Position(p) => pos(
            m.position(),
            f32_of(SOG.interpret(p.speed as i64, false)),
            f32_of(COG.interpret(p.course as i64, false)),
            heading(p.heading),
            Some(p.status),
            Class::A,
            p.accuracy,
        ),
        Body::ClassBPosition(p) => pos(
            m.position(),
            f32_of(SOG.interpret(p.speed as i64, false)),
            f32_of(COG.interpret(p.course as i64, false)),
            heading(p.heading),
            None,
            Class::B,
            p.accuracy,
        ),
        Body::ClassBExtended(p) => pos(
            m.position(),
            f32_of(SOG.interpret(p.speed as i64, false)),
            f32_of(COG.interpret(p.course as i64, false)),
            heading(p.heading),
            None,
            Class::B,
            p.accuracy,
        ),
        Body::SarAircraft(p) => pos(
            m.position(),
            f32_of(Unit::below(1023).interpret(p.speed as i64, false)),
            f32_of(COG.interpret(p.course as i64, false)),
            None,
            None,
            Class::Sar,
            p.accuracy,
        ),
        Body::LongRange(p) => pos(
            m.position(),
            f32_of(Unit::below(63).interpret(p.speed as i64, false)),
            f32_of(Unit::below(360).interpret(p.course as i64, false)),
            None,
            Some(p.status),
            Class::LongRange,
            p.accuracy,
        ),
        Body::StaticAndVoyage(s) => {
            let eta = (s.month != 0 && s.day != 0 && s.hour < 24 && s.minute < 60)
                .then(|| format!("{:02}-{:02}T{:02}:{:02}", s.month, s.day, s.hour, s.minute));
            Record::Identity(Identity {
                time_ms,
                mmsi: m.mmsi,
                msg_type: 5,
                imo: (s.imo != 0).then_some(s.imo),
                name: text(s.shipname.as_str()),
                callsign: text(s.callsign.as_str()),
                ship_type: (s.shiptype != 0).then_some(s.shiptype),
                to_bow: dim(s.to_bow),
                to_stern: dim(s.to_stern),
                to_port: dim(s.to_port as u16),
                to_starboard: dim(s.to_starboard as u16),
                draught: (s.draught != 0).then(|| s.draught as f32 / 10.0),
                destination: text(s.destination.as_str()),
                eta,
                source,
                payload_hash: hash,
            })
        }
        Body::StaticData(StaticDataReport::A(a)) => Record::Identity(Identity {
            time_ms,
            mmsi: m.mmsi,
            msg_type: 24,
            name: text(a.shipname.as_str()),
            source,
            payload_hash: hash,
            ..Identity::default()
        }),
        Body::StaticData(StaticDataReport::B(b)) => {
            let (to_bow, to_stern, to_port, to_starboard) = match &b.target {
                StaticDataBTarget::Dimensions(d) => (
                    dim(d.to_bow),
                    dim(d.to_stern),
                    dim(d.to_port as u16),
                    dim(d.to_starboard as u16),
                ),
                StaticDataBTarget::Mothership(_) => (None, None, None, None),
            };
            Record::Identity(Identity {
                time_ms,
                mmsi: m.mmsi,
                msg_type: 24,
                callsign: text(b.head.callsign.as_str()),
                ship_type: (b.head.shiptype != 0).then_some(b.head.shiptype),
                to_bow,
                to_stern,
                to_port,
                to_starboard,
                source,
                payload_hash: hash,
                ..Identity::default()
            })
        }
        _ => Record::None,
    }
}

/// Identity fields of a type 19 (it carries a name and dimensions too).
pub fn identity_of_type19(d: &Decoded, time_ms: i64, source: Option<Arc<str>>) -> Option<Identity> {
    if let Body::ClassBExtended(p) = &d.message.body {
        Some(Identity {
            time_ms,
            mmsi: d.message.mmsi,
            msg_type: 19,
            name: text(p.shipname.as_str()),
            ship_type: (p.shiptype != 0).then_some(p.shiptype),
            to_bow: dim(p.to_bow),
            to_stern: dim(p.to_stern),
            to_port: dim(p.to_port as u16),
            to_starboard: dim(p.to_starboard as u16),
            source,
            payload_hash: d.meta.payload_hash ^ 0x19,
            ..Identity::default()
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Identity;

    #[test]
    fn a_newer_report_overlays_only_the_fields_it_carries() {
        let mut held = Identity {
            time_ms: 1,
            mmsi: 273_210_440,
            msg_type: 24,
            name: Some("ANGARA".into()),
            ..Identity::default()
        };
        let part_b = Identity {
            time_ms: 2,
            msg_type: 24,
            callsign: Some("UBCT6".into()),
            ship_type: Some(70),
            ..Identity::default()
        };
        held.overlay(&part_b);
        assert_eq!(held.name.as_deref(), Some("ANGARA"));
        assert_eq!(held.callsign.as_deref(), Some("UBCT6"));
        assert_eq!(
            (held.time_ms, held.ship_type, held.mmsi),
            (2, Some(70), 273_210_440)
        );
        let renamed = Identity {
            time_ms: 3,
            msg_type: 5,
            name: Some("ANGARA II".into()),
            ..Identity::default()
        };
        held.overlay(&renamed);
        assert_eq!(
            (held.name.as_deref(), held.msg_type),
            (Some("ANGARA II"), 5)
        );
        assert_eq!(held.callsign.as_deref(), Some("UBCT6"));
    }
}
