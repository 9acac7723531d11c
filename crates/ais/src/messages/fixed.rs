//! Message bodies with a fixed layout, declared once as bit tables.
//! Offsets in comments are the first bit of each field (ITU-R M.1371-5,
//! Annex 8; gpsd's AIVDM/AIVDO protocol decoding document).

use crate::field::*;
use crate::layout;
use crate::text::AisText;

layout! {
    /// Types 1, 2, 3: Class A position report.
    pub struct PositionReport {
        /// Navigational status (0 under way using engine ... 15 not defined).
        status: u8 = 4 => Unit::Raw,          // 38
        /// Rate of turn indicator as broadcast (-128 not available).
        turn: i8 = 8 => Unit::Raw,            // 42
        /// Speed over ground, 0.1 kn.
        speed: u16 = 10 => SOG,               // 50
        accuracy: bool = 1 => Unit::Flag,     // 60
        lon: i32 = 28 => LON,                 // 61
        lat: i32 = 27 => LAT,                 // 89
        /// Course over ground, 0.1°.
        course: u16 = 12 => COG,              // 116
        heading: u16 = 9 => HEADING,          // 128
        second: u8 = 6 => SECOND,             // 137
        maneuver: u8 = 2 => Unit::Raw,        // 143
        spare: u8 = 3 => Unit::Spare,         // 145
        raim: bool = 1 => Unit::Flag,         // 148
        radio: u32 = 19 => Unit::Raw,         // 149
    }
}

layout! {
    /// Types 4 and 11: base station report / UTC and date response.
    pub struct BaseStationReport {
        year: u16 = 14 => Unit::nonzero(1.0),   // 38
        month: u8 = 4 => Unit::nonzero(1.0),    // 52
        day: u8 = 5 => Unit::nonzero(1.0),      // 56
        hour: u8 = 5 => Unit::below(24),        // 61
        minute: u8 = 6 => Unit::below(60),      // 66
        second: u8 = 6 => Unit::below(60),      // 72
        accuracy: bool = 1 => Unit::Flag,       // 78
        lon: i32 = 28 => LON,                   // 79
        lat: i32 = 27 => LAT,                   // 107
        epfd: u8 = 4 => Unit::Raw,              // 134
        spare: u16 = 10 => Unit::Spare,         // 138
        raim: bool = 1 => Unit::Flag,           // 148
        radio: u32 = 19 => Unit::Raw,           // 149
    }
}

layout! {
    /// Type 5: static and voyage related data (Class A).
    pub struct StaticAndVoyage {
        ais_version: u8 = 2 => Unit::Raw,       // 38
        imo: u32 = 30 => Unit::nonzero(1.0),    // 40
        callsign: AisText<7> = 42 => Unit::Raw, // 70
        shipname: AisText<20> = 120 => Unit::Raw, // 112
        shiptype: u8 = 8 => Unit::nonzero(1.0), // 232
        to_bow: u16 = 9 => Unit::Raw,           // 240
        to_stern: u16 = 9 => Unit::Raw,         // 249
        to_port: u8 = 6 => Unit::Raw,           // 258
        to_starboard: u8 = 6 => Unit::Raw,      // 264
        epfd: u8 = 4 => Unit::Raw,              // 270
        /// ETA month (0 not available).
        month: u8 = 4 => Unit::nonzero(1.0),    // 274
        day: u8 = 5 => Unit::nonzero(1.0),      // 278
        hour: u8 = 5 => Unit::below(24),        // 283
        minute: u8 = 6 => Unit::below(60),      // 288
        /// Draught, 0.1 m.
        draught: u8 = 8 => DRAUGHT,             // 294
        destination: AisText<20> = 120 => Unit::Raw, // 302
        dte: bool = 1 => Unit::Flag,            // 422
        spare: u8 = 1 => Unit::Spare,           // 423
    }
}

layout! {
    /// Types 7 and 13: binary / safety acknowledge (1 to 4 acknowledged
    /// stations; absent ones read as 0).
    pub struct Acknowledge {
        spare: u8 = 2 => Unit::Spare,           // 38
        mmsi1: u32 = 30 => Unit::nonzero(1.0),  // 40
        seq1: u8 = 2 => Unit::Raw,              // 70
        mmsi2: u32 = 30 => Unit::nonzero(1.0),  // 72
        seq2: u8 = 2 => Unit::Raw,              // 102
        mmsi3: u32 = 30 => Unit::nonzero(1.0),  // 104
        seq3: u8 = 2 => Unit::Raw,              // 134
        mmsi4: u32 = 30 => Unit::nonzero(1.0),  // 136
        seq4: u8 = 2 => Unit::Raw,              // 166
    }
}

