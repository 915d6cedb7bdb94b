//! The PostGIS store: the same [`Store`] on a PostgreSQL database with PostGIS, selected by a
//! `postgres://` (or `postgresql://`) URL wherever a store path is accepted.
//!
//! Layout (schema `onemap`, made and upgraded by `onemap store init`, versions in
//! `onemap.migrations`): one table per dataset, named like the GeoPackage table (`dltb_2025`),
//! with `fid bigint` primary key, `geom geometry(MultiPolygon, 4490)` under a GiST index and the
//! attributes as typed columns, so QGIS and ArcGIS list them as ordinary layers; onemap's own
//! tables beside them (`datasets`, `findings`, `audit`, `stats`, `plan_versions`, …) mirror the
//! GeoPackage store's. Imports stream the features through binary `COPY` inside one
//! transaction (the table, its rows, its index and its metadata appear together or not at all);
//! every write appends its audit entry in its own transaction, with the audit table locked so
//! that concurrent writers chain one after the other.

use crate::gpkg_store::plan_import_allowed;
use crate::{
    audit, AlertRecord, Amendment, AuditEntry, ClassSum, ClassSummer, Dataset, ImportOutcome,
    ImportRequest, MonitorRun, PlanLayer, PlanVersion, Result, ReviewRecord, Role, Session,
    SignInError, StatRow, Store, StoreError, StoredReview, User,
};
use onemap_formats::model::bbox;
use onemap_formats::{
    wkb, Feature, FeatureReader, Field, FieldType, GeometryType, LayerInfo, Value,
};
use onemap_geodesy::crs::Crs;
use onemap_survey::inspect::Inspector;
use onemap_survey::{Finding, Kind, Severity};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, GenericClient, NoTls, Transaction};
use std::cell::RefCell;
use std::path::PathBuf;

/// The schema migrations, in order: (version, SQL).
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        r#"
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE onemap.datasets (
  id text PRIMARY KEY, seq bigserial, kind text NOT NULL, year integer, name text NOT NULL,
  features bigint NOT NULL, source text NOT NULL, sha256 text NOT NULL, source_crs text NOT NULL,
  imported_at text NOT NULL, imported_by text NOT NULL, warnings bigint NOT NULL,
  table_name text NOT NULL UNIQUE, notes text NOT NULL DEFAULT '[]');
CREATE TABLE onemap.findings (
  seq bigserial PRIMARY KEY, dataset_id text NOT NULL, severity text NOT NULL,
  check_id text NOT NULL, feature bigint, field text, message text NOT NULL);
CREATE INDEX findings_dataset ON onemap.findings (dataset_id);
CREATE TABLE onemap.stats (
  year integer NOT NULL, unit text NOT NULL, key text NOT NULL, value double precision NOT NULL,
  source text NOT NULL, imported_at text NOT NULL, imported_by text NOT NULL,
  PRIMARY KEY (year, unit, key));
CREATE TABLE onemap.monitor_runs (
  id bigserial PRIMARY KEY, from_year integer NOT NULL, to_year integer NOT NULL, at text NOT NULL,
  "user" text NOT NULL, inputs text NOT NULL, rules text NOT NULL, alerts bigint NOT NULL);
CREATE TABLE onemap.alerts (
  seq bigserial PRIMARY KEY, run_id bigint NOT NULL, alert_id text NOT NULL, rule text NOT NULL,
  severity text NOT NULL, unit text NOT NULL, township text NOT NULL,
  area_m2 double precision NOT NULL, from_dlbm text NOT NULL, to_dlbm text NOT NULL,
  wkb bytea NOT NULL);
CREATE INDEX alerts_run ON onemap.alerts (run_id);
CREATE TABLE onemap.plan_versions (
  version bigint PRIMARY KEY, approval text NOT NULL, approved_on text NOT NULL,
  authority text NOT NULL, created_at text NOT NULL, created_by text NOT NULL, note text NOT NULL);
CREATE TABLE onemap.plan_layers (
  version bigint NOT NULL, kind text NOT NULL, dataset_id text NOT NULL, inherited boolean NOT NULL,
  PRIMARY KEY (version, kind));
CREATE TABLE onemap.amendments (
  id text PRIMARY KEY, status text NOT NULL, base_version bigint NOT NULL, proposed_at text NOT NULL,
  proposed_by text NOT NULL, source text NOT NULL, sha256 text NOT NULL, changes text NOT NULL,
  checks text NOT NULL, decided_at text, decided_by text, decision text, version bigint);
CREATE TABLE onemap.cache (key text PRIMARY KEY, value text NOT NULL, created_at text NOT NULL);
CREATE TABLE onemap.reviews (
  id bigserial PRIMARY KEY, at text NOT NULL, actor text NOT NULL, county text,
  feature text NOT NULL);
CREATE INDEX reviews_county ON onemap.reviews (county);
CREATE TABLE onemap.audit (
  seq bigint PRIMARY KEY, at text NOT NULL, actor text NOT NULL, action text NOT NULL,
  object text NOT NULL, detail text NOT NULL, digest text NOT NULL, prev text NOT NULL,
  hash text NOT NULL);
CREATE TABLE onemap.users (
  name text PRIMARY KEY, role text NOT NULL, password text NOT NULL, created_at text NOT NULL,
  created_by text NOT NULL, failures bigint NOT NULL DEFAULT 0, locked_until bigint);
CREATE TABLE onemap.sessions (
  token_sha256 text PRIMARY KEY, name text NOT NULL, created_at bigint NOT NULL,
  expires_at bigint NOT NULL);
"#,
    ),
    (
        2,
        r#"
CREATE TABLE onemap.class_sums (
  dataset_id text NOT NULL, zldwdm text NOT NULL, dlbm text NOT NULL, features bigint NOT NULL,
  tbmj bigint NOT NULL, kcmj bigint NOT NULL, tbdlmj bigint NOT NULL,
  PRIMARY KEY (dataset_id, zldwdm, dlbm));
"#,
    ),
];

/// Keep a survey dataset's class sums beside it (datasets never change after import).
fn keep_class_sums(
    tx: &mut Transaction,
    id: &str,
    summer: ClassSummer,
) -> std::result::Result<(), postgres::Error> {
    let Some(sums) = summer.finish() else {
        return Ok(());
    };
    let st = tx.prepare("INSERT INTO onemap.class_sums VALUES ($1, $2, $3, $4, $5, $6, $7)")?;
    for c in sums {
        tx.execute(
            &st,
            &[
                &id,
                &c.zldwdm,
                &c.dlbm,
                &(c.features as i64),
                &c.tbmj,
                &c.kcmj,
                &c.tbdlmj,
            ],
        )?;
    }
    Ok(())
}

/// Whether a store location is a PostgreSQL URL.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// A URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            match user.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &user[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The PostGIS store.
pub struct PostgisStore {
    url: String,
    client: RefCell<Client>,
}

fn err(url: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Store {
        path: PathBuf::from(redact(url)),
        message: e.to_string(),
    }
}

fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| err(url, format!("cannot connect: {e}")))
}

/// A quoted identifier.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The schema version applied, 0 when none.
fn schema_version(c: &mut impl GenericClient) -> std::result::Result<i32, postgres::Error> {
    let has: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'onemap' AND table_name = 'migrations')",
            &[],
        )?
        .get(0);
    if !has {
        return Ok(0);
    }
    Ok(c.query_one(
        "SELECT coalesce(max(version), 0) FROM onemap.migrations",
        &[],
    )?
    .get(0))
}

