//! Typed evidence, one struct per event kind.
//!
//! Each struct is written as the `evidence` object of an event, keys in
//! alphabetical order (the order of a JSON object map), with the
//! calibration ([`Evidence::score`], [`Evidence::calibration`]) and any
//! linked outside observations added beside the kind's own fields. Read
//! back, evidence in exactly the shape written here becomes the kind's
//! struct; anything else (a simulated world's truth, another tool's or
//! version's file) is kept as read in [`Detail::Raw`] and written back
//! unchanged, so no key is ever lost.

use crate::{EventKind, Time};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Named numbers: a model's features or their log-odds contributions.
pub type Named = BTreeMap<String, f64>;

/// The thresholds a detector used, echoed into each event so a reader can
/// see them (written from the parameters; never read back by code).
pub type Parameters = Value;

/// A position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// What the coverage map says about one end of a silence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usualness {
    /// Visits of other vessels around the place in the window.
    pub visits: u64,
    /// Of them followed (or preceded) by a silence at least this long.
    pub silences_as_long: u64,
    /// `(silences_as_long + 0.5) / (visits + 1)`.
    pub share: f64,
    /// Median length of other vessels' silences (>= gaps.min_hours) that
    /// began (ended) around the place in the window, hours; NaN-free: 0
    /// when there were none.
    pub median_silence_hours: f64,
    /// Share of those silences shorter than this one (0..1; 1 when none).
    pub percentile: f64,
}

/// A port visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortVisit {
    /// 1 (passed through) to 4 (entered, stopped, left).
    pub level: u8,
    /// The entry into the port area was seen.
    pub entry_seen: bool,
    /// The exit was seen.
    pub exit_seen: bool,
    /// Stopped in the area, or silent there longer than `port_gap_hours`.
    pub stopped_or_port_gap: bool,
    /// Stops seen.
    pub stops: u32,
    /// Fixes in the area.
    pub fixes: u32,
    /// Length, hours.
    pub hours: f64,
    /// The place is a user-defined area, not a gazetteer port.
    pub user_area: bool,
    /// Thresholds used.
    pub parameters: Parameters,
}

/// The silence a dark port call rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapSpan {
    /// Last fix before it.
    pub from: Time,
    /// First fix after it.
    pub to: Time,
    /// Length, hours.
    pub hours: f64,
}

/// An image that showed a hull at a watched port during a dark port
/// call's silence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imaged {
    /// The image.
    pub scene_id: String,
    /// The detection.
    pub detection_id: String,
    /// When the image was taken.
    pub time: Time,
    /// The sensor or provider.
    pub source: Option<String>,
    /// The port it showed.
    pub port: String,
    /// From the detection to the port, km.
    pub distance_km: f64,
    /// The detection's estimated length, m.
    pub length_m: Option<f64>,
    /// The vessel's broadcast length, m.
    pub vessel_length_m: Option<f64>,
    /// How much more likely the image is if the vessel was there.
    pub likelihood_ratio: f64,
    /// Images of the port outside the vessel's silences.
    pub port_images: usize,
    /// Unexplained hulls of a fitting length those images showed.
    pub other_fitting_hulls: usize,
}

/// A vessel in a satellite image that no AIS vessel explains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DarkVessel {
    /// The rule, in words.
    pub rule: String,
    /// The image.
    pub scene_id: String,
    /// The detection.
    pub detection_id: String,
    /// The sensor or provider.
    pub source: Option<String>,
    /// Estimated length, m.
    pub length_m: Option<f64>,
    /// The detector's score.
    pub score: Option<f64>,
    /// The chance the detection is a vessel.
    pub p_vessel: f64,
    /// The chance an AIS vessel is what the image saw: one left unpaired,
    /// or one paired with a detection this one could equally be (ships side
    /// by side, where which hull is the extra one is not known).
    pub p_explained_by_ais: f64,
    /// The nearest AIS vessel placed in the image.
    pub nearest_ais_mmsi: Option<u32>,
    /// How far it was, km.
    pub nearest_ais_km: Option<f64>,
    /// The image's area, km² (when its footprint is known).
    pub scene_area_km2: Option<f64>,
    /// AIS vessels silent at the image time that could have been there:
    /// their last fix before the image and first after it within reach at
    /// their top speed, and their broadcast length fitting the hull; the
    /// most plausible first (the lowest speed the detour asks for), at
    /// most [`COULD_BE_MAX`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub could_be: Vec<CouldBe>,
    /// How many silent vessels could have been there (`could_be` lists
    /// the first of them).
    #[serde(default)]
    pub could_be_count: usize,
    /// Where the detection was read (`file:line`).
    pub origin: String,
    /// The parameters used.
    pub parameters: Value,
}

/// Silent vessels listed at most per dark vessel.
pub const COULD_BE_MAX: usize = 10;