layout! {
    /// Type 9: standard SAR aircraft position report.
    pub struct SarAircraftReport {
        /// Altitude in metres (4095 not available, 4094 = 4094 m or higher).
        alt: u16 = 12 => Unit::below(4095),     // 38
        /// Speed over ground in whole knots (1023 not available).
        speed: u16 = 10 => Unit::below(1023),   // 50
        accuracy: bool = 1 => Unit::Flag,       // 60
        lon: i32 = 28 => LON,                   // 61
        lat: i32 = 27 => LAT,                   // 89
        course: u16 = 12 => COG,                // 116
        second: u8 = 6 => SECOND,               // 128
        regional: u8 = 8 => Unit::Raw,          // 134
        dte: bool = 1 => Unit::Flag,            // 142
        spare: u8 = 3 => Unit::Spare,           // 143
        assigned: bool = 1 => Unit::Flag,       // 146
        raim: bool = 1 => Unit::Flag,           // 147
        radio: u32 = 20 => Unit::Raw,           // 148
    }
}

layout! {
    /// Type 10: UTC and date inquiry.
    pub struct UtcInquiry {
        spare: u8 = 2 => Unit::Spare,           // 38
        dest_mmsi: u32 = 30 => Unit::Raw,       // 40
        spare2: u8 = 2 => Unit::Spare,          // 70
    }
}

layout! {
    /// Type 15: interrogation (one or two stations; absent parts read 0).
    pub struct Interrogation {
        spare: u8 = 2 => Unit::Spare,           // 38
        mmsi1: u32 = 30 => Unit::Raw,           // 40
        type1_1: u8 = 6 => Unit::Raw,           // 70
        offset1_1: u16 = 12 => Unit::Raw,       // 76
        spare2: u8 = 2 => Unit::Spare,          // 88
        type1_2: u8 = 6 => Unit::Raw,           // 90
        offset1_2: u16 = 12 => Unit::Raw,       // 96
        spare3: u8 = 2 => Unit::Spare,          // 108
        mmsi2: u32 = 30 => Unit::Raw,           // 110
        type2_1: u8 = 6 => Unit::Raw,           // 140
        offset2_1: u16 = 12 => Unit::Raw,       // 146
        spare4: u8 = 2 => Unit::Spare,          // 158
    }
}

layout! {
    /// Type 16: assignment mode command (one or two stations).
    pub struct AssignmentCommand {
        spare: u8 = 2 => Unit::Spare,           // 38
        mmsi1: u32 = 30 => Unit::Raw,           // 40
        offset1: u16 = 12 => Unit::Raw,         // 70
        increment1: u16 = 10 => Unit::Raw,      // 82
        mmsi2: u32 = 30 => Unit::Raw,           // 92
        offset2: u16 = 12 => Unit::Raw,         // 122
        increment2: u16 = 10 => Unit::Raw,      // 134
    }
}

layout! {
    /// Type 18: standard Class B CS position report.
    pub struct ClassBPosition {
        reserved: u8 = 8 => Unit::Raw,          // 38
        speed: u16 = 10 => SOG,                 // 46
        accuracy: bool = 1 => Unit::Flag,       // 56
        lon: i32 = 28 => LON,                   // 57
        lat: i32 = 27 => LAT,                   // 85
        course: u16 = 12 => COG,                // 112
        heading: u16 = 9 => HEADING,            // 124
        second: u8 = 6 => SECOND,               // 133
        regional: u8 = 2 => Unit::Raw,          // 139
        cs: bool = 1 => Unit::Flag,             // 141
        display: bool = 1 => Unit::Flag,        // 142
        dsc: bool = 1 => Unit::Flag,            // 143
        band: bool = 1 => Unit::Flag,           // 144
        msg22: bool = 1 => Unit::Flag,          // 145
        assigned: bool = 1 => Unit::Flag,       // 146
        raim: bool = 1 => Unit::Flag,           // 147
        radio: u32 = 20 => Unit::Raw,           // 148
    }
}

