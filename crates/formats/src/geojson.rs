//! GeoJSON (RFC 7946): longitude/latitude, CGCS2000 read as identical to WGS 84 (R-CRS-5). A
//! legacy `crs` member (as GDAL writes for projected data) is honoured on reading and written
//! when the layer is not geographic.

use crate::error::{FormatError, Result};
use crate::model::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use crate::{AtomicFile, FeatureReader, FeatureWriter};
use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use onemap_geodesy::crs::Crs;
use serde_json::{json, Map, Value as J};
use std::path::{Path, PathBuf};

/// Reads a whole GeoJSON file (FeatureCollection, Feature or bare geometry).
pub struct GeoJsonReader {
    info: LayerInfo,
    features: std::vec::IntoIter<Feature>,
}

fn coord(v: &J) -> std::result::Result<Coord<f64>, String> {
    let a = v.as_array().ok_or("a position is not an array")?;
    match (a.first().and_then(J::as_f64), a.get(1).and_then(J::as_f64)) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err("a position needs two numbers".into()),
    }
}

fn line(v: &J) -> std::result::Result<LineString<f64>, String> {
    v.as_array()
        .ok_or("coordinates are not an array")?
        .iter()
        .map(coord)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(LineString)
}

fn poly(v: &J) -> std::result::Result<Polygon<f64>, String> {
    let mut rings = v
        .as_array()
        .ok_or("polygon coordinates are not an array")?
        .iter()
        .map(line)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if rings.is_empty() {
        return Err("polygon without rings".into());
    }
    let ext = rings.remove(0);
    Ok(Polygon::new(ext, rings))
}

/// Parse a GeoJSON geometry object.
pub fn parse_geometry(g: &J, depth: usize) -> std::result::Result<Option<Geometry<f64>>, String> {
    if g.is_null() {
        return Ok(None);
    }
    if depth > 16 {
        return Err("geometry collections nested too deeply".into());
    }
    let t = g
        .get("type")
        .and_then(J::as_str)
        .ok_or("geometry has no type")?;
    let c = || {
        g.get("coordinates")
            .ok_or_else(|| format!("{t} has no coordinates"))
    };
    let arr = |v: &J| {
        v.as_array()
            .cloned()
            .ok_or_else(|| "coordinates are not an array".to_string())
    };
    Ok(Some(match t {
        "Point" => Geometry::Point(Point(coord(c()?)?)),
        "LineString" => Geometry::LineString(line(c()?)?),
        "Polygon" => Geometry::Polygon(poly(c()?)?),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            arr(c()?)?
                .iter()
                .map(|p| coord(p).map(Point))
                .collect::<std::result::Result<_, _>>()?,
        )),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            arr(c()?)?
                .iter()
                .map(line)
                .collect::<std::result::Result<_, _>>()?,
        )),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            arr(c()?)?
                .iter()
                .map(poly)
                .collect::<std::result::Result<_, _>>()?,
        )),
        "GeometryCollection" => {
            let gs = g
                .get("geometries")
                .and_then(J::as_array)
                .ok_or("GeometryCollection without geometries")?;
            let mut out = Vec::new();
            for x in gs {
                if let Some(g) = parse_geometry(x, depth + 1)? {
                    out.push(g);
                }
            }
            Geometry::GeometryCollection(GeometryCollection(out))
        }
        other => return Err(format!("unknown geometry type {other:?}")),
    }))
}

impl GeoJsonReader {
    /// Read and parse `path`.
    pub fn open(path: &Path) -> Result<GeoJsonReader> {
        let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
        Self::from_bytes(path, &bytes)
    }

