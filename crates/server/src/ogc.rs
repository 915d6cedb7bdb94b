//! OGC API – Features, Part 1 Core, GeoJSON encoding: landing page, conformance, collections,
//! items with bbox, limit, keyset paging and property equality filters, and single features.

use crate::auth::{forbidden, shows, Principal};
use crate::{ApiError, AppState, Collection, Shared};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo_types::MultiPolygon;
use onemap_overlay::Layer;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The largest `limit`.
pub const MAX_LIMIT: usize = 10_000;

/// `http://host` of a request, for absolute links.
pub(crate) fn base(h: &HeaderMap) -> String {
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn wants_html(h: &HeaderMap, q: &HashMap<String, String>) -> bool {
    match q.get("f").map(String::as_str) {
        Some("json") => false,
        Some("html") => true,
        _ => h
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html")),
    }
}

/// `/`: the web page for browsers, the JSON landing page for `Accept: application/json` or
/// `?f=json` (as pygeoapi negotiates).
pub async fn landing(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let b = base(&h);
    if wants_html(&h, &q) {
        return crate::web::index_page(&s, &p);
    }
    Json(json!({
        "title": format!("{} 一张图", s.plan.plan.region_name),
        "description": format!("{}（{}）实施监督一张图：现状、规划与管理数据服务", s.plan.plan.name, s.plan.plan.approval),
        "links": [
            {"href": format!("{b}/?f=json"), "rel": "self", "type": "application/json", "title": "本页"},
            {"href": format!("{b}/api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "OpenAPI"},
            {"href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "一致性声明"},
            {"href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "数据集"}
        ]
    }))
    .into_response()
}

/// `/conformance`.
pub async fn conformance() -> Json<Value> {
    Json(json!({"conformsTo": [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
    ]}))
}

/// The features of a collection a principal sees (every one unless a county user), or 401
/// when the layer is not theirs to read.
pub(crate) fn collection_features(
    s: &AppState,
    p: &Principal,
    c: &Collection,
) -> Result<Vec<u32>, ApiError> {
    s.may_read(p, c.kind, c.survey)?;
    let v = s.visible(p, c.kind, c.survey);
    Ok(c.range.clone().filter(|&i| shows(&v, i)).collect())
}

/// The collections a principal sees, each with its visible features: a county user's are
/// those holding features of the county.
pub(crate) fn visible_collections<'a>(
    s: &'a AppState,
    p: &Principal,
) -> Vec<(&'a Collection, Vec<u32>)> {
    s.collections
        .iter()
        .filter_map(|c| {
            collection_features(s, p, c)
                .ok()
                .filter(|f| !f.is_empty() || p.county().is_none())
                .map(|f| (c, f))
        })
        .collect()
}

/// Extent of some features of a layer; infinite (min > max) when none.
pub(crate) fn features_bbox(l: &Layer, ids: &[u32]) -> [f64; 4] {
    ids.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |bb, &i| {
            let x = l.bbox(i);
            if x[2] >= x[0] {
                [
                    bb[0].min(x[0]),
                    bb[1].min(x[1]),
                    bb[2].max(x[2]),
                    bb[3].max(x[3]),
                ]
            } else {
                bb
            }
        },
    )
}

fn collection_json(s: &Shared, c: &Collection, feats: &[u32], b: &str) -> Value {
    let bb = features_bbox(s.layer(c), feats);
    let bbox = if bb[0].is_finite() {
        json!([bb])
    } else {
        json!([[-180, -90, 180, 90]])
    };
    let id = &c.dataset.id;
    json!({
        "id": id,
        "title": c.dataset.name,
        "description": format!("{}，{} 个要素，来源 {}（SHA-256 {}）", c.kind.chinese(), feats.len(), c.dataset.source, c.dataset.sha256),
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {"spatial": {"bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "links": [
            {"href": format!("{b}/collections/{id}"), "rel": "self", "type": "application/json", "title": c.dataset.name},
            {"href": format!("{b}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": "要素"},
            {"href": format!("{b}/tiles/{id}.json"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": "application/json", "title": "矢量瓦片 (TileJSON)"}
        ]
    })
}

/// `/collections`.
pub async fn collections(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
) -> Json<Value> {
    let b = base(&h);
    let list: Vec<Value> = visible_collections(&s, &p)
        .iter()
        .map(|(c, f)| collection_json(&s, c, f, &b))
        .collect();
    Json(json!({
        "links": [{"href": format!("{b}/collections"), "rel": "self", "type": "application/json", "title": "数据集"}],
        "collections": list
    }))
}

/// A collection a principal may see: 401/403 when not theirs, with its visible features.
fn visible_collection<'a>(
    s: &'a AppState,
    p: &Principal,
    id: &str,
) -> Result<(&'a Collection, Vec<u32>), ApiError> {
    let c = s.collection(id)?;
    let feats = collection_features(s, p, c)?;
    if feats.is_empty() && p.county().is_some() && !c.range.is_empty() {
        return Err(forbidden(format!("{id} 不含本县（旗、市、区）的要素")));
    }
    Ok((c, feats))
}

/// `/collections/{id}`.
pub async fn collection(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (c, feats) = visible_collection(&s, &p, &id)?;
    Ok(Json(collection_json(&s, c, &feats, &base(&h))))
}

/// GeoJSON geometry of polygons.
pub fn geometry(mp: &MultiPolygon<f64>) -> Value {
    let polys: Vec<Value> =
        mp.0.iter()
            .map(|p| {
                Value::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| Value::Array(r.0.iter().map(|c| json!([c.x, c.y])).collect()))
                        .collect(),
                )
            })
            .collect();
    json!({"type": "MultiPolygon", "coordinates": polys})
}

fn properties(l: &Layer, i: u32) -> Map<String, Value> {
    let mut m = Map::new();
    for (f, name) in l.field_names().iter().enumerate() {
        let v = if l.is_numeric(f) {
            l.num(f, i).map_or(Value::Null, |x| json!(x))
        } else {
            Value::String(l.text(f, i).into_owned())
        };
        m.insert(name.clone(), v);
    }
    m
}

fn feature(l: &Layer, c: &Collection, i: u32) -> Value {
    json!({
        "type": "Feature",
        "id": i - c.range.start + 1,
        "geometry": geometry(&l.polygons(i)),
        "properties": properties(l, i)
    })
}

/// `/collections/{id}/items`.
pub async fn items(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (c, feats) = visible_collection(&s, &p, &id)?;
    let l = s.layer(c);
    let v = s.visible(&p, c.kind, c.survey);
    let mut limit = 100usize;
    let mut after = 0u32;
    let mut bbox: Option<[f64; 4]> = None;
    let mut filters: Vec<(usize, String)> = Vec::new();
    for (k, v) in &q {
        match k.as_str() {
            "f" => {
                if v != "json" {
                    return Err(ApiError::bad(format!(
                        "f={v}: only json (GeoJSON) is offered"
                    )));
                }
            }
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| ApiError::bad(format!("limit={v}: a whole number from 1")))?
                    .min(MAX_LIMIT);
            }
            "after" => {
                after = v
                    .parse()
                    .map_err(|_| ApiError::bad(format!("after={v}: a feature id")))?;
            }
            "bbox" => bbox = Some(parse_bbox(v)?),
            _ => {
                let f = l.field(k).ok_or_else(|| {
                    ApiError::bad(format!(
                        "unknown parameter {k:?}; filters are the fields {}",
                        l.field_names().join(", ")
                    ))
                })?;
                filters.push((f, v.clone()));
            }
        }
    }
    let r = c.range.clone();
    let mut ids: Vec<u32> = match bbox {
        Some(bb) => {
            let mut ids: Vec<u32> = l
                .query(bb)
                .filter(|&i| r.contains(&i) && shows(&v, i))
                .collect();
            ids.sort_unstable();
            ids
        }
        None => feats,
    };
    let matches = |i: u32| filters.iter().all(|(f, v)| l.text(*f, i) == v.as_str());
    ids.retain(|&i| matches(i));
    let matched = ids.len();
    ids.retain(|&i| i - r.start + 1 > after);
    let mut out = Vec::with_capacity(limit.min(1024));
    let mut next = None;
    for i in ids {
        if out.len() == limit {
            next = Some(out.len());
            break;
        }
        out.push(i);
    }
    let b = base(&h);
    let mut links = vec![
        json!({"href": format!("{b}/collections/{id}/items"), "rel": "self", "type": "application/geo+json"}),
    ];
    if let (Some(_), Some(&last)) = (next, out.last()) {
        let mut params: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "after")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        params.sort();
        params.push(format!("after={}", last - r.start + 1));
        links.push(json!({"href": format!("{b}/collections/{id}/items?{}", params.join("&")), "rel": "next", "type": "application/geo+json"}));
    }
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": out.len(),
        "timeStamp": onemap_store::now_rfc3339(),
        "links": links,
        "features": out.iter().map(|&i| feature(l, c, i)).collect::<Vec<_>>()
    });
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.to_string(),
    )
        .into_response())
}

