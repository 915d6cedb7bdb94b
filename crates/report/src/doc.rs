//! The document model every report is built in.

/// A table cell: text, optionally right-aligned (numbers) or bold.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// Right-aligned (numbers).
    pub num: bool,
    /// Bold (totals).
    pub bold: bool,
}

impl Cell {
    /// A text cell.
    pub fn t(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            num: false,
            bold: false,
        }
    }

    /// A number cell (right-aligned).
    pub fn n(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            num: true,
            bold: false,
        }
    }

    /// This cell in bold.
    pub fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }
}

/// A table with a header row.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
    /// Relative column widths (empty: equal).
    pub widths: Vec<u32>,
}

impl Table {
    /// The data-source table of a report: one row per dataset with its hash.
    pub fn datasets<'a>(ds: impl IntoIterator<Item = &'a onemap_store::Dataset>) -> Table {
        Table {
            header: [
                "数据集",
                "图层",
                "年度",
                "来源文件",
                "SHA-256（前 16 位）",
                "入库时间",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![3, 3, 1, 4, 4, 4],
            rows: ds
                .into_iter()
                .map(|d| {
                    vec![
                        Cell::t(&d.id),
                        Cell::t(d.kind.chinese()),
                        Cell::t(d.year.map(|y| y.to_string()).unwrap_or_default()),
                        Cell::t(&d.source),
                        Cell::t(d.sha256.get(..16).unwrap_or(&d.sha256)),
                        Cell::t(&d.imported_at),
                    ]
                })
                .collect(),
        }
    }
}

/// A block of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of level 1–3.
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A paragraph in bold with a status colour (`green`, `yellow`, `red`, or empty).
    Verdict(String, String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// A figure: SVG source, its size in CSS pixels, and a caption.
    Figure {
        /// The SVG.
        svg: String,
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
        /// Caption.
        caption: String,
    },
    /// Blank lines for signatures: labels.
    Signatures(Vec<String>),
    /// Start a new page (print and DOCX).
    PageBreak,
}

/// A report.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Subtitle lines under the title (issuer, date).
    pub subtitle: Vec<String>,
    /// The body.
    pub blocks: Vec<Block>,
}

impl Doc {
    /// A new document.
    pub fn new(title: impl Into<String>) -> Doc {
        Doc {
            title: title.into(),
            ..Doc::default()
        }
    }

    /// Add a block.
    pub fn push(&mut self, b: Block) -> &mut Doc {
        self.blocks.push(b);
        self
    }

    /// Add a heading.
    pub fn h(&mut self, level: u8, s: impl Into<String>) -> &mut Doc {
        self.push(Block::Heading(level, s.into()))
    }

    /// Add a paragraph.
    pub fn p(&mut self, s: impl Into<String>) -> &mut Doc {
        self.push(Block::Para(s.into()))
    }

    /// Render as self-contained HTML.
    pub fn to_html(&self) -> String {
        crate::html::render(self)
    }

    /// Render as a DOCX package.
    pub fn to_docx(&self) -> crate::Result<Vec<u8>> {
        crate::docx::render(self)
    }
}
