//! The embedded store: one GeoPackage file. Each dataset is an ordinary feature layer (EPSG:4490,
//! R-tree spatial index) that QGIS, ArcGIS and GDAL open as it is; onemap's own metadata sits in
//! `onemap_datasets`, `onemap_findings` and `onemap_events`.

use crate::{
    AlertRecord, Amendment, AuditEntry, Dataset, ImportOutcome, ImportRequest, MonitorRun,
    PlanApproval, PlanLayer, PlanVersion, Result, ReviewRecord, Role, Session, SignInError,
    StatRow, Store, StoreError, StoredReview, User,
};
use onemap_formats::gpkg::{ensure_srs, ident, init, rtree_triggers, GpkgReader};
use onemap_formats::model::bbox;
use onemap_formats::{wkb, FeatureReader, FieldType, Value};
use onemap_geodesy::crs::Crs;
use onemap_survey::inspect::Inspector;
use onemap_survey::{Finding, Kind, Severity};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

const ONEMAP_TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS onemap_datasets (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, year INTEGER, name TEXT NOT NULL,
  features INTEGER NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL, source_crs TEXT NOT NULL,
  imported_at TEXT NOT NULL, imported_by TEXT NOT NULL, warnings INTEGER NOT NULL,
  table_name TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS onemap_findings (
  dataset_id TEXT NOT NULL, severity TEXT NOT NULL, check_id TEXT NOT NULL,
  feature INTEGER, field TEXT, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onemap_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL,
  action TEXT NOT NULL, dataset_id TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onemap_stats (
  year INTEGER NOT NULL, unit TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL,
  source TEXT NOT NULL, imported_at TEXT NOT NULL, imported_by TEXT NOT NULL,
  PRIMARY KEY (year, unit, key));
CREATE TABLE IF NOT EXISTS onemap_monitor_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, from_year INTEGER NOT NULL, to_year INTEGER NOT NULL,
  at TEXT NOT NULL, user TEXT NOT NULL, inputs TEXT NOT NULL, rules TEXT NOT NULL,
  alerts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS onemap_alerts (
  run_id INTEGER NOT NULL, alert_id TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
  unit TEXT NOT NULL, township TEXT NOT NULL, area_m2 REAL NOT NULL, from_dlbm TEXT NOT NULL,
  to_dlbm TEXT NOT NULL, wkb BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS onemap_alerts_run ON onemap_alerts (run_id);
CREATE TABLE IF NOT EXISTS onemap_plan_versions (
  version INTEGER PRIMARY KEY, approval TEXT NOT NULL, approved_on TEXT NOT NULL,
  authority TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onemap_plan_layers (
  version INTEGER NOT NULL, kind TEXT NOT NULL, dataset_id TEXT NOT NULL, inherited INTEGER NOT NULL,
  PRIMARY KEY (version, kind));
CREATE TABLE IF NOT EXISTS onemap_amendments (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, base_version INTEGER NOT NULL, proposed_at TEXT NOT NULL,
  proposed_by TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL, changes TEXT NOT NULL,
  checks TEXT NOT NULL, decided_at TEXT, decided_by TEXT, decision TEXT, version INTEGER);
CREATE TABLE IF NOT EXISTS onemap_cache (
  key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onemap_reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, county TEXT,
  feature TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS onemap_reviews_county ON onemap_reviews (county);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('onemap_amendments', 'attributes', 'onemap_amendments', 'onemap 规划修改方案'),
  ('onemap_plan_versions', 'attributes', 'onemap_plan_versions', 'onemap 规划版本'),
  ('onemap_plan_layers', 'attributes', 'onemap_plan_layers', 'onemap 规划版本图层'),
  ('onemap_monitor_runs', 'attributes', 'onemap_monitor_runs', 'onemap 动态监测运行记录'),
  ('onemap_alerts', 'attributes', 'onemap_alerts', 'onemap 监测预警图斑'),
  ('onemap_stats', 'attributes', 'onemap_stats', 'onemap 社会经济统计数据'),
  ('onemap_datasets', 'attributes', 'onemap_datasets', 'onemap 数据集目录'),
  ('onemap_findings', 'attributes', 'onemap_findings', 'onemap 入库质检结果'),
  ('onemap_events', 'attributes', 'onemap_events', 'onemap 操作记录');
"#;

/// A store in one GeoPackage file.
pub struct GpkgStore {
    conn: Connection,
    path: PathBuf,
}

fn err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Store {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The envelope of a GeoPackage geometry blob (for the R-tree triggers' ST_ functions).
fn blob_envelope(b: &[u8]) -> Option<[f64; 4]> {
    let g = wkb::parse_gpkg_blob(b).ok()??;
    bbox(&g)
}

/// Register the SQL functions the GeoPackage R-tree triggers call (GDAL and QGIS register
/// their own): ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY, ST_MaxY.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Blob(b) => {
                b.len() < 4 || b[3] & 0b0001_0000 != 0 || blob_envelope(b).is_none()
            }
            _ => true,
        })
    })?;
    for (name, k) in [
        ("ST_MinX", 0usize),
        ("ST_MinY", 1),
        ("ST_MaxX", 2),
        ("ST_MaxY", 3),
    ] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Blob(b) => blob_envelope(b).map(|e| e[k]),
                _ => None,
            })
        })?;
    }
    Ok(())
}