/// `bbox=minx,miny,maxx,maxy` in CRS84.
pub fn parse_bbox(v: &str) -> Result<[f64; 4], ApiError> {
    let n: Vec<f64> = v
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::bad(format!("bbox={v}: four numbers minx,miny,maxx,maxy")))?;
    let [a, b, c, d] = n[..] else {
        return Err(ApiError::bad(format!(
            "bbox={v}: four numbers minx,miny,maxx,maxy"
        )));
    };
    if !(-180.0..=180.0).contains(&a)
        || !(-180.0..=180.0).contains(&c)
        || !(-90.0..=90.0).contains(&b)
        || !(-90.0..=90.0).contains(&d)
        || a > c
        || b > d
    {
        return Err(ApiError::bad(format!(
            "bbox={v}: out of range (longitude −180…180, latitude −90…90, min ≤ max)"
        )));
    }
    Ok([a, b, c, d])
}

/// `/collections/{id}/items/{featureId}`.
pub async fn item(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Path((id, fid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let c = s.collection(&id)?;
    s.may_read(&p, c.kind, c.survey)?;
    let l = s.layer(c);
    let n: u32 = fid
        .parse()
        .ok()
        .filter(|n| *n >= 1 && (*n as usize) <= c.range.len())
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "NotFound",
                format!("no feature {fid:?} in {id}"),
            )
        })?;
    let i = c.range.start + n - 1;
    if !shows(&s.visible(&p, c.kind, c.survey), i) {
        return Err(forbidden(format!(
            "{id} 的要素 {n} 不在本县（旗、市、区）范围内"
        )));
    }
    let mut body = feature(l, c, i);
    let b = base(&h);
    body["links"] = json!([
        {"href": format!("{b}/collections/{id}/items/{n}"), "rel": "self", "type": "application/geo+json", "title": "本要素"},
        {"href": format!("{b}/collections/{id}"), "rel": "collection", "type": "application/json", "title": c.dataset.name}
    ]);
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.to_string(),
    )
        .into_response())
}

