//! OGC GeoPackage 1.3 (S9): read any feature layer (CRS from `gpkg_spatial_ref_sys`), write one
//! layer with the core tables, the EPSG `srs` row and the R-tree spatial index extension, so that
//! QGIS, ArcGIS and GDAL open it as an ordinary layer.

use crate::error::{FormatError, Result};
use crate::model::{bbox, Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use crate::{wkb, FeatureReader, FeatureWriter};
use geo_types::{Geometry, MultiLineString, MultiPolygon};
use onemap_geodesy::crs::Crs;
use rusqlite::{params, types::ValueRef, Connection, OpenFlags};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Quote an SQL identifier.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn sql_err(path: &Path, e: rusqlite::Error) -> FormatError {
    FormatError::invalid(path, format!("GeoPackage: {e}"))
}

/// One feature layer of a GeoPackage.
#[derive(Clone, Debug)]
pub struct GpkgLayer {
    /// Table name.
    pub table: String,
    /// Geometry column.
    pub column: String,
    /// Declared geometry type name.
    pub geometry_type: String,
    /// srs_id.
    pub srs_id: i64,
}

/// The feature layers of a GeoPackage.
pub fn layers(conn: &Connection, path: &Path) -> Result<Vec<GpkgLayer>> {
    let mut st = conn
        .prepare("SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name")
        .map_err(|_| FormatError::invalid(path, "not a GeoPackage: no gpkg_geometry_columns table"))?;
    let rows = st
        .query_map([], |r| {
            Ok(GpkgLayer {
                table: r.get(0)?,
                column: r.get(1)?,
                geometry_type: r.get(2)?,
                srs_id: r.get(3)?,
            })
        })
        .map_err(|e| sql_err(path, e))?;
    rows.collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| sql_err(path, e))
}

/// The CRS of an srs_id; `None` for the undefined systems 0 and −1.
pub fn srs_crs(conn: &Connection, path: &Path, srs_id: i64) -> Result<Option<Crs>> {
    if srs_id == 0 || srs_id == -1 {
        return Ok(None);
    }
    let row: (String, i64, String) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|_| FormatError::invalid(path, format!("srs_id {srs_id} is not in gpkg_spatial_ref_sys")))?;
    let crs = if row.0.eq_ignore_ascii_case("EPSG") && row.1 > 0 {
        Crs::from_epsg(row.1 as u32)
    } else {
        Crs::from_wkt(&row.2)
    };
    crs.map(Some).map_err(|source| FormatError::Crs {
        path: path.to_path_buf(),
        source,
    })
}

/// A streaming GeoPackage layer reader (pages of rows ordered by the primary key).
pub struct GpkgReader {
    conn: Connection,
    path: PathBuf,
    sql: String,
    cols: Vec<FieldType>,
    info: LayerInfo,
    last: i64,
    page: VecDeque<Feature>,
    done: bool,
}

const PAGE: i64 = 8192;

impl GpkgReader {
    /// Open a layer; `layer` may be omitted when the file has exactly one.
    pub fn open(path: &Path, layer: Option<&str>) -> Result<GpkgReader> {
        GpkgReader::open_fields(path, layer, None)
    }

