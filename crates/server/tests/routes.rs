//! Every route without a socket (tower `oneshot`) on a small demo store, including the
//! documented errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
mod common;

use onemap_server::{router, AppState};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

struct Fixture {
    _dir: tempfile::TempDir,
    state: Arc<AppState>,
    project: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let d = common::demo();
        Fixture {
            _dir: d.dir,
            state: Arc::new(d.state),
            project: d.project,
        }
    })
}

async fn call(req: Request<Body>) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let r = router(fixture().state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec(), headers)
}

async fn get(uri: &str) -> (StatusCode, serde_json::Value) {
    let (s, b, _) = call(
        Request::get(uri)
            .header(header::HOST, "t")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (
        s,
        serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
    )
}

fn error_code(v: &serde_json::Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn landing_conformance_collections() {
    let (s, v) = get("/?f=json").await;
    assert_eq!(s, StatusCode::OK);
    let rels: Vec<&str> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for r in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&r), "{r}");
    }
    let (_, b, h) = call(
        Request::get("/")
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8(b).unwrap().contains("一张图"));
    let (_, v) = get("/conformance").await;
    assert!(v["conformsTo"].as_array().unwrap().len() >= 2);
    let (_, v) = get("/api").await;
    assert_eq!(v["openapi"], "3.0.3");
    let (_, v) = get("/collections").await;
    let ids: Vec<&str> = v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"dltb-2025") && ids.contains(&"yjjbnt-2024"),
        "{ids:?}"
    );
    let (s, v) = get("/collections/dltb-2025").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v["extent"]["spatial"]["bbox"][0].as_array().unwrap().len(),
        4
    );
    let (s, v) = get("/collections/nope").await;
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, "NotFound"));
    let (s, v) = get("/no/such/route").await;
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, "NotFound"));
}

