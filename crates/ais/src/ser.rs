//! `serde` support: a message serialises as a flat map of its shown fields
//! (see [`Message::visit`]); absent values are left out.

use crate::field::Value;
use crate::messages::Message;
use serde::ser::{Serialize, SerializeMap, Serializer};

struct Hex<'a>(&'a [u8], usize);

impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // "bits:hex", the form gpsd uses for binary payloads.
        let mut out = String::with_capacity(self.0.len() * 2 + 6);
        out.push_str(&self.1.to_string());
        out.push(':');
        for b in self.0 {
            out.push_str(&format!("{b:02x}"));
        }
        s.serialize_str(&out)
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::U(v) => s.serialize_u64(v),
            Value::I(v) => s.serialize_i64(v),
            Value::F(v) => s.serialize_f64(v),
            Value::Bool(v) => s.serialize_bool(v),
            Value::Str(v) => s.serialize_str(v),
            Value::Bits(b, n) => Hex(b, n).serialize(s),
            Value::Absent => s.serialize_none(),
        }
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut err = None;
        self.visit(&mut |name, v| {
            if err.is_some() || v == Value::Absent {
                return;
            }
            if let Err(e) = map.serialize_entry(name, &v) {
                err = Some(e);
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        map.end()
    }
}

impl Serialize for crate::decoder::Decoded {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(t) = self.meta.received_ms {
            map.serialize_entry("received", &crate::nmea::format_rfc3339_ms(t))?;
        }
        if !self.meta.source.is_empty() {
            map.serialize_entry("source", self.meta.source.as_str())?;
        }
        if self.meta.channel != 0 {
            map.serialize_entry("channel", &(self.meta.channel as char).to_string())?;
        }
        let mut err = None;
        self.message.visit(&mut |name, v| {
            if err.is_some() || v == Value::Absent {
                return;
            }
            if let Err(e) = map.serialize_entry(name, &v) {
                err = Some(e);
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        map.end()
    }
}
