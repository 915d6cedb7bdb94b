//! The analysis API: project review (`POST /api/check`), indicators, monitoring, alerts and
//! the health-check report. Heavy work runs on the blocking pool; results of the read-only
//! analyses are cached per request key for the life of the process.

use crate::auth::{forbidden, Principal, Right};
use crate::{ApiError, AppState, Shared, MAX_BODY};
use axum::extract::{Extension, FromRequest, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_review::{read_parcels, Purpose, Reviewer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

/// Most parcels reviewed in one request.
pub const MAX_PARCELS: usize = 500;
/// Most vertices in one request.
pub const MAX_VERTICES: usize = 200_000;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

fn cached(
    s: &Shared,
    key: String,
    f: impl FnOnce() -> Result<Value, ApiError>,
) -> Result<Arc<Value>, ApiError> {
    if let Some(v) = s.results.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(v);
    }
    let v = Arc::new(f()?);
    if let Ok(mut m) = s.results.lock() {
        m.insert(key, v.clone());
    }
    Ok(v)
}

/// The file kind of an upload: from the content type, the file name, or its first bytes.
fn upload_kind(content_type: &str, name: Option<&str>, body: &[u8]) -> &'static str {
    let ext = name
        .and_then(|n| n.rsplit('.').next())
        .map(str::to_ascii_lowercase);
    if content_type.contains("zip") || ext.as_deref() == Some("zip") || body.starts_with(b"PK") {
        "zip"
    } else if content_type.contains("geopackage")
        || ext.as_deref() == Some("gpkg")
        || body.starts_with(b"SQLite format 3\0")
    {
        "gpkg"
    } else if content_type.contains("json")
        || matches!(ext.as_deref(), Some("geojson" | "json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
    {
        "geojson"
    } else {
        "txt"
    }
}

/// Write an upload where the readers can open it; a zipped shapefile is unpacked (names are
/// reduced to their last component, so nothing is written outside the directory).
fn stage(dir: &std::path::Path, kind: &str, body: &[u8]) -> Result<std::path::PathBuf, ApiError> {
    let io = |e: std::io::Error| ApiError::internal(e.to_string());
    match kind {
        "zip" => {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(body))
                .map_err(|e| ApiError::bad(format!("upload: not a zip file ({e})")))?;
            let mut shp = None;
            for i in 0..z.len() {
                let mut f = z
                    .by_index(i)
                    .map_err(|e| ApiError::bad(format!("upload: {e}")))?;
                let name = f
                    .name()
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                if !matches!(ext.as_str(), "shp" | "shx" | "dbf" | "prj" | "cpg") {
                    continue;
                }
                if f.size() > MAX_BODY as u64 * 4 {
                    return Err(ApiError::bad(format!("upload: {name} is too large")));
                }
                let mut b = Vec::new();
                f.read_to_end(&mut b).map_err(io)?;
                let stem = format!("parcels.{ext}");
                std::fs::write(dir.join(&stem), b).map_err(io)?;
                if ext == "shp" {
                    shp = Some(dir.join(stem));
                }
            }
            shp.ok_or_else(|| ApiError::bad("upload: the zip holds no .shp"))
        }
        k => {
            let p = dir.join(format!("parcels.{k}"));
            std::fs::write(&p, body).map_err(io)?;
            Ok(p)
        }
    }
}

/// The body of an upload: raw, or the multipart field `file` (with its file name); and the
/// content type. An empty body is a 400.
async fn read_upload(
    req: Request,
) -> Result<(axum::body::Bytes, Option<String>, String), ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (body, name) = if ct.starts_with("multipart/form-data") {
        let mut mp = axum::extract::Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad(e.body_text()))?;
        let mut found = None;
        while let Some(f) = mp
            .next_field()
            .await
            .map_err(|e| ApiError::bad(e.body_text()))?
        {
            if f.name() == Some("file") {
                let name = f.file_name().map(String::from);
                let b = f.bytes().await.map_err(|e| ApiError::bad(e.body_text()))?;
                found = Some((b, name));
                break;
            }
        }
        found.ok_or_else(|| ApiError::bad("multipart upload without a `file` field"))?
    } else {
        let b = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PayloadTooLarge",
                    format!("the body is over {} MB", MAX_BODY >> 20),
                )
            })?;
        (b, None)
    };
    if body.is_empty() {
        return Err(ApiError::bad(
            "empty body: send a coordinate TXT, GeoJSON, GeoPackage or zipped shapefile",
        ));
    }
    Ok((body, name, ct))
}