    /// Open a layer reading only the named attribute fields (case-insensitive; names the
    /// layer lacks are skipped) besides the geometry: much less decoding for wide layers.
    pub fn open_fields(
        path: &Path,
        layer: Option<&str>,
        only: Option<&[&str]>,
    ) -> Result<GpkgReader> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_err(path, e))?;
        let all = layers(&conn, path)?;
        let names = || {
            all.iter()
                .map(|l| l.table.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let l = match layer {
            Some(n) => all
                .iter()
                .find(|l| l.table.eq_ignore_ascii_case(n))
                .ok_or_else(|| {
                    FormatError::invalid(
                        path,
                        format!("no layer {n:?}; the layers are: {}", names()),
                    )
                })?,
            None => match all.as_slice() {
                [one] => one,
                [] => {
                    return Err(FormatError::invalid(
                        path,
                        "the GeoPackage has no feature layer",
                    ))
                }
                _ => {
                    return Err(FormatError::invalid(
                        path,
                        format!("several layers ({}); choose one with --layer", names()),
                    ))
                }
            },
        }
        .clone();
        let crs = srs_crs(&conn, path, l.srs_id)?;
        let mut fields = Vec::new();
        let mut cols = Vec::new();
        let mut pk = None;
        {
            let mut st = conn
                .prepare(&format!("PRAGMA table_info({})", ident(&l.table)))
                .map_err(|e| sql_err(path, e))?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get::<_, i64>(5)?,
                    ))
                })
                .map_err(|e| sql_err(path, e))?;
            for row in rows {
                let (name, ty, is_pk) = row.map_err(|e| sql_err(path, e))?;
                if is_pk > 0 && pk.is_none() {
                    pk = Some(name);
                    continue;
                }
                if name.eq_ignore_ascii_case(&l.column) {
                    continue;
                }
                if only.is_some_and(|o| !o.iter().any(|f| f.eq_ignore_ascii_case(&name))) {
                    continue;
                }
                let t = ty.to_ascii_uppercase();
                let ft = if t.contains("INT") {
                    FieldType::Int
                } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
                    FieldType::Float
                } else if t == "BOOLEAN" {
                    FieldType::Bool
                } else if t == "DATE" {
                    FieldType::Date
                } else {
                    FieldType::Text
                };
                cols.push(name.clone());
                fields.push(Field::new(name, ft));
            }
        }
        let pk = pk.unwrap_or_else(|| "rowid".to_string());
        let mut sel = vec![ident(&pk), ident(&l.column)];
        sel.extend(cols.iter().map(|c| ident(c)));
        let sql = format!(
            "SELECT {} FROM {} WHERE {} > ?1 ORDER BY {} LIMIT {PAGE}",
            sel.join(", "),
            ident(&l.table),
            ident(&pk),
            ident(&pk)
        );
        let gt = l.geometry_type.to_ascii_uppercase();
        let geometry_type = if gt.contains("POLYGON") {
            GeometryType::Polygon
        } else if gt.contains("LINE") {
            GeometryType::Line
        } else if gt.contains("POINT") {
            GeometryType::Point
        } else {
            GeometryType::Any
        };
        let feature_count = conn
            .query_row(
                "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?1",
                [&l.table],
                |r| r.get::<_, i64>(0),
            )
            .ok()
            .map(|n| n as u64);
        let info = LayerInfo {
            name: l.table.clone(),
            crs,
            geometry_type,
            feature_count,
            fields,
        };
        let cols = info.fields.iter().map(|f| f.ty).collect();
        Ok(GpkgReader {
            conn,
            path: path.to_path_buf(),
            sql,
            cols,
            info,
            last: i64::MIN,
            page: VecDeque::new(),
            done: false,
        })
    }

    fn fill(&mut self) -> Result<()> {
        let path = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(&self.sql)
            .map_err(|e| sql_err(&path, e))?;
        let mut rows = st.query([self.last]).map_err(|e| sql_err(&path, e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| sql_err(&path, e))? {
            n += 1;
            let fid: i64 = r.get(0).map_err(|e| sql_err(&path, e))?;
            self.last = fid;
            let geometry = match r.get_ref(1).map_err(|e| sql_err(&path, e))? {
                ValueRef::Null => None,
                ValueRef::Blob(b) => wkb::parse_gpkg_blob(b)
                    .map_err(|m| FormatError::feature(&path, fid as u64, None, m))?,
                _ => {
                    return Err(FormatError::feature(
                        &path,
                        fid as u64,
                        None,
                        "geometry is not a blob",
                    ))
                }
            };
            let mut values = Vec::with_capacity(self.cols.len());
            for (i, ty) in self.cols.iter().enumerate() {
                let v = r.get_ref(i + 2).map_err(|e| sql_err(&path, e))?;
                values.push(match (v, ty) {
                    (ValueRef::Null, _) => Value::Null,
                    (ValueRef::Integer(x), FieldType::Bool) => Value::Bool(x != 0),
                    (ValueRef::Integer(x), FieldType::Float) => Value::Float(x as f64),
                    (ValueRef::Integer(x), _) => Value::Int(x),
                    (ValueRef::Real(x), _) => Value::Float(x),
                    (ValueRef::Text(t), FieldType::Date) => {
                        Value::Date(String::from_utf8_lossy(t).into_owned())
                    }
                    (ValueRef::Text(t), _) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    (ValueRef::Blob(_), _) => Value::Null,
                });
            }
            self.page.push_back(Feature {
                fid: Some(fid.to_string()),
                geometry,
                values,
            });
        }
        if n < PAGE {
            self.done = true;
        }
        Ok(())
    }
}