/// A vessel silent at an image time that could have been the hull seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouldBe {
    /// The vessel.
    pub mmsi: u32,
    /// Its last fix before the image (none: first heard after it).
    pub last_before: Option<Time>,
    /// Its first fix after the image (none: not heard since).
    pub first_after: Option<Time>,
    /// From that last fix to the detection, km.
    pub km_before: Option<f64>,
    /// From the detection to that first fix, km.
    pub km_after: Option<f64>,
    /// The average speed the detour through the detection asks for, knots.
    pub speed_needed_kn: f64,
    /// Its top speed (as the dark-call detector takes it), knots.
    pub top_speed_kn: f64,
    /// Its broadcast length, m.
    pub length_m: Option<f64>,
}

/// A dark port call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DarkPortCall {
    /// The rule, in words.
    pub rule: String,
    /// `likely` or a candidate's status.
    pub status: String,
    /// The silence.
    pub gap: GapSpan,
    /// From where it went dark to the port, nm.
    pub to_port_nm: f64,
    /// From the port to where it reappeared, nm.
    pub from_port_nm: f64,
    /// The vessel's 95th-percentile speed, knots.
    pub top_speed_kn: f64,
    /// Its typical sailing speed, knots.
    pub cruise_kn: f64,
    /// Hours it could have stayed in the port.
    pub possible_hours_in_port: f64,
    /// Every watched port it could have reached and stayed at.
    pub feasible_watched_ports: Vec<String>,
    /// The feasible ports the silence cannot tell apart: those whose
    /// detour (to the port from where it went dark, and on to where it
    /// reappeared) is within `dark_port_call.port_tie_nm` of the
    /// shortest, the shortest first. The event is placed at the first;
    /// a reader is told all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closest_ports: Vec<String>,
    /// Satellite images that showed a hull of its length at the port
    /// during the silence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imaged: Vec<Imaged>,
    /// Hours sailing straight between the ends would take.
    pub direct_passage_hours: f64,
    /// Hours sailing straight cannot explain.
    pub unexplained_hours: f64,
    /// Broadcast draught before, m.
    pub draught_before_m: Option<f32>,
    /// Broadcast draught after, m.
    pub draught_after_m: Option<f32>,
    /// The draught changed by at least `draught_change_m`.
    pub draught_changed: bool,
    /// A draught was broadcast and was the same before and after.
    pub draught_never_updated: bool,
    /// Alignment of the course when it went dark with the bearing to the port (-1..1).
    pub course_toward_port: f64,
    /// Alignment of the course when it reappeared with the bearing from the port.
    pub course_from_port: f64,
    /// Other silences of the ship that began or ended near this one's ends.
    pub repeat_silences: usize,
    /// It went dark inside a port area.
    pub went_dark_in_port: bool,
    /// It reappeared inside a port area.
    pub reappeared_in_port: bool,
    /// Coverage where it went dark.
    pub coverage_where_it_went_dark: Usualness,
    /// Coverage where it reappeared.
    pub coverage_where_it_reappeared: Usualness,
    /// Whether a coverage map was available (live replays may lack one).
    pub coverage_known: bool,
    /// Reception in words.
    pub reception: String,
    /// The model's features.
    pub features: Named,
    /// Each feature's contribution to the log-odds.
    pub contributions: Named,
    /// The model's probability before the second-stage scaling.
    pub model_probability: f64,
    /// Thresholds used.
    pub parameters: Parameters,
    /// The MMSI it reappeared under (an identity change across the silence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reappeared_as_mmsi: Option<u32>,
}

/// A silence that ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedGap {
    /// The rule, in words.
    pub rule: String,
    /// Length, hours.
    pub hours: f64,
    /// Where it went dark.
    pub went_dark: LatLon,
    /// Where it reappeared.
    pub reappeared: LatLon,
    /// Between the two, nm.
    pub distance_nm: f64,
    /// From where it went dark to the nearest land, nm (`None`: beyond the search).
    pub distance_from_shore_nm: Option<f64>,
    /// Fixes per hour heard from all vessels around where it went dark that day.
    pub fixes_per_hour_heard_nearby: f64,
    /// Coverage where it went dark.
    pub coverage_where_it_went_dark: Usualness,
    /// Coverage where it reappeared.
    pub coverage_where_it_reappeared: Usualness,
    /// Reception in words.
    pub reception: String,
    /// The model's features.
    pub features: Named,
    /// Each feature's contribution to the log-odds.
    pub contributions: Named,
    /// Thresholds used.
    pub parameters: Parameters,
    /// The MMSI it reappeared under (an identity change across the silence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reappeared_as_mmsi: Option<u32>,
}

