//! Time monitoring between two survey years: loading (both years and the control layers) and
//! the overlay, matrix and alerts, reported separately.
//!
//! `cargo run --release -p onemap-monitor --example monitor_bench -- STORE FROM TO`

use onemap_overlay::{Snapshot, SnapshotRequest};
use onemap_store::GpkgStore;
use onemap_survey::Kind;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: monitor_bench STORE FROM TO";
    let store = GpkgStore::open(std::path::Path::new(args.get(1).ok_or(usage)?))?;
    let from: i32 = args.get(2).ok_or(usage)?.parse()?;
    let to: i32 = args.get(3).ok_or(usage)?.parse()?;
    let plan = onemap_plan::load(None)?;
    let t = Instant::now();
    let snap = Snapshot::load(
        &store,
        &SnapshotRequest {
            survey_years: vec![from, to],
            kinds: vec![Kind::Yjjbnt, Kind::Stbhhx, Kind::Czkfbj],
            as_of: None,
        },
        &mut |_, _| {},
    )?;
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = onemap_monitor::monitor(&snap, from, to, &plan, 2, &Default::default())?;
    let run = t.elapsed().as_secs_f64();
    println!(
        "monitor {from}→{to}: {} pieces ({} identical geometry, {} changed), {} alerts; load {load:.2} s, overlay + matrix + alerts {run:.2} s",
        r.pieces,
        r.identical,
        r.changed,
        r.alerts.len()
    );
    Ok(())
}
