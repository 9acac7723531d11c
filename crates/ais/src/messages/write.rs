//! Encoding a [`Message`] back to payload bits.

use super::*;
use crate::bits::BitWriter;
use crate::text::AisText;

impl Message {
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
}
