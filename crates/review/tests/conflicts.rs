//! Hand-built special-plan cases on the review fixture (CGCS2000 zone 41, plane metres about
//! (X0, Y0) on the central meridian, where the Gauss–Krüger scale is 1 to 1e-9, so plane
//! lengths are the hand values): a road across 永久基本农田, roads along its boundary, a
//! reservoir half in the red line, a power line with its towers, a road outside the city, a
//! detour around the red line.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use geo_types::{Geometry, LineString, MultiPoint, Point};
use onemap_overlay::fixture::{gk, gk_cents, lonlat, poly, rect, snapshot, text, X0, Y0};
use onemap_overlay::{LayerBuilder, Snapshot};
use onemap_review::conflicts::{
    analyse_one, read_special, report, ConflictOptions, FeatureConflicts, FeatureShape, PlanType,
    SpecialFeature, Width,
};
use onemap_review::{Purpose, Reviewer, Verdict};
use onemap_survey::Kind;

/// The fixture with a 行政区: one county over (-2000..3000, -2000..3000).
fn city() -> Snapshot {
    let mut snap = snapshot();
    let mut x = LayerBuilder::new(Kind::Xzq, Some(2020), &[("XZQDM", false), ("XZQMC", false)]);
    x.push(
        &[lonlat(&poly(&[rect(-2000.0, -2000.0, 5000.0, 5000.0)]))],
        &[Some(&text("150502")), Some(&text("科尔沁区"))],
    );
    snap.insert(x.finish());
    snap
}

fn line(pts: &[[f64; 2]]) -> Geometry<f64> {
    Geometry::LineString(LineString::from(
        pts.iter()
            .map(|p| (X0 + p[0], Y0 + p[1]))
            .collect::<Vec<_>>(),
    ))
}

fn run(
    snap: &Snapshot,
    g: Geometry<f64>,
    opts: &ConflictOptions,
    width: Option<f64>,
) -> (SpecialFeature, FeatureConflicts) {
    let plan = onemap_plan::load(None).unwrap();
    let f = SpecialFeature::new(0, g, gk(), width, opts).unwrap();
    let reviewer = Reviewer::new(snap, &plan, None)
        .unwrap()
        .also_measure(&[Kind::Xzq]);
    let (c, _) = analyse_one(&reviewer, &f, opts);
    (f, c)
}

fn kind<'a>(c: &'a FeatureConflicts, k: &str) -> Option<&'a onemap_review::conflicts::Conflict> {
    c.conflicts.iter().find(|x| x.kind == k)
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

#[test]
fn a_road_across_permanent_farmland() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Transport);
    // West to east at y = 100 through the 永久基本农田 square (0..200, 0..200), 10 m wide.
    let (f, c) = run(
        &snap,
        line(&[[-300.0, 100.0], [500.0, 100.0]]),
        &opts,
        Some(10.0),
    );
    assert_eq!(f.shape, FeatureShape::Line);
    assert_eq!(f.parcel.purpose, Purpose::Linear);
    assert!(
        (f.length_m.unwrap() - 800.0).abs() < 0.005,
        "{:?}",
        f.length_m
    );
    // Footprint: 800 × 10 m with flat ends.
    let fp = gk_cents(&[rect(-300.0, 95.0, 800.0, 10.0)]);
    assert!(
        (cents(c.footprint_m2) - fp).abs() <= 2,
        "{} vs {fp}",
        c.footprint_m2
    );
    let pbf = kind(&c, "yjjbnt").expect("a 永久基本农田 conflict");
    assert!(
        (pbf.length_m.unwrap() - 200.0).abs() < 0.005,
        "{:?}",
        pbf.length_m
    );
    let inside = gk_cents(&[rect(0.0, 95.0, 200.0, 10.0)]);
    assert!(
        (cents(pbf.overlap_m2) - inside).abs() <= 2,
        "{} vs {inside}",
        pbf.overlap_m2
    );
    assert_eq!(pbf.verdict, Verdict::Prohibited);
    assert_eq!(c.verdict, "prohibited");
    // The 耕地 it takes is the same square (0103 net of 田坎: 90 %).
    let gd = kind(&c, "gd").expect("耕地 occupied");
    assert!((gd.length_m.unwrap() - 200.0).abs() < 0.005);
    assert!(
        (cents(gd.overlap_m2) - (inside as f64 * 0.9).round() as i64).abs() <= 2,
        "{}",
        gd.overlap_m2
    );
    // Outside the development boundary (0..400, 200..400) for all its length: attention.
    let udb = kind(&c, "czkfbj").unwrap();
    assert_eq!(udb.verdict, Verdict::Attention);
    assert!((udb.length_m.unwrap() - 800.0).abs() < 0.005);
    assert_eq!(c.county.as_deref(), Some("150502"));
    assert_eq!(c.outside_plan_m2, 0.0);
    // A detour north: +100 m (y = 200) is the 永久基本农田 edge; the footprint is checked,
    // and y = 250 lies wholly out of it (nothing else hard there).
    let d = c.detour.as_ref().expect("a detour");
    assert!(d.avoids, "{d:?}");
    assert_eq!(d.offset_m, 150.0);
    assert_eq!(d.overlap_m2, 0.0);
    assert_eq!(cents(d.before_m2), cents(pbf.overlap_m2));
}

