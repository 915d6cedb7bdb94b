//! The 三调 domain: dataset kinds and their fields, the work classification, value
//! normalisation, import quality checks (质检) and land-class statistics.

pub mod checks;
pub mod classes;
pub mod inspect;
pub mod kinds;
pub mod mapping;
pub mod numbers;
pub mod stats;

pub use checks::{Finding, Options, Severity};
pub use kinds::Kind;

/// Tongliao's county-level units (standards §4.7), and 150571 (经济技术开发区), which occurs in
/// statistical codes and is accepted as its own unit.
pub const TONGLIAO_COUNTIES: &[(&str, &str)] = &[
    ("150502", "科尔沁区"),
    ("150521", "科尔沁左翼中旗"),
    ("150522", "科尔沁左翼后旗"),
    ("150523", "开鲁县"),
    ("150524", "库伦旗"),
    ("150525", "奈曼旗"),
    ("150526", "扎鲁特旗"),
    ("150581", "霍林郭勒市"),
    ("150571", "通辽经济技术开发区"),
];

/// The name of a county code of the city, if known.
pub fn county_name(code: &str) -> Option<&'static str> {
    TONGLIAO_COUNTIES.iter().find(|c| c.0 == code).map(|c| c.1)
}
