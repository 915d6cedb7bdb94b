//! The one-map server (`onemap serve`): the current layers loaded once into memory indexes and
//! served as OGC API – Features and Mapbox vector tiles, with the analysis API (project review,
//! indicators, monitoring, alerts, reports) on top. A library first; the routes are thin.

mod analysis;
mod mvt;
mod ogc;
mod tiles;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use onemap_overlay::{Layer, Snapshot, SnapshotRequest};
use onemap_plan::Plan;
use onemap_store::{Dataset, GpkgStore};
use onemap_survey::Kind;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The largest request body accepted (a zipped shapefile of a project is far smaller).
pub const MAX_BODY: usize = 16 << 20;

/// One collection: a dataset, held as a range of a Snapshot layer.
#[derive(Clone, Debug)]
pub struct Collection {
    /// The dataset.
    pub dataset: Dataset,
    /// Survey year of the layer holding it, or `None` for a plan layer.
    pub survey: Option<i32>,
    /// Its kind.
    pub kind: Kind,
    /// Features of the layer that belong to it.
    pub range: std::ops::Range<u32>,
}

/// A tile's cache key: collection, z, x, y.
pub type TileKey = (String, u8, u32, u32);

/// What the server holds.
pub struct AppState {
    /// The plan file.
    pub plan: Plan,
    /// The store (opened per request where needed: SQLite connections are cheap).
    pub store: PathBuf,
    /// The latest survey and every plan layer.
    pub snap: Snapshot,
    /// The survey year served.
    pub year: i32,
    /// The collections, by id.
    pub collections: Vec<Collection>,
    /// Tile cache: (collection, z, x, y) → bytes.
    pub tiles: Mutex<HashMap<TileKey, Arc<Vec<u8>>>>,
    /// Cached analysis results, by request key.
    pub results: Mutex<HashMap<String, Arc<serde_json::Value>>>,
}

/// Shared state.
pub type Shared = Arc<AppState>;

impl AppState {
    /// Load the store's latest survey and plan layers. `progress` is told each dataset.
    pub fn load(
        store: PathBuf,
        plan: Plan,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<AppState, String> {
        let s = GpkgStore::open(&store).map_err(|e| e.to_string())?;
        let mut kinds: Vec<Kind> = onemap_review::required_kinds(&plan);
        for k in [Kind::Xzq, Kind::Jbcy, Kind::Ghfq, Kind::Ghyd] {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        let snap = Snapshot::load(
            &s,
            &SnapshotRequest {
                survey_years: Vec::new(),
                kinds,
            },
            progress,
        )
        .map_err(|e| e.to_string())?;
        let year = *snap
            .survey_years()
            .last()
            .ok_or("the store holds no survey")?;
        let mut collections = Vec::new();
        for l in snap.layers() {
            for (k, d) in l.datasets().iter().enumerate() {
                collections.push(Collection {
                    dataset: d.clone(),
                    survey: (l.kind() == Kind::Dltb).then_some(year),
                    kind: l.kind(),
                    range: l.dataset_range(k),
                });
            }
        }
        Ok(AppState {
            plan,
            store,
            snap,
            year,
            collections,
            tiles: Mutex::new(HashMap::new()),
            results: Mutex::new(HashMap::new()),
        })
    }

    /// A collection by id.
    pub fn collection(&self, id: &str) -> Result<&Collection, ApiError> {
        self.collections
            .iter()
            .find(|c| c.dataset.id == id)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("no collection {id:?}; /collections lists them"),
                )
            })
    }

    /// The layer holding a collection.
    pub fn layer(&self, c: &Collection) -> &Layer {
        match c.survey {
            Some(y) => self.snap.survey(y),
            None => self.snap.layer(c.kind),
        }
        .unwrap_or_else(|| unreachable_layer())
    }

    /// The store, opened for one request.
    pub fn open_store(&self) -> Result<GpkgStore, ApiError> {
        GpkgStore::open(&self.store).map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// Collections are made from the Snapshot's layers, so a collection's layer always exists;
/// this is the one place that would be reached otherwise.
fn unreachable_layer() -> &'static Layer {
    static EMPTY: std::sync::OnceLock<Layer> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| onemap_overlay::LayerBuilder::new(Kind::Other, None, &[]).finish())
}

/// The one error shape: `{"error": {"code", "message"}}` with its status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// An error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 with a message.
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidParameterValue", message)
    }

    /// 500 with a message.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "ServerError", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The application's routes.
pub fn router(state: Shared) -> Router {
    use axum::routing::{get, post};
    Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(ogc::openapi))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{fid}", get(ogc::item))
        .route("/tiles/{id}/{z}/{x}/{tile}", get(tiles::tile))
        .route("/tiles/{tilejson}", get(tiles::tilejson))
        .route("/style.json", get(tiles::style))
        .route("/api/check", post(analysis::check))
        .route("/api/indicators", get(analysis::indicators))
        .route("/api/monitor", get(analysis::monitor))
        .route("/api/alerts", get(analysis::alerts))
        .route("/api/reports/health-check", get(analysis::health_check))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                "no such resource; / lists what there is",
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serve until Ctrl-C or SIGTERM, finishing the requests in flight.
pub async fn serve(addr: std::net::SocketAddr, state: Shared) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let ctrl_c = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            #[cfg(unix)]
            let term = async {
                if let Ok(mut s) =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                {
                    s.recv().await;
                }
            };
            #[cfg(not(unix))]
            let term = std::future::pending::<()>();
            tokio::select! { _ = ctrl_c => {}, _ = term => {} }
        })
        .await
}
