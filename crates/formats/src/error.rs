//! Errors of readers and writers: each names the file and, where it can, the line or feature
//! and the field.

use onemap_geodesy::crs::CrsError;
use std::path::PathBuf;

/// One finding of the coordinate TXT reader: line (0 = the file as a whole), code, message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number; 0 for the file as a whole.
    pub line: usize,
    /// Code of standards §6.5 (`E-RING-OPEN`, `W-COUNT`, …).
    pub code: &'static str,
    /// What is wrong, naming the field.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.code, self.message)
    }
}

/// A reader or writer error.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// An I/O error on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A coordinate TXT file with errors (standards §6.5): all of them, in line order.
    #[error("{}: {} error(s) in coordinate file:\n{}", path.display(), errors.len(),
        errors.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"))]
    Txt {
        /// The file.
        path: PathBuf,
        /// The errors.
        errors: Vec<Diagnostic>,
    },
    /// A malformed file or record.
    #[error("{}: {where_}{message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// `feature N: field F: ` or `line N: ` or empty.
        where_: String,
        /// What is wrong.
        message: String,
    },
    /// Text that is not in the declared or detected encoding.
    #[error("{}: record {record}, field {field}: {message}", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// 1-based record number.
        record: u64,
        /// The field.
        field: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The file has no CRS and none was given.
    #[error("{}: no CRS declared (no .prj / srs); give one with --crs EPSG:N (e.g. EPSG:4528 for CGCS2000 3° zone 40)", path.display())]
    NoCrs {
        /// The file.
        path: PathBuf,
    },
    /// The declared CRS is not accepted.
    #[error("{}: {source}", path.display())]
    Crs {
        /// The file.
        path: PathBuf,
        /// Why.
        source: CrsError,
    },
    /// A format onemap does not read or write.
    #[error("{}: {message}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What.
        message: String,
    },
}

impl FormatError {
    /// An [`FormatError::Invalid`] about a feature (0-based index) and optionally a field.
    pub fn feature(
        path: impl Into<PathBuf>,
        index: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> FormatError {
        let where_ = match field {
            Some(f) => format!("feature {index}: field {f}: "),
            None => format!("feature {index}: "),
        };
        FormatError::Invalid {
            path: path.into(),
            where_,
            message: message.into(),
        }
    }

    /// An [`FormatError::Invalid`] about the file as a whole.
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> FormatError {
        FormatError::Invalid {
            path: path.into(),
            where_: String::new(),
            message: message.into(),
        }
    }

    /// An I/O error on a file.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> FormatError {
        FormatError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with [`FormatError`].
pub type Result<T, E = FormatError> = std::result::Result<T, E>;
