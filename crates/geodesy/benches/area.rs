//! Area kernel throughput: vertices per second for `sandiao` and `geodesic`.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use onemap_geodesy::sandiao::AreaFrame;
use onemap_geodesy::AreaMethod;

fn polygons() -> Vec<Vec<[f64; 2]>> {
    // 1000 star-shaped 40-gons of about 300 m radius across zone 40.
    let mut out = Vec::new();
    let mut seed = 12345u64;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..1000 {
        let cx = 40_400_000.0 + 200_000.0 * rnd();
        let cy = 4_700_000.0 + 300_000.0 * rnd();
        let ring: Vec<[f64; 2]> = (0..40)
            .map(|k| {
                let t = k as f64 / 40.0 * std::f64::consts::TAU;
                let r = 200.0 + 150.0 * rnd();
                [cx + r * t.cos(), cy + r * t.sin()]
            })
            .collect();
        out.push(ring);
    }
    out
}

fn bench(c: &mut Criterion) {
    let polys = polygons();
    let n: usize = polys.iter().map(Vec::len).sum();
    let frame = AreaFrame::GaussKruger {
        cm_deg: 120,
        false_easting: 40_500_000.0,
    };
    let mut g = c.benchmark_group("area");
    g.throughput(Throughput::Elements(n as u64));
    for m in [AreaMethod::Sandiao, AreaMethod::Geodesic] {
        g.bench_function(m.id(), |b| {
            b.iter(|| {
                polys
                    .iter()
                    .map(|r| m.feature_area(frame, [(r.iter().copied(), false)]))
                    .sum::<f64>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