/// A silence still running at the end of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenGap {
    /// Always true.
    pub open: bool,
    /// The rule, in words.
    pub rule: String,
    /// From its last fix to the end of the data, hours.
    pub hours_to_end_of_data: f64,
    /// Where it went dark.
    pub went_dark: LatLon,
    /// From there to the nearest land, nm.
    pub distance_from_shore_nm: Option<f64>,
    /// Fixes per hour heard around there that day.
    pub fixes_per_hour_heard_nearby: f64,
    /// Coverage where it went dark.
    pub coverage_where_it_went_dark: Usualness,
    /// Reception in words.
    pub reception: String,
    /// The model's features.
    pub features: Named,
    /// Each feature's contribution to the log-odds.
    pub contributions: Named,
    /// Thresholds used.
    pub parameters: Parameters,
}

/// An AIS gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AisGap {
    /// Ended inside the data.
    Closed(ClosedGap),
    /// Still silent at the end of the data.
    Open(OpenGap),
}

impl AisGap {
    /// Its length in hours (to the end of the data when open).
    pub fn hours(&self) -> f64 {
        match self {
            AisGap::Closed(g) => g.hours,
            AisGap::Open(g) => g.hours_to_end_of_data,
        }
    }
    /// Distance from shore where it went dark, nm.
    pub fn distance_from_shore_nm(&self) -> Option<f64> {
        match self {
            AisGap::Closed(g) => g.distance_from_shore_nm,
            AisGap::Open(g) => g.distance_from_shore_nm,
        }
    }
    /// Where it went dark.
    pub fn went_dark(&self) -> LatLon {
        match self {
            AisGap::Closed(g) => g.went_dark,
            AisGap::Open(g) => g.went_dark,
        }
    }
    /// Where it reappeared (`None` when open).
    pub fn reappeared(&self) -> Option<LatLon> {
        match self {
            AisGap::Closed(g) => Some(g.reappeared),
            AisGap::Open(_) => None,
        }
    }
    /// The gap model's features.
    pub fn features(&self) -> &Named {
        match self {
            AisGap::Closed(g) => &g.features,
            AisGap::Open(g) => &g.features,
        }
    }
}

/// Two vessels heard close together and slow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairEncounter {
    /// Length, hours.
    pub hours: f64,
    /// Time buckets in which the two were close.
    pub close_buckets: usize,
    /// Median speed of both over those buckets, knots.
    pub median_speed_kn: f32,
    /// Median distance between them, m (whole metres).
    pub median_distance_m: f32,
    /// Largest distance between them while close, m.
    pub max_distance_m: f32,
    /// Thresholds used.
    pub parameters: Parameters,
}

/// A vessel with dark port calls loitering with no partner heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneSidedEncounter {
    /// The rule, in words.
    pub rule: String,
    /// Who the partner was (`not seen (dark)`).
    pub partner: String,
    /// Length, hours.
    pub hours: f64,
    /// The vessel's dark port calls (>= 0.5).
    pub dark_port_calls: usize,
    /// Satellite images that showed a hull with no AIS beside the vessel
    /// while it waited: the partner seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_imaged: Vec<PartnerImaged>,
}

/// A hull with no AIS that an image showed beside a vessel waiting at sea.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerImaged {
    /// The image.
    pub scene_id: String,
    /// The hull's detection.
    pub detection_id: String,
    /// Its `dark_vessel` event.
    pub dark_vessel_id: String,
    /// When the image was taken.
    pub time: Time,
    /// The hull's estimated length, m.
    pub length_m: Option<f64>,
    /// From the vessel's own detection in that image to the hull, km.
    pub distance_km: f64,
    /// The `dark_vessel` event's confidence.
    pub confidence: f64,
}

/// An encounter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Encounter {
    /// Both vessels heard.
    Pair(PairEncounter),
    /// One vessel heard, its partner dark.
    OneSided(OneSidedEncounter),
}

/// Loitering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loitering {
    /// Length, hours.
    pub hours: f64,
    /// Mean speed over the slow fixes, knots.
    pub mean_speed_kn: f64,
    /// Slow fixes.
    pub fixes: u32,
    /// The first slow fix.
    pub first_slow_fix: Time,
    /// The last slow fix.
    pub last_slow_fix: Time,
    /// Thresholds used.
    pub parameters: Parameters,
}

/// A voyage between two consecutive calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voyage {
    /// The port it left.
    pub from: Option<String>,
    /// The port it arrived at.
    pub to: Option<String>,
    /// The kind of the call it left (a port visit or a dark port call).
    pub from_kind: EventKind,
    /// The kind of the call it arrived at.
    pub to_kind: EventKind,
}

/// A change of the broadcast draught.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraughtChange {
    /// Before, m.
    pub from_m: f32,
    /// After, m.
    pub to_m: f32,
    /// Deeper after.
    pub loaded: bool,
    /// Thresholds used.
    pub parameters: Parameters,
}

/// A broadcast identity value: text (name, call sign) or a number (IMO,
/// ship type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A number.
    Number(u32),
    /// Text (attacker-controlled: escape when shown).
    Text(String),
}

impl std::fmt::Display for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Text(s) => f.write_str(s),
        }
    }
}

