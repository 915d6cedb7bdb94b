"""Interoperability with GDAL and PROJ: what onemap writes opens in GDAL with the right CRS,
attributes and coordinates; what GDAL writes, onemap reads to the same areas.

Usage: python3 tests/interop/check_gdal.py target/release/onemap
Prints 'N passed, 0 failed' and exits non-zero on any failure.
"""
import json, os, subprocess, sys, tempfile
import numpy as np
import pyogrio, pyogrio.raw as R
import shapely
from pyproj import Transformer

ONEMAP = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(ROOT, "data", "samples")
FIXTURES = os.path.join(ROOT, "crates", "formats", "tests", "fixtures")
passed, failed = 0, 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def onemap(*args):
    r = subprocess.run([ONEMAP, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"onemap {' '.join(args)}: {r.stderr}")
    return r.stdout


def txt_points(path):
    """(X, Y) of every point line of a coordinate TXT (GIS order: easting, northing)."""
    pts = []
    for line in open(path, encoding="utf-8"):
        f = [t.strip() for t in line.strip().split(",")]
        if len(f) == 4 and f[0].upper().startswith("J"):
            pts.append((float(f[3]), float(f[2])))
    return pts


with tempfile.TemporaryDirectory() as d:
    # 1. onemap → GDAL, in every format.
    for sample, epsg, names in [("example1.txt", 4528, ["示例地块"]), ("example2.txt", 4550, ["地块1", "地块2"])]:
        src = os.path.join(SAMPLES, sample)
        want = sorted(set(txt_points(src)))
        for ext in ["shp", "gpkg", "fgb", "geojson"]:
            out = os.path.join(d, f"{sample}.{ext}")
            onemap("convert", src, out)
            info = pyogrio.read_info(out)
            expect_epsg = 4326 if ext == "geojson" else epsg
            check(f"{sample}.{ext} crs", info["crs"] == f"EPSG:{expect_epsg}", info["crs"])
            check(f"{sample}.{ext} count", info["features"] == len(names), info["features"])
            meta, _, geoms, fields = R.read(out)
            dkmc = list(fields[list(meta["fields"]).index("DKMC")])
            check(f"{sample}.{ext} names", dkmc == names, dkmc)
            got = shapely.from_wkb(geoms)
            if ext == "geojson":
                # RFC 7946 lon/lat: compare with PROJ's own conversion of the survey points.
                t = Transformer.from_crs(epsg, 4490, always_xy=True)
                pts = np.array([c for g in got for c in shapely.get_coordinates(g)])
                e, n = t.transform(*zip(*want))
                ll = sorted(zip(e, n))
                mine = sorted(set(map(tuple, pts)))
                err = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(mine, ll))
                check(f"{sample}.geojson vs PROJ", len(mine) == len(ll) and err < 1e-10, err)
            else:
                pts = sorted(set(map(tuple, np.concatenate([shapely.get_coordinates(g) for g in got]))))
                check(f"{sample}.{ext} coordinates", pts == want)
            if ext == "gpkg":
                check("gpkg spatial index", info["capabilities"].get("fast_spatial_filter") is True, info["capabilities"])
                check("gpkg extent", tuple(np.round(info["total_bounds"], 3)) == (min(p[0] for p in want), min(p[1] for p in want), max(p[0] for p in want), max(p[1] for p in want)), info["total_bounds"])
            # onemap's area of its own output equals the TXT's.
            a0 = json.loads(onemap("area", src, "--format", "json"))["total_m2"]
            a1 = json.loads(onemap("area", out, "--format", "json"))["total_m2"]
            check(f"{sample}.{ext} area", a0 == a1, (a0, a1))

    # 2. GDAL → onemap: the GDAL-made GBK fixture rewritten by GDAL in every format.
    ref = json.loads(onemap("area", os.path.join(FIXTURES, "gbk_dltb.shp"), "--format", "json"))
    meta, _, geoms, fields = R.read(os.path.join(FIXTURES, "gbk_dltb.shp"))
    for ext, driver in [("gpkg", "GPKG"), ("fgb", "FlatGeobuf"), ("shp", "ESRI Shapefile")]:
        out = os.path.join(d, f"gdal.{ext}")
        kw = {"encoding": "GBK"} if ext == "shp" else {}
        R.write(out, geoms, fields, meta["fields"], geometry_type="Polygon", crs="EPSG:4528", driver=driver, **kw)
        got = json.loads(onemap("area", out, "--format", "json"))
        check(f"gdal {ext} crs", got["crs"] == "EPSG:4528", got["crs"])
        # GDAL's FlatGeobuf writer Hilbert-sorts features for its index: compare by BSM.
        by_id = lambda r: sorted((f["id"], f["area_m2"]) for f in r["features"])
        check(f"gdal {ext} areas", by_id(got) == by_id(ref), got)
        back = os.path.join(d, f"gdal_{ext}.geojson")
        onemap("convert", out, back)
        props = sorted((f["properties"]["BSM"], f["properties"]["DLMC"]) for f in json.load(open(back, encoding="utf-8"))["features"])
        check(f"gdal {ext} text", props == [(1001, "水田"), (1002, "乔木林地"), (1003, "农村宅基地")], props)
    # GeoJSON written by GDAL (lon/lat).
    out = os.path.join(d, "gdal.geojson")
    ll = shapely.transform(shapely.from_wkb(geoms), lambda c: np.array(Transformer.from_crs(4528, 4490, always_xy=True).transform(c[:, 0], c[:, 1])).T)
    R.write(out, shapely.to_wkb(ll), fields, meta["fields"], geometry_type="Polygon", crs="EPSG:4326", driver="GeoJSON")
    got = json.loads(onemap("area", out, "--format", "json"))
    diffs = [abs(a["area_m2"] - b["area_m2"]) for a, b in zip(got["features"], ref["features"])]
    # Longitude/latitude through PROJ's exact inverse: the same area within a cent or two.
    check("gdal geojson areas", got["crs"] == "EPSG:4490" and max(diffs) <= 0.02, diffs)

    # 3. The store is a GeoPackage GDAL reads: a clean DLTB written by GDAL (GBK), imported by
    # onemap, read back by GDAL.
    ref_areas = [f["area_m2"] for f in ref["features"]]
    tbmj = np.array(ref_areas)
    kcmj = np.array([round(ref_areas[0] * 0.068 + 1e-9, 2), 0.0, 0.0])
    dltb_fields = ["BSM", "DLBM", "DLMC", "ZLDWDM", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ"]
    dltb_data = [np.array(["1001", "1002", "1003"], dtype=object), np.array(["0101", "0301", "0702"], dtype=object),
                 np.array(["水田", "乔木林地", "农村宅基地"], dtype=object),
                 np.array(["1505021011010000000", "1505231012000000000", "1505251003000000000"], dtype=object),
                 tbmj, np.array(["1203", None, None], dtype=object), np.array([0.068, 0.0, 0.0]), kcmj, tbmj - kcmj]
    src = os.path.join(d, "dltb_gdal.shp")
    R.write(src, geoms, dltb_data, dltb_fields, geometry_type="Polygon", crs="EPSG:4528", driver="ESRI Shapefile", encoding="GBK")
    store = os.path.join(d, "store.gpkg")
    out = json.loads(onemap("import", src, "--kind", "dltb", "--year", "2023", "--store", store, "--format", "json"))
    check("store import", out["dataset"] is not None and out["dataset"]["id"] == "dltb-2023", out)
    layers = {l[0]: l[1] for l in pyogrio.list_layers(store)}
    check("store layers", layers.get("dltb_2023") == "MultiPolygon", layers)
    info = pyogrio.read_info(store, layer="dltb_2023")
    check("store crs", info["crs"] == "EPSG:4490", info["crs"])
    check("store count", info["features"] == 3, info["features"])
    check("store spatial index", info["capabilities"].get("fast_spatial_filter") is True, info["capabilities"])
    t = Transformer.from_crs(4528, 4490, always_xy=True)
    xs, ys = zip(*[c for g in shapely.from_wkb(geoms) for c in shapely.get_coordinates(g)])
    lon, lat = t.transform(xs, ys)
    want = (min(lon), min(lat), max(lon), max(lat))
    check("store extent vs PROJ", max(abs(a - b) for a, b in zip(info["total_bounds"], want)) < 1e-9, (info["total_bounds"], want))
    meta, _, g2, f2 = R.read(store, layer="dltb_2023")
    names = list(f2[list(meta["fields"]).index("DLMC")])
    check("store attributes", names == ["水田", "乔木林地", "农村宅基地"], names)
    st = json.loads(onemap("stats", "dltb-2023", "--store", store, "--format", "json"))
    check("stats total = ΣTBMJ", abs(st["total_m2"] - round(float(tbmj.sum()), 2)) < 1e-6, (st["total_m2"], tbmj.sum()))

    # Special plan conflicts (`onemap conflicts`): the GeoPackage opens in GDAL with its three
    # layers, and the lengths agree with PROJ + GeographicLib (pyproj.Geod on GRS80, the
    # CGCS2000 ellipsoid) and shapely's intersection of the line with the control polygon.
    from pyproj import Geod
    geod = Geod(ellps="GRS80")
    cx, cy = (want[0] + want[2]) / 2, (want[1] + want[3]) / 2
    pbf = shapely.box(cx - 0.004, cy - 0.003, cx + 0.006, cy + 0.004)
    county = shapely.box(cx - 0.3, cy - 0.3, cx + 0.3, cy + 0.3)
    R.write(os.path.join(d, "pbf.geojson"), shapely.to_wkb([pbf]), [np.array(["P1"], dtype=object)], ["BSM"],
            geometry_type="Polygon", crs="EPSG:4490", driver="GeoJSON")
    R.write(os.path.join(d, "xzq.geojson"), shapely.to_wkb([county]), [np.array(["150502"], dtype=object), np.array(["科尔沁区"], dtype=object)],
            ["XZQDM", "XZQMC"], geometry_type="Polygon", crs="EPSG:4490", driver="GeoJSON")
    onemap("import", os.path.join(d, "pbf.geojson"), "--kind", "yjjbnt", "--year", "2024", "--store", store)
    onemap("import", os.path.join(d, "xzq.geojson"), "--kind", "xzq", "--year", "2020", "--store", store)
    # Two roads in EPSG:4550 (CGCS2000 3° zone 41, CM 123°E): one bent across the polygon, one clear.
    to_gk = Transformer.from_crs(4490, 4550, always_xy=True)
    lines_ll = [[(cx - 0.02, cy - 0.001), (cx + 0.001, cy + 0.0005), (cx + 0.02, cy + 0.002)],
                [(cx - 0.02, cy + 0.02), (cx + 0.02, cy + 0.021)]]
    lines_gk = [shapely.LineString([to_gk.transform(x, y) for x, y in l]) for l in lines_ll]
    src = os.path.join(d, "roads.gpkg")
    R.write(src, shapely.to_wkb(lines_gk), [np.array(["R1", "R2"], dtype=object), np.array([20.0, 12.0])], ["BSM", "KD"],
            geometry_type="LineString", crs="EPSG:4550", driver="GPKG")
    out_gpkg = os.path.join(d, "conflicts.gpkg")
    rep = json.loads(onemap("conflicts", src, "--plan-type", "transport", "--width-field", "KD", "--store", store,
                            "--format", "json", "--out", out_gpkg))["report"]
    layers = {l[0]: l[1] for l in pyogrio.list_layers(out_gpkg)}
    check("conflicts layers", layers == {"conflicts": "MultiPolygon", "footprints": "MultiPolygon", "detours": "MultiLineString"}, layers)
    for name in layers:
        check(f"conflicts {name} crs", pyogrio.read_info(out_gpkg, layer=name)["crs"] == "EPSG:4490")
    fp = pyogrio.read_info(out_gpkg, layer="footprints")
    check("footprints count", fp["features"] == 2, fp["features"])
    check("footprints fields", list(fp["fields"])[:4] == ["FEATURE", "ID", "NAME", "TYPE"], fp["fields"])
    back = Transformer.from_crs(4550, 4490, always_xy=True)
    feats = {f["id"]: f for f in rep["features"]}
    r1 = feats.get("R1")
    check("conflicts R1 listed", r1 is not None and r1["geometry_type"] == "line", rep["features"])
    if r1:
        ll = shapely.LineString([back.transform(x, y) for x, y in lines_gk[0].coords])
        ref_len = geod.geometry_length(ll)
        check("conflicts length vs pyproj.Geod", abs(r1["length_m"] - ref_len) < 0.01, (r1["length_m"], ref_len))
        inside = shapely.intersection(ll, pbf)
        ref_in = geod.geometry_length(inside)
        c = next((x for x in r1["conflicts"] if x["kind"] == "yjjbnt"), None)
        check("conflicts length inside vs shapely + Geod", c is not None and abs(c["length_m"] - ref_in) < 0.01,
              (c, ref_in))
        meta, _, g3, f3 = R.read(out_gpkg, layer="conflicts")
        kinds = list(f3[list(meta["fields"]).index("KIND")])
        check("conflict pieces", "yjjbnt" in kinds, kinds)
        k = kinds.index("yjjbnt")
        piece = shapely.from_wkb(g3[k])
        # The piece's area by PROJ's geodesic area (GeographicLib) vs onemap's sandiao area.
        a_ref = abs(geod.geometry_area_perimeter(piece)[0])
        check("conflict piece area vs pyproj.Geod", abs(c["overlap_m2"] - a_ref) < max(0.5, a_ref * 1e-4), (c["overlap_m2"], a_ref))
    check("R2 without conflict with the farmland", "R2" not in feats or all(x["kind"] != "yjjbnt" for x in feats["R2"]["conflicts"]), feats.get("R2"))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
