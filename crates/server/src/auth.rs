//! Who is asking, and what they may see and do.
//!
//! Every request passes [`authenticate`], which resolves its session (a bearer token, or the
//! HTTP-only cookie the sign-in sets) into a [`Principal`] for the handlers. No session is the
//! public: the `[public]` layers and indicators of the plan file, nothing else. A store with
//! no users at all is run by one person on their own machine: everyone is `admin` (the server
//! warns at start).
//!
//! The rights of each role are in [`Right`]; county users see only their county's features
//! (each feature's county is worked out once per layer, on first need), its indicators, its
//! alerts and its reviews.

use crate::{ApiError, AppState, Shared};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_overlay::Layer;
use onemap_store::{Role, SignInError};
use onemap_survey::Kind;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The session cookie.
pub const COOKIE: &str = "onemap_session";
/// How long a session lasts, seconds.
pub const SESSION_TTL: i64 = 12 * 3600;
/// How long a looked-up session (or the store's "no users" state) is trusted before the
/// store is asked again: a sign-out elsewhere, a role change or a removal takes effect
/// within this.
pub const RECHECK: Duration = Duration::from_secs(30);
/// The county index of "every county".
pub const ALL: u16 = u16::MAX;
/// The county index of a county user whose county the store does not hold: sees nothing.
const NOWHERE: u16 = u16::MAX - 1;

/// What a request may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session.
    Public,
    /// A signed-in role.
    Role(Role),
}

/// The user behind a request.
#[derive(Clone, Debug)]
pub struct Principal {
    /// User name (`公众` for the public).
    pub name: String,
    /// Role.
    pub access: Access,
    /// The county index (into [`AppState::counties`]) a county user is limited to, else
    /// [`ALL`].
    pub scope: u16,
    /// Authenticated by the cookie (so state-changing requests must come from our pages).
    pub by_cookie: bool,
    /// The store has no users: everyone is this admin.
    pub open: bool,
}

/// The rights, each held by some roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Right {
    /// Survey layers, every plan layer, `/api/area` (county users: their county).
    Read,
    /// Project review (`POST /api/check`) and the reviews made (county users: their county).
    Review,
    /// The transition matrix (`/api/monitor`).
    Monitor,
    /// The alerts (county users: their county).
    Alerts,
    /// The health-check report.
    Reports,
    /// The amendments and their checks.
    Amendments,
    /// The audit trail and the users.
    Admin,
}

impl Right {
    /// Every right, in the order `/api/session` lists them.
    pub const ALL: [Right; 7] = [
        Right::Read,
        Right::Review,
        Right::Monitor,
        Right::Alerts,
        Right::Reports,
        Right::Amendments,
        Right::Admin,
    ];

    /// Its name in `/api/session`.
    pub fn id(self) -> &'static str {
        match self {
            Right::Read => "read",
            Right::Review => "review",
            Right::Monitor => "monitor",
            Right::Alerts => "alerts",
            Right::Reports => "reports",
            Right::Amendments => "amendments",
            Right::Admin => "admin",
        }
    }

    /// In words, for a refusal.
    fn chinese(self) -> &'static str {
        match self {
            Right::Read => "查看现状与规划数据",
            Right::Review => "合规审查",
            Right::Monitor => "变化监测",
            Right::Alerts => "监测预警",
            Right::Reports => "生成体检报告",
            Right::Amendments => "查看规划修改",
            Right::Admin => "系统管理",
        }
    }

    /// Whether a role holds it.
    pub fn held_by(self, role: &Role) -> bool {
        use Role::*;
        match self {
            Right::Read | Right::Alerts => true,
            Right::Review => matches!(role, Admin | City | County(_)),
            Right::Monitor | Right::Amendments => matches!(role, Admin | City | Approver),
            Right::Reports => matches!(role, Admin | City),
            Right::Admin => matches!(role, Admin),
        }
    }
}

impl Principal {
    /// The public.
    pub fn public() -> Principal {
        Principal {
            name: "公众".into(),
            access: Access::Public,
            scope: ALL,
            by_cookie: false,
            open: false,
        }
    }

    /// Whether a right is held.
    pub fn has(&self, r: Right) -> bool {
        match &self.access {
            Access::Public => false,
            Access::Role(role) => r.held_by(role),
        }
    }

    /// `Ok` when a right is held; 401 for the public (sign in first), 403 otherwise.
    pub fn require(&self, r: Right) -> Result<(), ApiError> {
        match &self.access {
            Access::Public => Err(unauthorized(format!(
                "{}需要登录（POST /api/session）",
                r.chinese()
            ))),
            Access::Role(role) if !r.held_by(role) => {
                Err(forbidden(format!("角色 {} 无权{}", role.id(), r.chinese())))
            }
            Access::Role(_) => Ok(()),
        }
    }