#[test]
fn roads_along_the_farmland_boundary_do_not_conflict() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Transport);
    // 10 m wide, centre 5.5 m south of the south edge y = 0: half a metre clear.
    let (_, c) = run(
        &snap,
        line(&[[0.0, -5.5], [200.0, -5.5]]),
        &opts,
        Some(10.0),
    );
    assert!(kind(&c, "yjjbnt").is_none(), "{:?}", c.conflicts);
    // Centre 5 m south: the footprint's edge is the boundary. Any overlap is a sliver within
    // the tolerance, not a conflict.
    let (_, c) = run(
        &snap,
        line(&[[0.0, -5.0], [200.0, -5.0]]),
        &opts,
        Some(10.0),
    );
    assert!(kind(&c, "yjjbnt").is_none(), "{:?}", c.conflicts);
    assert!(c.detour.is_none());
}

#[test]
fn a_reservoir_half_in_the_red_line() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Water);
    // 200 × 100 m, the east half in the red line (600..800, 0..200).
    let g = Geometry::Polygon(poly(&[rect(500.0, 50.0, 200.0, 100.0)]));
    let (f, c) = run(&snap, g, &opts, None);
    assert_eq!(f.shape, FeatureShape::Polygon);
    assert_eq!(f.parcel.purpose, Purpose::Other);
    assert_eq!(
        cents(c.footprint_m2),
        gk_cents(&[rect(500.0, 50.0, 200.0, 100.0)])
    );
    let red = kind(&c, "stbhhx").unwrap();
    let half = gk_cents(&[rect(600.0, 50.0, 100.0, 100.0)]);
    assert!(
        (cents(red.overlap_m2) - half).abs() <= 2,
        "{} vs {half}",
        red.overlap_m2
    );
    assert_eq!(red.length_m, None);
    // Not linear: the red line is a ban.
    assert_eq!(red.verdict, Verdict::Prohibited);
    assert!(c.detour.is_none());
}

#[test]
fn linear_infrastructure_in_the_red_line_is_restricted_not_banned() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Energy);
    // A power line north across the red line at x = 650, 40 m corridor by default.
    let (f, c) = run(&snap, line(&[[650.0, -300.0], [650.0, 500.0]]), &opts, None);
    assert_eq!(f.width_m, Some(40.0));
    let red = kind(&c, "stbhhx").unwrap();
    assert_eq!(red.verdict, Verdict::Restricted);
    assert!((red.length_m.unwrap() - 200.0).abs() < 0.005);
    assert!(c
        .reasons
        .iter()
        .any(|r| r.contains("自然资发〔2022〕142号")));
    // West is left of a northward line: +50 m puts the centre line on the red line's west
    // edge x = 600, its corridor half inside; +100 m (corridor x 530..570) is clear.
    let d = c.detour.as_ref().unwrap();
    assert!(d.avoids && d.offset_m == 100.0, "{d:?}");
    assert_eq!(d.overlap_m2, 0.0);
}

#[test]
fn a_power_line_with_point_towers() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Energy);
    // Towers (15 m squares by default) at x = -250 (clear), 100 (in 永久基本农田), 450.
    let towers = Geometry::MultiPoint(MultiPoint(
        [-250.0, 100.0, 450.0]
            .iter()
            .map(|x| Point::new(X0 + x, Y0 + 100.0))
            .collect(),
    ));
    let (f, c) = run(&snap, towers, &opts, None);
    assert_eq!(f.shape, FeatureShape::Point);
    assert_eq!(f.parcel.purpose, Purpose::Linear);
    assert_eq!(f.width_m, Some(15.0));
    let one = gk_cents(&[rect(92.5, 92.5, 15.0, 15.0)]);
    assert!(
        (cents(c.footprint_m2) - 3 * one).abs() <= 3,
        "{}",
        c.footprint_m2
    );
    let pbf = kind(&c, "yjjbnt").unwrap();
    assert!(
        (cents(pbf.overlap_m2) - one).abs() <= 2,
        "{} vs {one}",
        pbf.overlap_m2
    );
    assert_eq!(pbf.length_m, None);
    assert!(c.detour.is_none(), "points are not shifted");
    // The line between them, as its own feature: 800 m, 200 m in 永久基本农田.
    let (_, l) = run(
        &snap,
        line(&[[-250.0, 100.0], [450.0, 100.0], [550.0, 100.0]]),
        &opts,
        Some(2.0),
    );
    assert!((l.length_m.unwrap() - 800.0).abs() < 0.005);
    assert!((kind(&l, "yjjbnt").unwrap().length_m.unwrap() - 200.0).abs() < 0.005);
}

