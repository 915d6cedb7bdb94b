"""Reference values for onemap-geodesy tests, computed once with independent tools.

Run:  pip install pyproj==3.7.2 geographiclib==2.1 && python3 make_reference.py
(pyproj 3.7.2 bundles PROJ 9.5.1). Outputs, committed beside this script:

- proj_points.json: 2000 pseudo-random CGCS2000 points in 3° zones 39–42 (42–46.5°N, anywhere
  within the zone), projected by PROJ's exact transverse Mercator (+algo=poder_engsager) into the
  zone-prefixed Gauss–Krüger CRS. Tests check onemap's exact forward (1 mm, in practice µm),
  exact inverse (1e-10°) and the §5.3 series inverse (2e-9°).
- geodesic_polygons.json: 300 pseudo-random star-shaped polygons (lon/lat) around Tongliao, with
  GeographicLib's geodesic polygon area on the CGCS2000 ellipsoid (a = 6378137,
  f = 1/298.257222101). Tests check onemap's geodesic area to 1e-9 relative.
"""
import json, math, random
from pyproj import Transformer
from geographiclib.geodesic import Geodesic

rnd = random.Random(20261129)
points = []
for i in range(2000):
    zone = 39 + i % 4
    cm = 3 * zone
    lon = cm - 1.5 + 3.0 * rnd.random()
    lat = 42.0 + 4.5 * rnd.random()
    t = Transformer.from_proj(
        "+proj=longlat +ellps=GRS80 +no_defs",
        f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0={zone * 1000000 + 500000} +y_0=0 "
        "+ellps=GRS80 +units=m +no_defs +algo=poder_engsager",
        always_xy=True,
    )
    e, n = t.transform(lon, lat)
    points.append({"zone": zone, "lon": lon, "lat": lat, "easting": e, "northing": n})
json.dump({"tool": "pyproj 3.7.2 / PROJ 9.5.1, +algo=poder_engsager", "points": points},
          open("proj_points.json", "w"), indent=0)

g = Geodesic(6378137.0, 1 / 298.257222101)
polys = []
for i in range(300):
    clon = 119.3 + 4.3 * rnd.random()
    clat = 42.3 + 3.3 * rnd.random()
    size = 10 ** rnd.uniform(-4, -1.3)  # ~10 m to ~5 km radius, in degrees
    k = rnd.randint(3, 60)
    ring = []
    for j in range(k):
        a = 2 * math.pi * j / k
        r = size * rnd.uniform(0.3, 1.0)
        ring.append([clon + r * math.cos(a) / math.cos(math.radians(clat)), clat + r * math.sin(a)])
    p = g.Polygon()
    for lon, lat in ring:
        p.AddPoint(lat, lon)
    _, _, area = p.Compute(False, True)
    polys.append({"ring": ring, "area_m2": abs(area)})
json.dump({"tool": "geographiclib 2.1 (Python), CGCS2000 ellipsoid", "polygons": polys},
          open("geodesic_polygons.json", "w"), indent=0)
print("ok", len(points), len(polys))
