"""Reports open where the bureau opens them: every HTML report parses as strict HTML5 with
well-formed inline SVG, every DOCX opens in python-docx with real tables and its figures.

Usage: python3 tests/reports/check_reports.py target/release/onemap
Builds a small demo city in a temporary directory, reviews every project parcel in it, and
writes the annual health check and the evaluation report.
"""
import io, os, subprocess, sys, tempfile, zipfile
import xml.etree.ElementTree as ET

import docx
import html5lib

BIN = os.path.abspath(sys.argv[1])
problems = []
count = 0


def run(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"onemap {' '.join(args)} failed: {r.stderr}")


def html_ok(path):
    text = open(path, encoding="utf-8").read()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(text)
    except Exception as e:  # html5lib raises ParseError with the position
        problems.append(f"{path}: not valid HTML5: {e}")
        return
    start = 0
    while (i := text.find("<svg", start)) >= 0:
        j = text.index("</svg>", i) + len("</svg>")
        try:
            ET.fromstring(text[i:j])
        except ET.ParseError as e:
            problems.append(f"{path}: inline SVG not well-formed: {e}")
        start = j


def docx_ok(path, min_tables):
    d = docx.Document(path)
    if len(d.tables) < min_tables:
        problems.append(f"{path}: {len(d.tables)} tables, expected at least {min_tables}")
    if not d.inline_shapes:
        problems.append(f"{path}: no figure")
    for t in d.tables:
        if not t.rows or not any(c.text.strip() for c in t.rows[0].cells):
            problems.append(f"{path}: a table without a header row")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ET.fromstring(z.read(name))


with tempfile.TemporaryDirectory() as tmp:
    run("demo", "--out", tmp, "--patches", "2000", "--years", "2020,2021,2022", "--seed", "5")
    store = os.path.join(tmp, "onemap.gpkg")
    projects = os.path.join(tmp, "source", "projects")
    for name in sorted(os.listdir(projects)):
        src = os.path.join(projects, name)
        stem = os.path.join(tmp, os.path.splitext(name)[0])
        run("check", src, "--store", store, "--format", "html", "--out", stem + ".html")
        run("check", src, "--store", store, "--format", "docx", "--out", stem + ".docx")
        html_ok(stem + ".html")
        docx_ok(stem + ".docx", 5)
        count += 1
    for args, stem in [(["health-check"], "health"), (["evaluation", "--from", "2020", "--to", "2022"], "evaluation")]:
        for ext in ("html", "docx"):
            out = os.path.join(tmp, f"{stem}.{ext}")
            run(*args, "--store", store, "--out", out)
            if ext == "html":
                html_ok(out)
            else:
                docx_ok(out, 4)
            count += 1

    # Monitoring alerts open in GDAL with their fields and CRS.
    import json, pyogrio.raw as R
    for ext in ("gpkg", "shp", "geojson"):
        out = os.path.join(tmp, f"alerts.{ext}")
        r = subprocess.run([BIN, "monitor", "--from", "2020", "--to", "2022", "--store", store,
                            "--format", "json", "--out", out], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"onemap monitor failed: {r.stderr}")
        n = len(json.loads(r.stdout)["alerts"])
        meta, _, geom, fields = R.read(out)
        # GeoJSON is longitude/latitude by definition (RFC 7946: GDAL reports EPSG:4326).
        want_crs = "4326" if ext == "geojson" else "4490"
        if len(geom) != n or "rule" not in list(meta["fields"]) or want_crs not in str(meta["crs"]):
            problems.append(f"{out}: {len(geom)} features of {n}, fields {list(meta['fields'])}, crs {meta['crs']}")
        count += 1

for p in problems:
    print("FAIL", p)
print(f"{count} reports checked, {len(problems)} problems")
sys.exit(1 if problems or count == 0 else 0)
