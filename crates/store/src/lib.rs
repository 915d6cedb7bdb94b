//! The one-map store: every survey and plan layer as a dataset in one coordinate system
//! (EPSG:4490), checked on the way in, with known provenance.
//!
//! [`Store`] is the interface the analyses use; [`GpkgStore`] keeps everything in one
//! GeoPackage file that QGIS, ArcGIS and GDAL open as they are. A PostGIS implementation will
//! follow the same trait.

pub mod audit;
pub mod fixture;
mod gpkg_store;
#[cfg(feature = "postgis")]
mod postgis;
pub mod users;

pub use audit::{AuditBreak, AuditEntry};
pub use gpkg_store::{GpkgStore, PLAN_KINDS};
#[cfg(feature = "postgis")]
pub use postgis::{is_url, PostgisStore};
pub use users::{Role, Session, SignInError, User};

use onemap_formats::{FeatureReader, Value};
use onemap_survey::{Finding, Kind, Options};
use std::path::{Path, PathBuf};

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store file could not be used.
    #[error("store {}: {message}", path.display())]
    Store {
        /// The store.
        path: PathBuf,
        /// What.
        message: String,
    },
    /// No dataset with that id.
    #[error("no dataset {0:?}; `onemap datasets` lists them")]
    NoDataset(String),
    /// Reading the source failed.
    #[error(transparent)]
    Source(#[from] onemap_formats::FormatError),
    /// The source does not fit the kind (field mapping).
    #[error("{0}")]
    Mapping(String),
    /// The write would change an approved plan version.
    #[error("{0}")]
    ReadOnly(String),
}

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A dataset: one import of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Id, e.g. `dltb-2023`.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Survey year or plan version year.
    pub year: Option<i32>,
    /// Display name.
    pub name: String,
    /// Number of features.
    pub features: u64,
    /// Source file name.
    pub source: String,
    /// SHA-256 of the source file(s), hex.
    pub sha256: String,
    /// CRS of the source, `EPSG:N`.
    pub source_crs: String,
    /// Import time, RFC 3339 UTC.
    pub imported_at: String,
    /// Importing user.
    pub imported_by: String,
    /// Number of warnings stored with the dataset.
    pub warnings: u64,
    /// The GeoPackage table holding the features.
    pub table: String,
}

/// A reviewed parcel to keep.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRecord {
    /// Who reviewed it.
    pub actor: String,
    /// The parcel's name (or id) for the audit trail.
    pub name: String,
    /// The verdict.
    pub verdict: String,
    /// The county holding most of it (XZQDM), if any.
    pub county: Option<String>,
    /// The parcel as a GeoJSON Feature (geometry, verdict, file, …).
    pub feature: String,
}

/// A kept review.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReview {
    /// Position, from 1.
    pub id: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Who.
    pub actor: String,
    /// County (XZQDM).
    pub county: Option<String>,
    /// The GeoJSON Feature.
    pub feature: String,
}

/// Everything a store holds but its features (what `onemap store copy` moves besides them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dump {
    /// Datasets with their findings, oldest first.
    pub datasets: Vec<(Dataset, Vec<Finding>)>,
    /// Statistics inputs.
    pub stats: Vec<StatRow>,
    /// Monitoring runs with their alerts.
    pub runs: Vec<(MonitorRun, Vec<AlertRecord>)>,
    /// Plan versions with their layers.
    pub versions: Vec<PlanVersion>,
    /// Amendments.
    pub amendments: Vec<Amendment>,
    /// Reviews kept by the server.
    pub reviews: Vec<StoredReview>,
    /// The audit trail.
    pub audit: Vec<AuditEntry>,
    /// Users with their password hashes.
    pub users: Vec<(User, String)>,
}

/// Refuse to restore into a store that holds anything.
pub(crate) fn restore_target_empty(s: &dyn Store) -> Result<()> {
    if !s.datasets()?.is_empty() || !s.audit_log()?.is_empty() || !s.users()?.is_empty() {
        return Err(StoreError::Mapping(format!(
            "{}: the target store is not empty; copy into a new GeoPackage or a freshly initialised database",
            s.location()
        )));
    }
    Ok(())
}

/// What to import.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// Kind of the dataset.
    pub kind: Kind,
    /// Year.
    pub year: Option<i32>,
    /// Display name (default: the source file stem).
    pub name: Option<String>,
    /// The source file (for provenance).
    pub source: PathBuf,
    /// `--map CANONICAL=SOURCE` pairs.
    pub map: Vec<(String, String)>,
    /// Check parameters.
    pub options: Options,
    /// The importing user.
    pub user: String,
    /// Import a plan layer into an approved plan version (`--plan-version`).
    pub plan: Option<PlanApproval>,
}

