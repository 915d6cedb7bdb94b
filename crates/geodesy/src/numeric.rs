//! Small numeric helpers of the area method: exact half-away rounding without libm, and sin/cos
//! of small angles by series.

/// libm `sin_cos`, out of line. The fallbacks below must not be inlined: LLVM treats the
/// `sin`/`cos`/`round` intrinsics as free of side effects and would evaluate an inlined
/// fallback on every call, then select, which costs more than the fast path saves.
#[cold]
#[inline(never)]
fn libm_sin_cos(x: f64) -> (f64, f64) {
    x.sin_cos()
}

/// libm `round`, out of line (see [`libm_sin_cos`]).
#[cold]
#[inline(never)]
fn libm_round(x: f64) -> f64 {
    x.round()
}

/// `x.round()` (half away from zero) without a libm call, bit for bit: adding and subtracting
/// 1.5·2⁵² rounds to the nearest integer (ties to even) exactly for |x| < 2⁵¹, the remainder is
/// exact, and an exact tie — rare, so the branch is predictable — goes away from zero.
#[inline]
pub fn round_half_away(x: f64) -> f64 {
    const M: f64 = 6_755_399_441_055_744.0;
    if x.is_nan() || x.abs() >= 1.0e15 {
        return libm_round(x);
    }
    let mut r = (x + M) - M;
    if (x - r).abs() == 0.5 {
        r = if x > 0.0 { x + 0.5 } else { x - 0.5 };
    }
    // round(x) has the sign of x, also when it is zero (−0.3 → −0.0).
    r.copysign(x)
}

/// [`round_half_away`] without branches, for |x| < 1e15 (the caller checks).
#[inline]
pub fn round_half_away_unchecked(x: f64) -> f64 {
    const M: f64 = 6_755_399_441_055_744.0;
    let r = (x + M) - M;
    let tie = (x - r).abs() == 0.5;
    let r = if tie { x + 0.5f64.copysign(x) } else { r };
    r.copysign(x)
}

/// sin and cos of a small angle (|d| < 0.01 rad) by their Taylor series, to within an ulp.
#[inline]
pub fn small_sin_cos(d: f64) -> (f64, f64) {
    if d.abs() >= 0.01 {
        return libm_sin_cos(d);
    }
    poly_sin_cos(d)
}

/// The series of [`small_sin_cos`] without the range check: valid for |d| < 0.01 only; the
/// caller checks.
#[inline]
pub fn poly_sin_cos(d: f64) -> (f64, f64) {
    // Horner form with reciprocal factorials (multiplications only). For |d| < 0.01 the
    // omitted terms d⁹/9! and d⁸/8! are below 3e-21 relative: far under an ulp.
    const S3: f64 = -1.0 / 6.0;
    const S5: f64 = 1.0 / 120.0;
    const S7: f64 = -1.0 / 5040.0;
    const C2: f64 = -0.5;
    const C4: f64 = 1.0 / 24.0;
    const C6: f64 = -1.0 / 720.0;
    let d2 = d * d;
    let s = d + d * d2 * (S3 + d2 * (S5 + d2 * S7));
    let c = 1.0 + d2 * (C2 + d2 * (C4 + d2 * C6));
    (s, c)
}

/// Nodes of [`LatSinCos`]: every 1/64 rad from 0 to 1.5 rad.
const NODES: usize = 97;

/// sin and cos of latitudes (0 ≤ x < 1.5 rad) without a libm call per value: a table of the
/// libm values at multiples of 1/64 rad, the small-angle series for the remainder
/// (|d| ≤ 1/128) and the addition formula; within two units in the last place of libm.
pub struct LatSinCos {
    table: [(f64, f64); NODES],
}

impl LatSinCos {
    /// The shared table.
    pub fn get() -> &'static LatSinCos {
        static T: std::sync::OnceLock<LatSinCos> = std::sync::OnceLock::new();
        T.get_or_init(|| {
            let mut table = [(0.0, 0.0); NODES];
            for (k, t) in table.iter_mut().enumerate() {
                *t = (k as f64 / 64.0).sin_cos();
            }
            LatSinCos { table }
        })
    }

    /// (sin x, cos x) without any branch, and whether x was in the table's range
    /// (0 ≤ x < 1.49); outside it the values are meaningless.
    #[inline]
    pub fn sin_cos_unchecked(&self, x: f64) -> ((f64, f64), bool) {
        let k = ((x * 64.0 + 0.5) as usize).min(NODES - 1);
        let (s0, c0) = self.table[k];
        let (sd, cd) = poly_sin_cos(x - k as f64 * (1.0 / 64.0));
        (
            (s0 * cd + c0 * sd, c0 * cd - s0 * sd),
            (0.0..1.49).contains(&x),
        )
    }

    /// (sin x, cos x).
    #[inline]
    pub fn sin_cos(&self, x: f64) -> (f64, f64) {
        if !(0.0..1.49).contains(&x) {
            return libm_sin_cos(x);
        }
        let k = (x * 64.0 + 0.5) as usize;
        let (s0, c0) = self.table[k.min(NODES - 1)];
        // Exact: k/64 is a binary fraction within a factor two of x (or x < 1/128).
        let (sd, cd) = small_sin_cos(x - k as f64 * (1.0 / 64.0));
        (s0 * cd + c0 * sd, c0 * cd - s0 * sd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn round_half_away_equals_f64_round(x in proptest::num::f64::ANY, k in -1_000_000_000_000i64..1_000_000_000_000) {
            proptest::prop_assert_eq!(round_half_away(x).to_bits(), x.round().to_bits());
            for h in [k as f64 + 0.5, k as f64 - 0.5, k as f64 + 0.49999999999999994, (k as f64 + 0.5).next_up(), (k as f64 + 0.5).next_down()] {
                proptest::prop_assert_eq!(round_half_away(h).to_bits(), h.round().to_bits(), "{}", h);
            }
        }
    }

    #[test]
    fn lat_sin_cos_within_two_ulp_of_libm() {
        let t = LatSinCos::get();
        let mut x = 0.0;
        while x < 1.6 {
            let (s, c) = t.sin_cos(x);
            let (s0, c0) = x.sin_cos();
            assert!(
                (s - s0).abs() <= 2.0 * f64::EPSILON * s0.abs().max(1e-300),
                "sin {x}"
            );
            assert!((c - c0).abs() <= 2.0 * f64::EPSILON * c0.abs(), "cos {x}");
            x += 1.37e-6;
        }
    }

    #[test]
    fn small_sin_cos_within_an_ulp() {
        let mut d = -0.01;
        while d < 0.01 {
            let (s, c) = small_sin_cos(d);
            assert!((s - d.sin()).abs() <= 2.0 * f64::EPSILON * d.abs(), "{d}");
            assert!((c - d.cos()).abs() <= 2.0 * f64::EPSILON, "{d}");
            d += 1.3e-5;
        }
    }
}
