//! Random, encodable messages: property tests, and templates for the
//! simulator's reports.

use super::*;
use crate::text::AisText;

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