impl FeatureReader for GpkgReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }

    fn read_feature(&mut self) -> Result<Option<Feature>> {
        if self.page.is_empty() && !self.done {
            self.fill()?;
        }
        Ok(self.page.pop_front())
    }
}

/// SQL creating the GeoPackage core tables (OGC 12-128r18, §1.1.2–1.1.4 and the extensions table).
pub const CORE_TABLES: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
"#;

/// Create the GeoPackage core tables and the application id in an empty database.
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;")?;
    conn.execute_batch(CORE_TABLES)?;
    ensure_srs(conn, &Crs::Wgs84)
}

/// Insert the `gpkg_spatial_ref_sys` row of a CRS (srs_id = EPSG code) if absent.
pub fn ensure_srs(conn: &Connection, crs: &Crs) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, ?4)",
        params![crs.name(), crs.epsg(), crs.to_ogc_wkt(), crs.esri_name()],
    )?;
    Ok(())
}

/// SQL of the R-tree index triggers of the `gpkg_rtree_index` extension (GeoPackage 1.3 Annex
/// F.3) for table `t`, geometry column `c`, primary key `i`.
pub fn rtree_triggers(t: &str, c: &str, i: &str) -> String {
    let rt = ident(&format!("rtree_{t}_{c}"));
    let name = |s: &str| ident(&format!("rtree_{t}_{c}_{s}"));
    let (tq, cq, iq) = (ident(t), ident(c), ident(i));
    let ins = format!("INSERT OR REPLACE INTO {rt} VALUES (NEW.{iq}, ST_MinX(NEW.{cq}), ST_MaxX(NEW.{cq}), ST_MinY(NEW.{cq}), ST_MaxY(NEW.{cq}));");
    format!(
        "CREATE TRIGGER {} AFTER INSERT ON {tq} WHEN (new.{cq} NOT NULL AND NOT ST_IsEmpty(NEW.{cq})) BEGIN {ins} END;
CREATE TRIGGER {} AFTER UPDATE OF {cq} ON {tq} WHEN OLD.{iq} = NEW.{iq} AND (NEW.{cq} NOTNULL AND NOT ST_IsEmpty(NEW.{cq})) BEGIN {ins} END;
CREATE TRIGGER {} AFTER UPDATE OF {cq} ON {tq} WHEN OLD.{iq} = NEW.{iq} AND (NEW.{cq} ISNULL OR ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rt} WHERE id = OLD.{iq}; END;
CREATE TRIGGER {} AFTER UPDATE ON {tq} WHEN OLD.{iq} != NEW.{iq} AND (NEW.{cq} NOTNULL AND NOT ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rt} WHERE id = OLD.{iq}; {ins} END;
CREATE TRIGGER {} AFTER UPDATE ON {tq} WHEN OLD.{iq} != NEW.{iq} AND (NEW.{cq} ISNULL OR ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rt} WHERE id IN (OLD.{iq}, NEW.{iq}); END;
CREATE TRIGGER {} AFTER DELETE ON {tq} WHEN old.{cq} NOT NULL BEGIN DELETE FROM {rt} WHERE id = OLD.{iq}; END;",
        name("insert"),
        name("update1"),
        name("update2"),
        name("update3"),
        name("update4"),
        name("delete"),
    )
}

/// A GeoPackage writer for one layer, atomic (written under a temporary name).
pub struct GpkgWriter {
    conn: Option<Connection>,
    tmp: PathBuf,
    target: PathBuf,
    table: String,
    insert: String,
    fields: Vec<Field>,
    srs_id: i64,
    multi: GeometryType,
    extent: [f64; 4],
    boxes: Vec<(i64, [f64; 4])>,
    blob: Vec<u8>,
    index: u64,
}