    /// The county code a county user is limited to.
    pub fn county(&self) -> Option<&str> {
        match &self.access {
            Access::Role(Role::County(c)) => Some(c),
            _ => None,
        }
    }

    /// The role as written (`public` for the public).
    pub fn role_id(&self) -> String {
        match &self.access {
            Access::Public => "public".into(),
            Access::Role(r) => r.id(),
        }
    }

    /// The name written in the audit trail.
    pub fn actor(&self) -> String {
        format!("{}（Web）", self.name)
    }
}

/// 401 with a message.
pub fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
}

/// 403 with a message.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "Forbidden", message)
}

/// Each feature's county index of one layer, once worked out.
pub type Counties = Arc<OnceLock<Vec<u16>>>;

/// Who a request is from (`None`: an unknown bearer token), and whether its cookie is to be
/// cleared.
type Resolved = (Option<Principal>, bool);

/// What the server keeps about sessions and counties.
#[derive(Default)]
pub struct AuthState {
    /// Session token → principal and when it was looked up.
    sessions: Mutex<HashMap<String, (Principal, Instant)>>,
    /// Whether the store has no users (everyone is admin), and when that was read.
    open: Mutex<Option<(bool, Instant)>>,
    /// Per layer (kind, survey year): each feature's county index, built on first need.
    feature_counties: Mutex<HashMap<(Kind, Option<i32>), Counties>>,
}

impl AppState {
    /// Whether the store has no users: then everyone is admin.
    pub fn open_access(&self) -> Result<bool, ApiError> {
        if let Some(open) = self.open_cached()? {
            return Ok(open);
        }
        let open = self
            .open_store()?
            .users()
            .map_err(|e| ApiError::internal(e.to_string()))?
            .is_empty();
        *self.auth.open.lock().map_err(poisoned)? = Some((open, Instant::now()));
        Ok(open)
    }

    /// [`AppState::open_access`] when known without asking the store.
    fn open_cached(&self) -> Result<Option<bool>, ApiError> {
        Ok(self
            .auth
            .open
            .lock()
            .map_err(poisoned)?
            .filter(|(_, at)| at.elapsed() < RECHECK)
            .map(|(open, _)| open))
    }

    /// The principal of a session token when known without asking the store.
    fn session_cached(&self, token: &str, by_cookie: bool) -> Result<Option<Principal>, ApiError> {
        Ok(self
            .auth
            .sessions
            .lock()
            .map_err(poisoned)?
            .get(token)
            .filter(|(_, at)| at.elapsed() < RECHECK)
            .map(|(p, _)| Principal {
                by_cookie,
                ..p.clone()
            }))
    }

    /// Who sends a request with this token: `Some(principal)`, or `None` for an unknown
    /// bearer token; and whether to clear the cookie (an unknown one). With `cached_only`,
    /// `Ok(None)` when the store would have to be asked.
    fn resolve(
        &self,
        token: &Option<(String, bool)>,
        cached_only: bool,
    ) -> Result<Option<Resolved>, ApiError> {
        let open = match self.open_cached()? {
            Some(open) => open,
            None if cached_only => return Ok(None),
            None => self.open_access()?,
        };
        if open {
            let mut p = self.principal("本机用户", Role::Admin, false);
            p.open = true;
            return Ok(Some((Some(p), false)));
        }
        let Some((t, by_cookie)) = token else {
            return Ok(Some((Some(Principal::public()), false)));
        };
        let p = match self.session_cached(t, *by_cookie)? {
            Some(p) => Some(p),
            None if cached_only => return Ok(None),
            None => self.session(t, *by_cookie)?,
        };
        Ok(Some(match p {
            Some(p) => (Some(p), false),
            None if *by_cookie => (Some(Principal::public()), true),
            None => (None, false),
        }))
    }

    /// The principal of a session token; `None` when it is unknown, expired or ended.
    fn session(&self, token: &str, by_cookie: bool) -> Result<Option<Principal>, ApiError> {
        if let Some(p) = self.session_cached(token, by_cookie)? {
            return Ok(Some(p));
        }
        let user = self
            .open_store()?
            .session_user(token)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let mut cache = self.auth.sessions.lock().map_err(poisoned)?;
        let Some(u) = user else {
            cache.remove(token);
            return Ok(None);
        };
        let p = self.principal(&u.name, u.role, by_cookie);
        if cache.len() > 100_000 {
            cache.retain(|_, (_, at)| at.elapsed() < RECHECK);
        }
        cache.insert(token.to_string(), (p.clone(), Instant::now()));
        Ok(Some(p))
    }

