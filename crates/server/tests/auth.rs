//! Users and rights on the server: sign-in and sign-out (bearer token and cookie), lock-out,
//! and the authorization matrix — every route for every role (public, two county users,
//! city, approver, admin), allowed ones succeeding and the rest refused with 401/403; a
//! county user never sees another county's features, tiles, reviews, indicators or alerts,
//! by any route.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
mod common;

use onemap_server::{router, AppState};
use onemap_store::{GpkgStore, Role, Store};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse 9";

struct Fixture {
    _dir: tempfile::TempDir,
    state: Arc<AppState>,
    store: std::path::PathBuf,
    /// The demo project (a road through farmland), its county, and a county without it.
    project: Vec<u8>,
    home: String,
    other: String,
}

/// The county of a survey collection's features (from ZLDWDM).
fn collection_county(s: &AppState, id: &str) -> String {
    let c = s.collection(id).unwrap();
    let l = s.layer(c);
    l.text_of("ZLDWDM", c.range.start)[..6].to_string()
}

async fn fixture() -> &'static Fixture {
    static F: OnceCell<Fixture> = OnceCell::const_new();
    F.get_or_init(|| async {
        let common::Demo {
            dir,
            store,
            state,
            project,
        } = common::demo();
        let counties: Vec<String> = state.counties.iter().map(|c| c.0.clone()).collect();
        assert!(counties.len() >= 2, "{counties:?}");
        let mut st = GpkgStore::open(&store).unwrap();
        for (name, role) in [
            ("admin", Role::Admin),
            ("city", Role::City),
            ("approver", Role::Approver),
        ] {
            st.user_add(name, &role, PASSWORD, "test").unwrap();
        }
        for c in &counties {
            st.user_add(&format!("c{c}"), &Role::County(c.clone()), PASSWORD, "test")
                .unwrap();
        }
        // Alerts in two counties.
        let square = |x: f64, y: f64| {
            let mut wkb = Vec::new();
            let p = geo_types::Polygon::new(
                vec![(x, y), (x + 0.001, y), (x + 0.001, y + 0.001), (x, y)].into(),
                vec![],
            );
            onemap_formats::wkb::encode(
                &geo_types::Geometry::MultiPolygon(geo_types::MultiPolygon(vec![p])),
                &mut wkb,
            );
            wkb
        };
        let alerts: Vec<onemap_store::AlertRecord> = counties
            .iter()
            .take(2)
            .enumerate()
            .map(|(k, c)| onemap_store::AlertRecord {
                id: format!("A{k}"),
                rule: "farmland_to_construction".into(),
                severity: "red".into(),
                unit: format!("{c}001"),
                township: format!("{c}001"),
                area_m2: 100.0,
                from_dlbm: "0101".into(),
                to_dlbm: "0702".into(),
                wkb: square(122.0 + k as f64, 43.0),
            })
            .collect();
        st.record_alerts(2024, 2025, "[]", "{}", "test", &alerts)
            .unwrap();
        drop(st);
        let state = Arc::new(state);
        // The project's county: where the city's review of it records it.
        let home = {
            let token = sign_in_on(&state, "city").await;
            let (st, _, _) = send_on(
                &state,
                Method::POST,
                "/api/check",
                Some(&token),
                Body::from(project.clone()),
            )
            .await;
            assert_eq!(st, StatusCode::OK);
            let (_, b, _) = send_on(
                &state,
                Method::GET,
                "/api/reviews",
                Some(&token),
                Body::empty(),
            )
            .await;
            let v: Value = serde_json::from_slice(&b).unwrap();
            v["features"][0]["properties"]["county"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let other = counties.iter().find(|c| **c != home).unwrap().clone();
        Fixture {
            _dir: dir,
            state,
            store,
            project,
            home,
            other,
        }
    })
    .await
}

async fn send_on(
    s: &Arc<AppState>,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Body,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "t");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = router(s.clone())
        .oneshot(r.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let b = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, b.to_vec(), headers)
}

