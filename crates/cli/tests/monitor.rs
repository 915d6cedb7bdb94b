//! `onemap monitor` on a small demo city: the matrix margins against `onemap stats` of the two
//! years, the alerts file, the stored run.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{class_areas, demo, json, onemap};
use std::collections::BTreeMap;

#[test]
fn monitor_margins_alerts_and_runs() {
    let dir = demo("2000", "2023,2024", "4");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let gj = dir.path().join("alerts.geojson");
    let v = json(&onemap(&[
        "monitor",
        "--from",
        "2023",
        "--to",
        "2024",
        "--level",
        "2",
        "--store",
        store,
        "--format",
        "json",
        "--out",
        gj.to_str().unwrap(),
    ]));
    assert_eq!(
        (v["from"].as_i64(), v["to"].as_i64()),
        (Some(2023), Some(2024))
    );
    let mut rows: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut cols: BTreeMap<(String, String), i64> = BTreeMap::new();
    for u in v["units"].as_array().unwrap() {
        let code = u["code"].as_str().unwrap().to_string();
        for t in u["transitions"].as_array().unwrap() {
            let c = (t["area_m2"].as_f64().unwrap() * 100.0).round() as i64;
            *rows
                .entry((code.clone(), t["from"].as_str().unwrap().to_string()))
                .or_insert(0) += c;
            *cols
                .entry((code.clone(), t["to"].as_str().unwrap().to_string()))
                .or_insert(0) += c;
        }
    }
    assert_eq!(
        cols,
        class_areas(store, 2024, "2"),
        "columns are the later year's stats exactly"
    );
    let before = class_areas(store, 2023, "2");
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (k, want) in &before {
        assert!(
            (rows[k] - want).abs() <= 100,
            "{k:?}: {} vs {want}",
            rows[k]
        );
    }
    // The city matrix is the sum of the counties.
    let city: i64 = v["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["area_m2"].as_f64().unwrap() * 100.0).round() as i64)
        .sum();
    assert_eq!(city, cols.values().sum::<i64>());
    // Alerts: the demo plants violations; each has the fields and a geometry in the file.
    let alerts = v["alerts"].as_array().unwrap();
    assert!(!alerts.is_empty());
    for a in alerts {
        for k in ["id", "rule", "unit", "area_m2", "from_dlbm", "to_dlbm"] {
            assert!(a.get(k).is_some(), "{k}");
        }
        assert!(a["area_m2"].as_f64().unwrap() >= 400.0);
    }
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gj).unwrap()).unwrap();
    assert_eq!(g["features"].as_array().unwrap().len(), alerts.len());
    assert_eq!(g["features"][0]["properties"]["rule"], alerts[0]["rule"]);
    // A second run: the same alerts, none new; both runs are stored.
    let v2 = json(&onemap(&[
        "monitor", "--from", "2023", "--to", "2024", "--store", store, "--format", "json",
    ]));
    assert_eq!(v2["run"], 2);
    assert!(v2["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["new"] == false));
    assert!(v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["new"] == true));
    let o = onemap(&[
        "monitor", "--from", "2024", "--to", "2023", "--store", store,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = onemap(&[
        "monitor", "--from", "2020", "--to", "2024", "--store", store,
    ]);
    assert_eq!(o.status.code(), Some(1));
}