    /// A signed-in principal.
    fn principal(&self, name: &str, role: Role, by_cookie: bool) -> Principal {
        let scope = match &role {
            Role::County(c) => self
                .counties
                .iter()
                .position(|(code, _)| code == c)
                .map_or(NOWHERE, |k| k as u16),
            _ => ALL,
        };
        Principal {
            name: name.to_string(),
            access: Access::Role(role),
            scope,
            by_cookie,
            open: false,
        }
    }

    /// Each feature's county index (into [`AppState::counties`]; [`ALL`] where none) of the
    /// layer of a kind and survey year, worked out on first need (its own ZLDWDM/XZQDM, else
    /// the survey patch or 行政区 polygon under an interior point).
    pub fn feature_counties(&self, kind: Kind, survey: Option<i32>) -> Counties {
        let cell = self
            .auth
            .feature_counties
            .lock()
            .map(|mut m| m.entry((kind, survey)).or_default().clone())
            .unwrap_or_default();
        cell.get_or_init(|| {
            let l = self.layer_at(kind, survey);
            let fallback = self.snap.survey(self.year);
            let xzq = self.snap.layer(Kind::Xzq);
            let index: HashMap<&str, u16> = self
                .counties
                .iter()
                .enumerate()
                .map(|(k, (c, _))| (c.as_str(), k as u16))
                .collect();
            let n = l.len();
            let threads = std::thread::available_parallelism().map_or(1, |x| x.get());
            let chunk = n.div_ceil(threads).max(1);
            std::thread::scope(|sc| {
                let parts: Vec<_> = (0..n)
                    .step_by(chunk)
                    .map(|start| {
                        let index = &index;
                        sc.spawn(move || {
                            let locate = onemap_plan::tally::CountyOf::new(l, fallback, xzq);
                            (start..(start + chunk).min(n))
                                .map(|i| {
                                    index
                                        .get(locate.county(i as u32).as_str())
                                        .copied()
                                        .unwrap_or(ALL)
                                })
                                .collect::<Vec<u16>>()
                        })
                    })
                    .collect();
                parts
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        });
        cell
    }

    /// Which features of a layer a principal may see: `None` for all of them.
    pub fn visible(&self, p: &Principal, kind: Kind, survey: Option<i32>) -> Option<Visible> {
        self.visible_in(p.scope, kind, survey)
    }

    /// Which features of a layer the users of a county index see: `None` for all.
    pub fn visible_in(&self, scope: u16, kind: Kind, survey: Option<i32>) -> Option<Visible> {
        (scope != ALL).then(|| Visible {
            counties: self.feature_counties(kind, survey),
            scope,
        })
    }

    /// Whether a principal may read a layer at all: signed-in users every layer, the public
    /// only the plan file's `[public]` plan layers (401 otherwise).
    pub fn may_read(&self, p: &Principal, kind: Kind, survey: Option<i32>) -> Result<(), ApiError> {
        if p.access != Access::Public {
            return Ok(());
        }
        if survey.is_none() && self.plan.public.layers.iter().any(|k| k == kind.id()) {
            return Ok(());
        }
        Err(unauthorized(format!(
            "{}不对公众开放，请登录（POST /api/session）",
            kind.chinese()
        )))
    }
}

/// The features of one layer a county user may see.
pub struct Visible {
    counties: Counties,
    scope: u16,
}

impl Visible {
    /// Whether feature `i` (of the whole layer) is visible.
    pub fn contains(&self, i: u32) -> bool {
        self.counties
            .get()
            .and_then(|v| v.get(i as usize))
            .is_some_and(|&c| c == self.scope)
    }
}

/// `Visible::contains` for an optional filter (`None`: everything).
pub fn shows(v: &Option<Visible>, i: u32) -> bool {
    v.as_ref().is_none_or(|v| v.contains(i))
}

pub(crate) fn poisoned<T>(_: T) -> ApiError {
    ApiError::internal("a lock was poisoned by an earlier failure")
}

/// The session token of a request, and whether it came in the cookie.
fn token_of(h: &HeaderMap) -> Option<(String, bool)> {
    if let Some(t) = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some((t.trim().to_string(), false));
    }
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(String::from)
        })
        .filter(|t| !t.is_empty())
        .map(|t| (t, true))
}