impl PostgisStore {
    /// Apply the migrations the database lacks (`onemap store init`); returns those applied.
    pub fn init(url: &str) -> Result<Vec<i32>> {
        let mut c = connect(url)?;
        let e = |x: postgres::Error| err(url, x);
        let mut tx = c.transaction().map_err(e)?;
        tx.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS onemap;
             CREATE TABLE IF NOT EXISTS onemap.migrations (version integer PRIMARY KEY, applied_at text NOT NULL);
             LOCK TABLE onemap.migrations IN EXCLUSIVE MODE;",
        )
        .map_err(e)?;
        let have = schema_version(&mut tx).map_err(e)?;
        let mut applied = Vec::new();
        for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
            tx.batch_execute(sql)
                .map_err(|x| err(url, format!("migration {v}: {x}")))?;
            tx.execute(
                "INSERT INTO onemap.migrations VALUES ($1, $2)",
                &[v, &crate::now_rfc3339()],
            )
            .map_err(e)?;
            applied.push(*v);
        }
        tx.commit().map_err(e)?;
        Ok(applied)
    }

    /// Open a store made by [`PostgisStore::init`] (an older schema is an error that says to
    /// run `onemap store init`).
    pub fn open(url: &str) -> Result<PostgisStore> {
        let mut c = connect(url)?;
        let v = schema_version(&mut c).map_err(|e| err(url, e))?;
        let latest = MIGRATIONS.last().map_or(0, |m| m.0);
        if v < latest {
            return Err(err(
                url,
                format!(
                    "the database has onemap schema version {v}, this onemap needs {latest}: run `onemap store init {}`",
                    redact(url)
                ),
            ));
        }
        Ok(PostgisStore {
            url: url.to_string(),
            client: RefCell::new(c),
        })
    }

    fn e(&self) -> impl Fn(postgres::Error) -> StoreError + '_ {
        move |x| err(&self.url, x)
    }

    /// Run `f` in a transaction, committed when it returns `Ok` with `true`.
    fn write<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<(T, bool)>) -> Result<T> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|x| err(&self.url, x))?;
        let (out, commit) = f(&mut tx)?;
        if commit {
            tx.commit().map_err(|x| err(&self.url, x))?;
        }
        Ok(out)
    }
}

/// Append an audit entry inside a transaction (the audit table locked until it commits).
fn append(
    tx: &mut Transaction,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    digest: &str,
) -> std::result::Result<AuditEntry, postgres::Error> {
    append_on(tx, actor, action, object, detail, digest)
}

/// [`append`] on any client: inside a transaction, the lock holds until it ends.
fn append_on(
    tx: &mut impl GenericClient,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    digest: &str,
) -> std::result::Result<AuditEntry, postgres::Error> {
    tx.batch_execute("LOCK TABLE onemap.audit IN EXCLUSIVE MODE")?;
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM onemap.audit ORDER BY seq DESC LIMIT 1",
            &[],
        )?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
    let e = audit::next_entry(last, actor, action, object, detail, digest);
    tx.execute(
        "INSERT INTO onemap.audit (seq, at, actor, action, object, detail, digest, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[&e.seq, &e.at, &e.actor, &e.action, &e.object, &e.detail, &e.digest, &e.prev, &e.hash],
    )?;
    Ok(e)
}

const SELECT_DATASET: &str = "SELECT id, kind, year, name, features, source, sha256, source_crs, imported_at, imported_by, warnings, table_name FROM onemap.datasets";

fn row_to_dataset(r: &postgres::Row) -> Dataset {
    let kind: String = r.get(1);
    Dataset {
        id: r.get(0),
        kind: Kind::parse(&kind).unwrap_or(Kind::Other),
        year: r.get(2),
        name: r.get(3),
        features: r.get::<_, i64>(4) as u64,
        source: r.get(5),
        sha256: r.get(6),
        source_crs: r.get(7),
        imported_at: r.get(8),
        imported_by: r.get(9),
        warnings: r.get::<_, i64>(10) as u64,
        table: r.get(11),
    }
}

fn read_plan_versions(
    c: &mut impl GenericClient,
) -> std::result::Result<Vec<PlanVersion>, postgres::Error> {
    let mut versions: Vec<PlanVersion> = c
        .query(
            "SELECT version, approval, approved_on, authority, created_at, created_by, note FROM onemap.plan_versions ORDER BY version",
            &[],
        )?
        .iter()
        .map(|r| PlanVersion {
            version: r.get(0),
            approval: r.get(1),
            approved_on: r.get(2),
            authority: r.get(3),
            created_at: r.get(4),
            created_by: r.get(5),
            note: r.get(6),
            layers: Vec::new(),
        })
        .collect();
    for r in c.query(
        "SELECT version, kind, dataset_id, inherited FROM onemap.plan_layers ORDER BY version, kind",
        &[],
    )? {
        let v: i64 = r.get(0);
        if let Some(x) = versions.iter_mut().find(|x| x.version == v) {
            x.layers.push(PlanLayer {
                kind: r.get(1),
                dataset: r.get(2),
                inherited: r.get(3),
            });
        }
    }
    Ok(versions)
}

/// One value of a binary COPY row: an attribute converted to its column's type, or the
/// geometry as EWKB.
#[derive(Debug)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Geom(Vec<u8>),
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Geom(b) => {
                out.extend_from_slice(b);
                Ok(IsNull::No)
            }
            Cell::Int(i) => match *ty {
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Cell::Float(x) => match *ty {
                Type::INT8 => (x.round() as i64).to_sql(ty, out),
                Type::TEXT => x.to_string().to_sql(ty, out),
                _ => x.to_sql(ty, out),
            },
            Cell::Bool(b) => match *ty {
                Type::INT8 => (*b as i64).to_sql(ty, out),
                _ => b.to_sql(ty, out),
            },
            Cell::Text(t) => match *ty {
                Type::DATE => match date_days(t) {
                    Some(d) => d.to_sql(&Type::INT4, out),
                    None => Ok(IsNull::Yes),
                },
                Type::INT8 => match t.trim().parse::<i64>() {
                    Ok(i) => i.to_sql(ty, out),
                    Err(_) => Ok(IsNull::Yes),
                },
                Type::FLOAT8 => match t.trim().parse::<f64>() {
                    Ok(x) => x.to_sql(ty, out),
                    Err(_) => Ok(IsNull::Yes),
                },
                _ => t.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Days from 2000-01-01 of a `YYYY-MM-DD` date (PostgreSQL's binary `date`).
fn date_days(s: &str) -> Option<i32> {
    let b = s.get(..10)?;
    let y: i64 = b.get(..4)?.parse().ok()?;
    let m: i64 = b.get(5..7)?.parse().ok()?;
    let d: i64 = b.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), then shifted to 2000-01-01.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days_1970 = era * 146_097 + doe - 719_468;
    i32::try_from(days_1970 - 10_957).ok()
}

/// EWKB of a geometry in EPSG:4490: ISO WKB with the SRID flag and value after the type.
fn ewkb(g: &onemap_formats::Geometry, out: &mut Vec<u8>) {
    let mut w = Vec::new();
    wkb::encode(g, &mut w);
    out.clear();
    out.push(w[0]);
    let le = w[0] == 1;
    let ty = if le {
        u32::from_le_bytes([w[1], w[2], w[3], w[4]])
    } else {
        u32::from_be_bytes([w[1], w[2], w[3], w[4]])
    } | 0x2000_0000;
    let (t, srid) = if le {
        (ty.to_le_bytes(), 4490u32.to_le_bytes())
    } else {
        (ty.to_be_bytes(), 4490u32.to_be_bytes())
    };
    out.extend_from_slice(&t);
    out.extend_from_slice(&srid);
    out.extend_from_slice(&w[5..]);
}

fn column_type(f: FieldType) -> (&'static str, Type) {
    match f {
        FieldType::Int => ("bigint", Type::INT8),
        FieldType::Float => ("double precision", Type::FLOAT8),
        FieldType::Bool => ("boolean", Type::BOOL),
        FieldType::Date => ("date", Type::DATE),
        FieldType::Text => ("text", Type::TEXT),
    }
}

/// An unused dataset id (and table name) for a kind and year: `dltb-2023`, then `dltb-2023-2`.
fn new_id(
    tx: &mut Transaction,
    kind: Kind,
    year: Option<i32>,
) -> std::result::Result<String, postgres::Error> {
    let base = match year {
        Some(y) => format!("{}-{y}", kind.id()),
        None => kind.id().to_string(),
    };
    let mut k = 1;
    loop {
        let id = if k == 1 {
            base.clone()
        } else {
            format!("{base}-{k}")
        };
        let table = id.replace('-', "_");
        let taken: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM onemap.datasets WHERE id = $1 OR table_name = $2)
                 OR EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'onemap' AND table_name = $2)",
                &[&id, &table],
            )?
            .get(0);
        if !taken {
            return Ok(id);
        }
        k += 1;
    }
}

