//! The 三调 work classification (三调工作分类, standards §4.3): DLBM codes, names, 一级类,
//! 三大类 and extension codes.

/// 三大类 of the Land Administration Law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 农用地.
    Agricultural,
    /// 建设用地.
    Construction,
    /// 未利用地.
    Unused,
}

impl Category {
    /// Chinese name.
    pub fn chinese(self) -> &'static str {
        match self {
            Category::Agricultural => "农用地",
            Category::Construction => "建设用地",
            Category::Unused => "未利用地",
        }
    }
}

/// One DLBM class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Class {
    /// DLBM code as stored (`0101`, `05H1`, `09`).
    pub code: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// 一级类 code (`00` … `12`).
    pub level1: &'static str,
    /// 三大类.
    pub category: Category,
}

use Category::{Agricultural as A, Construction as C, Unused as U};

/// The 二级类 codes of §4.3.1, in table order.
pub const CLASSES: &[Class] = &[
    Class {
        code: "0303",
        name: "红树林地",
        level1: "00",
        category: A,
    },
    Class {
        code: "0304",
        name: "森林沼泽",
        level1: "00",
        category: A,
    },
    Class {
        code: "0306",
        name: "灌丛沼泽",
        level1: "00",
        category: A,
    },
    Class {
        code: "0402",
        name: "沼泽草地",
        level1: "00",
        category: A,
    },
    Class {
        code: "0603",
        name: "盐田",
        level1: "00",
        category: C,
    },
    Class {
        code: "1105",
        name: "沿海滩涂",
        level1: "00",
        category: U,
    },
    Class {
        code: "1106",
        name: "内陆滩涂",
        level1: "00",
        category: U,
    },
    Class {
        code: "1108",
        name: "沼泽地",
        level1: "00",
        category: U,
    },
    Class {
        code: "0101",
        name: "水田",
        level1: "01",
        category: A,
    },
    Class {
        code: "0102",
        name: "水浇地",
        level1: "01",
        category: A,
    },
    Class {
        code: "0103",
        name: "旱地",
        level1: "01",
        category: A,
    },
    Class {
        code: "0201",
        name: "果园",
        level1: "02",
        category: A,
    },
    Class {
        code: "0202",
        name: "茶园",
        level1: "02",
        category: A,
    },
    Class {
        code: "0203",
        name: "橡胶园",
        level1: "02",
        category: A,
    },
    Class {
        code: "0204",
        name: "其他园地",
        level1: "02",
        category: A,
    },
    Class {
        code: "0301",
        name: "乔木林地",
        level1: "03",
        category: A,
    },
    Class {
        code: "0302",
        name: "竹林地",
        level1: "03",
        category: A,
    },
    Class {
        code: "0305",
        name: "灌木林地",
        level1: "03",
        category: A,
    },
    Class {
        code: "0307",
        name: "其他林地",
        level1: "03",
        category: A,
    },
    Class {
        code: "0401",
        name: "天然牧草地",
        level1: "04",
        category: A,
    },
    Class {
        code: "0403",
        name: "人工牧草地",
        level1: "04",
        category: A,
    },
    Class {
        code: "0404",
        name: "其他草地",
        level1: "04",
        category: U,
    },
    Class {
        code: "05H1",
        name: "商业服务业设施用地",
        level1: "05",
        category: C,
    },
    Class {
        code: "0508",
        name: "物流仓储用地",
        level1: "05",
        category: C,
    },
    Class {
        code: "0601",
        name: "工业用地",
        level1: "06",
        category: C,
    },
    Class {
        code: "0602",
        name: "采矿用地",
        level1: "06",
        category: C,
    },
    Class {
        code: "0701",
        name: "城镇住宅用地",
        level1: "07",
        category: C,
    },
    Class {
        code: "0702",
        name: "农村宅基地",
        level1: "07",
        category: C,
    },
    Class {
        code: "08H1",
        name: "机关团体新闻出版用地",
        level1: "08",
        category: C,
    },
    Class {
        code: "08H2",
        name: "科教文卫用地",
        level1: "08",
        category: C,
    },
    Class {
        code: "0809",
        name: "公用设施用地",
        level1: "08",
        category: C,
    },
    Class {
        code: "0810",
        name: "公园与绿地",
        level1: "08",
        category: C,
    },
    Class {
        code: "09",
        name: "特殊用地",
        level1: "09",
        category: C,
    },
    Class {
        code: "1001",
        name: "铁路用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1002",
        name: "轨道交通用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1003",
        name: "公路用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1004",
        name: "城镇村道路用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1005",
        name: "交通服务场站用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1006",
        name: "农村道路",
        level1: "10",
        category: A,
    },
    Class {
        code: "1007",
        name: "机场用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1008",
        name: "港口码头用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1009",
        name: "管道运输用地",
        level1: "10",
        category: C,
    },
    Class {
        code: "1101",
        name: "河流水面",
        level1: "11",
        category: U,
    },
    Class {
        code: "1102",
        name: "湖泊水面",
        level1: "11",
        category: U,
    },
    Class {
        code: "1103",
        name: "水库水面",
        level1: "11",
        category: A,
    },
    Class {
        code: "1104",
        name: "坑塘水面",
        level1: "11",
        category: A,
    },
    Class {
        code: "1107",
        name: "沟渠",
        level1: "11",
        category: A,
    },
    Class {
        code: "1109",
        name: "水工建筑用地",
        level1: "11",
        category: C,
    },
    Class {
        code: "1110",
        name: "冰川及永久积雪",
        level1: "11",
        category: U,
    },
    Class {
        code: "1201",
        name: "空闲地",
        level1: "12",
        category: C,
    },
    Class {
        code: "1202",
        name: "设施农用地",
        level1: "12",
        category: A,
    },
    Class {
        code: "1203",
        name: "田坎",
        level1: "12",
        category: A,
    },
    Class {
        code: "1204",
        name: "盐碱地",
        level1: "12",
        category: U,
    },
    Class {
        code: "1205",
        name: "沙地",
        level1: "12",
        category: U,
    },
    Class {
        code: "1206",
        name: "裸土地",
        level1: "12",
        category: U,
    },
    Class {
        code: "1207",
        name: "裸岩石砾地",
        level1: "12",
        category: U,
    },
];

