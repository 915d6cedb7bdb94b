//! A small WKT (1 and 2) tree parser: just enough to identify a CRS by its parameters.

/// One WKT node: `KEYWORD[item, item, …]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Keyword as written (compare case-insensitively).
    pub keyword: String,
    /// Children in order.
    pub items: Vec<Item>,
}

/// A WKT value.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A nested node.
    Node(Node),
    /// A quoted string.
    Text(String),
    /// A number.
    Number(f64),
    /// A bare word (e.g. an axis direction `NORTH`).
    Word(String),
}

impl Node {
    /// First child node with this keyword (case-insensitive), depth-first.
    pub fn find(&self, keyword: &str) -> Option<&Node> {
        for it in &self.items {
            if let Item::Node(n) = it {
                if n.keyword.eq_ignore_ascii_case(keyword) {
                    return Some(n);
                }
                if let Some(f) = n.find(keyword) {
                    return Some(f);
                }
            }
        }
        None
    }

    /// Direct children with this keyword.
    pub fn children<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.items.iter().filter_map(move |it| match it {
            Item::Node(n) if n.keyword.eq_ignore_ascii_case(keyword) => Some(n),
            _ => None,
        })
    }

    /// The first quoted string (a node's name).
    pub fn name(&self) -> Option<&str> {
        self.items.iter().find_map(|it| match it {
            Item::Text(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// The `i`-th number among the items.
    pub fn number(&self, i: usize) -> Option<f64> {
        self.items
            .iter()
            .filter_map(|it| match it {
                Item::Number(x) => Some(*x),
                _ => None,
            })
            .nth(i)
    }
}

/// Parse WKT text into its root node; `None` if it is not well-formed.
pub fn parse(text: &str) -> Option<Node> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let n = p.node(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(n)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn word(&mut self) -> String {
        let st = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[st..self.i]).into_owned()
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > 64 {
            return None;
        }
        self.ws();
        let keyword = self.word();
        if keyword.is_empty() {
            return None;
        }
        self.ws();
        let close = match self.s.get(self.i) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return None,
        };
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            match *self.s.get(self.i)? {
                c if c == close && items.is_empty() => {
                    self.i += 1;
                    break;
                }
                b'"' => {
                    self.i += 1;
                    let mut out = Vec::new();
                    loop {
                        let c = *self.s.get(self.i)?;
                        self.i += 1;
                        if c == b'"' {
                            // "" is an escaped quote in WKT2.
                            if self.s.get(self.i) == Some(&b'"') {
                                out.push(b'"');
                                self.i += 1;
                                continue;
                            }
                            break;
                        }
                        out.push(c);
                    }
                    items.push(Item::Text(String::from_utf8_lossy(&out).into_owned()));
                }
                c if c == b'-' || c == b'+' || c == b'.' || c.is_ascii_digit() => {
                    let st = self.i;
                    self.i += 1;
                    while self.i < self.s.len()
                        && (self.s[self.i].is_ascii_digit()
                            || matches!(self.s[self.i], b'.' | b'e' | b'E' | b'-' | b'+'))
                    {
                        self.i += 1;
                    }
                    let t = std::str::from_utf8(&self.s[st..self.i]).ok()?;
                    items.push(Item::Number(t.parse().ok()?));
                }
                c if c.is_ascii_alphabetic() => {
                    let save = self.i;
                    let w = self.word();
                    self.ws();
                    if matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
                        self.i = save;
                        items.push(Item::Node(self.node(depth + 1)?));
                    } else {
                        items.push(Item::Word(w));
                    }
                }
                _ => return None,
            }
            self.ws();
            match *self.s.get(self.i)? {
                b',' => self.i += 1,
                c if c == close => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(Node { keyword, items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_esri_prj() {
        let n = parse(r#"PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",40500000.0],UNIT["Meter",1.0]]"#).unwrap();
        assert_eq!(n.keyword, "PROJCS");
        assert_eq!(n.find("SPHEROID").unwrap().number(1), Some(298.257222101));
        assert_eq!(
            n.children("PARAMETER").next().unwrap().number(0),
            Some(40500000.0)
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for s in ["", "[", "PROJCS[", "PROJCS[\"a\"", "X[1,,2]", "A[B[C[D]]"] {
            assert!(parse(s).is_none(), "{s}");
        }
    }
}
