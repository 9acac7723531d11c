//! Transmissions and reception: each vessel reports at ITU-R M.1371 rates
//! (thinned to the archive interval), each report is heard by the stations
//! in range with a probability that falls with distance and slot load, and
//! by satellites during passes; what is heard is written as NMEA 4.0 lines
//! with the station and receive time in a tag block, in time order.

use crate::motion::{state_on, State, AT_ANCHOR, MOORED};
use crate::scenario::Scenario;
use crate::world::{Displacement, Motion, Vessel, World};
use ais::encode::{to_sentences, SentenceOptions};
use ais::{AisText, Body, Message};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea::geo::{destination, distance_nm};
use std::io::Write;

/// Reporting interval of a Class A or B station (ITU-R M.1371-5, Annex 1,
/// Table 1 and 2; course changes are not modelled, the simulated legs are
/// straight between waypoints).
pub fn itu_interval_ms(class_b: bool, s: &State) -> i64 {
    if class_b {
        return if s.sog > 2.0 { 30_000 } else { 180_000 };
    }
    if (s.status == MOORED || s.status == AT_ANCHOR) && s.sog <= 3.0 {
        180_000
    } else if s.sog > 23.0 {
        2_000
    } else if s.sog > 14.0 {
        6_000
    } else {
        10_000
    }
}

/// Static and voyage data (type 5, type 24 A+B) every 6 minutes.
pub const STATIC_INTERVAL_MS: i64 = 360_000;

/// Probability that a terrestrial station hears a report from `d_nm` away:
/// `max_p * (1 - (d/range)^4)`, zero beyond the range, divided by
/// `1 + load/capacity` for the slot collisions of a busy area.
pub fn terrestrial_p(d_nm: f64, range_nm: f64, max_p: f64, load: f64, capacity: f64) -> f64 {
    if d_nm >= range_nm {
        return 0.0;
    }
    let r = d_nm / range_nm;
    max_p * (1.0 - r.powi(4)) / (1.0 + load / capacity.max(1.0))
}

/// Counts of what was produced.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    /// Reports the vessels would transmit.
    pub transmissions: u64,
    /// Of them not sent: the transponder was off.
    pub dark_skipped: u64,
    /// Receptions (one report heard by one station or satellite).
    pub receptions: u64,
    /// NMEA lines written.
    pub lines: u64,
    /// Lines damaged on purpose (a character changed).
    pub corrupted_lines: u64,
    /// Sentences of multi-sentence messages dropped on purpose.
    pub dropped_fragments: u64,
}

struct VState {
    rng: ChaCha8Rng,
    next_pos: i64,
    next_static: i64,
    seq: u8,
}

