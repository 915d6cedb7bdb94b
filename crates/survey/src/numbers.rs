//! Exact decimals from stored values (standards §3.2): a double is first turned into its
//! shortest round-trip decimal, then rounded half away from zero; never `f64::round` on a
//! scaled float.

use onemap_formats::Value;

/// An exact decimal: mantissa × 10⁻ˢᶜᵃˡᵉ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    /// Mantissa.
    pub mantissa: i128,
    /// Number of decimals.
    pub scale: u32,
}

impl Decimal {
    /// Parse decimal text (`-12.345`, `7`, `1e-3` is refused).
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim();
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 36
        {
            return None;
        }
        let mut m: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m * 10 + (b - b'0') as i128;
        }
        Some(Decimal {
            mantissa: if neg { -m } else { m },
            scale: frac.len() as u32,
        })
    }

    /// The shortest decimal that reads back as `x`.
    pub fn from_f64(x: f64) -> Option<Decimal> {
        if !x.is_finite() || x.abs() >= 1e30 {
            return None;
        }
        // Rust's Display of f64 is the shortest round-trip form, never in exponent notation.
        Decimal::parse(&format!("{x}"))
    }

    /// Rounded half away from zero to `scale` decimals, as an integer count of 10⁻ˢᶜᵃˡᵉ.
    pub fn round_to(self, scale: u32) -> i128 {
        if self.scale <= scale {
            self.mantissa * 10i128.pow(scale - self.scale)
        } else {
            onemap_geodesy::units::q(self.mantissa, 10i128.pow(self.scale - scale))
        }
    }

    /// The value of a field: a number, or text holding a decimal.
    pub fn from_value(v: &Value) -> Option<Decimal> {
        match v {
            Value::Int(i) => Some(Decimal {
                mantissa: *i as i128,
                scale: 0,
            }),
            Value::Float(f) => Decimal::from_f64(*f),
            Value::Text(t) => Decimal::parse(t),
            _ => None,
        }
    }
}

/// Cents of a square metre from a stored area (`12345.67` → 1234567), half away from zero.
pub fn cents(v: &Value) -> Option<i64> {
    Decimal::from_value(v).map(|d| d.round_to(2) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cents() {
        assert_eq!(cents(&Value::Float(1.005)), Some(101)); // 1.005 as typed, not as stored bits
        assert_eq!(cents(&Value::Float(2.345)), Some(235));
        assert_eq!(cents(&Value::Float(-2.345)), Some(-235));
        assert_eq!(cents(&Value::Float(0.125)), Some(13));
        assert_eq!(cents(&Value::Float(39996.44)), Some(3_999_644));
        assert_eq!(cents(&Value::Text(" 12.3 ".into())), Some(1230));
        assert_eq!(cents(&Value::Int(7)), Some(700));
        assert_eq!(cents(&Value::Text("1e3".into())), None);
        assert_eq!(Decimal::parse("0.1195").map(|d| d.round_to(4)), Some(1195));
        assert_eq!(
            Decimal::from_f64(0.11949999).map(|d| d.round_to(4)),
            Some(1195)
        );
    }
}
