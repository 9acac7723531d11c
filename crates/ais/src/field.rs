//! How one field of a message layout is read, written, and shown.
//!
//! Message layouts are declared once with [`layout!`](crate::layout): each
//! field names its Rust type, its width in bits and its [`Unit`]. Decoding,
//! encoding, field listing (JSON) and property-test generation all come from
//! that one declaration.

use crate::bits::{BitReader, BitWriter};
use crate::text::AisText;

/// A field's value as shown to people and to JSON: scaled to its unit, with
/// the ITU "not available" codes turned into [`Value::Absent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Unsigned integer.
    U(u64),
    /// Signed integer.
    I(i64),
    /// Scaled number.
    F(f64),
    /// Flag.
    Bool(bool),
    /// Text.
    Str(&'a str),
    /// Binary data: packed bytes and the number of meaningful bits.
    Bits(&'a [u8], usize),
    /// "Not available".
    Absent,
}

/// How a raw field value is interpreted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Shown as broadcast.
    Raw,
    /// 0/1 shown as false/true.
    Flag,
    /// Not shown (spare and reserved bits).
    Spare,
    /// `raw / div`; absent when `raw > max`, or when `raw == 0` if `zero_na`.
    Num {
        /// Divisor.
        div: f64,
        /// Largest valid raw value.
        max: i64,
        /// Raw 0 means "not available".
        zero_na: bool,
    },
    /// Angle `raw / div` degrees; absent when its magnitude exceeds `limit`
    /// (the ITU codes 181 / 91 are outside the valid range).
    Coord {
        /// Divisor to degrees.
        div: f64,
        /// Largest valid magnitude, degrees.
        limit: f64,
    },
    /// Rate of turn indicator: degrees/min = sign * (raw / 4.733)^2; ±127
    /// (turning, no indicator) and -128 (not available) are absent.
    Rot,
}

impl Unit {
    /// A count or code where `na` and above mean "not available".
    pub const fn below(na: i64) -> Unit {
        Unit::Num {
            div: 1.0,
            max: na - 1,
            zero_na: false,
        }
    }
    /// Tenths (speed in 0.1 kn, course in 0.1°), `na` and above absent.
    pub const fn tenths(na: i64) -> Unit {
        Unit::Num {
            div: 10.0,
            max: na - 1,
            zero_na: false,
        }
    }
    /// A number where 0 means "not available" (IMO number, draught...).
    pub const fn nonzero(div: f64) -> Unit {
        Unit::Num {
            div,
            max: i64::MAX,
            zero_na: true,
        }
    }

    /// The raw integer a value shown in this unit came from (the inverse of
    /// [`Unit::interpret`], rounded): what a program that printed scaled
    /// values (gpsd's JSON) was given. `None` for a value no raw integer
    /// gives.
    pub fn raw_of(self, v: f64) -> Option<i64> {
        if !v.is_finite() {
            return None;
        }
        let r = match self {
            Unit::Raw | Unit::Spare | Unit::Flag => v,
            Unit::Num { div, .. } | Unit::Coord { div, .. } => v * div,
            Unit::Rot => (4.733 * v.abs().sqrt()).copysign(v),
        }
        .round();
        (r.abs() < 9.0e15).then_some(r as i64)
    }

    /// Interprets a raw integer.
    pub fn interpret(self, raw: i64, signed: bool) -> Value<'static> {
        match self {
            Unit::Raw | Unit::Spare => {
                if signed {
                    Value::I(raw)
                } else {
                    Value::U(raw as u64)
                }
            }
            Unit::Flag => Value::Bool(raw != 0),
            Unit::Num { div, max, zero_na } => {
                if raw > max || (zero_na && raw == 0) {
                    Value::Absent
                } else if div == 1.0 {
                    if signed {
                        Value::I(raw)
                    } else {
                        Value::U(raw as u64)
                    }
                } else {
                    Value::F(raw as f64 / div)
                }
            }
            Unit::Coord { div, limit } => {
                let v = raw as f64 / div;
                if v.abs() > limit {
                    Value::Absent
                } else {
                    Value::F(v)
                }
            }
            Unit::Rot => {
                if raw.abs() >= 127 {
                    Value::Absent
                } else {
                    let r = raw as f64 / 4.733;
                    Value::F((r * r).copysign(raw as f64))
                }
            }
        }
    }
}

