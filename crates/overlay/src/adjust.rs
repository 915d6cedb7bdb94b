//! 面积平差 (DESIGN §5): pieces of a patch scaled to its official area and rounded to 0.01 m²
//! by largest remainder, so that they add up exactly.

/// Split `total` cents in proportion to `weights` by largest remainder: every part is the floor
/// of its exact share, and the cents left over go to the parts with the largest fractional
/// remainders (ties to the earlier part). The parts always add up to `total`. Negative or
/// non-finite weights count as zero; when every weight is zero the total is split equally.
///
/// ```
/// use onemap_overlay::apportion;
/// // A patch of 100.00 m² cut into pieces measuring 1 : 1 : 1.
/// assert_eq!(apportion(10_000, &[1.0, 1.0, 1.0]), vec![3334, 3333, 3333]);
/// ```
pub fn apportion(total: i64, weights: &[f64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let clean: Vec<f64> = weights
        .iter()
        .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
        .collect();
    let sum: f64 = clean.iter().sum();
    let (clean, sum) = if sum > 0.0 {
        (clean, sum)
    } else {
        (vec![1.0; weights.len()], weights.len() as f64)
    };
    let sign = if total < 0 { -1 } else { 1 };
    let t = total.unsigned_abs() as f64;
    let mut parts = Vec::with_capacity(clean.len());
    let mut fracs = Vec::with_capacity(clean.len());
    let mut given: i64 = 0;
    for (i, w) in clean.iter().enumerate() {
        let exact = t * (w / sum);
        let fl = exact.floor();
        parts.push(fl as i64);
        given += fl as i64;
        fracs.push((exact - fl, i));
    }
    let mut left = total.abs() - given;
    if left > 0 {
        fracs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let n = fracs.len();
        let mut k = 0;
        while left > 0 {
            parts[fracs[k % n].1] += 1;
            left -= 1;
            k += 1;
        }
    } else if left < 0 {
        // Floating error made the floors overshoot (possible only for huge totals): take the
        // excess back from the smallest remainders.
        fracs.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let n = fracs.len();
        let mut k = 0;
        while left < 0 {
            let j = fracs[k % n].1;
            if parts[j] > 0 {
                parts[j] -= 1;
                left += 1;
            }
            k += 1;
        }
    }
    parts.into_iter().map(|p| p * sign).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_shares_stay() {
        assert_eq!(apportion(1000, &[1.0, 3.0]), vec![250, 750]);
        assert_eq!(apportion(0, &[1.0, 3.0]), vec![0, 0]);
        assert_eq!(apportion(7, &[0.0, 0.0]), vec![4, 3]);
        assert_eq!(apportion(-10_001, &[1.0, 1.0]), vec![-5001, -5000]);
        assert!(apportion(5, &[]).is_empty());
    }

    #[test]
    fn remainder_to_largest_fraction() {
        // 100 × (0.2, 0.35, 0.45) of 1.01 → 20.2, 35.35, 45.45 → 20, 35, 46 after one cent.
        assert_eq!(apportion(101, &[0.2, 0.35, 0.45]), vec![20, 35, 46]);
    }

    proptest! {
        #[test]
        fn parts_add_up(total in 0i64..1_000_000_000_000, ws in proptest::collection::vec(0.0f64..1e9, 1..20)) {
            let p = apportion(total, &ws);
            prop_assert_eq!(p.iter().sum::<i64>(), total);
            let sum: f64 = ws.iter().sum();
            if sum > 0.0 {
                for (x, w) in p.iter().zip(&ws) {
                    let exact = total as f64 * w / sum;
                    prop_assert!((*x as f64 - exact).abs() <= 1.0 + exact * 1e-12);
                }
            }
        }
    }
}
