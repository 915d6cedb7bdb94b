//! Benchmark of the audit trail: append N entries (one transaction) to a fresh store, then
//! verify the whole chain as `onemap audit verify` does.
//!   cargo run --release -p onemap-store --example audit_bench -- [N] [DIR]

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_store::{GpkgStore, Store};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::args()
        .nth(2)
        .map_or_else(|| tmp.path().to_path_buf(), std::path::PathBuf::from);
    let path = dir.join("audit_bench.gpkg");
    let _ = std::fs::remove_file(&path);
    let mut s = GpkgStore::open(&path).unwrap();
    let details: Vec<(String, String, String)> = (0..n)
        .map(|k| {
            (
                format!("dltb-{}-{}", 2020 + k % 6, k % 8),
                format!("review of parcel {k}: 1 parcel, verdict pass"),
                onemap_store::audit::digest(k.to_string().as_bytes()),
            )
        })
        .collect();
    let rows: Vec<(&str, &str, &str, &str, &str)> = details
        .iter()
        .map(|(o, d, g)| ("张三", "report", o.as_str(), d.as_str(), g.as_str()))
        .collect();
    let t = Instant::now();
    s.audit_batch(&rows).unwrap();
    let append = t.elapsed().as_secs_f64();
    drop(s);
    let s = GpkgStore::open(&path).unwrap();
    let t = Instant::now();
    let (count, head) = s.audit_verify().unwrap().unwrap();
    let verify = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "audit trail: {count} entries appended in {append:.1} s ({:.0}/s); verified in {verify:.2} s; store {} MB; head {}",
        count as f64 / append,
        size >> 20,
        &head[..16]
    );
}
