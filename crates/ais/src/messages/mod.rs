//! The 27 AIS message types: typed bodies, decoding from bits, encoding back
//! to bits, and a field lister used for JSON and other outputs.

mod decode;
mod fixed;
mod random;
mod visit;
mod write;

pub use fixed::*;
pub use random::random_message;

use crate::bits::{BitWriter, Bits};
use crate::field::Value;
use crate::text::AisText;

/// Binary data carried by types 6, 8, 17, 25 and 26, copied out of the
/// payload (at most 1,064 bits, the longest a 5-slot type 26 can carry).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BinaryData {
    bytes: [u8; BinaryData::MAX_BYTES],
    bits: u16,
}

impl Default for BinaryData {
    fn default() -> Self {
        BinaryData {
            bytes: [0; Self::MAX_BYTES],
            bits: 0,
        }
    }
}

impl BinaryData {
    /// Longest binary data, bytes.
    pub const MAX_BYTES: usize = 133;
    /// Longest binary data, bits.
    pub const MAX_BITS: usize = Self::MAX_BYTES * 8;

    fn read(bits: &Bits, start: usize, nbits: usize) -> Self {
        let mut d = BinaryData::default();
        let n = nbits.min(Self::MAX_BITS);
        bits.copy_bits(start, n, &mut d.bytes);
        d.bits = n as u16;
        d
    }
    /// Packed bytes, the last zero-padded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..(self.bits as usize).div_ceil(8)]
    }
    /// Number of meaningful bits.
    pub fn bit_len(&self) -> usize {
        self.bits as usize
    }
    /// Builds from bytes and a bit count (truncated to `MAX_BITS`).
    pub fn from_bytes(bytes: &[u8], nbits: usize) -> Self {
        let mut d = BinaryData::default();
        let n = nbits.min(Self::MAX_BITS).min(bytes.len() * 8);
        let nb = n.div_ceil(8);
        d.bytes[..nb].copy_from_slice(&bytes[..nb]);
        if n % 8 != 0 {
            d.bytes[nb - 1] &= 0xffu8 << (8 - n % 8);
        }
        d.bits = n as u16;
        d
    }
    fn write(&self, w: &mut BitWriter) {
        w.put_bytes(&self.bytes, self.bits as usize);
    }
    fn from_seeds(seeds: &mut dyn Iterator<Item = u64>, max_bits: usize) -> Self {
        let n = (seeds.next().unwrap_or(0) as usize) % (max_bits + 1);
        let mut bytes = [0u8; Self::MAX_BYTES];
        for chunk in bytes.chunks_mut(8) {
            let v = seeds.next().unwrap_or(0).to_be_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Self::from_bytes(&bytes, n)
    }
}

impl std::fmt::Debug for BinaryData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.bits)?;
        for b in self.bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Decoded IMO/regional application data inside types 6 and 8, where the
/// DAC/FI pair is one this decoder knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Application {
    /// DAC 1 FI 11: meteorological and hydrographic data (IMO236).
    MetHydro11(MetHydro11),
    /// DAC 1 FI 31: meteorological and hydrographic data (IMO289).
    MetHydro31(MetHydro31),
    /// DAC 235/250 FI 10: AtoN monitoring data (UK/ROI).
    AtonMonitoring(AtonMonitoring),
}

/// Type 6: addressed binary message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddressedBinary {
    /// Addressing, DAC and FI.
    pub head: AddressedBinaryHead,
    /// Application data after DAC/FI (from bit 88).
    pub data: BinaryData,
    /// The decoded application message, for the applications known.
    pub application: Option<Application>,
}

/// Type 8: binary broadcast message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryBroadcast {
    /// DAC and FI.
    pub head: BinaryBroadcastHead,
    /// Application data after DAC/FI (from bit 56).
    pub data: BinaryData,
    /// The decoded application message, for the applications known.
    pub application: Option<Application>,
}

/// Type 12: addressed safety-related text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddressedSafety {
    /// Addressing.
    pub head: AddressedSafetyHead,
    /// The text.
    pub text: AisText<156>,
}

/// Type 14: safety-related broadcast text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SafetyBroadcast {
    /// Spare bits.
    pub spare: u8,
    /// The text.
    pub text: AisText<161>,
}

