//! DOCX rendering (Office Open XML, ECMA-376): real Word tables, headings with outline
//! levels, figures as PNG rendered from their SVG. Opens in Word and WPS. The package is
//! deterministic (fixed timestamps), so the same report gives the same bytes.

use crate::doc::{Block, Doc, Table};
use crate::{esc, ReportError, Result};
use std::io::Write;

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

/// Text width of an A4 page with 2.2 cm margins, twentieths of a point.
const TEXT_TWIPS: u32 = 9_412;
/// Largest figure width, EMU (16 cm).
const MAX_EMU: u64 = 5_760_000;

/// Render a document as DOCX bytes.
pub fn render(doc: &Doc) -> Result<Vec<u8>> {
    let mut body = String::with_capacity(128 * 1024);
    let mut images: Vec<Vec<u8>> = Vec::new();
    para(&mut body, Some("Title"), &doc.title, None, false);
    for s in &doc.subtitle {
        para(&mut body, Some("Subtitle"), s, None, false);
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(l, s) => {
                let style = format!("Heading{}", (*l).clamp(1, 3));
                para(&mut body, Some(&style), s, None, false);
            }
            Block::Para(s) => para(&mut body, None, s, None, false),
            Block::Verdict(s, class) => {
                let fill = match class.as_str() {
                    "green" => "E3F1E4",
                    "yellow" => "FFF4D6",
                    "red" => "FBE3E3",
                    _ => "F0F0F0",
                };
                para(&mut body, None, s, Some(fill), true);
            }
            Block::List(items) => {
                for i in items {
                    para(&mut body, Some("ListPara"), &format!("• {i}"), None, false);
                }
            }
            Block::Table(t) => table(&mut body, t),
            Block::Figure {
                svg,
                width,
                height,
                caption,
            } => {
                let png = svg_to_png(svg, *width, *height)?;
                images.push(png);
                let n = images.len();
                let cx = (*width as u64 * 9_525).min(MAX_EMU);
                let cy = cx * *height as u64 / (*width).max(1) as u64;
                body.push_str(&format!(
                    r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="图 {n}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
                ));
                para(&mut body, Some("Caption"), caption, None, false);
            }
            Block::Signatures(labels) => {
                let line: Vec<String> = labels
                    .iter()
                    .map(|l| format!("{l}：＿＿＿＿＿＿＿＿"))
                    .collect();
                body.push_str("<w:p/>");
                para(&mut body, None, &line.join("　　"), None, false);
            }
            Block::PageBreak => body.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W_NS}><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1247" w:right="1247" w:bottom="1247" w:left="1247" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    );
    for n in 1..=images.len() {
        rels.push_str(&format!(
            r#"<Relationship Id="rIdImg{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{n}.png"/>"#
        ));
    }
    rels.push_str("</Relationships>");
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>onemap</dc:creator></cp:coreProperties>"#,
        esc(&doc.title)
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut add = |name: &str, bytes: &[u8]| -> Result<()> {
        zip.start_file(name, opts)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        zip.write_all(bytes)
            .map_err(|e| ReportError::Docx(e.to_string()))
    };
    add("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
    add("_rels/.rels", ROOT_RELS.as_bytes())?;
    add("docProps/core.xml", core.as_bytes())?;
    add("word/document.xml", document.as_bytes())?;
    add("word/styles.xml", STYLES.as_bytes())?;
    add("word/_rels/document.xml.rels", rels.as_bytes())?;
    for (i, png) in images.iter().enumerate() {
        add(&format!("word/media/image{}.png", i + 1), png)?;
    }
    let cursor = zip.finish().map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(cursor.into_inner())
}

fn para(o: &mut String, style: Option<&str>, text: &str, fill: Option<&str>, bold: bool) {
    o.push_str("<w:p>");
    if style.is_some() || fill.is_some() {
        o.push_str("<w:pPr>");
        if let Some(s) = style {
            o.push_str(&format!(r#"<w:pStyle w:val="{s}"/>"#));
        }
        if let Some(f) = fill {
            o.push_str(&format!(
                r#"<w:shd w:val="clear" w:color="auto" w:fill="{f}"/>"#
            ));
        }
        o.push_str("</w:pPr>");
    }
    run(o, text, bold);
    o.push_str("</w:p>");
}

fn run(o: &mut String, text: &str, bold: bool) {
    o.push_str("<w:r>");
    if bold {
        o.push_str("<w:rPr><w:b/></w:rPr>");
    }
    o.push_str(&format!(
        r#"<w:t xml:space="preserve">{}</w:t></w:r>"#,
        esc(text)
    ));
}

fn table(o: &mut String, t: &Table) {
    let n = t.header.len().max(1);
    let widths: Vec<u32> = if t.widths.len() == n {
        t.widths.clone()
    } else {
        vec![1; n]
    };
    let total: u32 = widths.iter().sum::<u32>().max(1);
    let tw: Vec<u32> = widths.iter().map(|w| TEXT_TWIPS * w / total).collect();
    let border = r#"w:val="single" w:sz="4" w:space="0" w:color="555555""#;
    o.push_str(&format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{TEXT_TWIPS}" w:type="dxa"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#
    ));
    for w in &tw {
        o.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    o.push_str("</w:tblGrid>");
    o.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (h, w) in t.header.iter().zip(&tw) {
        o.push_str(&format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="E8E8E8"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/><w:jc w:val="center"/></w:pPr>"#
        ));
        run(o, h, true);
        o.push_str("</w:p></w:tc>");
    }
    o.push_str("</w:tr>");
    for r in &t.rows {
        o.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, w) in tw.iter().enumerate() {
            let c = r.get(i);
            o.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>"#
            ));
            if c.is_some_and(|c| c.num) {
                o.push_str(r#"<w:jc w:val="right"/>"#);
            }
            o.push_str("</w:pPr>");
            if let Some(c) = c {
                run(o, &c.text, c.bold);
            }
            o.push_str("</w:p></w:tc>");
        }
        o.push_str("</w:tr>");
    }
    o.push_str("</w:tbl><w:p/>");
}

/// Rasterise an SVG at twice its CSS size, text with the system's fonts (Chinese labels need
/// a CJK font installed; the captions and tables carry the same information as text).
fn svg_to_png(svg: &str, width: u32, height: u32) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    static OPTIONS: std::sync::OnceLock<usvg::Options<'static>> = std::sync::OnceLock::new();
    let opts = OPTIONS.get_or_init(|| {
        let mut o = usvg::Options::default();
        o.fontdb_mut().load_system_fonts();
        o
    });
    let tree =
        usvg::Tree::from_str(svg, opts).map_err(|e| ReportError::Docx(format!("figure: {e}")))?;
    let scale = 2.0;
    let (w, h) = (
        (width as f32 * scale) as u32,
        (height as f32 * scale) as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| ReportError::Docx("figure: empty size".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let t = tiny_skia::Transform::from_scale(
        w as f32 / size.width().max(1.0),
        h as f32 / size.height().max(1.0),
    );
    resvg::render(&tree, t, &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Docx(format!("figure: {e}")))
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="444444"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="160" w:after="60"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="ListPara"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="420" w:hanging="210"/></w:pPr></w:style></w:styles>"#;
