//! Agreement with independent tools (PROJ via pyproj, GeographicLib), on reference values
//! computed once by `tests/data/make_reference.py` and stored beside it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_geodesy::crs::{Crs, GaussKruger};
use onemap_geodesy::sandiao::AreaFrame;
use onemap_geodesy::{geodesic, gk_series, sandiao, tmerc};
use proptest::prelude::*;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("missing {k}"))
}

#[test]
fn gauss_kruger_agrees_with_proj() {
    let data = load("proj_points.json");
    let pts = data["points"].as_array().expect("points");
    assert_eq!(pts.len(), 2000);
    let (mut fwd, mut inv, mut ser_b, mut ser_l) = (0f64, 0f64, 0f64, 0f64);
    for p in pts {
        let zone = p["zone"].as_i64().expect("zone");
        let crs = Crs::GaussKruger(GaussKruger::new(3, zone, true).expect("zone"));
        let (lon, lat, e, n) = (f(p, "lon"), f(p, "lat"), f(p, "easting"), f(p, "northing"));
        // Exact forward: within 1 mm (asserted), in practice micrometres.
        let q = crs.from_lonlat([lon, lat]);
        fwd = fwd.max((q[0] - e).abs()).max((q[1] - n).abs());
        // Exact inverse: within 1e-10°.
        let ll = crs.to_lonlat([e, n]);
        inv = inv.max((ll[0] - lon).abs()).max((ll[1] - lat).abs());
        // Series inverse of §5.3: within 2e-9° (it is the survey's, not an exact, inverse).
        let y = e - (zone as f64 * 1e6 + 500_000.0);
        let (b, l) = gk_series::inverse(n, y);
        ser_b = ser_b.max((b.to_degrees() - lat).abs());
        ser_l = ser_l.max((3.0 * zone as f64 + l.to_degrees() - lon).abs());
    }
    assert!(fwd < 1e-3, "forward max error {fwd} m");
    assert!(
        fwd < 1e-5,
        "forward max error {fwd} m (expected micrometres)"
    );
    assert!(inv < 1e-10, "exact inverse max error {inv}°");
    assert!(
        ser_b < 2e-9 && ser_l < 2e-9,
        "series inverse max error B {ser_b}° L {ser_l}°"
    );
}

#[test]
fn geodesic_agrees_with_geographiclib() {
    let data = load("geodesic_polygons.json");
    let polys = data["polygons"].as_array().expect("polygons");
    let (mut max_rel, mut max_abs) = (0f64, 0f64);
    for (i, p) in polys.iter().enumerate() {
        let ring: Vec<[f64; 2]> = p["ring"]
            .as_array()
            .expect("ring")
            .iter()
            .map(|c| [c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat")])
            .collect();
        let want = f(p, "area_m2");
        let got = geodesic::ring_area(AreaFrame::LonLat, ring.iter().copied());
        // The issue asks for 1e-6 relative; GeographicLib's per-edge areas are measured from the
        // equator (~1e13 m²), so two correct implementations differ by float noise of ~1e-4 m²
        // on any polygon, which is 1e-9 relative only above about 10 ha.
        max_rel = max_rel.max(((got - want) / want).abs());
        max_abs = max_abs.max((got - want).abs());
        assert!(
            ((got - want) / want).abs() < 1e-6,
            "polygon {i}: {got} vs {want}"
        );
        assert!(
            (got - want).abs() < 1e-3 || ((got - want) / want).abs() < 1e-9,
            "polygon {i}"
        );
        // And sandiao agrees with it to about 1e-6 relative at these sizes (standards §5.4).
        let s = sandiao::feature_area(AreaFrame::LonLat, [(ring.iter().copied(), false)]);
        // The edge curves differ by an amount that grows with edge length²; for survey-sized
        // edges (under 1 km) the two methods agree to a few 1e-6 (standards §5.4: a geodesic
        // bows ~2 cm poleward on a 1 km edge at 45°N).
        let longest = ring
            .iter()
            .zip(ring.iter().cycle().skip(1))
            .map(|(a, b)| {
                let dx = (a[0] - b[0]) * 111_320.0 * a[1].to_radians().cos();
                dx.hypot((a[1] - b[1]) * 111_130.0)
            })
            .fold(0.0, f64::max);
        if longest < 1000.0 {
            assert!(
                ((s - want) / want).abs() < 1e-5,
                "polygon {i}: sandiao {s} vs {want}"
            );
        }
    }
    eprintln!("geodesic vs GeographicLib: max relative {max_rel:e}, max absolute {max_abs:e} m²");
}

#[test]
fn round_trip_below_a_millimetre_in_zones_39_to_42() {
    for zone in 39..=42 {
        let crs = Crs::GaussKruger(GaussKruger::new(3, zone, true).expect("zone"));
        let cm = 3.0 * zone as f64;
        let mut lat = 41.0;
        while lat <= 47.0 {
            let mut lon = cm - 1.5;
            while lon <= cm + 1.5 {
                let p = crs.from_lonlat([lon, lat]);
                let back = crs.from_lonlat(crs.to_lonlat(p));
                assert!((p[0] - back[0]).abs() < 1e-6 && (p[1] - back[1]).abs() < 1e-6);
                lon += 0.11;
            }
            lat += 0.13;
        }
    }
    let _ = tmerc::forward(0.0, 0.0);
}

fn star(cx: f64, cy: f64, radii: &[f64]) -> Vec<[f64; 2]> {
    let k = radii.len();
    (0..k)
        .map(|j| {
            let a = std::f64::consts::TAU * j as f64 / k as f64;
            // Whole millimetres, as survey coordinates are written.
            [
                ((cx + radii[j] * a.cos()) * 1000.0).round() / 1000.0,
                ((cy + radii[j] * a.sin()) * 1000.0).round() / 1000.0,
            ]
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The rounded area does not depend on the ring's start vertex or orientation (standards
    /// §5.4: unrounded differences are ~1e-7 m², so a change would need a value within that of
    /// a half-cent tie).
    #[test]
    fn area_independent_of_start_and_orientation(
        cx in 40_380_000.0f64..40_620_000.0,
        cy in 4_690_000.0f64..5_060_000.0,
        radii in prop::collection::vec(20.0f64..900.0, 3..40),
        start in 0usize..40,
    ) {
        let frame = AreaFrame::GaussKruger { cm_deg: 120, false_easting: 40_500_000.0 };
        let ring = star(cx, cy, &radii);
        let base = sandiao::feature_area(frame, [(ring.iter().copied(), false)]);
        let mut rot = ring.clone();
        rot.rotate_left(start % ring.len());
        let r1 = sandiao::feature_area(frame, [(rot.iter().copied(), false)]);
        let mut rev = ring.clone();
        rev.reverse();
        let r2 = sandiao::feature_area(frame, [(rev.iter().copied(), false)]);
        prop_assert!((base - r1).abs() < 1e-6 && (base - r2).abs() < 1e-6);
        let c = sandiao::to_cents(base);
        // Away from a tie the rounded value is identical.
        if ((base * 100.0).fract().abs() - 0.5).abs() > 1e-4 {
            prop_assert_eq!(c, sandiao::to_cents(r1));
            prop_assert_eq!(c, sandiao::to_cents(r2));
        }
    }
}
