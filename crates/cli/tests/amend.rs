//! `onemap amend` and `onemap plan diff` on a demo store: an amendment that takes permanent
//! farmland below its target is refused with the figure; one that makes the red line overlap
//! the development boundary is refused; a valid one becomes version 2, whose diff shows
//! exactly the changed features and areas, and `--as-of` reads the two versions.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{demo, json, onemap};
use serde_json::{json, Value};

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON on stdout, whatever the exit status.
fn out(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", err(o)))
}

fn export(dir: &std::path::Path, store: &str, kind: &str, day: &str) -> Value {
    let out = dir.join(format!("{kind}-{day}.geojson"));
    let o = onemap(&[
        "export",
        kind,
        out.to_str().unwrap(),
        "--as-of",
        day,
        "--store",
        store,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

fn changeset(dir: &std::path::Path, name: &str, feats: Vec<Value>) -> String {
    let p = dir.join(name);
    std::fs::write(
        &p,
        json!({"type": "FeatureCollection", "features": feats}).to_string(),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn amendments_are_checked_approved_and_diffed() {
    let dir = demo("1500", "2024,2025", "7");
    let d = dir.path();
    let store = d.join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let farmland = export(d, store, "yjjbnt", "2025-01-01");
    let feats = farmland["features"].as_array().unwrap();
    let bsm = |f: &Value| f["properties"]["BSM"].as_str().unwrap().to_string();
    let mj = |f: &Value| f["properties"]["MJ"].as_f64().unwrap();

    // Farmland below its target: refused, with the figure.
    let most: Vec<Value> = feats[..feats.len() / 2]
        .iter()
        .map(|f| json!({"type": "Feature", "properties": {"op": "remove", "layer": "yjjbnt", "id": bsm(f)}, "geometry": null}))
        .collect();
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(d, "below.geojson", most),
        "--store",
        store,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = out(&o);
    assert_eq!(v["status"], "refused");
    let bt = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "binding_targets")
        .unwrap();
    assert_eq!(bt["passed"], false);
    let said = bt["details"].to_string();
    assert!(
        said.contains("永久基本农田保护面积") && said.contains("2597.1440"),
        "{said}"
    );

    // The red line over the development boundary: refused, naming the features.
    let udb = export(d, store, "czkfbj", "2025-01-01");
    let g = udb["features"][0]["geometry"].clone();
    let kf = udb["features"][0]["properties"]["BSM"]
        .as_str()
        .unwrap()
        .to_string();
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(
            d,
            "overlap.geojson",
            vec![
                json!({"type": "Feature", "properties": {"op": "add", "layer": "stbhhx", "id": "HX-NEW"}, "geometry": g}),
            ],
        ),
        "--store",
        store,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = out(&o);
    let cl = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "control_lines")
        .unwrap();
    assert_eq!(cl["passed"], false);
    assert!(cl["details"].to_string().contains(&kf), "{}", cl["details"]);

    // Outside the region, an unknown id, a bad op: refused or rejected at reading.
    let far = json!({"type": "Polygon", "coordinates": [[[100.0, 30.0], [100.01, 30.0], [100.01, 30.01], [100.0, 30.0]]]});
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(
            d,
            "far.geojson",
            vec![
                json!({"type": "Feature", "properties": {"op": "add", "layer": "yjjbnt"}, "geometry": far}),
            ],
        ),
        "--store",
        store,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o)["checks"].to_string().contains("行政区域之外"));
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(
            d,
            "unknown.geojson",
            vec![
                json!({"type": "Feature", "properties": {"op": "remove", "layer": "yjjbnt", "id": "NOPE"}, "geometry": null}),
            ],
        ),
        "--store",
        store,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("NOPE"), "{}", err(&o));
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(
            d,
            "badop.geojson",
            vec![
                json!({"type": "Feature", "properties": {"op": "move", "layer": "yjjbnt", "id": "x"}, "geometry": null}),
            ],
        ),
        "--store",
        store,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("feature 1, field op"), "{}", err(&o));

    // A valid amendment: remove the smallest farmland feature, and give the second smallest
    // another 坐落单位 (same geometry).
    let mut by_size: Vec<&Value> = feats.iter().collect();
    by_size.sort_by(|a, b| mj(a).total_cmp(&mj(b)));
    let (gone, renamed) = (by_size[0], by_size[1]);
    let ok = vec![
        json!({"type": "Feature", "properties": {"op": "remove", "layer": "yjjbnt", "id": bsm(gone)}, "geometry": null}),
        json!({"type": "Feature", "properties": {"op": "replace", "layer": "yjjbnt", "id": bsm(renamed), "ZLDWDM": "1505021999990000000"}, "geometry": renamed["geometry"].clone()}),
    ];
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(d, "ok.geojson", ok),
        "--store",
        store,
        "--format",
        "json",
    ]);
    let v = out(&o);
    let id = v["id"].as_str().unwrap().to_string();
    if v["status"] != "proposed" {
        panic!("{v}");
    }
    let o = onemap(&[
        "amend",
        "approve",
        &id,
        "--approval",
        "内政字〔2026〕12号",
        "--date",
        "2026-09-01",
        "--authority",
        "内蒙古自治区人民政府",
        "--store",
        store,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let o = onemap(&[
        "amend",
        "approve",
        &id,
        "--approval",
        "x",
        "--date",
        "2026-09-02",
        "--authority",
        "y",
        "--store",
        store,
    ]);
    assert_eq!(o.status.code(), Some(1), "approved twice");
    let list = json(&onemap(&[
        "amend", "list", "--store", store, "--format", "json",
    ]));
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.last(), Some(&"approved"));
    assert!(statuses.iter().filter(|s| **s == "refused").count() >= 3);

    // The diff: exactly one removed and one changed farmland feature; the area lost is the
    // removed feature and the cut half; nothing is gained.
    let v = json(&onemap(&[
        "plan", "diff", "1", "2", "--store", store, "--format", "json",
    ]));
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "{v}");
    let l = &layers[0];
    assert_eq!(l["kind"], "yjjbnt");
    assert_eq!(l["removed"], json!([bsm(gone)]));
    assert_eq!(l["changed"], json!([bsm(renamed)]));
    assert_eq!(l["added"], json!([]));
    assert_eq!(l["gained_m2"], 0.0);
    let lost = l["lost_m2"].as_f64().unwrap();
    assert!((lost - mj(gone)).abs() < 0.05, "{lost} vs MJ {}", mj(gone));
    let by_county: f64 = l["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["lost_m2"].as_f64().unwrap())
        .sum();
    assert!((by_county - lost).abs() < 0.05, "{by_county} vs {lost}");

    // --as-of: before and after the approval date.
    assert_eq!(
        export(d, store, "yjjbnt", "2026-08-31")["features"]
            .as_array()
            .unwrap()
            .len(),
        feats.len()
    );
    assert_eq!(
        export(d, store, "yjjbnt", "2026-09-01")["features"]
            .as_array()
            .unwrap()
            .len(),
        feats.len() - 1
    );

    // Rejection, and the trail.
    let o = onemap(&[
        "amend",
        "propose",
        &changeset(
            d,
            "again.geojson",
            vec![
                json!({"type": "Feature", "properties": {"op": "remove", "layer": "yjjbnt", "id": bsm(by_size[2])}, "geometry": null}),
            ],
        ),
        "--store",
        store,
        "--format",
        "json",
    ]);
    let v = out(&o);
    let id2 = v["id"].as_str().unwrap().to_string();
    if v["status"] == "proposed" {
        let o = onemap(&[
            "amend",
            "reject",
            &id2,
            "--reason",
            "不符合规划",
            "--store",
            store,
        ]);
        assert!(o.status.success(), "{}", err(&o));
    }
    let o = onemap(&["audit", "verify", "--store", store]);
    assert!(o.status.success(), "{}", err(&o));
    let log = json(&onemap(&[
        "audit", "log", "--store", store, "--format", "json",
    ]));
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"amend-propose") && actions.contains(&"amend-approve"));
}
