// 合规审查: upload a coordinate TXT, zipped shapefile or GeoJSON, or draw a parcel; the
// verdict with its reasons, the control-line and land-use tables, the parcel on the map, and
// the report for download.

import type { Feature, FeatureCollection, Polygon } from "geojson";
import { getJson, postBlob, postJson, type CheckResult, type Meta, type ParcelReview } from "../api";
import { createMap, fitBbox, geometryBbox, setOverlay, Sketch, unionBbox } from "../mapview";
import { mountConflictPanel } from "./conflicts";
import { areaText, download, errorBox, h, num, PURPOSE_TEXT, VERDICT_TEXT } from "../util";

/** What was sent, to ask for the report of the same upload. */
type Upload = { body: () => BodyInit; contentType?: string; name: string };

function parcelBlock(p: ParcelReview): HTMLElement {
  const landuse = (p.landuse ?? []) as Record<string, unknown>[];
  const lkeys = landuse.length ? Object.keys(landuse[0]) : [];
  return h(
    "section",
    { class: "parcel", "data-verdict": p.verdict },
    h(
      "div",
      { class: "parcel-head" },
      h("span", { class: `verdict verdict-${p.verdict}`, id: p.index === 0 ? "verdict" : undefined }, VERDICT_TEXT[p.verdict] ?? p.verdict),
      h("b", {}, p.name ?? `地块 ${p.index + 1}`),
      h("span", { class: "muted" }, ` ${PURPOSE_TEXT[p.purpose] ?? p.purpose} · ${areaText(p.area_m2)}`),
    ),
    p.reasons.length ? h("ol", { class: "reasons" }, p.reasons.map((r) => h("li", {}, r))) : h("p", {}, "未发现与管控要求冲突的情况。"),
    h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, h("th", {}, "管控要素"), h("th", {}, "重叠面积（平方米）"), h("th", {}, "亩"), h("th", {}, "结论"))),
      h(
        "tbody",
        {},
        p.controls.map((c) =>
          h(
            "tr",
            {},
            h("td", {}, c.name),
            h("td", { class: "num" }, num(c.overlap_m2)),
            h("td", { class: "num" }, num(c.overlap_mu)),
            h("td", {}, h("span", { class: `verdict verdict-${c.verdict}` }, VERDICT_TEXT[c.verdict] ?? c.verdict)),
          ),
        ),
      ),
    ),
    landuse.length
      ? h(
          "details",
          { open: true },
          h("summary", {}, "占用现状地类"),
          h(
            "table",
            { class: "grid" },
            h("thead", {}, h("tr", {}, lkeys.map((k) => h("th", {}, k)))),
            h("tbody", {}, landuse.map((r) => h("tr", {}, lkeys.map((k) => h("td", {}, typeof r[k] === "number" ? num(r[k] as number) : String(r[k] ?? "")))))),
          ),
        )
      : null,
    Array.isArray(p.notes) && p.notes.length ? h("ul", { class: "notes muted" }, (p.notes as string[]).map((n) => h("li", {}, n))) : null,
  );
}

