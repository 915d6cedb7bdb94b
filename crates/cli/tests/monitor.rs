//! `onemap monitor` on a small demo city: the matrix margins against `onemap stats` of the two
//! years, the alerts file, the stored run.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{json, onemap};
use std::collections::BTreeMap;

/// Class areas (cents) per county and DLBM from `onemap stats --level 2` of a year's datasets.
fn stats(store: &str, year: i64) -> BTreeMap<(String, String), i64> {
    let ds = json(&onemap(&["datasets", "--store", store, "--format", "json"]));
    let mut m = BTreeMap::new();
    for d in ds
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "dltb" && d["year"] == year)
    {
        let s = json(&onemap(&[
            "stats",
            d["id"].as_str().unwrap(),
            "--store",
            store,
            "--format",
            "json",
            "--level",
            "2",
        ]));
        for u in s["units"].as_array().unwrap() {
            for c in u["classes"].as_array().unwrap() {
                let cents = (c["area_m2"].as_f64().unwrap() * 100.0).round() as i64;
                if cents != 0 {
                    *m.entry((
                        u["code"].as_str().unwrap().to_string(),
                        c["code"].as_str().unwrap().to_string(),
                    ))
                    .or_insert(0) += cents;
                }
            }
        }
    }
    m
}

#[test]
fn monitor_margins_alerts_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = onemap(&[
        "demo",
        "--out",
        out,
        "--patches",
        "2000",
        "--years",
        "2023,2024",
        "--seed",
        "4",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
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
        stats(store, 2024),
        "columns are the later year's stats exactly"
    );
    let before = stats(store, 2023);
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
