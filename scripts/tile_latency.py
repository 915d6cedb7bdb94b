"""Uncached vector-tile latency at z10, z12 and z14 over the densest part of the first survey
collection, then for the whole survey layer the web map draws (z6–z14, and every tile of the
city's first view): `tile_latency.py BASE_URL` prints p50/p99 per zoom; `--one` prints one tile
path; `--token T` sends a bearer token."""
import http.client, json, math, sys, time, urllib.parse

base = sys.argv[1]
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)


headers = {}
if "--token" in sys.argv:
    headers["Authorization"] = "Bearer " + sys.argv[sys.argv.index("--token") + 1]


def get(path):
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


cols = json.loads(get("/collections")[1])["collections"]
survey = [c for c in cols if c["id"].startswith("dltb-")]
latest = max(int(c["id"].split("-")[1]) for c in survey)
survey = [c for c in survey if int(c["id"].split("-")[1]) == latest]
c = max(survey, key=lambda c: int(c["description"].split("，")[1].split(" ")[0]))
bb = c["extent"]["spatial"]["bbox"][0]
lon, lat = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2


def xy(z, lon, lat):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def tile(z, dx=0, dy=0, tileset=None):
    x, y = xy(z, lon, lat)
    return f"/tiles/{tileset or c['id']}/{z}/{x + dx}/{y + dy}.mvt"


if "--one" in sys.argv:
    print(tile(12))
    sys.exit(0)


def run(tileset, zooms, label):
    for z in zooms:
        times, sizes = [], []
        seen = set()
        for dx in range(-5, 5):
            for dy in range(-2, 2):
                path = tile(z, dx, dy, tileset)
                if path in seen:
                    continue
                seen.add(path)
                t = time.perf_counter()
                s, b = get(path)
                times.append((time.perf_counter() - t) * 1000)
                sizes.append(len(b))
        times.sort()
        print(f"z{z} uncached ({len(times)} tiles of {label}): p50 {times[len(times) // 2]:.1f} ms, "
              f"p99 {times[max(0, int(len(times) * 0.99) - 1)]:.1f} ms, max size {max(sizes) // 1024} KB")


run(None, (10, 12, 14), c["id"])
meta = json.loads(get("/api/meta")[1])
layer = next(l for l in meta["layers"] if l["kind"] == "dltb" and l["year"] == meta["year"])
run(layer["id"], (6, 8, 10, 12, 14), f"the whole layer {layer['id']}")
# The first view of the web map: the city at z7, every tile of its extent, one after another.
b = layer["bbox"]
x0, y1 = xy(7, b[0], b[1])
x1, y0 = xy(7, b[2], b[3])
t = time.perf_counter()
n = total = 0
for x in range(x0, x1 + 1):
    for y in range(y0, y1 + 1):
        s, body = get(f"/tiles/{layer['id']}/7/{x}/{y}.mvt")
        n += 1
        total += len(body)
print(f"first view (z7, {n} tiles of {layer['id']}, {total // 1024} KB): {(time.perf_counter() - t) * 1000:.0f} ms uncached")
