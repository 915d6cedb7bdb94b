//! The one-map server (`onemap serve`): the current layers loaded once into memory indexes and
//! served as OGC API – Features and Mapbox vector tiles, with the analysis API (project review,
//! indicators, monitoring, alerts, reports) on top. A library first; the routes are thin.

mod analysis;
pub mod auth;
mod mvt;
mod ogc;
mod tiles;
mod web;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use onemap_overlay::{Layer, Snapshot, SnapshotRequest};
use onemap_plan::Plan;
use onemap_store::{Dataset, Store};
use onemap_survey::Kind;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use tiles::warm as warm_tiles;

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

/// What a tile source serves: one collection, or a whole layer (every dataset of a survey
/// year as `dltb_{year}`, a plan layer as its kind's id). Layer ids hold no `-`, dataset ids
/// always do, so the two never collide.
#[derive(Clone, Debug)]
pub struct Tileset {
    /// Its id in `/tiles/{id}/…`.
    pub id: String,
    /// Title.
    pub name: String,
    /// Layer kind.
    pub kind: Kind,
    /// Survey year of the layer, or `None` for a plan layer.
    pub survey: Option<i32>,
    /// Features of the layer it serves.
    pub range: std::ops::Range<u32>,
    /// Changes whenever the data does: from the datasets' SHA-256.
    pub version: String,
    /// A whole layer rather than one collection.
    pub whole_layer: bool,
}

/// A tile's cache key: tileset, z, x, y, and the county index it is cut to
/// ([`auth::ALL`]: none).
pub type TileKey = (String, u8, u32, u32, u16);

/// What the server holds.
pub struct AppState {
    /// The plan file.
    pub plan: Plan,
    /// The store: a GeoPackage path or a `postgres://` URL (opened per request where needed).
    pub store: PathBuf,
    /// The latest survey and every plan layer.
    pub snap: Snapshot,
    /// The latest survey year served.
    pub year: i32,
    /// The collections, by id.
    pub collections: Vec<Collection>,
    /// The tilesets: every collection, then every whole layer.
    pub tilesets: Vec<Tileset>,
    /// The built web application (`index.html` and `assets/`), if any.
    pub web: Option<PathBuf>,
    /// Tile cache: (collection, z, x, y) → bytes.
    pub tiles: Mutex<HashMap<TileKey, Arc<Vec<u8>>>>,
    /// Cached analysis results, by request key.
    pub results: Mutex<HashMap<String, Arc<serde_json::Value>>>,
    /// Reviewed parcels waiting to be written to the store.
    pub pending_reviews: Mutex<Vec<onemap_store::ReviewRecord>>,
    /// Held while reviews are written: the store handle they are written with.
    pub review_writer: Mutex<Option<Box<dyn Store + Send>>>,
    /// The counties of the 行政区 layer: (XZQDM, XZQMC).
    pub counties: Vec<(String, String)>,
    /// Sessions and each feature's county.
    pub auth: auth::AuthState,
}

/// Shared state.
pub type Shared = Arc<AppState>;