/// `?format=` (default json), one of `allowed`.
fn format_of(q: &HashMap<String, String>, allowed: &[&str]) -> Result<String, ApiError> {
    let f = q.get("format").map_or("json", String::as_str);
    if allowed.contains(&f) {
        Ok(f.to_string())
    } else {
        Err(ApiError::bad(format!("format={f}: {}", allowed.join(", "))))
    }
}

/// Most features in one `POST /api/conflicts`.
pub const MAX_SPECIAL_FEATURES: usize = 20_000;
/// Most vertices in one `POST /api/conflicts`.
pub const MAX_SPECIAL_VERTICES: usize = 2_000_000;

/// `POST /api/conflicts`: a special plan's layer (GeoJSON, GeoPackage or zipped shapefile,
/// raw or as the multipart field `file`) against the control lines, as `onemap conflicts`:
/// `?plan_type=` (required), `?width=` or `?width_field=`, `?corridor=`, and `?format=json`
/// (the analysis with the features as GeoJSON for the map), `html`/`docx` (the report) or
/// `gpkg` (conflict pieces, footprints and detours for QGIS). A county user may analyse only
/// layers inside their county.
pub async fn conflicts(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Result<Response, ApiError> {
    use onemap_review::conflicts as c;
    p.require(Right::Review)?;
    let num = |k: &str| {
        q.get(k)
            .map(|v| {
                v.parse::<f64>()
                    .map_err(|_| ApiError::bad(format!("{k}={v}: a number of metres")))
            })
            .transpose()
    };
    let plan_type = q
        .get("plan_type")
        .ok_or_else(|| ApiError::bad("plan_type= is required (transport, water, energy, municipal, public, ecology, heritage, other)"))?;
    let opts = c::options(
        plan_type,
        num("width")?,
        q.get("width_field").map(String::as_str),
        num("corridor")?.unwrap_or(500.0),
    )
    .map_err(|e| ApiError::bad(e.replace("--", "").replace('-', "_")))?;
    let format = format_of(&q, &["json", "html", "docx", "gpkg"])?;
    let (body, name, ct) = read_upload(req).await?;
    let kind = upload_kind(&ct, name.as_deref(), &body);
    let s2 = s.clone();
    blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| ApiError::internal(e.to_string()))?;
        let hide = |e: String| e.replace(&dir.path().display().to_string(), "upload");
        let path = stage(dir.path(), kind, &body)?;
        let features = c::read_special(&path, &Default::default(), &opts)
            .map_err(|e| ApiError::bad(hide(e.to_string())))?;
        let vertices: usize = features
            .iter()
            .flat_map(|f| f.parcel.polygons.0.iter())
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
        if features.len() > MAX_SPECIAL_FEATURES || vertices > MAX_SPECIAL_VERTICES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "TooMuchWork",
                format!(
                    "{} features with {vertices} footprint vertices; one request analyses at most {MAX_SPECIAL_FEATURES} features and {MAX_SPECIAL_VERTICES} vertices",
                    features.len()
                ),
            ));
        }
        let reviewer = Reviewer::new(&s2.snap, &s2.plan, None)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .also_measure(&[onemap_survey::Kind::Xzq]);
        let analysed: Vec<c::FeatureConflicts> =
            c::analyse(&reviewer, &features, &opts).into_iter().map(|x| x.0).collect();
        if let Some(code) = p.county() {
            let outside: Vec<String> = analysed
                .iter()
                .filter(|f| f.county.as_deref() != Some(code))
                .take(5)
                .map(|f| f.name.clone().or_else(|| f.id.clone()).unwrap_or_else(|| format!("第 {} 个要素", f.index + 1)))
                .collect();
            if !outside.is_empty() {
                return Err(forbidden(format!(
                    "{} 等要素不在本县（旗、市、区）范围内，县级用户只能分析本辖区内的专项规划",
                    outside.join("、")
                )));
            }
        }
        let file = name.clone().unwrap_or_else(|| format!("上传的专项规划（{kind}）"));
        let rep = c::report(&opts, reviewer.year(), analysed.clone(), Vec::new());
        match format.as_str() {
            "json" => {
                let map: Vec<Value> = features
                    .iter()
                    .zip(&analysed)
                    .map(|(f, a)| {
                        let geometry = if f.lines.is_empty() {
                            crate::ogc::geometry(&f.parcel.polygons)
                        } else {
                            json!({"type": "MultiLineString", "coordinates": f.lines})
                        };
                        json!({"type": "Feature", "geometry": geometry, "properties": {
                            "index": a.index, "id": a.id, "name": a.name, "verdict": a.verdict,
                            "conflicts": a.conflicts.iter().map(|k| k.name.clone()).collect::<Vec<_>>().join("、"),
                        }})
                    })
                    .collect();
                Ok(Json(json!({
                    "file": file, "plan": s2.plan.plan.name, "report": rep,
                    "map": {"type": "FeatureCollection", "features": map},
                }))
                .into_response())
            }
            "gpkg" => {
                let out = dir.path().join("conflicts.gpkg");
                c::write_gpkg(&out, &reviewer, &features, &analysed)
                    .map_err(|e| ApiError::internal(hide(e.to_string())))?;
                let b = std::fs::read(&out).map_err(|e| ApiError::internal(e.to_string()))?;
                Ok((
                    [
                        (header::CONTENT_TYPE, "application/geopackage+sqlite3".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            "attachment; filename=\"conflicts.gpkg\"".to_string(),
                        ),
                    ],
                    b,
                )
                    .into_response())
            }
            f => {
                let meta = onemap_report::conflicts::ConflictMeta {
                    file: file.clone(),
                    date: onemap_formats::today(),
                    width: c::width_words(&opts),
                };
                let doc = onemap_report::conflicts::conflicts_report(&rep, &features, &s2.snap, &s2.plan, &meta);
                report_response(&s2, &p, &doc, f, "专项规划符合性分析报告", &format!("{file} 专项规划符合性分析报告"))
            }
        }
    })
    .await
}

