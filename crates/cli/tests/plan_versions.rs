//! Plan versions: the demo's plan layers are version 1 (内政字〔2024〕53号); no command edits
//! an approved version; a newly approved version 2 changes what `--as-of` reads.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{demo, json, onemap};

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn approved_versions_are_read_only_and_as_of_picks_the_version() {
    let dir = demo("1500", "2024,2025", "6");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let v = json(&onemap(&[
        "plan", "versions", "--store", store, "--format", "json",
    ]));
    let v1 = &v.as_array().unwrap()[0];
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["approval"], "内政字〔2024〕53号");
    assert_eq!(v1["approved_on"], "2024-03-25");
    assert_eq!(v1["in_force"], true);
    let layers: Vec<(String, String)> = v1["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_string(),
                l["dataset"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(layers.iter().any(|(k, _)| k == "yjjbnt"));

    // Every write command against version 1 is refused, naming the version.
    for (kind, id) in &layers {
        let o = onemap(&["remove", id, "--store", store]);
        assert_eq!(o.status.code(), Some(1), "remove {id}");
        assert!(err(&o).contains("read-only"), "{}", err(&o));
        let src = dir.path().join(format!("source/plan/{kind}.gpkg"));
        let o = onemap(&[
            "import",
            src.to_str().unwrap(),
            "--kind",
            kind,
            "--store",
            store,
            "--plan-version",
            "1",
            "--approval",
            "内政字〔2024〕53号",
            "--approved-on",
            "2024-03-25",
        ]);
        assert_eq!(o.status.code(), Some(1), "re-import {kind}");
        assert!(err(&o).contains("read-only"), "{}", err(&o));
    }
    let yjjbnt = dir.path().join("source/plan/yjjbnt.gpkg");
    let yjjbnt = yjjbnt.to_str().unwrap();
    for (args, says) in [
        (
            vec![
                "--plan-version",
                "1",
                "--approval",
                "别的文号",
                "--approved-on",
                "2024-03-25",
            ],
            "was approved as",
        ),
        (
            vec![
                "--plan-version",
                "3",
                "--approval",
                "X",
                "--approved-on",
                "2026-01-01",
            ],
            "latest plan version is 1",
        ),
        (
            vec![
                "--plan-version",
                "2",
                "--approval",
                "X",
                "--approved-on",
                "2023-01-01",
            ],
            "before version 1",
        ),
    ] {
        let mut a = vec!["import", yjjbnt, "--kind", "yjjbnt", "--store", store];
        a.extend(args);
        let o = onemap(&a);
        assert_eq!(o.status.code(), Some(1));
        assert!(err(&o).contains(says), "{}", err(&o));
    }
    let survey = dir.path().join("source/2025");
    let shp = std::fs::read_dir(&survey)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "shp"))
        .unwrap();
    let o = onemap(&[
        "import",
        shp.to_str().unwrap(),
        "--kind",
        "dltb",
        "--year",
        "2025",
        "--store",
        store,
        "--plan-version",
        "2",
        "--approval",
        "X",
        "--approved-on",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("not a plan layer"), "{}", err(&o));

    // Version 2: the permanent farmland without its first 50 features, approved 2026-06-01.
    let v1_file = dir.path().join("v1.geojson");
    let o = onemap(&[
        "export",
        "yjjbnt",
        v1_file.to_str().unwrap(),
        "--as-of",
        "2025-01-01",
        "--store",
        store,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let mut fc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&v1_file).unwrap()).unwrap();
    let n1 = fc["features"].as_array().unwrap().len();
    fc["features"].as_array_mut().unwrap().drain(..50);
    let v2_file = dir.path().join("v2.geojson");
    std::fs::write(&v2_file, fc.to_string()).unwrap();
    let o = onemap(&[
        "import",
        v2_file.to_str().unwrap(),
        "--kind",
        "yjjbnt",
        "--year",
        "2026",
        "--store",
        store,
        "--plan-version",
        "2",
        "--approval",
        "内政字〔2026〕9号",
        "--approved-on",
        "2026-06-01",
        "--approved-by",
        "内蒙古自治区人民政府",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let v = json(&onemap(&[
        "plan", "versions", "--store", store, "--format", "json",
    ]));
    let v2 = &v.as_array().unwrap()[1];
    assert_eq!(v2["version"], 2);
    let inherited: Vec<bool> = v2["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["inherited"].as_bool().unwrap())
        .collect();
    assert_eq!(
        inherited.iter().filter(|i| !**i).count(),
        1,
        "only yjjbnt is new in version 2"
    );
    assert_eq!(inherited.len(), layers.len());

    // --as-of reads the version in force that day.
    let count = |day: &str| {
        let out = dir.path().join(format!("{day}.geojson"));
        let o = onemap(&[
            "export",
            "yjjbnt",
            out.to_str().unwrap(),
            "--as-of",
            day,
            "--store",
            store,
        ]);
        assert!(o.status.success(), "{}", err(&o));
        let fc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        fc["features"].as_array().unwrap().len()
    };
    assert_eq!(count("2025-12-31"), n1);
    assert_eq!(count("2026-06-01"), n1 - 50);
    let farmland = |day: &str| {
        let v = json(&onemap(&[
            "indicators",
            "--store",
            store,
            "--format",
            "json",
            "--as-of",
            day,
        ]));
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "permanent_farmland")
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let (before, after) = (farmland("2026-05-31"), farmland("2026-06-01"));
    assert!(after < before, "{after} < {before}");
    assert_eq!(farmland("2025-01-01"), before);
    let o = onemap(&["indicators", "--store", store, "--as-of", "2024-01-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("no plan version was in force on 2024-01-01"),
        "{}",
        err(&o)
    );
    let o = onemap(&["indicators", "--store", store, "--as-of", "2024-13-01"]);
    assert_eq!(o.status.code(), Some(2));

    // The review of a demo project reads the version in force too, and the trail verifies.
    let txt = std::fs::read_dir(dir.path().join("source/projects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    for day in ["2025-01-01", "2026-07-01"] {
        let o = onemap(&[
            "check",
            txt.to_str().unwrap(),
            "--store",
            store,
            "--as-of",
            day,
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", err(&o));
    }
    let o = onemap(&["audit", "verify", "--store", store]);
    assert!(o.status.success(), "{}", err(&o));
    let log = json(&onemap(&[
        "audit", "log", "--store", store, "--format", "json",
    ]));
    assert!(log.as_array().unwrap().iter().any(|e| e["detail"]
        .as_str()
        .unwrap()
        .contains("into plan version 2")));
}
