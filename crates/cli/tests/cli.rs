//! The `onemap` binary as a user runs it: outputs, exit codes (0 ok, 1 bad input, 2 usage) and
//! error messages that name the file and line.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::onemap;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> String {
    root().join("data/samples").join(name).display().to_string()
}

fn fixture(name: &str) -> String {
    root()
        .join("crates/formats/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = String::from_utf8(o.stdout.clone()).expect("utf8");
    assert_eq!(s.trim().lines().count(), 1, "exactly one JSON object: {s}");
    serde_json::from_str(&s).expect("json")
}

#[test]
fn area_json_of_the_examples() {
    let v = json(&onemap(&[
        "area",
        &sample("example1.txt"),
        "--format",
        "json",
    ]));
    assert_eq!(v["crs"], "EPSG:4528");
    assert_eq!(v["method"], "sandiao");
    assert_eq!(v["features"][0]["index"], 0);
    assert_eq!(v["features"][0]["id"], "1");
    assert_eq!(v["features"][0]["area_m2"], 29997.34);
    assert_eq!(v["features"][0]["area_mu"], 45.0);
    assert_eq!(v["features"][0]["area_ha"], 2.9997);
    assert_eq!(v["total_m2"], 29997.34);
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["file", "crs", "method", "features", "total_m2"]);
    let v = json(&onemap(&[
        "area",
        &sample("example2.txt"),
        "--format",
        "json",
    ]));
    let a: Vec<f64> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["area_m2"].as_f64().expect("m2"))
        .collect();
    assert_eq!(a, [6716.09, 4192.01]);
    assert_eq!(v["total_m2"], 10908.10);
    assert_eq!(v["crs"], "EPSG:4550");
}

#[test]
fn area_table_csv_and_geodesic() {
    let o = onemap(&["area", &sample("example1.txt")]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && s.contains("29997.34")
            && s.contains("45.00 亩")
            && s.contains("2.9997 公顷"),
        "{s}"
    );
    let o = onemap(&["area", &sample("example2.txt"), "--format", "csv"]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert_eq!(s.lines().next(), Some("index,id,area_m2,area_mu,area_ha"));
    assert!(s.contains("0,1,6716.09,10.07,0.6716"), "{s}");
    let v = json(&onemap(&[
        "area",
        &sample("example1.txt"),
        "--method",
        "geodesic",
        "--format",
        "json",
    ]));
    assert_eq!(v["method"], "geodesic");
    // GeographicLib on the exact inverse: 29 997.335 … m² (standards §5.6 V2).
    assert_eq!(v["total_m2"], 29997.34);
}

fn bad_txt(change: impl Fn(&mut Vec<String>)) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(sample("example1.txt")).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    change(&mut lines);
    let p = dir.path().join("bad.txt");
    std::fs::write(&p, lines.join("\r\n")).expect("write");
    let s = p.display().to_string();
    (dir, s)
}

