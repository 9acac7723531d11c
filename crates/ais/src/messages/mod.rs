//! The 27 AIS message types: typed bodies, decoding from bits, encoding back
//! to bits, and a field lister used for JSON and other outputs.

mod fixed;

pub use fixed::*;

use crate::bits::{BitReader, BitWriter, Bits};
use crate::field::{Field, Unit, Value};
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
    pub const MAX_BYTES: usize = 133;
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
    pub head: AddressedBinaryHead,
    /// Application data after DAC/FI (from bit 88).
    pub data: BinaryData,
    pub application: Option<Application>,
}

/// Type 8: binary broadcast message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryBroadcast {
    pub head: BinaryBroadcastHead,
    /// Application data after DAC/FI (from bit 56).
    pub data: BinaryData,
    pub application: Option<Application>,
}

/// Type 12: addressed safety-related text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddressedSafety {
    pub head: AddressedSafetyHead,
    pub text: AisText<156>,
}

/// Type 14: safety-related broadcast text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SafetyBroadcast {
    pub spare: u8,
    pub text: AisText<161>,
}

/// Type 17: DGNSS corrections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DgnssBroadcast {
    pub head: DgnssHead,
    pub data: BinaryData,
}

/// Type 21: aid-to-navigation report. `name` joins the 20-character name and
/// its extension (up to 14 more characters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AidToNavigation {
    pub fixed: AidToNavigationFixed,
    pub name: AisText<34>,
}

/// Type 22: channel management, broadcast to an area or addressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelManagement {
    pub head: ChannelManagementHead,
    pub target: ChannelTarget,
    pub tail: ChannelManagementTail,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChannelTarget {
    Area(ChannelArea),
    Stations(ChannelDestinations),
}

/// Type 24: static data report, part A (name) or part B (the rest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StaticDataReport {
    A(StaticDataA),
    B(StaticDataB),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticDataB {
    pub head: StaticDataBHead,
    pub target: StaticDataBTarget,
    pub tail: StaticDataBTail,
}

/// Part B bits 132-161: dimensions, or for an auxiliary craft (MMSI
/// 98XXXYYYY) the MMSI of its mother ship.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StaticDataBTarget {
    Dimensions(Dimensions),
    Mothership(u32),
}

/// Type 25: single-slot binary message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingleSlotBinary {
    pub addressed: bool,
    pub structured: bool,
    /// Destination MMSI when addressed.
    pub dest_mmsi: u32,
    /// DAC (10 bits) and FI (6 bits) when structured.
    pub app_id: u16,
    pub data: BinaryData,
}

/// Type 26: multi-slot binary message with communication state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultiSlotBinary {
    pub addressed: bool,
    pub structured: bool,
    pub dest_mmsi: u32,
    pub app_id: u16,
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
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub body: Body,
}