#[tokio::test]
async fn items_paging_filters_and_errors() {
    let (s, v) = get("/collections/dltb-2025/items?limit=5").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["numberReturned"], 5);
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://t")
        .to_string();
    let (_, v2) = get(&next).await;
    let first: Vec<i64> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    let second: Vec<i64> = v2["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(first, vec![1, 2, 3, 4, 5]);
    assert_eq!(second[0], 6, "keyset paging continues");
    let total = v["numberMatched"].as_u64().unwrap();
    assert!(total > 5 && v2["numberMatched"].as_u64() == Some(total));
    let (_, all) = get(&format!("/collections/dltb-2025/items?limit={total}")).await;
    assert_eq!(all["numberReturned"].as_u64(), Some(total));
    assert!(!all["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next"));
    // Property filter and bbox.
    let (_, v) = get("/collections/dltb-2025/items?DLBM=0103&limit=50").await;
    assert!(v["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["DLBM"] == "0103"));
    let (_, v) = get("/collections/dltb-2025/items?bbox=122.0,43.5,122.3,43.8&limit=10000").await;
    for f in v["features"].as_array().unwrap() {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    let (s, v) = get("/collections/dltb-2025/items/1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["id"], 1);
    for (uri, status) in [
        (
            "/collections/dltb-2025/items?bbox=200,0,1,1",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/collections/dltb-2025/items?bbox=1,2,3",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/collections/dltb-2025/items?limit=0",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/collections/dltb-2025/items?NOFIELD=1",
            StatusCode::BAD_REQUEST,
        ),
        ("/collections/dltb-2025/items/999999", StatusCode::NOT_FOUND),
        ("/collections/none/items", StatusCode::NOT_FOUND),
    ] {
        let (s, v) = get(uri).await;
        assert_eq!(s, status, "{uri}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{uri}");
    }
}

#[tokio::test]
async fn tiles_tilejson_style() {
    let (s, v) = get("/tiles/dltb-2025.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["tilejson"], "3.0.0");
    assert!(v["vector_layers"][0]["fields"]["DLBM"].is_string());
    let (_, v) = get("/style.json").await;
    assert_eq!(v["version"], 8);
    // A tile over the middle of the city at z9 has features.
    let (s, b, h) = call(
        Request::get("/tiles/dltb-2025/9/429/187.mvt")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.mapbox-vector-tile"
    );
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    assert!(b.len() > 100 && b.len() < 500 * 1024, "{}", b.len());
    let (s, _, _) = call(
        Request::get("/tiles/dltb-2025/9/429/187.mvt")
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    for uri in [
        "/tiles/dltb-2025/3/9/0.mvt",
        "/tiles/dltb-2025/2/1/1.png",
        "/tiles/dltb-2025.xml",
    ] {
        let (s, v) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(error_code(&v), "InvalidParameterValue");
    }
}

#[tokio::test]
async fn check_upload() {
    let f = fixture();
    let (s, b, _) = call(
        Request::post("/api/check")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(f.project.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["parcels"][0]["verdict"], "prohibited");
    // Multipart with the field `file`.
    let boundary = "XyZ";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.txt\"\r\nContent-Type: text/plain\r\n\r\n").into_bytes();
    body.extend_from_slice(&f.project);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (s, b, _) = call(
        Request::post("/api/check?purpose=urban")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["parcels"][0]["purpose"], "urban");
    // The report.
    let (s, b, h) = call(
        Request::post("/api/check?format=docx")
            .body(Body::from(f.project.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
    assert_eq!(&b[..2], b"PK");
    // Malformed TXT, empty body, oversize body, bad purpose.
    let (s, b, _) = call(
        Request::post("/api/check")
            .body(Body::from("[属性描述]\n这不是坐标\n"))
            .unwrap(),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&b)
    );
    let (s, _, _) = call(Request::post("/api/check").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let big = vec![b'x'; onemap_server::MAX_BODY + 10];
    let (s, b, _) = call(Request::post("/api/check").body(Body::from(big)).unwrap()).await;
    assert_eq!(
        s,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&b)
    );
    let (s, _, _) = call(
        Request::post("/api/check?purpose=town")
            .body(Body::from(f.project.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn indicators_monitor_alerts_report() {
    let (s, v) = get("/api/indicators").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["year"], 2025);
    assert_eq!(v["indicators"].as_array().unwrap().len(), 17);
    let (s, v) = get("/api/indicators?year=1999").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = get("/api/monitor?from=2024&to=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!v["transitions"].as_array().unwrap().is_empty());
    let (s, _) = get("/api/monitor?from=2025&to=2024").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = get("/api/alerts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["alerts"].is_array());
    let (s, b, h) = call(
        Request::get("/api/reports/health-check")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8(b).unwrap().contains("年度体检报告"));
    let (s, _) = get("/api/reports/health-check?format=pdf").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn web_meta_layer_tiles_area_reviews() {
    // The layers: both survey years, the plan layers, with contiguous collection ranges.
    let (s, v) = get("/api/meta").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["years"], serde_json::json!([2024, 2025]));
    let layers = v["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for id in [
        "dltb_2024",
        "dltb_2025",
        "yjjbnt",
        "stbhhx",
        "czkfbj",
        "xzq",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    for l in layers {
        let mut next = 0;
        for c in l["collections"].as_array().unwrap() {
            assert_eq!(c["start"], next, "{}", l["id"]);
            next = c["end"].as_u64().unwrap();
        }
        assert_eq!(l["features"], next, "{}", l["id"]);
    }
    assert_eq!(v["counties"].as_array().unwrap().len(), 8);
    assert_eq!(v["public"]["indicators"].as_array().unwrap().len(), 6);
    assert!(!v["public"]["layers"].to_string().contains("dltb"));
    assert!(v["counties"][0]["code"]
        .as_str()
        .unwrap()
        .starts_with("1505"));

    // A whole survey year as one tileset, with its TileJSON and an ETag of its own.
    let (s, b, h) = call(
        Request::get("/tiles/dltb_2025/9/429/187.mvt")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.len() > 100, "{}", b.len());
    let (_, _, h1) = call(
        Request::get("/tiles/dltb-2025/9/429/187.mvt")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_ne!(h[header::ETAG], h1[header::ETAG]);
    let (s, v) = get("/tiles/dltb_2025.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["vector_layers"][0]["id"], "dltb_2025");
    let (s, v) = get("/tiles/nope/1/0/0.mvt").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&v), "NotFound");
    // The style draws layers, grouped for the layer tree; only the latest year is on.
    let (_, v) = get("/style.json").await;
    assert!(v["sources"]["dltb_2024"].is_object() && v["sources"]["dltb-2024"].is_null());
    let layer = |id: &str| {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(layer("dltb_2025")["layout"]["visibility"], "visible");
    assert_eq!(layer("dltb_2024")["layout"]["visibility"], "none");
    assert_eq!(layer("yjjbnt")["metadata"]["onemap:group"], "规划");

    // The measuring tool: a 0.01° × 0.01° cell at 43° N against the closed form of an
    // ellipsoidal quadrangle (CGCS2000): A = b²Δλ/2 · [q(φ)] from φ1 to φ2, with
    // q(φ) = sinφ/(1 − e²sin²φ) + ln((1 + e sinφ)/(1 − e sinφ))/(2e).
    let (a, f) = (6_378_137.0_f64, 1.0 / 298.257_222_101);
    let b2 = (a * (1.0 - f)).powi(2);
    let e = (f * (2.0 - f)).sqrt();
    let q = |deg: f64| {
        let s = deg.to_radians().sin();
        s / (1.0 - e * e * s * s) + ((1.0 + e * s) / (1.0 - e * s)).ln() / (2.0 * e)
    };
    let expected = b2 * 0.01_f64.to_radians() / 2.0 * (q(43.01) - q(43.0));
    let cell = serde_json::json!({"type": "Polygon", "coordinates": [[[122.0, 43.0], [122.01, 43.0], [122.01, 43.01], [122.0, 43.01], [122.0, 43.0]]]});
    let (s, b, _) = call(
        Request::post("/api/area")
            .body(Body::from(cell.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    let got = v["area_m2"].as_f64().unwrap();
    assert!((got - expected).abs() < 0.05, "{got} vs {expected}");
    assert!((v["area_mu"].as_f64().unwrap() - got / (10_000.0 / 15.0)).abs() < 0.01);
    // A hole is taken off; a MultiPolygon adds up.
    let holed = serde_json::json!({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[122.0, 43.0], [122.01, 43.0], [122.01, 43.01], [122.0, 43.01], [122.0, 43.0]],
        [[122.0, 43.0], [122.01, 43.0], [122.01, 43.01], [122.0, 43.01], [122.0, 43.0]]]}});
    let (_, b, _) = call(
        Request::post("/api/area")
            .body(Body::from(holed.to_string()))
            .unwrap(),
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["area_m2"], 0.0);
    for bad in [
        "not json",
        r#"{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}"#,
        r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 95], [2, 0], [0, 0]]]}"#,
        r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}"#,
    ] {
        let (s, b, _) = call(Request::post("/api/area").body(Body::from(bad)).unwrap()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(error_code(&v), "InvalidParameterValue", "{bad}");
    }

    // A reviewed project shows in /api/reviews with its verdict and geometry.
    let (s, _, _) = call(
        Request::post("/api/check")
            .body(Body::from(fixture().project.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = get("/api/reviews").await;
    let feats = v["features"].as_array().unwrap();
    assert!(feats
        .iter()
        .any(|f| f["properties"]["verdict"] == "prohibited"
            && f["geometry"]["type"] == "MultiPolygon"));
}

#[tokio::test]
async fn web_application_files() {
    // Without a built application: `/` and `/public` give the plain page, assets are 404.
    let (_, b, h) = call(Request::get("/public").body(Body::empty()).unwrap()).await;
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8(b).unwrap().contains("一张图"));
    let (s, v) = get("/assets/index.js").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&v), "NotFound");
    // With one: its index.html for browsers, the JSON landing page for clients, its assets
    // with long caching, and nothing outside the assets folder.
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!DOCTYPE html><title>app</title>",
    )
    .unwrap();
    std::fs::write(web.path().join("assets/app-1.js"), "console.log(1)").unwrap();
    std::fs::write(web.path().join("secret.txt"), "no").unwrap();
    let plan = onemap_plan::load(None).unwrap();
    let state = AppState::load(
        fixture()._dir.path().join("onemap.gpkg"),
        plan,
        1,
        &mut |_, _| {},
    )
    .unwrap()
    .with_web(Some(web.path().to_path_buf()));
    let app = router(Arc::new(state));
    let send = |uri: &str, accept: &str| {
        app.clone().oneshot(
            Request::get(uri)
                .header(header::ACCEPT, accept)
                .body(Body::empty())
                .unwrap(),
        )
    };
    let r = send("/", "text/html,application/xhtml+xml").await.unwrap();
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&body[..], b"<!DOCTYPE html><title>app</title>");
    let r = send("/", "application/json").await.unwrap();
    assert!(r.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("json"));
    let r = send("/public", "text/html").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = send("/assets/app-1.js", "*/*").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("immutable"));
    for uri in [
        "/assets/..%2Fsecret.txt",
        "/assets/.hidden",
        "/assets/none.js",
    ] {
        let r = send(uri, "*/*").await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{uri}");
    }
    // Only the latest year was asked for.
    let (_, v) = get("/api/meta").await;
    assert_eq!(v["years"].as_array().unwrap().len(), 2);
}
