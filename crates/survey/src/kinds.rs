//! Dataset kinds (DESIGN §4) and their canonical fields, with the aliases recognised on import
//! (standards §4.2.1).

/// A dataset kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 行政区.
    Xzq,
    /// 地类图斑 (三调 / 年度变更调查).
    Dltb,
    /// 永久基本农田.
    Yjjbnt,
    /// 生态保护红线.
    Stbhhx,
    /// 城镇开发边界.
    Czkfbj,
    /// 基本草原.
    Jbcy,
    /// 规划分区.
    Ghfq,
    /// 规划用地.
    Ghyd,
    /// 洪涝风险控制线.
    Fxkz,
    /// 历史文化保护线.
    Lswh,
    /// 战略性矿产资源保障区.
    Kcbz,
    /// Anything else.
    Other,
}

/// Every kind, in DESIGN order.
pub const KINDS: &[Kind] = &[
    Kind::Xzq,
    Kind::Dltb,
    Kind::Yjjbnt,
    Kind::Stbhhx,
    Kind::Czkfbj,
    Kind::Jbcy,
    Kind::Ghfq,
    Kind::Ghyd,
    Kind::Fxkz,
    Kind::Lswh,
    Kind::Kcbz,
    Kind::Other,
];

impl Kind {
    /// The id used on the command line and in the store.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Xzq => "xzq",
            Kind::Dltb => "dltb",
            Kind::Yjjbnt => "yjjbnt",
            Kind::Stbhhx => "stbhhx",
            Kind::Czkfbj => "czkfbj",
            Kind::Jbcy => "jbcy",
            Kind::Ghfq => "ghfq",
            Kind::Ghyd => "ghyd",
            Kind::Fxkz => "fxkz",
            Kind::Lswh => "lswh",
            Kind::Kcbz => "kcbz",
            Kind::Other => "other",
        }
    }

    /// Parse an id.
    pub fn parse(s: &str) -> Option<Kind> {
        KINDS
            .iter()
            .copied()
            .find(|k| k.id().eq_ignore_ascii_case(s.trim()))
    }

    /// Chinese name of the layer.
    pub fn chinese(self) -> &'static str {
        match self {
            Kind::Xzq => "行政区",
            Kind::Dltb => "地类图斑",
            Kind::Yjjbnt => "永久基本农田",
            Kind::Stbhhx => "生态保护红线",
            Kind::Czkfbj => "城镇开发边界",
            Kind::Jbcy => "基本草原",
            Kind::Ghfq => "规划分区",
            Kind::Ghyd => "规划用地",
            Kind::Fxkz => "洪涝风险控制线",
            Kind::Lswh => "历史文化保护线",
            Kind::Kcbz => "战略性矿产资源保障区",
            Kind::Other => "其他",
        }
    }

    /// Whether features of this kind must not overlap each other (DESIGN §4).
    pub fn no_overlaps(self) -> bool {
        matches!(
            self,
            Kind::Xzq
                | Kind::Dltb
                | Kind::Yjjbnt
                | Kind::Stbhhx
                | Kind::Czkfbj
                | Kind::Jbcy
                | Kind::Ghfq
                | Kind::Ghyd
        )
    }

    /// Whether the layer must hold polygons.
    pub fn polygons(self) -> bool {
        self != Kind::Other
    }

    /// Known fields: (canonical name, aliases, required).
    pub fn fields(self) -> &'static [(&'static str, &'static [&'static str], bool)] {
        match self {
            Kind::Dltb => DLTB_FIELDS,
            Kind::Xzq => &[
                ("XZQDM", &["行政区代码", "行政区划代码"], true),
                ("XZQMC", &["行政区名称"], false),
                ("DCMJ", &["调查面积"], false),
                ("JSMJ", &["计算面积"], false),
            ],
            Kind::Yjjbnt => &[
                ("BSM", &["标识码"], false),
                ("ZLDWDM", &["坐落单位代码", "座落单位代码"], false),
                ("MJ", &["面积"], false),
            ],
            Kind::Stbhhx => &[
                ("BSM", &["标识码"], false),
                ("HXMC", &["红线名称"], false),
                ("MJ", &["面积"], false),
            ],
            Kind::Czkfbj => &[
                ("BSM", &["标识码"], false),
                ("BJMC", &["边界名称"], false),
                ("MJ", &["面积"], false),
            ],
            Kind::Jbcy => &[("BSM", &["标识码"], false), ("MJ", &["面积"], false)],
            Kind::Ghfq => &[
                ("GHFQDM", &["规划分区代码"], true),
                ("GHFQMC", &["规划分区名称"], false),
            ],
            Kind::Ghyd => &[
                ("YDYHDM", &["用地用海代码", "用地用海分类代码"], true),
                ("YDYHMC", &["用地用海名称"], false),
            ],
            Kind::Fxkz | Kind::Lswh | Kind::Kcbz => {
                &[("BSM", &["标识码"], false), ("MC", &["名称"], false)]
            }
            Kind::Other => &[],
        }
    }
}