/// `POST /api/check`: a coordinate TXT, GeoJSON or zipped shapefile, raw or as the multipart
/// field `file`; `?purpose=` as in the CLI; `?format=html|docx` returns the report.
pub async fn check(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Result<Response, ApiError> {
    p.require(Right::Review)?;
    let purpose = q
        .get("purpose")
        .map(|p| {
            Purpose::parse(p)
                .ok_or_else(|| ApiError::bad(format!("purpose={p}: urban, linear, rural or other")))
        })
        .transpose()?;
    let format = format_of(&q, &["json", "html", "docx"])?;
    let (body, name, ct) = read_upload(req).await?;
    let kind = upload_kind(&ct, name.as_deref(), &body);
    let s2 = s.clone();
    blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| ApiError::internal(e.to_string()))?;
        let path = stage(dir.path(), kind, &body)?;
        let parcels = read_parcels(&path, &Default::default(), purpose, &s2.plan).map_err(|e| {
            ApiError::bad(e.to_string().replace(&dir.path().display().to_string(), "upload"))
        })?;
        let vertices: usize = parcels
            .iter()
            .flat_map(|p| p.polygons.0.iter())
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
        if parcels.len() > MAX_PARCELS || vertices > MAX_VERTICES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "TooMuchWork",
                format!(
                    "{} parcels with {vertices} vertices; one request reviews at most {MAX_PARCELS} parcels and {MAX_VERTICES} vertices",
                    parcels.len()
                ),
            ));
        }
        let counties: Vec<Option<usize>> = parcels
            .iter()
            .map(|x| parcel_county(&s2, &p, x))
            .collect::<Result<_, _>>()?;
        let reviewer = Reviewer::new(&s2.snap, &s2.plan, None)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let reviews: Vec<_> = parcels.iter().map(|p| reviewer.review(p)).collect();
        match format.as_str() {
            "json" => {
                let v = json!({"year": reviewer.year(), "plan": s2.plan.plan.name, "parcels": reviews});
                record_reviews(&s2, &p, &parcels, &counties, &v, name.as_deref())?;
                Ok(Json(v).into_response())
            }
            f => {
                let meta = onemap_report::review::ReviewMeta {
                    file: name.unwrap_or_else(|| format!("上传的红线（{kind}）")),
                    date: onemap_formats::today(),
                    year: reviewer.year(),
                };
                let what = format!("{} 审查报告", meta.file);
                let doc = onemap_report::review::review_report(&reviews, &parcels, &s2.snap, &s2.plan, &meta);
                report_response(&s2, &p, &doc, f, "审查报告", &what)
            }
        }
    })
    .await
}