/// Type 17: DGNSS corrections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DgnssBroadcast {
    /// Reference station, position and header.
    pub head: DgnssHead,
    /// The correction data.
    pub data: BinaryData,
}

/// Type 21: aid-to-navigation report. `name` joins the 20-character name and
/// its extension (up to 14 more characters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AidToNavigation {
    /// The fixed-layout part.
    pub fixed: AidToNavigationFixed,
    /// Name with its extension.
    pub name: AisText<34>,
}

/// Type 22: channel management, broadcast to an area or addressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelManagement {
    /// Channels and power.
    pub head: ChannelManagementHead,
    /// Where the command applies.
    pub target: ChannelTarget,
    /// Zone size and spare.
    pub tail: ChannelManagementTail,
}

/// Where a channel management command applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChannelTarget {
    /// A rectangular area.
    Area(ChannelArea),
    /// Up to two addressed stations.
    Stations(ChannelDestinations),
}

/// Type 24: static data report, part A (name) or part B (the rest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StaticDataReport {
    /// Part A: the name.
    A(StaticDataA),
    /// Part B: type, vendor, call sign, dimensions.
    B(StaticDataB),
}

/// Type 24 part B.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticDataB {
    /// Ship type, vendor id, call sign.
    pub head: StaticDataBHead,
    /// Dimensions or mother ship.
    pub target: StaticDataBTarget,
    /// Fix type and spare.
    pub tail: StaticDataBTail,
}

/// Part B bits 132-161: dimensions, or for an auxiliary craft (MMSI
/// 98XXXYYYY) the MMSI of its mother ship.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StaticDataBTarget {
    /// Antenna offsets to bow, stern, port and starboard.
    Dimensions(Dimensions),
    /// The mother ship's MMSI.
    Mothership(u32),
}

/// Type 25: single-slot binary message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingleSlotBinary {
    /// Addressed to one station.
    pub addressed: bool,
    /// Carries an application id (DAC, FI).
    pub structured: bool,
    /// Destination MMSI when addressed.
    pub dest_mmsi: u32,
    /// DAC (10 bits) and FI (6 bits) when structured.
    pub app_id: u16,
    /// The binary data.
    pub data: BinaryData,
}

/// Type 26: multi-slot binary message with communication state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultiSlotBinary {
    /// Addressed to one station.
    pub addressed: bool,
    /// Carries an application id (DAC, FI).
    pub structured: bool,
    /// Destination MMSI when addressed.
    pub dest_mmsi: u32,
    /// DAC (10 bits) and FI (6 bits) when structured.
    pub app_id: u16,
    /// The binary data.
    pub data: BinaryData,
    /// The last 20 bits: communication state selector (1) and state (19).
    pub radio: u32,
}

/// A message body, by type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Body {
    /// Types 1, 2, 3.
    Position(PositionReport),
    /// Types 4 and 11.
    BaseStation(BaseStationReport),
    /// Type 5.
    StaticAndVoyage(StaticAndVoyage),
    /// Type 6.
    AddressedBinary(AddressedBinary),
    /// Types 7 and 13.
    Acknowledge(Acknowledge),
    /// Type 8.
    BinaryBroadcast(BinaryBroadcast),
    /// Type 9.
    SarAircraft(SarAircraftReport),
    /// Type 10.
    UtcInquiry(UtcInquiry),
    /// Type 12.
    AddressedSafety(AddressedSafety),
    /// Type 14.
    SafetyBroadcast(SafetyBroadcast),
    /// Type 15.
    Interrogation(Interrogation),
    /// Type 16.
    AssignmentCommand(AssignmentCommand),
    /// Type 17.
    Dgnss(DgnssBroadcast),
    /// Type 18.
    ClassBPosition(ClassBPosition),
    /// Type 19.
    ClassBExtended(ClassBExtended),
    /// Type 20.
    DataLinkManagement(DataLinkManagement),
    /// Type 21.
    AidToNavigation(AidToNavigation),
    /// Type 22.
    ChannelManagement(ChannelManagement),
    /// Type 23.
    GroupAssignment(GroupAssignment),
    /// Type 24.
    StaticData(StaticDataReport),
    /// Type 25.
    SingleSlotBinary(SingleSlotBinary),
    /// Type 26.
    MultiSlotBinary(MultiSlotBinary),
    /// Type 27.
    LongRange(LongRangePosition),
}

