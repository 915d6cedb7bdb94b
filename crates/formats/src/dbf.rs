//! dBASE III (.dbf) attribute tables of shapefiles: a streaming reader with strict decoding in
//! UTF-8 or GBK, and a writer that spools records so that every column gets the width its data
//! needs.

use crate::error::{FormatError, Result};
use crate::model::{Field, FieldType, Value};
use crate::{AtomicFile, TextEncoding};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// One column as the file declares it.
#[derive(Clone, Debug)]
pub struct DbfColumn {
    /// The field.
    pub field: Field,
    /// The dBASE type letter.
    pub kind: u8,
    offset: usize,
    len: usize,
}

/// Where the encoding of the text came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingSource {
    /// Given by the user.
    Option,
    /// From the `.cpg` file.
    Cpg,
    /// From the DBF language driver id.
    LanguageDriver,
    /// Nothing declared: UTF-8 assumed, strictly.
    Assumed,
}

/// A streaming DBF reader.
pub struct DbfReader {
    r: BufReader<File>,
    path: PathBuf,
    /// Columns in order.
    pub columns: Vec<DbfColumn>,
    /// Number of records the header declares.
    pub n_records: u64,
    encoding: TextEncoding,
    source: EncodingSource,
    next: u64,
    buf: Vec<u8>,
}

fn le16(b: &[u8]) -> usize {
    u16::from_le_bytes([b[0], b[1]]) as usize
}

/// The encoding a DBF language driver id (byte 29) declares, if any.
pub fn ldid_encoding(ldid: u8) -> Option<TextEncoding> {
    match ldid {
        0x4D | 0x7A => Some(TextEncoding::Gbk),
        _ => None,
    }
}

impl DbfReader {
    /// Open a DBF file; `encoding` is the user's choice or what the `.cpg` says.
    pub fn open(
        path: &Path,
        encoding: Option<(TextEncoding, EncodingSource)>,
    ) -> Result<DbfReader> {
        let bad = |m: String| FormatError::invalid(path, m);
        let f = File::open(path).map_err(|e| FormatError::io(path, e))?;
        let file_len = f.metadata().map_err(|e| FormatError::io(path, e))?.len();
        let mut r = BufReader::with_capacity(1 << 20, f);
        let mut h = [0u8; 32];
        r.read_exact(&mut h)
            .map_err(|_| bad("not a dBASE file: shorter than its 32-byte header".into()))?;
        let n_records = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as u64;
        let header_len = le16(&h[8..10]);
        let record_len = le16(&h[10..12]);
        if header_len < 33 || record_len < 1 {
            return Err(bad(format!(
                "not a dBASE file: header length {header_len}, record length {record_len}"
            )));
        }
        let (encoding, source) = match encoding {
            Some(e) => e,
            None => match ldid_encoding(h[29]) {
                Some(e) => (e, EncodingSource::LanguageDriver),
                None => (TextEncoding::Utf8, EncodingSource::Assumed),
            },
        };
        let mut desc = vec![0u8; header_len - 32];
        r.read_exact(&mut desc)
            .map_err(|_| bad("truncated dBASE header".into()))?;
        let mut columns = Vec::new();
        let mut offset = 1;
        for d in desc.chunks(32) {
            if d[0] == 0x0D || d.len() < 32 {
                break;
            }
            let raw_name: Vec<u8> = d[..11].iter().copied().take_while(|&b| b != 0).collect();
            let name = encoding
                .decode(&raw_name)
                .or_else(|| TextEncoding::Gbk.decode(&raw_name))
                .unwrap_or_else(|| String::from_utf8_lossy(&raw_name).into_owned())
                .trim()
                .to_string();
            let kind = d[11].to_ascii_uppercase();
            let len = d[16] as usize;
            let dec = d[17];
            let ty = match kind {
                b'N' if dec == 0 && len <= 18 => FieldType::Int,
                b'N' | b'F' => FieldType::Float,
                b'L' => FieldType::Bool,
                b'D' => FieldType::Date,
                _ => FieldType::Text,
            };
            columns.push(DbfColumn {
                field: Field {
                    name,
                    ty,
                    width: len as u16,
                    decimals: dec,
                },
                kind,
                offset,
                len,
            });
            offset += len;
        }
        if offset != record_len {
            return Err(bad(format!(
                "dBASE record length {record_len} does not match its fields ({} bytes)",
                offset
            )));
        }
        let need = header_len as u64 + n_records * record_len as u64;
        if file_len < need {
            return Err(bad(format!(
                "truncated dBASE file: {n_records} records of {record_len} bytes need {need} bytes, the file has {file_len}"
            )));
        }
        Ok(DbfReader {
            r,
            path: path.to_path_buf(),
            columns,
            n_records,
            encoding,
            source,
            next: 0,
            buf: vec![0; record_len],
        })
    }