async fn sign_in_on(s: &Arc<AppState>, name: &str) -> String {
    let (st, b, _) = send_on(
        s,
        Method::POST,
        "/api/session",
        None,
        Body::from(json!({"name": name, "password": PASSWORD}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// One token per role name, signed in once.
async fn token(name: &str) -> Option<String> {
    static TOKENS: OnceCell<tokio::sync::Mutex<HashMap<String, String>>> = OnceCell::const_new();
    if name == "public" {
        return None;
    }
    let m = TOKENS
        .get_or_init(|| async { tokio::sync::Mutex::new(HashMap::new()) })
        .await;
    let mut m = m.lock().await;
    if let Some(t) = m.get(name) {
        return Some(t.clone());
    }
    let t = sign_in_on(&fixture().await.state, name).await;
    m.insert(name.to_string(), t.clone());
    Some(t)
}

async fn send(
    method: Method,
    uri: &str,
    who: &str,
    body: Body,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let t = token(who).await;
    send_on(&fixture().await.state, method, uri, t.as_deref(), body).await
}

async fn get(uri: &str, who: &str) -> (StatusCode, Value) {
    let (s, b, _) = send(Method::GET, uri, who, Body::empty()).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// The number of features in each layer of a Mapbox vector tile (a protobuf walk: Tile.layers
/// = 3, Layer.name = 1, Layer.features = 2).
fn tile_features(b: &[u8]) -> usize {
    fn varint(b: &[u8], i: &mut usize) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        while *i < b.len() {
            let x = b[*i];
            *i += 1;
            v |= u64::from(x & 0x7f) << shift;
            if x & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        v
    }
    fn fields(b: &[u8]) -> Vec<(u64, &[u8])> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let key = varint(b, &mut i);
            match key & 7 {
                0 => {
                    varint(b, &mut i);
                }
                2 => {
                    let n = varint(b, &mut i) as usize;
                    out.push((key >> 3, &b[i..i + n]));
                    i += n;
                }
                5 => i += 4,
                1 => i += 8,
                w => panic!("wire type {w}"),
            }
        }
        out
    }
    fields(b)
        .into_iter()
        .filter(|(f, _)| *f == 3)
        .map(|(_, layer)| fields(layer).iter().filter(|(f, _)| *f == 2).count())
        .sum()
}

const ROLES: [&str; 6] = ["public", "home", "other", "city", "approver", "admin"];

/// The user signed in for a role of [`ROLES`].
async fn user(role: &str) -> String {
    let f = fixture().await;
    match role {
        "home" => format!("c{}", f.home),
        "other" => format!("c{}", f.other),
        r => r.to_string(),
    }
}

#[tokio::test]
async fn authorization_matrix() {
    let f = fixture().await;
    // A survey collection of each county, a feature of the home county.
    let mine = f
        .state
        .collections
        .iter()
        .find(|c| c.survey == Some(2025) && collection_county(&f.state, &c.dataset.id) == f.home)
        .unwrap()
        .dataset
        .id
        .clone();
    let theirs = f
        .state
        .collections
        .iter()
        .find(|c| c.survey == Some(2025) && collection_county(&f.state, &c.dataset.id) == f.other)
        .unwrap()
        .dataset
        .id
        .clone();
    let area = json!({"type": "Polygon", "coordinates": [[[122.0, 43.0], [122.01, 43.0], [122.01, 43.01], [122.0, 43.0]]]}).to_string();
    // (method, uri, body, roles allowed); `home`/`other` are county users.
    let all = "public home other city approver admin";
    let signed = "home other city approver admin";
    let routes: Vec<(Method, String, Option<Vec<u8>>, &str)> = vec![
        (Method::GET, "/?f=json".into(), None, all),
        (Method::GET, "/conformance".into(), None, all),
        (Method::GET, "/api".into(), None, all),
        (Method::GET, "/public".into(), None, all),
        (Method::GET, "/favicon.svg".into(), None, all),
        (Method::GET, "/collections".into(), None, all),
        (Method::GET, "/collections/yjjbnt-2024".into(), None, all),
        (
            Method::GET,
            "/collections/yjjbnt-2024/items?limit=5".into(),
            None,
            all,
        ),
        (
            Method::GET,
            format!("/collections/{mine}"),
            None,
            "home city approver admin",
        ),
        (
            Method::GET,
            format!("/collections/{mine}/items?limit=5"),
            None,
            "home city approver admin",
        ),
        (
            Method::GET,
            format!("/collections/{mine}/items/1"),
            None,
            "home city approver admin",
        ),
        (
            Method::GET,
            format!("/collections/{theirs}/items/1"),
            None,
            "other city approver admin",
        ),
        (Method::GET, "/tiles/yjjbnt.json".into(), None, all),
        (Method::GET, "/tiles/yjjbnt/5/26/11.mvt".into(), None, all),
        (Method::GET, "/tiles/dltb_2025.json".into(), None, signed),
        (
            Method::GET,
            "/tiles/dltb_2025/5/26/11.mvt".into(),
            None,
            signed,
        ),
        (
            Method::GET,
            format!("/tiles/{mine}/5/26/11.mvt"),
            None,
            signed,
        ),
        (Method::GET, "/style.json".into(), None, all),
        (Method::GET, "/api/meta".into(), None, all),
        (Method::GET, "/api/session".into(), None, all),
        (Method::GET, "/api/indicators".into(), None, all),
        (
            Method::POST,
            "/api/area".into(),
            Some(area.into_bytes()),
            signed,
        ),
        (
            Method::POST,
            "/api/check".into(),
            Some(f.project.clone()),
            "home city admin",
        ),
        (
            Method::POST,
            "/api/conflicts?plan_type=other".into(),
            Some(f.project.clone()),
            "home city admin",
        ),
        (
            Method::GET,
            "/api/reviews".into(),
            None,
            "home other city admin",
        ),
        (
            Method::GET,
            "/api/monitor?from=2024&to=2025".into(),
            None,
            "city approver admin",
        ),
        (Method::GET, "/api/alerts".into(), None, signed),
        (
            Method::GET,
            "/api/reports/health-check".into(),
            None,
            "city admin",
        ),
        (
            Method::GET,
            "/api/amendments".into(),
            None,
            "city approver admin",
        ),
        (Method::GET, "/api/audit".into(), None, "admin"),
        (Method::GET, "/api/users".into(), None, "admin"),
    ];
    let mut failures = Vec::new();
    for (method, uri, body, allowed) in &routes {
        for role in ROLES {
            let who = user(role).await;
            let b = body.clone().map_or_else(Body::empty, Body::from);
            let (st, resp, _) = send(method.clone(), uri, &who, b).await;
            let ok = allowed.split(' ').any(|a| a == role);
            let expect = if ok {
                st.is_success()
            } else if role == "public" {
                st == StatusCode::UNAUTHORIZED
            } else {
                st == StatusCode::FORBIDDEN
            };
            if !expect {
                failures.push(format!(
                    "{method} {uri} as {role}: {st} {}",
                    String::from_utf8_lossy(&resp)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn county_users_see_only_their_county() {
    let f = fixture().await;
    let home = user("home").await;
    let code = f.home.as_str();
    // Collections: only those with the county's features.
    let (_, v) = get("/collections", &home).await;
    for c in v["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if id.starts_with("dltb-") {
            assert_eq!(collection_county(&f.state, id), code, "{id}");
        }
    }
    // Items over the neighbour county's box, in every survey collection and the plan layers:
    // nothing of the neighbour's.
    let (_, meta_city) = get("/api/meta", "city").await;
    let other_box = meta_city["counties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == f.other.as_str())
        .unwrap()["bbox"]
        .clone();
    let bb = other_box
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut seen = 0;
    for c in &f.state.collections {
        let uri = format!("/collections/{}/items?bbox={bb}&limit=10000", c.dataset.id);
        let (st, v) = get(&uri, &home).await;
        if st == StatusCode::FORBIDDEN {
            continue;
        }
        assert_eq!(st, StatusCode::OK, "{uri}");
        for feat in v["features"].as_array().unwrap() {
            seen += 1;
            if let Some(z) = feat["properties"]["ZLDWDM"].as_str() {
                assert_eq!(&z[..6], code, "{uri}");
            }
            if let Some(z) = feat["properties"]["XZQDM"].as_str() {
                assert_eq!(&z[..6], code, "{uri}");
            }
        }
        // The city sees more there than the county user.
        let (_, vc) = get(&uri, "city").await;
        assert!(vc["numberMatched"].as_u64() >= v["numberMatched"].as_u64());
    }
    // The neighbour's box holds some of the home county's edge at most, far less than the
    // city sees there.
    let (_, vc) = get(
        &format!("/collections/dltb-2025/items?bbox={bb}&limit=1"),
        "city",
    )
    .await;
    assert!(vc["numberMatched"].as_u64().unwrap() > 0);
    assert!(
        seen > 0,
        "the home county's edge reaches into the neighbour's box"
    );
    // Tiles over the neighbour: the city's have features, the county user's none of theirs.
    let b: Vec<f64> = other_box
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let z = 10u8;
    let tx = ((cx + 180.0) / 360.0 * f64::from(1u32 << z)) as u32;
    let lat = cy.to_radians();
    let ty = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0
        * f64::from(1u32 << z)) as u32;
    let mut compared = 0;
    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1), (-1, 0), (0, -1)] {
        let uri = format!(
            "/tiles/dltb_2025/{z}/{}/{}.mvt",
            tx as i64 + dx,
            ty as i64 + dy
        );
        let (sc, city_tile, _) = send(Method::GET, &uri, "city", Body::empty()).await;
        let (sh, home_tile, h) = send(Method::GET, &uri, &home, Body::empty()).await;
        assert_eq!((sc, sh), (StatusCode::OK, StatusCode::OK), "{uri}");
        assert!(h[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("private"));
        let (nc, nh) = (tile_features(&city_tile), tile_features(&home_tile));
        assert!(nh <= nc, "{uri}: {nh} > {nc}");
        if nc > 0 {
            compared += 1;
        }
        // Whatever the county user gets is the county's: the neighbour's own user sees
        // none of it.
        let (_, other_tile, _) = send(Method::GET, &uri, &user("other").await, Body::empty()).await;
        assert!(tile_features(&other_tile) + nh <= nc, "{uri}");
    }
    assert!(
        compared > 0,
        "no tile with features over the neighbour county"
    );
    // Meta: the county alone.
    let (_, m) = get("/api/meta", &home).await;
    let codes: Vec<&str> = m["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![code]);
    assert_eq!(m["user"]["role"], format!("county:{code}"));
    // Indicators: the county's figures, no other county.
    let (_, ind) = get("/api/indicators", &home).await;
    let (_, ind_city) = get("/api/indicators", "city").await;
    for (i, ic) in ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ind_city["indicators"].as_array().unwrap())
    {
        let units = i["units"].as_array().unwrap();
        assert!(units.len() <= 1);
        // The county's own trend, one point per year the city has, ending at its value.
        let series = i["series"].as_array().unwrap();
        assert_eq!(series.len(), ic["series"].as_array().unwrap().len());
        let last = series.last().unwrap();
        assert_eq!(last["year"], ind["year"]);
        assert_eq!(last["value"], i["value"], "{}", i["id"]);
        for u in units {
            assert_eq!(u["code"], code);
            assert_eq!(i["value"], u["value"], "{}", i["id"]);
        }
        if let Some(u) = ic["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
        {
            assert_eq!(i["value"], u["value"]);
        }
    }
    // Alerts: the county's only.
    let (_, a) = get("/api/alerts", &home).await;
    let list = a["alerts"].as_array().unwrap();
    assert!(list
        .iter()
        .all(|x| x["unit"].as_str().unwrap().starts_with(code)));
    let (_, a_city) = get("/api/alerts", "city").await;
    assert!(a_city["alerts"].as_array().unwrap().len() > list.len());
    // Reviews: the neighbour's user sees none of the home county's reviews; the home
    // user cannot review it either way, the neighbour cannot review the home project.
    let (st, _, _) = send(
        Method::POST,
        "/api/check",
        &user("other").await,
        Body::from(f.project.clone()),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, r) = get("/api/reviews", &user("other").await).await;
    assert!(r["features"].as_array().unwrap().is_empty());
    let (_, r) = get("/api/reviews", &home).await;
    assert!(!r["features"].as_array().unwrap().is_empty());
    assert!(r["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["properties"]["county"] == code));
}

#[tokio::test]
async fn the_public_sees_public_layers_and_indicators_only() {
    let f = fixture().await;
    let public = &f.state.plan.public;
    let (_, v) = get("/collections", "public").await;
    for c in v["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let kind = id.split('-').next().unwrap();
        assert!(public.layers.iter().any(|k| k == kind), "{id}");
    }
    let (_, style) = get("/style.json", "public").await;
    for (id, _) in style["sources"].as_object().unwrap() {
        assert!(!id.starts_with("dltb"), "{id}");
    }
    let (_, m) = get("/api/meta", "public").await;
    assert!(m["user"]["name"].is_null());
    assert_eq!(m["user"]["role"], "public");
    for l in m["layers"].as_array().unwrap() {
        assert_ne!(l["kind"], "dltb");
    }
    let (_, ind) = get("/api/indicators", "public").await;
    let ids: Vec<&str> = ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, f.state.plan.public_indicators());
    // Survey features by any route: refused.
    for uri in [
        "/collections/dltb-2025",
        "/collections/dltb-2025/items?bbox=119,42,124,46",
        "/collections/dltb-2025/items/1",
        "/tiles/dltb_2025/8/212/95.mvt",
        "/tiles/dltb-2025/8/212/95.mvt",
    ] {
        let (st, _) = get(uri, "public").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{uri}");
    }
}

#[tokio::test]
async fn sign_in_cookie_sign_out_and_lockout() {
    let f = fixture().await;
    let s = &f.state;
    // Cookie sign-in: HttpOnly, SameSite=Strict; the cookie alone authenticates.
    let (st, b, h) = send_on(
        s,
        Method::POST,
        "/api/session",
        None,
        Body::from(json!({"name": "city", "password": PASSWORD}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["role"], "city");
    assert!(v["rights"].as_array().unwrap().contains(&json!("review")));
    let set = h[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let cookie = set.split(';').next().unwrap().to_string();
    let with_cookie = |m: Method, uri: &str, origin: Option<&str>, body: Body| {
        let mut r = Request::builder()
            .method(m)
            .uri(uri)
            .header(header::HOST, "t")
            .header(header::COOKIE, cookie.clone());
        if let Some(o) = origin {
            r = r.header(header::ORIGIN, o);
        }
        r.body(body).unwrap()
    };
    let r = router(s.clone())
        .oneshot(with_cookie(
            Method::GET,
            "/api/session",
            None,
            Body::empty(),
        ))
        .await
        .unwrap();
    let v: Value =
        serde_json::from_slice(&axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap())
            .unwrap();
    assert_eq!(v["name"], "city");
    // A state-changing request with the cookie from another site: refused.
    let area = json!({"type": "Polygon", "coordinates": [[[122.0, 43.0], [122.01, 43.0], [122.01, 43.01], [122.0, 43.0]]]}).to_string();
    let r = router(s.clone())
        .oneshot(with_cookie(
            Method::POST,
            "/api/area",
            Some("http://evil.example"),
            Body::from(area.clone()),
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = router(s.clone())
        .oneshot(with_cookie(
            Method::POST,
            "/api/area",
            Some("http://t"),
            Body::from(area),
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Behind HTTPS the cookie is Secure.
    let r = router(s.clone())
        .oneshot(
            Request::post("/api/session")
                .header(header::HOST, "t")
                .header("x-forwarded-proto", "https")
                .body(Body::from(
                    json!({"name": "admin", "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));
    // Sign out: the token stops working at once, the cookie is cleared.
    let t = sign_in_on(s, "approver").await;
    let (st, _, _) = send_on(
        s,
        Method::GET,
        "/api/monitor?from=2024&to=2025",
        Some(&t),
        Body::empty(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, h) = send_on(s, Method::DELETE, "/api/session", Some(&t), Body::empty()).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert!(h[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let (st, _, _) = send_on(s, Method::GET, "/api/session", Some(&t), Body::empty()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // A made-up bearer token: 401; a made-up cookie: served as the public, cookie cleared.
    let (st, _, _) = send_on(s, Method::GET, "/api/meta", Some("forged"), Body::empty()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let r = router(s.clone())
        .oneshot(
            Request::get("/api/session")
                .header(header::HOST, "t")
                .header(header::COOKIE, "onemap_session=forged")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // Wrong passwords: 401 with one message for unknown users and wrong passwords; the
    // fifth locks the account (403), even for the right password.
    let mut st_map = GpkgStore::open(&f.store).unwrap();
    st_map
        .user_add("victim", &Role::City, PASSWORD, "test")
        .unwrap();
    drop(st_map);
    let try_sign_in = |name: &'static str, pw: &'static str| async move {
        let (st, b, _) = send_on(
            &fixture().await.state,
            Method::POST,
            "/api/session",
            None,
            Body::from(json!({"name": name, "password": pw}).to_string()),
        )
        .await;
        (st, String::from_utf8_lossy(&b).to_string())
    };
    let (st, nobody) = try_sign_in("nobody", "whatever1").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    for k in 1..=5 {
        let (st, wrong) = try_sign_in("victim", "wrong-password").await;
        if k < 5 {
            assert_eq!(st, StatusCode::UNAUTHORIZED);
            assert_eq!(wrong, nobody);
        } else {
            assert_eq!(
                st,
                StatusCode::FORBIDDEN,
                "the fifth failure locks: {wrong}"
            );
        }
    }
    let (st, body) = try_sign_in("victim", PASSWORD).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("锁定"), "{body}");
    let (st, _) = try_sign_in("city", "").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, _) = send_on(
        s,
        Method::POST,
        "/api/session",
        None,
        Body::from("not json"),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Every attempt is in the audit trail, which still verifies.
    let st = GpkgStore::open(&f.store).unwrap();
    let log = st.audit_log().unwrap();
    let fails = log
        .iter()
        .filter(|e| e.object == "victim" && e.action.contains("sign-in"))
        .count();
    assert!(fails >= 6, "{fails}");
    assert!(st.audit_verify().unwrap().is_ok());
}

#[tokio::test]
async fn reports_are_audited_under_the_signed_in_user() {
    let (st, _, _) = send(
        Method::GET,
        "/api/reports/health-check",
        "city",
        Body::empty(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let log = GpkgStore::open(&fixture().await.store)
        .unwrap()
        .audit_log()
        .unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "report" && e.actor.starts_with("city")));
}

#[tokio::test]
async fn reviews_are_kept_in_the_store_for_every_instance() {
    let f = fixture().await;
    // Another instance on the same store (as behind a load balancer) lists the review made
    // through the first, with who made it.
    let plan = onemap_plan::load(None).unwrap();
    let other = Arc::new(AppState::load(f.store.clone(), plan, 2, &mut |_, _| {}).unwrap());
    let t = sign_in_on(&other, "admin").await;
    let (st, b, _) = send_on(&other, Method::GET, "/api/reviews", Some(&t), Body::empty()).await;
    assert_eq!(st, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).unwrap();
    let feats = v["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    assert!(feats
        .iter()
        .any(|x| x["properties"]["by"] == "city" && x["properties"]["county"] == f.home.as_str()));
    // Each kept parcel is in the audit trail.
    let log = GpkgStore::open(&f.store).unwrap().audit_log().unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "review" && e.actor.starts_with("city")));
}
