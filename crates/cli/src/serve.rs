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
    /// How many of the latest survey years to serve (the map's swipe compares two).
    #[arg(long, default_value_t = 2)]
    years: usize,
    /// The built web application (default: $ONEMAP_WEB, else web/dist next to the sources
    /// or the binary, if built).
    #[arg(long)]
    web: Option<PathBuf>,
    /// Build the tiles of zoom 0 to this over each layer in the background at start, so
    /// that the first views are quick (-1: none).
    #[arg(long, default_value_t = 8, allow_negative_numbers = true)]
    warm_zoom: i8,
}

/// Where the built web application is: `--web`, $ONEMAP_WEB, else `web/dist` under the
/// working directory or above the binary (target/release/onemap → web/dist).
fn web_dir(arg: Option<PathBuf>) -> anyhow::Result<Option<PathBuf>> {
    let given = arg.or_else(|| std::env::var_os("ONEMAP_WEB").map(PathBuf::from));
    if let Some(d) = given {
        if !d.join("index.html").is_file() {
            return Err(UsageError(format!(
                "--web {}: no index.html there (build it with `npm run build` in web/)",
                d.display()
            ))
            .into());
        }
        return Ok(Some(d));
    }
    let mut candidates = vec![PathBuf::from("web/dist")];
    if let Ok(exe) = std::env::current_exe() {
        for up in exe.ancestors().skip(1).take(4) {
            candidates.push(up.join("web/dist"));
        }
    }
    Ok(candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file()))
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
    let path = a.store.location();
    drop(store);
    let t = std::time::Instant::now();
    let web = web_dir(a.web)?;
    let state = onemap_server::AppState::load(path.clone(), plan, a.years, &mut |id, n| {
        tracing::info!("loading {id} ({n} features)");
    })
    .map_err(anyhow::Error::msg)?
    .with_web(web.clone());
    match &web {
        Some(d) => tracing::info!("web application from {}", d.display()),
        None => tracing::warn!("no built web application (web/dist); / shows the plain page"),
    }
    if state.open_access().map_err(|e| anyhow::anyhow!("{e:?}"))? {
        tracing::warn!(
            "the store has no users: everyone who reaches {addr} is admin. Add users with \
             `onemap user add NAME --role admin|city|approver|county:XZQDM` to require sign-in \
             (the server notices within {} s)",
            onemap_server::auth::RECHECK.as_secs()
        );
    }
    let features: usize = state.collections.iter().map(|c| c.range.len()).sum();
    tracing::info!(
        "loaded {} collections, {features} features, surveys {:?} in {:.1} s",
        state.collections.len(),
        state.snap.survey_years(),
        t.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let state = Arc::new(state);
    if let Ok(z) = u8::try_from(a.warm_zoom) {
        let s = state.clone();
        std::thread::spawn(move || {
            let t = std::time::Instant::now();
            let n = onemap_server::warm_tiles(&s, z.min(12));
            tracing::info!(
                "built {n} tiles of zoom 0–{z} in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        });
    }
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("--addr {addr}: {e}"))?;
        println!("onemap serving {} on http://{addr}/", path.display());
        onemap_server::serve_on(listener, state).await?;
        anyhow::Ok(())
    })?;
    Ok(())
}
