//! What the web application needs besides OGC API and tiles: its files (`/`, `/public`,
//! `/assets/…`), a description of the layers and counties (`/api/meta`), the area of a drawn
//! polygon by the survey's method (`/api/area`) and the projects reviewed so far
//! (`/api/reviews`).

use crate::auth::{Principal, Right};
use crate::{ApiError, Shared};
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use onemap_geodesy::sandiao::{feature_area, AreaFrame};
use onemap_survey::Kind;
use serde_json::{json, Value};

/// The web application's page, or the plain page listing the collections when no web
/// application was built.
pub fn index_page(s: &Shared, p: &Principal) -> Response {
    if let Some(dir) = &s.web {
        if let Ok(html) = std::fs::read_to_string(dir.join("index.html")) {
            return ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response();
        }
    }
    Html(crate::analysis::home_page(s, p)).into_response()
}

/// `/public`: the public page (the same application, read-only).
pub async fn index(State(s): State<Shared>, Extension(p): Extension<Principal>) -> Response {
    index_page(&s, &p)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// `/assets/{file}`: the built application's files. Their names carry a content hash, so
/// they are cached for a year.
pub async fn asset(State(s): State<Shared>, Path(file): Path<String>) -> Response {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no asset {file:?}"),
        )
        .into_response()
    };
    let Some(dir) = &s.web else {
        return not_found();
    };
    if file.contains(['/', '\\']) || file.starts_with('.') {
        return not_found();
    }
    match std::fs::read(dir.join("assets").join(&file)) {
        Ok(b) => (
            [
                (header::CONTENT_TYPE, content_type(&file)),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            b,
        )
            .into_response(),
        Err(_) => not_found(),
    }
}

/// `/favicon.svg`.
pub async fn favicon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#1d5c8f\"/><path d=\"M3 11l3-6 3 4 2-2 2 4z\" fill=\"#fff\"/></svg>",
    )
        .into_response()
}

fn bbox_json(b: [f64; 4]) -> Value {
    if b[0].is_finite() {
        json!(b)
    } else {
        Value::Null
    }
}

/// `/api/meta`: the user and their rights, the plan, the survey years served, the layers
/// (tilesets) grouped for the layer tree with the collections they hold, and the counties
/// with their extents — each as far as the user may see it.
pub async fn meta(State(s): State<Shared>, Extension(p): Extension<Principal>) -> Json<Value> {
    let visible = crate::ogc::visible_collections(&s, &p);
    let mut layers = Vec::new();
    for t in s.tilesets.iter().filter(|t| t.whole_layer) {
        if s.may_read(&p, t.kind, t.survey).is_err() {
            continue;
        }
        let l = s.layer_at(t.kind, t.survey);
        let mut all = Vec::new();
        let collections: Vec<Value> = visible
            .iter()
            .filter(|(c, _)| c.kind == t.kind && c.survey == t.survey)
            .map(|(c, f)| {
                all.extend_from_slice(f);
                let cb = crate::ogc::features_bbox(l, f);
                json!({"id": c.dataset.id, "name": c.dataset.name, "start": c.range.start, "end": c.range.end, "features": f.len(), "bbox": bbox_json(cb)})
            })
            .collect();
        layers.push(json!({
            "id": t.id,
            "name": t.name,
            "kind": t.kind.id(),
            "kind_name": t.kind.chinese(),
            "group": if t.kind == Kind::Dltb { "现状" } else { "规划" },
            "year": t.survey,
            "features": all.len(),
            "bbox": bbox_json(crate::ogc::features_bbox(l, &all)),
            "collections": collections,
        }));
    }
    let mut counties = Vec::new();
    if let Some(x) = s.snap.layer(Kind::Xzq) {
        for (i, (code, name)) in s.counties.iter().enumerate() {
            if p.county().is_some_and(|c| c != code) {
                continue;
            }
            counties.push(json!({
                "code": code,
                "name": name,
                "bbox": bbox_json(x.bbox(i as u32)),
            }));
        }
    }
    let pl = &s.plan.plan;
    // The store on the blocking pool (a PostGIS client must not run on the async workers).
    let s2 = s.clone();
    let versions: Vec<Value> = tokio::task::spawn_blocking(move || {
        s2.open_store()
            .ok()
            .and_then(|st| st.plan_versions().ok())
            .unwrap_or_default()
    })
    .await
    .unwrap_or_default()
    .iter()
        .map(|v| json!({"version": v.version, "approval": v.approval, "approved_on": v.approved_on, "authority": v.authority, "note": v.note}))
        .collect();
    Json(json!({
        "user": crate::auth::describe(&s, &p),
        "public": {"layers": s.plan.public.layers, "indicators": s.plan.public_indicators()},
        "versions": versions,
        "region": {"code": pl.region, "name": pl.region_name},
        "plan": {"name": pl.name, "approval": pl.approval, "approved_on": pl.approved_on, "approved_by": pl.approved_by, "base_year": pl.base_year, "target_year": pl.target_year},
        "year": s.year,
        "years": s.snap.survey_years(),
        "layers": layers,
        "counties": counties,
    }))
}

/// A ring of lon/lat vertices and whether it is a hole.
type Ring = (Vec<[f64; 2]>, bool);