/// One identity field that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// `name`, `callsign`, `imo` or `ship_type`.
    pub field: String,
    /// Its last broadcast value.
    pub from: FieldValue,
    /// The new one.
    pub to: FieldValue,
}

/// Identity fields broadcast by one MMSI changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsChanged {
    /// The rule, in words.
    pub rule: String,
    /// What changed.
    pub changes: Vec<FieldChange>,
}

/// One IMO number on two MMSIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImoMoved {
    /// The rule, in words.
    pub rule: String,
    /// The IMO number.
    pub imo: u32,
    /// The MMSI heard first.
    pub old_mmsi: u32,
    /// The MMSI heard later.
    pub new_mmsi: u32,
    /// Both were on the air at once (a cloned or mistyped IMO).
    pub simultaneous: bool,
    /// Flag of the old MMSI's MID.
    pub flag_from: Option<String>,
    /// Flag of the new MMSI's MID.
    pub flag_to: Option<String>,
    /// The flags differ.
    pub flag_changed: bool,
}

/// An identity change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdentityChange {
    /// Fields of one MMSI changed.
    Fields(FieldsChanged),
    /// One IMO moved between MMSIs.
    ImoMoved(ImoMoved),
}

/// Two transmitters on one MMSI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedMmsi {
    /// The rule, in words.
    pub rule: String,
    /// Hours the streams overlapped.
    pub overlap_hours: f64,
    /// Position streams.
    pub streams: usize,
    /// The first position of the main stream and of the other.
    pub first_positions: [[f64; 2]; 2],
    /// Thresholds used.
    pub parameters: Parameters,
    /// Identity changes the alternating transmitters produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_flips: Option<usize>,
}

/// A position jump (spoofing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionJump {
    /// The rule, in words.
    pub rule: String,
    /// From the vessel's track to the false positions, nm.
    pub offset_nm: f64,
    /// False fixes.
    pub fixes: usize,
    /// Length, hours.
    pub hours: f64,
    /// Runs of false fixes in this stream.
    pub runs_of_this_stream: usize,
    /// The speed the jump would imply, knots.
    pub implied_speed_kn: f64,
    /// Thresholds used.
    pub parameters: Parameters,
    /// Jumps of this vessel to the same false place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times_at_this_false_place: Option<usize>,
}

/// An outside observation (e.g. a satellite image) linked to an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// When (YYYY-MM-DD or RFC 3339).
    pub time: String,
    /// What was seen.
    pub what: String,
    /// How many (e.g. containers), when counted.
    pub count: Option<f64>,
    /// Where the observation comes from.
    pub source: String,
}

/// The kind's own evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// A port visit.
    PortVisit(PortVisit),
    /// A dark port call.
    DarkPortCall(Box<DarkPortCall>),
    /// An AIS gap.
    AisGap(Box<AisGap>),
    /// An encounter.
    Encounter(Encounter),
    /// Loitering.
    Loitering(Loitering),
    /// A voyage.
    Voyage(Voyage),
    /// A draught change.
    DraughtChange(DraughtChange),
    /// An identity change.
    IdentityChange(IdentityChange),
    /// A shared MMSI.
    SharedMmsi(SharedMmsi),
    /// A position jump.
    PositionJump(PositionJump),
    /// A dark vessel in an image.
    DarkVessel(Box<DarkVessel>),
    /// Evidence not in the shape this version writes for the kind (a
    /// simulated world's truth, another tool's file): kept as read.
    Raw(EventKind, Value),
}

macro_rules! from_detail {
    ($($t:ident => $v:ident $(boxed $b:tt)?),* $(,)?) => {$(
        impl From<$t> for Detail {
            fn from(x: $t) -> Detail {
                Detail::$v(from_detail!(@wrap x $($b)?))
            }
        }
    )*};
    (@wrap $x:ident) => { $x };
    (@wrap $x:ident box) => { Box::new($x) };
}

from_detail! {
    PortVisit => PortVisit,
    DarkPortCall => DarkPortCall boxed box,
    AisGap => AisGap boxed box,
    Encounter => Encounter,
    Loitering => Loitering,
    Voyage => Voyage,
    DraughtChange => DraughtChange,
    IdentityChange => IdentityChange,
    SharedMmsi => SharedMmsi,
    PositionJump => PositionJump,
    DarkVessel => DarkVessel boxed box,
}

impl From<ClosedGap> for Detail {
    fn from(g: ClosedGap) -> Detail {
        Detail::AisGap(Box::new(AisGap::Closed(g)))
    }
}

impl From<OpenGap> for Detail {
    fn from(g: OpenGap) -> Detail {
        Detail::AisGap(Box::new(AisGap::Open(g)))
    }
}