/// Longitude in 1/10,000 min (28 bits), latitude likewise (27 bits).
pub const LON: Unit = Unit::Coord {
    div: 600_000.0,
    limit: 180.0,
};
/// Latitude in 1/10,000 min (position reports).
pub const LAT: Unit = Unit::Coord {
    div: 600_000.0,
    limit: 90.0,
};
/// Longitude/latitude in 1/10 min (types 17, 22, 23, 27).
pub const LON10: Unit = Unit::Coord {
    div: 600.0,
    limit: 180.0,
};
/// Latitude in 1/10 min.
pub const LAT10: Unit = Unit::Coord {
    div: 600.0,
    limit: 90.0,
};
/// Longitude/latitude in 1/1,000 min (IMO application messages).
pub const LON1000: Unit = Unit::Coord {
    div: 60_000.0,
    limit: 180.0,
};
/// Latitude in 1/1,000 min.
pub const LAT1000: Unit = Unit::Coord {
    div: 60_000.0,
    limit: 90.0,
};
/// Speed over ground in 0.1 kn: 1023 not available.
pub const SOG: Unit = Unit::tenths(1023);
/// Course over ground in 0.1°: 3600 not available.
pub const COG: Unit = Unit::tenths(3600);
/// True heading in degrees: 511 not available (360..510 invalid).
pub const HEADING: Unit = Unit::below(360);
/// UTC second of the fix: 60 not available, 61-63 special states.
pub const SECOND: Unit = Unit::below(60);
/// Draught in 0.1 m, 0 not available.
pub const DRAUGHT: Unit = Unit::nonzero(10.0);

/// A Rust type that can hold one field.
pub trait Field: Sized + Copy {
    /// Whether raw values are two's complement.
    const SIGNED: bool = false;
    /// Reads the field's `nbits` bits.
    fn read(r: &mut BitReader<'_>, nbits: u32) -> Self;
    /// Writes the field in `nbits` bits.
    fn write(&self, w: &mut BitWriter, nbits: u32);
    /// The value shown, in `unit`.
    fn value(&self, unit: Unit) -> Value<'_>;
    /// A value of `nbits` bits derived from a random seed (property tests).
    fn from_seed(seed: u64, nbits: u32) -> Self;
    /// The value another program gave (see [`Given`]), if it fits in
    /// `nbits` bits.
    fn from_given(v: Given<'_>, unit: Unit, scaled: bool, nbits: u32) -> Option<Self>;
}

macro_rules! unsigned_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            #[inline(always)]
            fn read(r: &mut BitReader<'_>, nbits: u32) -> Self { r.u(nbits) as $t }
            fn write(&self, w: &mut BitWriter, nbits: u32) { w.put(*self as u64, nbits) }
            fn value(&self, unit: Unit) -> Value<'_> { unit.interpret(*self as i64, false) }
            fn from_seed(seed: u64, nbits: u32) -> Self {
                (seed & ((1u64 << nbits) - 1)) as $t
            }
            fn from_given(v: Given<'_>, unit: Unit, scaled: bool, nbits: u32) -> Option<Self> {
                let r = v.raw(unit, scaled)?;
                (0..(1i64 << nbits)).contains(&r).then_some(r as $t)
            }
        }
    )*};
}
macro_rules! signed_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const SIGNED: bool = true;
            #[inline(always)]
            fn read(r: &mut BitReader<'_>, nbits: u32) -> Self { r.i(nbits) as $t }
            fn write(&self, w: &mut BitWriter, nbits: u32) {
                w.put((*self as i64 as u64) & ((1u64 << nbits) - 1), nbits)
            }
            fn value(&self, unit: Unit) -> Value<'_> { unit.interpret(*self as i64, true) }
            fn from_seed(seed: u64, nbits: u32) -> Self {
                let sh = 64 - nbits;
                (((seed << sh) as i64) >> sh) as $t
            }
            fn from_given(v: Given<'_>, unit: Unit, scaled: bool, nbits: u32) -> Option<Self> {
                let r = v.raw(unit, scaled)?;
                let half = 1i64 << (nbits - 1);
                (-half..half).contains(&r).then_some(r as $t)
            }
        }
    )*};
}
unsigned_field!(u8, u16, u32);
signed_field!(i8, i16, i32);

impl Field for bool {
    #[inline(always)]
    fn read(r: &mut BitReader<'_>, nbits: u32) -> Self {
        r.u(nbits) != 0
    }
    fn write(&self, w: &mut BitWriter, nbits: u32) {
        w.put(*self as u64, nbits)
    }
    fn value(&self, _unit: Unit) -> Value<'_> {
        Value::Bool(*self)
    }
    fn from_seed(seed: u64, _nbits: u32) -> Self {
        seed & 1 == 1
    }
    fn from_given(v: Given<'_>, _unit: Unit, _scaled: bool, _nbits: u32) -> Option<Self> {
        match v {
            Given::Bool(b) => Some(b),
            Given::Int(i @ (0 | 1)) => Some(i == 1),
            _ => None,
        }
    }
}

