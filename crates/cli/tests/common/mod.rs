//! Helpers shared by the CLI tests.

#![allow(dead_code, clippy::expect_used)]

use std::process::{Command, Output};

/// Run the onemap binary.
pub fn onemap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(args)
        .output()
        .expect("run onemap")
}

/// The JSON a successful command printed.
pub fn json(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

/// A demo city in a temporary directory (`onemap demo`), with its store at `onemap.gpkg`.
pub fn demo(patches: &str, years: &str, seed: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf-8 path");
    let o = onemap(&[
        "demo",
        "--out",
        out,
        "--patches",
        patches,
        "--years",
        years,
        "--seed",
        seed,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

/// Class areas (cents) per county and class code from `onemap stats --level LEVEL` over every
/// survey dataset of a year.
pub fn class_areas(
    store: &str,
    year: i64,
    level: &str,
) -> std::collections::BTreeMap<(String, String), i64> {
    let ds = json(&onemap(&["datasets", "--store", store, "--format", "json"]));
    let mut m = std::collections::BTreeMap::new();
    for d in ds
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["kind"] == "dltb" && d["year"] == year)
    {
        let id = d["id"].as_str().expect("id");
        let s = json(&onemap(&[
            "stats", id, "--store", store, "--format", "json", "--level", level,
        ]));
        for u in s["units"].as_array().expect("units") {
            for c in u["classes"].as_array().expect("classes") {
                let cents = (c["area_m2"].as_f64().expect("area") * 100.0).round() as i64;
                if cents != 0 {
                    let key = (
                        u["code"].as_str().expect("code").to_string(),
                        c["code"].as_str().expect("code").to_string(),
                    );
                    *m.entry(key).or_insert(0) += cents;
                }
            }
        }
    }
    m
}
