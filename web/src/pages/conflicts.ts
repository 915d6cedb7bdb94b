// 专项规划冲突检测 (under 合规审查): upload a special plan's layer (GeoJSON, GeoPackage or
// zipped shapefile), pick its type and widths; the conflicts per layer and county, the list,
// the features on the map coloured by verdict, and the report and GeoPackage for download.

import type maplibregl from "maplibre-gl";
import { postBlob, postJson, type ConflictResult, type ConflictSummary } from "../api";
import { fitBbox, geometryBbox, unionBbox } from "../mapview";
import { download, errorBox, h, num, VERDICT_TEXT } from "../util";

const PLAN_TYPES: Record<string, string> = {
  transport: "综合交通",
  water: "水利",
  energy: "能源",
  municipal: "市政基础设施",
  public: "公共服务设施",
  ecology: "生态保护修复",
  heritage: "历史文化保护",
  other: "其他",
};

const COLOURS: Record<string, string> = {
  prohibited: "#d50000",
  restricted: "#ff6d00",
  attention: "#f9a825",
  outside_plan_area: "#1565c0",
  pass: "#757575",
};

const verdictText = (v: string) => (v === "outside_plan_area" ? "规划范围以外" : (VERDICT_TEXT[v] ?? v));

/** The features on the map, coloured by verdict (lines as lines, the rest filled). */
function showOnMap(map: maplibregl.Map, fc: ConflictResult["map"]): void {
  const colour: maplibregl.ExpressionSpecification = [
    "match",
    ["get", "verdict"],
    ...Object.entries(COLOURS).flat(),
    "#757575",
  ] as unknown as maplibregl.ExpressionSpecification;
  const src = map.getSource("special") as maplibregl.GeoJSONSource | undefined;
  if (src) {
    src.setData(fc);
  } else {
    map.addSource("special", { type: "geojson", data: fc });
    map.addLayer({
      id: "special-fill",
      type: "fill",
      source: "special",
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": colour, "fill-opacity": 0.45 },
    });
    map.addLayer({
      id: "special-line",
      type: "line",
      source: "special",
      paint: { "line-color": colour, "line-width": ["case", ["==", ["get", "verdict"], "pass"], 1.5, 3] },
    });
    map.on("click", "special-line", (e) => {
      const p = e.features?.[0]?.properties;
      if (!p) return;
      const item = document.querySelector(`[data-feature="${p.index}"]`);
      item?.scrollIntoView({ block: "center" });
      item?.classList.add("flash");
      setTimeout(() => item?.classList.remove("flash"), 1500);
    });
  }
  map.getContainer().dataset.specialFeatures = String(fc.features.length);
  const boxes = fc.features.map((f) => geometryBbox(f.geometry)).filter((b) => Number.isFinite(b[0]));
  if (boxes.length) fitBbox(map, unionBbox(boxes), 14);
}

function layerTable(s: ConflictSummary): HTMLElement {
  if (!s.layers.length) return h("p", {}, "未发现冲突。");
  return h(
    "table",
    { class: "grid", id: s.code ? undefined : "conflict-layers" },
    h("thead", {}, h("tr", {}, h("th", {}, "冲突类型"), h("th", {}, "要素数"), h("th", {}, "面积（公顷）"), h("th", {}, "线长（千米）"))),
    h(
      "tbody",
      {},
      s.layers.map((l) =>
        h("tr", {}, h("td", {}, l.name), h("td", { class: "num" }, String(l.features)), h("td", { class: "num" }, num(l.overlap_ha, 4)), h("td", { class: "num" }, num(l.length_km, 3))),
      ),
    ),
  );
}

