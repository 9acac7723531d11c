//! The kinds of event.

use serde::{Deserialize, Serialize};

/// What an event reports. The serde names (`port_visit`, ...) are the
/// `kind` strings of events files, configuration keys and CLI arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A stay in a known port or user area, seen on AIS.
    PortVisit,
    /// A silence that could only be explained by a call at a watched port.
    DarkPortCall,
    /// A silence of a vessel's transponder.
    AisGap,
    /// Two vessels close together and slow at sea (or one, with a dark partner).
    Encounter,
    /// A vessel slow at sea, away from ports.
    Loitering,
    /// A passage between two consecutive calls.
    Voyage,
    /// A change of the broadcast draught.
    DraughtChange,
    /// Identity fields changed, or an IMO number moved between MMSIs.
    IdentityChange,
    /// Two transmitters broadcasting one MMSI.
    SharedMmsi,
    /// Broadcast positions displaced from the vessel's track, then back.
    PositionJump,
    /// A vessel in a satellite image that no AIS vessel explains (no MMSI:
    /// the event's `mmsi` is 0).
    DarkVessel,
}

/// A `kind` string that names no [`EventKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl std::fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown event kind `{}` (known: ", self.0)?;
        for (i, k) in EventKind::ALL.iter().enumerate() {
            write!(f, "{}{}", if i > 0 { ", " } else { "" }, k.as_str())?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for UnknownKind {}

impl EventKind {
    /// Every kind, in the order of the design's event list.
    pub const ALL: [EventKind; 11] = [
        EventKind::PortVisit,
        EventKind::DarkPortCall,
        EventKind::AisGap,
        EventKind::Encounter,
        EventKind::Loitering,
        EventKind::Voyage,
        EventKind::DraughtChange,
        EventKind::IdentityChange,
        EventKind::SharedMmsi,
        EventKind::PositionJump,
        EventKind::DarkVessel,
    ];

    /// The kind's name in files (its serde name).
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::PortVisit => "port_visit",
            EventKind::DarkPortCall => "dark_port_call",
            EventKind::AisGap => "ais_gap",
            EventKind::Encounter => "encounter",
            EventKind::Loitering => "loitering",
            EventKind::Voyage => "voyage",
            EventKind::DraughtChange => "draught_change",
            EventKind::IdentityChange => "identity_change",
            EventKind::SharedMmsi => "shared_mmsi",
            EventKind::PositionJump => "position_jump",
            EventKind::DarkVessel => "dark_vessel",
        }
    }

    /// A call at a port, seen or dark: the ends of voyages.
    pub const fn is_call(self) -> bool {
        matches!(self, EventKind::PortVisit | EventKind::DarkPortCall)
    }
}

/// Kinds order by name, as their strings do: event ids, maps keyed by
/// kind and every sorted output stay in the order of the written names.
impl Ord for EventKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for EventKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for EventKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names_and_parse_back() {
        for k in EventKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(k));
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), k);
        }
        let mut by_name = EventKind::ALL;
        by_name.sort();
        assert!(by_name.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
        let e = "port visit".parse::<EventKind>().unwrap_err();
        assert!(e.to_string().contains("`port visit`") && e.to_string().contains("voyage"));
    }
}