impl Detail {
    /// The event kind this evidence is for.
    pub fn kind(&self) -> EventKind {
        match self {
            Detail::PortVisit(_) => EventKind::PortVisit,
            Detail::DarkPortCall(_) => EventKind::DarkPortCall,
            Detail::AisGap(_) => EventKind::AisGap,
            Detail::Encounter(_) => EventKind::Encounter,
            Detail::Loitering(_) => EventKind::Loitering,
            Detail::Voyage(_) => EventKind::Voyage,
            Detail::DraughtChange(_) => EventKind::DraughtChange,
            Detail::IdentityChange(_) => EventKind::IdentityChange,
            Detail::SharedMmsi(_) => EventKind::SharedMmsi,
            Detail::PositionJump(_) => EventKind::PositionJump,
            Detail::DarkVessel(_) => EventKind::DarkVessel,
            Detail::Raw(k, _) => *k,
        }
    }

    /// The evidence of loitering.
    pub fn loitering(&self) -> Option<&Loitering> {
        match self {
            Detail::Loitering(l) => Some(l),
            _ => None,
        }
    }

    /// The rule that raised the event, in words, when the kind states one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            Detail::DarkPortCall(d) => Some(&d.rule),
            Detail::AisGap(g) => Some(match &**g {
                AisGap::Closed(g) => &g.rule,
                AisGap::Open(g) => &g.rule,
            }),
            Detail::Encounter(Encounter::OneSided(e)) => Some(&e.rule),
            Detail::IdentityChange(IdentityChange::Fields(c)) => Some(&c.rule),
            Detail::IdentityChange(IdentityChange::ImoMoved(c)) => Some(&c.rule),
            Detail::SharedMmsi(s) => Some(&s.rule),
            Detail::PositionJump(j) => Some(&j.rule),
            Detail::DarkVessel(d) => Some(&d.rule),
            Detail::Raw(_, v) => v.get("rule").and_then(Value::as_str),
            _ => None,
        }
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Detail::PortVisit(x) => serde_json::to_value(x),
            Detail::DarkPortCall(x) => serde_json::to_value(x),
            Detail::AisGap(x) => serde_json::to_value(x),
            Detail::Encounter(x) => serde_json::to_value(x),
            Detail::Loitering(x) => serde_json::to_value(x),
            Detail::Voyage(x) => serde_json::to_value(x),
            Detail::DraughtChange(x) => serde_json::to_value(x),
            Detail::IdentityChange(x) => serde_json::to_value(x),
            Detail::SharedMmsi(x) => serde_json::to_value(x),
            Detail::PositionJump(x) => serde_json::to_value(x),
            Detail::DarkVessel(x) => serde_json::to_value(x),
            Detail::Raw(_, v) => Ok(v.clone()),
        }
    }

    /// Types `v` as the evidence of `kind`, or keeps it as read.
    fn from_value(kind: EventKind, v: Value) -> Detail {
        fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
            T::deserialize(v).ok()
        }
        let d = match kind {
            EventKind::PortVisit => typed::<PortVisit>(&v).map(Detail::from),
            EventKind::DarkPortCall => typed::<DarkPortCall>(&v).map(Detail::from),
            EventKind::AisGap => typed::<AisGap>(&v).map(Detail::from),
            EventKind::Encounter => typed::<Encounter>(&v).map(Detail::from),
            EventKind::Loitering => typed::<Loitering>(&v).map(Detail::from),
            EventKind::Voyage => typed::<Voyage>(&v).map(Detail::from),
            EventKind::DraughtChange => typed::<DraughtChange>(&v).map(Detail::from),
            EventKind::IdentityChange => typed::<IdentityChange>(&v).map(Detail::from),
            EventKind::SharedMmsi => typed::<SharedMmsi>(&v).map(Detail::from),
            EventKind::PositionJump => typed::<PositionJump>(&v).map(Detail::from),
            EventKind::DarkVessel => typed::<DarkVessel>(&v).map(Detail::from),
        };
        d.unwrap_or(Detail::Raw(kind, v))
    }
}

/// An event's evidence: the kind's own, and what calibration and
/// corroboration added.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The kind's own evidence.
    pub detail: Detail,
    /// The detector's score before calibration (kinds calibrated by a
    /// Platt scaling of their score).
    pub score: Option<f64>,
    /// The calibration key used (the kind, or e.g. `encounter_one_sided`).
    pub calibration: Option<String>,
    /// Outside observations linked to the event.
    pub observations: Vec<Observation>,
}

impl From<Detail> for Evidence {
    fn from(detail: Detail) -> Evidence {
        Evidence {
            detail,
            score: None,
            calibration: None,
            observations: Vec::new(),
        }
    }
}

