//! `onemap indicators`, `stats-input`, `health-check` and `evaluation` on a small demo city.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{class_areas, demo, json, onemap};

#[test]
fn indicators_reports_and_statistics() {
    let dir = demo("2000", "2020,2023,2024", "9");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();

    let list = onemap(&["indicators", "--list"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 17);

    let v = json(&onemap(&[
        "indicators",
        "--store",
        store,
        "--format",
        "json",
    ]));
    assert_eq!(v["year"], 2024, "latest survey year by default");
    // The second run reads each year's tally back from the store: the same figures.
    let again = json(&onemap(&[
        "indicators",
        "--store",
        store,
        "--format",
        "json",
    ]));
    assert_eq!(v, again);
    assert_eq!(v["region"]["code"], "150500");
    assert_eq!(v["region"]["name"], "通辽市");
    let inds = v["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), 17);
    for i in inds {
        for k in [
            "id", "name", "unit", "value", "target", "rule", "status", "reason", "units",
        ] {
            assert!(i.get(k).is_some(), "{k} in {i}");
        }
        assert!(["green", "yellow", "red", "unknown"].contains(&i["status"].as_str().unwrap()));
        assert!(!i["reason"].as_str().unwrap().is_empty());
    }
    let get = |id: &str| inds.iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(get("cultivated_land")["target"], 3179.6591);
    // The demo's statistics (source/stats.csv) are in the store: 用水总量 is the city's row.
    let stats_csv = dir.path().join("source/stats.csv");
    let rows = onemap_plan::stats_input::read_csv(&stats_csv).unwrap();
    let city_water = rows
        .iter()
        .find(|r| r.year == 2024 && r.unit == "150500" && r.key == "water_use")
        .unwrap()
        .value;
    assert_eq!(get("water_use")["value"].as_f64().unwrap(), city_water);
    assert_ne!(get("water_use")["status"], "unknown");
    let listed = onemap(&["stats-input", "list", "--store", store]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter(|l| l.contains("water_use"))
            .count(),
        rows.iter().filter(|r| r.key == "water_use").count(),
        "every figure of stats.csv stored"
    );

    // 耕地保有量 equals `onemap stats` class 01 summed over the year's county datasets.
    let cents: i64 = class_areas(store, 2024, "1")
        .iter()
        .filter(|((_, c), _)| c == "01")
        .map(|(_, v)| v)
        .sum();
    let wanmu = onemap_geodesy::units::AreaUnit::WanMu.value(cents);
    assert_eq!(get("cultivated_land")["value"].as_f64().unwrap(), wanmu);

    // Statistics inputs: water use and urban population make two indicators known.
    let csv = dir.path().join("统计.csv");
    std::fs::write(&csv, "年份,行政区代码,名称,用水总量,城镇常住人口\n2024,150500,通辽市,18.6,160.2\n2023,150500,通辽市,18.9,158.0\n").unwrap();
    let o = onemap(&[
        "stats-input",
        "import",
        csv.to_str().unwrap(),
        "--store",
        store,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&onemap(&[
        "indicators",
        "--store",
        store,
        "--format",
        "json",
    ]));
    let w = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "water_use")
        .unwrap()
        .clone();
    assert_eq!(w["value"], 18.6);
    let p = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "per_capita_urban_land")
        .unwrap()
        .clone();
    assert!(p["value"].as_f64().unwrap() > 0.0);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "年份,行政区代码,用水总量\n2024,1505,3\n").unwrap();
    let o = onemap(&[
        "stats-input",
        "import",
        bad.to_str().unwrap(),
        "--store",
        store,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bad.csv:2"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Another year, CSV and table output.
    let v = json(&onemap(&[
        "indicators",
        "--store",
        store,
        "--format",
        "json",
        "--year",
        "2023",
    ]));
    assert_eq!(v["year"], 2023);
    let o = onemap(&["indicators", "--store", store, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("id,name,unit,unit_code"));
    let o = onemap(&["indicators", "--store", store, "--year", "1999"]);
    assert_eq!(o.status.code(), Some(1));

    // Reports.
    for (args, file) in [
        (vec!["health-check", "--year", "2024"], "体检.html"),
        (vec!["health-check"], "体检.docx"),
        (
            vec!["evaluation", "--from", "2020", "--to", "2024"],
            "评估.html",
        ),
        (
            vec!["evaluation", "--from", "2020", "--to", "2024"],
            "评估.docx",
        ),
    ] {
        let path = dir.path().join(file);
        let mut a = args.clone();
        a.extend(["--store", store, "--out", path.to_str().unwrap()]);
        let o = onemap(&a);
        assert!(
            o.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        if file.ends_with(".html") {
            let h = String::from_utf8(bytes).unwrap();
            for i in inds {
                assert!(
                    h.contains(i["name"].as_str().unwrap()),
                    "{file} lacks {}",
                    i["name"]
                );
            }
            assert!(h.contains("<svg") && h.contains("数据来源"));
        } else {
            assert_eq!(&bytes[..2], b"PK");
        }
    }
    let o = onemap(&["health-check", "--store", store, "--out", "x.pdf"]);
    assert_eq!(o.status.code(), Some(2));
    let o = onemap(&[
        "evaluation",
        "--from",
        "2019",
        "--to",
        "2024",
        "--store",
        store,
        "--out",
        "x.html",
    ]);
    assert_eq!(o.status.code(), Some(1));
}