impl GpkgWriter {
    /// Create `path` with one layer named after `info.name`.
    pub fn create(path: &Path, info: &LayerInfo, date: &str) -> Result<GpkgWriter> {
        let tmp = crate::temp_path(path);
        let _ = std::fs::remove_file(&tmp);
        let conn = Connection::open(&tmp).map_err(|e| sql_err(path, e))?;
        let e = |e| sql_err(path, e);
        // Safe to skip the journal: the file is moved into place only when complete.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;",
        )
        .map_err(e)?;
        init(&conn).map_err(e)?;
        conn.execute_batch("BEGIN").map_err(e)?;
        let t = Table::create(&conn, path, info, date)?;
        Ok(GpkgWriter {
            conn: Some(conn),
            tmp,
            target: path.to_path_buf(),
            table: t.table,
            insert: t.insert,
            fields: t.fields,
            srs_id: t.srs_id,
            multi: t.multi,
            extent: [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            boxes: Vec::new(),
            blob: Vec::new(),
            index: 0,
        })
    }

    /// Finish the current layer and start another in the same file; the features written
    /// next go to it.
    pub fn add_layer(&mut self, info: &LayerInfo, date: &str) -> Result<()> {
        self.finish_table()?;
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        let t = Table::create(conn, &self.target, info, date)?;
        self.table = t.table;
        self.insert = t.insert;
        self.fields = t.fields;
        self.srs_id = t.srs_id;
        self.multi = t.multi;
        self.extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        self.boxes.clear();
        self.index = 0;
        Ok(())
    }

    /// Write the current layer's extent and spatial index.
    fn finish_table(&mut self) -> Result<()> {
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        let path = self.target.clone();
        let e = |e| sql_err(&path, e);
        if self.extent[0].is_finite() {
            conn.execute(
                "UPDATE gpkg_contents SET min_x = ?1, min_y = ?2, max_x = ?3, max_y = ?4 WHERE table_name = ?5",
                params![self.extent[0], self.extent[1], self.extent[2], self.extent[3], self.table],
            )
            .map_err(e)?;
        }
        let rt = format!("rtree_{}_geom", self.table);
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
            ident(&rt)
        ))
        .map_err(e)?;
        {
            let mut st = conn
                .prepare(&format!(
                    "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
                    ident(&rt)
                ))
                .map_err(e)?;
            for (id, b) in &self.boxes {
                st.execute(params![id, b[0], b[2], b[1], b[3]]).map_err(e)?;
            }
        }
        conn.execute_batch(&rtree_triggers(&self.table, "geom", "fid"))
            .map_err(e)?;
        conn.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            params![self.table],
        )
        .map_err(e)?;
        Ok(())
    }
}

/// One layer's table, created.
struct Table {
    table: String,
    insert: String,
    fields: Vec<Field>,
    srs_id: i64,
    multi: GeometryType,
}

impl Table {
    fn create(conn: &Connection, path: &Path, info: &LayerInfo, date: &str) -> Result<Table> {
        let e = |e| sql_err(path, e);
        let srs_id = match &info.crs {
            Some(c) => {
                ensure_srs(conn, c).map_err(e)?;
                c.epsg() as i64
            }
            None => -1,
        };
        let mut table = info.name.clone();
        if table.is_empty()
            || ["gpkg_", "rtree_", "sqlite_"]
                .iter()
                .any(|p| table.to_ascii_lowercase().starts_with(p))
        {
            table = format!("layer_{table}");
        }
        // Field names must not collide with the primary key or the geometry column.
        let mut fields = info.fields.clone();
        for f in &mut fields {
            while f.name.eq_ignore_ascii_case("fid") || f.name.eq_ignore_ascii_case("geom") {
                f.name.push_str("_1");
            }
        }
        let (gtype, multi) = match info.geometry_type {
            GeometryType::Polygon => ("MULTIPOLYGON", GeometryType::Polygon),
            GeometryType::Line => ("MULTILINESTRING", GeometryType::Line),
            GeometryType::Point => ("POINT", GeometryType::Point),
            GeometryType::Any => ("GEOMETRY", GeometryType::Any),
        };
        let cols: Vec<String> = fields
            .iter()
            .map(|f| {
                let t = match f.ty {
                    FieldType::Int => "INTEGER",
                    FieldType::Float => "REAL",
                    FieldType::Text => "TEXT",
                    FieldType::Bool => "BOOLEAN",
                    FieldType::Date => "DATE",
                };
                format!("{} {t}", ident(&f.name))
            })
            .collect();
        let mut ddl = format!(
            "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {gtype}",
            ident(&table)
        );
        for c in &cols {
            ddl.push_str(", ");
            ddl.push_str(c);
        }
        ddl.push(')');
        conn.execute_batch(&ddl).map_err(e)?;
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id, last_change) VALUES (?1, 'features', ?1, ?2, ?3)",
            params![table, srs_id, format!("{date}T00:00:00.000Z")],
        )
        .map_err(e)?;
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
            params![table, gtype, srs_id],
        )
        .map_err(e)?;
        let names: Vec<String> = fields.iter().map(|f| ident(&f.name)).collect();
        let marks: Vec<String> = (0..=fields.len()).map(|i| format!("?{}", i + 1)).collect();
        let insert = format!(
            "INSERT INTO {} (geom{}{}) VALUES ({})",
            ident(&table),
            if names.is_empty() { "" } else { ", " },
            names.join(", "),
            marks.join(", ")
        );
        Ok(Table {
            table,
            insert,
            fields,
            srs_id,
            multi,
        })
    }
}