layout! {
    /// Type 19: extended Class B CS position report.
    pub struct ClassBExtended {
        reserved: u8 = 8 => Unit::Raw,          // 38
        speed: u16 = 10 => SOG,                 // 46
        accuracy: bool = 1 => Unit::Flag,       // 56
        lon: i32 = 28 => LON,                   // 57
        lat: i32 = 27 => LAT,                   // 85
        course: u16 = 12 => COG,                // 112
        heading: u16 = 9 => HEADING,            // 124
        second: u8 = 6 => SECOND,               // 133
        regional: u8 = 4 => Unit::Raw,          // 139
        shipname: AisText<20> = 120 => Unit::Raw, // 143
        shiptype: u8 = 8 => Unit::nonzero(1.0), // 263
        to_bow: u16 = 9 => Unit::Raw,           // 271
        to_stern: u16 = 9 => Unit::Raw,         // 280
        to_port: u8 = 6 => Unit::Raw,           // 289
        to_starboard: u8 = 6 => Unit::Raw,      // 295
        epfd: u8 = 4 => Unit::Raw,              // 301
        raim: bool = 1 => Unit::Flag,           // 305
        dte: bool = 1 => Unit::Flag,            // 306
        assigned: bool = 1 => Unit::Flag,       // 307
        spare: u8 = 4 => Unit::Spare,           // 308
    }
}

layout! {
    /// Type 20: data link management (one to four slot reservations; absent
    /// ones read 0).
    pub struct DataLinkManagement {
        spare: u8 = 2 => Unit::Spare,           // 38
        offset1: u16 = 12 => Unit::Raw,         // 40
        number1: u8 = 4 => Unit::Raw,
        timeout1: u8 = 3 => Unit::Raw,
        increment1: u16 = 11 => Unit::Raw,
        offset2: u16 = 12 => Unit::Raw,         // 70
        number2: u8 = 4 => Unit::Raw,
        timeout2: u8 = 3 => Unit::Raw,
        increment2: u16 = 11 => Unit::Raw,
        offset3: u16 = 12 => Unit::Raw,         // 100
        number3: u8 = 4 => Unit::Raw,
        timeout3: u8 = 3 => Unit::Raw,
        increment3: u16 = 11 => Unit::Raw,
        offset4: u16 = 12 => Unit::Raw,         // 130
        number4: u8 = 4 => Unit::Raw,
        timeout4: u8 = 3 => Unit::Raw,
        increment4: u16 = 11 => Unit::Raw,
    }
}

layout! {
    /// Type 21 fixed part: aid-to-navigation report (the name extension that
    /// may follow bit 272 is handled by the caller).
    pub struct AidToNavigationFixed {
        aid_type: u8 = 5 => Unit::Raw,          // 38
        name: AisText<20> = 120 => Unit::Raw,   // 43
        accuracy: bool = 1 => Unit::Flag,       // 163
        lon: i32 = 28 => LON,                   // 164
        lat: i32 = 27 => LAT,                   // 192
        to_bow: u16 = 9 => Unit::Raw,           // 219
        to_stern: u16 = 9 => Unit::Raw,         // 228
        to_port: u8 = 6 => Unit::Raw,           // 237
        to_starboard: u8 = 6 => Unit::Raw,      // 243
        epfd: u8 = 4 => Unit::Raw,              // 249
        second: u8 = 6 => SECOND,               // 253
        off_position: bool = 1 => Unit::Flag,   // 259
        regional: u8 = 8 => Unit::Raw,          // 260
        raim: bool = 1 => Unit::Flag,           // 268
        virtual_aid: bool = 1 => Unit::Flag,    // 269
        assigned: bool = 1 => Unit::Flag,       // 270
        spare: u8 = 1 => Unit::Spare,           // 271
    }
}

layout! {
    /// Type 22 common head: channel management.
    pub struct ChannelManagementHead {
        spare: u8 = 2 => Unit::Spare,           // 38
        channel_a: u16 = 12 => Unit::Raw,       // 40
        channel_b: u16 = 12 => Unit::Raw,       // 52
        txrx: u8 = 4 => Unit::Raw,              // 64
        power: bool = 1 => Unit::Flag,          // 68
    }
}