export async function mountReview(root: HTMLElement, meta: Meta): Promise<() => void> {
  const mapDiv = h("div", { class: "map", id: "map" });
  const panel = h("aside", { class: "side wide" });
  root.append(h("div", { class: "map-page" }, panel, h("div", { class: "map-wrap" }, mapDiv)));
  const map = await createMap(mapDiv, meta, { keep: (_t, kind) => kind !== "ghfq" });
  const result = h("div", { class: "result", id: "review-result" });
  const purpose = h(
    "select",
    { id: "purpose" },
    h("option", { value: "" }, "按坐标文件中的地块用途判断"),
    Object.entries(PURPOSE_TEXT).map(([k, v]) => h("option", { value: k }, v)),
  );
  const file = h("input", { type: "file", id: "upload", accept: ".txt,.zip,.geojson,.json" });
  let last: Upload | null = null;
  const query = (format?: string) => {
    const q = new URLSearchParams();
    if (purpose.value) q.set("purpose", purpose.value);
    if (format) q.set("format", format);
    const s = q.toString();
    return `/api/check${s ? `?${s}` : ""}`;
  };
  const run = async (u: Upload) => {
    last = u;
    result.replaceChildren(h("div", { class: "loading" }, "正在审查…"));
    try {
      const r = await postJson<CheckResult>(query(), u.body(), u.contentType);
      show(r, u);
    } catch (e) {
      result.replaceChildren(errorBox(e));
    }
  };
  const report = async (format: "docx" | "html") => {
    if (!last) return;
    try {
      const blob = await postBlob(query(format), last.body(), last.contentType);
      const stem = last.name.replace(/\.[^.]+$/, "");
      download(blob, `${stem}_审查报告.${format}`);
    } catch (e) {
      result.prepend(errorBox(e));
    }
  };
  const show = (r: CheckResult, u: Upload) => {
    result.replaceChildren(
      h("div", { class: "muted" }, `${u.name}：${r.parcels.length} 个地块，依据 ${r.plan}，现状 ${r.year} 年`),
      h(
        "div",
        { class: "row" },
        h("button", { id: "report-docx", onclick: () => report("docx") }, "下载审查报告（Word）"),
        h("button", { onclick: () => report("html") }, "下载审查报告（网页）"),
      ),
      ...r.parcels.map(parcelBlock),
    );
  };
  const showParcels = (fc: FeatureCollection) => {
    setOverlay(map, "parcels", fc, "#ff1744", { fillOpacity: 0.25, width: 3 });
    fitBbox(map, unionBbox(fc.features.map((f) => geometryBbox(f.geometry))), 15);
  };
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    await run({
      name: f.name,
      body: () => {
        const fd = new FormData();
        fd.append("file", f, f.name);
        return fd;
      },
    });
    // The parcel drawn from what the server read: the reviewed projects layer has it.
    try {
      const all = await getJson<FeatureCollection>("/api/reviews");
      const mine = all.features.filter((x) => x.properties?.file === f.name).slice(-20);
      showParcels({ type: "FeatureCollection", features: mine });
    } catch {
      /* the map highlight is a convenience */
    }
  });
  const sketch = new Sketch(map, async (polygon: Polygon) => {
    drawBtn.textContent = "在地图上绘制地块";
    const feature: Feature = { type: "Feature", properties: { name: "绘制地块" }, geometry: polygon };
    const fc: FeatureCollection = { type: "FeatureCollection", features: [feature] };
    showParcels(fc);
    await run({ name: "绘制地块.geojson", body: () => JSON.stringify(fc), contentType: "application/geo+json" });
  });
  const drawBtn = h(
    "button",
    {
      id: "draw",
      onclick: () => {
        if (sketch.drawing) return sketch.finish();
        sketch.start();
        drawBtn.textContent = "完成绘制";
      },
    },
    "在地图上绘制地块",
  );
  // Two tools under 合规审查: a project's parcels, and a special plan's whole layer.
  const projectPane = h("div", { id: "project-pane" });
  const specialPane = h("div", { id: "special-pane", hidden: true });
  mountConflictPanel(specialPane, map);
  const tab = (label: string, id: string, show: HTMLElement, hide: HTMLElement) =>
    h(
      "button",
      {
        id,
        class: "tab",
        onclick: (e: Event) => {
          show.hidden = false;
          hide.hidden = true;
          panel.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === e.currentTarget));
        },
      },
      label,
    );
  const tabs = h(
    "div",
    { class: "row tabs" },
    tab("建设项目审查", "tab-project", projectPane, specialPane),
    tab("专项规划冲突检测", "tab-special", specialPane, projectPane),
  );
  tabs.firstElementChild?.classList.add("active");
  panel.append(tabs, projectPane, specialPane);
  projectPane.append(
    h("h3", {}, "建设项目用地合规性审查"),
    h("p", { class: "muted" }, "上传报批坐标文件（TXT）、压缩的 Shapefile（ZIP）或 GeoJSON，或在地图上绘制地块，系统按“三区三线”等管控要求审查。"),
    h("label", { class: "row" }, "用途", purpose),
    h("label", { class: "row upload" }, "红线文件", file),
    h("div", { class: "row" }, drawBtn),
    result,
  );
  return () => map.remove();
}
