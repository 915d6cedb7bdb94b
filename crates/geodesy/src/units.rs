//! Area units and exact conversions (standards §3.1, §5.5).
//!
//! Areas are integers in cents of a square metre. A conversion is an exact rational evaluated in
//! i128 and rounded once, half away from zero, at the reported precision; approximate factors
//! such as 666.67 are never used.

/// Integer division rounded half away from zero: sign(p)·⌊(2|p| + d)/(2d)⌋, d > 0.
///
/// ```
/// use onemap_geodesy::units::q;
/// assert_eq!(q(5, 2), 3);
/// assert_eq!(q(-5, 2), -3);
/// assert_eq!(q(4, 3), 1);
/// ```
pub fn q(p: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let r = (2 * p.abs() + d) / (2 * d);
    if p < 0 {
        -r
    } else {
        r
    }
}

/// An area in units the bureau reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaUnit {
    /// 平方米, 2 decimals.
    SquareMetre,
    /// 公顷, 4 decimals.
    Hectare,
    /// 亩 (10000/15 m²), 2 decimals.
    Mu,
    /// 平方千米, 6 decimals.
    SquareKilometre,
    /// 万亩, 4 decimals.
    WanMu,
    /// 万平方千米, 4 decimals.
    WanSquareKilometre,
}

impl AreaUnit {
    /// The standard's number of decimals for this unit (§5.5).
    pub fn decimals(self) -> u32 {
        match self {
            AreaUnit::SquareMetre | AreaUnit::Mu => 2,
            AreaUnit::Hectare | AreaUnit::WanMu | AreaUnit::WanSquareKilometre => 4,
            AreaUnit::SquareKilometre => 6,
        }
    }

    /// Chinese name as printed in reports.
    pub fn chinese(self) -> &'static str {
        match self {
            AreaUnit::SquareMetre => "平方米",
            AreaUnit::Hectare => "公顷",
            AreaUnit::Mu => "亩",
            AreaUnit::SquareKilometre => "平方千米",
            AreaUnit::WanMu => "万亩",
            AreaUnit::WanSquareKilometre => "万平方千米",
        }
    }

    /// `cents` converted to this unit as an integer count of its last reported decimal
    /// (e.g. units of 0.0001 公顷), rounded once, half away from zero.
    pub fn from_cents(self, cents: i64) -> i128 {
        let c = cents as i128;
        match self {
            AreaUnit::SquareMetre => c,
            AreaUnit::Hectare | AreaUnit::SquareKilometre => q(c, 100),
            AreaUnit::Mu => q(15 * c, 10_000),
            AreaUnit::WanMu => q(15 * c, 1_000_000),
            AreaUnit::WanSquareKilometre => q(c, 100_000_000),
        }
    }

    /// `cents` in this unit as decimal text with the standard's decimals.
    ///
    /// ```
    /// use onemap_geodesy::units::AreaUnit;
    /// assert_eq!(AreaUnit::Hectare.format(2_999_734), "2.9997");
    /// assert_eq!(AreaUnit::Mu.format(2_999_734), "45.00");
    /// ```
    pub fn format(self, cents: i64) -> String {
        fixed(self.from_cents(cents), self.decimals())
    }

    /// `cents` in this unit as the nearest f64 to the rounded decimal value (for JSON output).
    pub fn value(self, cents: i64) -> f64 {
        // Parsing the exact decimal text gives the f64 nearest to it, which prints back as the
        // same short decimal.
        self.format(cents).parse().unwrap_or(f64::NAN)
    }
}

/// An integer count of 10⁻ᵈ units as fixed-point decimal text.
pub fn fixed(units: i128, decimals: u32) -> String {
    let scale = 10i128.pow(decimals);
    let sign = if units < 0 { "-" } else { "" };
    let a = units.abs();
    if decimals == 0 {
        return format!("{sign}{a}");
    }
    format!(
        "{sign}{}.{:0width$}",
        a / scale,
        a % scale,
        width = decimals as usize
    )
}

/// Cents of a square metre as m² decimal text (2 decimals).
pub fn cents_to_m2_string(cents: i64) -> String {
    fixed(cents as i128, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_from_section_5_5() {
        // V2: 29 997.34 m² = 2.9997 公顷 = 45.00 亩.
        assert_eq!(AreaUnit::SquareMetre.format(2_999_734), "29997.34");
        assert_eq!(AreaUnit::Hectare.format(2_999_734), "2.9997");
        assert_eq!(AreaUnit::Mu.format(2_999_734), "45.00");
        // V3: 50.3691 公顷, 755.54 亩.
        assert_eq!(AreaUnit::Hectare.format(50_369_119), "50.3691");
        assert_eq!(AreaUnit::Mu.format(50_369_119), "755.54");
        // 1 亩 exactly: 666.666… m² is not representable; 2000/3 m² → 66_667 cents → 1.00 亩.
        assert_eq!(AreaUnit::Mu.format(66_667), "1.00");
        assert_eq!(AreaUnit::WanMu.format(200_000_000), "0.3000");
        assert_eq!(AreaUnit::WanMu.format(2_000_000_000), "3.0000");
        assert_eq!(AreaUnit::SquareKilometre.format(100_000_000), "1.000000");
        assert_eq!(
            AreaUnit::WanSquareKilometre.format(1_569_100_000_000),
            "1.5691"
        );
        assert_eq!(AreaUnit::Mu.value(2_999_734), 45.0);
    }

    #[test]
    fn half_away_from_zero() {
        assert_eq!(q(1, 2), 1);
        assert_eq!(q(-1, 2), -1);
        assert_eq!(q(3, 2), 2);
        assert_eq!(fixed(-5, 2), "-0.05");
        // −0.005 m² → −0.01 m² in units of 0.01.
        assert_eq!(q(-5, 10), -1);
    }
}