    /// The encoding in use and where it came from.
    pub fn encoding(&self) -> (TextEncoding, EncodingSource) {
        (self.encoding, self.source)
    }

    /// The next record: `None` at the end; `Some(None)` for a deleted record.
    pub fn read_record(&mut self) -> Result<Option<Option<Vec<Value>>>> {
        if self.next >= self.n_records {
            return Ok(None);
        }
        self.next += 1;
        let rec = self.next;
        self.r
            .read_exact(&mut self.buf)
            .map_err(|e| FormatError::io(&self.path, e))?;
        if self.buf[0] == b'*' {
            return Ok(Some(None));
        }
        let mut values = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let raw = &self.buf[c.offset..c.offset + c.len];
            values.push(self.value(c, raw, rec)?);
        }
        Ok(Some(Some(values)))
    }

    fn value(&self, c: &DbfColumn, raw: &[u8], rec: u64) -> Result<Value> {
        let ascii = || {
            String::from_utf8_lossy(raw)
                .trim()
                .trim_matches('\0')
                .to_string()
        };
        let bad = |m: String| FormatError::Encoding {
            path: self.path.clone(),
            record: rec,
            field: c.field.name.clone(),
            message: m,
        };
        Ok(match c.kind {
            b'N' | b'F' => {
                let t = ascii();
                if t.is_empty() || t.bytes().all(|b| b == b'*') {
                    Value::Null
                } else if c.field.ty == FieldType::Int {
                    match t.parse::<i64>() {
                        Ok(i) => Value::Int(i),
                        // Some writers put decimals in a field declared without them.
                        Err(_) => t.parse::<f64>().map(Value::Float).map_err(|_| {
                            FormatError::invalid(
                                &self.path,
                                format!(
                                    "record {rec}: field {}: {t:?} is not a number",
                                    c.field.name
                                ),
                            )
                        })?,
                    }
                } else {
                    Value::Float(t.parse::<f64>().map_err(|_| {
                        FormatError::invalid(
                            &self.path,
                            format!(
                                "record {rec}: field {}: {t:?} is not a number",
                                c.field.name
                            ),
                        )
                    })?)
                }
            }
            b'L' => match raw.first().copied().unwrap_or(b'?') {
                b'T' | b't' | b'Y' | b'y' => Value::Bool(true),
                b'F' | b'f' | b'N' | b'n' => Value::Bool(false),
                _ => Value::Null,
            },
            b'D' => {
                let t = ascii();
                if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) && t != "00000000" {
                    Value::Date(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]))
                } else {
                    Value::Null
                }
            }
            _ => {
                let end = raw
                    .iter()
                    .rposition(|&b| b != b' ' && b != 0)
                    .map_or(0, |p| p + 1);
                let t = &raw[..end];
                if t.is_empty() {
                    return Ok(Value::Null);
                }
                match self.encoding.decode(t) {
                    Some(s) => Value::Text(s),
                    None => {
                        return Err(bad(match self.source {
                            EncodingSource::Assumed => "text is not valid UTF-8 and the shapefile has no .cpg; if it is GBK (common for Chinese survey data), run again with --encoding gbk".to_string(),
                            _ => format!(
                                "text is not valid {} (declared by {}); give the right one with --encoding",
                                self.encoding.name(),
                                match self.source {
                                    EncodingSource::Cpg => "the .cpg file",
                                    EncodingSource::LanguageDriver => "the DBF language driver id",
                                    _ => "--encoding",
                                }
                            ),
                        }))
                    }
                }
            }
        })
    }
}

/// Per-column statistics gathered while spooling.
#[derive(Clone, Default)]
struct ColStat {
    max_len: usize,
    max_int: usize,
    max_dec: usize,
}

/// A DBF writer that spools records to a temporary file and writes the table, with widths
/// fitted to the data, on [`DbfWriter::finish`].
pub struct DbfWriter {
    out: AtomicFile,
    fields: Vec<Field>,
    names: Vec<Vec<u8>>,
    encoding: TextEncoding,
    spool: BufWriter<tempfile_like::Spool>,
    stats: Vec<ColStat>,
    n: u64,
    date: String,
}

/// A minimal anonymous temporary file (removed on drop).
mod tempfile_like {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::path::PathBuf;

    pub struct Spool {
        pub file: File,
        path: PathBuf,
    }