impl GpkgStore {
    /// A write transaction that takes the write lock at once: a deferred one that reads
    /// first fails at once with "database is locked" when another writer got in between,
    /// where this one waits its turn (the busy timeout).
    fn write(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Open a store, creating it (a valid, empty GeoPackage) if the file does not exist.
    pub fn open(path: &Path) -> Result<GpkgStore> {
        let exists = path.exists();
        let conn = Connection::open(path).map_err(|e| err(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| err(path, e))?;
        register_functions(&conn).map_err(|e| err(path, e))?;
        if !exists {
            conn.execute_batch("BEGIN").map_err(|e| err(path, e))?;
            init(&conn).map_err(|e| err(path, e))?;
            ensure_srs(&conn, &Crs::Cgcs2000).map_err(|e| err(path, e))?;
            conn.execute_batch(ONEMAP_TABLES)
                .map_err(|e| err(path, e))?;
            conn.execute_batch(crate::audit::TABLE)
                .map_err(|e| err(path, e))?;
            conn.execute_batch(crate::users::TABLES)
                .map_err(|e| err(path, e))?;
            conn.execute_batch("COMMIT").map_err(|e| err(path, e))?;
        } else {
            let is_gpkg: bool = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_contents'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0)
                .map_err(|e| err(path, format!("not a GeoPackage: {e}")))?;
            if !is_gpkg {
                return Err(err(path, "not a GeoPackage store (no gpkg_contents)"));
            }
            conn.execute_batch(ONEMAP_TABLES)
                .map_err(|e| err(path, e))?;
            conn.execute_batch(crate::audit::TABLE)
                .map_err(|e| err(path, e))?;
            conn.execute_batch(crate::users::TABLES)
                .map_err(|e| err(path, e))?;
            crate::audit::adopt_events(&conn).map_err(|e| err(path, e))?;
        }
        Ok(GpkgStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn row_to_dataset(r: &rusqlite::Row) -> rusqlite::Result<Dataset> {
        let kind: String = r.get(1)?;
        Ok(Dataset {
            id: r.get(0)?,
            kind: Kind::parse(&kind).unwrap_or(Kind::Other),
            year: r.get(2)?,
            name: r.get(3)?,
            features: r.get::<_, i64>(4)? as u64,
            source: r.get(5)?,
            sha256: r.get(6)?,
            source_crs: r.get(7)?,
            imported_at: r.get(8)?,
            imported_by: r.get(9)?,
            warnings: r.get::<_, i64>(10)? as u64,
            table: r.get(11)?,
        })
    }
}

const SELECT_DATASET: &str = "SELECT id, kind, year, name, features, source, sha256, source_crs, imported_at, imported_by, warnings, table_name FROM onemap_datasets";

impl Store for GpkgStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn datasets(&self) -> Result<Vec<Dataset>> {
        let mut st = self
            .conn
            .prepare(&format!("{SELECT_DATASET} ORDER BY rowid"))
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([], Self::row_to_dataset)
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn dataset(&self, id: &str) -> Result<Dataset> {
        self.conn
            .query_row(
                &format!("{SELECT_DATASET} WHERE id = ?1"),
                [id],
                Self::row_to_dataset,
            )
            .optional()
            .map_err(|e| err(&self.path, e))?
            .ok_or_else(|| StoreError::NoDataset(id.to_string()))
    }

    fn import(
        &mut self,
        req: &ImportRequest,
        source: &mut dyn FeatureReader,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        let path = self.path.clone();
        // Everything is one transaction: an error, Ctrl-C or kill -9 leaves no trace.
        let tx = self.write().map_err(|e| err(&path, e))?;
        let out = import_on(&tx, &path, req, source, progress)?;
        if out.dataset.is_some() {
            tx.commit().map_err(|e| err(&path, e))?;
        }
        Ok(out)
    }

    fn import_all(
        &mut self,
        jobs: &mut [(ImportRequest, Box<dyn FeatureReader>)],
    ) -> Result<Vec<ImportOutcome>> {
        let path = self.path.clone();
        let tx = self.write().map_err(|e| err(&path, e))?;
        let mut outs = Vec::new();
        for (req, source) in jobs.iter_mut() {
            let out = import_on(&tx, &path, req, source.as_mut(), &mut |_| {})?;
            let refused = out.dataset.is_none();
            outs.push(out);
            if refused {
                return Ok(outs);
            }
        }
        tx.commit().map_err(|e| err(&path, e))?;
        Ok(outs)
    }

    fn features(&self, id: &str) -> Result<Box<dyn FeatureReader>> {
        let ds = self.dataset(id)?;
        Ok(Box::new(GpkgReader::open(&self.path, Some(&ds.table))?))
    }

    fn features_with(&self, id: &str, fields: &[&str]) -> Result<Box<dyn FeatureReader>> {
        let ds = self.dataset(id)?;
        Ok(Box::new(GpkgReader::open_fields(
            &self.path,
            Some(&ds.table),
            Some(fields),
        )?))
    }

    fn for_each_row(&self, id: &str, fields: &[&str], f: &mut dyn FnMut(&[Value])) -> Result<()> {
        let ds = self.dataset(id)?;
        let cols: Vec<String> = fields.iter().map(|c| ident(c)).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY fid",
            cols.join(", "),
            ident(&ds.table)
        );
        let mut st = self
            .conn
            .prepare(&sql)
            .map_err(|e| err(&self.path, format!("dataset {id}: {e}")))?;
        let mut rows = st.query([]).map_err(|e| err(&self.path, e))?;
        let mut buf = Vec::with_capacity(fields.len());
        while let Some(r) = rows.next().map_err(|e| err(&self.path, e))? {
            buf.clear();
            for i in 0..fields.len() {
                buf.push(match r.get_ref(i).map_err(|e| err(&self.path, e))? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(x) => Value::Int(x),
                    ValueRef::Real(x) => Value::Float(x),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => Value::Null,
                });
            }
            f(&buf);
        }
        Ok(())
    }

    fn findings(&self, id: &str) -> Result<Vec<Finding>> {
        self.dataset(id)?;
        let mut st = self
            .conn
            .prepare("SELECT severity, check_id, feature, field, message FROM onemap_findings WHERE dataset_id = ?1 ORDER BY rowid")
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([id], |r| {
                let sev: String = r.get(0)?;
                let check: String = r.get(1)?;
                Ok(Finding {
                    severity: if sev == "error" {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    check: intern(&check),
                    feature: r.get::<_, Option<i64>>(2)?.map(|x| x as u64),
                    field: r.get(3)?,
                    message: r.get(4)?,
                })
            })
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn remove(&mut self, id: &str, user: &str, reason: Option<&str>) -> Result<()> {
        let ds = self.dataset(id)?;
        if let Some(v) = self
            .plan_versions()?
            .iter()
            .find(|v| v.layers.iter().any(|l| l.dataset == id))
        {
            return Err(StoreError::ReadOnly(read_only_message(&ds, v)));
        }
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let t = &ds.table;
        for s in [
            "insert", "update1", "update2", "update3", "update4", "delete",
        ] {
            tx.execute_batch(&format!(
                "DROP TRIGGER IF EXISTS {}",
                ident(&format!("rtree_{t}_geom_{s}"))
            ))
            .map_err(e)?;
        }
        tx.execute_batch(&format!(
            "DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {};",
            ident(&format!("rtree_{t}_geom")),
            ident(t)
        ))
        .map_err(e)?;
        for table in ["gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"] {
            tx.execute(&format!("DELETE FROM {table} WHERE table_name = ?1"), [t])
                .map_err(e)?;
        }
        tx.execute("DELETE FROM onemap_findings WHERE dataset_id = ?1", [id])
            .map_err(e)?;
        tx.execute("DELETE FROM onemap_datasets WHERE id = ?1", [id])
            .map_err(e)?;
        crate::audit::append(
            &tx,
            user,
            "remove",
            id,
            &removal_detail(&ds, reason),
            &ds.sha256,
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(())
    }

    fn import_stats(&mut self, rows: &[StatRow], source: &str, user: &str) -> Result<usize> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let at = crate::now_rfc3339();
        {
            let mut st = tx
                .prepare(
                    "INSERT OR REPLACE INTO onemap_stats (year, unit, key, value, source, imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(e)?;
            for r in rows {
                st.execute(params![r.year, r.unit, r.key, r.value, source, at, user])
                    .map_err(e)?;
            }
        }
        let (detail, digest) = crate::stats_audit(rows, source);
        crate::audit::append(&tx, user, "stats-import", "onemap_stats", &detail, &digest)
            .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(rows.len())
    }

    fn stats(&self) -> Result<Vec<StatRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT year, unit, key, value, source FROM onemap_stats ORDER BY year, unit, key",
            )
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([], |r| {
                Ok(StatRow {
                    year: r.get(0)?,
                    unit: r.get(1)?,
                    key: r.get(2)?,
                    value: r.get(3)?,
                    source: r.get(4)?,
                })
            })
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn record_alerts(
        &mut self,
        from: i32,
        to: i32,
        inputs: &str,
        rules: &str,
        user: &str,
        alerts: &[AlertRecord],
    ) -> Result<MonitorRun> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let at = crate::now_rfc3339();
        let tx = self.write().map_err(e)?;
        tx.execute(
            "INSERT INTO onemap_monitor_runs (from_year, to_year, at, user, inputs, rules, alerts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![from, to, at, user, inputs, rules, alerts.len() as i64],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO onemap_alerts (run_id, alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(e)?;
            for a in alerts {
                st.execute(params![
                    id,
                    a.id,
                    a.rule,
                    a.severity,
                    a.unit,
                    a.township,
                    a.area_m2,
                    a.from_dlbm,
                    a.to_dlbm,
                    a.wkb
                ])
                .map_err(e)?;
            }
        }
        let (detail, digest) = crate::monitor_audit(id, from, to, inputs, rules, alerts);
        crate::audit::append(&tx, user, "monitor", "onemap_alerts", &detail, &digest).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(MonitorRun {
            id,
            from,
            to,
            at,
            user: user.to_string(),
            inputs: inputs.to_string(),
            rules: rules.to_string(),
            alerts: alerts.len() as u64,
        })
    }

    fn monitor_runs(&self) -> Result<Vec<MonitorRun>> {
        let mut st = self
            .conn
            .prepare("SELECT id, from_year, to_year, at, user, inputs, rules, alerts FROM onemap_monitor_runs ORDER BY id")
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([], |r| {
                Ok(MonitorRun {
                    id: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    at: r.get(3)?,
                    user: r.get(4)?,
                    inputs: r.get(5)?,
                    rules: r.get(6)?,
                    alerts: r.get::<_, i64>(7)? as u64,
                })
            })
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn alerts(&self, run: i64) -> Result<Vec<AlertRecord>> {
        let mut st = self
            .conn
            .prepare("SELECT alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb FROM onemap_alerts WHERE run_id = ?1 ORDER BY rowid")
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([run], |r| {
                Ok(AlertRecord {
                    id: r.get(0)?,
                    rule: r.get(1)?,
                    severity: r.get(2)?,
                    unit: r.get(3)?,
                    township: r.get(4)?,
                    area_m2: r.get(5)?,
                    from_dlbm: r.get(6)?,
                    to_dlbm: r.get(7)?,
                    wkb: r.get(8)?,
                })
            })
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn cache_get(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM onemap_cache WHERE key = ?1",
                [key],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(|e| err(&self.path, e))
    }

    fn cache_put(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO onemap_cache (key, value, created_at) VALUES (?1, ?2, ?3)",
                params![key, value, crate::now_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| err(&self.path, e))
    }

    fn reopen(&self) -> Option<Box<dyn Store + Send>> {
        GpkgStore::open(&self.path)
            .ok()
            .map(|s| Box::new(s) as Box<dyn Store + Send>)
    }

    fn audit(
        &mut self,
        actor: &str,
        action: &str,
        object: &str,
        detail: &str,
        digest: &str,
    ) -> Result<AuditEntry> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let entry = crate::audit::append(&tx, actor, action, object, detail, digest).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(entry)
    }

    fn record_reviews(&mut self, reviews: &[ReviewRecord]) -> Result<()> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let at = crate::now_rfc3339();
        for r in reviews {
            tx.execute(
                "INSERT INTO onemap_reviews (at, actor, county, feature) VALUES (?1, ?2, ?3, ?4)",
                params![at, r.actor, r.county, r.feature],
            )
            .map_err(e)?;
            let (detail, digest) = crate::review_audit(r);
            crate::audit::append(&tx, &r.actor, "review", &r.name, &detail, &digest).map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    fn reviews(&self, county: Option<&str>, limit: usize) -> Result<Vec<StoredReview>> {
        let mut q = self
            .conn
            .prepare(
                "SELECT id, at, actor, county, feature FROM onemap_reviews
                 WHERE ?1 IS NULL OR county = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|x| err(&self.path, x))?;
        let rows = q
            .query_map(params![county, limit as i64], |r| {
                Ok(StoredReview {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    county: r.get(3)?,
                    feature: r.get(4)?,
                })
            })
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|x| err(&self.path, x))?;
        Ok(rows.into_iter().rev().collect())
    }

    fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        crate::audit::read(&self.conn).map_err(|e| err(&self.path, e))
    }

    fn plan_versions(&self) -> Result<Vec<PlanVersion>> {
        read_plan_versions(&self.conn).map_err(|e| err(&self.path, e))
    }

    fn users(&self) -> Result<Vec<User>> {
        use crate::users::UserDb;
        crate::users::SqliteUsers(&self.conn)
            .users()
            .map_err(|e| err(&self.path, e))
    }

    fn user_add(&mut self, name: &str, role: &Role, password: &str, by: &str) -> Result<User> {
        let path = self.path.clone();
        let tx = self.write().map_err(|e| err(&path, e))?;
        let u = crate::users::add(
            &mut crate::users::SqliteUsers(&tx),
            name,
            role,
            password,
            by,
        )
        .map_err(|m| match m {
            Ok(m) => StoreError::Mapping(m),
            Err(x) => err(&path, x),
        })?;
        tx.commit().map_err(|e| err(&path, e))?;
        Ok(u)
    }

    fn user_change(
        &mut self,
        name: &str,
        password: Option<&str>,
        role: Option<&Role>,
        remove: bool,
        by: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.write().map_err(|e| err(&path, e))?;
        crate::users::change(
            &mut crate::users::SqliteUsers(&tx),
            name,
            password,
            role,
            remove,
            by,
        )
        .map_err(|m| match m {
            Ok(m) => StoreError::Mapping(m),
            Err(x) => err(&path, x),
        })?;
        tx.commit().map_err(|e| err(&path, e))
    }

    fn sign_in(
        &mut self,
        name: &str,
        password: &str,
        ttl: i64,
        from: &str,
    ) -> Result<Result<Session, SignInError>> {
        let path = self.path.clone();
        let tx = self.write().map_err(|e| err(&path, e))?;
        let r = crate::users::sign_in(
            &mut crate::users::SqliteUsers(&tx),
            name,
            password,
            ttl,
            from,
        )
        .map_err(|e| err(&path, e))?;
        tx.commit().map_err(|e| err(&path, e))?;
        Ok(r)
    }

    fn session_user(&self, token: &str) -> Result<Option<User>> {
        crate::users::session(&mut crate::users::SqliteUsers(&self.conn), token)
            .map_err(|e| err(&self.path, e))
    }

    fn sign_out(&mut self, token: &str) -> Result<bool> {
        let path = self.path.clone();
        let tx = self.write().map_err(|e| err(&path, e))?;
        let r = crate::users::sign_out(&mut crate::users::SqliteUsers(&tx), token)
            .map_err(|e| err(&path, e))?;
        tx.commit().map_err(|e| err(&path, e))?;
        Ok(r)
    }

    fn password_hash(&self, name: &str) -> Result<Option<String>> {
        use crate::users::UserDb;
        Ok(crate::users::SqliteUsers(&self.conn)
            .user(name)
            .map_err(|e| err(&self.path, e))?
            .map(|r| r.password))
    }

    fn restore(
        &mut self,
        dump: &crate::Dump,
        features: &mut dyn FnMut(&Dataset) -> Result<Box<dyn FeatureReader>>,
    ) -> Result<()> {
        crate::restore_target_empty(self)?;
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        for (ds, findings) in &dump.datasets {
            let mut r = features(ds)?;
            let fields = r.info().fields.clone();
            let mut t =
                GpkgTable::create(&tx, &ds.table, &fields, ds.kind.polygons()).map_err(e)?;
            while let Some(f) = r.read_feature()? {
                t.insert(&tx, f.geometry, &f.values).map_err(e)?;
            }
            t.finish(&tx, &format!("{} {}", ds.kind.chinese(), ds.name))
                .map_err(e)?;
            tx.execute(
                "INSERT INTO onemap_datasets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, '[]')",
                params![
                    ds.id,
                    ds.kind.id(),
                    ds.year,
                    ds.name,
                    ds.features as i64,
                    ds.source,
                    ds.sha256,
                    ds.source_crs,
                    ds.imported_at,
                    ds.imported_by,
                    ds.warnings as i64,
                    ds.table
                ],
            )
            .map_err(e)?;
            for f in findings {
                tx.execute(
                    "INSERT INTO onemap_findings VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        ds.id,
                        f.severity.id(),
                        f.check,
                        f.feature.map(|x| x as i64),
                        f.field,
                        f.message
                    ],
                )
                .map_err(e)?;
            }
        }
        for r in &dump.stats {
            tx.execute(
                "INSERT INTO onemap_stats (year, unit, key, value, source, imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'onemap store copy')",
                params![r.year, r.unit, r.key, r.value, r.source, crate::now_rfc3339()],
            )
            .map_err(e)?;
        }
        for (run, alerts) in &dump.runs {
            tx.execute(
                "INSERT INTO onemap_monitor_runs (id, from_year, to_year, at, user, inputs, rules, alerts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![run.id, run.from, run.to, run.at, run.user, run.inputs, run.rules, run.alerts as i64],
            )
            .map_err(e)?;
            for a in alerts {
                tx.execute(
                    "INSERT INTO onemap_alerts (run_id, alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![run.id, a.id, a.rule, a.severity, a.unit, a.township, a.area_m2, a.from_dlbm, a.to_dlbm, a.wkb],
                )
                .map_err(e)?;
            }
        }
        for v in &dump.versions {
            tx.execute(
                "INSERT INTO onemap_plan_versions (version, approval, approved_on, authority, created_at, created_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![v.version, v.approval, v.approved_on, v.authority, v.created_at, v.created_by, v.note],
            )
            .map_err(e)?;
            for l in &v.layers {
                tx.execute(
                    "INSERT INTO onemap_plan_layers (version, kind, dataset_id, inherited) VALUES (?1, ?2, ?3, ?4)",
                    params![v.version, l.kind, l.dataset, l.inherited as i64],
                )
                .map_err(e)?;
            }
        }
        for a in &dump.amendments {
            tx.execute(
                "INSERT INTO onemap_amendments (id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks, decided_at, decided_by, decision, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![a.id, a.status, a.base_version, a.proposed_at, a.proposed_by, a.source, a.sha256, a.changes, a.checks, a.decided_at, a.decided_by, a.decision, a.version],
            )
            .map_err(e)?;
        }
        for r in &dump.reviews {
            tx.execute(
                "INSERT INTO onemap_reviews (id, at, actor, county, feature) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![r.id, r.at, r.actor, r.county, r.feature],
            )
            .map_err(e)?;
        }
        for a in &dump.audit {
            tx.execute(
                "INSERT INTO onemap_audit (seq, at, actor, action, object, detail, digest, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![a.seq, a.at, a.actor, a.action, a.object, a.detail, a.digest, a.prev, a.hash],
            )
            .map_err(e)?;
        }
        for (u, hash) in &dump.users {
            tx.execute(
                "INSERT INTO onemap_users (name, role, password, created_at, created_by, failures) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![u.name, u.role.id(), hash, u.created_at, u.created_by, u.failures],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    fn propose_amendment(&mut self, a: &Amendment) -> Result<Amendment> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let n: i64 = tx
            .query_row("SELECT count(*) FROM onemap_amendments", [], |r| r.get(0))
            .map_err(e)?;
        let mut a = a.clone();
        a.id = format!("A{:04}", n + 1);
        a.proposed_at = crate::now_rfc3339();
        a.sha256 = crate::audit::digest(a.changes.as_bytes());
        tx.execute(
            "INSERT INTO onemap_amendments (id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![a.id, a.status, a.base_version, a.proposed_at, a.proposed_by, a.source, a.sha256, a.changes, a.checks],
        )
        .map_err(e)?;
        crate::audit::append(
            &tx,
            &a.proposed_by,
            "amend-propose",
            &a.id,
            &crate::propose_detail(&a),
            &a.sha256,
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(a)
    }

    fn amendments(&self) -> Result<Vec<Amendment>> {
        let mut st = self
            .conn
            .prepare("SELECT id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks, decided_at, decided_by, decision, version FROM onemap_amendments ORDER BY id")
            .map_err(|e| err(&self.path, e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Amendment {
                    id: r.get(0)?,
                    status: r.get(1)?,
                    base_version: r.get(2)?,
                    proposed_at: r.get(3)?,
                    proposed_by: r.get(4)?,
                    source: r.get(5)?,
                    sha256: r.get(6)?,
                    changes: r.get(7)?,
                    checks: r.get(8)?,
                    decided_at: r.get(9)?,
                    decided_by: r.get(10)?,
                    decision: r.get(11)?,
                    version: r.get(12)?,
                })
            })
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| err(&self.path, e))
    }

    fn decide_amendment(
        &mut self,
        id: &str,
        status: &str,
        by: &str,
        decision: &str,
        version: Option<i64>,
    ) -> Result<Amendment> {
        let a = crate::decidable(self.amendments()?, id)?;
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        let at = crate::now_rfc3339();
        tx.execute(
            "UPDATE onemap_amendments SET status = ?2, decided_at = ?3, decided_by = ?4, decision = ?5, version = ?6 WHERE id = ?1",
            params![id, status, at, by, decision, version],
        )
        .map_err(e)?;
        let (action, detail) = crate::decide_audit(id, status, decision, version);
        crate::audit::append(&tx, by, action, id, &detail, &a.sha256).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Amendment {
            status: status.to_string(),
            decided_at: Some(at),
            decided_by: Some(by.to_string()),
            decision: Some(decision.to_string()),
            version,
            ..a
        })
    }
}

impl GpkgStore {
    /// Append many entries in one transaction (bulk loads, benchmarks): each is
    /// (actor, action, object, detail, digest).
    pub fn audit_batch(&mut self, entries: &[(&str, &str, &str, &str, &str)]) -> Result<()> {
        let path = self.path.clone();
        let e = |x: rusqlite::Error| err(&path, x);
        let tx = self.write().map_err(e)?;
        for (actor, action, object, detail, digest) in entries {
            crate::audit::append(&tx, actor, action, object, detail, digest).map_err(e)?;
        }
        tx.commit().map_err(e)
    }
}

fn read_plan_versions(conn: &Connection) -> rusqlite::Result<Vec<PlanVersion>> {
    let mut st = conn.prepare(
        "SELECT version, approval, approved_on, authority, created_at, created_by, note FROM onemap_plan_versions ORDER BY version",
    )?;
    let mut versions: Vec<PlanVersion> = st
        .query_map([], |r| {
            Ok(PlanVersion {
                version: r.get(0)?,
                approval: r.get(1)?,
                approved_on: r.get(2)?,
                authority: r.get(3)?,
                created_at: r.get(4)?,
                created_by: r.get(5)?,
                note: r.get(6)?,
                layers: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(
        "SELECT version, kind, dataset_id, inherited FROM onemap_plan_layers ORDER BY version, kind",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            PlanLayer {
                kind: r.get(1)?,
                dataset: r.get(2)?,
                inherited: r.get::<_, i64>(3)? != 0,
            },
        ))
    })?;
    for row in rows {
        let (v, l) = row?;
        if let Some(x) = versions.iter_mut().find(|x| x.version == v) {
            x.layers.push(l);
        }
    }
    Ok(versions)
}

/// An unused dataset id for a kind and year: `dltb-2023`, then `dltb-2023-2`, ….
fn new_id(conn: &Connection, path: &Path, kind: Kind, year: Option<i32>) -> Result<String> {
    let base = match year {
        Some(y) => format!("{}-{y}", kind.id()),
        None => kind.id().to_string(),
    };
    let taken = |id: &str| -> Result<bool> {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM onemap_datasets WHERE id = ?1 OR table_name = ?2",
                params![id, id.replace('-', "_")],
                |r| r.get(0),
            )
            .map_err(|e| err(path, e))?;
        let t: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                [id.replace('-', "_")],
                |r| r.get(0),
            )
            .map_err(|e| err(path, e))?;
        Ok(n + t > 0)
    };
    if !taken(&base)? {
        return Ok(base);
    }
    for k in 2.. {
        let id = format!("{base}-{k}");
        if !taken(&id)? {
            return Ok(id);
        }
    }
    unreachable!("an unused id exists")
}

/// A dataset table being written: created with its R-tree, filled feature by feature, then
/// registered (contents, geometry column, index triggers, extension).
struct GpkgTable {
    table: String,
    gtype: &'static str,
    insert: String,
    rtree: String,
    extent: [f64; 4],
    blob: Vec<u8>,
}

impl GpkgTable {
    fn create(
        tx: &Connection,
        table: &str,
        fields: &[onemap_formats::Field],
        polygons: bool,
    ) -> rusqlite::Result<GpkgTable> {
        ensure_srs(tx, &Crs::Cgcs2000)?;
        let gtype = if polygons { "MULTIPOLYGON" } else { "GEOMETRY" };
        let mut ddl = format!(
            "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {gtype}",
            ident(table)
        );
        for f in fields {
            let t = match f.ty {
                FieldType::Int => "INTEGER",
                FieldType::Float => "REAL",
                FieldType::Bool => "BOOLEAN",
                FieldType::Date => "DATE",
                FieldType::Text => "TEXT",
            };
            ddl.push_str(&format!(", {} {t}", ident(&f.name)));
        }
        ddl.push(')');
        tx.execute_batch(&ddl)?;
        let rtree = format!("rtree_{table}_geom");
        tx.execute_batch(&format!(
            "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
            ident(&rtree)
        ))?;
        let insert = format!(
            "INSERT INTO {} (geom{}) VALUES (?1{})",
            ident(table),
            fields
                .iter()
                .map(|f| format!(", {}", ident(&f.name)))
                .collect::<String>(),
            (0..fields.len())
                .map(|i| format!(", ?{}", i + 2))
                .collect::<String>()
        );
        Ok(GpkgTable {
            table: table.to_string(),
            gtype,
            insert,
            rtree,
            extent: [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            blob: Vec::new(),
        })
    }

    /// Add a feature (a polygon is stored as a one-part multipolygon).
    fn insert(
        &mut self,
        tx: &Connection,
        geometry: Option<onemap_formats::Geometry>,
        values: &[Value],
    ) -> rusqlite::Result<()> {
        let geom = geometry.map(|g| match g {
            onemap_formats::Geometry::Polygon(poly) => {
                onemap_formats::Geometry::MultiPolygon(geo_types::MultiPolygon(vec![poly]))
            }
            g => g,
        });
        let bb = geom.as_ref().and_then(bbox);
        let mut vals: Vec<SqlValue> = Vec::with_capacity(values.len() + 1);
        vals.push(match (&geom, bb) {
            (Some(g), Some(b)) => {
                wkb::gpkg_blob(g, 4490, b, &mut self.blob);
                SqlValue::Blob(self.blob.clone())
            }
            _ => SqlValue::Null,
        });
        for v in values {
            vals.push(match v {
                Value::Null => SqlValue::Null,
                Value::Int(i) => SqlValue::Integer(*i),
                Value::Float(x) => SqlValue::Real(*x),
                Value::Bool(b) => SqlValue::Integer(*b as i64),
                Value::Text(t) | Value::Date(t) => SqlValue::Text(t.clone()),
            });
        }
        tx.prepare_cached(&self.insert)?
            .execute(rusqlite::params_from_iter(vals))?;
        if let Some(b) = bb {
            let fid = tx.last_insert_rowid();
            tx.prepare_cached(&format!(
                "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
                ident(&self.rtree)
            ))?
            .execute(params![fid, b[0], b[2], b[1], b[3]])?;
            let e = &mut self.extent;
            *e = [
                e[0].min(b[0]),
                e[1].min(b[1]),
                e[2].max(b[2]),
                e[3].max(b[3]),
            ];
        }
        Ok(())
    }

    /// Register the table as a GeoPackage feature layer.
    fn finish(self, tx: &Connection, description: &str) -> rusqlite::Result<()> {
        let (table, extent) = (&self.table, self.extent);
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 4490)",
            params![
                table,
                description,
                extent[0].is_finite().then_some(extent[0]),
                extent[1].is_finite().then_some(extent[1]),
                extent[2].is_finite().then_some(extent[2]),
                extent[3].is_finite().then_some(extent[3])
            ],
        )?;
        tx.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4490, 0, 0)",
            params![table, self.gtype],
        )?;
        tx.execute_batch(&rtree_triggers(table, "geom", "fid"))?;
        tx.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            params![table],
        )?;
        Ok(())
    }
}