fn expect_bad(args: &[&str], needle: &[&str]) {
    let o = onemap(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(o.stdout.is_empty());
    for n in needle {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
}

#[test]
fn malformed_txt_files_exit_1_with_the_line() {
    type Change = Box<dyn Fn(&mut Vec<String>)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|l| l[12] = l[12].trim_end_matches(",@").to_string()),
            ":13: E-HEADER-NO-AT",
        ),
        (
            Box::new(|l| {
                l.remove(17);
            }),
            ":17: E-RING-OPEN",
        ),
        (
            Box::new(|l| l[15] = "J3,1,4761000.0O0,40560200.000".into()),
            ":16: E-NUMBER",
        ),
        (
            Box::new(|l| l[8] = "带号=41".into()),
            ":14: E-ZONE-MISMATCH",
        ),
        (
            Box::new(|l| {
                l.drain(13..23);
            }),
            ":13: E-PARCEL-EMPTY",
        ),
    ];
    for (change, needle) in cases {
        let (_d, p) = bad_txt(change);
        expect_bad(&["area", &p], &[needle, "bad.txt"]);
        let out = Path::new(&p).with_extension("gpkg");
        expect_bad(&["convert", &p, &out.display().to_string()], &[needle]);
        assert!(!out.exists(), "nothing written for a bad input");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(onemap(&["area"]).status.code(), Some(2));
    assert_eq!(
        onemap(&["area", &sample("example1.txt"), "--method", "planar"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        onemap(&["area", &sample("example1.txt"), "--crs", "EPSG:99999"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(onemap(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(onemap(&["--help"]).status.code(), Some(0));
}

#[test]
fn missing_crs_and_missing_file() {
    expect_bad(&["area", &fixture("noprj.shp")], &["noprj.shp", "--crs"]);
    let v = json(&onemap(&[
        "area",
        &fixture("noprj.shp"),
        "--crs",
        "EPSG:4528",
        "--format",
        "json",
    ]));
    assert_eq!(v["features"][0]["area_m2"], 39996.44);
    assert_eq!(v["features"][0]["id"], "1001");
    expect_bad(&["area", "no/such/file.shp"], &["no/such/file.shp"]);
}

#[test]
fn gbk_shapefile_round_trips_through_convert() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Without .cpg: a clear error naming the way out.
    expect_bad(
        &["area", &fixture("gbk_nocpg.shp")],
        &["gbk_nocpg", "--encoding gbk"],
    );
    for (src, extra) in [
        (fixture("gbk_dltb.shp"), vec![]),
        (fixture("gbk_nocpg.shp"), vec!["--encoding", "gbk"]),
    ] {
        for ext in ["shp", "gpkg", "geojson", "fgb"] {
            let out = dir.path().join(format!("o.{ext}")).display().to_string();
            let mut args = vec!["convert", src.as_str(), out.as_str()];
            args.extend(extra.iter());
            let o = onemap(&args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let o = onemap(&["info", &out, "--format", "json"]);
            let v = json(&o);
            assert_eq!(v["features"], 3);
            // Read the attributes back through GeoJSON to compare text exactly.
            let back = dir
                .path()
                .join(format!("back_{ext}.geojson"))
                .display()
                .to_string();
            assert!(onemap(&["convert", &out, &back]).status.success());
            let g: Value =
                serde_json::from_str(&std::fs::read_to_string(&back).expect("read")).expect("json");
            let names: Vec<&str> = g["features"]
                .as_array()
                .expect("f")
                .iter()
                .map(|f| f["properties"]["DLMC"].as_str().expect("DLMC"))
                .collect();
            assert_eq!(names, ["水田", "乔木林地", "农村宅基地"], "{ext}");
            assert_eq!(g["features"][1]["properties"]["ZLDWMC"], "开鲁县开鲁镇");
        }
    }
    // A shapefile converted from GBK stays GBK unless told otherwise.
    let out = dir.path().join("keep.shp");
    assert!(onemap(&[
        "convert",
        &fixture("gbk_dltb.shp"),
        &out.display().to_string()
    ])
    .status
    .success());
    assert_eq!(
        std::fs::read_to_string(out.with_extension("cpg")).expect("cpg"),
        "GBK"
    );
}

#[test]
fn convert_txt_both_ways_keeps_areas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = |n: &str| dir.path().join(n).display().to_string();
    // TXT → every format → TXT: the same parcels and sandiao areas.
    for ext in ["shp", "gpkg", "fgb", "geojson"] {
        let mid = d(&format!("m.{ext}"));
        let back = d(&format!("back_{ext}.txt"));
        assert!(onemap(&["convert", &sample("example2.txt"), &mid])
            .status
            .success());
        let extra: &[&str] = if ext == "geojson" {
            &["--zone", "41"]
        } else {
            &[]
        };
        let mut args = vec!["convert", mid.as_str(), back.as_str()];
        args.extend(extra);
        let o = onemap(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = json(&onemap(&["area", &back, "--format", "json"]));
        assert_eq!(v["total_m2"], 10908.10, "via {ext}");
        assert_eq!(v["features"][1]["id"], "2", "via {ext}");
    }
    // To EPSG:4490 and back to the zone: coordinates within a millimetre, so the same areas.
    let ll = d("ll.gpkg");
    assert!(onemap(&[
        "convert",
        &sample("example1.txt"),
        &ll,
        "--to-crs",
        "EPSG:4490"
    ])
    .status
    .success());
    let v = json(&onemap(&["area", &ll, "--format", "json"]));
    assert_eq!(v["crs"], "EPSG:4490");
    let back = d("back.txt");
    assert!(onemap(&["convert", &ll, &back]).status.success());
    let v = json(&onemap(&["area", &back, "--format", "json"]));
    assert_eq!(v["total_m2"], 29997.34);
    assert_eq!(v["crs"], "EPSG:4528");
    // The written TXT is byte-compatible with the standard layout.
    let t = std::fs::read_to_string(&back).expect("read");
    assert!(t.starts_with("[属性描述]\r\n格式版本号=1.0\r\n") && t.contains("带号=40\r\n精度=0.001\r\n转换参数=,,,,,,\r\n[地块坐标]\r\n10,2.9997,1,示例地块,面,,工业用地,0601,@\r\nJ1,1,4761200.000,40560000.000\r\n"), "{t}");
}

#[test]
fn txt_index_counts_line_and_point_parcels() {
    let (_d, p) = bad_txt(|l| {
        l.insert(12, "2,,9,道路中线,线,,,,@".into());
        l.insert(13, "J1,1,4761300.000,40560000.000".into());
        l.insert(14, "J2,1,4761300.000,40560100.000".into());
    });
    let v = json(&onemap(&["area", &p, "--format", "json"]));
    assert_eq!(
        v["features"][0]["index"], 1,
        "the 面 parcel is the second parcel of the file"
    );
    assert_eq!(v["features"][0]["id"], "1");
    assert_eq!(v["total_m2"], 29997.34);
}

#[test]
fn forbidden_datum_is_refused() {
    let (_d, p) = bad_txt(|l| l[4] = "坐标系=1980西安坐标系".into());
    expect_bad(&["area", &p], &[":5: E-CRS"]);
    // Named on the command line it is a bad option value: exit 2, with the reason.
    let o = onemap(&["area", &sample("example1.txt"), "--crs", "EPSG:4610"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Xian 1980 is not CGCS2000"));
}
