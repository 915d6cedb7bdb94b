//! Shared test data: the worked vectors of standards §5.6 and a small deterministic generator.

/// V1's vertices as rounded arc-seconds (B″, L″ of the vertex table) turned into degrees, in
/// GIS order `[L, B]`, closed.
pub fn v1_lonlat() -> [[f64; 2]; 5] {
    let sec = |s: f64| s / 3600.0;
    [
        [sec(432000.0), sec(156980.120484)],
        [sec(432044.589994), sec(156980.118069)],
        [sec(432044.596644), sec(157012.519958)],
        [sec(432000.0), sec(157012.522374)],
        [sec(432000.0), sec(156980.120484)],
    ]
}

/// A deterministic generator of uniform numbers in [0, 1) (LCG; tests only).
pub fn rng(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    }
}
