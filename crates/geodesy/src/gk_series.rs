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

/// 1/a.
const INV_A: f64 = 1.0 / A;
/// 1/a².
const INV_A2: f64 = 1.0 / (A * A);
/// 1/(2a²(1 − e²)).
const INV_2A2_1ME2: f64 = 1.0 / (2.0 * A * A * (1.0 - E2));

/// The §5.3 inverse in a faster arrangement, for the area method: one division instead of
/// nine (1/N = W/a, 1/M = W³/(a(1 − e²))), sin and cos of Bf from those of E by the addition
/// formula (Bf − E < 0.003 rad), t_f = sin Bf · (1/cos Bf), and sin E, cos E from
/// [`crate::numeric::LatSinCos`] (no libm call). The algebra is that of §5.3; the
/// evaluation differs from [`inverse_with_footpoint`] by a few units in the last place (at most
/// one ulp of B, 3e-5 µas; 6e-6 µas in l; tested on a million points), where the standard counts
/// 1e-4 µas as the
/// floating-point noise between correct implementations.
#[inline]
pub fn inverse_fast(x: f64, y: f64) -> Inverse {
    let (s, c) = crate::numeric::LatSinCos::get().sin_cos(K0 * x);
    inverse_fast_from(x, y, s, c)
}

/// [`inverse_fast`] given sin E and cos E (E = K0·x), so that the one trigonometric call per
/// vertex can be made stage by stage over many vertices.
#[inline]
pub fn inverse_fast_from(x: f64, y: f64, s: f64, c: f64) -> Inverse {
    let e = K0 * x;
    let s2 = s * s;
    // |Bf − E| ≤ K1/2 < 0.003 for every x: the series needs no range check.
    let d = c * s * (K1 - s2 * (K2 - s2 * (K3 - s2 * K4)));
    let bf = e + d;
    let (sd, cd) = crate::numeric::poly_sin_cos(d);
    let sb = s * cd + c * sd;
    let cb = c * cd - s * sd;
    let inv_cb = 1.0 / cb;
    let tf = sb * inv_cb;
    let eta2 = (EP2 * cb) * cb;
    let w2 = 1.0 - (E2 * sb) * sb;
    let wf = w2.sqrt();
    let y2 = y * y;
    let q = y2 * w2 * INV_A2; // y²/N²
    let q2 = q * q;
    let tf2 = tf * tf;
    let tf4 = tf2 * tf2;
    let b = bf
        - (tf * (w2 * w2) * INV_2A2_1ME2)
            * y2
            * (1.0 - q * (1.0 / 12.0) * (5.0 + 3.0 * tf2 + eta2 - 9.0 * eta2 * tf2)
                + q2 * (1.0 / 360.0) * (61.0 + 90.0 * tf2 + 45.0 * tf4));
    let l = (y * wf * INV_A * inv_cb)
        * (1.0 - q * (1.0 / 6.0) * (1.0 + 2.0 * tf2 + eta2)
            + q2 * (1.0 / 120.0) * (5.0 + 28.0 * tf2 + 24.0 * tf4 + 6.0 * eta2 + 8.0 * eta2 * tf2));
    Inverse {
        b,
        l,
        bf,
        sin_bf: sb,
        cos_bf: cb,
    }
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
    let i = inverse_with_footpoint(x, y);
    (i.b, i.l)
}

/// The inverse with the footpoint latitude and its sine and cosine, which the area method
/// reuses.
#[derive(Clone, Copy, Debug)]
pub struct Inverse {
    /// Latitude B, radians.
    pub b: f64,
    /// Longitude from the central meridian l, radians.
    pub l: f64,
    /// Footpoint latitude Bf, radians.
    pub bf: f64,
    /// sin Bf.
    pub sin_bf: f64,
    /// cos Bf.
    pub cos_bf: f64,
}

/// [`inverse`] with its footpoint quantities, evaluated exactly as §5.3 writes it (t_f is one
/// call of `tan`), so that the rounding to micro-arc-seconds is bit-identical with the
/// reference.
#[inline]
pub fn inverse_with_footpoint(x: f64, y: f64) -> Inverse {
    let bf = footpoint_latitude(x);
    let (sb, cb) = bf.sin_cos();
    inverse_from_footpoint(y, bf, sb, cb, bf.tan())
}

/// Steps 2–3 of §5.3 from the footpoint latitude `bf`, its sine, cosine and tangent (one call
/// of `tan`), for the easting `y` from the central meridian. Split out so that the area method
/// can evaluate the trigonometric calls of many vertices stage by stage.
#[inline]
pub fn inverse_from_footpoint(y: f64, bf: f64, sb: f64, cb: f64, tf: f64) -> Inverse {
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
    Inverse {
        b,
        l,
        bf,
        sin_bf: sb,
        cos_bf: cb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_inverse_within_the_noise_of_the_literal_one() {
        // A million points over zones 40/41 and 42°–46°N, up to 160 km from the CM.
        let (mut db, mut dl, mut flips) = (0f64, 0f64, 0u32);
        let mut rnd = crate::testdata::rng(42);
        let uas = |r: f64| r * crate::ellipsoid::RHO_SEC * 1e6;
        for _ in 0..1_000_000 {
            let x = 4_650_000.0 + 450_000.0 * rnd();
            let y = -160_000.0 + 320_000.0 * rnd();
            let a = inverse_with_footpoint(x, y);
            let b = inverse_fast(x, y);
            db = db.max((uas(a.b) - uas(b.b)).abs());
            dl = dl.max((uas(a.l) - uas(b.l)).abs());
            flips += u32::from(
                uas(a.b).round() != uas(b.b).round() || uas(a.l).round() != uas(b.l).round(),
            );
        }
        assert!(
            db <= 3.1e-5 && dl < 1e-5,
            "max deviation B {db:e} µas, l {dl:e} µas"
        );
        // A flip needs a value within ~1e-5 µas of a half: expected ~ 2e-5 per coordinate.
        assert!(
            flips <= 100,
            "{flips} of 1 000 000 vertices round differently"
        );
        eprintln!(
            "fast inverse: max |ΔB| {db:e} µas, |Δl| {dl:e} µas, {flips} rounding flips in 1e6"
        );
    }

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
