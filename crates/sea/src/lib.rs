//! # shiptrace sea
//!
//! Geography the product ships with, offline: great-circle distances and
//! bearings ([`geo`]), the Natural Earth land mask ([`LandMask`]), routes
//! over the sea ([`route`]), the port gazetteer ([`ports`]) and user
//! geofences ([`geofence`]).
//!
//! ```
//! let mask = sea::LandMask::global();
//! assert!(mask.is_land(48.85, 2.35));      // Paris
//! assert!(!mask.is_land(40.0, 135.0));     // Sea of Japan
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod geo;
pub mod geofence;
mod landmask;
pub mod outline;
pub mod ports;
pub mod route;

pub use landmask::LandMask;