/// Create a dataset table; returns the column types and the `COPY` statement that fills it
/// (fid, geom, the fields).
fn create_table(
    tx: &mut Transaction,
    url: &str,
    table: &str,
    fields: &[Field],
    polygons: bool,
) -> Result<(Vec<Type>, String)> {
    let e = |x: postgres::Error| err(url, x);
    let gtype = if polygons { "MultiPolygon" } else { "Geometry" };
    let mut ddl = format!(
        "CREATE TABLE onemap.{} (fid bigint PRIMARY KEY, geom geometry({gtype}, 4490)",
        ident(table)
    );
    let mut types = vec![Type::INT8];
    // The geometry type's OID is the database's own: taken from a statement that uses it.
    types.push(
        tx.prepare("SELECT $1::geometry")
            .map_err(e)?
            .params()
            .first()
            .cloned()
            .ok_or_else(|| err(url, "no geometry type: is PostGIS installed?"))?,
    );
    for f in fields {
        let (sql, t) = column_type(f.ty);
        ddl.push_str(&format!(", {} {sql}", ident(&f.name)));
        types.push(t);
    }
    ddl.push(')');
    tx.batch_execute(&ddl).map_err(e)?;
    let copy = format!(
        "COPY onemap.{} (fid, geom{}) FROM STDIN (FORMAT binary)",
        ident(table),
        fields
            .iter()
            .map(|f| format!(", {}", ident(&f.name)))
            .collect::<String>()
    );
    Ok((types, copy))
}

/// One `COPY` row: fid, the geometry as EWKB (a polygon as a one-part multipolygon), values.
fn feature_cells(
    fid: i64,
    geometry: Option<onemap_formats::Geometry>,
    values: Vec<Value>,
    row: &mut Vec<Cell>,
) {
    let geom = geometry.map(|g| match g {
        onemap_formats::Geometry::Polygon(poly) => {
            onemap_formats::Geometry::MultiPolygon(geo_types::MultiPolygon(vec![poly]))
        }
        g => g,
    });
    row.clear();
    row.push(Cell::Int(fid));
    row.push(match geom.as_ref().filter(|g| bbox(g).is_some()) {
        Some(g) => {
            let mut b = Vec::new();
            ewkb(g, &mut b);
            Cell::Geom(b)
        }
        None => Cell::Null,
    });
    for v in values {
        row.push(match v {
            Value::Null => Cell::Null,
            Value::Int(i) => Cell::Int(i),
            Value::Float(x) => Cell::Float(x),
            Value::Bool(b) => Cell::Bool(b),
            Value::Text(t) | Value::Date(t) => Cell::Text(t),
        });
    }
}

/// Index a filled dataset table and name it (autovacuum gathers its statistics).
fn finish_table(
    tx: &mut Transaction,
    table: &str,
    comment: &str,
) -> std::result::Result<(), postgres::Error> {
    tx.batch_execute(&format!(
        "CREATE INDEX {} ON onemap.{} USING gist (geom); COMMENT ON TABLE onemap.{} IS '{}'",
        ident(&format!("{table}_geom")),
        ident(table),
        ident(table),
        comment.replace('\'', "''")
    ))
}

