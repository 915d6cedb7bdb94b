//! Reports in Simplified Chinese: a small document model ([`Doc`]) rendered to self-contained
//! HTML (inline CSS and SVG, ready to print) and to DOCX (real Word tables; maps as PNG
//! rendered from the same SVG), and the report builders on top of it.

pub mod chart;
pub mod conflicts;
mod doc;
mod docx;
pub mod health;
mod html;
pub mod map;
pub mod review;

pub use doc::{Block, Cell, Doc, Table};

/// Report errors.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing the DOCX package failed.
    #[error("DOCX: {0}")]
    Docx(String),
}

/// Result with [`ReportError`].
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Escape text for XML and HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Characters XML 1.0 cannot hold.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}
