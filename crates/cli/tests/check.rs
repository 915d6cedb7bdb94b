//! `onemap check` as a reviewer runs it: on a small demo city, JSON, table, HTML and DOCX,
//! usage and input errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{demo, json, onemap};

fn project(dir: &tempfile::TempDir, needle: &str) -> String {
    std::fs::read_dir(dir.path().join("source/projects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(needle))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn check_in_every_format() {
    let dir = demo("2500", "2024", "3");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let pbf = project(&dir, "永久基本农田");
    let v = json(&onemap(&[
        "check", &pbf, "--store", store, "--format", "json",
    ]));
    assert_eq!(v["year"], 2024);
    let p = &v["parcels"][0];
    assert_eq!(p["index"], 0);
    assert_eq!(p["verdict"], "prohibited");
    assert_eq!(p["purpose"], "linear");
    let area = p["area_m2"].as_f64().unwrap();
    assert!((10_000.0..11_000.0).contains(&area), "{area}");
    let pbf_row = p["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "yjjbnt")
        .unwrap();
    assert_eq!(pbf_row["overlap_m2"].as_f64().unwrap(), area);
    assert_eq!(pbf_row["verdict"], "prohibited");
    assert!(p["udb"]["outside_m2"].as_f64().unwrap() > 0.0);
    let sum: f64 = p["landuse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["area_m2"].as_f64().unwrap())
        .sum();
    assert!((sum - area).abs() < 0.05);
    // --purpose overrides the TXT's 地块用途.
    let v = json(&onemap(&[
        "check",
        &pbf,
        "--store",
        store,
        "--format",
        "json",
        "--purpose",
        "rural",
    ]));
    assert_eq!(v["parcels"][0]["purpose"], "rural");
    // Table for people.
    let o = onemap(&["check", &pbf, "--store", store]);
    assert!(o.status.success());
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(
        t.contains("PROHIBITED") && t.contains("永久基本农田"),
        "{t}"
    );
    // Reports.
    let html = dir.path().join("r.html");
    let o = onemap(&[
        "check",
        &pbf,
        "--store",
        store,
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.contains("建设项目用地合规性审查报告") && h.contains("<svg"));
    let docx = dir.path().join("r.docx");
    let o = onemap(&[
        "check",
        &pbf,
        "--store",
        store,
        "--format",
        "docx",
        "--out",
        docx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(&std::fs::read(&docx).unwrap()[..2], b"PK");
    // Usage and input errors.
    let o = onemap(&["check", &pbf, "--store", store, "--purpose", "town"]);
    assert_eq!(o.status.code(), Some(2));
    let o = onemap(&["check", &pbf, "--store", store, "--format", "docx"]);
    assert_eq!(o.status.code(), Some(2));
    let o = onemap(&["check", &pbf, "--store", "/nonexistent/x.gpkg"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no store there"));
    let o = onemap(&["check", &pbf, "--store", store, "--year", "1999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1999"));
    let bad_plan = dir.path().join("plan.toml");
    std::fs::write(&bad_plan, "[plan]\nname = 1\n").unwrap();
    let o = onemap(&[
        "check",
        &pbf,
        "--store",
        store,
        "--plan",
        bad_plan.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("plan.toml: line 2"));
}
