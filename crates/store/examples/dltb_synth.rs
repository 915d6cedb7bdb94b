//! `cargo run --release -p onemap-store --example dltb_synth -- N OUT.shp`: N clean DLTB patches
//! (consistent TBMJ/KCMJ/TBDLMJ, CGCS2000 3° zone 40, GBK DBF when OUT is a shapefile), for the
//! import benchmark and the GDAL check of the store.

#![allow(clippy::expect_used)]

use onemap_formats::{create, TextEncoding, WriteOptions};
use onemap_store::fixture;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: dltb_synth N OUT");
    let out = std::path::PathBuf::from(args.next().expect("usage: dltb_synth N OUT"));
    let t = std::time::Instant::now();
    let mut w = create(
        &out,
        &fixture::layer(n),
        &WriteOptions {
            encoding: Some(TextEncoding::Gbk),
            ..Default::default()
        },
    )
    .expect("create");
    for i in 0..n {
        w.write_feature(&fixture::patch(i, n)).expect("write");
    }
    w.finish().expect("finish");
    eprintln!(
        "wrote {n} DLTB patches to {} in {:.1} s",
        out.display(),
        t.elapsed().as_secs_f64()
    );
}
