//! HTML rendering: one self-contained file, inline CSS and SVG, A4 print layout.

use crate::doc::{Block, Doc, Table};
use crate::esc;

const CSS: &str = r#"
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif; font-size: 14px;
  color: #111; max-width: 210mm; margin: 0 auto; padding: 12px; line-height: 1.6; }
h1 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; text-align: center;
  font-size: 24px; margin: 8px 0 4px; }
.subtitle { text-align: center; color: #444; margin: 0; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 18px;
  border-bottom: 1px solid #999; margin-top: 24px; }
h3 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 15px; margin-top: 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; page-break-inside: auto; }
th, td { border: 1px solid #555; padding: 3px 6px; }
th { background: #e8e8e8; font-weight: bold; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.b { font-weight: bold; }
tr { page-break-inside: avoid; }
figure { margin: 10px 0; text-align: center; page-break-inside: avoid; }
figcaption { font-size: 12px; color: #333; }
.verdict { font-weight: bold; padding: 4px 8px; border-left: 6px solid #888; background: #f4f4f4; }
.verdict.green { border-color: #2e7d32; } .verdict.yellow { border-color: #f9a825; }
.verdict.red { border-color: #c62828; }
.sign { display: flex; gap: 40px; margin-top: 40px; }
.sign div { flex: 1; border-bottom: 1px solid #000; padding-bottom: 28px; }
.pb { page-break-after: always; }
@media print { body { padding: 0; } }
"#;

/// Render a document as HTML.
pub fn render(doc: &Doc) -> String {
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str(&format!(
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&doc.title)
    ));
    o.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    for s in &doc.subtitle {
        o.push_str(&format!("<p class=\"subtitle\">{}</p>\n", esc(s)));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(l, s) => {
                let l = (*l).clamp(1, 3) + 1;
                o.push_str(&format!("<h{l}>{}</h{l}>\n", esc(s)));
            }
            Block::Para(s) => o.push_str(&format!("<p>{}</p>\n", esc(s))),
            Block::Verdict(s, class) => o.push_str(&format!(
                "<p class=\"verdict {}\">{}</p>\n",
                esc(class),
                esc(s)
            )),
            Block::List(items) => {
                o.push_str("<ul>\n");
                for i in items {
                    o.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                o.push_str("</ul>\n");
            }
            Block::Table(t) => table(&mut o, t),
            Block::Figure {
                svg,
                width,
                caption,
                ..
            } => {
                o.push_str(&format!(
                    "<figure style=\"max-width:{width}px;margin-left:auto;margin-right:auto\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                    esc(caption)
                ));
            }
            Block::Signatures(labels) => {
                o.push_str("<div class=\"sign\">");
                for l in labels {
                    o.push_str(&format!("<div>{}：</div>", esc(l)));
                }
                o.push_str("</div>\n");
            }
            Block::PageBreak => o.push_str("<div class=\"pb\"></div>\n"),
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn table(o: &mut String, t: &Table) {
    o.push_str("<table>\n");
    if !t.widths.is_empty() {
        let total: u32 = t.widths.iter().sum::<u32>().max(1);
        o.push_str("<colgroup>");
        for w in &t.widths {
            o.push_str(&format!(
                "<col style=\"width:{:.1}%\">",
                *w as f64 * 100.0 / total as f64
            ));
        }
        o.push_str("</colgroup>\n");
    }
    o.push_str("<thead><tr>");
    for h in &t.header {
        o.push_str(&format!("<th>{}</th>", esc(h)));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        o.push_str("<tr>");
        for c in r {
            let mut class = Vec::new();
            if c.num {
                class.push("n");
            }
            if c.bold {
                class.push("b");
            }
            if class.is_empty() {
                o.push_str(&format!("<td>{}</td>", esc(&c.text)));
            } else {
                o.push_str(&format!(
                    "<td class=\"{}\">{}</td>",
                    class.join(" "),
                    esc(&c.text)
                ));
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
}
