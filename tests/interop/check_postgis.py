"""What QGIS sees of a PostGIS store: GDAL's PostgreSQL driver (Debian's ogrinfo, the engine
QGIS and ArcGIS's GDAL-based tools use) lists each dataset of a demo city as a layer
`onemap.<table>` with the dataset's feature count, EPSG:4490, multipolygons, `fid` and `geom`,
and the same fields, with the same types, as the GeoPackage store's table read by pyogrio.

Usage: check_postgis.py ONEMAP_BINARY POSTGRES_URL_OF_THE_CLUSTER
(a database `qgis_view` is made there and dropped after)."""
import json, re, subprocess, sys, tempfile, os

import pyogrio

onemap, url = sys.argv[1], sys.argv[2]
base = url.rsplit("/", 1)[0]
m = re.match(r"postgres(?:ql)?://([^@]+)@([^:/]+):(\d+)", base)
user, host, port = m.group(1), m.group(2), m.group(3)
db = "qgis_view"
admin = ["psql", "-q", f"{base}/postgres", "-c"]
subprocess.run(admin + [f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
subprocess.run(admin + [f"CREATE DATABASE {db}"], check=True)
store = f"{base}/{db}"
problems = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        problems.append(what)


def run(*args):
    r = subprocess.run([onemap, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"onemap {' '.join(args)}: {r.stderr}")
    return r.stdout


try:
    with tempfile.TemporaryDirectory() as d:
        run("store", "init", store)
        demo = ["demo", "--patches", "2000", "--years", "2025", "--seed", "8"]
        run(*demo, "--out", os.path.join(d, "pg"), "--store", store)
        run(*demo, "--out", os.path.join(d, "gp"))
        gpkg = os.path.join(d, "gp", "onemap.gpkg")
        datasets = json.loads(run("datasets", "--store", store, "--format", "json"))
        pg = f"PG:host={host} port={port} user={user} dbname={db}"
        listing = subprocess.run(["ogrinfo", "-ro", "-so", pg], capture_output=True, text=True, check=True).stdout
        for ds in datasets:
            layer = f"onemap.{ds['table']}"
            check(f": {layer} (Multi Polygon)" in listing, f"{layer}: listed as a multipolygon layer")
            info = subprocess.run(["ogrinfo", "-ro", "-so", pg, layer], capture_output=True, text=True, check=True).stdout
            count = int(re.search(r"Feature Count: (\d+)", info).group(1))
            check(count == ds["features"], f"{layer}: {count} features (the store says {ds['features']})")
            check('ID["EPSG",4490]' in info, f"{layer}: EPSG:4490")
            check("FID Column = fid" in info and "Geometry Column = geom" in info, f"{layer}: fid and geom")
            pg_fields = re.findall(r"^(\w+): (\w+) ", info.split("Geometry Column = geom", 1)[-1], re.M)
            g = pyogrio.read_info(gpkg, layer=ds["table"])
            kinds = {"object": "String", "float64": "Real", "int64": "Integer64", "int32": "Integer", "bool": "Integer"}
            gp_fields = [(n, kinds.get(str(t), str(t))) for n, t in zip(g["fields"], g["dtypes"])]
            check(pg_fields == gp_fields, f"{layer}: fields {pg_fields[:4]}… as in the GeoPackage")
finally:
    subprocess.run(admin + [f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)

print(f"PostGIS as QGIS sees it: {len(problems)} problems")
sys.exit(1 if problems else 0)
