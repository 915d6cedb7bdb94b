//! The store from the command line: import, datasets, stats, export, remove, and an import
//! killed mid-way.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::{create, Value, WriteOptions};
use onemap_store::fixture;
use serde_json::Value as J;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{json, onemap};

fn write_fixture(dir: &Path, name: &str, n: u64) -> PathBuf {
    let p = dir.join(name);
    let mut w = create(&p, &fixture::layer(n), &WriteOptions::default()).unwrap();
    for i in 0..n {
        w.write_feature(&fixture::patch(i, n)).unwrap();
    }
    w.finish().unwrap();
    p
}

#[test]
fn import_datasets_stats_export_remove() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_fixture(dir.path(), "dltb.shp", 48);
    let store = dir.path().join("s.gpkg").display().to_string();
    let s = src.display().to_string();
    let v = json(&onemap(&[
        "import", &s, "--kind", "dltb", "--year", "2023", "--store", &store, "--format", "json",
    ]));
    assert_eq!(v["dataset"]["id"], "dltb-2023");
    let d = json(&onemap(&[
        "datasets", "--store", &store, "--format", "json",
    ]));
    let d0 = &d[0];
    for k in [
        "id",
        "kind",
        "year",
        "name",
        "features",
        "source",
        "sha256",
        "source_crs",
        "imported_at",
    ] {
        assert!(!d0[k].is_null(), "{k} missing: {d0}");
    }
    assert_eq!(
        (
            d0["kind"].as_str(),
            d0["year"].as_i64(),
            d0["features"].as_u64()
        ),
        (Some("dltb"), Some(2023), Some(48))
    );
    // Statistics: totals reconcile to Σ TBMJ, class sums computed by hand from the fixture.
    let mut tbmj = 0i64;
    let mut by_class: std::collections::BTreeMap<String, i64> = Default::default();
    for i in 0..48 {
        let f = fixture::patch(i, 48);
        let c = |k: usize| match f.values[k] {
            Value::Float(x) => (x * 100.0).round() as i64,
            _ => 0,
        };
        let code = f.values[1].as_text().unwrap();
        tbmj += c(5);
        *by_class.entry(code).or_default() += c(9);
        *by_class.entry("1203".into()).or_default() += c(8);
    }
    let st = json(&onemap(&[
        "stats",
        "dltb-2023",
        "--store",
        &store,
        "--level",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(
        (st["total_m2"].as_f64().unwrap() * 100.0).round() as i64,
        tbmj
    );
    let mut got: std::collections::BTreeMap<String, i64> = Default::default();
    for u in st["units"].as_array().unwrap() {
        assert_eq!(u["tbmj_m2"], u["total_m2"], "row must reconcile");
        for c in u["classes"].as_array().unwrap() {
            *got.entry(c["code"].as_str().unwrap().into()).or_default() +=
                (c["area_m2"].as_f64().unwrap() * 100.0).round() as i64;
        }
    }
    by_class.retain(|_, v| *v != 0);
    assert_eq!(got, by_class);
    // Balanced 公顷 add up to the rounded total; 亩 = 公顷 × 15.
    let ha: f64 = st["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["total_ha"].as_f64().unwrap())
        .sum();
    assert!((ha - st["total_ha"].as_f64().unwrap()).abs() < 1e-6);
    assert!(
        (st["total_mu"].as_f64().unwrap() - 15.0 * st["total_ha"].as_f64().unwrap()).abs() < 1e-6
    );
    let table = onemap(&["stats", "dltb-2023", "--store", &store, "--by", "township"]);
    let t = String::from_utf8_lossy(&table.stdout);
    // Township rows (9 digits) of the fixture's counties, and the grand total line.
    assert!(
        table.status.success()
            && t.contains("150502100")
            && t.contains("150523101")
            && t.contains("总计"),
        "{t}"
    );
    // Export to every format; unknown dataset is an error.
    for ext in ["shp", "gpkg", "geojson", "fgb"] {
        let out = dir.path().join(format!("e.{ext}")).display().to_string();
        let o = onemap(&["export", "dltb-2023", &out, "--store", &store]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let i = json(&onemap(&["info", &out, "--format", "json"]));
        assert_eq!(
            (i["features"].as_u64(), i["crs"].as_str()),
            (Some(48), Some("EPSG:4490")),
            "{ext}"
        );
    }
    let out = dir.path().join("z.gpkg").display().to_string();
    let o = onemap(&[
        "export",
        "dltb-2023",
        &out,
        "--store",
        &store,
        "--to-crs",
        "EPSG:4528",
    ]);
    assert!(o.status.success());
    assert_eq!(
        json(&onemap(&["info", &out, "--format", "json"]))["crs"],
        "EPSG:4528"
    );
    assert_eq!(
        onemap(&["export", "nope", &out, "--store", &store])
            .status
            .code(),
        Some(1)
    );
    // Remove is recorded, and says so.
    let o = onemap(&["remove", "dltb-2023", "--store", &store, "--reason", "test"]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("recorded"));
    assert_eq!(
        json(&onemap(&[
            "datasets", "--store", &store, "--format", "json"
        ])),
        J::Array(vec![])
    );
}

#[test]
fn a_refused_import_exits_1_and_names_feature_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut feats: Vec<_> = (0..10).map(|i| fixture::patch(i, 10)).collect();
    feats[3].values[1] = Value::Text("0199".into());
    let p = dir.path().join("bad.gpkg");
    let mut w = create(&p, &fixture::layer(10), &WriteOptions::default()).unwrap();
    for f in &feats {
        w.write_feature(f).unwrap();
    }
    w.finish().unwrap();
    let store = dir.path().join("s.gpkg").display().to_string();
    let o = onemap(&[
        "import",
        &p.display().to_string(),
        "--kind",
        "dltb",
        "--store",
        &store,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("feature 3")
            && err.contains("field DLBM")
            && err.contains("D-E03")
            && err.contains("nothing was imported"),
        "{err}"
    );
    let o = onemap(&[
        "validate",
        &p.display().to_string(),
        "--kind",
        "dltb",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 1);
    assert_eq!(
        onemap(&[
            "import",
            &p.display().to_string(),
            "--kind",
            "nonsense",
            "--store",
            &store
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn an_import_killed_midway_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let small = write_fixture(dir.path(), "small.shp", 10);
    let big = write_fixture(dir.path(), "big.shp", 60_000);
    let store = dir.path().join("s.gpkg");
    let st = store.display().to_string();
    assert!(onemap(&[
        "import",
        &small.display().to_string(),
        "--kind",
        "dltb",
        "--year",
        "2022",
        "--store",
        &st
    ])
    .status
    .success());
    let before = json(&onemap(&["datasets", "--store", &st, "--format", "json"]));
    let tables = || -> Vec<String> {
        let c = rusqlite::Connection::open(&store).unwrap();
        let mut s = c
            .prepare("SELECT name FROM sqlite_master ORDER BY name")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    let tables_before = tables();
    let mut child = Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args([
            "import",
            &big.display().to_string(),
            "--kind",
            "dltb",
            "--year",
            "2023",
            "--store",
            &st,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import's transaction is under way (its rollback journal exists), then kill -9.
    let journal = PathBuf::from(format!("{st}-journal"));
    let t0 = std::time::Instant::now();
    while !journal.exists() && t0.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(journal.exists(), "the import never started writing");
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the import finished before it was killed"
    );
    assert_eq!(
        json(&onemap(&["datasets", "--store", &st, "--format", "json"])),
        before
    );
    assert_eq!(tables(), tables_before);
    // And the store still takes imports.
    assert!(onemap(&[
        "import",
        &small.display().to_string(),
        "--kind",
        "dltb",
        "--year",
        "2024",
        "--store",
        &st
    ])
    .status
    .success());
}