/// Why a payload could not be decoded as a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// Type 0 or 28..63.
    UnknownType(u8),
    /// Fewer bits than the type needs.
    TooShort {
        msg_type: u8,
        bits: usize,
        min: usize,
    },
    /// More bits than the type can carry.
    TooLong {
        msg_type: u8,
        bits: usize,
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
    /// Decodes a de-armoured payload.
    pub fn decode(bits: &Bits) -> Result<Message, MessageError> {
        let n = bits.len();
        if n < 38 {
            let t = bits.get(0, 6) as u8;
            return Err(MessageError::TooShort {
                msg_type: t,
                bits: n,
                min: 38,
            });
        }
        let msg_type = bits.get(0, 6) as u8;
        let repeat = bits.get(6, 2) as u8;
        let mmsi = bits.get(8, 30) as u32;
        if !(1..=27).contains(&msg_type) {
            return Err(MessageError::UnknownType(msg_type));
        }
        let min = min_bits(msg_type);
        if n < min {
            return Err(MessageError::TooShort {
                msg_type,
                bits: n,
                min,
            });
        }
        let max = max_bits(msg_type);
        if n > max {
            return Err(MessageError::TooLong {
                msg_type,
                bits: n,
                max,
            });
        }
        let mut r = BitReader::new(bits, 38);
        let body = match msg_type {
            1..=3 => {
                let mut p = PositionReport::read(&mut r);
                if n < 168 {
                    // A cut radio field keeps the bits that were sent,
                    // right-aligned, as gpsd reads it.
                    p.radio = bits.get(149, (n - 149) as u32) as u32;
                }
                Body::Position(p)
            }
            4 | 11 => Body::BaseStation(BaseStationReport::read(&mut r)),
            5 => Body::StaticAndVoyage(StaticAndVoyage::read(&mut r)),
            6 => {
                let head = AddressedBinaryHead::read(&mut r);
                let data = BinaryData::read(bits, 88, n - 88);
                let application = match (head.dac, head.fid) {
                    (235 | 250, 10) if n == 136 => {
                        Some(Application::AtonMonitoring(AtonMonitoring::read(&mut r)))
                    }
                    _ => None,
                };
                Body::AddressedBinary(AddressedBinary {
                    head,
                    data,
                    application,
                })
            }
            7 | 13 => Body::Acknowledge(Acknowledge::read(&mut r)),
            8 => {
                let head = BinaryBroadcastHead::read(&mut r);
                let data = BinaryData::read(bits, 56, n - 56);
                let application = match (head.dac, head.fid) {
                    // Decoded once position and time are present; a cut tail
                    // reads as zeros, as gpsd reads it.
                    (1, 11) if n >= 121 => Some(Application::MetHydro11(MetHydro11::read(&mut r))),
                    (1, 31) if n >= 122 => Some(Application::MetHydro31(MetHydro31::read(&mut r))),
                    _ => None,
                };
                Body::BinaryBroadcast(BinaryBroadcast {
                    head,
                    data,
                    application,
                })
            }
            9 => Body::SarAircraft(SarAircraftReport::read(&mut r)),
            10 => Body::UtcInquiry(UtcInquiry::read(&mut r)),
            12 => {
                let head = AddressedSafetyHead::read(&mut r);
                let text = AisText::read(&mut r, (n - 72) / 6);
                Body::AddressedSafety(AddressedSafety { head, text })
            }
            14 => {
                let spare = r.u(2) as u8;
                let text = AisText::read(&mut r, (n - 40) / 6);
                Body::SafetyBroadcast(SafetyBroadcast { spare, text })
            }
            15 => Body::Interrogation(Interrogation::read(&mut r)),
            16 => Body::AssignmentCommand(AssignmentCommand::read(&mut r)),
            17 => {
                let head = DgnssHead::read(&mut r);
                Body::Dgnss(DgnssBroadcast {
                    head,
                    data: BinaryData::read(bits, 80, n - 80),
                })
            }
            18 => Body::ClassBPosition(ClassBPosition::read(&mut r)),
            19 => Body::ClassBExtended(ClassBExtended::read(&mut r)),
            20 => Body::DataLinkManagement(DataLinkManagement::read(&mut r)),
            21 => {
                let fixed = AidToNavigationFixed::read(&mut r);
                // The name extension (bits 272..) continues the name only
                // when all 20 name characters are used, as gpsd reads it.
                let name = AisText::read_joined(bits, 43, 20, 272, (n - 272) / 6);
                Body::AidToNavigation(AidToNavigation { fixed, name })
            }
            22 => {
                let head = ChannelManagementHead::read(&mut r);
                let addressed = bits.get(139, 1) == 1;
                let target = if addressed {
                    ChannelTarget::Stations(ChannelDestinations::read(&mut r))
                } else {
                    ChannelTarget::Area(ChannelArea::read(&mut r))
                };
                let tail = ChannelManagementTail::read(&mut r);
                Body::ChannelManagement(ChannelManagement { head, target, tail })
            }
            23 => Body::GroupAssignment(GroupAssignment::read(&mut r)),
            24 => {
                let part = bits.get(38, 2);
                r = BitReader::new(bits, 40);
                match part {
                    0 => {
                        if n < 160 {
                            return Err(MessageError::TooShort {
                                msg_type,
                                bits: n,
                                min: 160,
                            });
                        }
                        Body::StaticData(StaticDataReport::A(StaticDataA::read(&mut r)))
                    }
                    1 => {
                        if n < 162 {
                            return Err(MessageError::TooShort {
                                msg_type,
                                bits: n,
                                min: 162,
                            });
                        }
                        let head = StaticDataBHead::read(&mut r);
                        let target = if is_auxiliary(mmsi) {
                            StaticDataBTarget::Mothership(r.u(30) as u32)
                        } else {
                            StaticDataBTarget::Dimensions(Dimensions::read(&mut r))
                        };
                        let tail = StaticDataBTail::read(&mut r);
                        Body::StaticData(StaticDataReport::B(StaticDataB { head, target, tail }))
                    }
                    // Parts 2 and 3 are not defined by ITU-R M.1371-5.
                    _ => return Err(MessageError::UnknownType(24)),
                }
            }
            25 => {
                let addressed = r.u(1) == 1;
                let structured = r.u(1) == 1;
                let dest_mmsi = if addressed { r.u(30) as u32 } else { 0 };
                let app_id = if structured { r.u(16) as u16 } else { 0 };
                let start = r.pos();
                if start > n {
                    return Err(MessageError::TooShort {
                        msg_type,
                        bits: n,
                        min: start,
                    });
                }
                let data = BinaryData::read(bits, start, n - start);
                Body::SingleSlotBinary(SingleSlotBinary {
                    addressed,
                    structured,
                    dest_mmsi,
                    app_id,
                    data,
                })
            }
            26 => {
                let addressed = r.u(1) == 1;
                let structured = r.u(1) == 1;
                let dest_mmsi = if addressed { r.u(30) as u32 } else { 0 };
                let app_id = if structured { r.u(16) as u16 } else { 0 };
                let start = r.pos();
                if start + 20 > n {
                    return Err(MessageError::TooShort {
                        msg_type,
                        bits: n,
                        min: start + 20,
                    });
                }
                let data = BinaryData::read(bits, start, n - start - 20);
                let radio = bits.get(n - 20, 20) as u32;
                Body::MultiSlotBinary(MultiSlotBinary {
                    addressed,
                    structured,
                    dest_mmsi,
                    app_id,
                    data,
                    radio,
                })
            }
            27 => Body::LongRange(LongRangePosition::read(&mut r)),
            _ => unreachable!("type range checked above"),
        };
        Ok(Message {
            msg_type,
            repeat,
            mmsi,
            body,
        })
    }

    /// Encodes back to payload bits.
    pub fn encode(&self) -> BitWriter {
        let mut w = BitWriter::new();
        w.put(self.msg_type as u64, 6);
        w.put(self.repeat as u64, 2);
        w.put(self.mmsi as u64, 30);
        match &self.body {
            Body::Position(b) => b.write(&mut w),
            Body::BaseStation(b) => b.write(&mut w),
            Body::StaticAndVoyage(b) => b.write(&mut w),
            Body::AddressedBinary(b) => {
                b.head.write(&mut w);
                b.data.write(&mut w);
            }
            Body::Acknowledge(b) => b.write(&mut w),
            Body::BinaryBroadcast(b) => {
                b.head.write(&mut w);
                b.data.write(&mut w);
            }
            Body::SarAircraft(b) => b.write(&mut w),
            Body::UtcInquiry(b) => b.write(&mut w),
            Body::AddressedSafety(b) => {
                b.head.write(&mut w);
                b.text.write(&mut w, b.text.len());
            }
            Body::SafetyBroadcast(b) => {
                w.put(b.spare as u64, 2);
                b.text.write(&mut w, b.text.len());
            }
            Body::Interrogation(b) => b.write(&mut w),
            Body::AssignmentCommand(b) => b.write(&mut w),
            Body::Dgnss(b) => {
                b.head.write(&mut w);
                b.data.write(&mut w);
            }
            Body::ClassBPosition(b) => b.write(&mut w),
            Body::ClassBExtended(b) => b.write(&mut w),
            Body::DataLinkManagement(b) => b.write(&mut w),
            Body::AidToNavigation(b) => {
                let mut fixed = b.fixed;
                let s = b.name.as_str();
                let (head, ext) = s.split_at(s.len().min(20));
                fixed.name = AisText::from_str_lossy(head);
                fixed.write(&mut w);
                let ext: AisText<14> = AisText::from_str_lossy(ext);
                ext.write(&mut w, ext.len());
            }
            Body::ChannelManagement(b) => {
                b.head.write(&mut w);
                match &b.target {
                    ChannelTarget::Area(a) => a.write(&mut w),
                    ChannelTarget::Stations(s) => s.write(&mut w),
                }
                b.tail.write(&mut w);
            }
            Body::GroupAssignment(b) => b.write(&mut w),
            Body::StaticData(StaticDataReport::A(a)) => {
                w.put(0, 2);
                a.write(&mut w);
            }
            Body::StaticData(StaticDataReport::B(b)) => {
                w.put(1, 2);
                b.head.write(&mut w);
                match &b.target {
                    StaticDataBTarget::Dimensions(d) => d.write(&mut w),
                    StaticDataBTarget::Mothership(m) => w.put(*m as u64, 30),
                }
                b.tail.write(&mut w);
            }
            Body::SingleSlotBinary(b) => {
                w.put(b.addressed as u64, 1);
                w.put(b.structured as u64, 1);
                if b.addressed {
                    w.put(b.dest_mmsi as u64, 30);
                }
                if b.structured {
                    w.put(b.app_id as u64, 16);
                }
                b.data.write(&mut w);
            }
            Body::MultiSlotBinary(b) => {
                w.put(b.addressed as u64, 1);
                w.put(b.structured as u64, 1);
                if b.addressed {
                    w.put(b.dest_mmsi as u64, 30);
                }
                if b.structured {
                    w.put(b.app_id as u64, 16);
                }
                b.data.write(&mut w);
                w.put(b.radio as u64, 20);
            }
            Body::LongRange(b) => b.write(&mut w),
        }
        w
    }

    /// Calls `f` with each field's name and interpreted value, header first
    /// (`type`, `repeat`, `mmsi`). Spare bits are not listed; "not
    /// available" codes come as [`Value::Absent`].
    pub fn visit(&self, f: &mut dyn FnMut(&'static str, Value<'_>)) {
        f("type", Value::U(self.msg_type as u64));
        f("repeat", Value::U(self.repeat as u64));
        f("mmsi", Value::U(self.mmsi as u64));
        match &self.body {
            Body::Position(b) => {
                b.visit(f);
                // The rate of turn in degrees/min, derived from the indicator.
                f("turn_rate", Unit::Rot.interpret(b.turn as i64, true));
            }
            Body::BaseStation(b) => b.visit(f),
            Body::StaticAndVoyage(b) => b.visit(f),
            Body::AddressedBinary(b) => {
                b.head.visit(f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
                visit_application(&b.application, f);
            }
            Body::Acknowledge(b) => b.visit(f),
            Body::BinaryBroadcast(b) => {
                b.head.visit(f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
                visit_application(&b.application, f);
            }
            Body::SarAircraft(b) => b.visit(f),
            Body::UtcInquiry(b) => b.visit(f),
            Body::AddressedSafety(b) => {
                b.head.visit(f);
                f("text", b.text.value(Unit::Raw));
            }
            Body::SafetyBroadcast(b) => f("text", b.text.value(Unit::Raw)),
            Body::Interrogation(b) => b.visit(f),
            Body::AssignmentCommand(b) => b.visit(f),
            Body::Dgnss(b) => {
                b.head.visit(f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
            }
            Body::ClassBPosition(b) => b.visit(f),
            Body::ClassBExtended(b) => b.visit(f),
            Body::DataLinkManagement(b) => b.visit(f),
            Body::AidToNavigation(b) => {
                let mut inner = |name: &'static str, v: Value<'_>| {
                    if name == "name" {
                        f("name", b.name.value(Unit::Raw));
                    } else {
                        f(name, v)
                    }
                };
                b.fixed.visit(&mut inner);
            }
            Body::ChannelManagement(b) => {
                b.head.visit(f);
                match &b.target {
                    ChannelTarget::Area(a) => a.visit(f),
                    ChannelTarget::Stations(s) => s.visit(f),
                }
                b.tail.visit(f);
            }
            Body::GroupAssignment(b) => b.visit(f),
            Body::StaticData(StaticDataReport::A(a)) => {
                f("part", Value::U(0));
                a.visit(f);
            }
            Body::StaticData(StaticDataReport::B(b)) => {
                f("part", Value::U(1));
                b.head.visit(f);
                match &b.target {
                    StaticDataBTarget::Dimensions(d) => d.visit(f),
                    StaticDataBTarget::Mothership(m) => f("mothership_mmsi", Value::U(*m as u64)),
                }
                b.tail.visit(f);
            }
            Body::SingleSlotBinary(b) => {
                f("addressed", Value::Bool(b.addressed));
                f("structured", Value::Bool(b.structured));
                if b.addressed {
                    f("dest_mmsi", Value::U(b.dest_mmsi as u64));
                }
                if b.structured {
                    f("app_id", Value::U(b.app_id as u64));
                }
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
            }
            Body::MultiSlotBinary(b) => {
                f("addressed", Value::Bool(b.addressed));
                f("structured", Value::Bool(b.structured));
                if b.addressed {
                    f("dest_mmsi", Value::U(b.dest_mmsi as u64));
                }
                if b.structured {
                    f("app_id", Value::U(b.app_id as u64));
                }
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
                f("radio", Value::U(b.radio as u64));
            }
            Body::LongRange(b) => b.visit(f),
        }
    }

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

fn visit_application(app: &Option<Application>, f: &mut dyn FnMut(&'static str, Value<'_>)) {
    match app {
        Some(Application::MetHydro11(m)) => m.visit(f),
        Some(Application::MetHydro31(m)) => m.visit(f),
        Some(Application::AtonMonitoring(m)) => m.visit(f),
        None => {}
    }
}

/// MMSIs of the form 98XXXYYYY belong to craft associated with a parent
/// ship (ITU-R M.585): their type 24 part B carries the mother ship's MMSI.
pub fn is_auxiliary(mmsi: u32) -> bool {
    mmsi / 10_000_000 == 98
}

/// Property-test support: a random, encodable message of the given type.
#[doc(hidden)]
pub fn random_message(msg_type: u8, seeds: &mut dyn Iterator<Item = u64>) -> Message {
    let repeat = (seeds.next().unwrap_or(0) & 3) as u8;
    let mut mmsi = (seeds.next().unwrap_or(0) & ((1 << 30) - 1)) as u32;
    let body = match msg_type {
        1..=3 => Body::Position(PositionReport::from_seeds(seeds)),
        4 | 11 => Body::BaseStation(BaseStationReport::from_seeds(seeds)),
        5 => Body::StaticAndVoyage(StaticAndVoyage::from_seeds(seeds)),
        6 => Body::AddressedBinary(AddressedBinary {
            head: AddressedBinaryHead::from_seeds(seeds),
            data: BinaryData::from_seeds(seeds, 1008 - 88),
            application: None,
        }),
        7 | 13 => Body::Acknowledge(Acknowledge::from_seeds(seeds)),
        8 => Body::BinaryBroadcast(BinaryBroadcast {
            head: BinaryBroadcastHead::from_seeds(seeds),
            data: BinaryData::from_seeds(seeds, 1008 - 56),
            application: None,
        }),
        9 => Body::SarAircraft(SarAircraftReport::from_seeds(seeds)),
        10 => Body::UtcInquiry(UtcInquiry::from_seeds(seeds)),
        12 => Body::AddressedSafety(AddressedSafety {
            head: AddressedSafetyHead::from_seeds(seeds),
            text: crate::field::random_text(seeds.next().unwrap_or(0), 156),
        }),
        14 => Body::SafetyBroadcast(SafetyBroadcast {
            spare: (seeds.next().unwrap_or(0) & 3) as u8,
            text: crate::field::random_text(seeds.next().unwrap_or(0), 161),
        }),
        15 => Body::Interrogation(Interrogation::from_seeds(seeds)),
        16 => Body::AssignmentCommand(AssignmentCommand::from_seeds(seeds)),
        17 => Body::Dgnss(DgnssBroadcast {
            head: DgnssHead::from_seeds(seeds),
            data: BinaryData::from_seeds(seeds, 1008 - 80),
        }),
        18 => Body::ClassBPosition(ClassBPosition::from_seeds(seeds)),
        19 => Body::ClassBExtended(ClassBExtended::from_seeds(seeds)),
        20 => Body::DataLinkManagement(DataLinkManagement::from_seeds(seeds)),
        21 => {
            let mut fixed = AidToNavigationFixed::from_seeds(seeds);
            let name: AisText<34> = crate::field::random_text(seeds.next().unwrap_or(0), 34);
            fixed.name =
                AisText::from_str_lossy(name.as_str()[..name.len().min(20)].trim_end_matches(' '));
            Body::AidToNavigation(AidToNavigation { fixed, name })
        }
        22 => {
            let head = ChannelManagementHead::from_seeds(seeds);
            let mut tail = ChannelManagementTail::from_seeds(seeds);
            let target = if tail.addressed {
                ChannelTarget::Stations(ChannelDestinations::from_seeds(seeds))
            } else {
                ChannelTarget::Area(ChannelArea::from_seeds(seeds))
            };
            tail.addressed = matches!(target, ChannelTarget::Stations(_));
            Body::ChannelManagement(ChannelManagement { head, target, tail })
        }
        23 => Body::GroupAssignment(GroupAssignment::from_seeds(seeds)),
        24 => {
            if seeds.next().unwrap_or(0) & 1 == 0 {
                Body::StaticData(StaticDataReport::A(StaticDataA::from_seeds(seeds)))
            } else {
                let head = StaticDataBHead::from_seeds(seeds);
                let target = if seeds.next().unwrap_or(0) & 1 == 0 {
                    if is_auxiliary(mmsi) {
                        mmsi = 0;
                    }
                    StaticDataBTarget::Dimensions(Dimensions::from_seeds(seeds))
                } else {
                    mmsi = 980_000_000 + mmsi % 10_000_000;
                    StaticDataBTarget::Mothership(
                        (seeds.next().unwrap_or(0) & ((1 << 30) - 1)) as u32,
                    )
                };
                Body::StaticData(StaticDataReport::B(StaticDataB {
                    head,
                    target,
                    tail: StaticDataBTail::from_seeds(seeds),
                }))
            }
        }
        25 => {
            let addressed = seeds.next().unwrap_or(0) & 1 == 1;
            let structured = seeds.next().unwrap_or(0) & 1 == 1;
            let used = 40 + if addressed { 30 } else { 0 } + if structured { 16 } else { 0 };
            Body::SingleSlotBinary(SingleSlotBinary {
                addressed,
                structured,
                dest_mmsi: if addressed {
                    (seeds.next().unwrap_or(0) & ((1 << 30) - 1)) as u32
                } else {
                    0
                },
                app_id: if structured {
                    seeds.next().unwrap_or(0) as u16
                } else {
                    0
                },
                data: BinaryData::from_seeds(seeds, 168 - used),
            })
        }
        26 => {
            let addressed = seeds.next().unwrap_or(0) & 1 == 1;
            let structured = seeds.next().unwrap_or(0) & 1 == 1;
            let used = 40 + if addressed { 30 } else { 0 } + if structured { 16 } else { 0 } + 20;
            Body::MultiSlotBinary(MultiSlotBinary {
                addressed,
                structured,
                dest_mmsi: if addressed {
                    (seeds.next().unwrap_or(0) & ((1 << 30) - 1)) as u32
                } else {
                    0
                },
                app_id: if structured {
                    seeds.next().unwrap_or(0) as u16
                } else {
                    0
                },
                data: BinaryData::from_seeds(seeds, 1064 - used),
                radio: (seeds.next().unwrap_or(0) & 0xfffff) as u32,
            })
        }
        _ => Body::LongRange(LongRangePosition::from_seeds(seeds)),
    };
    Message {
        msg_type,
        repeat,
        mmsi,
        body,
    }
}
