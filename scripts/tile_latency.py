"""Uncached vector-tile latency at z10, z12 and z14 over the densest part of the first survey
collection: `tile_latency.py BASE_URL` prints p50/p99 per zoom; `--one` prints one tile path."""
import http.client, json, math, sys, time, urllib.parse

base = sys.argv[1]
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)


def get(path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


cols = json.loads(get("/collections")[1])["collections"]
survey = [c for c in cols if c["id"].startswith("dltb-")]
c = max(survey, key=lambda c: int(c["description"].split("，")[1].split(" ")[0]))
bb = c["extent"]["spatial"]["bbox"][0]
lon, lat = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2


def tile(z, dx=0, dy=0):
    n = 2 ** z
    x = int((lon + 180) / 360 * n) + dx
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n) + dy
    return f"/tiles/{c['id']}/{z}/{x}/{y}.mvt"


if "--one" in sys.argv:
    print(tile(12))
    sys.exit(0)
for z in (10, 12, 14):
    times, sizes = [], []
    for dx in range(-5, 5):
        for dy in range(-2, 2):
            t = time.perf_counter()
            s, b = get(tile(z, dx, dy))
            times.append((time.perf_counter() - t) * 1000)
            sizes.append(len(b))
    times.sort()
    print(f"z{z} uncached ({len(times)} tiles of {c['id']}): p50 {times[len(times) // 2]:.1f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms, max size {max(sizes) // 1024} KB")