layout! {
    /// Type 22 broadcast form: the area the command applies to (1/10 min).
    pub struct ChannelArea {
        ne_lon: i32 = 18 => LON10,              // 69
        ne_lat: i32 = 17 => LAT10,              // 87
        sw_lon: i32 = 18 => LON10,              // 104
        sw_lat: i32 = 17 => LAT10,              // 122
    }
}

layout! {
    /// Type 22 addressed form: the two stations addressed.
    pub struct ChannelDestinations {
        dest1: u32 = 30 => Unit::Raw,           // 69
        spare: u8 = 5 => Unit::Spare,           // 99
        dest2: u32 = 30 => Unit::Raw,           // 104
        spare2: u8 = 5 => Unit::Spare,          // 134
    }
}

layout! {
    /// Type 22 tail.
    pub struct ChannelManagementTail {
        addressed: bool = 1 => Unit::Flag,      // 139
        band_a: bool = 1 => Unit::Flag,         // 140
        band_b: bool = 1 => Unit::Flag,         // 141
        zonesize: u8 = 3 => Unit::Raw,          // 142
        spare: u32 = 23 => Unit::Spare,         // 145
    }
}

layout! {
    /// Type 23: group assignment command.
    pub struct GroupAssignment {
        spare: u8 = 2 => Unit::Spare,           // 38
        ne_lon: i32 = 18 => LON10,              // 40
        ne_lat: i32 = 17 => LAT10,              // 58
        sw_lon: i32 = 18 => LON10,              // 75
        sw_lat: i32 = 17 => LAT10,              // 93
        stationtype: u8 = 4 => Unit::Raw,       // 110
        shiptype: u8 = 8 => Unit::Raw,          // 114
        spare2: u32 = 22 => Unit::Spare,        // 122
        txrx: u8 = 2 => Unit::Raw,              // 144
        interval: u8 = 4 => Unit::Raw,          // 146
        quiet: u8 = 4 => Unit::Raw,             // 150
        spare3: u8 = 6 => Unit::Spare,          // 154
    }
}

layout! {
    /// Type 24 part A: the name of a Class B vessel.
    pub struct StaticDataA {
        shipname: AisText<20> = 120 => Unit::Raw, // 40
        spare: u8 = 8 => Unit::Spare,           // 160
    }
}

layout! {
    /// Type 24 part B head (what follows depends on the MMSI).
    pub struct StaticDataBHead {
        shiptype: u8 = 8 => Unit::nonzero(1.0), // 40
        vendorid: AisText<3> = 18 => Unit::Raw, // 48
        model: u8 = 4 => Unit::Raw,             // 66
        serial: u32 = 20 => Unit::Raw,          // 70
        callsign: AisText<7> = 42 => Unit::Raw, // 90
    }
}

layout! {
    /// Type 24 part B dimensions (ordinary vessels).
    pub struct Dimensions {
        to_bow: u16 = 9 => Unit::Raw,           // 132
        to_stern: u16 = 9 => Unit::Raw,         // 141
        to_port: u8 = 6 => Unit::Raw,           // 150
        to_starboard: u8 = 6 => Unit::Raw,      // 156
    }
}

layout! {
    /// Type 24 part B tail.
    pub struct StaticDataBTail {
        epfd: u8 = 4 => Unit::Raw,              // 162
        spare: u8 = 2 => Unit::Spare,           // 166
    }
}

layout! {
    /// Type 27: long-range AIS broadcast (satellite), 1/10 min positions.
    pub struct LongRangePosition {
        accuracy: bool = 1 => Unit::Flag,       // 38
        raim: bool = 1 => Unit::Flag,           // 39
        status: u8 = 4 => Unit::Raw,            // 40
        lon: i32 = 18 => LON10,                 // 44
        lat: i32 = 17 => LAT10,                 // 62
        /// Knots (63 not available).
        speed: u8 = 6 => Unit::below(63),       // 79
        /// Degrees (511 not available).
        course: u16 = 9 => Unit::below(360),    // 85
        /// 0 = position latency under 5 s ("GNSS current"), 1 = older.
        gnss: bool = 1 => Unit::Flag,           // 94
        spare: u8 = 1 => Unit::Spare,           // 95
    }
}