/// An import inside the caller's transaction (committed by the caller when `dataset` is
/// `Some`; a refusal leaves it to roll back).
fn import_on(
    tx: &Connection,
    path: &Path,
    req: &ImportRequest,
    source: &mut dyn FeatureReader,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportOutcome> {
    if let Some(p) = &req.plan {
        plan_import_check(tx, req.kind, p).map_err(|m| match m {
            Ok(m) => StoreError::ReadOnly(m),
            Err(x) => err(path, x),
        })?;
    }
    let info = source.info().clone();
    let src_crs = info
        .crs
        .ok_or_else(|| StoreError::Mapping(format!("{}: no CRS", req.source.display())))?;
    let mut ins = Inspector::new(req.kind, &info.fields, src_crs, &req.map, &req.options)
        .map_err(StoreError::Mapping)?;
    let sha256 = crate::source_sha256(&req.source).map_err(|e| err(&req.source, e))?;
    let id = new_id(tx, path, req.kind, req.year)?;
    let table = id.replace('-', "_");
    let fields = ins.fields().to_vec();
    let e = |x: rusqlite::Error| err(path, x);
    let mut t = GpkgTable::create(tx, &table, &fields, req.kind.polygons()).map_err(e)?;
    let mut read = 0u64;
    loop {
        let batch = onemap_survey::inspect::read_batch(source)?;
        if batch.is_empty() {
            break;
        }
        let k = batch.len() as u64;
        for p in ins.features(read, batch) {
            if ins.has_errors() {
                continue; // keep reading to report every problem; nothing will be stored
            }
            t.insert(tx, p.geometry, &p.values).map_err(e)?;
        }
        read += k;
        progress(read);
    }
    let (findings, notes) = ins.finish();
    if findings.iter().any(|f| f.severity == Severity::Error) {
        // The caller rolls back.
        return Ok(ImportOutcome {
            dataset: None,
            findings,
            notes,
            read,
        });
    }
    t.finish(
        tx,
        &format!(
            "{} {}",
            req.kind.chinese(),
            req.name.clone().unwrap_or_default()
        ),
    )
    .map_err(e)?;
    let warnings = findings.len() as u64;
    let name = req
        .name
        .clone()
        .unwrap_or_else(|| onemap_formats::layer_name(&req.source));
    let source_name = req
        .source
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let ds = Dataset {
        id: id.clone(),
        kind: req.kind,
        year: req.year,
        name,
        features: read,
        source: source_name,
        sha256,
        source_crs: src_crs.code(),
        imported_at: crate::now_rfc3339(),
        imported_by: req.user.clone(),
        warnings,
        table: table.clone(),
    };
    tx.execute(
        "INSERT INTO onemap_datasets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            ds.id,
            ds.kind.id(),
            ds.year,
            ds.name,
            ds.features as i64,
            ds.source,
            ds.sha256,
            ds.source_crs,
            ds.imported_at,
            ds.imported_by,
            ds.warnings as i64,
            ds.table,
            serde_json::to_string(&notes).unwrap_or_default()
        ],
    )
    .map_err(e)?;
    {
        let mut st = tx
            .prepare("INSERT INTO onemap_findings VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .map_err(e)?;
        for f in &findings {
            st.execute(params![
                ds.id,
                f.severity.id(),
                f.check,
                f.feature.map(|x| x as i64),
                f.field,
                f.message
            ])
            .map_err(e)?;
        }
    }
    let mut detail = format!(
        "{} features from {} (sha256 {}), {} warnings",
        ds.features, ds.source, ds.sha256, ds.warnings
    );
    if let Some(p) = &req.plan {
        plan_import_record(tx, req.kind, &ds.id, p, &req.user).map_err(|m| match m {
            Ok(m) => StoreError::ReadOnly(m),
            Err(x) => err(path, x),
        })?;
        detail.push_str(&format!(
            "; into plan version {} ({}, {})",
            p.version, p.approval, p.approved_on
        ));
    }
    crate::audit::append(tx, &ds.imported_by, "import", &ds.id, &detail, &ds.sha256).map_err(e)?;
    Ok(ImportOutcome {
        dataset: Some(ds),
        findings,
        notes,
        read,
    })
}

/// Plan layer kinds: what a plan version holds.
pub const PLAN_KINDS: &[Kind] = &[
    Kind::Yjjbnt,
    Kind::Stbhhx,
    Kind::Czkfbj,
    Kind::Jbcy,
    Kind::Ghfq,
    Kind::Ghyd,
    Kind::Fxkz,
    Kind::Lswh,
    Kind::Kcbz,
];

/// Whether a plan layer may be imported under `p`: `Ok(Err(message))`-style — the outer
/// error is the refusal in words, the inner a database error.
fn plan_import_check(
    conn: &Connection,
    kind: Kind,
    p: &PlanApproval,
) -> std::result::Result<(), std::result::Result<String, rusqlite::Error>> {
    let versions = read_plan_versions(conn).map_err(Err)?;
    plan_import_allowed(&versions, kind, p).map_err(Ok)
}

/// Whether a plan layer may be imported under `p`, given the store's versions: the refusal in
/// words otherwise.
pub(crate) fn plan_import_allowed(
    versions: &[PlanVersion],
    kind: Kind,
    p: &PlanApproval,
) -> std::result::Result<(), String> {
    if !PLAN_KINDS.contains(&kind) {
        return Err(format!(
            "--plan-version: {} ({}) is not a plan layer; plan versions hold {}",
            kind.chinese(),
            kind.id(),
            PLAN_KINDS
                .iter()
                .map(|k| k.id())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if p.approval.trim().is_empty() || !crate::valid_date(&p.approved_on) {
        return Err(format!(
            "--plan-version {}: needs --approval (批复文号) and --approved-on YYYY-MM-DD (got {:?})",
            p.version, p.approved_on
        ));
    }
    let latest = versions.last();
    let next = latest.map_or(1, |v| v.version + 1);
    match latest {
        Some(v) if v.version == p.version => {
            if v.approval != p.approval || v.approved_on != p.approved_on {
                return Err(format!(
                    "plan version {} was approved as {} on {}, not {} on {}",
                    v.version, v.approval, v.approved_on, p.approval, p.approved_on
                ));
            }
            if let Some(l) = v.layers.iter().find(|l| l.kind == kind.id() && !l.inherited) {
                return Err(format!(
                    "plan version {} ({}) is approved and read-only: its {} is dataset {}; changes go through an amendment (onemap amend propose), which makes a new version",
                    v.version,
                    v.approval,
                    kind.chinese(),
                    l.dataset
                ));
            }
        }
        _ if p.version == next => {
            if let Some(v) = latest {
                if p.approved_on.as_str() < v.approved_on.as_str() {
                    return Err(format!(
                        "plan version {} cannot be approved on {}, before version {} ({})",
                        p.version, p.approved_on, v.version, v.approved_on
                    ));
                }
            }
        }
        _ => {
            return Err(match latest {
                Some(v) => format!(
                    "--plan-version {}: the store's latest plan version is {}; import into {} (a layer it lacks) or {} (a newly approved version)",
                    p.version, v.version, v.version, next
                ),
                None => format!(
                    "--plan-version {}: the store has no plan version yet; the first is 1",
                    p.version
                ),
            })
        }
    }
    Ok(())
}

/// Record a plan layer import in its version (inside the import's transaction, which
/// checked it with [`plan_import_check`] before reading): a new version carries the previous
/// version's layers over.
fn plan_import_record(
    conn: &Connection,
    kind: Kind,
    dataset: &str,
    p: &PlanApproval,
    user: &str,
) -> std::result::Result<(), std::result::Result<String, rusqlite::Error>> {
    let exists: bool = conn
        .query_row(
            "SELECT count(*) FROM onemap_plan_versions WHERE version = ?1",
            [p.version],
            |r| r.get::<_, i64>(0),
        )
        .map_err(Err)?
        > 0;
    if !exists {
        conn.execute(
            "INSERT INTO onemap_plan_versions (version, approval, approved_on, authority, created_at, created_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![p.version, p.approval, p.approved_on, p.authority, crate::now_rfc3339(), user, p.note],
        )
        .map_err(Err)?;
        conn.execute(
            "INSERT INTO onemap_plan_layers (version, kind, dataset_id, inherited) SELECT ?1, kind, dataset_id, 1 FROM onemap_plan_layers WHERE version = ?2",
            params![p.version, p.version - 1],
        )
        .map_err(Err)?;
    }
    conn.execute(
        "INSERT OR REPLACE INTO onemap_plan_layers (version, kind, dataset_id, inherited) VALUES (?1, ?2, ?3, 0)",
        params![p.version, kind.id(), dataset],
    )
    .map_err(Err)?;
    Ok(())
}

/// Why a dataset of an approved plan version cannot be removed.
pub(crate) fn read_only_message(ds: &Dataset, v: &PlanVersion) -> String {
    format!(
        "dataset {} is the {} of plan version {} ({}, approved {}), which is read-only; amendments make a new version (onemap amend propose)",
        ds.id,
        ds.kind.chinese(),
        v.version,
        v.approval,
        v.approved_on
    )
}

/// The audit detail of a removal.
pub(crate) fn removal_detail(ds: &Dataset, reason: Option<&str>) -> String {
    format!(
        "removed {} ({} {} features, source {}, sha256 {}){}",
        ds.name,
        ds.features,
        ds.kind.id(),
        ds.source,
        ds.sha256,
        reason.map(|r| format!("; reason: {r}")).unwrap_or_default()
    )
}

/// A check id read back from the store as the registry's `&'static str`.
pub(crate) fn intern(id: &str) -> &'static str {
    onemap_survey::checks::REGISTRY
        .iter()
        .map(|c| c.id)
        .chain(onemap_survey::checks::BUILT_IN.iter().map(|b| b.0))
        .chain(["V-W01", "G-W01", "G-E01"])
        .find(|c| *c == id)
        .unwrap_or("?")
}
