//! `onemap serve`: the one-map server on a store.

use crate::store_cmds::StoreArg;
use crate::UsageError;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `onemap serve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    plan: Option<PathBuf>,
}

/// Run `onemap serve`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = a.addr.parse().map_err(|_| {
        UsageError(format!(
            "--addr {:?}: host:port, e.g. 127.0.0.1:8080",
            a.addr
        ))
    })?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let plan = onemap_plan::load(a.plan.as_deref())?;
    // Checks the store exists (a mistyped path is an error, not an empty store).
    let store = a.store.open_store()?;
    let path = store.path().to_path_buf();
    drop(store);
    let t = std::time::Instant::now();
    let state = onemap_server::AppState::load(path.clone(), plan, &mut |id, n| {
        tracing::info!("loading {id} ({n} features)");
    })
    .map_err(anyhow::Error::msg)?;
    let features: usize = state.collections.iter().map(|c| c.range.len()).sum();
    tracing::info!(
        "loaded {} collections, {features} features, survey {} in {:.1} s",
        state.collections.len(),
        state.year,
        t.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("onemap serving {} on http://{addr}/", path.display());
    rt.block_on(onemap_server::serve(addr, Arc::new(state)))?;
    Ok(())
}