    /// Parse GeoJSON bytes (`path` names them in messages).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<GeoJsonReader> {
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let root: J = serde_json::from_slice(bytes)
            .map_err(|e| FormatError::invalid(path, format!("not JSON: {e}")))?;
        let crs = match root.pointer("/crs/properties/name").and_then(J::as_str) {
            Some(n) => Crs::parse(n).map_err(|source| FormatError::Crs {
                path: path.to_path_buf(),
                source,
            })?,
            None => Crs::Cgcs2000,
        };
        let items: Vec<J> = match root.get("type").and_then(J::as_str) {
            Some("FeatureCollection") => root
                .get("features")
                .and_then(J::as_array)
                .cloned()
                .ok_or_else(|| {
                    FormatError::invalid(path, "FeatureCollection without a features array")
                })?,
            Some("Feature") => vec![root.clone()],
            Some(_) => vec![json!({"type": "Feature", "properties": {}, "geometry": root})],
            None => return Err(FormatError::invalid(path, "not GeoJSON: no type member")),
        };
        // Fields: every property key, in order of first appearance, with a type that holds
        // every value seen.
        let mut fields: Vec<Field> = Vec::new();
        for f in &items {
            if let Some(props) = f.get("properties").and_then(J::as_object) {
                for (k, v) in props {
                    let ty = match v {
                        J::Null => None,
                        J::Bool(_) => Some(FieldType::Bool),
                        J::Number(n) if n.is_i64() => Some(FieldType::Int),
                        J::Number(_) => Some(FieldType::Float),
                        _ => Some(FieldType::Text),
                    };
                    match fields.iter_mut().find(|f| f.name == *k) {
                        None => fields.push(Field::new(k.clone(), ty.unwrap_or(FieldType::Text))),
                        Some(f) => {
                            if let Some(t) = ty {
                                f.ty = match (f.ty, t) {
                                    (a, b) if a == b => a,
                                    (FieldType::Int, FieldType::Float)
                                    | (FieldType::Float, FieldType::Int) => FieldType::Float,
                                    _ => FieldType::Text,
                                };
                            }
                        }
                    }
                }
            }
        }
        let mut features = Vec::with_capacity(items.len());
        let mut gtype: Option<GeometryType> = None;
        for (i, f) in items.iter().enumerate() {
            if f.get("type").and_then(J::as_str) != Some("Feature") {
                return Err(FormatError::feature(path, i as u64, None, "not a Feature"));
            }
            let geometry = parse_geometry(f.get("geometry").unwrap_or(&J::Null), 0)
                .map_err(|m| FormatError::feature(path, i as u64, None, m))?;
            if let Some(g) = &geometry {
                let t = GeometryType::of(g);
                gtype = Some(match gtype {
                    None => t,
                    Some(x) if x == t => x,
                    _ => GeometryType::Any,
                });
            }
            let props = f.get("properties").and_then(J::as_object);
            let values = fields
                .iter()
                .map(|fd| match (props.and_then(|p| p.get(&fd.name)), fd.ty) {
                    (None | Some(J::Null), _) => Value::Null,
                    (Some(J::Bool(b)), FieldType::Bool) => Value::Bool(*b),
                    (Some(J::Number(n)), FieldType::Int) => {
                        n.as_i64().map_or(Value::Null, Value::Int)
                    }
                    (Some(J::Number(n)), FieldType::Float) => {
                        n.as_f64().map_or(Value::Null, Value::Float)
                    }
                    (Some(J::String(s)), _) => Value::Text(s.clone()),
                    (Some(other), _) => Value::Text(other.to_string()),
                })
                .collect();
            let fid = match f.get("id") {
                Some(J::String(s)) => Some(s.clone()),
                Some(J::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            features.push(Feature {
                fid,
                geometry,
                values,
            });
        }
        let info = LayerInfo {
            name: crate::layer_name(path),
            crs: Some(crs),
            fields,
            geometry_type: gtype.unwrap_or(GeometryType::Any),
            feature_count: Some(features.len() as u64),
        };
        Ok(GeoJsonReader {
            info,
            features: features.into_iter(),
        })
    }
}

impl FeatureReader for GeoJsonReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }

    fn read_feature(&mut self) -> Result<Option<Feature>> {
        Ok(self.features.next())
    }
}