/// Most reviewed parcels listed by `/api/reviews`.
pub const MAX_REVIEWS: usize = 1000;

/// The county (index) holding most of a parcel. A county user may review only parcels
/// inside their county: 403 naming the parcel and the area outside otherwise (1 m² or 0.1 %
/// is allowed for boundary noise).
fn parcel_county(
    s: &AppState,
    p: &Principal,
    parcel: &onemap_review::Parcel,
) -> Result<Option<usize>, ApiError> {
    use onemap_overlay::clip;
    let mp = &parcel.polygons;
    let total = clip::area(mp);
    let bb = clip::bbox(mp);
    let mut by_county: Vec<(usize, f64)> = Vec::new();
    if let Some(x) = s.snap.layer(onemap_survey::Kind::Xzq) {
        for i in x.query(bb) {
            let cover = clip::rings_in_box(x.rings(i), bb).0;
            let a = clip::area(&clip::intersection_with_union(mp, cover));
            if a > 0.0 {
                by_county.push((i as usize, a));
            }
        }
    }
    by_county.sort_by(|a, b| b.1.total_cmp(&a.1));
    if p.county().is_some() {
        let own = by_county
            .iter()
            .find(|(k, _)| *k == p.scope as usize)
            .map_or(0.0, |x| x.1);
        let outside = total - own;
        if outside > (total * 1e-3).max(1.0) {
            let label = parcel
                .name
                .clone()
                .or_else(|| parcel.id.clone())
                .unwrap_or_else(|| format!("第 {} 个地块", parcel.index + 1));
            return Err(forbidden(format!(
                "{label} 有 {outside:.2} 平方米在本县（旗、市、区）范围之外，县级用户只能审查本辖区内的项目"
            )));
        }
    }
    Ok(by_county.first().map(|x| x.0))
}

/// Keep the parcels of a review in the store (the map's 管理 layer on every instance), with
/// the county holding each; audited.
fn record_reviews(
    s: &Shared,
    p: &Principal,
    parcels: &[onemap_review::Parcel],
    counties: &[Option<usize>],
    v: &Value,
    file: Option<&str>,
) -> Result<(), ApiError> {
    let at = onemap_store::now_rfc3339();
    let records: Vec<onemap_store::ReviewRecord> = parcels
        .iter()
        .zip(counties)
        .zip(v["parcels"].as_array().into_iter().flatten())
        .map(|((x, c), r)| {
            let county = c.and_then(|k| s.counties.get(k)).map(|x| x.0.clone());
            let feature = json!({"type": "Feature", "geometry": crate::ogc::geometry(&x.polygons), "properties": {
                "name": r["name"], "id": r["id"], "purpose": r["purpose"], "verdict": r["verdict"],
                "area_m2": r["area_m2"], "file": file, "at": at, "county": county, "by": p.name
            }});
            onemap_store::ReviewRecord {
                actor: p.actor(),
                name: x
                    .name
                    .clone()
                    .or_else(|| x.id.clone())
                    .unwrap_or_else(|| format!("{}第 {} 个地块", file.unwrap_or("上传文件"), x.index + 1)),
                verdict: r["verdict"].as_str().unwrap_or("").to_string(),
                county,
                feature: feature.to_string(),
            }
        })
        .collect();
    s.pending_reviews
        .lock()
        .map_err(crate::auth::poisoned)?
        .extend(records);
    flush_reviews(s)
}