/// The approval a plan layer is imported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanApproval {
    /// Version number: the latest version (to add a layer it lacks) or the next one.
    pub version: i64,
    /// Approval document number (批复文号), e.g. 内政字〔2024〕53号.
    pub approval: String,
    /// Approval date, `YYYY-MM-DD`.
    pub approved_on: String,
    /// Approving authority.
    pub authority: String,
    /// How the version comes about (`imported`, `amendment A0001`).
    pub note: String,
}

/// An approved plan version: read-only once made. Its layers are the datasets imported or
/// approved into it, and those it carries over unchanged from the version before.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlanVersion {
    /// Version number, from 1.
    pub version: i64,
    /// Approval document number.
    pub approval: String,
    /// Approval date, `YYYY-MM-DD`: the version is in force from that day until the next
    /// version's.
    pub approved_on: String,
    /// Approving authority.
    pub authority: String,
    /// When it was recorded, RFC 3339.
    pub created_at: String,
    /// Who recorded it.
    pub created_by: String,
    /// How it came about (an import, an amendment).
    pub note: String,
    /// Its layers: kind, dataset, and whether carried over from the version before.
    pub layers: Vec<PlanLayer>,
}

/// A layer of a plan version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlanLayer {
    /// Layer kind id.
    pub kind: String,
    /// Dataset id.
    pub dataset: String,
    /// Carried over unchanged from the version before.
    pub inherited: bool,
}

impl PlanVersion {
    /// The dataset of a kind in this version.
    pub fn dataset(&self, kind: Kind) -> Option<&str> {
        self.layers
            .iter()
            .find(|l| l.kind == kind.id())
            .map(|l| l.dataset.as_str())
    }
}

/// A proposed amendment of the plan (规划修改): the change set, the checks run on it, and the
/// decision.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Amendment {
    /// Id, e.g. `A0001`.
    pub id: String,
    /// `proposed`, `refused` (a check failed), `approved` or `rejected`.
    pub status: String,
    /// The plan version it changes.
    pub base_version: i64,
    /// RFC 3339.
    pub proposed_at: String,
    /// Proposer.
    pub proposed_by: String,
    /// The change-set file.
    pub source: String,
    /// SHA-256 of the change set as stored (`changes`).
    pub sha256: String,
    /// The change set: a GeoJSON FeatureCollection (EPSG:4490) whose features carry `op`,
    /// `layer` and `id`.
    pub changes: String,
    /// The checks' results, JSON.
    pub checks: String,
    /// When decided, RFC 3339.
    pub decided_at: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The approval number, or the reason of a rejection.
    pub decision: Option<String>,
    /// The version it became.
    pub version: Option<i64>,
}

/// The version in force on `date` (`YYYY-MM-DD`; `None`: the latest): the last approved on or
/// before it.
pub fn version_in_force<'a>(
    versions: &'a [PlanVersion],
    date: Option<&str>,
) -> Option<&'a PlanVersion> {
    versions
        .iter()
        .filter(|v| date.is_none_or(|d| v.approved_on.as_str() <= d))
        .max_by_key(|v| (v.approved_on.clone(), v.version))
}

/// The result of an import: the dataset if it was stored, and every finding.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The stored dataset; `None` when errors refused the import.
    pub dataset: Option<Dataset>,
    /// Findings, errors first.
    pub findings: Vec<Finding>,
    /// Field-mapping notes.
    pub notes: Vec<String>,
    /// Features read.
    pub read: u64,
}

/// An entry of the store's event log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// RFC 3339 UTC.
    pub at: String,
    /// User.
    pub user: String,
    /// `import`, `remove`.
    pub action: String,
    /// Dataset id.
    pub dataset: String,
    /// Details.
    pub detail: String,
}

/// The survey areas of the patches of one ZLDWDM and DLBM, summed in cents of m²: each value
/// rounded to the cent half away from zero first (as the row path does), KCMJ empty = 0,
/// TBDLMJ empty = TBMJ − KCMJ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassSum {
    /// 坐落单位代码 (empty when null).
    pub zldwdm: String,
    /// 地类编码 (empty when null).
    pub dlbm: String,
    /// Patches.
    pub features: u64,
    /// Σ TBMJ.
    pub tbmj: i64,
    /// Σ KCMJ.
    pub kcmj: i64,
    /// Σ TBDLMJ.
    pub tbdlmj: i64,
}

