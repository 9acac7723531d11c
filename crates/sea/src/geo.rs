//! Great-circle geometry on a sphere of the mean Earth radius.

/// Mean Earth radius in nautical miles.
pub const EARTH_RADIUS_NM: f64 = 3440.065;
/// Metres in a nautical mile.
pub const METRES_PER_NM: f64 = 1852.0;

/// Haversine distance in nautical miles.
///
/// ```
/// let d = sea::geo::distance_nm(42.2333, 130.3, 42.75, 133.0833); // Najin -> Vostochny
/// assert!((d - 127.0).abs() < 3.0);
/// ```
pub fn distance_nm(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_NM * a.sqrt().min(1.0).asin()
}

/// Initial bearing from point 1 to point 2, degrees in [0, 360).
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

/// The point `dist_nm` from (lat, lon) on initial bearing `bearing`.
pub fn destination(lat: f64, lon: f64, bearing: f64, dist_nm: f64) -> (f64, f64) {
    let d = dist_nm / EARTH_RADIUS_NM;
    let (p1, l1, b) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    (p2.to_degrees(), ((l2.to_degrees() + 540.0) % 360.0) - 180.0)
}

/// Linear interpolation between two points (fine for the short legs the
/// simulator moves along).
pub fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_inverts_distance_and_bearing() {
        let (lat, lon) = destination(42.0, 131.0, 73.0, 55.0);
        assert!((distance_nm(42.0, 131.0, lat, lon) - 55.0).abs() < 1e-6);
        assert!((bearing_deg(42.0, 131.0, lat, lon) - 73.0).abs() < 1e-6);
    }
}