/// Write the reviews waiting to be kept, in one transaction (group commit: while one request
/// writes, those arriving queue their parcels, and the next to get the lock writes them all;
/// a request returns once its parcels are in the store).
pub fn flush_reviews(s: &AppState) -> Result<(), ApiError> {
    use crate::auth::poisoned;
    // The writer's own store handle, kept open (opening one per write costs more than the
    // write), dropped after a failure so the next write opens a fresh one.
    let mut writer = s.review_writer.lock().map_err(poisoned)?;
    let batch = std::mem::take(&mut *s.pending_reviews.lock().map_err(poisoned)?);
    if batch.is_empty() {
        return Ok(());
    }
    let store = match writer.as_mut() {
        Some(st) => st,
        None => writer.insert(s.open_store()?),
    };
    let r = store.record_reviews(&batch);
    if r.is_err() {
        *writer = None;
    }
    r.map_err(|e| ApiError::internal(e.to_string()))
}

/// The report as a response, recorded in the store's audit trail with its digest.
fn report_response(
    s: &Shared,
    p: &Principal,
    doc: &onemap_report::Doc,
    format: &str,
    stem: &str,
    what: &str,
) -> Result<Response, ApiError> {
    let audit = |bytes: &[u8]| -> Result<(), ApiError> {
        s.open_store()?
            .audit(
                &p.actor(),
                "report",
                what,
                &format!("{what}（{format}，{} 字节，经 Web 生成）", bytes.len()),
                &onemap_store::audit::digest(bytes),
            )
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(())
    };
    if format == "docx" {
        let b = doc
            .to_docx()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        audit(&b)?;
        Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        .to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"report.docx\"; filename*=UTF-8''{}.docx",
                        urlencode(stem)
                    ),
                ),
            ],
            b,
        )
            .into_response())
    } else {
        let html = doc.to_html();
        audit(html.as_bytes())?;
        Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn year_param(q: &HashMap<String, String>, name: &str) -> Result<Option<i32>, ApiError> {
    q.get(name)
        .map(|v| {
            v.parse::<i32>()
                .ok()
                .filter(|y| (1949..=2100).contains(y))
                .ok_or_else(|| ApiError::bad(format!("{name}={v}: a year")))
        })
        .transpose()
}

fn missing(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "NotFound", e.to_string())
}

/// `?as_of=YYYY-MM-DD`: the plan version in force that day.
fn as_of_param(q: &HashMap<String, String>) -> Result<Option<String>, ApiError> {
    q.get("as_of")
        .map(|d| {
            if onemap_store::valid_date(d) {
                Ok(d.clone())
            } else {
                Err(ApiError::bad(format!("as_of={d}: a date YYYY-MM-DD")))
            }
        })
        .transpose()
}

fn assessment(
    s: &Shared,
    year: Option<i32>,
    as_of: Option<&str>,
) -> Result<
    (
        onemap_plan::assess::Assessment,
        onemap_overlay::Snapshot,
        Vec<onemap_store::Dataset>,
        Vec<onemap_store::StatRow>,
    ),
    ApiError,
> {
    let store = s.open_store()?;
    let (snap, tallies) =
        onemap_plan::count_years(&*store, &s.plan, year, as_of, &mut |_, _| {}).map_err(missing)?;
    let y = year
        .or_else(|| tallies.keys().last().copied())
        .ok_or_else(|| missing("no survey year"))?;
    let stats = store
        .stats()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let a = onemap_plan::assess::assess(&s.plan, y, &tallies, &stats, &Default::default())
        .map_err(ApiError::bad)?;
    let ds = store
        .datasets()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((a, snap, ds, stats))
}

