//! CGCS2000 ellipsoid constants (standards §5.1).
//!
//! Every constant is the binary64 literal printed in the standard, never recomputed at run time:
//! recomputing may differ by one unit in the last place and break bit-identity with the reference
//! implementation that produced the worked vectors.

/// Semi-major axis a, metres.
pub const A: f64 = 6378137.0;
/// Flattening f = 1/298.257222101.
pub const F: f64 = 0.003352810681182319;
/// Inverse flattening 1/f.
pub const RF: f64 = 298.257222101;
/// Semi-minor axis b = a(1 − f), metres.
pub const B: f64 = 6356752.314140356;
/// First eccentricity squared e² = f(2 − f).
pub const E2: f64 = 0.006694380022900788;
/// Second eccentricity squared e′² = e²/(1 − e²).
pub const EP2: f64 = 0.006739496775478958;
/// Third flattening n = f/(2 − f).
pub const N: f64 = 0.0016792203946287448;
/// Rectifying radius R_A = a/(1 + n)·(1 + n²/4 + n⁴/64), metres.
pub const RA: f64 = 6367449.145771047;
/// 2b², the factor of the trapezoid series (§5.2), m².
pub const TWO_B2: f64 = 80816599966657.53;
/// Arc-seconds per radian, 648000/π.
pub const RHO_SEC: f64 = 206264.80624709636;
/// Radians per micro-arc-second, π/(648000·10⁶).
pub const R_UAS: f64 = 4.84813681109536e-12;
/// Micro-arc-seconds in one degree.
pub const UAS_PER_DEG: i64 = 3_600_000_000;