#[test]
fn a_road_outside_the_city_is_outside_the_plan_area() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Transport);
    let (_, c) = run(
        &snap,
        line(&[[10_000.0, 0.0], [11_000.0, 0.0]]),
        &opts,
        None,
    );
    assert_eq!(c.verdict, "outside_plan_area");
    assert!(c.conflicts.is_empty());
    assert_eq!(c.outside_plan_m2, c.footprint_m2);
    assert!(c.reasons[0].contains("规划范围"));
    let r = report(&opts, 2025, vec![c], Vec::new());
    assert_eq!(r.summary.outside_plan_area, 1);
    assert_eq!(r.counties[0].code.as_deref(), Some("市域外"));
    assert_eq!(r.features.len(), 1, "listed, with its reason");
}

#[test]
fn features_without_conflict_are_counted_not_listed() {
    let snap = city();
    let opts = ConflictOptions::new(PlanType::Transport);
    // Inside the development boundary (0..400, 200..400) on 0702/0301, clear of everything.
    let (_, clean) = run(
        &snap,
        line(&[[50.0, 300.0], [350.0, 300.0]]),
        &opts,
        Some(10.0),
    );
    assert!(clean.conflicts.is_empty(), "{:?}", clean.conflicts);
    let (_, bad) = run(
        &snap,
        line(&[[-300.0, 100.0], [500.0, 100.0]]),
        &opts,
        Some(10.0),
    );
    let r = report(&opts, 2025, vec![clean, bad.clone()], Vec::new());
    assert_eq!(
        (
            r.summary.features,
            r.summary.with_conflicts,
            r.summary.without_conflicts
        ),
        (2, 1, 1)
    );
    assert_eq!(r.features.len(), 1);
    // The plan totals are the features' sums.
    for l in &r.summary.layers {
        let c = kind(&bad, &l.kind).unwrap();
        assert_eq!(l.overlap_m2, c.overlap_m2);
        assert_eq!(l.length_km, c.length_m.unwrap_or(0.0) / 1000.0);
    }
}

#[test]
fn widths_come_from_the_field_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ll = |x: f64, y: f64| gk().to_lonlat([X0 + x, Y0 + y]);
    let (a, b, c) = (ll(-300.0, 100.0), ll(500.0, 100.0), ll(100.0, 100.0));
    let doc = |kd: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","properties":{{"BSM":"L1","KD":24.5}},"geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}}}},
{{"type":"Feature","properties":{{"BSM":"T1","KD":{kd}}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}]}}"#,
            a[0], a[1], b[0], b[1], c[0], c[1]
        )
    };
    let path = dir.path().join("plan.geojson");
    std::fs::write(&path, doc("12")).unwrap();
    let mut opts = ConflictOptions::new(PlanType::Energy);
    opts.width = Width::Field("kd".into());
    let fs = read_special(&path, &Default::default(), &opts).unwrap();
    assert_eq!(fs.len(), 2);
    assert_eq!((fs[0].width_m, fs[1].width_m), (Some(24.5), Some(12.0)));
    assert_eq!(fs[0].parcel.id.as_deref(), Some("L1"));
    assert_eq!(fs[1].shape, FeatureShape::Point);
    std::fs::write(&path, doc("null")).unwrap();
    let e = read_special(&path, &Default::default(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("plan.geojson") && e.contains("feature 1") && e.contains("KD"),
        "{e}"
    );
    std::fs::write(&path, doc("-3")).unwrap();
    let e = read_special(&path, &Default::default(), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("feature 1") && e.contains("not a width"), "{e}");
    opts.width = Width::Field("WIDTH".into());
    let e = read_special(&path, &Default::default(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no field \"WIDTH\"") && e.contains("BSM, KD"),
        "{e}"
    );
}
