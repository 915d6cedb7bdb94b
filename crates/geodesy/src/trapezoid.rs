//! The ellipsoidal trapezoid series (梯形面积, standards §5.2).
//!
//! The area between parallels B1 and B2 and two meridians ΔL apart is
//! `2b²ΔL·[A sin(ΔB/2)cos(Bm) − B sin(3ΔB/2)cos(3Bm) + C sin(5ΔB/2)cos(5Bm) − …]`.
//! It is evaluated in product form (no cancelling difference of two large values) with the
//! multiple-angle terms by recurrence, so one trapezoid costs two trigonometric calls.

use crate::ellipsoid::TWO_B2;

/// Series coefficient A (in the first eccentricity e²).
pub const CA: f64 = 1.003364089834193;
/// Series coefficient B.
pub const CB: f64 = 0.0011241893819271245;
/// Series coefficient C.
pub const CC: f64 = 1.6994594735189056e-06;
/// Series coefficient D.
pub const CD: f64 = 2.717857845577556e-09;
/// Series coefficient E.
pub const CE: f64 = 4.358419004834515e-12;

/// Signed area, m², of the ellipsoidal trapezoid with latitude difference `db`, mean latitude
/// `bm` and longitude difference `dl` (all radians). The sign is that of `dl·db`.
///
/// ```
/// use onemap_geodesy::trapezoid::trapezoid_area;
/// let d = std::f64::consts::PI / 180.0;
/// let s = trapezoid_area((43.6 - 43.5) * d, ((43.5 + 43.6) / 2.0) * d, 0.1 * d);
/// assert!((s - 89782591.43991676).abs() < 1e-4);
/// ```
#[inline]
pub fn trapezoid_area(db: f64, bm: f64, dl: f64) -> f64 {
    trapezoid_from((0.5 * db).sin(), bm.cos(), dl)
}

/// The trapezoid series from sin(ΔB/2), cos(Bm) and ΔL: the multiple-angle terms by the
/// recurrences of §5.2, no further trigonometric call.
#[inline]
pub fn trapezoid_from(s1: f64, c1: f64, dl: f64) -> f64 {
    // cos(2h) and cos(2Bm) from the double-angle identities.
    let c2h = 1.0 - 2.0 * s1 * s1;
    let c2b = 2.0 * c1 * c1 - 1.0;
    let k = 2.0 * c2h;
    let kb = 2.0 * c2b;
    // sin((2j+1)h) and cos((2j+1)Bm), j = 0..4, by the recurrences of §5.2.
    let s3 = k * s1 + s1; // sin(-h) = -sin h
    let s5 = k * s3 - s1;
    let s7 = k * s5 - s3;
    let s9 = k * s7 - s5;
    let c3 = kb * c1 - c1; // cos(-Bm) = cos Bm
    let c5 = kb * c3 - c1;
    let c7 = kb * c5 - c3;
    let c9 = kb * c7 - c5;
    TWO_B2 * dl * (CA * s1 * c1 - CB * s3 * c3 + CC * s5 * c5 - CD * s7 * c7 + CE * s9 * c9)
}

/// The same series with ten direct trigonometric calls, as printed in the standard; kept as the
/// reference the recurrence form is tested against.
pub fn trapezoid_area_direct(db: f64, bm: f64, dl: f64) -> f64 {
    let h = 0.5 * db;
    TWO_B2
        * dl
        * (CA * h.sin() * bm.cos() - CB * (3.0 * h).sin() * (3.0 * bm).cos()
            + CC * (5.0 * h).sin() * (5.0 * bm).cos()
            - CD * (7.0 * h).sin() * (7.0 * bm).cos()
            + CE * (9.0 * h).sin() * (9.0 * bm).cos())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: f64 = std::f64::consts::PI / 180.0;

    fn t(b1: f64, b2: f64, dl: f64) -> f64 {
        trapezoid_area((b2 - b1) * D, ((b1 + b2) / 2.0) * D, dl * D)
    }

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn t_vectors() {
        // standards §5.6 T1–T4, tolerance 1e-12 relative.
        assert!(rel(t(43.5, 43.6, 0.1), 89782591.43991676) < 1e-12);
        let m = 1.0 / 60.0;
        let s = 1.0 / 3600.0;
        assert!(rel(t(43.5, 43.5 + 2.5 * m, 3.75 * m), 23392037.405407924) < 1e-12);
        assert!(rel(t(43.6, 43.5, 0.1), -89782591.43991676) < 1e-12);
        assert!(rel(t(43.6, 43.6 + s, s), 692.1985603945812) < 1e-12);
    }

    #[test]
    fn recurrence_matches_direct_form() {
        for i in 0..170 {
            let b1 = 42.0 + 0.025 * i as f64;
            for w in [1e-6, 1e-4, 0.01, 0.5, 4.0] {
                let (db, bm, dl) = (w * D, (b1 + w / 2.0) * D, 0.3 * D);
                let a = trapezoid_area(db, bm, dl);
                let b = trapezoid_area_direct(db, bm, dl);
                assert!(rel(a, b) < 1e-14, "{b1} {w}: {a} vs {b}");
            }
        }
    }
}