// ---- IMO application messages carried in types 6 and 8 ----

layout! {
    /// DAC 1, FI 11 (IMO SN.1/Circ.236): meteorological and hydrographic
    /// data, raw codes as broadcast. Binary data starts at bit 56.
    pub struct MetHydro11 {
        lat: i32 = 24 => LAT1000,               // 56
        lon: i32 = 25 => LON1000,               // 80
        day: u8 = 5 => Unit::nonzero(1.0),      // 105
        hour: u8 = 5 => Unit::below(24),        // 110
        minute: u8 = 6 => Unit::below(60),      // 115
        wspeed: u8 = 7 => Unit::below(127),     // 121
        wgust: u8 = 7 => Unit::below(127),      // 128
        wdir: u16 = 9 => Unit::below(360),      // 135
        wgustdir: u16 = 9 => Unit::below(360),  // 144
        /// Air temperature, raw: (raw - 600) / 10 °C; 2047 not available.
        airtemp: u16 = 11 => Unit::below(2047), // 153
        humidity: u8 = 7 => Unit::below(101),   // 164
        dewpoint: u16 = 10 => Unit::below(1023), // 171
        /// Pressure, raw: raw + 800 hPa; 511 not available.
        pressure: u16 = 9 => Unit::below(511),  // 181
        pressuretend: u8 = 2 => Unit::below(3), // 190
        visibility: u8 = 8 => Unit::below(255), // 192
        waterlevel: u16 = 9 => Unit::below(511), // 200
        leveltrend: u8 = 2 => Unit::below(3),   // 209
        cspeed: u8 = 8 => Unit::below(255),     // 211
        cdir: u16 = 9 => Unit::below(360),      // 219
        cspeed2: u8 = 8 => Unit::below(255),    // 228
        cdir2: u16 = 9 => Unit::below(360),     // 236
        cdepth2: u8 = 5 => Unit::below(31),     // 245
        cspeed3: u8 = 8 => Unit::below(255),    // 250
        cdir3: u16 = 9 => Unit::below(360),     // 258
        cdepth3: u8 = 5 => Unit::below(31),     // 267
        waveheight: u8 = 8 => Unit::below(255), // 272
        waveperiod: u8 = 6 => Unit::below(63),  // 280
        wavedir: u16 = 9 => Unit::below(360),   // 286
        swellheight: u8 = 8 => Unit::below(255), // 295
        swellperiod: u8 = 6 => Unit::below(63), // 303
        swelldir: u16 = 9 => Unit::below(360),  // 309
        seastate: u8 = 4 => Unit::below(13),    // 318
        watertemp: u16 = 10 => Unit::below(1023), // 322
        preciptype: u8 = 3 => Unit::below(7),   // 332
        salinity: u16 = 9 => Unit::below(510),  // 335
        ice: u8 = 2 => Unit::below(3),          // 344
        spare: u8 = 6 => Unit::Spare,           // 346
    }
}