impl<const N: usize> Field for AisText<N> {
    #[inline]
    fn read(r: &mut BitReader<'_>, nbits: u32) -> Self {
        AisText::read(r, nbits as usize / 6)
    }
    fn write(&self, w: &mut BitWriter, nbits: u32) {
        AisText::write(self, w, nbits as usize / 6)
    }
    fn value(&self, _unit: Unit) -> Value<'_> {
        if self.is_empty() {
            Value::Absent
        } else {
            Value::Str(self.as_str())
        }
    }
    fn from_seed(seed: u64, nbits: u32) -> Self {
        random_text(seed, (nbits as usize / 6).min(N))
    }
    fn from_given(v: Given<'_>, _unit: Unit, _scaled: bool, nbits: u32) -> Option<Self> {
        match v {
            Given::Text(s) if s.chars().count() <= (nbits as usize / 6).min(N) => {
                Some(AisText::from_str_lossy(s))
            }
            _ => None,
        }
    }
}

/// A field's value as another program wrote it (gpsd's JSON): read into
/// a layout by [`layout`]'s generated `set`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Given<'a> {
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A flag.
    Bool(bool),
    /// Text.
    Text(&'a str),
}

impl Given<'_> {
    /// The raw integer: `scaled` values go back through the unit.
    fn raw(self, unit: Unit, scaled: bool) -> Option<i64> {
        match self {
            Given::Int(i) if !scaled => Some(i),
            Given::Int(i) => unit.raw_of(i as f64),
            Given::Float(f) if scaled => unit.raw_of(f),
            Given::Float(f) => (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64),
            Given::Bool(b) => Some(b as i64),
            Given::Text(_) => None,
        }
    }
}

/// A normalised random text (no `@`, no trailing space) of at most `max`
/// characters, for property tests.
pub fn random_text<const N: usize>(seed: u64, max: usize) -> AisText<N> {
    let mut s = seed;
    let mut next = || {
        // splitmix64
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = if max == 0 {
        0
    } else {
        (next() % (max as u64 + 1)) as usize
    };
    let mut out = String::new();
    for _ in 0..len {
        let v = 1 + (next() % 63) as usize; // never '@'
        out.push(crate::text::SIXBIT[v] as char);
    }
    let trimmed = out.trim_end_matches(' ');
    AisText::from_str_lossy(trimmed)
}

/// Declares a message body layout: a struct whose fields are read in order
/// from a bit offset, plus its encoder, field lister and seed constructor.
#[macro_export]
#[doc(hidden)]
macro_rules! layout {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $bits:literal => $unit:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        ///
        /// Fields are named as in gpsd's AIVDM/AIVDO document and read in the
        /// order, widths and units of the layout table that declares them.
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        #[allow(missing_docs)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// Width of the declared layout in bits.
            pub const BITS: usize = 0 $( + $bits )*;

            #[inline]
            pub(crate) fn read(r: &mut $crate::bits::BitReader<'_>) -> Self {
                $name { $( $field: <$ty as $crate::field::Field>::read(r, $bits), )* }
            }

            #[allow(dead_code)]
            pub(crate) fn write(&self, w: &mut $crate::bits::BitWriter) {
                $( <$ty as $crate::field::Field>::write(&self.$field, w, $bits); )*
            }

            /// Calls `f` with each shown field's name and interpreted value.
            pub fn visit(&self, f: &mut dyn FnMut(&'static str, $crate::field::Value<'_>)) {
                self.visit_in(false, f)
            }

            /// [`Self::visit`], or with `raw` the values as broadcast (no
            /// unit applied, "not available" codes kept), as gpsd's
            /// unscaled JSON lists them.
            pub fn visit_in(&self, raw: bool, f: &mut dyn FnMut(&'static str, $crate::field::Value<'_>)) {
                $(
                    let unit: $crate::field::Unit = $unit;
                    if unit != $crate::field::Unit::Spare {
                        let shown = if raw && unit != $crate::field::Unit::Flag { $crate::field::Unit::Raw } else { unit };
                        f(stringify!($field), <$ty as $crate::field::Field>::value(&self.$field, shown));
                    }
                )*
            }

            /// Sets the field `name` (gpsd's name) from another program's
            /// value; `scaled` values are taken back to the raw integer
            /// through the field's unit. `Err` names why: no such field, or
            /// a value that does not fit.
            pub fn set(&mut self, name: &str, v: $crate::field::Given<'_>, scaled: bool) -> Result<(), &'static str> {
                match name {
                    $( stringify!($field) => {
                        let unit: $crate::field::Unit = $unit;
                        self.$field = <$ty as $crate::field::Field>::from_given(v, unit, scaled, $bits)
                            .ok_or("value out of range")?;
                        Ok(())
                    } )*
                    _ => Err("no such field"),
                }
            }

            /// A value built from random seeds (property tests).
            pub fn from_seeds(seeds: &mut dyn Iterator<Item = u64>) -> Self {
                $name { $( $field: <$ty as $crate::field::Field>::from_seed(seeds.next().unwrap_or(0), $bits), )* }
            }
        }
    };
}