/// 一级类 codes and names (三调口径).
pub const LEVEL1: &[(&str, &str)] = &[
    ("00", "湿地"),
    ("01", "耕地"),
    ("02", "种植园用地"),
    ("03", "林地"),
    ("04", "草地"),
    ("05", "商业服务业用地"),
    ("06", "工矿用地"),
    ("07", "住宅用地"),
    ("08", "公共管理与公共服务用地"),
    ("09", "特殊用地"),
    ("10", "交通运输用地"),
    ("11", "水域及水利设施用地"),
    ("12", "其他土地"),
];

/// Extension codes of §4.3.2: (code, name, base code).
pub const EXTENSIONS: &[(&str, &str, &str)] = &[
    ("0201K", "可调整果园", "0201"),
    ("0202K", "可调整茶园", "0202"),
    ("0203K", "可调整橡胶园", "0203"),
    ("0204K", "可调整其他园地", "0204"),
    ("0301K", "可调整乔木林地", "0301"),
    ("0302K", "可调整竹林地", "0302"),
    ("0307K", "可调整其他林地", "0307"),
    ("0403K", "可调整人工牧草地", "0403"),
    ("1104K", "可调整养殖坑塘", "1104"),
    ("1104A", "养殖坑塘", "1104"),
    ("1107A", "干渠", "1107"),
    ("0810A", "广场用地", "0810"),
    ("08H2A", "高教用地", "08H2"),
];

/// The class of a DLBM (extension codes resolve to their base class); `None` if the code is
/// not a 三调 class.
///
/// ```
/// use onemap_survey::classes::class_of;
/// assert_eq!(class_of("1104K").map(|c| c.code), Some("1104"));
/// assert!(class_of("1301").is_none());
/// ```
pub fn class_of(dlbm: &str) -> Option<&'static Class> {
    let base = EXTENSIONS
        .iter()
        .find(|e| e.0 == dlbm)
        .map_or(dlbm, |e| e.2);
    CLASSES.iter().find(|c| c.code == base)
}

/// The name a DLBM code should carry (extension codes have their own names).
pub fn name_of(dlbm: &str) -> Option<&'static str> {
    EXTENSIONS
        .iter()
        .find(|e| e.0 == dlbm)
        .map(|e| e.1)
        .or_else(|| class_of(dlbm).map(|c| c.name))
}

/// Name of a 一级类 code.
pub fn level1_name(code: &str) -> Option<&'static str> {
    LEVEL1.iter().find(|l| l.0 == code).map(|l| l.1)
}

/// Whether a DLBM is 耕地 (01xx).
pub fn is_cultivated(dlbm: &str) -> bool {
    matches!(dlbm, "0101" | "0102" | "0103")
}

/// Classes on which CZCSXM is expected (§4.4 rule 3).
pub fn expects_czcsxm(dlbm: &str) -> bool {
    matches!(
        dlbm,
        "05H1"
            | "0508"
            | "0601"
            | "0602"
            | "0603"
            | "0701"
            | "0702"
            | "08H1"
            | "08H2"
            | "08H2A"
            | "0809"
            | "0810"
            | "0810A"
            | "09"
            | "1004"
            | "1005"
            | "1201"
    )
}

/// The CZCSXM domain (§4.4).
pub const CZCSXM: &[(&str, &str)] = &[
    ("201", "城市"),
    ("201A", "城市独立工业用地"),
    ("202", "建制镇"),
    ("202A", "建制镇独立工业用地"),
    ("203", "村庄"),
    ("203A", "村庄独立工业用地"),
    ("204", "盐田及采矿用地"),
    ("205", "特殊用地"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_section_4_3() {
        // 55 二级类 plus 09, 13 一级类.
        assert_eq!(CLASSES.iter().filter(|c| c.code != "09").count(), 55);
        assert_eq!(LEVEL1.len(), 13);
        for c in CLASSES {
            assert!(level1_name(c.level1).is_some(), "{}", c.code);
        }
        for e in EXTENSIONS {
            assert!(class_of(e.0).is_some(), "{}", e.0);
        }
        for bad in ["1301", "1302", "1303", "1304", "201", "0199", "", "05h1"] {
            assert!(class_of(bad).is_none(), "{bad}");
        }
    }
}
