//! A hand-built Snapshot with known areas, for tests of the review and its report: a small
//! block of survey patches and control polygons in CGCS2000 zone 41 (EPSG:4529), whose
//! expected areas are `sandiao` areas of plane rectangles computed directly (independently of
//! the clipping code).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::{LayerBuilder, Snapshot};
use geo_types::{Geometry, LineString, Polygon};
use onemap_formats::Value;
use onemap_geodesy::crs::Crs;
use onemap_geodesy::sandiao::{feature_area, to_cents};
use onemap_survey::Kind;

/// Origin easting.
pub const X0: f64 = 41_500_000.0;
/// Origin northing.
pub const Y0: f64 = 4_830_000.0;

/// The fixture's CRS.
pub fn gk() -> Crs {
    Crs::from_epsg(4529).unwrap()
}

/// A rectangle in plane metres relative to (X0, Y0).
pub fn rect(x: f64, y: f64, w: f64, h: f64) -> Vec<[f64; 2]> {
    vec![
        [X0 + x, Y0 + y],
        [X0 + x + w, Y0 + y],
        [X0 + x + w, Y0 + y + h],
        [X0 + x, Y0 + y + h],
    ]
}

/// A polygon from rings (outer first).
pub fn poly(rings: &[Vec<[f64; 2]>]) -> Polygon<f64> {
    let ls = |r: &Vec<[f64; 2]>| {
        let mut v: Vec<(f64, f64)> = r.iter().map(|p| (p[0], p[1])).collect();
        v.push(v[0]);
        LineString::from(v)
    };
    Polygon::new(ls(&rings[0]), rings[1..].iter().map(ls).collect())
}

/// A plane polygon in lon/lat.
pub fn lonlat(p: &Polygon<f64>) -> Polygon<f64> {
    let mut g = Geometry::Polygon(p.clone());
    onemap_formats::model::map_coords(&mut g, &|c| gk().to_lonlat(c));
    match g {
        Geometry::Polygon(p) => p,
        _ => unreachable!(),
    }
}

/// `sandiao` area of plane rings (outer first, then holes), cents.
pub fn gk_cents(rings: &[Vec<[f64; 2]>]) -> i64 {
    let frame = gk().area_frame().unwrap();
    to_cents(feature_area(
        frame,
        rings
            .iter()
            .enumerate()
            .map(|(i, r)| (r.iter().copied(), i > 0)),
    ))
}

/// A text value.
pub fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// Survey: four 200 m × 200 m patches in a 2 × 2 block at (0, 0)–(400, 400):
/// SW 0103 旱地 with KCXS 0.1, SE 0404 其他草地, NW 0702 农村宅基地 (CZCSXM 203), NE 0301.
/// Plan: 永久基本农田 = SW patch; 生态保护红线 = (600..800, 0..200); 城镇开发边界 =
/// (0..400, 200..400); 规划分区 zone 03 over the south half, 04 over the north half.
pub fn snapshot() -> Snapshot {
    let mut snap = Snapshot::new();
    let mut dltb = LayerBuilder::new(
        Kind::Dltb,
        Some(2025),
        &[
            ("BSM", false),
            ("DLBM", false),
            ("TBMJ", true),
            ("KCXS", true),
            ("KCMJ", true),
            ("CZCSXM", false),
        ],
    );
    for (i, (x, y, dlbm, kcxs, cz)) in [
        (0.0, 0.0, "0103", 0.1, ""),
        (200.0, 0.0, "0404", 0.0, ""),
        (0.0, 200.0, "0702", 0.0, "203"),
        (200.0, 200.0, "0301", 0.0, ""),
    ]
    .into_iter()
    .enumerate()
    {
        let r = rect(x, y, 200.0, 200.0);
        let tbmj = gk_cents(std::slice::from_ref(&r));
        let kcmj = (tbmj as f64 * kcxs).round() as i64;
        dltb.push(
            &[lonlat(&poly(&[r]))],
            &[
                Some(&text(&format!("B{i}"))),
                Some(&text(dlbm)),
                Some(&Value::Float(tbmj as f64 / 100.0)),
                Some(&Value::Float(kcxs)),
                Some(&Value::Float(kcmj as f64 / 100.0)),
                Some(&text(cz)),
            ],
        );
    }
    snap.insert(dltb.finish());
    let layer = |kind: Kind, name_field: &str, feats: &[(Vec<[f64; 2]>, &str)]| {
        let mut b = LayerBuilder::new(kind, Some(2024), &[("BSM", false), (name_field, false)]);
        for (i, (r, name)) in feats.iter().enumerate() {
            b.push(
                &[lonlat(&poly(std::slice::from_ref(r)))],
                &[Some(&text(&format!("F{i}"))), Some(&text(name))],
            );
        }
        b.finish()
    };
    snap.insert(layer(
        Kind::Yjjbnt,
        "ZLDWDM",
        &[(rect(0.0, 0.0, 200.0, 200.0), "")],
    ));
    snap.insert(layer(
        Kind::Stbhhx,
        "HXMC",
        &[(
            rect(600.0, 0.0, 200.0, 200.0),
            "西辽河流域水土保持生态保护红线",
        )],
    ));
    snap.insert(layer(
        Kind::Czkfbj,
        "BJMC",
        &[(rect(0.0, 200.0, 400.0, 200.0), "科尔沁区城镇开发边界")],
    ));
    let mut g = LayerBuilder::new(
        Kind::Ghfq,
        Some(2024),
        &[("GHFQDM", false), ("GHFQMC", false)],
    );
    for (r, c, n) in [
        (rect(-1000.0, -1000.0, 3000.0, 1200.0), "03", "农田保护区"),
        (rect(-1000.0, 200.0, 3000.0, 1000.0), "04", "城镇发展区"),
    ] {
        g.push(&[lonlat(&poly(&[r]))], &[Some(&text(c)), Some(&text(n))]);
    }
    snap.insert(g.finish());
    snap
}
