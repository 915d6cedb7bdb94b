//! Gauss–Krüger inverse by the survey's series (standards §5.3).
//!
//! This is the inverse the national land-survey area programs use: a closed footpoint series in
//! the K0…K4 form and the classical y², y⁴ series for B and l. It is normative for the `sandiao`
//! area (its rounding to micro-arc-seconds is visible in the last cent) and must not be replaced
//! by the exact inverse there; everywhere else [`crate::tmerc`] is used.

use crate::ellipsoid::{A, E2, EP2};

/// K0 = 1/R_A.
pub const K0: f64 = 1.5704876114545048e-07;
/// K1 = 2c₂ + 4c₄ + 6c₆ + 8c₈.
pub const K1: f64 = 0.0050525018129754466;
/// K2 = 8c₄ + 32c₆ + 80c₈.
pub const K2: f64 = 2.984728549926876e-05;
/// K3 = 32c₆ + 192c₈.
pub const K3: f64 = 2.416009548368085e-07;
/// K4 = 128c₈.
pub const K4: f64 = 2.180607177367805e-09;

/// Footpoint latitude Bf (底点纬度), radians, for the northing `x` in metres.
#[inline]
pub fn footpoint_latitude(x: f64) -> f64 {
    let e = K0 * x;
    let (s, c) = e.sin_cos();
    let s2 = s * s;
    e + c * s * (K1 - s2 * (K2 - s2 * (K3 - s2 * K4)))
}

/// Meridian arc length X(B) from the equator, metres (§5.3; used for the self-check).
pub fn meridian_arc(b: f64) -> f64 {
    6367449.145771047 * b - 16038.508741585614 * (2.0 * b).sin()
        + 16.83261342839464 * (4.0 * b).sin()
        - 0.021984439256435048 * (6.0 * b).sin()
        + 3.114848145702588e-05 * (8.0 * b).sin()
}

/// Inverse by series: northing `x` and easting `y` from the central meridian (false easting and
/// zone prefix removed), metres → (B, l) in radians, l = L − L0.
///
/// ```
/// use onemap_geodesy::gk_series::inverse;
/// let (b, l) = inverse(4831000.0, 1000.0);
/// assert!((b.to_degrees() - 43.614588877139).abs() < 1e-11);
/// assert!((120.0 + l.to_degrees() - 120.012387956574).abs() < 1e-11);
/// ```
#[inline]
pub fn inverse(x: f64, y: f64) -> (f64, f64) {
    let bf = footpoint_latitude(x);
    let (sb, cb) = bf.sin_cos();
    let tf = bf.tan();
    let eta2 = (EP2 * cb) * cb;
    let wf = (1.0 - (E2 * sb) * sb).sqrt();
    let nf = A / wf;
    let mf = A * (1.0 - E2) / (wf * wf * wf);
    let y2 = y * y;
    let y4 = y2 * y2;
    let nf2 = nf * nf;
    let nf4 = nf2 * nf2;
    let tf2 = tf * tf;
    let tf4 = tf2 * tf2;
    let b = bf
        - (tf / ((2.0 * mf) * nf))
            * y2
            * (1.0 - (y2 / (12.0 * nf2)) * (5.0 + 3.0 * tf2 + eta2 - 9.0 * eta2 * tf2)
                + (y4 / (360.0 * nf4)) * (61.0 + 90.0 * tf2 + 45.0 * tf4));
    let l = (y / (nf * cb))
        * (1.0 - (y2 / (6.0 * nf2)) * (1.0 + 2.0 * tf2 + eta2)
            + (y4 / (120.0 * nf4))
                * (5.0 + 28.0 * tf2 + 24.0 * tf4 + 6.0 * eta2 + 8.0 * eta2 * tf2));
    (b, l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footpoints() {
        // standards §5.6 G: footpoint latitudes.
        for (x, bf) in [
            (4831000.0, 43.614589548321),
            (4833500.0, 43.637090798240),
            (4702640.0, 42.459165973209),
            (5052700.0, 45.609654519445),
        ] {
            assert!(
                (footpoint_latitude(x).to_degrees() - bf).abs() < 1e-11,
                "{x}"
            );
        }
    }

    #[test]
    fn footpoint_self_check() {
        // X(Bf) reproduces x to within a micrometre at Tongliao's latitudes (the standard quotes
        // −4.88e-7 m at x = 4 831 000 m).
        let d = meridian_arc(footpoint_latitude(4_831_000.0)) - 4_831_000.0;
        assert!((d + 4.88e-7).abs() < 0.05e-7, "{d}");
        let mut x = 4_600_000.0;
        while x < 5_100_000.0 {
            assert!(
                (meridian_arc(footpoint_latitude(x)) - x).abs() < 1e-6,
                "{x}"
            );
            x += 7_919.0;
        }
    }

    #[test]
    fn g_vectors() {
        // (L0, x, y, series B, series L, exact B, exact L), standards §5.6 G1–G4.
        let cases = [
            (
                120.0,
                4831000.0,
                1000.0,
                43.614588877139,
                120.012387956574,
                43.614588877144,
                120.012387956574,
            ),
            (
                123.0,
                4833500.0,
                -60000.0,
                43.634672792471,
                122.256476146351,
                43.634672792475,
                122.256476146351,
            ),
            (
                123.0,
                4702640.0,
                -119284.0,
                42.449993865922,
                121.550007907117,
                42.449993865915,
                121.550007907140,
            ),
            (
                120.0,
                5052700.0,
                116250.0,
                45.599936460538,
                121.490012001818,
                45.599936460535,
                121.490012001785,
            ),
        ];
        for (l0, x, y, sb, sl, eb, el) in cases {
            let (b, l) = inverse(x, y);
            let (b, l) = (b.to_degrees(), l0 + l.to_degrees());
            assert!(
                (b - sb).abs() < 1e-11 && (l - sl).abs() < 1e-11,
                "{x} {y}: {b} {l}"
            );
            assert!((b - eb).abs() < 2e-9 && (l - el).abs() < 2e-9, "{x} {y}");
        }
    }
}
