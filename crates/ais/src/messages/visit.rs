//! Listing a [`Message`]'s fields with their interpreted values.

use super::*;
use crate::field::{Field, Unit, Value};

impl Message {
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
}

fn visit_application(app: &Option<Application>, f: &mut dyn FnMut(&'static str, Value<'_>)) {
    match app {
        Some(Application::MetHydro11(m)) => m.visit(f),
        Some(Application::MetHydro31(m)) => m.visit(f),
        Some(Application::AtonMonitoring(m)) => m.visit(f),
        None => {}
    }
}