/// `GET /api/indicators?year=`: every indicator for signed-in users; the public gets the
/// `[public]` indicators; a county user gets their county's figures in place of the
/// region's (value, target, grade, change), and no other county.
pub async fn indicators(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let year = year_param(&q, "year")?;
    let as_of = as_of_param(&q)?;
    let s2 = s.clone();
    let mut v = blocking(move || assessment_json(&s2, year, as_of.as_deref()))
        .await?
        .as_ref()
        .clone();
    if let Some(code) = p.county() {
        county_indicators(&mut v, code);
    }
    if p.access == crate::auth::Access::Public {
        let public = s.plan.public_indicators();
        if let Some(list) = v["indicators"].as_array_mut() {
            list.retain(|i| i["id"].as_str().is_some_and(|id| public.contains(&id)));
        }
    }
    Ok(Json(v))
}

/// The assessment of a year as JSON, computed once per year and plan date.
fn assessment_json(
    s: &Shared,
    year: Option<i32>,
    as_of: Option<&str>,
) -> Result<Arc<Value>, ApiError> {
    cached(s, format!("indicators-{year:?}-{as_of:?}"), || {
        let (a, ..) = assessment(s, year, as_of)?;
        serde_json::to_value(&a).map_err(|e| ApiError::internal(e.to_string()))
    })
}

/// An assessment narrowed to one county: each indicator carries the county's value, target,
/// grade, reason and series; the region's figures and the other counties are dropped.
fn county_indicators(v: &mut Value, code: &str) {
    let Some(list) = v["indicators"].as_array_mut() else {
        return;
    };
    for i in list {
        let unit = i["units"]
            .as_array()
            .and_then(|u| u.iter().find(|x| x["code"] == code))
            .cloned();
        let Some(mut u) = unit else {
            for k in ["value", "target", "previous", "projection"] {
                i[k] = Value::Null;
            }
            i["status"] = json!(onemap_plan::assess::Status::Unknown);
            i["reason"] = json!("本县（旗、市、区）无此指标的数据");
            i["units"] = json!([]);
            i["series"] = json!([]);
            continue;
        };
        for k in ["value", "target", "status", "reason"] {
            i[k] = u[k].clone();
        }
        i["series"] = u["series"].take();
        i["previous"] = match (u["value"].as_f64(), u["change"].as_f64()) {
            (Some(x), Some(d)) => json!(x - d),
            _ => Value::Null,
        };
        i["projection"] = Value::Null;
        i["units"] = json!([u]);
    }
}

/// `GET /api/reports/health-check?year=&format=html|docx`.
pub async fn health_check(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    p.require(Right::Reports)?;
    let year = year_param(&q, "year")?;
    let as_of = as_of_param(&q)?;
    let format = q.get("format").map_or("html", String::as_str).to_string();
    if !matches!(format.as_str(), "html" | "docx") {
        return Err(ApiError::bad(format!("format={format}: html or docx")));
    }
    blocking(move || {
        let (a, snap, ds, stats) = assessment(&s, year, as_of.as_deref())?;
        let src = onemap_report::health::Sources {
            datasets: &ds,
            stats: &stats,
            date: onemap_formats::today(),
        };
        let doc = onemap_report::health::health_check(&a, &s.plan, &snap, &src);
        report_response(
            &s,
            &p,
            &doc,
            &format,
            "体检报告",
            &format!("{} 年度体检报告", a.year),
        )
    })
    .await
}