/// Adds up the [`ClassSum`]s of a survey dataset while it is imported, with the row path's
/// rounding; gives nothing for another kind, a missing field or an empty TBMJ.
#[derive(Debug)]
#[cfg_attr(not(feature = "postgis"), allow(dead_code))]
pub(crate) struct ClassSummer {
    idx: Option<[usize; 5]>,
    sums: std::collections::BTreeMap<(String, String), (u64, i64, i64, i64)>,
}

#[cfg_attr(not(feature = "postgis"), allow(dead_code))]
impl ClassSummer {
    pub(crate) fn new(kind: Kind, fields: &[onemap_formats::Field]) -> ClassSummer {
        let at = |n: &str| fields.iter().position(|f| f.name.eq_ignore_ascii_case(n));
        let idx = match (
            at("ZLDWDM"),
            at("DLBM"),
            at("TBMJ"),
            at("KCMJ"),
            at("TBDLMJ"),
        ) {
            (Some(z), Some(d), Some(t), Some(k), Some(b)) if kind == Kind::Dltb => {
                Some([z, d, t, k, b])
            }
            _ => None,
        };
        ClassSummer {
            idx,
            sums: Default::default(),
        }
    }

    pub(crate) fn add(&mut self, values: &[Value]) {
        use onemap_survey::numbers::cents;
        let Some([z, d, t, k, b]) = self.idx else {
            return;
        };
        let null = Value::Null;
        let v = |i: usize| values.get(i).unwrap_or(&null);
        let Some(tc) = cents(v(t)) else {
            self.idx = None;
            return;
        };
        let kc = cents(v(k)).unwrap_or(0);
        let bc = cents(v(b)).unwrap_or(tc - kc);
        let text = |x: &Value| x.as_text().unwrap_or_default();
        let e = self.sums.entry((text(v(z)), text(v(d)))).or_default();
        e.0 += 1;
        e.1 += tc;
        e.2 += kc;
        e.3 += bc;
    }

    pub(crate) fn finish(self) -> Option<Vec<ClassSum>> {
        self.idx?;
        Some(
            self.sums
                .into_iter()
                .map(
                    |((zldwdm, dlbm), (features, tbmj, kcmj, tbdlmj))| ClassSum {
                        zldwdm,
                        dlbm,
                        features,
                        tbmj,
                        kcmj,
                        tbdlmj,
                    },
                )
                .collect(),
        )
    }
}

/// A statistics input: a non-spatial figure (用水总量, population, GDP …) for a year and a
/// reporting unit.
#[derive(Clone, Debug, PartialEq)]
pub struct StatRow {
    /// Year.
    pub year: i32,
    /// Unit: a 6-digit region or county code.
    pub unit: String,
    /// Figure key, e.g. `water_use`, `urban_population`.
    pub key: String,
    /// The value, in the key's unit.
    pub value: f64,
    /// The file it came from.
    pub source: String,
}

/// An alert of a monitoring run, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRecord {
    /// Stable alert id.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: String,
    /// County code.
    pub unit: String,
    /// Township code.
    pub township: String,
    /// Area, m².
    pub area_m2: f64,
    /// DLBM before.
    pub from_dlbm: String,
    /// DLBM after.
    pub to_dlbm: String,
    /// The changed piece, WKB in EPSG:4490.
    pub wkb: Vec<u8>,
}

/// A monitoring run as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct MonitorRun {
    /// Run number.
    pub id: i64,
    /// Earlier year.
    pub from: i32,
    /// Later year.
    pub to: i32,
    /// RFC 3339 time.
    pub at: String,
    /// User.
    pub user: String,
    /// The input datasets (ids and SHA-256), JSON.
    pub inputs: String,
    /// The rules run (plan and rule ids), JSON.
    pub rules: String,
    /// Number of alerts.
    pub alerts: u64,
}