/// DLTB fields of standards §4.2 with their aliases; `true` marks the R fields.
pub const DLTB_FIELDS: &[(&str, &[&str], bool)] = &[
    ("BSM", &["标识码"], true),
    ("YSDM", &["要素代码", "要素编码"], false),
    ("TBYBH", &["图斑预编号"], false),
    ("TBBH", &["图斑编号", "图斑号"], false),
    ("DLBM", &["地类编码", "地类代码", "DLDM"], true),
    ("DLMC", &["地类名称"], false),
    ("QSXZ", &["权属性质"], false),
    ("QSDWDM", &["权属单位代码"], false),
    ("QSDWMC", &["权属单位名称"], false),
    ("ZLDWDM", &["坐落单位代码", "座落单位代码"], true),
    ("ZLDWMC", &["坐落单位名称", "座落单位名称"], false),
    ("TBMJ", &["图斑面积"], true),
    ("KCDLBM", &["扣除地类编码"], false),
    ("KCXS", &["扣除地类系数", "扣除系数", "田坎系数"], false),
    ("KCMJ", &["扣除地类面积", "扣除面积", "田坎面积"], false),
    ("TBDLMJ", &["图斑地类面积", "地类面积"], false),
    ("GDLX", &["耕地类型"], false),
    ("GDPDJB", &["耕地坡度级别", "坡度级别"], false),
    ("XZDWKD", &["线状地物宽度", "XXTBKD", "线性图斑宽度"], false),
    ("TBXHDM", &["图斑细化代码"], false),
    ("TBXHMC", &["图斑细化名称"], false),
    (
        "ZZSXDM",
        &["种植属性代码", "GDZZSXDM", "耕地种植属性代码"],
        false,
    ),
    (
        "ZZSXMC",
        &["种植属性名称", "GDZZSXMC", "耕地种植属性名称"],
        false,
    ),
    ("GDDB", &["耕地等别"], false),
    ("FRDBS", &["飞入地标识"], false),
    ("CZCSXM", &["城镇村属性码", "城镇村属性"], false),
    ("SJNF", &["数据年份"], false),
    ("MSSM", &["描述说明"], false),
    ("HDMC", &["海岛名称"], false),
    ("BZ", &["备注", "国土备注"], false),
];

/// Storage artefacts dropped on import (standards §4.1.4): planar, or ids of the source file.
pub const ARTEFACTS: &[&str] = &[
    "OBJECTID",
    "FID",
    "SHAPE_LENG",
    "SHAPE_LENGTH",
    "SHAPE_AREA",
];

/// 二调-era area fields: a DLTB carrying them follows another area formula (standards §4.2.1).
pub const ERDIAO_FIELDS: &[&str] = &["XZDWMJ", "LXDWMJ"];
