//! `onemap demo`.

use crate::UsageError;
use std::path::PathBuf;

/// Arguments of `onemap demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Output folder.
    #[arg(long, default_value = "demo")]
    out: PathBuf,
    /// About this many patches in each survey year (the area is the city's whatever the count).
    #[arg(long, default_value_t = 200_000)]
    patches: u64,
    /// Seed: the same seed and size give byte-identical source files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Survey years, comma-separated; the first is the plan's base year.
    #[arg(long, default_value = "2020,2021,2022,2023,2024,2025")]
    years: String,
    /// Write the source files only; do not build the store.
    #[arg(long)]
    no_import: bool,
    /// Import into this store instead of OUT/onemap.gpkg: a GeoPackage path, or the
    /// postgres:// URL of an empty store made by `onemap store init`.
    #[arg(long)]
    store: Option<PathBuf>,
    /// Write only a special plan of this many planned roads (about 4 km each) to
    /// OUT/source/special/roads.gpkg, for `onemap conflicts` and its benchmark; nothing else.
    #[arg(long)]
    roads_only: Option<usize>,
}

/// Run `onemap demo`.
pub fn run(a: Args) -> anyhow::Result<()> {
    if let Some(n) = a.roads_only {
        let path = a.out.join("source/special/roads.gpkg");
        let km = onemap_demo::write_road_plan(&path, a.seed, n, 4.0).map_err(anyhow::Error::msg)?;
        eprintln!("wrote {n} planned roads ({km:.0} km) to {}", path.display());
        return Ok(());
    }
    let years: Vec<i32> = a
        .years
        .split(',')
        .map(|y| {
            y.trim()
                .parse::<i32>()
                .map_err(|_| UsageError(format!("--years {}: give years like 2020,2021", a.years)))
        })
        .collect::<Result<_, _>>()?;
    if years.is_empty() || years.windows(2).any(|w| w[1] <= w[0]) {
        return Err(UsageError("--years must be increasing".into()).into());
    }
    if a.patches < 100 {
        return Err(UsageError("--patches: at least 100".into()).into());
    }
    let o = onemap_demo::DemoOptions {
        out: a.out.clone(),
        patches: a.patches,
        seed: a.seed,
        years,
        import: !a.no_import,
        store: a.store.clone(),
    };
    let t = std::time::Instant::now();
    let s = onemap_demo::generate(&o, &mut |m| {
        eprintln!("{m} ({:.1} s)", t.elapsed().as_secs_f64())
    })
    .map_err(|e| anyhow::anyhow!("demo: {e}"))?;
    println!(
        "demo written to {} ({} patches a year, {} datasets imported); see {}",
        a.out.display(),
        s.patches,
        s.datasets,
        a.out.join("README.md").display()
    );
    Ok(())
}
