"""The server as a client sees it: start `onemap serve` on a store, decode vector tiles with an
independent MVT reader (mapbox-vector-tile) and check their features and attributes against the
OGC API items of the same area, keep every z0–z8 tile over the city under 500 KB, run the OGC API
– Features Core test suite (ogctests), and time uncached and cached tiles.

Usage: python3 tests/server/check_server.py target/release/onemap [STORE]
Without STORE a small demo city is generated in a temporary directory.
"""
import json, math, os, socket, subprocess, sys, tempfile, time, urllib.request

import mapbox_vector_tile

BIN = os.path.abspath(sys.argv[1])
problems = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def fetch(url):
    with urllib.request.urlopen(url, timeout=600) as r:
        return r.status, r.read()


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def main(store):
    port = free_port()
    t0 = time.time()
    srv = subprocess.Popen([BIN, "serve", "--store", store, "--addr", f"127.0.0.1:{port}"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = srv.stdout.readline()
        start = time.time() - t0
        if "serving" not in line:
            raise SystemExit(f"server did not start: {line}")
        base = f"http://127.0.0.1:{port}"
        cols = json.loads(fetch(base + "/collections")[1])["collections"]
        survey = sorted(c["id"] for c in cols if c["id"].startswith("dltb-"))[0]
        bbox = next(c for c in cols if c["id"] == survey)["extent"]["spatial"]["bbox"][0]
        lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        # A z12 tile in the middle of the first county dataset: decode it and compare with items.
        x, y = tile_of(lon, lat, 12)
        _, raw = fetch(f"{base}/tiles/{survey}/12/{x}/{y}.mvt")
        tile = mapbox_vector_tile.decode(raw)
        feats = tile.get(survey, {}).get("features", [])
        if not feats:
            problems.append(f"tile 12/{x}/{y} of {survey} has no features")
        ids = {f["id"] for f in feats}
        for f in feats[:20]:
            props = f["properties"]
            if not str(props.get("DLBM", "")).strip():
                problems.append(f"tile feature {f['id']} without DLBM")
            _, item = fetch(f"{base}/collections/{survey}/items/{f['id']}")
            item = json.loads(item)
            if item["properties"]["DLBM"] != props["DLBM"] or item["properties"]["BSM"] != props["BSM"]:
                problems.append(f"feature {f['id']}: tile {props['DLBM']} vs items {item['properties']['DLBM']}")
        # z0–z8 over the city: every tile under 500 KB.
        biggest = 0
        # The collections, and the whole survey layer the web map draws.
        meta = json.loads(fetch(base + "/api/meta")[1])
        whole = [l["id"] for l in meta["layers"] if l["kind"] == "dltb" and l["year"] == meta["year"]]
        for c in [c["id"] for c in cols if c["id"].startswith(("dltb-", "yjjbnt-", "stbhhx-"))][:3] + whole:
            for z in range(0, 9):
                x0, y1 = tile_of(bbox[0], bbox[1], z)
                x1, y0 = tile_of(bbox[2], bbox[3], z)
                for tx in range(x0, x1 + 1):
                    for ty in range(y0, y1 + 1):
                        _, b = fetch(f"{base}/tiles/{c}/{z}/{tx}/{ty}.mvt")
                        biggest = max(biggest, len(b))
                        if len(b) > 500 * 1024:
                            problems.append(f"{c} {z}/{tx}/{ty}: {len(b)} bytes")
        # Uncached and cached tile times at z14 around the centre.
        times = []
        for dx in range(-3, 4):
            xx, yy = tile_of(lon, lat, 14)
            t = time.time()
            fetch(f"{base}/tiles/{survey}/14/{xx + dx}/{yy}.mvt")
            times.append(time.time() - t)
        t = time.time()
        for _ in range(50):
            fetch(f"{base}/tiles/{survey}/12/{x}/{y}.mvt")
        cached = (time.time() - t) / 50
        # OGC API – Features Core conformance (the ogctests suite), all but the Part 2 CRS class,
        # which onemap does not claim (geometries are CRS84 by Core's default).
        import httpx
        from ogctests.main import run_ogctests
        client = httpx.Client(base_url=base, timeout=600)
        code = run_ogctests("features/core", base, ["-q", "-p", "no:cacheprovider", "-W", "ignore",
                                                    "-k", "not (test_crs and test_ast2)"],
                            test_client=client)
        if code != 0:
            problems.append(f"ogctests features/core failed (exit {code})")
        print(f"server start {start:.1f} s; {len(ids)} features in a z12 tile; largest z0–z8 tile {biggest} bytes; "
              f"uncached z14 tile max {max(times) * 1000:.1f} ms; cached tile {cached * 1000:.2f} ms")
    finally:
        srv.terminate()
        srv.wait(timeout=30)


if len(sys.argv) > 2:
    main(sys.argv[2])
else:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([BIN, "demo", "--out", tmp, "--patches", "3000", "--years", "2025", "--seed", "2"],
                       check=True, capture_output=True)
        main(os.path.join(tmp, "onemap.gpkg"))

for p in problems:
    print("FAIL", p)
print(f"server checks: {len(problems)} problems")
sys.exit(1 if problems else 0)