impl AppState {
    /// Load the store's latest `years` survey years (at least one) and its plan layers.
    /// `progress` is told each dataset.
    pub fn load(
        store: PathBuf,
        plan: Plan,
        years: usize,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<AppState, String> {
        let s = onemap_store::open(&store).map_err(|e| e.to_string())?;
        let mut kinds: Vec<Kind> = onemap_review::required_kinds(&plan);
        for k in [Kind::Xzq, Kind::Jbcy, Kind::Ghfq, Kind::Ghyd] {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        let stored = onemap_store::survey_years(&s.datasets().map_err(|e| e.to_string())?);
        let survey_years = stored[stored.len().saturating_sub(years.max(1))..].to_vec();
        let snap = Snapshot::load(
            &*s,
            &SnapshotRequest {
                survey_years,
                kinds,
                as_of: None,
            },
            progress,
        )
        .map_err(|e| e.to_string())?;
        let year = *snap
            .survey_years()
            .last()
            .ok_or("the store holds no survey")?;
        let mut collections = Vec::new();
        let mut tilesets = Vec::new();
        let mut layer_sets = Vec::new();
        for l in snap.layers() {
            let survey = if l.kind() == Kind::Dltb {
                l.year()
            } else {
                None
            };
            for (k, d) in l.datasets().iter().enumerate() {
                collections.push(Collection {
                    dataset: d.clone(),
                    survey,
                    kind: l.kind(),
                    range: l.dataset_range(k),
                });
                tilesets.push(Tileset {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    kind: l.kind(),
                    survey,
                    range: l.dataset_range(k),
                    version: d.sha256.get(..16).unwrap_or("").to_string(),
                    whole_layer: false,
                });
            }
            let hashes: String = l.datasets().iter().map(|d| d.sha256.as_str()).collect();
            let digest = onemap_store::audit::digest(hashes.as_bytes());
            layer_sets.push(Tileset {
                id: match survey {
                    Some(y) => format!("{}_{y}", l.kind().id()),
                    None => l.kind().id().to_string(),
                },
                name: match survey {
                    Some(y) => format!("{y}年 {}", l.kind().chinese()),
                    None => l.kind().chinese().to_string(),
                },
                kind: l.kind(),
                survey,
                range: 0..l.len() as u32,
                version: digest[..16].to_string(),
                whole_layer: true,
            });
        }
        tilesets.extend(layer_sets);
        Ok(AppState {
            plan,
            store,
            year,
            collections,
            tilesets,
            web: None,
            tiles: Mutex::new(HashMap::new()),
            results: Mutex::new(HashMap::new()),
            pending_reviews: Mutex::new(Vec::new()),
            review_writer: Mutex::new(None),
            counties: auth::counties_of(snap.layer(Kind::Xzq)),
            auth: Default::default(),
            snap,
        })
    }

    /// Serve the web application built into `dir` (its `index.html` and `assets/`).
    pub fn with_web(mut self, dir: Option<PathBuf>) -> AppState {
        self.web = dir;
        self
    }

    /// A tileset by id.
    pub fn tileset(&self, id: &str) -> Result<&Tileset, ApiError> {
        self.tilesets.iter().find(|t| t.id == id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("no tileset {id:?}; /api/meta lists the layers, /collections the datasets"),
            )
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
        self.layer_at(c.kind, c.survey)
    }

    /// The layer of a kind (and survey year, for the survey).
    pub fn layer_at(&self, kind: Kind, survey: Option<i32>) -> &Layer {
        match survey {
            Some(y) => self.snap.survey(y),
            None => self.snap.layer(kind),
        }
        .unwrap_or_else(|| unreachable_layer())
    }

    /// The store, opened for one request.
    pub fn open_store(&self) -> Result<Box<dyn Store + Send>, ApiError> {
        onemap_store::open(&self.store).map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// The extent of features `range` of a layer; infinite (min > max) when empty.
pub fn range_bbox(l: &Layer, range: std::ops::Range<u32>) -> [f64; 4] {
    let mut bb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for i in range {
        let x = l.bbox(i);
        if x[2] >= x[0] {
            bb = [
                bb[0].min(x[0]),
                bb[1].min(x[1]),
                bb[2].max(x[2]),
                bb[3].max(x[3]),
            ];
        }
    }
    bb
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
        .route("/api/conflicts", post(analysis::conflicts))
        .route("/api/indicators", get(analysis::indicators))
        .route("/api/monitor", get(analysis::monitor))
        .route("/api/alerts", get(analysis::alerts))
        .route("/api/reports/health-check", get(analysis::health_check))
        .route("/api/meta", get(web::meta))
        .route("/api/area", post(web::area))
        .route("/api/reviews", get(web::reviews))
        .route(
            "/api/session",
            get(auth::whoami).post(auth::sign_in).delete(auth::sign_out),
        )
        .route("/api/amendments", get(web::amendments))
        .route("/api/audit", get(web::audit))
        .route("/api/users", get(web::users))
        .route("/public", get(web::index))
        .route("/assets/{file}", get(web::asset))
        .route("/favicon.svg", get(web::favicon))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                "no such resource; / lists what there is",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serve until Ctrl-C or SIGTERM, finishing the requests in flight.
pub async fn serve(addr: std::net::SocketAddr, state: Shared) -> std::io::Result<()> {
    serve_on(tokio::net::TcpListener::bind(addr).await?, state).await
}

/// [`serve`] on a bound listener (bind first, then say where: no request is refused).
pub async fn serve_on(listener: tokio::net::TcpListener, state: Shared) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
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