    impl Spool {
        pub fn new(beside: &std::path::Path) -> std::io::Result<Spool> {
            let path = crate::temp_path(beside).with_extension("spool");
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)?;
            Ok(Spool { file, path })
        }
        pub fn rewind(&mut self) -> std::io::Result<()> {
            self.file.seek(SeekFrom::Start(0)).map(|_| ())
        }
    }

    impl Write for Spool {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.file.write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.file.flush()
        }
    }

    impl Read for Spool {
        fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
            self.file.read(b)
        }
    }

    impl Drop for Spool {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// DBF field names: at most 10 bytes in the encoding, unique (case-insensitively).
fn dbf_names(fields: &[Field], enc: TextEncoding, path: &Path) -> Result<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for f in fields {
        let mut name = String::new();
        for ch in f.name.chars() {
            let mut t = name.clone();
            t.push(ch);
            match enc.encode(&t) {
                Some(b) if b.len() <= 10 => name = t,
                Some(_) => break,
                None => {
                    return Err(FormatError::invalid(
                        path,
                        format!(
                            "field name {:?} cannot be written in {}",
                            f.name,
                            enc.name()
                        ),
                    ))
                }
            }
        }
        if name.is_empty() {
            name = "FIELD".into();
        }
        let taken = |n: &str, out: &[Vec<u8>]| {
            out.iter()
                .any(|o| enc.decode(o).is_some_and(|s| s.eq_ignore_ascii_case(n)))
        };
        let mut candidate = name.clone();
        let mut k = 1;
        while taken(&candidate, &out) {
            let suffix = format!("_{k}");
            let mut base = name.clone();
            while enc
                .encode(&format!("{base}{suffix}"))
                .map_or(0, |b| b.len())
                > 10
            {
                base.pop();
            }
            candidate = format!("{base}{suffix}");
            k += 1;
        }
        out.push(enc.encode(&candidate).unwrap_or_default());
    }
    Ok(out)
}

impl DbfWriter {
    /// Start a DBF file for these fields.
    pub fn create(
        path: &Path,
        fields: &[Field],
        encoding: TextEncoding,
        date: &str,
    ) -> Result<DbfWriter> {
        if fields.len() > 255 {
            return Err(FormatError::invalid(
                path,
                format!("{} fields; a DBF holds at most 255", fields.len()),
            ));
        }
        let names = dbf_names(fields, encoding, path)?;
        let spool = tempfile_like::Spool::new(path).map_err(|e| FormatError::io(path, e))?;
        Ok(DbfWriter {
            out: AtomicFile::create(path)?,
            fields: fields.to_vec(),
            names,
            encoding,
            spool: BufWriter::with_capacity(1 << 20, spool),
            stats: vec![ColStat::default(); fields.len()],
            n: 0,
            date: date.to_string(),
        })
    }

    /// Append one record.
    pub fn write_record(&mut self, values: &[Value]) -> Result<()> {
        let path = self.out.path().to_path_buf();
        let index = self.n;
        for (i, f) in self.fields.iter().enumerate() {
            let v = values.get(i).unwrap_or(&Value::Null);
            let text: Vec<u8> = match (v, f.ty) {
                (Value::Null, _) => Vec::new(),
                (Value::Bool(b), _) => vec![if *b { b'T' } else { b'F' }],
                (Value::Date(d), FieldType::Date) => {
                    let t: String = d.chars().filter(|c| c.is_ascii_digit()).collect();
                    if t.len() != 8 {
                        return Err(FormatError::feature(
                            &path,
                            index,
                            Some(&f.name),
                            format!("date {d:?} is not YYYY-MM-DD"),
                        ));
                    }
                    t.into_bytes()
                }
                (Value::Int(x), FieldType::Int | FieldType::Float) => x.to_string().into_bytes(),
                (Value::Float(x), FieldType::Int | FieldType::Float) => {
                    if !x.is_finite() {
                        Vec::new()
                    } else {
                        let t = x.to_string();
                        let (int, dec) = t.split_once('.').unwrap_or((&t, ""));
                        let s = &mut self.stats[i];
                        s.max_int = s.max_int.max(int.len());
                        s.max_dec = s.max_dec.max(dec.len());
                        t.into_bytes()
                    }
                }
                (other, _) => {
                    let t = other.as_text().unwrap_or_default();
                    self.encoding.encode(&t).ok_or_else(|| {
                        FormatError::feature(
                            &path,
                            index,
                            Some(&f.name),
                            format!("{t:?} cannot be written in {}", self.encoding.name()),
                        )
                    })?
                }
            };
            if text.len() > 254 {
                return Err(FormatError::feature(
                    &path,
                    index,
                    Some(&f.name),
                    format!(
                        "value of {} bytes; a DBF field holds at most 254",
                        text.len()
                    ),
                ));
            }
            let s = &mut self.stats[i];
            s.max_len = s.max_len.max(text.len());
            if f.ty == FieldType::Int || f.ty == FieldType::Float {
                let t = String::from_utf8_lossy(&text);
                let int = t.split('.').next().unwrap_or("");
                s.max_int = s.max_int.max(int.len());
            }
            self.spool
                .write_all(&[text.len() as u8])
                .and_then(|_| self.spool.write_all(&text))
                .map_err(|e| FormatError::io(&path, e))?;
        }
        self.n += 1;
        Ok(())
    }

