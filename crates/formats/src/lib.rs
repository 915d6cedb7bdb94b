//! Features and the file formats onemap reads and writes: the 报部 coordinate TXT, Shapefile,
//! GeoPackage, GeoJSON and FlatGeobuf.
//!
//! Readers stream: [`open`] returns a [`FeatureReader`] that yields one feature at a time in the
//! file's own CRS. Writers stream too and are atomic: [`create`] returns a [`FeatureWriter`] that
//! writes into temporary files beside the target and moves them into place only on
//! [`FeatureWriter::finish`]; an error or an interruption leaves no half-written output.
//!
//! ```no_run
//! use onemap_formats::{open, ReadOptions};
//! let mut r = open("parcels.txt".as_ref(), &ReadOptions::default()).unwrap();
//! while let Some(f) = r.read_feature().unwrap() {
//!     println!("{:?}", f.values);
//! }
//! ```

pub mod dbf;
pub mod error;
pub mod fgb;
pub mod geojson;
pub mod gpkg;
pub mod model;
pub mod shp;
pub mod txt;
pub mod wkb;

pub use error::{Diagnostic, FormatError, Result};
pub use model::{Feature, Field, FieldType, Geometry, GeometryType, LayerInfo, Value};

use onemap_geodesy::crs::Crs;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A streaming source of features.
pub trait FeatureReader {
    /// The layer: name, CRS, fields, geometry type.
    fn info(&self) -> &LayerInfo;
    /// The next feature, `None` at the end.
    fn read_feature(&mut self) -> Result<Option<Feature>>;
    /// Warnings found while reading (e.g. the TXT reader's W- codes).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// Replace the layer's CRS (the user's `--crs` override).
    fn set_crs(&mut self, crs: Crs);
    /// The text encoding of the attributes, where the format has a choice (a shapefile's DBF).
    fn text_encoding(&self) -> Option<TextEncoding> {
        None
    }
}

/// Features held in memory, read back as a layer (a layer made by a program, e.g. a plan
/// layer as an amendment changes it, imported like a file).
pub struct MemReader {
    info: LayerInfo,
    features: std::vec::IntoIter<Feature>,
}

impl MemReader {
    /// A reader of `features`, described by `info`.
    pub fn new(info: LayerInfo, features: Vec<Feature>) -> MemReader {
        MemReader {
            info,
            features: features.into_iter(),
        }
    }
}

impl FeatureReader for MemReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }
    fn read_feature(&mut self) -> Result<Option<Feature>> {
        Ok(self.features.next())
    }
    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }
}

/// A streaming, atomic sink of features.
pub trait FeatureWriter {
    /// Write one feature (its values aligned with the layer given at creation).
    fn write_feature(&mut self, f: &Feature) -> Result<()>;
    /// Complete the output and move it into place.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Text encoding of DBF attributes and TXT files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// GBK / GB18030 (code page 936).
    Gbk,
}

impl TextEncoding {
    /// Parse `utf-8`, `utf8`, `gbk`, `gb18030`, `gb2312`, `cp936`, `936`.
    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" | "65001" => Some(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" | "936" | "ansi936" | "ms936" => {
                Some(TextEncoding::Gbk)
            }
            _ => None,
        }
    }

    /// Name as written into a `.cpg` file.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }

    /// Decode strictly: `None` if the bytes are not valid in this encoding.
    pub fn decode(self, b: &[u8]) -> Option<String> {
        match self {
            TextEncoding::Utf8 => std::str::from_utf8(b).ok().map(str::to_string),
            TextEncoding::Gbk => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(b)
                .map(|c| c.into_owned()),
        }
    }

    /// Encode; `None` if a character has no representation.
    pub fn encode(self, s: &str) -> Option<Vec<u8>> {
        match self {
            TextEncoding::Utf8 => Some(s.as_bytes().to_vec()),
            TextEncoding::Gbk => {
                let (b, _, bad) = encoding_rs::GBK.encode(s);
                (!bad).then(|| b.into_owned())
            }
        }
    }
}

/// Options for [`open`].
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// GeoPackage layer (table) name.
    pub layer: Option<String>,
    /// Attribute encoding (Shapefile DBF without or overriding `.cpg`).
    pub encoding: Option<TextEncoding>,
    /// CRS override for a missing or wrong declaration.
    pub crs: Option<Crs>,
}

/// Options for [`create`].
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Attribute encoding (Shapefile DBF, TXT); UTF-8 by default.
    pub encoding: Option<TextEncoding>,
    /// The date written into headers (DBF, TXT 数据产生日期, GeoPackage last_change), `YYYY-MM-DD`;
    /// today when absent. A fixed date makes output byte-identical between runs.
    pub date: Option<String>,
}

/// The file formats, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.txt`: 报部 coordinate TXT.
    Txt,
    /// `.shp`: ESRI Shapefile.
    Shapefile,
    /// `.gpkg`: OGC GeoPackage.
    GeoPackage,
    /// `.geojson` / `.json`: RFC 7946 GeoJSON.
    GeoJson,
    /// `.fgb`: FlatGeobuf.
    FlatGeobuf,
}