impl Evidence {
    /// The evidence as the JSON object written to files.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        let mut v = self.detail.to_value()?;
        let extra =
            self.score.is_some() || self.calibration.is_some() || !self.observations.is_empty();
        if v.is_null() && extra {
            v = Value::Object(Default::default());
        }
        if let Value::Object(o) = &mut v {
            if let Some(s) = self.score {
                o.insert("score".into(), serde_json::to_value(s)?);
            }
            if let Some(c) = &self.calibration {
                o.insert("calibration".into(), Value::String(c.clone()));
            }
            if !self.observations.is_empty() {
                o.insert(
                    "observations".into(),
                    serde_json::to_value(&self.observations)?,
                );
            }
        }
        Ok(v)
    }

    /// Reads evidence of `kind` as written by [`Evidence::to_value`];
    /// evidence of another shape is kept whole in [`Detail::Raw`].
    pub fn from_value(kind: EventKind, mut v: Value) -> Evidence {
        let mut score = None;
        let mut calibration = None;
        let mut observations = Vec::new();
        if let Value::Object(o) = &mut v {
            if let Some(s) = o.get("score").and_then(Value::as_f64) {
                score = Some(s);
                o.remove("score");
            }
            if let Some(c) = o.get("calibration").and_then(Value::as_str) {
                calibration = Some(c.to_string());
                o.remove("calibration");
            }
            if let Some(obs) = o
                .get("observations")
                .and_then(|x| Vec::<Observation>::deserialize(x).ok())
            {
                observations = obs;
                o.remove("observations");
            }
        }
        // calibration alone on evidence that had none (`null`) before
        let was_empty = matches!(&v, Value::Object(o) if o.is_empty())
            && (score.is_some() || calibration.is_some() || !observations.is_empty());
        if was_empty {
            v = Value::Null;
        }
        Evidence {
            detail: Detail::from_value(kind, v),
            score,
            calibration,
            observations,
        }
    }

    /// The evidence of a dark port call.
    pub fn dark_port_call(&self) -> Option<&DarkPortCall> {
        match &self.detail {
            Detail::DarkPortCall(d) => Some(d),
            _ => None,
        }
    }
    /// The evidence of a dark port call, to change.
    pub fn dark_port_call_mut(&mut self) -> Option<&mut DarkPortCall> {
        match &mut self.detail {
            Detail::DarkPortCall(d) => Some(d),
            _ => None,
        }
    }
    /// The evidence of a dark vessel in an image.
    pub fn dark_vessel(&self) -> Option<&DarkVessel> {
        match &self.detail {
            Detail::DarkVessel(d) => Some(d),
            _ => None,
        }
    }
    /// The evidence of an AIS gap.
    pub fn ais_gap(&self) -> Option<&AisGap> {
        match &self.detail {
            Detail::AisGap(g) => Some(g),
            _ => None,
        }
    }
    /// The evidence of an encounter.
    pub fn encounter(&self) -> Option<&Encounter> {
        match &self.detail {
            Detail::Encounter(e) => Some(e),
            _ => None,
        }
    }
    /// The evidence of a voyage.
    pub fn voyage(&self) -> Option<&Voyage> {
        match &self.detail {
            Detail::Voyage(v) => Some(v),
            _ => None,
        }
    }
    /// The evidence of a port visit.
    pub fn port_visit(&self) -> Option<&PortVisit> {
        match &self.detail {
            Detail::PortVisit(v) => Some(v),
            _ => None,
        }
    }
    /// The evidence of a draught change.
    pub fn draught_change(&self) -> Option<&DraughtChange> {
        match &self.detail {
            Detail::DraughtChange(d) => Some(d),
            _ => None,
        }
    }
    /// The evidence of an identity change.
    pub fn identity_change(&self) -> Option<&IdentityChange> {
        match &self.detail {
            Detail::IdentityChange(c) => Some(c),
            _ => None,
        }
    }
    /// The evidence of loitering.
    pub fn loitering(&self) -> Option<&Loitering> {
        self.detail.loitering()
    }
    /// Evidence kept as read (not in this version's shape for its kind).
    pub fn raw(&self) -> Option<&Value> {
        match &self.detail {
            Detail::Raw(_, v) => Some(v),
            _ => None,
        }
    }
}