/** Mount the panel into `panel`, drawing on `map`. */
export function mountConflictPanel(panel: HTMLElement, map: maplibregl.Map): void {
  const planType = h("select", { id: "plan-type" }, Object.entries(PLAN_TYPES).map(([k, v]) => h("option", { value: k }, v)));
  const widthField = h("input", { id: "width-field", placeholder: "如 KD（可空）", size: 8 });
  const width = h("input", { id: "width", type: "number", min: "0", step: "0.5", placeholder: "默认", size: 6 });
  const corridor = h("input", { id: "corridor", type: "number", min: "0", step: "50", value: "500", size: 6 });
  const file = h("input", { type: "file", id: "special-upload", accept: ".geojson,.json,.gpkg,.zip" });
  const result = h("div", { class: "result", id: "conflict-result" });
  let last: File | null = null;
  const query = (format?: string) => {
    const q = new URLSearchParams({ plan_type: planType.value, corridor: corridor.value || "500" });
    if (widthField.value.trim()) q.set("width_field", widthField.value.trim());
    else if (width.value) q.set("width", width.value);
    if (format) q.set("format", format);
    return `/api/conflicts?${q}`;
  };
  const body = () => {
    const fd = new FormData();
    if (last) fd.append("file", last, last.name);
    return fd;
  };
  const fetchFile = async (format: "docx" | "html" | "gpkg") => {
    if (!last) return;
    try {
      const blob = await postBlob(query(format), body());
      const stem = last.name.replace(/\.[^.]+$/, "");
      download(blob, format === "gpkg" ? `${stem}_冲突图斑.gpkg` : `${stem}_符合性分析报告.${format}`);
    } catch (e) {
      result.prepend(errorBox(e));
    }
  };
  const run = async () => {
    if (!last) return;
    result.replaceChildren(h("div", { class: "loading" }, "正在分析…"));
    try {
      const r = await postJson<ConflictResult>(query(), body());
      const s = r.report.summary;
      showOnMap(map, r.map);
      result.replaceChildren(
        h("div", { class: "muted" }, `${r.file}：${r.report.plan_type_name}，依据 ${r.plan}，现状 ${r.report.year} 年`),
        h(
          "p",
          { id: "conflict-summary" },
          `共 ${s.features} 个要素（线长 ${num(s.length_km, 3)} 千米，占地 ${num(s.footprint_ha, 4)} 公顷）：`,
          h("b", {}, `${s.with_conflicts} 个存在冲突`),
          `，${s.without_conflicts} 个无冲突，${s.outside_plan_area} 个位于规划范围以外。`,
        ),
        h(
          "div",
          { class: "row" },
          h("button", { id: "conflict-docx", onclick: () => fetchFile("docx") }, "分析报告（Word）"),
          h("button", { onclick: () => fetchFile("html") }, "分析报告（网页）"),
          h("button", { id: "conflict-gpkg", onclick: () => fetchFile("gpkg") }, "冲突图层（GeoPackage）"),
        ),
        layerTable(s),
        h(
          "details",
          {},
          h("summary", {}, "分县（旗、市、区）汇总"),
          r.report.counties.map((c) => h("div", {}, h("b", {}, `${c.name ?? c.code}：${c.features} 个要素，${c.with_conflicts} 个有冲突`), layerTable(c))),
        ),
        h("h4", {}, `冲突要素（${r.report.features.length}）`),
        h(
          "ol",
          { class: "conflicts", id: "conflict-list" },
          r.report.features.map((f) =>
            h(
              "li",
              { "data-feature": String(f.index) },
              h("span", { class: `verdict verdict-${f.verdict}` }, verdictText(f.verdict)),
              " ",
              h("b", {}, f.name ?? f.id ?? `要素 ${f.index + 1}`),
              h("span", { class: "muted" }, ` ${f.county_name ?? ""}${f.length_m != null ? ` · ${num(f.length_m / 1000, 3)} 千米` : ""}`),
              h(
                "ul",
                {},
                f.conflicts.map((c) => h("li", {}, `${c.name} ${num(c.overlap_m2)} 平方米${c.length_m ? `，${num(c.length_m)} 米` : ""}`)),
                f.verdict === "outside_plan_area" ? h("li", {}, f.reasons.join("")) : null,
                f.detour
                  ? h(
                      "li",
                      { class: "muted" },
                      f.detour.avoids
                        ? `向${f.detour.offset_m > 0 ? "左" : "右"}平移 ${Math.abs(f.detour.offset_m)} 米可避让永久基本农田和生态保护红线`
                        : `向${f.detour.offset_m > 0 ? "左" : "右"}平移 ${Math.abs(f.detour.offset_m)} 米，占用由 ${num(f.detour.before_m2)} 降至 ${num(f.detour.overlap_m2)} 平方米`,
                    )
                  : null,
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      result.replaceChildren(errorBox(e));
    }
  };
  file.addEventListener("change", () => {
    last = file.files?.[0] ?? null;
    void run();
  });
  const again = h("button", { id: "conflict-run", onclick: () => void run() }, "重新分析");
  panel.append(
    h("h3", {}, "专项规划冲突检测"),
    h("p", { class: "muted" }, "上传专项规划图层（GeoJSON、GeoPackage 或压缩的 Shapefile），线、点要素按宽度缓冲为占地，逐要素与“三区三线”和规划分区比对，统计冲突面积和线长，并给出绕行建议。"),
    h("label", { class: "row" }, "规划类型", planType),
    h("label", { class: "row" }, "宽度字段", widthField),
    h("label", { class: "row" }, "统一宽度（米）", width),
    h("label", { class: "row" }, "绕行平移范围（米）", corridor),
    h("label", { class: "row upload" }, "图层文件", file),
    h("div", { class: "row" }, again),
    result,
  );
}
