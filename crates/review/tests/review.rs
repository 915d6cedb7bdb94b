//! Hand-built cases with known overlaps: a small Snapshot in CGCS2000 zone 41 whose expected
//! areas are `sandiao` areas of the expected pieces computed directly on the plane coordinates
//! (independently of the clipping code).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use geo_types::{Geometry, MultiPolygon};
use onemap_overlay::fixture::{gk, gk_cents, poly, rect, snapshot};
use onemap_overlay::Snapshot;
use onemap_review::{Parcel, ParcelReview, Purpose, Reviewer, Verdict};

fn review(snap: &Snapshot, rings: &[Vec<[f64; 2]>], purpose: Purpose) -> ParcelReview {
    review_parts(snap, &[rings.to_vec()], purpose)
}

fn review_parts(snap: &Snapshot, parts: &[Vec<Vec<[f64; 2]>>], purpose: Purpose) -> ParcelReview {
    let plan = onemap_plan::load(None).unwrap();
    let g = Geometry::MultiPolygon(MultiPolygon(parts.iter().map(|r| poly(r)).collect()));
    let parcel = Parcel::new(0, g, gk(), purpose).unwrap();
    Reviewer::new(snap, &plan, None).unwrap().review(&parcel)
}

fn control<'a>(r: &'a ParcelReview, kind: &str) -> &'a onemap_review::ControlRow {
    r.controls.iter().find(|c| c.kind == kind).unwrap()
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

#[test]
fn fully_inside_pbf() {
    let snap = snapshot();
    let p = rect(50.0, 50.0, 100.0, 80.0);
    let r = review(&snap, std::slice::from_ref(&p), Purpose::Linear);
    assert_eq!(cents(r.area_m2), gk_cents(std::slice::from_ref(&p)));
    let pbf = control(&r, "yjjbnt");
    assert_eq!(pbf.overlap_m2, r.area_m2, "whole parcel");
    assert_eq!(pbf.verdict, "prohibited");
    assert_eq!(r.verdict, Verdict::Prohibited);
    assert!(r.reasons[0].contains("永久基本农田") && r.reasons[0].contains("国务院"));
    // 田坎 split: net 0103 = fragment × 0.9, 1203 = fragment × 0.1 (to the cent).
    let net = r.landuse.iter().find(|l| l.dlbm == "0103").unwrap().area_m2;
    let kc = r.landuse.iter().find(|l| l.dlbm == "1203").unwrap().area_m2;
    assert_eq!(cents(net) + cents(kc), cents(r.area_m2));
    assert!(
        (kc - r.area_m2 * 0.1).abs() <= 0.011,
        "{kc} vs {}",
        r.area_m2 * 0.1
    );
}

#[test]
fn straddling_the_red_line() {
    let snap = snapshot();
    // 100 m inside the red line (x 600..700), 100 m outside (500..600).
    let p = rect(500.0, 50.0, 200.0, 100.0);
    let r = review(&snap, &[p], Purpose::Other);
    let inside = gk_cents(&[rect(600.0, 50.0, 100.0, 100.0)]);
    let got = cents(control(&r, "stbhhx").overlap_m2);
    assert!((got - inside).abs() <= 2, "{got} vs {inside}");
    assert_eq!(r.verdict, Verdict::Prohibited);
    assert_eq!(
        control(&r, "stbhhx").features,
        vec!["西辽河流域水土保持生态保护红线"]
    );
    // Outside the survey: the land-use table is empty and a note says so.
    assert!(r.landuse.is_empty());
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("不在 2025 年地类图斑范围内")));
}

#[test]
fn touching_an_edge_or_a_vertex_is_no_overlap() {
    let snap = snapshot();
    // Shares the red line's west edge x = 600.
    let edge = review(&snap, &[rect(500.0, 20.0, 100.0, 100.0)], Purpose::Other);
    assert_eq!(control(&edge, "stbhhx").overlap_m2, 0.0);
    assert_eq!(control(&edge, "stbhhx").verdict, "pass");
    // Shares only the red line's corner (600, 0).
    let corner = review(&snap, &[rect(500.0, -100.0, 100.0, 100.0)], Purpose::Other);
    assert_eq!(control(&corner, "stbhhx").overlap_m2, 0.0);
    assert_eq!(corner.verdict, Verdict::Pass);
}