fn six_bit(s: &str) -> String {
    s.to_ascii_uppercase()
        .chars()
        .map(|c| {
            if ais::text::SIXBIT.contains(&(c as u8)) && c != '@' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

fn position_message(
    v: &Vessel,
    mmsi: u32,
    t: i64,
    lat: f64,
    lon: f64,
    s: &State,
    rng: &mut ChaCha8Rng,
) -> Message {
    let speed = ((s.sog * 10.0).round() as u16).min(1022);
    let course = ((s.cog * 10.0).round() as u16) % 3600;
    let heading = (s.cog.round() as u16) % 360;
    let second = ((t / 1000) % 60) as u8;
    let radio = rng.random_range(0..(1 << 19));
    if v.class_b {
        let mut m = ais::random_message(18, &mut std::iter::repeat(0));
        if let Body::ClassBPosition(p) = &mut m.body {
            p.speed = speed;
            p.accuracy = true;
            p.lon = (lon * 600_000.0).round() as i32;
            p.lat = (lat * 600_000.0).round() as i32;
            p.course = course;
            p.heading = heading;
            p.second = second;
            p.cs = true;
            p.dsc = true;
            p.band = true;
            p.msg22 = true;
            p.radio = radio | (1 << 19);
        }
        m.msg_type = 18;
        m.mmsi = mmsi;
        m
    } else {
        let mut m = ais::random_message(1, &mut std::iter::repeat(0));
        if let Body::Position(p) = &mut m.body {
            p.status = s.status;
            p.turn = -128;
            p.speed = speed;
            p.accuracy = true;
            p.lon = (lon * 600_000.0).round() as i32;
            p.lat = (lat * 600_000.0).round() as i32;
            p.course = course;
            p.heading = heading;
            p.second = second;
            p.radio = radio;
        }
        m.msg_type = 1;
        m.mmsi = mmsi;
        m
    }
}

fn static_messages(v: &Vessel, t: i64, destination_name: &str) -> Vec<Message> {
    let id = v.identity_at(t);
    let (bow, stern) = (v.length_m * 2 / 3, v.length_m - v.length_m * 2 / 3);
    let (port, stbd) = ((v.beam_m / 2) as u8, (v.beam_m - v.beam_m / 2) as u8);
    if v.class_b {
        let mut a = ais::random_message(
            24,
            &mut [0u64, 0, 0].into_iter().chain(std::iter::repeat(0)),
        );
        a.mmsi = id.mmsi;
        a.body = Body::StaticData(ais::StaticDataReport::A(ais::StaticDataA {
            shipname: AisText::from_str_lossy(&six_bit(&id.name)),
            spare: 0,
        }));
        let mut b = a;
        b.body = Body::StaticData(ais::StaticDataReport::B(ais::StaticDataB {
            head: ais::StaticDataBHead {
                shiptype: id.ship_type,
                vendorid: AisText::from_str_lossy("SIM"),
                model: 1,
                serial: id.mmsi % 1_000_000,
                callsign: AisText::from_str_lossy(&six_bit(&id.callsign)),
            },
            target: ais::StaticDataBTarget::Dimensions(ais::Dimensions {
                to_bow: bow,
                to_stern: stern,
                to_port: port,
                to_starboard: stbd,
            }),
            tail: ais::StaticDataBTail { epfd: 1, spare: 0 },
        }));
        vec![a, b]
    } else {
        let mut m = ais::random_message(5, &mut std::iter::repeat(0));
        m.mmsi = id.mmsi;
        if let Body::StaticAndVoyage(s) = &mut m.body {
            s.imo = id.imo;
            s.callsign = AisText::from_str_lossy(&six_bit(&id.callsign));
            s.shipname = AisText::from_str_lossy(&six_bit(&id.name));
            s.shiptype = id.ship_type;
            s.to_bow = bow;
            s.to_stern = stern;
            s.to_port = port;
            s.to_starboard = stbd;
            s.epfd = 1;
            s.hour = 24;
            s.minute = 60;
            s.draught = ((v.draught_at(t) * 10.0).round() as u8).max(1);
            s.destination = AisText::from_str_lossy(&six_bit(destination_name));
        }
        vec![m]
    }
}

/// Name of the next port on the plan after `t`, for the destination field.
fn next_port_name(w: &World, v: &Vessel, t: i64) -> String {
    if let Motion::Plan(plan) = &v.motion {
        let i = plan.partition_point(|it| it.t1() <= t);
        for it in &plan[i.min(plan.len())..] {
            match it {
                crate::motion::Item::Sail { to: Some(p), .. }
                | crate::motion::Item::Stay { port: Some(p), .. } => {
                    return w.ports[*p].name.clone()
                }
                _ => {}
            }
        }
    }
    String::new()
}

/// When the satellite hears: a pass of `pass_ms` every `period_ms`, each
/// shifted by up to `jitter_ms` either way (a fixed pseudo-random shift
/// per pass, from `key`).
struct Passes {
    period_ms: i64,
    pass_ms: i64,
    jitter_ms: i64,
    key: u64,
}

/// SplitMix64: a well-mixed 64-bit hash of a 64-bit value.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Passes {
    fn in_pass(&self, t: i64) -> bool {
        if self.jitter_ms <= 0 {
            return t.rem_euclid(self.period_ms) < self.pass_ms;
        }
        // passes whose shifted window could contain t
        let k = t.div_euclid(self.period_ms);
        let reach = self.jitter_ms / self.period_ms.max(1) + 1;
        let span = 2 * self.jitter_ms + 1;
        (k - reach..=k + reach).any(|j| {
            let shift = (splitmix(self.key ^ j as u64) % span as u64) as i64 - self.jitter_ms;
            let start = j * self.period_ms + shift;
            t >= start && t < start + self.pass_ms
        })
    }
}

struct Station {
    name: String,
    lat: f64,
    lon: f64,
    load: f64,
}

/// Writes the feed; returns the counts.
pub fn emit(w: &World, scn: &Scenario, seed: u64, out: &mut dyn Write) -> std::io::Result<Counts> {
    let rec = &scn.reception;
    let archive = scn.archive_interval_s as i64 * 1000;
    let mut stations: Vec<Station> = scn
        .stations
        .iter()
        .map(|s| Station {
            name: s.name.clone(),
            lat: s.lat,
            lon: s.lon,
            load: 0.0,
        })
        .collect();
    let satellite = rec.satellite_passes_per_day > 0.0 && rec.satellite_p > 0.0;
    let default_rx = stations.is_empty() && !satellite;
    let period_ms = if satellite {
        (86_400_000.0 / rec.satellite_passes_per_day) as i64
    } else {
        1
    };
    let pass_ms = (rec.satellite_pass_minutes * 60_000.0) as i64;
    let passes = Passes {
        period_ms,
        pass_ms,
        jitter_ms: (rec.satellite_pass_jitter_minutes.max(0.0) * 60_000.0) as i64,
        key: splitmix(seed ^ 0x5A7E_1117_E000_0000),
    };
    let mut vs: Vec<VState> = (0..w.vessels.len())
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(
                seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1)),
            );
            let phase = rng.random_range(0..10_000);
            let sphase = rng.random_range(0..STATIC_INTERVAL_MS);
            VState {
                rng,
                next_pos: w.start_ms + phase,
                next_static: w.start_ms + sphase,
                seq: 0,
            }
        })
        .collect();
    let mut drifts: Vec<Option<crate::motion::Drift>> = w
        .vessels
        .iter()
        .map(|v| {
            if let Motion::Drift(d) = &v.motion {
                Some(d.clone())
            } else {
                None
            }
        })
        .collect();
    let mask = sea::LandMask::global();
    let mut counts = Counts::default();
    let mut group_id = 0u32;
    let hour = 3_600_000i64;
    let mut c0 = w.start_ms;
    let mut buf: Vec<(i64, u64, String)> = Vec::new();
    while c0 < w.end_ms {
        let c1 = (c0 + hour).min(w.end_ms);
        // Slot load: vessels within range of each station at the hour.
        for st in &mut stations {
            st.load = 0.0;
        }
        if !stations.is_empty() {
            for (i, v) in w.vessels.iter().enumerate() {
                let s = match &v.motion {
                    Motion::Plan(p) => state_on(p, c0, &v.berths),
                    Motion::Drift(_) => drifts[i].as_ref().map(|d| State {
                        lat: d.lat,
                        lon: d.lon,
                        cog: 0.0,
                        sog: 0.0,
                        status: 0,
                    }),
                };
                if let Some(s) = s {
                    for st in &mut stations {
                        if (s.lat - st.lat).abs() < 1.0
                            && distance_nm(s.lat, s.lon, st.lat, st.lon) < rec.terrestrial_range_nm
                        {
                            st.load += 1.0;
                        }
                    }
                }
            }
        }
        buf.clear();
        for (i, v) in w.vessels.iter().enumerate() {
            let st = &mut vs[i];
            // Position reports.
            while st.next_pos < c1 {
                let t = st.next_pos;
                let state = match &v.motion {
                    Motion::Plan(p) => state_on(p, t, &v.berths),
                    Motion::Drift(_) => {
                        let d = drifts[i].as_mut().expect("drift state");
                        let mut turn = || st.rng.random_range(0.0..1.0);
                        Some(d.advance(t, mask, &mut turn))
                    }
                };
                let Some(s) = state else {
                    st.next_pos = i64::MAX;
                    break;
                };
                let itu = itu_interval_ms(v.class_b, &s);
                // Slot timing jitter of up to 10% of the nominal interval.
                let jitter = st.rng.random_range(0..=itu / 10);
                st.next_pos = t + itu.max(archive) + jitter;
                counts.transmissions += 1;
                if v.is_dark(t) {
                    counts.dark_skipped += 1;
                    continue;
                }
                let (lat, lon) = match v.spoof_at(t) {
                    Some(Displacement::Offset { nm, bearing_deg }) => {
                        destination(s.lat, s.lon, bearing_deg, nm)
                    }
                    // the same false place each time, give or take 150 m
                    Some(Displacement::Fixed { lat, lon }) => destination(
                        lat,
                        lon,
                        st.rng.random_range(0.0..360.0),
                        st.rng.random_range(0.0..0.08),
                    ),
                    None => (s.lat, s.lon),
                };
                let mmsi = v.identity_at(t).mmsi;
                let msg = position_message(v, mmsi, t, lat, lon, &s, &mut st.rng);
                let chan = if st.rng.random_bool(0.5) { 'A' } else { 'B' };
                let sentences = to_sentences(
                    &msg,
                    &SentenceOptions {
                        channel: Some(chan),
                        ..SentenceOptions::default()
                    },
                );
                receive(
                    &mut buf,
                    &mut counts,
                    &stations,
                    rec,
                    default_rx,
                    satellite,
                    &passes,
                    &mut st.rng,
                    t,
                    (s.lat, s.lon),
                    &sentences,
                    i,
                    None,
                );
            }
            // Static and voyage data.
            while st.next_static < c1 {
                let t = st.next_static;
                st.next_static =
                    t + STATIC_INTERVAL_MS.max(archive) + st.rng.random_range(0..10_000);
                let pos = match &v.motion {
                    Motion::Plan(p) => state_on(p, t, &v.berths).map(|s| (s.lat, s.lon)),
                    Motion::Drift(_) => drifts[i].as_ref().map(|d| (d.lat, d.lon)),
                };
                let Some(pos) = pos else { break };
                if v.is_dark(t) {
                    continue;
                }
                let dest = next_port_name(w, v, t);
                for msg in static_messages(v, t, &dest) {
                    st.seq = (st.seq + 1) % 10;
                    let sentences = to_sentences(
                        &msg,
                        &SentenceOptions {
                            channel: Some('A'),
                            seq_id: st.seq,
                            ..SentenceOptions::default()
                        },
                    );
                    let g = if sentences.len() > 1 {
                        group_id = group_id % 99_999 + 1;
                        Some(group_id)
                    } else {
                        None
                    };
                    receive(
                        &mut buf,
                        &mut counts,
                        &stations,
                        rec,
                        default_rx,
                        satellite,
                        &passes,
                        &mut st.rng,
                        t,
                        pos,
                        &sentences,
                        i,
                        g,
                    );
                }
            }
        }
        buf.sort_by_key(|a| (a.0, a.1));
        for (_, _, line) in &buf {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        counts.lines += buf.len() as u64;
        c0 = c1;
    }
    Ok(counts)
}