/// The store interface the analyses use. Nothing here is specific to SQLite.
pub trait Store {
    /// Where the store is, for messages: the GeoPackage's path, or the database URL with the
    /// password hidden.
    fn location(&self) -> String;
    /// Every dataset, oldest first.
    fn datasets(&self) -> Result<Vec<Dataset>>;
    /// One dataset.
    fn dataset(&self, id: &str) -> Result<Dataset>;
    /// Import a layer: all of it or nothing. `progress` is called with the features read.
    fn import(
        &mut self,
        req: &ImportRequest,
        source: &mut dyn FeatureReader,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome>;
    /// Import several layers in one transaction: all of them or none. Stops at the first one
    /// the checks refuse (its outcome is the last returned, and nothing is stored).
    fn import_all(
        &mut self,
        jobs: &mut [(ImportRequest, Box<dyn FeatureReader>)],
    ) -> Result<Vec<ImportOutcome>>;
    /// The features of a dataset, in EPSG:4490.
    fn features(&self, id: &str) -> Result<Box<dyn FeatureReader>>;
    /// The features of a dataset with only the named attribute fields (a store may return
    /// more; readers find fields by name).
    fn features_with(&self, id: &str, fields: &[&str]) -> Result<Box<dyn FeatureReader>> {
        let _ = fields;
        self.features(id)
    }
    /// Call `f` with the values of `fields` for every feature of a dataset (no geometry).
    fn for_each_row(&self, id: &str, fields: &[&str], f: &mut dyn FnMut(&[Value])) -> Result<()>;
    /// The class sums of a survey dataset computed where the data is (see [`ClassSum`]), or
    /// `None` when this store does not, or cannot do it exactly for this dataset (a field
    /// missing or not numeric, an empty or non-finite TBMJ, a value within 0.01 of a half
    /// cent): the caller then reads the rows with [`Store::for_each_row`].
    fn class_sums(&self, id: &str) -> Result<Option<Vec<ClassSum>>> {
        let _ = id;
        Ok(None)
    }
    /// The warnings stored with a dataset.
    fn findings(&self, id: &str) -> Result<Vec<Finding>>;
    /// Remove a dataset; the removal is recorded in the event log.
    fn remove(&mut self, id: &str, user: &str, reason: Option<&str>) -> Result<()>;
    /// The event log, oldest first: the audit trail's entries.
    fn events(&self) -> Result<Vec<Event>> {
        Ok(self
            .audit_log()?
            .into_iter()
            .map(|a| Event {
                at: a.at,
                user: a.actor,
                action: a.action,
                dataset: a.object,
                detail: a.detail,
            })
            .collect())
    }
    /// Store statistics inputs, replacing figures with the same year, unit and key; all or
    /// nothing; recorded in the event log. Returns the number stored.
    fn import_stats(&mut self, rows: &[StatRow], source: &str, user: &str) -> Result<usize>;
    /// Every statistics input, by year, unit and key.
    fn stats(&self) -> Result<Vec<StatRow>>;
    /// Store a monitoring run and its alerts (all or nothing; recorded in the event log).
    /// Returns the run.
    fn record_alerts(
        &mut self,
        from: i32,
        to: i32,
        inputs: &str,
        rules: &str,
        user: &str,
        alerts: &[AlertRecord],
    ) -> Result<MonitorRun>;
    /// Monitoring runs, oldest first.
    fn monitor_runs(&self) -> Result<Vec<MonitorRun>>;
    /// The alerts of a run.
    fn alerts(&self, run: i64) -> Result<Vec<AlertRecord>>;
    /// A cached result by key (analyses store what they derive from datasets that do not
    /// change, keyed by the datasets' hashes).
    fn cache_get(&self, key: &str) -> Result<Option<String>> {
        let _ = key;
        Ok(None)
    }
    /// Store a cached result.
    fn cache_put(&self, key: &str, value: &str) -> Result<()> {
        let _ = (key, value);
        Ok(())
    }
    /// Append an entry to the audit trail for a write made outside the store (a report, a
    /// sign-in, a user change). The store's own writes append theirs in their transaction.
    fn audit(
        &mut self,
        actor: &str,
        action: &str,
        object: &str,
        detail: &str,
        digest: &str,
    ) -> Result<AuditEntry>;
    /// The audit trail, by position.
    fn audit_log(&self) -> Result<Vec<AuditEntry>>;
    /// Keep the parcels of project reviews (made through the server) in one transaction, each
    /// with an audit entry, so that every instance serving the store lists them.
    fn record_reviews(&mut self, reviews: &[ReviewRecord]) -> Result<()>;
    /// The latest `limit` reviewed parcels (of one county, or all), oldest first.
    fn reviews(&self, county: Option<&str>, limit: usize) -> Result<Vec<StoredReview>>;
    /// Verify the audit trail: the hash chain ([`audit::verify`]), and an `import` entry with
    /// the source digest for every dataset held (so removing an import's entry, even the
    /// last one, is found). Returns the number of entries and the head hash.
    fn audit_verify(&self) -> Result<Result<(usize, String), AuditBreak>> {
        let log = self.audit_log()?;
        if let Err(b) = audit::verify(&log) {
            return Ok(Err(b));
        }
        for d in self.datasets()? {
            if !log
                .iter()
                .any(|a| a.action == "import" && a.object == d.id && a.digest == d.sha256)
            {
                return Ok(Err(AuditBreak {
                    seq: log.len() as i64 + 1,
                    message: format!(
                        "dataset {} ({}, imported {} by {}) has no import entry with its digest: an entry was removed or changed",
                        d.id, d.name, d.imported_at, d.imported_by
                    ),
                }));
            }
        }
        let head = log
            .last()
            .map_or(audit::GENESIS.to_string(), |e| e.hash.clone());
        Ok(Ok((log.len(), head)))
    }
    /// The approved plan versions, oldest first.
    fn plan_versions(&self) -> Result<Vec<PlanVersion>> {
        Ok(Vec::new())
    }
    /// Store a new amendment (its id is assigned; `status`, `checks` as given), with an audit
    /// entry. Returns it.
    fn propose_amendment(&mut self, a: &Amendment) -> Result<Amendment>;
    /// Every amendment, oldest first.
    fn amendments(&self) -> Result<Vec<Amendment>>;
    /// Record the decision on a proposed amendment (`approved` with the version it became, or
    /// `rejected` with the reason), with an audit entry. Refused unless it is `proposed`.
    fn decide_amendment(
        &mut self,
        id: &str,
        status: &str,
        by: &str,
        decision: &str,
        version: Option<i64>,
    ) -> Result<Amendment>;
    /// The users (never their password hashes).
    fn users(&self) -> Result<Vec<User>>;
    /// Add a user with a password (hashed with Argon2id); audited.
    fn user_add(&mut self, name: &str, role: &Role, password: &str, by: &str) -> Result<User>;
    /// Change a user's password and/or role, or remove the user; the user's sessions end;
    /// audited.
    fn user_change(
        &mut self,
        name: &str,
        password: Option<&str>,
        role: Option<&Role>,
        remove: bool,
        by: &str,
    ) -> Result<()>;
    /// Sign in for `ttl` seconds; every attempt is audited, repeated failures lock the account.
    fn sign_in(
        &mut self,
        name: &str,
        password: &str,
        ttl: i64,
        from: &str,
    ) -> Result<Result<Session, SignInError>>;
    /// The user of a live session token.
    fn session_user(&self, token: &str) -> Result<Option<User>>;
    /// End a session; audited. `false` when there was none.
    fn sign_out(&mut self, token: &str) -> Result<bool>;
    /// A user's password hash (Argon2id PHC string), for copying a store.
    fn password_hash(&self, name: &str) -> Result<Option<String>>;
    /// Everything the store holds but the features, as stored.
    fn dump(&self) -> Result<Dump> {
        let mut d = Dump::default();
        for ds in self.datasets()? {
            let f = self.findings(&ds.id)?;
            d.datasets.push((ds, f));
        }
        d.stats = self.stats()?;
        for r in self.monitor_runs()? {
            let a = self.alerts(r.id)?;
            d.runs.push((r, a));
        }
        d.versions = self.plan_versions()?;
        d.amendments = self.amendments()?;
        d.reviews = self.reviews(None, usize::MAX >> 1)?;
        d.audit = self.audit_log()?;
        for u in self.users()? {
            let h = self.password_hash(&u.name)?.unwrap_or_default();
            d.users.push((u, h));
        }
        Ok(d)
    }
    /// Fill an empty store with a [`Dump`] and each dataset's features (from `features`), as
    /// they were: ids, times, users, findings, plan versions, the audit chain with its hashes,
    /// password hashes. One transaction: all of it or nothing.
    fn restore(
        &mut self,
        dump: &Dump,
        features: &mut dyn FnMut(&Dataset) -> Result<Box<dyn FeatureReader>>,
    ) -> Result<()>;
    /// Another handle on the same store for a reader thread, where the store allows it.
    fn reopen(&self) -> Option<Box<dyn Store + Send>> {
        None
    }
}

/// The store path: `--store`, else `ONEMAP_STORE`, else `./onemap.gpkg`.
pub fn store_path(arg: Option<&Path>) -> PathBuf {
    arg.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ONEMAP_STORE").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("onemap.gpkg"))
}

/// The OS user, for provenance.
pub fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// Now as RFC 3339 UTC (`2026-11-29T07:58:00Z`).
pub fn now_rfc3339() -> String {
    rfc3339(now_secs())
}

/// Now, seconds since 1970.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Seconds since 1970 as RFC 3339 UTC.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = onemap_formats::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Whether `d` is a date `YYYY-MM-DD` (month 1–12, day 1–31).
pub fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d[..4].parse::<u32>().is_ok()
        && d[5..7].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && d[8..].parse::<u32>().is_ok_and(|x| (1..=31).contains(&x))
}

