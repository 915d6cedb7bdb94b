"""Reference: read every feature (geometry and attributes) of a file with GDAL (pyogrio)."""
import sys
import pyogrio.raw as R

meta, _, geoms, fields = R.read(sys.argv[1])
print(len(geoms))
