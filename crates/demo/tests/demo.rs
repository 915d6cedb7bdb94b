//! The demo city: realistic totals, disjoint control lines, violations to find, a clean import,
//! and byte-identical files for the same seed and size.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_demo::{generate, DemoOptions};
use onemap_store::{GpkgStore, Store};
use std::collections::BTreeSet;
use std::path::Path;

fn opts(out: &Path, import: bool) -> DemoOptions {
    DemoOptions {
        out: out.to_path_buf(),
        patches: 3000,
        seed: 7,
        years: vec![2020, 2021, 2022],
        import,
        store: None,
    }
}

fn bsms(path: &Path, field: &str, prefix: &str) -> BTreeSet<String> {
    let mut r = onemap_formats::open(path, &Default::default()).unwrap();
    let k = r.info().field_index(field).unwrap();
    let mut out = BTreeSet::new();
    while let Some(f) = r.read_feature().unwrap() {
        out.insert(
            f.values[k]
                .as_text()
                .unwrap()
                .trim_start_matches(prefix)
                .to_string(),
        );
    }
    out
}

#[test]
fn demo_city() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(&opts(dir.path(), true), &mut |_| {}).expect("demo");
    // "About N": at this small size the county lines split relatively more blocks.
    assert!((2500..4800).contains(&s.patches), "{} patches", s.patches);
    // Every layer went through the ordinary import without a single warning: no gaps, overlaps
    // or inconsistent areas.
    let store = GpkgStore::open(&dir.path().join("onemap.gpkg")).unwrap();
    let ds = store.datasets().unwrap();
    assert_eq!(ds.len(), 8 * 3 + 6 + 1);
    assert_eq!(s.warnings, 0);
    // 2020 totals near the plan's figures (standards §4.7): cultivated 2–4 % above 3179.6591 万亩.
    let wanmu = |c: i64| c as f64 / 100.0 / (20_000_000.0 / 3.0);
    let cultivated: i64 = s
        .totals
        .iter()
        .filter(|((y, _), _)| *y == 2020)
        .map(|(_, t)| t[0])
        .sum();
    let ratio = wanmu(cultivated) / 3179.6591;
    assert!(
        (1.015..1.05).contains(&ratio),
        "cultivated {} 万亩 ({ratio})",
        wanmu(cultivated)
    );
    let plan = |n: &str| s.plan.iter().find(|p| p.0 == n).unwrap().1;
    assert!(
        (2597.0..2640.0).contains(&wanmu(plan("yjjbnt"))),
        "yjjbnt {}",
        wanmu(plan("yjjbnt"))
    );
    assert!(
        (1.5691e12..1.60e12).contains(&(plan("stbhhx") as f64)),
        "stbhhx {}",
        plan("stbhhx")
    );
    assert!(
        (1900.0..1950.0).contains(&wanmu(plan("jbcy"))),
        "jbcy {}",
        wanmu(plan("jbcy"))
    );
    let urban: i64 = s
        .totals
        .iter()
        .filter(|((y, _), _)| *y == 2020)
        .map(|(_, t)| t[2])
        .sum();
    let factor = plan("czkfbj") as f64 / urban as f64;
    assert!(
        (1.2..1.6).contains(&factor),
        "development boundary factor {factor}"
    );
    // The three control lines share no patch.
    let src = dir.path().join("source/plan");
    let (yj, hx, kf) = (
        bsms(&src.join("yjjbnt.gpkg"), "BSM", "YJ"),
        bsms(&src.join("stbhhx.gpkg"), "BSM", "HX"),
        bsms(&src.join("czkfbj.gpkg"), "BSM", "KF"),
    );
    assert!(yj.is_disjoint(&hx) && yj.is_disjoint(&kf) && hx.is_disjoint(&kf));
    // Later years: cultivated land grows in 科尔沁左翼后旗, shrinks in the city as a whole's towns.
    let c = |y: i32, code: &str| s.totals[&(y, code.to_string())][0];
    assert!(
        c(2022, "150522") > c(2020, "150522"),
        "restoration in 科左后旗"
    );
    assert!(
        s.totals[&(2022, "150502".to_string())][1] > s.totals[&(2020, "150502".to_string())][1],
        "urban growth in 科尔沁区"
    );
    // Projects: every TXT parses cleanly.
    let mut n = 0;
    for e in std::fs::read_dir(dir.path().join("source/projects")).unwrap() {
        let p = e.unwrap().path();
        let f = onemap_formats::txt::TxtFile::read(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            f.warnings.is_empty() && f.parcels.len() == 1,
            "{}",
            p.display()
        );
        n += 1;
    }
    assert_eq!(n, 12);
    assert!(dir.path().join("README.md").exists());
    // Every project gets the verdict it was made for, through the ordinary review path.
    let plan = onemap_plan::load(None).unwrap();
    let snap = onemap_review::load_snapshot(&store, &plan, None, None, &mut |_, _| {}).unwrap();
    let reviewer = onemap_review::Reviewer::new(&snap, &plan, None).unwrap();
    for e in std::fs::read_dir(dir.path().join("source/projects")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let parcels = onemap_review::read_parcels(&p, &Default::default(), None, &plan).unwrap();
        let r = reviewer.review(&parcels[0]);
        let overlap = |k: &str| {
            r.controls
                .iter()
                .find(|c| c.kind == k)
                .map_or(0.0, |c| c.overlap_m2)
        };
        use onemap_review::{Purpose, Verdict};
        if name.contains("城镇开发边界内") {
            assert_eq!(r.purpose, Purpose::Urban, "{name}");
            assert!(r.verdict <= Verdict::Attention, "{name}: {:?}", r.reasons);
            assert_eq!(r.udb.as_ref().unwrap().outside_m2, 0.0, "{name}");
        } else if name.contains("永久基本农田") {
            assert_eq!(r.purpose, Purpose::Linear, "{name}");
            assert_eq!(r.verdict, Verdict::Prohibited, "{name}");
            assert_eq!(overlap("yjjbnt"), r.area_m2, "{name}");
        } else if name.contains("生态保护红线") {
            assert_eq!(r.verdict, Verdict::Prohibited, "{name}");
            assert_eq!(overlap("stbhhx"), r.area_m2, "{name}");
        } else {
            assert!(name.contains("城镇开发边界外"), "{name}");
            assert_eq!(r.purpose, Purpose::Urban, "{name}");
            assert_eq!(r.verdict, Verdict::Prohibited, "{name}");
            assert_eq!(r.udb.as_ref().unwrap().inside_m2, 0.0, "{name}");
            assert!(r.reasons.iter().any(|s| s.contains("占用耕地")), "{name}");
        }
        let sum: f64 = r.landuse.iter().map(|l| l.area_m2).sum();
        assert!(
            (sum - r.area_m2).abs() < 0.05,
            "{name}: {sum} vs {}",
            r.area_m2
        );
    }
}

#[test]
fn same_seed_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut o = opts(a.path(), false);
    o.patches = 1500;
    o.years = vec![2020, 2021];
    generate(&o, &mut |_| {}).unwrap();
    o.out = b.path().to_path_buf();
    generate(&o, &mut |_| {}).unwrap();
    let files = |d: &Path| {
        let mut v = Vec::new();
        let mut stack = vec![d.join("source")];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let e = e.unwrap().path();
                if e.is_dir() {
                    stack.push(e);
                } else {
                    v.push((
                        e.strip_prefix(d).unwrap().to_path_buf(),
                        std::fs::read(&e).unwrap(),
                    ));
                }
            }
        }
        v.sort();
        v
    };
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 20);
    assert!(fa == fb, "files differ");
    // Another seed gives other data.
    o.seed = 8;
    o.out = a.path().join("other");
    generate(&o, &mut |_| {}).unwrap();
    assert_ne!(
        std::fs::read(a.path().join("other/source/2020/DLTB_150502.dbf")).unwrap(),
        std::fs::read(b.path().join("source/2020/DLTB_150502.dbf")).unwrap()
    );
}