/// The survey years of some datasets, ascending, each once.
pub fn survey_years(datasets: &[Dataset]) -> Vec<i32> {
    let mut years: Vec<i32> = datasets
        .iter()
        .filter(|d| d.kind == Kind::Dltb)
        .filter_map(|d| d.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// SHA-256 of a source: the file itself, and for a shapefile its .shx, .dbf, .prj and .cpg in
/// that order where present.
pub fn source_sha256(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut h = Sha256::new();
    let mut files = vec![path.to_path_buf()];
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
    {
        for ext in ["shx", "dbf", "prj", "cpg"] {
            for e in [ext.to_string(), ext.to_ascii_uppercase()] {
                let p = path.with_extension(e);
                if p.exists() {
                    files.push(p);
                    break;
                }
            }
        }
    }
    let mut buf = vec![0u8; 1 << 20];
    for f in files {
        let mut file = std::fs::File::open(f)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The audit detail and digest of a statistics import.
pub(crate) fn stats_audit(rows: &[StatRow], source: &str) -> (String, String) {
    let content: String = rows
        .iter()
        .map(|r| format!("{}\t{}\t{}\t{}\n", r.year, r.unit, r.key, r.value))
        .collect();
    (
        format!("{} figures from {source}", rows.len()),
        audit::digest(content.as_bytes()),
    )
}

/// The audit detail and digest of a kept review.
pub(crate) fn review_audit(r: &ReviewRecord) -> (String, String) {
    (
        format!("项目审查：{}（{}）", r.name, r.verdict),
        audit::digest(r.feature.as_bytes()),
    )
}

/// Open a store: a `postgres://` URL is a PostGIS store, anything else a GeoPackage (created
/// when absent).
pub fn open(location: &Path) -> Result<Box<dyn Store + Send>> {
    #[cfg(feature = "postgis")]
    if let Some(url) = location.to_str().filter(|s| postgis::is_url(s)) {
        return Ok(Box::new(PostgisStore::open(url)?));
    }
    Ok(Box::new(GpkgStore::open(location)?))
}

/// The audit detail and digest of a monitoring run.
pub(crate) fn monitor_audit(
    id: i64,
    from: i32,
    to: i32,
    inputs: &str,
    rules: &str,
    alerts: &[AlertRecord],
) -> (String, String) {
    let mut content = format!("{inputs}\n{rules}\n");
    for a in alerts {
        content.push_str(&format!(
            "{}\t{}\t{}\n",
            a.id,
            a.area_m2,
            audit::digest(&a.wkb)
        ));
    }
    (
        format!("run {id}: {from}→{to}, {} alerts", alerts.len()),
        audit::digest(content.as_bytes()),
    )
}

/// The audit detail of a proposal.
pub(crate) fn propose_detail(a: &Amendment) -> String {
    format!(
        "amendment {} of plan version {} from {}: {}",
        a.id, a.base_version, a.source, a.status
    )
}

/// The amendment `id` when it can be decided (it is `proposed`).
pub(crate) fn decidable(all: Vec<Amendment>, id: &str) -> Result<Amendment> {
    let a = all.into_iter().find(|a| a.id == id).ok_or_else(|| {
        StoreError::Mapping(format!("no amendment {id:?}; onemap amend list shows them"))
    })?;
    if a.status != "proposed" {
        return Err(StoreError::ReadOnly(format!(
            "amendment {id} is {}{}; only a proposed amendment can be decided",
            a.status,
            a.decided_at
                .as_deref()
                .map(|d| format!(" (since {d})"))
                .unwrap_or_default()
        )));
    }
    Ok(a)
}

/// The audit action and detail of a decision.
pub(crate) fn decide_audit(
    id: &str,
    status: &str,
    decision: &str,
    version: Option<i64>,
) -> (&'static str, String) {
    (
        if status == "approved" {
            "amend-approve"
        } else {
            "amend-reject"
        },
        match version {
            Some(v) => format!("amendment {id} {status}: {decision}; plan version {v}"),
            None => format!("amendment {id} {status}: {decision}"),
        },
    )
}