    /// Write the table and move it into place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.out.path().to_path_buf();
        // Final column layout.
        let mut cols: Vec<(u8, usize, usize)> = Vec::new(); // (kind, width, decimals)
        for (f, s) in self.fields.iter().zip(&self.stats) {
            cols.push(match f.ty {
                FieldType::Text => (b'C', s.max_len.max(1), 0),
                FieldType::Int => (b'N', s.max_len.max(1), 0),
                FieldType::Float => {
                    let dec = s.max_dec.max(f.decimals as usize).min(15);
                    let width = s.max_int.max(1) + if dec > 0 { dec + 1 } else { 0 };
                    (b'N', width.max(1), dec)
                }
                FieldType::Bool => (b'L', 1, 0),
                FieldType::Date => (b'D', 8, 0),
            });
        }
        if cols.iter().any(|c| c.1 > 254) {
            return Err(FormatError::invalid(
                &path,
                "a numeric value is wider than a DBF field (254)",
            ));
        }
        let record_len = 1 + cols.iter().map(|c| c.1).sum::<usize>();
        if record_len > 65_535 {
            return Err(FormatError::invalid(
                &path,
                format!("DBF record of {record_len} bytes; at most 65535"),
            ));
        }
        let header_len = 32 + 32 * cols.len() + 1;
        let ymd: Vec<u32> = self
            .date
            .split('-')
            .filter_map(|t| t.parse().ok())
            .collect();
        let mut h = vec![0u8; 32];
        h[0] = 0x03;
        h[1] = ymd.first().map_or(0, |y| (y.saturating_sub(1900)) as u8);
        h[2] = ymd.get(1).copied().unwrap_or(1) as u8;
        h[3] = ymd.get(2).copied().unwrap_or(1) as u8;
        h[4..8].copy_from_slice(&(self.n as u32).to_le_bytes());
        h[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
        h[10..12].copy_from_slice(&(record_len as u16).to_le_bytes());
        h[29] = if self.encoding == TextEncoding::Gbk {
            0x4D
        } else {
            0x00
        };
        self.out.write_all(&h)?;
        for (name, (kind, width, dec)) in self.names.iter().zip(&cols) {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name);
            d[11] = *kind;
            d[16] = *width as u8;
            d[17] = *dec as u8;
            self.out.write_all(&d)?;
        }
        self.out.write_all(&[0x0D])?;
        let mut spool = self
            .spool
            .into_inner()
            .map_err(|e| FormatError::io(&path, e.into_error()))?;
        spool.rewind().map_err(|e| FormatError::io(&path, e))?;
        let mut rd = BufReader::with_capacity(1 << 20, spool);
        let mut rec = Vec::with_capacity(record_len);
        let mut buf = [0u8; 255];
        for _ in 0..self.n {
            rec.clear();
            rec.push(b' ');
            for &(kind, width, dec) in &cols {
                let mut len = [0u8; 1];
                rd.read_exact(&mut len)
                    .map_err(|e| FormatError::io(&path, e))?;
                let t = &mut buf[..len[0] as usize];
                rd.read_exact(t).map_err(|e| FormatError::io(&path, e))?;
                let t: &[u8] = t;
                match kind {
                    b'N' => {
                        let mut s = String::from_utf8_lossy(t).into_owned();
                        if !s.is_empty() && dec > 0 {
                            let have = s.split_once('.').map_or(0, |(_, d)| d.len());
                            if have == 0 {
                                s.push('.');
                            }
                            s.extend(std::iter::repeat_n('0', dec - have));
                        }
                        rec.extend(std::iter::repeat_n(b' ', width - s.len()));
                        rec.extend_from_slice(s.as_bytes());
                    }
                    b'L' => rec.push(t.first().copied().unwrap_or(b'?')),
                    _ => {
                        rec.extend_from_slice(t);
                        rec.extend(std::iter::repeat_n(b' ', width - t.len()));
                    }
                }
            }
            self.out.write_all(&rec)?;
        }
        self.out.write_all(&[0x1A])?;
        self.out.commit()
    }
}