impl FeatureWriter for GpkgWriter {
    fn write_feature(&mut self, f: &Feature) -> Result<()> {
        let index = self.index;
        self.index += 1;
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        let path = &self.target;
        // Promote to the layer's multi type (as ogr2ogr -nlt PROMOTE_TO_MULTI does).
        let g = f.geometry.as_ref().map(|g| match (self.multi, g) {
            (GeometryType::Polygon, Geometry::Polygon(p)) => {
                Geometry::MultiPolygon(MultiPolygon(vec![p.clone()]))
            }
            (GeometryType::Line, Geometry::LineString(l)) => {
                Geometry::MultiLineString(MultiLineString(vec![l.clone()]))
            }
            _ => g.clone(),
        });
        let bb = g.as_ref().and_then(bbox);
        let geom = match (&g, bb) {
            (Some(g), Some(b)) => {
                wkb::gpkg_blob(g, self.srs_id as i32, b, &mut self.blob);
                Some(self.blob.as_slice())
            }
            _ => None,
        };
        let mut st = conn
            .prepare_cached(&self.insert)
            .map_err(|e| sql_err(path, e))?;
        let mut vals: Vec<rusqlite::types::Value> = Vec::with_capacity(self.fields.len() + 1);
        vals.push(geom.map_or(rusqlite::types::Value::Null, |b| {
            rusqlite::types::Value::Blob(b.to_vec())
        }));
        for (i, fd) in self.fields.iter().enumerate() {
            use rusqlite::types::Value as V;
            vals.push(match f.values.get(i).unwrap_or(&Value::Null) {
                Value::Null => V::Null,
                Value::Int(x) if fd.ty == FieldType::Float => V::Real(*x as f64),
                Value::Int(x) => V::Integer(*x),
                Value::Float(x) => V::Real(*x),
                Value::Bool(b) => V::Integer(*b as i64),
                Value::Text(s) | Value::Date(s) => V::Text(s.clone()),
            });
        }
        st.execute(rusqlite::params_from_iter(vals)).map_err(|e| {
            FormatError::feature(path, index, None, format!("GeoPackage insert: {e}"))
        })?;
        if let Some(b) = bb {
            let fid = conn.last_insert_rowid();
            self.boxes.push((fid, b));
            self.extent = [
                self.extent[0].min(b[0]),
                self.extent[1].min(b[1]),
                self.extent[2].max(b[2]),
                self.extent[3].max(b[3]),
            ];
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.finish_table()?;
        let Some(conn) = self.conn.take() else {
            return Ok(());
        };
        let path = self.target.clone();
        let e = |e| sql_err(&path, e);
        conn.execute_batch("COMMIT").map_err(e)?;
        conn.close().map_err(|(_, err)| sql_err(&path, err))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|err| FormatError::io(&self.target, err))
    }
}

impl Drop for GpkgWriter {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            drop(c);
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
