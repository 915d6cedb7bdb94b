// 一张图: every layer on one map. A layer tree (现状 / 规划 / 管理), a popup with the attributes
// of what was clicked, an attribute table of the visible area, a swipe comparing two survey
// years, area measuring by the survey's method, and locating a county.

import maplibregl from "maplibre-gl";
import type { Feature, FeatureCollection, Polygon } from "geojson";
import { can, getJson, postJson, type Alerts, type LayerMeta, type Meta } from "../api";
import { createMap, fitBbox, geometryBbox, setOverlay, setVisible, Sketch } from "../mapview";
import { h, num, errorBox } from "../util";

interface ItemPage {
  type: "FeatureCollection";
  features: (Feature & { id: number | string })[];
  numberMatched?: number;
}

/** The collection and item id of a feature of a whole-layer tile. */
function itemOf(layer: LayerMeta, fid: number): { collection: string; item: number } | null {
  const i = fid - 1;
  const c = layer.collections.find((c) => i >= c.start && i < c.end);
  return c ? { collection: c.id, item: i - c.start + 1 } : null;
}

/** The style layers drawing a tileset (its fill and its outline). */
function styleLayersOf(map: maplibregl.Map, tileset: string): string[] {
  return map
    .getStyle()
    .layers.filter((l) => "source" in l && l.source === tileset)
    .map((l) => l.id);
}

function isVisible(map: maplibregl.Map, tileset: string): boolean {
  return styleLayersOf(map, tileset).some((l) => map.getLayoutProperty(l, "visibility") !== "none");
}

