// The map shared by the pages: MapLibre on the server's style (vector tiles of every layer),
// fitted to the region; overlays from GeoJSON; a polygon sketch tool (measuring, drawing a
// parcel); a highlight layer.

import maplibregl from "maplibre-gl";
import type { Feature, FeatureCollection, Geometry, Polygon } from "geojson";
import { credentials, type BBox, type Meta } from "./api";

export type LngLat = [number, number];

/** The union of some extents (`null` when there are none). */
export function unionBbox(boxes: (BBox | null)[]): BBox | null {
  let b: BBox | null = null;
  for (const x of boxes) {
    if (!x) continue;
    b = b ? [Math.min(b[0], x[0]), Math.min(b[1], x[1]), Math.max(b[2], x[2]), Math.max(b[3], x[3])] : [...x];
  }
  return b;
}

/** The union of the region's layer extents. */
export function regionBbox(meta: Meta): BBox | null {
  return unionBbox(meta.layers.map((l) => l.bbox));
}

export interface MapOptions {
  /** Keep only these style layers' sources (by tileset id predicate). */
  keep?: (tileset: string, kind: string) => boolean;
  /** Interactive (false for an overlay that follows another map). */
  interactive?: boolean;
}

/** A map on the server's style, fitted to the region. */
export async function createMap(container: HTMLElement, meta: Meta, o: MapOptions = {}): Promise<maplibregl.Map> {
  const style = (await (await fetch("/style.json", { credentials: credentials() })).json()) as maplibregl.StyleSpecification;
  if (o.keep) {
    style.layers = style.layers.filter((l) => {
      if (!("source" in l)) return true;
      const kind = String((l.metadata as Record<string, unknown> | undefined)?.["onemap:kind"] ?? "");
      return o.keep!(String(l.source), kind);
    });
    const used = new Set(style.layers.map((l) => ("source" in l ? String(l.source) : "")));
    for (const s of Object.keys(style.sources)) if (!used.has(s)) delete style.sources[s];
  }
  const b = regionBbox(meta);
  const map = new maplibregl.Map({
    container,
    style,
    bounds: b ? [b[0], b[1], b[2], b[3]] : undefined,
    fitBoundsOptions: { padding: 20 },
    interactive: o.interactive ?? true,
    attributionControl: false,
    maxZoom: 18,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    // MapLibre's type allows only same-origin and include; fetch takes omit as well.
    transformRequest: (url) => ({ url, credentials: credentials() as "same-origin" }),
  });
  if (o.interactive ?? true) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
  }
  await new Promise<void>((resolve) => map.once("load", () => resolve()));
  // The page's map, for the browser tests and for the console.
  if (o.interactive ?? true) (window as unknown as { onemapMap?: maplibregl.Map }).onemapMap = map;
  return map;
}

/** Show or replace a GeoJSON overlay with fill and outline. */
export function setOverlay(
  map: maplibregl.Map,
  id: string,
  data: FeatureCollection | Feature,
  colour: string,
  opts: { fillOpacity?: number; width?: number; visible?: boolean } = {},
): void {
  const src = map.getSource(id) as maplibregl.GeoJSONSource | undefined;
  if (src) {
    src.setData(data);
  } else {
    map.addSource(id, { type: "geojson", data });
    map.addLayer({
      id: `${id}-fill`,
      type: "fill",
      source: id,
      paint: { "fill-color": colour, "fill-opacity": opts.fillOpacity ?? 0.3 },
    });
    map.addLayer({
      id: `${id}-line`,
      type: "line",
      source: id,
      paint: { "line-color": colour, "line-width": opts.width ?? 2 },
    });
  }
  setVisible(map, [`${id}-fill`, `${id}-line`], opts.visible ?? true);
}

export function setVisible(map: maplibregl.Map, layers: string[], on: boolean): void {
  for (const l of layers) if (map.getLayer(l)) map.setLayoutProperty(l, "visibility", on ? "visible" : "none");
}

/** Extent of a geometry. */
export function geometryBbox(g: Geometry): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      const [x, y] = c as number[];
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  if ("coordinates" in g) walk(g.coordinates);
  return b;
}

export function fitBbox(map: maplibregl.Map, b: BBox | null, maxZoom = 16): void {
  if (!b || !Number.isFinite(b[0])) return;
  map.fitBounds([b[0], b[1], b[2], b[3]], { padding: 60, maxZoom, duration: 600 });
}

/**
 * Draw a polygon: click to add vertices, double-click (or `finish()`) to close it. The ring
 * is handed to `done` as a closed GeoJSON Polygon.
 */
export class Sketch {
  private points: LngLat[] = [];
  private active = false;
  private readonly id: string;

  constructor(
    private readonly map: maplibregl.Map,
    private readonly done: (polygon: Polygon) => void,
    colour = "#e53935",
    id = "sketch",
  ) {
    this.id = id;
    map.addSource(id, { type: "geojson", data: this.data() });
    map.addLayer({ id: `${id}-fill`, type: "fill", source: id, paint: { "fill-color": colour, "fill-opacity": 0.2 } });
    map.addLayer({ id: `${id}-line`, type: "line", source: id, paint: { "line-color": colour, "line-width": 2, "line-dasharray": [2, 1] } });
    map.addLayer({
      id: `${id}-pts`,
      type: "circle",
      source: id,
      filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": 4, "circle-color": "#fff", "circle-stroke-color": colour, "circle-stroke-width": 2 },
    });
  }

  get drawing(): boolean {
    return this.active;
  }

  start(): void {
    this.points = [];
    this.active = true;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = "crosshair";
    this.map.on("click", this.onClick);
    this.map.on("dblclick", this.onDbl);
    this.update();
  }

  /** Close the polygon (at least three vertices). */
  finish(): void {
    if (!this.active) return;
    const pts = this.points.filter((p, i, a) => i === 0 || p[0] !== a[i - 1][0] || p[1] !== a[i - 1][1]);
    this.stop();
    if (pts.length < 3) {
      this.clear();
      return;
    }
    const polygon: Polygon = { type: "Polygon", coordinates: [[...pts, pts[0]]] };
    this.points = pts;
    this.update(polygon);
    this.done(polygon);
  }

  stop(): void {
    this.active = false;
    this.map.off("click", this.onClick);
    this.map.off("dblclick", this.onDbl);
    this.map.getCanvas().style.cursor = "";
    setTimeout(() => this.map.doubleClickZoom.enable(), 300);
  }

  clear(): void {
    this.points = [];
    this.update();
  }

  private readonly onClick = (e: maplibregl.MapMouseEvent): void => {
    this.points.push([e.lngLat.lng, e.lngLat.lat]);
    this.update();
  };

  private readonly onDbl = (e: maplibregl.MapMouseEvent): void => {
    e.preventDefault();
    this.finish();
  };

  private data(closed?: Polygon): FeatureCollection {
    const features: Feature[] = this.points.map((p) => ({
      type: "Feature",
      properties: {},
      geometry: { type: "Point", coordinates: p },
    }));
    if (closed) {
      features.push({ type: "Feature", properties: {}, geometry: closed });
    } else if (this.points.length >= 2) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: this.points } });
    }
    return { type: "FeatureCollection", features };
  }

  private update(closed?: Polygon): void {
    (this.map.getSource(this.id) as maplibregl.GeoJSONSource).setData(this.data(closed));
  }
}