/// An import inside the caller's transaction (committed by the caller when `dataset` is
/// `Some`; a refusal leaves it to roll back).
fn import_on(
    tx: &mut Transaction,
    url: &str,
    req: &ImportRequest,
    source: &mut dyn FeatureReader,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportOutcome> {
    let e = |x: postgres::Error| err(url, x);
    if let Some(p) = &req.plan {
        let versions = read_plan_versions(tx).map_err(e)?;
        plan_import_allowed(&versions, req.kind, p).map_err(StoreError::ReadOnly)?;
    }
    let info = source.info().clone();
    let src_crs = info
        .crs
        .ok_or_else(|| StoreError::Mapping(format!("{}: no CRS", req.source.display())))?;
    let mut ins = Inspector::new(req.kind, &info.fields, src_crs, &req.map, &req.options)
        .map_err(StoreError::Mapping)?;
    let sha256 = crate::source_sha256(&req.source).map_err(|x| err(url, x))?;
    let id = new_id(tx, req.kind, req.year).map_err(e)?;
    let table = id.replace('-', "_");
    let fields = ins.fields().to_vec();
    let (types, copy) = create_table(tx, url, &table, &fields, req.kind.polygons())?;
    let mut read = 0u64;
    let mut summer;
    {
        let sink = tx.copy_in(&copy).map_err(e)?;
        let mut w = BinaryCopyInWriter::new(sink, &types);
        let mut row: Vec<Cell> = Vec::with_capacity(fields.len() + 2);
        let mut stored = 0i64;
        summer = ClassSummer::new(req.kind, &fields);
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
                stored += 1;
                summer.add(&p.values);
                feature_cells(stored, p.geometry, p.values, &mut row);
                let refs: Vec<&(dyn ToSql + Sync)> =
                    row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                w.write(&refs).map_err(e)?;
            }
            read += k;
            progress(read);
        }
        if ins.has_errors() {
            // Abandon the COPY: the caller rolls the transaction back.
            drop(w);
        } else {
            w.finish().map_err(e)?;
        }
    }
    progress(read);
    let (findings, notes) = ins.finish();
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return Ok(ImportOutcome {
            dataset: None,
            findings,
            notes,
            read,
        });
    }
    finish_table(
        tx,
        &table,
        &format!(
            "{} {}",
            req.kind.chinese(),
            req.name.clone().unwrap_or_default()
        ),
    )
    .map_err(e)?;
    let name = req
        .name
        .clone()
        .unwrap_or_else(|| onemap_formats::layer_name(&req.source));
    let ds = Dataset {
        id: id.clone(),
        kind: req.kind,
        year: req.year,
        name,
        features: read,
        source: req
            .source
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string(),
        sha256,
        source_crs: src_crs.code(),
        imported_at: crate::now_rfc3339(),
        imported_by: req.user.clone(),
        warnings: findings.len() as u64,
        table: table.clone(),
    };
    tx.execute(
        "INSERT INTO onemap.datasets (id, kind, year, name, features, source, sha256, source_crs, imported_at, imported_by, warnings, table_name, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &ds.id,
            &ds.kind.id(),
            &ds.year,
            &ds.name,
            &(ds.features as i64),
            &ds.source,
            &ds.sha256,
            &ds.source_crs,
            &ds.imported_at,
            &ds.imported_by,
            &(ds.warnings as i64),
            &ds.table,
            &serde_json::to_string(&notes).unwrap_or_default(),
        ],
    )
    .map_err(e)?;
    keep_class_sums(tx, &ds.id, summer).map_err(e)?;
    let st = tx
        .prepare("INSERT INTO onemap.findings (dataset_id, severity, check_id, feature, field, message) VALUES ($1, $2, $3, $4, $5, $6)")
        .map_err(e)?;
    for f in &findings {
        tx.execute(
            &st,
            &[
                &ds.id,
                &f.severity.id(),
                &f.check,
                &f.feature.map(|x| x as i64),
                &f.field,
                &f.message,
            ],
        )
        .map_err(e)?;
    }
    let mut detail = format!(
        "{} features from {} (sha256 {}), {} warnings",
        ds.features, ds.source, ds.sha256, ds.warnings
    );
    if let Some(p) = &req.plan {
        let exists = tx
            .query_opt(
                "SELECT 1 FROM onemap.plan_versions WHERE version = $1",
                &[&p.version],
            )
            .map_err(e)?
            .is_some();
        if !exists {
            tx.execute(
                "INSERT INTO onemap.plan_versions (version, approval, approved_on, authority, created_at, created_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&p.version, &p.approval, &p.approved_on, &p.authority, &crate::now_rfc3339(), &req.user, &p.note],
            )
            .map_err(e)?;
            tx.execute(
                "INSERT INTO onemap.plan_layers (version, kind, dataset_id, inherited) SELECT $1, kind, dataset_id, true FROM onemap.plan_layers WHERE version = $2",
                &[&p.version, &(p.version - 1)],
            )
            .map_err(e)?;
        }
        tx.execute(
            "INSERT INTO onemap.plan_layers (version, kind, dataset_id, inherited) VALUES ($1, $2, $3, false)
             ON CONFLICT (version, kind) DO UPDATE SET dataset_id = excluded.dataset_id, inherited = false",
            &[&p.version, &req.kind.id(), &ds.id],
        )
        .map_err(e)?;
        detail.push_str(&format!(
            "; into plan version {} ({}, {})",
            p.version, p.approval, p.approved_on
        ));
    }
    append(tx, &ds.imported_by, "import", &ds.id, &detail, &ds.sha256).map_err(e)?;
    Ok(ImportOutcome {
        dataset: Some(ds),
        findings,
        notes,
        read,
    })
}

/// The attribute columns of a dataset table (after `fid` and `geom`), with their types.
fn columns(
    c: &mut impl GenericClient,
    table: &str,
) -> std::result::Result<Vec<Field>, postgres::Error> {
    Ok(c.query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'onemap' AND table_name = $1 AND column_name NOT IN ('fid', 'geom') ORDER BY ordinal_position",
        &[&table],
    )?
    .iter()
    .map(|r| {
        let t: String = r.get(1);
        Field {
            name: r.get(0),
            ty: match t.as_str() {
                "bigint" | "integer" | "smallint" => FieldType::Int,
                "double precision" | "real" | "numeric" => FieldType::Float,
                "boolean" => FieldType::Bool,
                "date" => FieldType::Date,
                _ => FieldType::Text,
            },
            width: 0,
            decimals: 0,
        }
    })
    .collect())
}

/// The select list of some columns, dates as text.
fn select_list(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| match f.ty {
            FieldType::Date => format!(", {}::text", ident(&f.name)),
            _ => format!(", {}", ident(&f.name)),
        })
        .collect()
}

fn value_at(r: &postgres::Row, i: usize, ty: FieldType) -> Value {
    match ty {
        FieldType::Int => r.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int),
        FieldType::Float => r.get::<_, Option<f64>>(i).map_or(Value::Null, Value::Float),
        FieldType::Bool => r.get::<_, Option<bool>>(i).map_or(Value::Null, Value::Bool),
        FieldType::Date => r
            .get::<_, Option<String>>(i)
            .map_or(Value::Null, Value::Date),
        FieldType::Text => r
            .get::<_, Option<String>>(i)
            .map_or(Value::Null, Value::Text),
    }
}

/// Features streamed from a dataset table by a thread holding its own connection.
struct PgReader {
    info: LayerInfo,
    rx: std::sync::mpsc::Receiver<std::result::Result<Feature, String>>,
    url: String,
}

impl FeatureReader for PgReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn read_feature(&mut self) -> onemap_formats::Result<Option<Feature>> {
        match self.rx.recv() {
            Ok(Ok(f)) => Ok(Some(f)),
            Ok(Err(m)) => Err(onemap_formats::FormatError::Invalid {
                path: PathBuf::from(redact(&self.url)),
                where_: String::new(),
                message: m,
            }),
            Err(_) => Ok(None),
        }
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }
}

impl PostgisStore {
    fn reader(&self, id: &str, only: Option<&[&str]>) -> Result<Box<dyn FeatureReader>> {
        let ds = self.dataset(id)?;
        let mut fields = columns(&mut *self.client.borrow_mut(), &ds.table).map_err(self.e())?;
        if let Some(only) = only {
            fields.retain(|f| only.iter().any(|o| o.eq_ignore_ascii_case(&f.name)));
        }
        let info = LayerInfo {
            name: ds.table.clone(),
            crs: Some(Crs::Cgcs2000),
            fields: fields.clone(),
            geometry_type: if ds.kind.polygons() {
                GeometryType::Polygon
            } else {
                GeometryType::Any
            },
            feature_count: Some(ds.features),
        };
        let sql = format!(
            "SELECT fid, ST_AsBinary(geom){} FROM onemap.{} ORDER BY fid",
            select_list(&fields),
            ident(&ds.table)
        );
        let mut client = connect(&self.url)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(4096);
        std::thread::spawn(move || {
            let mut run = || -> std::result::Result<(), String> {
                let rows = client
                    .query_raw(sql.as_str(), std::iter::empty::<i64>())
                    .map_err(|e| e.to_string())?;
                use postgres::fallible_iterator::FallibleIterator;
                let mut rows = rows;
                while let Some(r) = rows.next().map_err(|e| e.to_string())? {
                    let fid: i64 = r.get(0);
                    let geometry = match r.get::<_, Option<&[u8]>>(1) {
                        Some(b) => Some(wkb::decode(b).map_err(|m| format!("feature {fid}: {m}"))?),
                        None => None,
                    };
                    let values = fields
                        .iter()
                        .enumerate()
                        .map(|(k, f)| value_at(&r, k + 2, f.ty))
                        .collect();
                    let f = Feature {
                        fid: Some(fid.to_string()),
                        geometry,
                        values,
                    };
                    if tx.send(Ok(f)).is_err() {
                        return Ok(()); // the reader was dropped
                    }
                }
                Ok(())
            };
            if let Err(m) = run() {
                let _ = tx.send(Err(m));
            }
        });
        Ok(Box::new(PgReader {
            info,
            rx,
            url: self.url.clone(),
        }))
    }
}