/// A GeoJSON geometry object.
pub fn geometry_json(g: &Geometry<f64>) -> J {
    let c = |c: &Coord<f64>| json!([c.x, c.y]);
    let l = |l: &LineString<f64>| J::Array(l.0.iter().map(c).collect());
    let p = |p: &Polygon<f64>| {
        let mut v = vec![l(p.exterior())];
        v.extend(p.interiors().iter().map(l));
        J::Array(v)
    };
    match g {
        Geometry::Point(pt) => json!({"type": "Point", "coordinates": c(&pt.0)}),
        Geometry::LineString(ls) => json!({"type": "LineString", "coordinates": l(ls)}),
        Geometry::Polygon(pg) => json!({"type": "Polygon", "coordinates": p(pg)}),
        Geometry::MultiPoint(mp) => {
            json!({"type": "MultiPoint", "coordinates": mp.0.iter().map(|q| c(&q.0)).collect::<Vec<_>>()})
        }
        Geometry::MultiLineString(ml) => {
            json!({"type": "MultiLineString", "coordinates": ml.0.iter().map(l).collect::<Vec<_>>()})
        }
        Geometry::MultiPolygon(mp) => {
            json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(p).collect::<Vec<_>>()})
        }
        Geometry::GeometryCollection(gc) => {
            json!({"type": "GeometryCollection", "geometries": gc.0.iter().map(geometry_json).collect::<Vec<_>>()})
        }
        Geometry::Line(li) => {
            json!({"type": "LineString", "coordinates": [c(&li.start), c(&li.end)]})
        }
        Geometry::Rect(r) => geometry_json(&Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => geometry_json(&Geometry::Polygon(t.to_polygon())),
    }
}

/// Streams features into a GeoJSON FeatureCollection.
pub struct GeoJsonWriter {
    out: AtomicFile,
    fields: Vec<Field>,
    first: bool,
    path: PathBuf,
}

impl GeoJsonWriter {
    /// Create `path`.
    pub fn create(path: &Path, info: &LayerInfo) -> Result<GeoJsonWriter> {
        let mut out = AtomicFile::create(path)?;
        let mut head = format!(
            "{{\"type\":\"FeatureCollection\",\"name\":{}",
            J::String(info.name.clone())
        );
        if let Some(c) = info.crs.filter(|c| !c.is_geographic()) {
            head.push_str(&format!(",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{}\"}}}}", c.epsg()));
        }
        head.push_str(",\"features\":[\n");
        out.write_all(head.as_bytes())?;
        Ok(GeoJsonWriter {
            out,
            fields: info.fields.clone(),
            first: true,
            path: path.to_path_buf(),
        })
    }
}

impl FeatureWriter for GeoJsonWriter {
    fn write_feature(&mut self, f: &Feature) -> Result<()> {
        let mut props = Map::new();
        for (fd, v) in self.fields.iter().zip(&f.values) {
            let j = match v {
                Value::Null => J::Null,
                Value::Int(i) => json!(i),
                Value::Float(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
                Value::Text(s) | Value::Date(s) => J::String(s.clone()),
                Value::Bool(b) => J::Bool(*b),
            };
            props.insert(fd.name.clone(), j);
        }
        let mut o = Map::new();
        o.insert("type".into(), J::String("Feature".into()));
        if let Some(id) = &f.fid {
            o.insert(
                "id".into(),
                id.parse::<i64>()
                    .map_or_else(|_| J::String(id.clone()), |n| json!(n)),
            );
        }
        o.insert("properties".into(), J::Object(props));
        o.insert(
            "geometry".into(),
            f.geometry.as_ref().map_or(J::Null, geometry_json),
        );
        let mut s = if self.first {
            String::new()
        } else {
            ",\n".to_string()
        };
        self.first = false;
        s.push_str(
            &serde_json::to_string(&J::Object(o))
                .map_err(|e| FormatError::invalid(&self.path, e.to_string()))?,
        );
        self.out.write_all(s.as_bytes())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.commit()
    }
}
