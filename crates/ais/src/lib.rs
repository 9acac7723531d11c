//! # shiptrace AIS decoder
//!
//! Turns raw AIS bytes into typed messages: NMEA 0183 framing of
//! `!xxVDM`/`!xxVDO` from any talker, checksums, NMEA 4.0 tag blocks,
//! `,<epoch>` suffixes, `$PGHP` and `$xxZDA` receive times, multi-sentence
//! assembly (by channel, sequential id, fragment count and tag-block group),
//! and all 27 ITU-R M.1371 message types with every field. IMO application
//! messages DAC 1 FI 11 and FI 31 (met/hydro) and DAC 235 FI 10 (AtoN
//! monitoring) are decoded; other binary payloads are kept with DAC/FI.
//!
//! No I/O, no allocation per single-sentence message, no panics on any
//! input: every bad line is a typed [`Error`] with its byte offset and a
//! [`RejectReason`] counted in [`Stats`].
//!
//! ```
//! use ais::{Decoder, Body};
//! let mut dec = Decoder::new();
//! let lines = [
//!     "\\g:1-2-9999,c:1565218798*53\\!BSVDM,2,1,3,A,53nPnh800000ha@J2218UH60U@4hT6000000000t2PD33t?P008000000000,0*72",
//!     "\\g:2-2-9999,c:1565218798*53\\!BSVDM,2,2,3,A,00000000000,2*3E",
//! ];
//! let mut out = Vec::new();
//! for l in lines {
//!     if let Some(m) = dec.feed(l.as_bytes()).unwrap() {
//!         out.push(*m);
//!     }
//! }
//! assert_eq!(out.len(), 1);
//! assert_eq!(out[0].meta.received_ms, Some(1_565_218_798_000));
//! assert!(matches!(out[0].message.body, Body::StaticAndVoyage(_)));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bits;
mod decoder;
pub mod encode;
pub mod field;
pub mod messages;
pub mod mid;
pub mod nmea;
#[cfg(feature = "serde")]
mod ser;
pub mod text;

pub use decoder::{
    Decoded, Decoder, DecoderParams, Error, ErrorKind, Meta, RejectReason, Source, Stats,
};
pub use field::Value;
pub use messages::*;
pub use text::AisText;