/// `GET /api/monitor?from=&to=`: the transition matrix and alerts (not stored; `onemap
/// monitor` records runs).
pub async fn monitor(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Monitor)?;
    let (Some(from), Some(to)) = (year_param(&q, "from")?, year_param(&q, "to")?) else {
        return Err(ApiError::bad("from= and to= (survey years) are required"));
    };
    if from >= to {
        return Err(ApiError::bad(format!("from={from} must be before to={to}")));
    }
    let level: u8 = match q.get("level").map(String::as_str) {
        None | Some("1") => 1,
        Some("2") => 2,
        Some(l) => return Err(ApiError::bad(format!("level={l}: 1 or 2"))),
    };
    let v = blocking(move || {
        cached(&s, format!("monitor-{from}-{to}-{level}"), || {
            let store = s.open_store()?;
            let snap = onemap_overlay::Snapshot::load(
                &*store,
                &onemap_overlay::SnapshotRequest {
                    survey_years: vec![from, to],
                    kinds: vec![
                        onemap_survey::Kind::Yjjbnt,
                        onemap_survey::Kind::Stbhhx,
                        onemap_survey::Kind::Czkfbj,
                    ],
                    as_of: None,
                },
                &mut |_, _| {},
            )
            .map_err(missing)?;
            let r = onemap_monitor::monitor(&snap, from, to, &s.plan, level, &Default::default())
                .map_err(ApiError::bad)?;
            serde_json::to_value(&r).map_err(|e| ApiError::internal(e.to_string()))
        })
    })
    .await?;
    Ok(Json(v.as_ref().clone()))
}

/// `GET /api/alerts`: the alerts of the latest stored monitoring run, with their geometry (a
/// county user's county's only).
pub async fn alerts(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    p.require(Right::Alerts)?;
    blocking(move || {
        let store = s.open_store()?;
        let runs = store.monitor_runs().map_err(|e| ApiError::internal(e.to_string()))?;
        let Some(run) = runs.last() else {
            return Ok(Json(json!({"run": null, "alerts": []})));
        };
        let mut alerts = store.alerts(run.id).map_err(|e| ApiError::internal(e.to_string()))?;
        if let Some(c) = p.county() {
            alerts.retain(|a| a.unit.get(..6) == Some(c));
        }
        let list: Vec<Value> = alerts
            .iter()
            .map(|a| {
                let g = onemap_formats::wkb::decode(&a.wkb)
                    .ok()
                    .and_then(|g| match g {
                        geo_types::Geometry::MultiPolygon(mp) => Some(crate::ogc::geometry(&mp)),
                        geo_types::Geometry::Polygon(p) => {
                            Some(crate::ogc::geometry(&geo_types::MultiPolygon(vec![p])))
                        }
                        _ => None,
                    });
                let rule_name = s
                    .plan
                    .monitor
                    .alerts
                    .iter()
                    .find(|r| r.id == a.rule)
                    .map_or(a.rule.as_str(), |r| r.name.as_str());
                json!({"id": a.id, "rule": a.rule, "rule_name": rule_name, "severity": a.severity, "unit": a.unit, "township": a.township,
                       "area_m2": a.area_m2, "from_dlbm": a.from_dlbm, "to_dlbm": a.to_dlbm, "geometry": g})
            })
            .collect();
        Ok(Json(json!({
            "run": {"id": run.id, "from": run.from, "to": run.to, "at": run.at, "user": run.user},
            "alerts": list
        })))
    })
    .await
}

/// The page `/` shows a browser until the web application is built.
pub fn home_page(s: &Shared, p: &Principal) -> String {
    let mut rows = String::new();
    for (c, feats) in crate::ogc::visible_collections(s, p) {
        let id = onemap_report::esc(&c.dataset.id);
        rows.push_str(&format!(
            "<tr><td><a href=\"/collections/{id}/items?limit=10\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            onemap_report::esc(&c.dataset.name),
            c.kind.chinese(),
            feats.len()
        ));
    }
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{0} 一张图</title></head><body><h1>{0}国土空间规划“一张图”</h1><p>{1}（{2}）；现状数据 {3} 年。</p><p><a href=\"/?f=json\">服务说明</a> · <a href=\"/api\">OpenAPI</a> · <a href=\"/api/indicators\">指标监测</a> · <a href=\"/api/reports/health-check\">年度体检报告</a> · <a href=\"/api/alerts\">监测预警</a> · <a href=\"/style.json\">地图样式</a></p><table border=\"1\" cellpadding=\"4\"><tr><th>数据集</th><th>名称</th><th>图层</th><th>要素数</th></tr>{4}</table></body></html>",
        onemap_report::esc(&s.plan.plan.region_name),
        onemap_report::esc(&s.plan.plan.name),
        onemap_report::esc(&s.plan.plan.approval),
        s.year,
        rows
    )
}