#[allow(clippy::too_many_arguments)]
fn receive(
    buf: &mut Vec<(i64, u64, String)>,
    counts: &mut Counts,
    stations: &[Station],
    rec: &crate::scenario::Reception,
    default_rx: bool,
    satellite: bool,
    passes: &Passes,
    rng: &mut ChaCha8Rng,
    t: i64,
    pos: (f64, f64),
    sentences: &[String],
    vessel: usize,
    group: Option<u32>,
) {
    let mut heard: Vec<(&str, i64)> = Vec::new();
    for st in stations {
        if (pos.0 - st.lat).abs() > 1.0 {
            continue;
        }
        let d = distance_nm(pos.0, pos.1, st.lat, st.lon);
        let p = terrestrial_p(
            d,
            rec.terrestrial_range_nm,
            rec.terrestrial_max_p,
            st.load,
            rec.station_capacity,
        );
        if p > 0.0 && rng.random_bool(p.min(1.0)) {
            heard.push((&st.name, t + rng.random_range(0..300)));
        }
    }
    if satellite && passes.in_pass(t) && rng.random_bool(rec.satellite_p.clamp(0.0, 1.0)) {
        heard.push(("SAT-1", t + rng.random_range(500..4000)));
    }
    if default_rx && rng.random_bool(rec.terrestrial_max_p.clamp(0.0, 1.0)) {
        heard.push(("NET", t + rng.random_range(0..300)));
    }
    let n = sentences.len();
    for (name, recv) in heard {
        counts.receptions += 1;
        let drop = if n > 1 && rng.random_bool(rec.fragment_loss.clamp(0.0, 1.0)) {
            Some(rng.random_range(0..n))
        } else {
            None
        };
        for (k, s) in sentences.iter().enumerate() {
            if Some(k) == drop {
                counts.dropped_fragments += 1;
                continue;
            }
            let tag = match group {
                Some(g) => format!("g:{}-{}-{},s:{},c:{}", k + 1, n, g, name, recv),
                None => format!("s:{name},c:{recv}"),
            };
            let mut line = format!("\\{tag}*{:02X}\\{s}", ais::nmea::checksum(tag.as_bytes()));
            if rng.random_bool(rec.corrupt_fraction.clamp(0.0, 1.0)) {
                // Damage one payload character: the checksum no longer holds.
                let bytes = unsafe_free_corrupt(&line, rng);
                line = bytes;
                counts.corrupted_lines += 1;
            }
            buf.push((
                recv,
                ((vessel as u64) << 24) | (counts.receptions & 0xFF_FFFF),
                line,
            ));
        }
    }
}

/// Replaces one character of the payload field by another armour character.
fn unsafe_free_corrupt(line: &str, rng: &mut ChaCha8Rng) -> String {
    let mut b = line.as_bytes().to_vec();
    // payload is the 6th comma-separated field of the sentence
    let start = line.find('!').unwrap_or(0);
    let commas: Vec<usize> = b
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, &c)| c == b',')
        .map(|(i, _)| i)
        .collect();
    if commas.len() >= 6 && commas[5] > commas[4] + 1 {
        let i = rng.random_range(commas[4] + 1..commas[5]);
        let old = b[i];
        let mut new = old;
        while new == old {
            new = ais::bits::armor(rng.random_range(0..64));
        }
        b[i] = new;
    }
    String::from_utf8(b).unwrap_or_else(|_| line.to_string())
}