impl Format {
    /// The format of a path, from its extension.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Ok(match ext.as_str() {
            "txt" => Format::Txt,
            "shp" => Format::Shapefile,
            "gpkg" => Format::GeoPackage,
            "geojson" | "json" => Format::GeoJson,
            "fgb" => Format::FlatGeobuf,
            _ => {
                return Err(FormatError::Unsupported {
                    path: path.to_path_buf(),
                    message: "unknown extension; onemap reads and writes .txt, .shp, .gpkg, .geojson and .fgb".into(),
                })
            }
        })
    }

    /// Whether coordinates in this format must be longitude/latitude (RFC 7946).
    pub fn requires_lonlat(self) -> bool {
        self == Format::GeoJson
    }
}

/// Open a file for reading, by its extension. A file with no CRS and no override is an error,
/// except GeoJSON (longitude/latitude by definition) and TXT (zone from the header).
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Box<dyn FeatureReader>> {
    if !path.is_file() {
        let kind = if path.exists() {
            std::io::ErrorKind::InvalidInput
        } else {
            std::io::ErrorKind::NotFound
        };
        let msg = if path.exists() {
            "not a file"
        } else {
            "no such file"
        };
        return Err(FormatError::io(path, std::io::Error::new(kind, msg)));
    }
    let mut r: Box<dyn FeatureReader> = match Format::of(path)? {
        Format::Txt => Box::new(txt::TxtReader::open(path)?),
        Format::Shapefile => Box::new(shp::ShapefileReader::open(path, opts.encoding)?),
        Format::GeoPackage => Box::new(gpkg::GpkgReader::open(path, opts.layer.as_deref())?),
        Format::GeoJson => Box::new(geojson::GeoJsonReader::open(path)?),
        Format::FlatGeobuf => Box::new(fgb::FgbFileReader::open(path)?),
    };
    if let Some(c) = opts.crs {
        r.set_crs(c);
    }
    if r.info().crs.is_none() {
        return Err(FormatError::NoCrs {
            path: path.to_path_buf(),
        });
    }
    Ok(r)
}

/// Create a file for writing, by its extension.
pub fn create(
    path: &Path,
    info: &LayerInfo,
    opts: &WriteOptions,
) -> Result<Box<dyn FeatureWriter>> {
    let enc = opts.encoding.unwrap_or(TextEncoding::Utf8);
    let date = opts.date.clone().unwrap_or_else(today);
    Ok(match Format::of(path)? {
        Format::Txt => Box::new(txt::TxtWriter::create(path, info, enc, &date)?),
        Format::Shapefile => Box::new(shp::ShapefileWriter::create(path, info, enc, &date)?),
        Format::GeoPackage => Box::new(gpkg::GpkgWriter::create(path, info, &date)?),
        Format::GeoJson => Box::new(geojson::GeoJsonWriter::create(path, info)?),
        Format::FlatGeobuf => Box::new(fgb::FgbFileWriter::create(path, info)?),
    })
}

/// The layer name of a file: its stem.
pub fn layer_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("layer")
        .to_string()
}

/// Today's date as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A file written under a temporary name beside its target and renamed into place on
/// [`AtomicFile::commit`]; dropped uncommitted, the temporary file is removed.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    w: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Start writing `target`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let tmp = temp_path(target);
        let f = File::create(&tmp).map_err(|e| FormatError::io(target, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            w: Some(BufWriter::with_capacity(1 << 20, f)),
        })
    }

    /// The target path (for messages).
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Write bytes.
    pub fn write_all(&mut self, b: &[u8]) -> Result<()> {
        match &mut self.w {
            Some(w) => w.write_all(b).map_err(|e| FormatError::io(&self.target, e)),
            None => Ok(()),
        }
    }

    /// The underlying writer (for seeking writers that need the file).
    pub fn writer(&mut self) -> Option<&mut BufWriter<File>> {
        self.w.as_mut()
    }

    /// Flush and move into place.
    pub fn commit(mut self) -> Result<()> {
        if let Some(w) = self.w.take() {
            let f = w
                .into_inner()
                .map_err(|e| FormatError::io(&self.target, e.into_error()))?;
            f.sync_all().map_err(|e| FormatError::io(&self.target, e))?;
        }
        std::fs::rename(&self.tmp, &self.target).map_err(|e| FormatError::io(&self.target, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The temporary name used while `target` is being written.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().and_then(|s| s.to_str()).unwrap_or("out");
    target.with_file_name(format!(".{name}.onemap-tmp-{}", std::process::id()))
}

/// Read every feature of a reader into memory.
pub fn read_all(r: &mut dyn FeatureReader) -> Result<Vec<Feature>> {
    let mut out = Vec::new();
    while let Some(f) = r.read_feature()? {
        out.push(f);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
