"""Timings of sign-in and of a county user's requests: `bench_auth.py BASE_URL XZQDM PASSWORD`
(the users bench_city and bench_county exist; see scripts/bench-auth)."""
import http.client, json, math, sys, time, urllib.parse

base, county, password = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlparse(base)


def request(method, path, token=None, body=None):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    h = {"Authorization": f"Bearer {token}"} if token else {}
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    b = r.read()
    ms = (time.perf_counter() - t) * 1000
    if r.status >= 400:
        raise SystemExit(f"{method} {path}: {r.status} {b[:200]!r}")
    return b, ms


def sign_in(name):
    b, ms = request("POST", "/api/session", body=json.dumps({"name": name, "password": password}))
    return json.loads(b)["token"], ms


times = []
for _ in range(5):
    tok_city, ms = sign_in("bench_city")
    times.append(ms)
times.sort()
print(f"sign-in (Argon2id check, session written): p50 {times[2]:.0f} ms, max {times[-1]:.0f} ms")
tok_county, _ = sign_in("bench_county")
_, ms = request("GET", "/api/meta", tok_county)
print(f"county user's first /api/meta (each feature's county, every layer): {ms / 1000:.2f} s")
b, ms = request("GET", "/api/meta", tok_county)
print(f"county user's /api/meta after: {ms:.0f} ms")
meta = json.loads(b)
bb = meta["counties"][0]["bbox"]
lon, lat = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2
survey = [l["id"] for l in meta["layers"] if l["kind"] == "dltb"][-1]


def xy(z):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


for z in (10, 12, 14):
    x0, y0 = xy(z)
    for who, tok in (("county", tok_county), ("city", tok_city)):
        ts = []
        for dx in range(-4, 4):
            for dy in range(-2, 2):
                _, ms = request("GET", f"/tiles/{survey}/{z}/{x0 + dx}/{y0 + dy}.mvt", tok)
                ts.append(ms)
        ts.sort()
        print(f"z{z} uncached {survey} tiles as {who} ({len(ts)}): p50 {ts[len(ts) // 2]:.1f} ms, p99 {ts[-1]:.1f} ms")