layout! {
    /// DAC 1, FI 31 (IMO SN.1/Circ.289): meteorological and hydrographic
    /// data, raw codes as broadcast.
    pub struct MetHydro31 {
        lon: i32 = 25 => LON1000,               // 56
        lat: i32 = 24 => LAT1000,               // 81
        accuracy: bool = 1 => Unit::Flag,       // 105
        day: u8 = 5 => Unit::nonzero(1.0),      // 106
        hour: u8 = 5 => Unit::below(24),        // 111
        minute: u8 = 6 => Unit::below(60),      // 116
        /// Wind speed, knots (127 not available).
        wspeed: u8 = 7 => Unit::below(127),     // 122
        wgust: u8 = 7 => Unit::below(127),      // 129
        wdir: u16 = 9 => Unit::below(360),      // 136
        wgustdir: u16 = 9 => Unit::below(360),  // 145
        /// Air temperature, 0.1 °C (-1024 not available).
        airtemp: i16 = 11 => Unit::Raw,         // 154
        humidity: u8 = 7 => Unit::below(101),   // 165
        dewpoint: i16 = 10 => Unit::Raw,        // 172
        /// Pressure, raw: raw + 799 hPa (511 not available).
        pressure: u16 = 9 => Unit::below(511),  // 182
        pressuretend: u8 = 2 => Unit::below(3), // 191
        visgreater: bool = 1 => Unit::Flag,     // 193
        /// Visibility, 0.1 nm (127 not available).
        visibility: u8 = 7 => Unit::below(127), // 194
        /// Water level, raw: (raw - 1000) / 100 m (4001 not available).
        waterlevel: u16 = 12 => Unit::below(4001), // 201
        leveltrend: u8 = 2 => Unit::below(3),   // 213
        cspeed: u8 = 8 => Unit::below(255),     // 215
        cdir: u16 = 9 => Unit::below(360),      // 223
        cspeed2: u8 = 8 => Unit::below(255),    // 232
        cdir2: u16 = 9 => Unit::below(360),     // 240
        cdepth2: u8 = 5 => Unit::below(31),     // 249
        cspeed3: u8 = 8 => Unit::below(255),    // 254
        cdir3: u16 = 9 => Unit::below(360),     // 262
        cdepth3: u8 = 5 => Unit::below(31),     // 271
        waveheight: u8 = 8 => Unit::below(255), // 276
        waveperiod: u8 = 6 => Unit::below(63),  // 284
        wavedir: u16 = 9 => Unit::below(360),   // 290
        swellheight: u8 = 8 => Unit::below(255), // 299
        swellperiod: u8 = 6 => Unit::below(63), // 307
        swelldir: u16 = 9 => Unit::below(360),  // 313
        seastate: u8 = 4 => Unit::below(13),    // 322
        /// Water temperature, 0.1 °C (501 not available).
        watertemp: i16 = 10 => Unit::Raw,       // 326
        preciptype: u8 = 3 => Unit::below(7),   // 336
        salinity: u16 = 9 => Unit::below(510),  // 339
        ice: u8 = 2 => Unit::below(3),          // 348
        spare: u16 = 10 => Unit::Spare,         // 350
    }
}

layout! {
    /// DAC 235/250, FI 10 (UK/Ireland GLA): aid-to-navigation monitoring.
    /// Binary data starts at bit 88 (addressed, type 6).
    pub struct AtonMonitoring {
        ana_int: u16 = 10 => Unit::Raw,         // 88
        ana_ext1: u16 = 10 => Unit::Raw,        // 98
        ana_ext2: u16 = 10 => Unit::Raw,        // 108
        racon: u8 = 2 => Unit::Raw,             // 118
        light: u8 = 2 => Unit::Raw,             // 120
        alarm: bool = 1 => Unit::Flag,          // 122
        stat_ext: u8 = 8 => Unit::Raw,          // 123
        off_pos: bool = 1 => Unit::Flag,        // 131
        spare: u8 = 4 => Unit::Spare,           // 132
    }
}

layout! {
    /// Type 6 head: addressed binary message.
    pub struct AddressedBinaryHead {
        seqno: u8 = 2 => Unit::Raw,             // 38
        dest_mmsi: u32 = 30 => Unit::Raw,       // 40
        retransmit: bool = 1 => Unit::Flag,     // 70
        spare: u8 = 1 => Unit::Spare,           // 71
        dac: u16 = 10 => Unit::Raw,             // 72
        fid: u8 = 6 => Unit::Raw,               // 82
    }
}

layout! {
    /// Type 8 head: binary broadcast message.
    pub struct BinaryBroadcastHead {
        spare: u8 = 2 => Unit::Spare,           // 38
        dac: u16 = 10 => Unit::Raw,             // 40
        fid: u8 = 6 => Unit::Raw,               // 50
    }
}

layout! {
    /// Type 12 head: addressed safety-related message.
    pub struct AddressedSafetyHead {
        seqno: u8 = 2 => Unit::Raw,             // 38
        dest_mmsi: u32 = 30 => Unit::Raw,       // 40
        retransmit: bool = 1 => Unit::Flag,     // 70
        spare: u8 = 1 => Unit::Spare,           // 71
    }
}

layout! {
    /// Type 17 head: DGNSS broadcast binary message (1/10 min position).
    pub struct DgnssHead {
        spare: u8 = 2 => Unit::Spare,           // 38
        lon: i32 = 18 => LON10,                 // 40
        lat: i32 = 17 => LAT10,                 // 58
        spare2: u8 = 5 => Unit::Spare,          // 75
    }
}