/// The PostGIS store's users: a client or a transaction.
struct PgUsers<'a, C: GenericClient>(&'a mut C);

const USER_COLUMNS: &str = "name, role, created_at, created_by, failures, locked_until, password";

fn pg_user(r: &postgres::Row) -> crate::users::UserRow {
    let role: String = r.get(1);
    crate::users::UserRow::new(
        r.get(0),
        &role,
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
    )
}

impl<C: GenericClient> crate::users::UserDb for PgUsers<'_, C> {
    fn user(
        &mut self,
        name: &str,
    ) -> std::result::Result<Option<crate::users::UserRow>, crate::users::DbError> {
        Ok(self
            .0
            .query_opt(
                &format!("SELECT {USER_COLUMNS} FROM onemap.users WHERE name = $1"),
                &[&name],
            )?
            .map(|r| pg_user(&r)))
    }

    fn users(&mut self) -> std::result::Result<Vec<User>, crate::users::DbError> {
        Ok(self
            .0
            .query(
                &format!("SELECT {USER_COLUMNS} FROM onemap.users ORDER BY name"),
                &[],
            )?
            .iter()
            .map(|r| pg_user(r).user)
            .collect())
    }

    fn insert_user(
        &mut self,
        u: &User,
        password: &str,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "INSERT INTO onemap.users (name, role, password, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
            &[&u.name, &u.role.id(), &password, &u.created_at, &u.created_by],
        )?;
        Ok(())
    }

    fn delete_user(&mut self, name: &str) -> std::result::Result<(), crate::users::DbError> {
        self.0
            .execute("DELETE FROM onemap.users WHERE name = $1", &[&name])?;
        Ok(())
    }

    fn set_password(
        &mut self,
        name: &str,
        password: &str,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "UPDATE onemap.users SET password = $2, failures = 0, locked_until = NULL WHERE name = $1",
            &[&name, &password],
        )?;
        Ok(())
    }

    fn set_role(
        &mut self,
        name: &str,
        role: &str,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "UPDATE onemap.users SET role = $2 WHERE name = $1",
            &[&name, &role],
        )?;
        Ok(())
    }

    fn set_failures(
        &mut self,
        name: &str,
        failures: i64,
        locked: Option<i64>,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "UPDATE onemap.users SET failures = $2, locked_until = $3 WHERE name = $1",
            &[&name, &failures, &locked],
        )?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, name: &str) -> std::result::Result<(), crate::users::DbError> {
        self.0
            .execute("DELETE FROM onemap.sessions WHERE name = $1", &[&name])?;
        Ok(())
    }

    fn insert_session(
        &mut self,
        token_sha256: &str,
        name: &str,
        now: i64,
        expires: i64,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "INSERT INTO onemap.sessions (token_sha256, name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            &[&token_sha256, &name, &now, &expires],
        )?;
        self.0.execute(
            "DELETE FROM onemap.sessions WHERE expires_at <= $1",
            &[&now],
        )?;
        Ok(())
    }

    fn session_name(
        &mut self,
        token_sha256: &str,
        now: Option<i64>,
    ) -> std::result::Result<Option<String>, crate::users::DbError> {
        Ok(self
            .0
            .query_opt(
                "SELECT name FROM onemap.sessions WHERE token_sha256 = $1 AND ($2::bigint IS NULL OR expires_at > $2)",
                &[&token_sha256, &now],
            )?
            .map(|r| r.get(0)))
    }

    fn delete_session(
        &mut self,
        token_sha256: &str,
    ) -> std::result::Result<(), crate::users::DbError> {
        self.0.execute(
            "DELETE FROM onemap.sessions WHERE token_sha256 = $1",
            &[&token_sha256],
        )?;
        Ok(())
    }

    fn audit(
        &mut self,
        actor: &str,
        action: &str,
        object: &str,
        detail: &str,
    ) -> std::result::Result<(), crate::users::DbError> {
        append_on(self.0, actor, action, object, detail, "")?;
        Ok(())
    }
}

impl Store for PostgisStore {
    fn location(&self) -> String {
        redact(&self.url)
    }

    fn datasets(&self) -> Result<Vec<Dataset>> {
        Ok(self
            .client
            .borrow_mut()
            .query(&format!("{SELECT_DATASET} ORDER BY seq"), &[])
            .map_err(self.e())?
            .iter()
            .map(row_to_dataset)
            .collect())
    }

    fn dataset(&self, id: &str) -> Result<Dataset> {
        self.client
            .borrow_mut()
            .query_opt(&format!("{SELECT_DATASET} WHERE id = $1"), &[&id])
            .map_err(self.e())?
            .map(|r| row_to_dataset(&r))
            .ok_or_else(|| StoreError::NoDataset(id.to_string()))
    }

    fn import(
        &mut self,
        req: &ImportRequest,
        source: &mut dyn FeatureReader,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        let url = self.url.clone();
        self.write(|tx| {
            let out = import_on(tx, &url, req, source, progress)?;
            let ok = out.dataset.is_some();
            Ok((out, ok))
        })
    }

    fn import_all(
        &mut self,
        jobs: &mut [(ImportRequest, Box<dyn FeatureReader>)],
    ) -> Result<Vec<ImportOutcome>> {
        let url = self.url.clone();
        self.write(|tx| {
            let mut outs = Vec::new();
            for (req, source) in jobs.iter_mut() {
                let out = import_on(tx, &url, req, source.as_mut(), &mut |_| {})?;
                let refused = out.dataset.is_none();
                outs.push(out);
                if refused {
                    return Ok((outs, false));
                }
            }
            Ok((outs, true))
        })
    }

    fn features(&self, id: &str) -> Result<Box<dyn FeatureReader>> {
        self.reader(id, None)
    }

    fn features_with(&self, id: &str, fields: &[&str]) -> Result<Box<dyn FeatureReader>> {
        self.reader(id, Some(fields))
    }