export async function mountOneMap(root: HTMLElement, meta: Meta): Promise<() => void> {
  const mapDiv = h("div", { class: "map", id: "map" });
  const side = h("aside", { class: "side" });
  const table = h("section", { class: "attr-table", hidden: true });
  const mapBox = h("div", { class: "map-box" }, mapDiv);
  root.append(h("div", { class: "map-page" }, side, h("div", { class: "map-wrap" }, mapBox, table)));
  const map = await createMap(mapDiv, meta);
  const byId = new Map(meta.layers.map((l) => [l.id, l]));

  // Layer tree.
  const tree = h("div", { class: "layer-tree" });
  const groups: [string, LayerMeta[]][] = [
    ["现状", meta.layers.filter((l) => l.group === "现状").sort((a, b) => (b.year ?? 0) - (a.year ?? 0))],
    ["规划", meta.layers.filter((l) => l.group === "规划")],
  ];
  for (const [name, layers] of groups) {
    tree.append(
      h(
        "fieldset",
        {},
        h("legend", {}, name),
        layers.map((l) =>
          h(
            "label",
            { class: "layer-item" },
            h("input", {
              type: "checkbox",
              "data-layer": l.id,
              checked: isVisible(map, l.id),
              onchange: (e: Event) => setVisible(map, styleLayersOf(map, l.id), (e.target as HTMLInputElement).checked),
            }),
            l.name,
            h("span", { class: "muted" }, ` ${l.features.toLocaleString("zh-CN")}`),
          ),
        ),
      ),
    );
  }
  const manage = h("fieldset", {}, h("legend", {}, "管理"));
  const overlay = (id: string, name: string, colour: string, load: () => Promise<FeatureCollection>) =>
    h(
      "label",
      { class: "layer-item" },
      h("input", {
        type: "checkbox",
        "data-layer": id,
        onchange: async (e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          if (on) {
            try {
              setOverlay(map, id, await load(), colour, { fillOpacity: 0.45 });
            } catch (err) {
              manage.append(errorBox(err));
            }
          } else setVisible(map, [`${id}-fill`, `${id}-line`], false);
        },
      }),
      name,
    );
  manage.append(
    overlay("alerts", "监测预警图斑", "#d32f2f", async () => {
      const a = await getJson<Alerts>("/api/alerts");
      return {
        type: "FeatureCollection",
        features: a.alerts
          .filter((x) => x.geometry)
          .map((x) => ({ type: "Feature", properties: { 预警规则: x.rule_name, 面积: x.area_m2, 原地类: x.from_dlbm, 现地类: x.to_dlbm }, geometry: x.geometry! })),
      };
    }),
    can(meta, "review") ? overlay("reviews", "已审查项目", "#ff6f00", () => getJson<FeatureCollection>("/api/reviews")) : "",
  );
  tree.append(manage);

  // Locate a county.
  const county = h(
    "select",
    {
      id: "county-search",
      onchange: (e: Event) => {
        const code = (e.target as HTMLSelectElement).value;
        const c = meta.counties.find((c) => c.code === code);
        fitBbox(map, c ? c.bbox : null, 12);
        if (!c) fitBbox(map, meta.layers[0]?.bbox ?? null);
      },
    },
    h("option", { value: "" }, meta.user.county ? "全辖区" : "全市"),
    meta.counties.map((c) => h("option", { value: c.code }, `${c.name}（${c.code}）`)),
  );

  // Swipe between two survey years.
  const years = meta.layers.filter((l) => l.group === "现状").sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
  let swipe: { map: maplibregl.Map; div: HTMLElement; handle: HTMLElement; sync: () => void } | null = null;
  const left = h("select", { id: "swipe-left" }, years.map((l) => h("option", { value: l.id }, l.name)));
  const right = h("select", { id: "swipe-right" }, years.map((l) => h("option", { value: l.id }, l.name)));
  // The earlier year on the left, the latest on the right.
  if (years.length > 0) {
    left.value = years[Math.max(0, years.length - 2)].id;
    right.value = years[years.length - 1].id;
  }
  async function startSwipe(): Promise<void> {
    stopSwipe();
    for (const y of years) setVisible(map, styleLayersOf(map, y.id), y.id === right.value);
    const div = h("div", { class: "map swipe-map" });
    mapBox.append(div);
    const other = await createMap(div, meta, { interactive: false, keep: (t) => t === left.value });
    setVisible(other, styleLayersOf(other, left.value), true);
    const handle = h("div", { class: "swipe-handle", title: "拖动比较" }, h("span", {}, "⇆"));
    mapBox.append(handle);
    let x = mapDiv.clientWidth / 2;
    const place = () => {
      div.style.clipPath = `inset(0 ${mapDiv.clientWidth - x}px 0 0)`;
      handle.style.left = `${x}px`;
    };
    const sync = () => other.jumpTo({ center: map.getCenter(), zoom: map.getZoom(), bearing: map.getBearing(), pitch: map.getPitch() });
    map.on("move", sync);
    sync();
    place();
    handle.addEventListener("pointerdown", (e) => {
      handle.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent) => {
        x = Math.max(0, Math.min(mapDiv.clientWidth, ev.clientX - mapDiv.getBoundingClientRect().left));
        place();
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", () => handle.removeEventListener("pointermove", move), { once: true });
    });
    swipe = { map: other, div, handle, sync };
    syncTree();
  }
  function stopSwipe(): void {
    if (!swipe) return;
    map.off("move", swipe.sync);
    swipe.map.remove();
    swipe.div.remove();
    swipe.handle.remove();
    swipe = null;
  }
  function syncTree(): void {
    for (const cb of tree.querySelectorAll<HTMLInputElement>("input[data-layer]")) {
      const id = cb.dataset.layer!;
      if (byId.has(id)) cb.checked = isVisible(map, id);
    }
  }
  const swipeBox = h("input", {
    type: "checkbox",
    id: "swipe-toggle",
    onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? startSwipe() : stopSwipe()),
  });
  for (const s of [left, right]) s.addEventListener("change", () => swipeBox.checked && startSwipe());

  // Measuring.
  const measureOut = h("div", { class: "measure-out", id: "measure-out" });
  const sketch = new Sketch(map, async (polygon: Polygon) => {
    measureOut.textContent = "计算中…";
    try {
      const r = await postJson<{ area_m2: number; area_mu: number; area_ha: number; method: string }>(
        "/api/area",
        JSON.stringify(polygon),
        "application/geo+json",
      );
      measureOut.replaceChildren(
        h("div", {}, h("b", {}, `${num(r.area_mu)} 亩`), ` ／ ${num(r.area_ha, 4)} 公顷`),
        h("div", { class: "muted" }, `${num(r.area_m2)} 平方米，${r.method}`),
      );
    } catch (e) {
      measureOut.replaceChildren(errorBox(e));
    }
    measureBtn.textContent = "测量面积";
  });
  const measureBtn = h(
    "button",
    {
      id: "measure",
      onclick: () => {
        if (sketch.drawing) {
          sketch.finish();
          return;
        }
        sketch.start();
        measureBtn.textContent = "完成测量";
        measureOut.textContent = "在地图上单击添加顶点，双击或点“完成测量”结束。";
      },
    },
    "测量面积",
  );
  const clearBtn = h("button", { onclick: () => (sketch.stop(), sketch.clear(), (measureOut.textContent = ""), (measureBtn.textContent = "测量面积")) }, "清除");

  // Attribute table of the visible area.
  const tableLayer = h("select", { id: "table-layer" }, meta.layers.map((l) => h("option", { value: l.id }, l.name)));
  const firstOn = meta.layers.find((l) => isVisible(map, l.id));
  if (firstOn) tableLayer.value = firstOn.id;
  async function showTable(): Promise<void> {
    const l = byId.get(tableLayer.value);
    if (!l) return;
    table.hidden = false;
    table.replaceChildren(h("div", { class: "loading" }, "正在查询当前视图内的要素…"));
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    const want = 500;
    const rows: (Feature & { id: number | string; collection: string })[] = [];
    let matched = 0;
    try {
      for (const c of l.collections) {
        if (!c.bbox || c.bbox[0] > b.getEast() || c.bbox[2] < b.getWest() || c.bbox[1] > b.getNorth() || c.bbox[3] < b.getSouth()) continue;
        const page = await getJson<ItemPage>(`/collections/${c.id}/items?bbox=${bbox}&limit=${Math.max(1, want - rows.length)}`);
        matched += page.numberMatched ?? page.features.length;
        for (const f of page.features) if (rows.length < want) rows.push({ ...f, collection: c.id });
      }
    } catch (e) {
      table.replaceChildren(errorBox(e));
      return;
    }
    const keys = rows.length ? Object.keys(rows[0].properties ?? {}) : [];
    table.replaceChildren(
      h(
        "div",
        { class: "table-head" },
        h("b", {}, `${l.name}：当前视图 ${matched.toLocaleString("zh-CN")} 个要素`),
        matched > rows.length ? h("span", { class: "muted" }, `（显示前 ${rows.length} 个）`) : null,
        h("button", { onclick: () => (table.hidden = true) }, "关闭"),
      ),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "grid", id: "attr-grid" },
          h("thead", {}, h("tr", {}, h("th", {}, "数据集"), h("th", {}, "编号"), keys.map((k) => h("th", {}, k)))),
          h(
            "tbody",
            {},
            rows.map((f) =>
              h(
                "tr",
                {
                  onclick: () => {
                    setOverlay(map, "highlight", f, "#00e5ff", { fillOpacity: 0.15, width: 3 });
                    fitBbox(map, geometryBbox(f.geometry), 17);
                  },
                },
                h("td", {}, f.collection),
                h("td", {}, String(f.id)),
                keys.map((k) => h("td", {}, String(f.properties?.[k] ?? ""))),
              ),
            ),
          ),
        ),
      ),
    );
  }

  side.append(
    h("h3", {}, "图层"),
    tree,
    h("h3", {}, "定位"),
    h("label", { class: "row" }, "县（旗、市、区）", county),
    h("h3", {}, "工具"),
    h("div", { class: "row" }, measureBtn, clearBtn),
    measureOut,
    h("div", { class: "row" }, h("label", {}, swipeBox, " 卷帘对比")),
    h("div", { class: "row small" }, "左侧", left),
    h("div", { class: "row small" }, "右侧", right),
    h("div", { class: "row" }, tableLayer, h("button", { id: "show-table", onclick: showTable }, "属性表")),
  );

  // Popup: every layer's feature under the click, the survey first.
  map.on("click", async (e) => {
    if (sketch.drawing) return;
    const hits = map.queryRenderedFeatures(e.point).filter((f) => byId.has(f.source) || f.source === "alerts" || f.source === "reviews");
    const seen = new Set<string>();
    const sections: HTMLElement[] = [];
    const ordered = [...hits].sort((a, b) => Number(byId.get(b.source)?.group === "现状") - Number(byId.get(a.source)?.group === "现状"));
    for (const f of ordered) {
      if (seen.has(f.source)) continue;
      seen.add(f.source);
      const l = byId.get(f.source);
      const title = l ? l.name : f.source === "alerts" ? "监测预警图斑" : "已审查项目";
      const props = f.properties ?? {};
      const ref = l && typeof f.id === "number" ? itemOf(l, f.id) : null;
      sections.push(
        h(
          "section",
          {},
          h("h4", {}, title),
          h(
            "table",
            { class: "props" },
            Object.entries(props).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { "data-field": k }, String(v)))),
          ),
          ref
            ? h("a", { href: `/collections/${ref.collection}/items/${ref.item}`, target: "_blank" }, `要素 ${ref.collection}/${ref.item}（GeoJSON）`)
            : null,
        ),
      );
      if (sections.length >= 4) break;
    }
    if (!sections.length) return;
    new maplibregl.Popup({ maxWidth: "360px" })
      .setLngLat(e.lngLat)
      .setDOMContent(h("div", { class: "popup" }, sections))
      .addTo(map);
  });
  map.on("mousemove", (e) => {
    if (sketch.drawing) return;
    const any = map.queryRenderedFeatures(e.point).some((f) => byId.has(f.source));
    map.getCanvas().style.cursor = any ? "pointer" : "";
  });

  return () => {
    stopSwipe();
    map.remove();
  };
}