/// Whether a request came over HTTPS (directly or through a proxy that says so).
fn https(h: &HeaderMap) -> bool {
    h.get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` of a session (empty token: ending it).
fn cookie(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let v = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A cookie-authenticated request that changes something must come from a page of this
/// server: its `Origin`, when sent, names our host (SameSite=Strict already keeps other
/// sites' requests cookie-less in browsers that honour it).
fn foreign_origin(h: &HeaderMap) -> bool {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").map(|(_, o)| o) != Some(host)
}

/// The middleware: resolves the session into a [`Principal`] for the handlers. An unknown or
/// expired bearer token is 401; an unknown cookie is cleared and the request served as the
/// public's.
pub async fn authenticate(State(s): State<Shared>, mut req: Request, next: Next) -> Response {
    let token = token_of(req.headers());
    // From the caches without leaving the async task; the store only on a miss.
    let resolved = match s.resolve(&token, true) {
        Ok(Some(r)) => Ok(r),
        Err(e) => Err(e),
        Ok(None) => {
            let s2 = s.clone();
            tokio::task::spawn_blocking(move || s2.resolve(&token, false))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|r| r)
                .map(|r| r.unwrap_or((None, false)))
        }
    };
    let (p, clear) = match resolved {
        Ok((Some(p), clear)) => (p, clear),
        Ok((None, _)) => {
            return unauthorized("会话无效或已过期，请重新登录（POST /api/session）")
                .into_response()
        }
        Err(e) => return e.into_response(),
    };
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if p.by_cookie && changes && foreign_origin(req.headers()) {
        return forbidden("跨站请求被拒绝：Origin 与本站不符").into_response();
    }
    let secure = https(req.headers());
    req.extensions_mut().insert(p);
    let mut r = next.run(req).await;
    if clear {
        r.headers_mut()
            .append(header::SET_COOKIE, cookie("", 0, secure));
    }
    r
}

/// `{name, role, county, rights}` of a principal (also in `/api/meta`).
pub fn describe(s: &AppState, p: &Principal) -> Value {
    let county = p.county().map(|c| {
        let name = s
            .counties
            .iter()
            .find(|(code, _)| code == c)
            .map_or("", |(_, n)| n.as_str());
        json!({"code": c, "name": name})
    });
    let rights: Vec<&str> = Right::ALL
        .iter()
        .filter(|r| p.has(**r))
        .map(|r| r.id())
        .collect();
    json!({
        "name": if p.access == Access::Public { Value::Null } else { json!(p.name) },
        "role": p.role_id(),
        "county": county,
        "rights": rights,
        "open": p.open,
    })
}

/// `GET /api/session`: who is signed in (`name` null for the public).
pub async fn whoami(
    State(s): State<Shared>,
    axum::Extension(p): axum::Extension<Principal>,
) -> Json<Value> {
    Json(describe(&s, &p))
}

#[derive(serde::Deserialize)]
struct Credentials {
    name: String,
    password: String,
}

/// `POST /api/session` with `{"name", "password"}`: signs in. Answers the user with a bearer
/// `token` and its expiry, and sets the session cookie (HTTP-only, SameSite=Strict; Secure
/// behind HTTPS). Wrong names and passwords get the same 401; a locked account 403 with when
/// it opens again. Every attempt is in the audit trail.
pub async fn sign_in(State(s): State<Shared>, req: Request) -> Result<Response, ApiError> {
    let from = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .or_else(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        })
        .unwrap_or_else(|| "web".into());
    let secure = https(req.headers());
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::bad("body: too large"))?;
    let c: Credentials = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad(format!("body: {{\"name\", \"password\"}} expected ({e})")))?;
    let s2 = s.clone();
    let session = tokio::task::spawn_blocking(move || {
        s2.open_store()?
            .sign_in(&c.name, &c.password, SESSION_TTL, &format!("Web {from}"))
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let session = match session {
        Ok(x) => x,
        Err(SignInError::Wrong) => return Err(unauthorized("用户名或密码错误")),
        Err(SignInError::Locked(until)) => {
            return Err(forbidden(format!(
                "连续登录失败次数过多，账户已锁定至 {until}"
            )))
        }
    };
    let p = s.principal(&session.user.name, session.user.role.clone(), true);
    let mut v = describe(&s, &p);
    v["token"] = json!(session.token);
    v["expires_at"] = json!(onemap_store::rfc3339(session.expires_at));
    let mut r = Json(v).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&session.token, SESSION_TTL, secure),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `DELETE /api/session`: signs out (the session ends in the store, the cookie is cleared).
pub async fn sign_out(State(s): State<Shared>, h: HeaderMap) -> Result<Response, ApiError> {
    if let Some((t, _)) = token_of(&h) {
        if let Ok(mut c) = s.auth.sessions.lock() {
            c.remove(&t);
        }
        let s2 = s.clone();
        tokio::task::spawn_blocking(move || {
            s2.open_store()?
                .sign_out(&t)
                .map_err(|e| ApiError::internal(e.to_string()))
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, cookie("", 0, https(&h)));
    Ok(r)
}

/// The counties of the 行政区 layer: (XZQDM, XZQMC), in layer order.
pub fn counties_of(xzq: Option<&Layer>) -> Vec<(String, String)> {
    let Some(x) = xzq else { return Vec::new() };
    (0..x.len() as u32)
        .map(|i| {
            (
                x.text_of("XZQDM", i).get(..6).unwrap_or("").to_string(),
                x.text_of("XZQMC", i).to_string(),
            )
        })
        .collect()
}