/// The rings of a GeoJSON Polygon or MultiPolygon (or a Feature holding one), lon/lat, each
/// with `true` when it is a hole (a polygon's rings after its first).
fn geojson_rings(v: &Value) -> Result<Vec<Ring>, String> {
    let g = match v.get("type").and_then(Value::as_str) {
        Some("Feature") => v.get("geometry").ok_or("a Feature without geometry")?,
        _ => v,
    };
    let coords = g.get("coordinates").ok_or("no coordinates")?;
    let polys: Vec<&Value> = match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![coords],
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or("MultiPolygon coordinates are not an array")?
            .iter()
            .collect(),
        Some(t) => return Err(format!("a {t}; an area needs a Polygon or MultiPolygon")),
        None => return Err("no geometry type".into()),
    };
    let mut rings = Vec::new();
    let mut vertices = 0;
    for p in polys {
        let p = p.as_array().ok_or("polygon coordinates are not an array")?;
        for (n, r) in p.iter().enumerate() {
            let mut ring = Vec::new();
            for (k, pt) in r
                .as_array()
                .ok_or("a ring is not an array")?
                .iter()
                .enumerate()
            {
                let xy = pt
                    .as_array()
                    .filter(|a| a.len() >= 2)
                    .and_then(|a| Some([a[0].as_f64()?, a[1].as_f64()?]))
                    .ok_or_else(|| format!("vertex {} is not [lon, lat]", k + 1))?;
                if !(-180.0..=180.0).contains(&xy[0]) || !(-90.0..=90.0).contains(&xy[1]) {
                    return Err(format!(
                        "vertex {} ({}, {}) is not a longitude/latitude",
                        k + 1,
                        xy[0],
                        xy[1]
                    ));
                }
                ring.push(xy);
            }
            if ring.len() < 3 {
                return Err("a ring with fewer than 3 vertices".into());
            }
            vertices += ring.len();
            if vertices > crate::analysis::MAX_VERTICES {
                return Err(format!(
                    "more than {} vertices",
                    crate::analysis::MAX_VERTICES
                ));
            }
            rings.push((ring, n > 0));
        }
    }
    if rings.is_empty() {
        return Err("no rings".into());
    }
    Ok(rings)
}

/// `POST /api/area`: the area of a GeoJSON polygon (CRS84) by the survey's ellipsoidal
/// method (`sandiao`, CGCS2000), in m², 亩 and 公顷 — what the measuring tool shows.
pub async fn area(
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Read)?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad(format!("body: not JSON ({e})")))?;
    let rings = geojson_rings(&v).map_err(|e| ApiError::bad(format!("body: {e}")))?;
    let m2 = feature_area(
        AreaFrame::LonLat,
        rings.iter().map(|(r, hole)| (r.iter().copied(), *hole)),
    );
    let cents = onemap_geodesy::sandiao::to_cents(m2);
    use onemap_geodesy::units::AreaUnit;
    Ok(Json(json!({
        "area_m2": AreaUnit::SquareMetre.value(cents),
        "area_mu": AreaUnit::Mu.value(cents),
        "area_ha": AreaUnit::Hectare.value(cents),
        "method": "三调椭球面积（CGCS2000）"
    })))
}

/// `GET /api/reviews`: the latest parcels reviewed through `POST /api/check` (kept in the
/// store), as GeoJSON (the parcel, its verdict, its county, who and when); a county user's
/// own county's only.
pub async fn reviews(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Review)?;
    let list = tokio::task::spawn_blocking(move || {
        crate::analysis::flush_reviews(&s)?;
        s.open_store()?
            .reviews(p.county(), crate::analysis::MAX_REVIEWS)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let features: Vec<Value> = list
        .iter()
        .filter_map(|r| serde_json::from_str(&r.feature).ok())
        .collect();
    Ok(Json(
        json!({"type": "FeatureCollection", "features": features}),
    ))
}

/// `GET /api/amendments`: every amendment with its status and checks (not the change set's
/// geometry), newest first.
pub async fn amendments(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Amendments)?;
    let list = tokio::task::spawn_blocking(move || {
        s.open_store()?
            .amendments()
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let out: Vec<Value> = list
        .iter()
        .rev()
        .map(|a| {
            json!({"id": a.id, "status": a.status, "base_version": a.base_version,
                "proposed_at": a.proposed_at, "proposed_by": a.proposed_by, "source": a.source,
                "sha256": a.sha256,
                "checks": serde_json::from_str::<Value>(&a.checks).unwrap_or(Value::Null),
                "decided_at": a.decided_at, "decided_by": a.decided_by,
                "decision": a.decision, "version": a.version})
        })
        .collect();
    Ok(Json(json!({"amendments": out})))
}

/// `GET /api/audit?limit=`: whether the audit trail verifies, and its latest entries
/// (newest first, 100 unless `limit`).
pub async fn audit(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Admin)?;
    let limit = match q.get("limit") {
        None => 100,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::bad(format!("limit={v}: a whole number from 1")))?,
    };
    tokio::task::spawn_blocking(move || {
        let st = s.open_store()?;
        let internal = |e: onemap_store::StoreError| ApiError::internal(e.to_string());
        let verify = match st.audit_verify().map_err(internal)? {
            Ok((n, head)) => json!({"ok": true, "entries": n, "head": head}),
            Err(b) => json!({"ok": false, "seq": b.seq, "problem": b.message}),
        };
        let log = st.audit_log().map_err(internal)?;
        let latest: Vec<_> = log.iter().rev().take(limit).collect();
        Ok(Json(json!({"verify": verify, "entries": latest})))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// `GET /api/users`: the users and their roles (never a password hash).
pub async fn users(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Admin)?;
    let users = tokio::task::spawn_blocking(move || {
        s.open_store()?
            .users()
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let list: Vec<Value> = users
        .iter()
        .map(|u| json!({"name": u.name, "role": u.role.id(), "created_at": u.created_at, "created_by": u.created_by, "failures": u.failures, "locked_until": u.locked_until}))
        .collect();
    Ok(Json(json!({"users": list})))
}
