//! Listing a [`Message`]'s fields with their interpreted values.

use super::*;
use crate::field::{Field, Unit, Value};

impl Message {
    /// Calls `f` with each field's name and interpreted value, header first
    /// (`type`, `repeat`, `mmsi`). Spare bits are not listed; "not
    /// available" codes come as [`Value::Absent`].
    pub fn visit(&self, f: &mut dyn FnMut(&'static str, Value<'_>)) {
        self.visit_in(false, f)
    }

    /// [`Message::visit`], or with `raw` every value as broadcast (no unit
    /// applied, "not available" codes kept, no derived fields): the fields
    /// of gpsd's unscaled JSON.
    pub fn visit_in(&self, raw: bool, f: &mut dyn FnMut(&'static str, Value<'_>)) {
        f("type", Value::U(self.msg_type as u64));
        f("repeat", Value::U(self.repeat as u64));
        f("mmsi", Value::U(self.mmsi as u64));
        match &self.body {
            Body::Position(b) => {
                b.visit_in(raw, f);
                // The rate of turn in degrees/min, derived from the indicator.
                if !raw {
                    f("turn_rate", Unit::Rot.interpret(b.turn as i64, true));
                }
            }
            Body::BaseStation(b) => b.visit_in(raw, f),
            Body::StaticAndVoyage(b) => b.visit_in(raw, f),
            Body::AddressedBinary(b) => {
                b.head.visit_in(raw, f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
                visit_application(&b.application, raw, f);
            }
            Body::Acknowledge(b) => b.visit_in(raw, f),
            Body::BinaryBroadcast(b) => {
                b.head.visit_in(raw, f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
                visit_application(&b.application, raw, f);
            }
            Body::SarAircraft(b) => b.visit_in(raw, f),
            Body::UtcInquiry(b) => b.visit_in(raw, f),
            Body::AddressedSafety(b) => {
                b.head.visit_in(raw, f);
                f("text", b.text.value(Unit::Raw));
            }
            Body::SafetyBroadcast(b) => f("text", b.text.value(Unit::Raw)),
            Body::Interrogation(b) => b.visit_in(raw, f),
            Body::AssignmentCommand(b) => b.visit_in(raw, f),
            Body::Dgnss(b) => {
                b.head.visit_in(raw, f);
                f("data", Value::Bits(b.data.bytes(), b.data.bit_len()));
            }
            Body::ClassBPosition(b) => b.visit_in(raw, f),
            Body::ClassBExtended(b) => b.visit_in(raw, f),
            Body::DataLinkManagement(b) => b.visit_in(raw, f),
            Body::AidToNavigation(b) => {
                let mut inner = |name: &'static str, v: Value<'_>| {
                    if name == "name" {
                        f("name", b.name.value(Unit::Raw));
                    } else {
                        f(name, v)
                    }
                };
                b.fixed.visit_in(raw, &mut inner);
            }
            Body::ChannelManagement(b) => {
                b.head.visit_in(raw, f);
                match &b.target {
                    ChannelTarget::Area(a) => a.visit_in(raw, f),
                    ChannelTarget::Stations(s) => s.visit_in(raw, f),
                }
                b.tail.visit_in(raw, f);
            }
            Body::GroupAssignment(b) => b.visit_in(raw, f),
            Body::StaticData(StaticDataReport::A(a)) => {
                f("part", Value::U(0));
                a.visit_in(raw, f);
            }
            Body::StaticData(StaticDataReport::B(b)) => {
                f("part", Value::U(1));
                b.head.visit_in(raw, f);
                match &b.target {
                    StaticDataBTarget::Dimensions(d) => d.visit_in(raw, f),
                    StaticDataBTarget::Mothership(m) => f("mothership_mmsi", Value::U(*m as u64)),
                }
                b.tail.visit_in(raw, f);
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
            Body::LongRange(b) => b.visit_in(raw, f),
        }
    }
}

fn visit_application(
    app: &Option<Application>,
    raw: bool,
    f: &mut dyn FnMut(&'static str, Value<'_>),
) {
    match app {
        Some(Application::MetHydro11(m)) => m.visit_in(raw, f),
        Some(Application::MetHydro31(m)) => m.visit_in(raw, f),
        Some(Application::AtonMonitoring(m)) => m.visit_in(raw, f),
        None => {}
    }
}
