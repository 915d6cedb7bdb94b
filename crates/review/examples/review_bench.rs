//! Review throughput on a store: load the Snapshot once (timed), then review random typical
//! project parcels (star-shaped, 4–200 vertices, 0.5 ha – 5 km², log-uniform) placed on survey
//! patches, and report p50/p99 per review and reviews per second on all cores.
//!
//! `cargo run --release -p onemap-review --example review_bench -- STORE [N] [SEED]`

use geo_types::{Geometry, LineString, Polygon};
use onemap_geodesy::crs::Crs;
use onemap_review::{load_snapshot, Parcel, Purpose, Reviewer};
use onemap_store::GpkgStore;
use std::time::Instant;

fn splitmix(s: &mut u64) -> f64 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let store = args.get(1).ok_or("usage: review_bench STORE [N] [SEED]")?;
    let n: usize = args.get(2).map_or(Ok(2000), |s| s.parse())?;
    let mut seed: u64 = args.get(3).map_or(Ok(7), |s| s.parse())?;
    let plan = onemap_plan::load(None)?;
    let store = GpkgStore::open(std::path::Path::new(store))?;
    let t = Instant::now();
    let snap = load_snapshot(&store, &plan, None, None, &mut |_, _| {})?;
    let load = t.elapsed();
    let year = *snap.survey_years().last().ok_or("no survey")?;
    let survey = snap.survey(year).ok_or("no survey")?;
    let feats: usize = snap.layers().map(|l| l.len()).sum();
    eprintln!(
        "snapshot: {} layers, {feats} features, survey {year} with {} patches, loaded in {:.2} s",
        snap.layers().count(),
        survey.len(),
        load.as_secs_f64()
    );
    let reviewer = Reviewer::new(&snap, &plan, None)?;
    // Parcels in lon/lat around random patches.
    let mut parcels = Vec::with_capacity(n);
    let mut verts = 0usize;
    let mut area = 0f64;
    while parcels.len() < n {
        let i = (splitmix(&mut seed) * survey.len() as f64) as u32;
        let b = survey.bbox(i.min(survey.len() as u32 - 1));
        let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        let a = (5_000f64.ln() + splitmix(&mut seed) * (5e6f64 / 5e3).ln()).exp();
        let k = 4 + (splitmix(&mut seed) * 197.0) as usize;
        let r0 = (a / std::f64::consts::PI).sqrt();
        let mut ring: Vec<(f64, f64)> = (0..k)
            .map(|j| {
                let th = j as f64 / k as f64 * std::f64::consts::TAU;
                let r = r0 * (0.75 + 0.5 * splitmix(&mut seed));
                let dx = r * th.cos() / (111_320.0 * cy.to_radians().cos());
                let dy = r * th.sin() / 110_540.0;
                (cx + dx, cy + dy)
            })
            .collect();
        ring.push(ring[0]);
        let g = Geometry::Polygon(Polygon::new(LineString::from(ring), vec![]));
        let p = Parcel::new(parcels.len(), g, Crs::Cgcs2000, Purpose::Urban)?;
        verts += k;
        area += p.area_cents as f64 / 100.0;
        parcels.push(p);
    }
    eprintln!(
        "{n} parcels, mean {:.0} vertices, mean {:.1} ha",
        verts as f64 / n as f64,
        area / n as f64 / 1e4
    );
    // Latency: one thread, each review timed.
    let mut times: Vec<f64> = parcels
        .iter()
        .map(|p| {
            let t = Instant::now();
            std::hint::black_box(reviewer.review(p));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    // Throughput: all cores.
    let threads = std::thread::available_parallelism().map_or(1, |x| x.get());
    let t = Instant::now();
    std::thread::scope(|s| {
        for c in 0..threads {
            let (reviewer, parcels) = (&reviewer, &parcels);
            s.spawn(move || {
                for p in parcels.iter().skip(c).step_by(threads) {
                    std::hint::black_box(reviewer.review(p));
                }
            });
        }
    });
    let per_s = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "review: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {per_s:.0} reviews/s on {threads} threads; snapshot load {:.2} s",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        times[times.len() - 1],
        load.as_secs_f64()
    );
    Ok(())
}