#[test]
fn a_hole_over_the_control_polygon() {
    let snap = snapshot();
    // A ring around the red line: outer (550..850, -50..250), hole (590..810, -10..210).
    let p = vec![
        rect(550.0, -50.0, 300.0, 300.0),
        rect(590.0, -10.0, 220.0, 220.0),
    ];
    let r = review(&snap, &p, Purpose::Other);
    assert_eq!(control(&r, "stbhhx").overlap_m2, 0.0);
    assert_eq!(cents(r.area_m2), gk_cents(&p));
}

#[test]
fn a_multi_part_parcel() {
    let snap = snapshot();
    let a = rect(20.0, 20.0, 50.0, 50.0); // in PBF
    let b = rect(250.0, 20.0, 50.0, 50.0); // on 0404, outside PBF
    let r = review_parts(&snap, &[vec![a.clone()], vec![b.clone()]], Purpose::Rural);
    let got = cents(control(&r, "yjjbnt").overlap_m2);
    let want = gk_cents(std::slice::from_ref(&a));
    assert!((got - want).abs() <= 2, "{got} vs {want}");
    assert_eq!(cents(r.area_m2), gk_cents(&[a]) + gk_cents(&[b]));
}

#[test]
fn landuse_adds_up_with_adjustment_and_tiankan() {
    let snap = snapshot();
    // A square over the middle of the 2 × 2 block: a quarter of it on each patch.
    let p = rect(100.0, 100.0, 200.0, 200.0);
    let r = review(&snap, &[p], Purpose::Urban);
    let sum: i64 = r.landuse.iter().map(|l| cents(l.area_m2)).sum();
    assert!(
        (sum - cents(r.area_m2)).abs() <= 4,
        "{sum} vs {}",
        r.area_m2
    );
    let get = |d: &str| cents(r.landuse.iter().find(|l| l.dlbm == d).unwrap().area_m2);
    let quarter = gk_cents(&[rect(100.0, 100.0, 100.0, 100.0)]);
    assert!((get("0103") + get("1203") - quarter).abs() <= 2);
    assert!((get("1203") as f64 - quarter as f64 * 0.1).abs() <= 2.0);
    // Urban: half outside the development boundary → prohibited; zone 03 half → mismatch.
    assert_eq!(r.verdict, Verdict::Prohibited);
    let udb = r.udb.as_ref().unwrap();
    // The boundary's edge y = 200 is 400 m long: straight in the plane, a chord in lon/lat that
    // departs from the plane's line by up to L²/8R ≈ 3 mm, so the cut differs from the plane
    // figure by that sliver (≈ 0.45 m² along 200 m).
    let north = gk_cents(&[rect(100.0, 200.0, 200.0, 100.0)]);
    assert!(
        (cents(udb.inside_m2) - north).abs() <= 60,
        "{} vs {north}",
        udb.inside_m2
    );
    assert_eq!(control(&r, "ghfq").verdict, "attention");
    assert!(r.reasons.iter().any(|s| s.contains("占用耕地")));
}

#[test]
fn sliver_overlaps_are_ignored_and_said() {
    let snap = snapshot();
    // Overlaps the red line by 0.5 m × 1 m.
    let p = rect(500.0, 50.0, 100.5, 1.0);
    let r = review(&snap, &[p], Purpose::Other);
    let c = control(&r, "stbhhx");
    assert!(
        c.overlap_m2 > 0.0 && c.overlap_m2 <= 1.0,
        "{}",
        c.overlap_m2
    );
    assert_eq!(c.verdict, "pass");
    assert_eq!(r.verdict, Verdict::Pass);
    assert!(r.notes.iter().any(|n| n.contains("视为边界误差")));
}

#[test]
fn urban_inside_the_boundary_on_residential_land_passes() {
    let snap = snapshot();
    let r = review(&snap, &[rect(20.0, 220.0, 100.0, 100.0)], Purpose::Urban);
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.reasons);
    assert_eq!(r.landuse.len(), 1);
    assert_eq!(r.landuse[0].dlbm, "0702");
    assert!(control(&r, "lswh").verdict == "not_checked");
}
