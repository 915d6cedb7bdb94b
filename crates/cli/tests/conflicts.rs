//! `onemap conflicts` on a small demo city: the demo's road plan, its totals against an
//! independent `onemap check` of the footprints it wrote, every output format, bad input.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{demo, json, onemap};
use std::collections::BTreeMap;

#[test]
fn the_demo_road_plan_totals_equal_the_reviews_of_its_footprints() {
    let dir = demo("2500", "2024", "3");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let roads = dir.path().join("source/special/roads.gpkg");
    let roads = roads.to_str().unwrap();
    let gpkg = dir.path().join("conflicts.gpkg");
    let gpkg = gpkg.to_str().unwrap();
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--width-field",
        "KD",
        "--store",
        store,
        "--format",
        "json",
        "--out",
        gpkg,
    ]);
    let v = json(&o);
    let r = &v["report"];
    let s = &r["summary"];
    assert_eq!(s["features"], 60);
    assert_eq!(r["plan_type"], "transport");
    assert_eq!(r["year"], 2024);
    let with = s["with_conflicts"].as_u64().unwrap();
    assert!(with > 0);
    assert_eq!(
        with + s["without_conflicts"].as_u64().unwrap() + s["outside_plan_area"].as_u64().unwrap(),
        60
    );
    // Listed: only features with a conflict or outside the city, each with the fields.
    let feats = r["features"].as_array().unwrap();
    assert_eq!(
        feats.len() as u64,
        with + s["outside_plan_area"].as_u64().unwrap()
    );
    for f in feats {
        for k in [
            "index",
            "id",
            "geometry_type",
            "length_m",
            "footprint_m2",
            "conflicts",
            "verdict",
            "reasons",
        ] {
            assert!(f.get(k).is_some(), "{k} in {f}");
        }
        assert_eq!(f["geometry_type"], "line");
        for c in f["conflicts"].as_array().unwrap() {
            for k in ["kind", "overlap_m2", "length_m", "verdict"] {
                assert!(c.get(k).is_some(), "{k} in {c}");
            }
        }
    }
    // The county groups add up to the plan.
    let counties = r["counties"].as_array().unwrap();
    assert_eq!(
        counties
            .iter()
            .map(|c| c["features"].as_u64().unwrap())
            .sum::<u64>(),
        60
    );

    // The footprints, reviewed one by one by `onemap check` as linear projects: their control
    // overlaps in conflict sum, per layer, to the plan's totals, to the cent.
    let c = json(&onemap(&[
        "check",
        gpkg,
        "--layer",
        "footprints",
        "--purpose",
        "linear",
        "--store",
        store,
        "--format",
        "json",
    ]));
    let parcels = c["parcels"].as_array().unwrap();
    assert_eq!(parcels.len(), 60);
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for p in parcels {
        for row in p["controls"].as_array().unwrap() {
            let v = row["verdict"].as_str().unwrap();
            if v != "pass" && v != "not_checked" {
                *sums
                    .entry(row["kind"].as_str().unwrap().to_string())
                    .or_default() += (row["overlap_m2"].as_f64().unwrap() * 100.0).round() as i64;
            }
        }
    }
    let totals: BTreeMap<String, i64> = s["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] != "gd")
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_string(),
                (l["overlap_m2"].as_f64().unwrap() * 100.0).round() as i64,
            )
        })
        .collect();
    assert!(!totals.is_empty());
    assert_eq!(sums, totals);
    // And feature by feature: the same overlap and the same verdict as the review.
    for f in feats {
        let p = &parcels[f["index"].as_u64().unwrap() as usize];
        assert_eq!(p["verdict"], f["verdict"]);
        assert_eq!(p["area_m2"], f["footprint_m2"]);
    }
    // The line lengths add up.
    let km = s["length_km"].as_f64().unwrap();
    assert!((50.0..500.0).contains(&km), "{km}");

    // The GeoPackage holds the pieces, the footprints and the detours for QGIS.
    let info = json(&onemap(&[
        "info",
        gpkg,
        "--layer",
        "conflicts",
        "--format",
        "json",
    ]));
    assert_eq!(info["crs"], "EPSG:4490", "{info}");
    assert!(info["features"].as_u64().unwrap() > 0);
    let info = json(&onemap(&[
        "info",
        gpkg,
        "--layer",
        "footprints",
        "--format",
        "json",
    ]));
    assert_eq!(info["features"], 60);

    // Table, HTML and DOCX.
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--store",
        store,
    ]);
    assert!(o.status.success());
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(
        t.contains("综合交通专项规划") && t.contains("by county"),
        "{t}"
    );
    let html = dir.path().join("r.html");
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--store",
        store,
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.contains("专项规划与国土空间总体规划符合性分析报告") && h.contains("<svg"));
    assert!(h.contains("冲突要素清单") && h.contains("分县"));
    let docx = dir.path().join("r.docx");
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--store",
        store,
        "--format",
        "docx",
        "--out",
        docx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
    // The report is in the audit trail.
    let a = json(&onemap(&[
        "audit", "log", "--store", store, "--format", "json",
    ]));
    assert!(a.to_string().contains("专项规划符合性分析报告"), "{a}");
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let roads = dir.path().join("roads.gpkg");
    let o = onemap(&[
        "demo",
        "--out",
        dir.path().to_str().unwrap(),
        "--roads-only",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::rename(dir.path().join("source/special/roads.gpkg"), &roads).unwrap();
    let roads = roads.to_str().unwrap();
    let store = dir.path().join("none.gpkg");
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "roads",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("--plan-type \"roads\"") && e.contains("transport"),
        "{e}"
    );
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--width-field",
        "WIDTH",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no field \"WIDTH\"") && e.contains("KD"), "{e}");
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--width",
        "-1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = onemap(&[
        "conflicts",
        roads,
        "--plan-type",
        "transport",
        "--format",
        "docx",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
