//! Decoding a payload's bits into a [`Message`].

use super::*;
use crate::bits::{BitReader, Bits};
use crate::text::AisText;

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
}