    fn for_each_row(&self, id: &str, fields: &[&str], f: &mut dyn FnMut(&[Value])) -> Result<()> {
        let ds = self.dataset(id)?;
        let mut c = self.client.borrow_mut();
        let all = columns(&mut *c, &ds.table).map_err(self.e())?;
        let mut cols = Vec::new();
        for name in fields {
            let col = all
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| err(&self.url, format!("dataset {id}: no field {name}")))?;
            cols.push(col.clone());
        }
        let sql = format!(
            "SELECT fid{} FROM onemap.{} ORDER BY fid",
            select_list(&cols),
            ident(&ds.table)
        );
        use postgres::fallible_iterator::FallibleIterator;
        let mut rows = c
            .query_raw(sql.as_str(), std::iter::empty::<i64>())
            .map_err(self.e())?;
        let mut buf = Vec::with_capacity(cols.len());
        while let Some(r) = rows.next().map_err(self.e())? {
            buf.clear();
            for (k, col) in cols.iter().enumerate() {
                buf.push(value_at(&r, k + 1, col.ty));
            }
            f(&buf);
        }
        Ok(())
    }

    fn class_sums(&self, id: &str) -> Result<Option<Vec<ClassSum>>> {
        let ds = self.dataset(id)?;
        let mut c = self.client.borrow_mut();
        // Kept at import: a few hundred rows.
        let kept = c
            .query(
                "SELECT zldwdm, dlbm, features, tbmj, kcmj, tbdlmj FROM onemap.class_sums WHERE dataset_id = $1 ORDER BY zldwdm, dlbm",
                &[&id],
            )
            .map_err(self.e())?;
        if !kept.is_empty() {
            return Ok(Some(
                kept.iter()
                    .map(|r| ClassSum {
                        zldwdm: r.get(0),
                        dlbm: r.get(1),
                        features: r.get::<_, i64>(2) as u64,
                        tbmj: r.get(3),
                        kcmj: r.get(4),
                        tbdlmj: r.get(5),
                    })
                    .collect(),
            ));
        }
        // Otherwise (a dataset copied in, or with values the import could not sum) summed by
        // the database.
        let all = columns(&mut *c, &ds.table).map_err(self.e())?;
        let col = |name: &str, numeric: bool| {
            all.iter()
                .find(|x| x.name.eq_ignore_ascii_case(name))
                .filter(|x| {
                    numeric == matches!(x.ty, FieldType::Float | FieldType::Int)
                        && (numeric || x.ty == FieldType::Text)
                })
                .map(|x| ident(&x.name))
        };
        let (Some(z), Some(d), Some(t), Some(k), Some(b)) = (
            col("ZLDWDM", false),
            col("DLBM", false),
            col("TBMJ", true),
            col("KCMJ", true),
            col("TBDLMJ", true),
        ) else {
            return Ok(None);
        };
        // Cents as round(x × 100) agree with the decimal rounding of the row path except
        // within rounding of a half cent; such values (and empty or non-finite TBMJ) send the
        // caller to the rows.
        let cents = |x: &str| format!("round({x}::float8 * 100)::bigint");
        let doubtful = |x: &str| {
            format!("({x}::float8 = 'NaN' OR abs({x}::float8) >= 1e13 OR abs({x}::float8 * 100 - round({x}::float8 * 100)) > 0.49)")
        };
        let sql = format!(
            "SELECT {z}, {d}, count(*)::bigint, coalesce(sum({ct}), 0)::bigint, coalesce(sum(coalesce({ck}, 0)), 0)::bigint,
                    coalesce(sum(coalesce({cb}, {ct} - coalesce({ck}, 0))), 0)::bigint,
                    count(*) FILTER (WHERE {t} IS NULL OR {dt} OR ({k} IS NOT NULL AND {dk}) OR ({b} IS NOT NULL AND {db}))
             FROM onemap.{table} GROUP BY 1, 2",
            ct = cents(&t),
            ck = cents(&k),
            cb = cents(&b),
            dt = doubtful(&t),
            dk = doubtful(&k),
            db = doubtful(&b),
            table = ident(&ds.table)
        );
        let rows = c.query(sql.as_str(), &[]).map_err(self.e())?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            if r.get::<_, i64>(6) > 0 {
                return Ok(None);
            }
            out.push(ClassSum {
                zldwdm: r.get::<_, Option<String>>(0).unwrap_or_default(),
                dlbm: r.get::<_, Option<String>>(1).unwrap_or_default(),
                features: r.get::<_, i64>(2) as u64,
                tbmj: r.get(3),
                kcmj: r.get(4),
                tbdlmj: r.get(5),
            });
        }
        Ok(Some(out))
    }

    fn findings(&self, id: &str) -> Result<Vec<Finding>> {
        self.dataset(id)?;
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT severity, check_id, feature, field, message FROM onemap.findings WHERE dataset_id = $1 ORDER BY seq",
                &[&id],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| {
                let sev: String = r.get(0);
                let check: String = r.get(1);
                Finding {
                    severity: if sev == "error" {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    check: crate::gpkg_store::intern(&check),
                    feature: r.get::<_, Option<i64>>(2).map(|x| x as u64),
                    field: r.get(3),
                    message: r.get(4),
                }
            })
            .collect())
    }

    fn remove(&mut self, id: &str, user: &str, reason: Option<&str>) -> Result<()> {
        let ds = self.dataset(id)?;
        if let Some(v) = self
            .plan_versions()?
            .iter()
            .find(|v| v.layers.iter().any(|l| l.dataset == id))
        {
            return Err(StoreError::ReadOnly(crate::gpkg_store::read_only_message(
                &ds, v,
            )));
        }
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            tx.batch_execute(&format!("DROP TABLE IF EXISTS onemap.{}", ident(&ds.table)))
                .map_err(e)?;
            tx.execute(
                "DELETE FROM onemap.class_sums WHERE dataset_id = $1",
                &[&id],
            )
            .map_err(e)?;
            tx.execute("DELETE FROM onemap.findings WHERE dataset_id = $1", &[&id])
                .map_err(e)?;
            tx.execute("DELETE FROM onemap.datasets WHERE id = $1", &[&id])
                .map_err(e)?;
            append(
                tx,
                user,
                "remove",
                id,
                &crate::gpkg_store::removal_detail(&ds, reason),
                &ds.sha256,
            )
            .map_err(e)?;
            Ok(((), true))
        })
    }

    fn import_stats(&mut self, rows: &[StatRow], source: &str, user: &str) -> Result<usize> {
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            let at = crate::now_rfc3339();
            let st = tx
                .prepare(
                    "INSERT INTO onemap.stats (year, unit, key, value, source, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (year, unit, key) DO UPDATE SET value = excluded.value, source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by",
                )
                .map_err(e)?;
            for r in rows {
                tx.execute(&st, &[&r.year, &r.unit, &r.key, &r.value, &source, &at, &user])
                    .map_err(e)?;
            }
            let (detail, digest) = crate::stats_audit(rows, source);
            append(tx, user, "stats-import", "onemap_stats", &detail, &digest).map_err(e)?;
            Ok((rows.len(), true))
        })
    }

    fn stats(&self) -> Result<Vec<StatRow>> {
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT year, unit, key, value, source FROM onemap.stats ORDER BY year, unit, key",
                &[],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| StatRow {
                year: r.get(0),
                unit: r.get(1),
                key: r.get(2),
                value: r.get(3),
                source: r.get(4),
            })
            .collect())
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
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            let at = crate::now_rfc3339();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO onemap.monitor_runs (from_year, to_year, at, \"user\", inputs, rules, alerts) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[&from, &to, &at, &user, &inputs, &rules, &(alerts.len() as i64)],
                )
                .map_err(e)?
                .get(0);
            let st = tx
                .prepare("INSERT INTO onemap.alerts (run_id, alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .map_err(e)?;
            for a in alerts {
                tx.execute(
                    &st,
                    &[&id, &a.id, &a.rule, &a.severity, &a.unit, &a.township, &a.area_m2, &a.from_dlbm, &a.to_dlbm, &a.wkb],
                )
                .map_err(e)?;
            }
            let (detail, digest) = crate::monitor_audit(id, from, to, inputs, rules, alerts);
            append(tx, user, "monitor", "onemap_alerts", &detail, &digest).map_err(e)?;
            Ok((
                MonitorRun {
                    id,
                    from,
                    to,
                    at,
                    user: user.to_string(),
                    inputs: inputs.to_string(),
                    rules: rules.to_string(),
                    alerts: alerts.len() as u64,
                },
                true,
            ))
        })
    }

    fn monitor_runs(&self) -> Result<Vec<MonitorRun>> {
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT id, from_year, to_year, at, \"user\", inputs, rules, alerts FROM onemap.monitor_runs ORDER BY id",
                &[],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| MonitorRun {
                id: r.get(0),
                from: r.get(1),
                to: r.get(2),
                at: r.get(3),
                user: r.get(4),
                inputs: r.get(5),
                rules: r.get(6),
                alerts: r.get::<_, i64>(7) as u64,
            })
            .collect())
    }

    fn alerts(&self, run: i64) -> Result<Vec<AlertRecord>> {
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb FROM onemap.alerts WHERE run_id = $1 ORDER BY seq",
                &[&run],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| AlertRecord {
                id: r.get(0),
                rule: r.get(1),
                severity: r.get(2),
                unit: r.get(3),
                township: r.get(4),
                area_m2: r.get(5),
                from_dlbm: r.get(6),
                to_dlbm: r.get(7),
                wkb: r.get(8),
            })
            .collect())
    }

    fn cache_get(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .client
            .borrow_mut()
            .query_opt("SELECT value FROM onemap.cache WHERE key = $1", &[&key])
            .map_err(self.e())?
            .map(|r| r.get(0)))
    }

    fn cache_put(&self, key: &str, value: &str) -> Result<()> {
        self.client
            .borrow_mut()
            .execute(
                "INSERT INTO onemap.cache (key, value, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
                &[&key, &value, &crate::now_rfc3339()],
            )
            .map(|_| ())
            .map_err(self.e())
    }

    fn audit(
        &mut self,
        actor: &str,
        action: &str,
        object: &str,
        detail: &str,
        digest: &str,
    ) -> Result<AuditEntry> {
        let url = self.url.clone();
        self.write(|tx| {
            let a = append(tx, actor, action, object, detail, digest).map_err(|x| err(&url, x))?;
            Ok((a, true))
        })
    }

    fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT seq, at, actor, action, object, detail, digest, prev, hash FROM onemap.audit ORDER BY seq",
                &[],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| AuditEntry {
                seq: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                object: r.get(4),
                detail: r.get(5),
                digest: r.get(6),
                prev: r.get(7),
                hash: r.get(8),
            })
            .collect())
    }

    fn record_reviews(&mut self, reviews: &[ReviewRecord]) -> Result<()> {
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            let at = crate::now_rfc3339();
            for r in reviews {
                tx.execute(
                    "INSERT INTO onemap.reviews (at, actor, county, feature) VALUES ($1, $2, $3, $4)",
                    &[&at, &r.actor, &r.county, &r.feature],
                )
                .map_err(e)?;
                let (detail, digest) = crate::review_audit(r);
                append(tx, &r.actor, "review", &r.name, &detail, &digest).map_err(e)?;
            }
            Ok(((), true))
        })
    }

    fn reviews(&self, county: Option<&str>, limit: usize) -> Result<Vec<StoredReview>> {
        let mut out: Vec<StoredReview> = self
            .client
            .borrow_mut()
            .query(
                "SELECT id, at, actor, county, feature FROM onemap.reviews
                 WHERE $1::text IS NULL OR county = $1 ORDER BY id DESC LIMIT $2",
                &[&county, &(limit as i64)],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| StoredReview {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                county: r.get(3),
                feature: r.get(4),
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    fn plan_versions(&self) -> Result<Vec<PlanVersion>> {
        read_plan_versions(&mut *self.client.borrow_mut()).map_err(self.e())
    }

    fn password_hash(&self, name: &str) -> Result<Option<String>> {
        use crate::users::UserDb;
        Ok(PgUsers(&mut *self.client.borrow_mut())
            .user(name)
            .map_err(|e| err(&self.url, e))?
            .map(|r| r.password))
    }

    fn restore(
        &mut self,
        dump: &crate::Dump,
        features: &mut dyn FnMut(&Dataset) -> Result<Box<dyn FeatureReader>>,
    ) -> Result<()> {
        crate::restore_target_empty(self)?;
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            for (ds, findings) in &dump.datasets {
                let mut r = features(ds)?;
                let fields = r.info().fields.clone();
                let (types, copy) = create_table(tx, &url, &ds.table, &fields, ds.kind.polygons())?;
                let mut summer = ClassSummer::new(ds.kind, &fields);
                {
                    let sink = tx.copy_in(&copy).map_err(e)?;
                    let mut w = BinaryCopyInWriter::new(sink, &types);
                    let mut row = Vec::with_capacity(fields.len() + 2);
                    let mut fid = 0i64;
                    while let Some(f) = r.read_feature()? {
                        fid += 1;
                        summer.add(&f.values);
                        feature_cells(fid, f.geometry, f.values, &mut row);
                        let refs: Vec<&(dyn ToSql + Sync)> =
                            row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                        w.write(&refs).map_err(e)?;
                    }
                    w.finish().map_err(e)?;
                }
                finish_table(tx, &ds.table, &format!("{} {}", ds.kind.chinese(), ds.name))
                    .map_err(e)?;
                tx.execute(
                    "INSERT INTO onemap.datasets (id, kind, year, name, features, source, sha256, source_crs, imported_at, imported_by, warnings, table_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    &[&ds.id, &ds.kind.id(), &ds.year, &ds.name, &(ds.features as i64), &ds.source, &ds.sha256, &ds.source_crs, &ds.imported_at, &ds.imported_by, &(ds.warnings as i64), &ds.table],
                )
                .map_err(e)?;
                keep_class_sums(tx, &ds.id, summer).map_err(e)?;
                for f in findings {
                    tx.execute(
                        "INSERT INTO onemap.findings (dataset_id, severity, check_id, feature, field, message) VALUES ($1, $2, $3, $4, $5, $6)",
                        &[&ds.id, &f.severity.id(), &f.check, &f.feature.map(|x| x as i64), &f.field, &f.message],
                    )
                    .map_err(e)?;
                }
            }
            for r in &dump.stats {
                tx.execute(
                    "INSERT INTO onemap.stats (year, unit, key, value, source, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, 'onemap store copy')",
                    &[&r.year, &r.unit, &r.key, &r.value, &r.source, &crate::now_rfc3339()],
                )
                .map_err(e)?;
            }
            for (run, alerts) in &dump.runs {
                tx.execute(
                    "INSERT INTO onemap.monitor_runs (id, from_year, to_year, at, \"user\", inputs, rules, alerts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[&run.id, &run.from, &run.to, &run.at, &run.user, &run.inputs, &run.rules, &(run.alerts as i64)],
                )
                .map_err(e)?;
                for a in alerts {
                    tx.execute(
                        "INSERT INTO onemap.alerts (run_id, alert_id, rule, severity, unit, township, area_m2, from_dlbm, to_dlbm, wkb) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        &[&run.id, &a.id, &a.rule, &a.severity, &a.unit, &a.township, &a.area_m2, &a.from_dlbm, &a.to_dlbm, &a.wkb],
                    )
                    .map_err(e)?;
                }
            }
            for v in &dump.versions {
                tx.execute(
                    "INSERT INTO onemap.plan_versions (version, approval, approved_on, authority, created_at, created_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&v.version, &v.approval, &v.approved_on, &v.authority, &v.created_at, &v.created_by, &v.note],
                )
                .map_err(e)?;
                for l in &v.layers {
                    tx.execute(
                        "INSERT INTO onemap.plan_layers (version, kind, dataset_id, inherited) VALUES ($1, $2, $3, $4)",
                        &[&v.version, &l.kind, &l.dataset, &l.inherited],
                    )
                    .map_err(e)?;
                }
            }
            for a in &dump.amendments {
                tx.execute(
                    "INSERT INTO onemap.amendments (id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks, decided_at, decided_by, decision, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    &[&a.id, &a.status, &a.base_version, &a.proposed_at, &a.proposed_by, &a.source, &a.sha256, &a.changes, &a.checks, &a.decided_at, &a.decided_by, &a.decision, &a.version],
                )
                .map_err(e)?;
            }
            for r in &dump.reviews {
                tx.execute(
                    "INSERT INTO onemap.reviews (id, at, actor, county, feature) VALUES ($1, $2, $3, $4, $5)",
                    &[&r.id, &r.at, &r.actor, &r.county, &r.feature],
                )
                .map_err(e)?;
            }
            // The sequences continue after the copied rows.
            tx.batch_execute(
                "SELECT setval(pg_get_serial_sequence('onemap.monitor_runs', 'id'), coalesce(max(id), 0) + 1, false) FROM onemap.monitor_runs;
                 SELECT setval(pg_get_serial_sequence('onemap.reviews', 'id'), coalesce(max(id), 0) + 1, false) FROM onemap.reviews;",
            )
            .map_err(e)?;
            for a in &dump.audit {
                tx.execute(
                    "INSERT INTO onemap.audit (seq, at, actor, action, object, detail, digest, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[&a.seq, &a.at, &a.actor, &a.action, &a.object, &a.detail, &a.digest, &a.prev, &a.hash],
                )
                .map_err(e)?;
            }
            for (u, hash) in &dump.users {
                tx.execute(
                    "INSERT INTO onemap.users (name, role, password, created_at, created_by, failures) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[&u.name, &u.role.id(), hash, &u.created_at, &u.created_by, &u.failures],
                )
                .map_err(e)?;
            }
            Ok(((), true))
        })
    }

    fn propose_amendment(&mut self, a: &Amendment) -> Result<Amendment> {
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            tx.batch_execute("LOCK TABLE onemap.amendments IN EXCLUSIVE MODE")
                .map_err(e)?;
            let n: i64 = tx
                .query_one("SELECT count(*) FROM onemap.amendments", &[])
                .map_err(e)?
                .get(0);
            let mut a = a.clone();
            a.id = format!("A{:04}", n + 1);
            a.proposed_at = crate::now_rfc3339();
            a.sha256 = audit::digest(a.changes.as_bytes());
            tx.execute(
                "INSERT INTO onemap.amendments (id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[&a.id, &a.status, &a.base_version, &a.proposed_at, &a.proposed_by, &a.source, &a.sha256, &a.changes, &a.checks],
            )
            .map_err(e)?;
            append(
                tx,
                &a.proposed_by,
                "amend-propose",
                &a.id,
                &crate::propose_detail(&a),
                &a.sha256,
            )
            .map_err(e)?;
            Ok((a, true))
        })
    }

    fn amendments(&self) -> Result<Vec<Amendment>> {
        Ok(self
            .client
            .borrow_mut()
            .query(
                "SELECT id, status, base_version, proposed_at, proposed_by, source, sha256, changes, checks, decided_at, decided_by, decision, version FROM onemap.amendments ORDER BY id",
                &[],
            )
            .map_err(self.e())?
            .iter()
            .map(|r| Amendment {
                id: r.get(0),
                status: r.get(1),
                base_version: r.get(2),
                proposed_at: r.get(3),
                proposed_by: r.get(4),
                source: r.get(5),
                sha256: r.get(6),
                changes: r.get(7),
                checks: r.get(8),
                decided_at: r.get(9),
                decided_by: r.get(10),
                decision: r.get(11),
                version: r.get(12),
            })
            .collect())
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
        let url = self.url.clone();
        self.write(|tx| {
            let e = |x: postgres::Error| err(&url, x);
            let at = crate::now_rfc3339();
            // Decided once: a concurrent decision leaves this one updating nothing.
            let n = tx
                .execute(
                    "UPDATE onemap.amendments SET status = $2, decided_at = $3, decided_by = $4, decision = $5, version = $6 WHERE id = $1 AND status = 'proposed'",
                    &[&id, &status, &at, &by, &decision, &version],
                )
                .map_err(e)?;
            if n == 0 {
                return Err(StoreError::ReadOnly(format!(
                    "amendment {id} was decided meanwhile"
                )));
            }
            let (action, detail) = crate::decide_audit(id, status, decision, version);
            append(tx, by, action, id, &detail, &a.sha256).map_err(e)?;
            Ok((
                Amendment {
                    status: status.to_string(),
                    decided_at: Some(at),
                    decided_by: Some(by.to_string()),
                    decision: Some(decision.to_string()),
                    version,
                    ..a
                },
                true,
            ))
        })
    }

    fn users(&self) -> Result<Vec<User>> {
        use crate::users::UserDb;
        PgUsers(&mut *self.client.borrow_mut())
            .users()
            .map_err(|e| err(&self.url, e))
    }

    fn user_add(&mut self, name: &str, role: &Role, password: &str, by: &str) -> Result<User> {
        let url = self.url.clone();
        self.write(|tx| {
            let u =
                crate::users::add(&mut PgUsers(tx), name, role, password, by).map_err(
                    |m| match m {
                        Ok(m) => StoreError::Mapping(m),
                        Err(x) => err(&url, x),
                    },
                )?;
            Ok((u, true))
        })
    }

    fn user_change(
        &mut self,
        name: &str,
        password: Option<&str>,
        role: Option<&Role>,
        remove: bool,
        by: &str,
    ) -> Result<()> {
        let url = self.url.clone();
        self.write(|tx| {
            crate::users::change(&mut PgUsers(tx), name, password, role, remove, by).map_err(
                |m| match m {
                    Ok(m) => StoreError::Mapping(m),
                    Err(x) => err(&url, x),
                },
            )?;
            Ok(((), true))
        })
    }

    fn sign_in(
        &mut self,
        name: &str,
        password: &str,
        ttl: i64,
        from: &str,
    ) -> Result<std::result::Result<Session, SignInError>> {
        let url = self.url.clone();
        self.write(|tx| {
            let r = crate::users::sign_in(&mut PgUsers(tx), name, password, ttl, from)
                .map_err(|e| err(&url, e))?;
            Ok((r, true))
        })
    }

    fn session_user(&self, token: &str) -> Result<Option<User>> {
        crate::users::session(&mut PgUsers(&mut *self.client.borrow_mut()), token)
            .map_err(|e| err(&self.url, e))
    }

    fn sign_out(&mut self, token: &str) -> Result<bool> {
        let url = self.url.clone();
        self.write(|tx| {
            let r = crate::users::sign_out(&mut PgUsers(tx), token).map_err(|e| err(&url, e))?;
            Ok((r, true))
        })
    }

    fn reopen(&self) -> Option<Box<dyn Store + Send>> {
        PostgisStore::open(&self.url)
            .ok()
            .map(|s| Box::new(s) as Box<dyn Store + Send>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_from_2000() {
        assert_eq!(date_days("2000-01-01"), Some(0));
        assert_eq!(date_days("2000-03-01"), Some(60));
        assert_eq!(date_days("1999-12-31"), Some(-1));
        assert_eq!(date_days("2024-03-25"), Some(8850));
        assert_eq!(date_days("2024-13-01"), None);
        assert_eq!(date_days("bad"), None);
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://wang:secret@db:5432/onemap"),
            "postgres://wang:***@db:5432/onemap"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5/x"),
            "postgres://postgres@127.0.0.1:5/x"
        );
    }
}
