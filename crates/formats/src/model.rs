//! The feature model shared by every reader and writer.

use onemap_geodesy::crs::Crs;

/// A geometry in its source CRS, GIS axis order (easting/longitude first).
pub type Geometry = geo_types::Geometry<f64>;

/// An attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// A real number.
    Float(f64),
    /// Text.
    Text(String),
    /// A logical value.
    Bool(bool),
    /// A date, `YYYY-MM-DD`.
    Date(String),
}

impl Value {
    /// The value as text (for ids and tables); `None` for Null.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Text(s) | Value::Date(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
        }
    }
}

/// The type of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Integer.
    Int,
    /// Real number.
    Float,
    /// Text.
    Text,
    /// Logical.
    Bool,
    /// Date.
    Date,
}

/// One attribute field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Name as in the source (decoded).
    pub name: String,
    /// Type.
    pub ty: FieldType,
    /// Width in the source (DBF characters), 0 when unknown.
    pub width: u16,
    /// Decimals in the source (DBF numeric), 0 when unknown.
    pub decimals: u8,
}

impl Field {
    /// A field of a type with no width information.
    pub fn new(name: impl Into<String>, ty: FieldType) -> Field {
        Field {
            name: name.into(),
            ty,
            width: 0,
            decimals: 0,
        }
    }
}

/// The geometry type of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeometryType {
    /// Points (or multipoints).
    Point,
    /// Lines (or multilines).
    Line,
    /// Polygons (or multipolygons).
    Polygon,
    /// Unknown or mixed.
    Any,
}

impl GeometryType {
    /// The layer type that holds this geometry.
    pub fn of(g: &Geometry) -> GeometryType {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => GeometryType::Point,
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => {
                GeometryType::Line
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => GeometryType::Polygon,
            Geometry::GeometryCollection(_) => GeometryType::Any,
        }
    }
}

/// What a reader knows about its layer before the first feature.
#[derive(Clone, Debug)]
pub struct LayerInfo {
    /// Layer name (file stem, GeoPackage table).
    pub name: String,
    /// CRS of the coordinates, `None` when the file declares none.
    pub crs: Option<Crs>,
    /// Attribute fields, in order; every feature's values align with them.
    pub fields: Vec<Field>,
    /// Geometry type.
    pub geometry_type: GeometryType,
    /// Number of features when the format says so up front.
    pub feature_count: Option<u64>,
}

impl LayerInfo {
    /// Index of the first field with this name (ASCII case-insensitive).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One feature: a geometry (possibly absent) and its attribute values.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// The feature's own id where the format has one (GeoJSON `id`, GeoPackage fid).
    pub fid: Option<String>,
    /// Geometry in the layer's CRS.
    pub geometry: Option<Geometry>,
    /// Values aligned with [`LayerInfo::fields`].
    pub values: Vec<Value>,
}

/// Rings of a polygonal geometry with their role (`true` = hole), as the area methods take them.
pub fn polygon_rings(g: &Geometry) -> Vec<(&geo_types::LineString<f64>, bool)> {
    let polys: &[geo_types::Polygon<f64>] = match g {
        Geometry::Polygon(p) => std::slice::from_ref(p),
        Geometry::MultiPolygon(mp) => &mp.0,
        _ => &[],
    };
    let mut out = Vec::new();
    for p in polys {
        out.push((p.exterior(), false));
        out.extend(p.interiors().iter().map(|h| (h, true)));
    }
    out
}

/// Apply `f` to every coordinate of a geometry.
pub fn map_coords(g: &mut Geometry, f: &impl Fn([f64; 2]) -> [f64; 2]) {
    use geo_types::Coord;
    let m = |c: &mut Coord<f64>| {
        let p = f([c.x, c.y]);
        c.x = p[0];
        c.y = p[1];
    };
    fn ls(l: &mut geo_types::LineString<f64>, m: &impl Fn(&mut Coord<f64>)) {
        l.0.iter_mut().for_each(m);
    }
    fn poly(p: &mut geo_types::Polygon<f64>, m: &impl Fn(&mut Coord<f64>)) {
        p.exterior_mut(|e| ls(e, m));
        p.interiors_mut(|hs| hs.iter_mut().for_each(|h| ls(h, m)));
    }
    match g {
        Geometry::Point(p) => m(&mut p.0),
        Geometry::MultiPoint(mp) => mp.0.iter_mut().for_each(|p| m(&mut p.0)),
        Geometry::LineString(l) => ls(l, &m),
        Geometry::MultiLineString(ml) => ml.0.iter_mut().for_each(|l| ls(l, &m)),
        Geometry::Polygon(p) => poly(p, &m),
        Geometry::MultiPolygon(mp) => mp.0.iter_mut().for_each(|p| poly(p, &m)),
        Geometry::Line(l) => {
            m(&mut l.start);
            m(&mut l.end);
        }
        Geometry::GeometryCollection(gc) => gc.0.iter_mut().for_each(|g| map_coords(g, f)),
        Geometry::Rect(_) | Geometry::Triangle(_) => {}
    }
}

/// Bounding box `[minx, miny, maxx, maxy]` of a geometry; `None` when it has no coordinate.
pub fn bbox(g: &Geometry) -> Option<[f64; 4]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut any = false;
    for_each_coord(g, &mut |c| {
        any = true;
        b[0] = b[0].min(c.x);
        b[1] = b[1].min(c.y);
        b[2] = b[2].max(c.x);
        b[3] = b[3].max(c.y);
    });
    any.then_some(b)
}

/// Call `f` on every coordinate of a geometry.
pub fn for_each_coord(g: &Geometry, f: &mut impl FnMut(geo_types::Coord<f64>)) {
    let ls = |l: &geo_types::LineString<f64>, f: &mut dyn FnMut(geo_types::Coord<f64>)| {
        l.0.iter().for_each(|c| f(*c))
    };
    match g {
        Geometry::Point(p) => f(p.0),
        Geometry::MultiPoint(mp) => mp.0.iter().for_each(|p| f(p.0)),
        Geometry::LineString(l) => ls(l, f),
        Geometry::MultiLineString(ml) => ml.0.iter().for_each(|l| ls(l, f)),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            polygon_rings(g).into_iter().for_each(|(r, _)| ls(r, f))
        }
        Geometry::Line(l) => {
            f(l.start);
            f(l.end);
        }
        Geometry::GeometryCollection(gc) => gc.0.iter().for_each(|g| for_each_coord(g, f)),
        Geometry::Rect(r) => for_each_coord(&Geometry::Polygon(r.to_polygon()), f),
        Geometry::Triangle(t) => for_each_coord(&Geometry::Polygon(t.to_polygon()), f),
    }
}
