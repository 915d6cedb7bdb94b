//! Every route without a socket (tower `oneshot`) on a small demo store, including the
//! documented errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
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
        let dir = tempfile::tempdir().unwrap();
        let o = onemap_demo::DemoOptions {
            out: dir.path().to_path_buf(),
            patches: 1500,
            seed: 11,
            years: vec![2024, 2025],
            import: true,
        };
        onemap_demo::generate(&o, &mut |_| {}).unwrap();
        let plan = onemap_plan::load(None).unwrap();
        let state = AppState::load(dir.path().join("onemap.gpkg"), plan, &mut |_, _| {}).unwrap();
        let project = std::fs::read_dir(dir.path().join("source/projects"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("永久基本农田"))
            .map(|p| std::fs::read(p).unwrap())
            .unwrap();
        Fixture {
            _dir: dir,
            state: Arc::new(state),
            project,
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