/// A decoded AIS message: the common header and the typed body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message {
    /// Message type (1-27).
    pub msg_type: u8,
    /// Repeat indicator.
    pub repeat: u8,
    /// The sender.
    pub mmsi: u32,
    /// The type's fields.
    pub body: Body,
}

/// Why a payload could not be decoded as a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// Type 0 or 28..63.
    UnknownType(u8),
    /// Fewer bits than the type needs.
    TooShort {
        /// The type.
        msg_type: u8,
        /// Bits received.
        bits: usize,
        /// Bits the type needs.
        min: usize,
    },
    /// More bits than the type can carry.
    TooLong {
        /// The type.
        msg_type: u8,
        /// Bits received.
        bits: usize,
        /// Bits the type can carry.
        max: usize,
    },
}

impl std::fmt::Display for MessageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageError::UnknownType(t) => write!(f, "unknown message type {t}"),
            MessageError::TooShort {
                msg_type,
                bits,
                min,
            } => {
                write!(
                    f,
                    "type {msg_type} message has {bits} bits, needs at least {min}"
                )
            }
            MessageError::TooLong {
                msg_type,
                bits,
                max,
            } => {
                write!(
                    f,
                    "type {msg_type} message has {bits} bits, at most {max} allowed"
                )
            }
        }
    }
}

/// Minimum payload length accepted per type, in bits. Where real
/// transmitters commonly send a little less than the standard (type 5 at 420
/// bits, trailing radio bits cut), the minimum covers every field with
/// meaning and the missing tail reads as zero.
pub fn min_bits(msg_type: u8) -> usize {
    match msg_type {
        1..=3 => 149,
        4 | 11 => 149,
        5 => 420,
        6 => 88,
        7 | 13 => 72,
        8 => 56,
        9 => 148,
        10 => 70,
        12 => 72,
        14 => 40,
        15 => 88,
        16 => 92,
        17 => 80,
        18 => 148,
        19 => 307,
        20 => 70,
        21 => 272,
        22 => 145,
        23 => 154,
        24 => 40,
        25 => 40,
        26 => 60,
        27 => 94,
        _ => 0,
    }
}

/// Maximum accepted, in bits. Fixed-layout types get a little slack over
/// the standard length (real transmitters pad to a slot); far longer ones
/// are line noise that happened to pass the checksum. Limits follow gpsd's
/// range checks where it has them; binary types get 5 slots.
pub fn max_bits(msg_type: u8) -> usize {
    match msg_type {
        7 | 13 | 15 | 16 | 25 => 168,
        20 => 186,
        21 => 368,
        27 => 168,
        14 => 1008,
        26 => 1064,
        _ => 1008,
    }
}

impl Message {
    /// Position in degrees (lon, lat) if this message carries a valid one.
    pub fn position(&self) -> Option<(f64, f64)> {
        let (lon, lat, lon_unit, lat_unit) = match &self.body {
            Body::Position(b) => (b.lon, b.lat, crate::field::LON, crate::field::LAT),
            Body::BaseStation(b) => (b.lon, b.lat, crate::field::LON, crate::field::LAT),
            Body::SarAircraft(b) => (b.lon, b.lat, crate::field::LON, crate::field::LAT),
            Body::ClassBPosition(b) => (b.lon, b.lat, crate::field::LON, crate::field::LAT),
            Body::ClassBExtended(b) => (b.lon, b.lat, crate::field::LON, crate::field::LAT),
            Body::AidToNavigation(b) => (
                b.fixed.lon,
                b.fixed.lat,
                crate::field::LON,
                crate::field::LAT,
            ),
            Body::LongRange(b) => (b.lon, b.lat, crate::field::LON10, crate::field::LAT10),
            _ => return None,
        };
        match (
            lon_unit.interpret(lon as i64, true),
            lat_unit.interpret(lat as i64, true),
        ) {
            (Value::F(x), Value::F(y)) => Some((x, y)),
            _ => None,
        }
    }
}

/// MMSIs of the form 98XXXYYYY belong to craft associated with a parent
/// ship (ITU-R M.585): their type 24 part B carries the mother ship's MMSI.
pub fn is_auxiliary(mmsi: u32) -> bool {
    mmsi / 10_000_000 == 98
}