/// `/api`: the OpenAPI 3.0 document.
pub async fn openapi(State(s): State<Shared>, h: HeaderMap) -> Response {
    let b = base(&h);
    let p = |summary: &str| json!({"get": {"summary": summary, "responses": {"200": {"description": "OK"}, "400": {"description": "bad request"}, "404": {"description": "not found"}}}});
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": format!("{} 一张图 API", s.plan.plan.region_name), "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": b}],
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "the token of POST /api/session"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE}
        }},
        "security": [{}, {"bearer": []}, {"cookie": []}],
        "paths": {
            "/": p("Landing page"),
            "/conformance": p("Conformance declaration"),
            "/collections": p("Collections (the store's current datasets)"),
            "/collections/{collectionId}": {"get": {"summary": "A collection", "parameters": [{"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "OK"}, "404": {"description": "not found"}}}},
            "/collections/{collectionId}/items": {"get": {"summary": "Features (bbox, limit ≤ 10000, after, property=value)", "parameters": [
                {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false, "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
                {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
                {"name": "after", "in": "query", "required": false, "schema": {"type": "integer"}}
            ], "responses": {"200": {"description": "GeoJSON FeatureCollection"}, "400": {"description": "bad request"}, "404": {"description": "not found"}}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "A feature", "parameters": [
                {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}}
            ], "responses": {"200": {"description": "GeoJSON Feature"}, "404": {"description": "not found"}}}},
            "/tiles/{tilesetId}/{z}/{x}/{y}.mvt": p("Mapbox vector tile (Web Mercator) of a collection, or of a whole layer (dltb_{year}, or a plan layer's kind; /api/meta lists them)"),
            "/tiles/{tilesetId}.json": p("TileJSON 3.0 of a tileset"),
            "/style.json": p("MapLibre style: every layer in the standard land-class colours"),
            "/api/meta": p("The plan, the survey years served, the layers with their collections, the counties"),
            "/api/area": {"post": {"summary": "Area of a GeoJSON (Multi)Polygon in CRS84 by the survey's ellipsoidal method, in m², 亩 and 公顷", "responses": {"200": {"description": "the area"}, "400": {"description": "bad input"}}}},
            "/api/reviews": p("The latest 1000 parcels reviewed through /api/check, kept in the store (GeoJSON; a county user: their county)"),
            "/public": p("The public page (web application)"),
            "/api/conflicts": {"post": {"summary": "Special plan conflict analysis (专项规划冲突检测) of a GeoJSON, GeoPackage or zipped shapefile layer (?plan_type=, ?width= or ?width_field=, ?corridor=, ?format=json|html|docx|gpkg)", "responses": {"200": {"description": "the analysis, the report or the GeoPackage"}, "400": {"description": "bad input"}, "413": {"description": "too large"}}}},
            "/api/check": {"post": {"summary": "Project review of a coordinate TXT, GeoJSON or zipped shapefile (?purpose=, ?format=json|html|docx)", "responses": {"200": {"description": "the review"}, "400": {"description": "bad input"}, "413": {"description": "too large"}}}},
            "/api/indicators": p("Indicators of a survey year (?year=, ?as_of=YYYY-MM-DD: the plan version in force that day)"),
            "/api/monitor": p("Transition matrix and alerts between two years (?from=&to=)"),
            "/api/alerts": p("Alerts of the latest monitoring run"),
            "/api/reports/health-check": p("Annual health-check report (?year=&format=html|docx)"),
            "/api/session": {
                "get": {"summary": "Who is signed in: name (null for the public), role, county, rights", "responses": {"200": {"description": "the user"}}},
                "post": {"summary": "Sign in with {\"name\", \"password\"}: a bearer token and an HTTP-only session cookie", "responses": {"200": {"description": "token, role, rights, expires_at"}, "401": {"description": "wrong name or password"}, "403": {"description": "account locked"}}},
                "delete": {"summary": "Sign out", "responses": {"204": {"description": "signed out"}}}
            },
            "/api/amendments": p("Plan amendments with their status and checks (city, approver, admin)"),
            "/api/audit": p("The audit trail: whether it verifies, the latest entries (?limit=; admin)"),
            "/api/users": p("The users and their roles (admin)")
        }
    });
    (
        [(
            header::CONTENT_TYPE,
            "application/vnd.oai.openapi+json;version=3.0",
        )],
        doc.to_string(),
    )
        .into_response()
}