/// The evidence as compact JSON (as in events files).
impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.to_value().map_err(|_| std::fmt::Error)?;
        write!(f, "{v}")
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use serde_json::json;

    fn usual() -> Usualness {
        Usualness {
            visits: 3,
            silences_as_long: 1,
            share: 0.375,
            median_silence_hours: 7.5,
            percentile: 0.5,
        }
    }

    fn named() -> Named {
        [
            ("cov_start".to_string(), -0.98),
            ("log_hours".to_string(), 3.2),
        ]
        .into()
    }

    #[test]
    fn a_dark_call_names_every_port_its_silence_cannot_tell_apart() {
        let d = DarkPortCall {
            feasible_watched_ports: vec!["Najin".into(), "Sonbong".into(), "Nampo".into()],
            closest_ports: vec!["Sonbong".into(), "Najin".into()],
            ..DarkPortCall::default()
        };
        let mut e = Event::new(1, 0, Some(1), Some((42.2, 130.3)), d);
        e.port = Some(crate::PortRef {
            name: "Sonbong".into(),
            locode: None,
        });
        assert_eq!(e.ports(), ["Sonbong", "Najin"]);
        assert_eq!(e.port_words().as_deref(), Some("Sonbong or Najin"));
        assert_eq!(e.also_reachable(), ["Nampo"]);
        // events written before closest_ports: the port alone
        let old: Event = serde_json::from_str(
            &serde_json::to_string(&e)
                .unwrap()
                .replace(r#""closest_ports":["Sonbong","Najin"],"#, ""),
        )
        .unwrap();
        assert_eq!(old.port_words().as_deref(), Some("Sonbong"));
    }

    /// One example of every kind and shape of evidence.
    fn examples() -> Vec<Detail> {
        let p = json!({"min_hours": 6.0});
        let at = LatLon {
            lat: 42.2,
            lon: 130.3,
        };
        vec![
            PortVisit {
                level: 4,
                entry_seen: true,
                exit_seen: true,
                stopped_or_port_gap: true,
                stops: 2,
                fixes: 90,
                hours: 30.5,
                user_area: false,
                parameters: p.clone(),
            }
            .into(),
            DarkPortCall {
                rule: "r".into(),
                status: "likely".into(),
                gap: GapSpan {
                    from: Time(1_700_000_000_000),
                    to: Time(1_700_100_000_000),
                    hours: 27.7,
                },
                to_port_nm: 40.0,
                from_port_nm: 55.5,
                top_speed_kn: 12.0,
                cruise_kn: 10.0,
                possible_hours_in_port: 20.0,
                feasible_watched_ports: vec!["Najin".into(), "Sonbong".into()],
                closest_ports: vec!["Najin".into(), "Sonbong".into()],
                imaged: Vec::new(),
                direct_passage_hours: 3.0,
                unexplained_hours: 24.7,
                draught_before_m: Some(5.4),
                draught_after_m: None,
                draught_changed: false,
                draught_never_updated: false,
                course_toward_port: 0.9,
                course_from_port: -0.1,
                repeat_silences: 2,
                went_dark_in_port: false,
                reappeared_in_port: true,
                coverage_where_it_went_dark: usual(),
                coverage_where_it_reappeared: Usualness::default(),
                coverage_known: true,
                reception: "usually heard".into(),
                features: named(),
                contributions: named(),
                model_probability: 0.8,
                parameters: p.clone(),
                reappeared_as_mmsi: Some(273_000_001),
            }
            .into(),
            ClosedGap {
                rule: "r".into(),
                hours: 9.0,
                went_dark: at,
                reappeared: at,
                distance_nm: 1.5,
                distance_from_shore_nm: None,
                fixes_per_hour_heard_nearby: 4.0,
                coverage_where_it_went_dark: usual(),
                coverage_where_it_reappeared: usual(),
                reception: "x".into(),
                features: named(),
                contributions: named(),
                parameters: p.clone(),
                reappeared_as_mmsi: None,
            }
            .into(),
            OpenGap {
                open: true,
                rule: "r".into(),
                hours_to_end_of_data: 50.0,
                went_dark: at,
                distance_from_shore_nm: Some(12.0),
                fixes_per_hour_heard_nearby: 0.0,
                coverage_where_it_went_dark: usual(),
                reception: "x".into(),
                features: named(),
                contributions: named(),
                parameters: p.clone(),
            }
            .into(),
            Encounter::Pair(PairEncounter {
                hours: 3.0,
                close_buckets: 18,
                median_speed_kn: 0.4,
                median_distance_m: 80.0,
                max_distance_m: 410.0,
                parameters: p.clone(),
            })
            .into(),
            Encounter::OneSided(OneSidedEncounter {
                rule: "r".into(),
                partner: "not seen (dark)".into(),
                hours: 6.0,
                dark_port_calls: 2,
                partner_imaged: vec![PartnerImaged {
                    scene_id: "sar-0007".into(),
                    detection_id: "sar-0007-2".into(),
                    dark_vessel_id: "dv-3".into(),
                    time: Time(1_701_745_200_000),
                    length_m: Some(96.0),
                    distance_km: 0.21,
                    confidence: 0.93,
                }],
            })
            .into(),
            Loitering {
                hours: 5.0,
                mean_speed_kn: 0.7,
                fixes: 60,
                first_slow_fix: Time(1),
                last_slow_fix: Time(18_000_000),
                parameters: p.clone(),
            }
            .into(),
            Voyage {
                from: Some("Najin".into()),
                to: None,
                from_kind: EventKind::DarkPortCall,
                to_kind: EventKind::PortVisit,
            }
            .into(),
            DraughtChange {
                from_m: 4.6,
                to_m: 7.6,
                loaded: true,
                parameters: p.clone(),
            }
            .into(),
            IdentityChange::Fields(FieldsChanged {
                rule: "r".into(),
                changes: vec![
                    FieldChange {
                        field: "name".into(),
                        from: FieldValue::Text("A<b>".into()),
                        to: FieldValue::Text("B".into()),
                    },
                    FieldChange {
                        field: "imo".into(),
                        from: FieldValue::Number(9_179_842),
                        to: FieldValue::Number(1),
                    },
                ],
            })
            .into(),
            IdentityChange::ImoMoved(ImoMoved {
                rule: "r".into(),
                imo: 9_179_842,
                old_mmsi: 1,
                new_mmsi: 2,
                simultaneous: false,
                flag_from: Some("RU".into()),
                flag_to: None,
                flag_changed: true,
            })
            .into(),
            SharedMmsi {
                rule: "r".into(),
                overlap_hours: 100.0,
                streams: 2,
                first_positions: [[1.0, 2.0], [3.0, 4.0]],
                parameters: p.clone(),
                identity_flips: Some(3),
            }
            .into(),
            PositionJump {
                rule: "r".into(),
                offset_nm: 50.0,
                fixes: 4,
                hours: 1.0,
                runs_of_this_stream: 1,
                implied_speed_kn: 400.0,
                parameters: p.clone(),
                times_at_this_false_place: None,
            }
            .into(),
            DarkVessel {
                rule: "r".into(),
                scene_id: "sar-0001".into(),
                detection_id: "sar-0001-3".into(),
                source: Some("sar".into()),
                length_m: Some(112.5),
                score: None,
                p_vessel: 0.97,
                p_explained_by_ais: 0.01,
                nearest_ais_mmsi: Some(273_000_001),
                nearest_ais_km: Some(14.2),
                scene_area_km2: Some(42_500.0),
                could_be: vec![CouldBe {
                    mmsi: 273_210_440,
                    last_before: Some(Time(1_691_000_000_000)),
                    first_after: None,
                    km_before: Some(310.0),
                    km_after: None,
                    speed_needed_kn: 6.5,
                    top_speed_kn: 15.4,
                    length_m: Some(120.0),
                }],
                could_be_count: 1,
                origin: "detections.csv:4".into(),
                parameters: p,
            }
            .into(),
        ]
    }

    #[test]
    fn every_kind_round_trips_typed_through_an_events_file() {
        let mut kinds = std::collections::BTreeSet::new();
        for (i, d) in examples().into_iter().enumerate() {
            let mut e = Event::new(
                1,
                1_700_000_000_000,
                Some(1_700_000_360_000),
                Some((42.0, 130.0)),
                d,
            );
            if i % 2 == 0 {
                e.evidence.score = Some(0.7);
                e.evidence.calibration = Some(e.kind().to_string());
            }
            if i % 3 == 0 {
                e.evidence.observations.push(Observation {
                    time: "2023-10-05".into(),
                    what: "containers".into(),
                    count: Some(120.0),
                    source: "imagery".into(),
                });
            }
            kinds.insert(e.kind());
            let line = serde_json::to_string(&e).unwrap();
            let back: Event = serde_json::from_str(&line).unwrap();
            assert_eq!(back, e, "{line}");
            assert!(back.evidence.raw().is_none(), "{line}");
            // keys of the evidence object in alphabetical order, as written before typing
            let v: Value = serde_json::from_str(&line).unwrap();
            let keys: Vec<&String> = v["evidence"].as_object().unwrap().keys().collect();
            // (each searched after the one before: a nested object, such as
            // a dark vessel's `could_be`, may use the same names)
            let text = &line[line.find("\"evidence\":").unwrap()..];
            let mut at = 0;
            for k in &keys {
                let i = text[at..]
                    .find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("{k} out of order: {line}"));
                at += i + 1;
            }
        }
        assert_eq!(kinds.len(), EventKind::ALL.len());
    }

    #[test]
    fn evidence_of_another_shape_is_kept_whole() {
        // a simulated world's truth: kept as read, written back unchanged
        for (kind, v) in [
            (EventKind::PortVisit, json!({"ais_off": true})),
            (
                EventKind::DraughtChange,
                json!({"from_m": 5.0, "to_m": 7.0, "cargo_operations": true}),
            ),
            (EventKind::Loitering, json!(null)),
            (EventKind::Encounter, json!({"hours": 2.0, "score": "high"})),
        ] {
            let e = Evidence::from_value(kind, v.clone());
            assert_eq!(e.detail, Detail::Raw(kind, v.clone()), "{v}");
            assert_eq!(e.to_value().unwrap(), v);
        }
        // a calibration added to empty evidence is read back as such
        let e = Evidence::from_value(
            EventKind::Voyage,
            json!({"score": 0.5, "calibration": "voyage"}),
        );
        assert_eq!(
            (e.score, e.calibration.as_deref()),
            (Some(0.5), Some("voyage"))
        );
        assert_eq!(e.detail, Detail::Raw(EventKind::Voyage, Value::Null));
    }
}
