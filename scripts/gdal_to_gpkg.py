"""Reference for the import benchmark: what `ogr2ogr -f GPKG out.gpkg in.shp -t_srs EPSG:4490`
does, through pyogrio's bundled GDAL (read every feature, reproject, write a GeoPackage with
its spatial index). Usage: gdal_to_gpkg.py IN.shp OUT.gpkg"""
import os, sys
import pyogrio.raw as R
from pyproj import Transformer
import shapely

src, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)
meta, _, geoms, fields = R.read(src)
t = Transformer.from_crs(4528, 4490, always_xy=True)
g = shapely.transform(shapely.from_wkb(geoms), lambda c: __import__("numpy").array(t.transform(c[:, 0], c[:, 1])).T)
R.write(out, shapely.to_wkb(g), fields, meta["fields"], geometry_type="Polygon", crs="EPSG:4490", driver="GPKG", encoding=None)
print(len(geoms))
