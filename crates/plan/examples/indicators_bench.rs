//! Time the indicators of one survey year with every overlay: loading the Snapshot (plan
//! layers and the survey) and counting are reported separately.
//!
//! `cargo run --release -p onemap-plan --example indicators_bench -- STORE [YEAR]`

use onemap_overlay::{Snapshot, SnapshotRequest};
use onemap_store::GpkgStore;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let store = GpkgStore::open(std::path::Path::new(
        args.get(1).ok_or("usage: STORE [YEAR]")?,
    ))?;
    let year: Option<i32> = args.get(2).map(|s| s.parse()).transpose()?;
    let plan = onemap_plan::load(None)?;
    let t = Instant::now();
    let snap = Snapshot::load(
        &store,
        &SnapshotRequest {
            survey_years: year.into_iter().collect(),
            kinds: onemap_plan::INDICATOR_LAYERS.to_vec(),
            as_of: None,
        },
        &mut |_, _| {},
    )?;
    let load = t.elapsed().as_secs_f64();
    let y = *snap.survey_years().last().ok_or("no survey")?;
    let t = Instant::now();
    let tally = onemap_plan::tally::tally(&snap, y, &plan).ok_or("no survey")?;
    let count = t.elapsed().as_secs_f64();
    println!(
        "indicators {y}: {} patches, {} counties; load {load:.2} s, count (all classes and overlays) {count:.2} s; 耕地 {} 万亩, 永久基本农田内耕地 {} 万亩",
        tally.patches,
        tally.units.len(),
        onemap_geodesy::units::AreaUnit::WanMu.format(tally.region.cultivated),
        onemap_geodesy::units::AreaUnit::WanMu.format(tally.region.cultivated_in_pbf),
    );
    Ok(())
}
