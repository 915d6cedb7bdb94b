// 监测预警: the alerts of the latest monitoring run, filtered by rule and county; a click zooms
// to the polygon.

import type { FeatureCollection } from "geojson";
import { getJson, type AlertItem, type Alerts, type Meta } from "../api";
import { createMap, fitBbox, geometryBbox, setOverlay } from "../mapview";
import { areaText, errorBox, h, SEVERITY_TEXT } from "../util";

export async function mountAlerts(root: HTMLElement, meta: Meta): Promise<() => void> {
  const mapDiv = h("div", { class: "map", id: "map" });
  const panel = h("aside", { class: "side wide" });
  root.append(h("div", { class: "map-page" }, panel, h("div", { class: "map-wrap" }, mapDiv)));
  const map = await createMap(mapDiv, meta, { keep: (_t, kind) => kind !== "ghfq" });
  let data: Alerts;
  try {
    data = await getJson<Alerts>("/api/alerts");
  } catch (e) {
    panel.append(errorBox(e));
    return () => map.remove();
  }
  const countyName = new Map(meta.counties.map((c) => [c.code, c.name]));
  const rules = [...new Map(data.alerts.map((a) => [a.rule, a.rule_name])).entries()];
  const units = [...new Set(data.alerts.map((a) => a.unit))].sort();
  const ruleSel = h("select", { id: "alert-rule" }, h("option", { value: "" }, "全部规则"), rules.map(([id, name]) => h("option", { value: id }, name)));
  const unitSel = h("select", { id: "alert-county" }, h("option", { value: "" }, "全部县（旗、市、区）"), units.map((u) => h("option", { value: u }, countyName.get(u) ?? u)));
  const list = h("div", { class: "table-scroll alert-list" });
  const summary = h("div", { class: "muted" });
  const collection = (items: AlertItem[]): FeatureCollection => ({
    type: "FeatureCollection",
    features: items.filter((a) => a.geometry).map((a) => ({ type: "Feature", properties: { id: a.id, rule: a.rule_name }, geometry: a.geometry! })),
  });
  const render = () => {
    const items = data.alerts.filter((a) => (!ruleSel.value || a.rule === ruleSel.value) && (!unitSel.value || a.unit === unitSel.value));
    const total = items.reduce((s, a) => s + a.area_m2, 0);
    summary.textContent = `${items.length} 条预警，合计 ${areaText(total)}`;
    setOverlay(map, "alerts", collection(items), "#d32f2f", { fillOpacity: 0.5 });
    list.replaceChildren(
      h(
        "table",
        { class: "grid clickable", id: "alert-table" },
        h("thead", {}, h("tr", {}, ["预警规则", "等级", "县（旗、市、区）", "乡镇", "原地类", "现地类", "面积（平方米）"].map((t) => h("th", {}, t)))),
        h(
          "tbody",
          {},
          items.slice(0, 1000).map((a) =>
            h(
              "tr",
              {
                class: `sev-${a.severity}`,
                title: `预警编号 ${a.id}`,
                onclick: () => {
                  if (!a.geometry) return;
                  setOverlay(map, "highlight", { type: "Feature", properties: {}, geometry: a.geometry }, "#00e5ff", { fillOpacity: 0.1, width: 4 });
                  fitBbox(map, geometryBbox(a.geometry), 16);
                },
              },
              h("td", {}, a.rule_name),
              h("td", {}, SEVERITY_TEXT[a.severity] ?? a.severity),
              h("td", {}, countyName.get(a.unit) ?? a.unit),
              h("td", {}, a.township),
              h("td", {}, a.from_dlbm),
              h("td", {}, a.to_dlbm),
              h("td", { class: "num" }, a.area_m2.toFixed(2)),
            ),
          ),
        ),
      ),
      items.length > 1000 ? h("p", { class: "muted" }, `仅列出前 1000 条；请用筛选缩小范围。`) : "",
    );
  };
  ruleSel.addEventListener("change", render);
  unitSel.addEventListener("change", render);
  panel.append(
    h("h3", {}, "动态监测预警"),
    data.run
      ? h("p", { class: "muted" }, `监测 ${data.run.from}—${data.run.to} 年变化，${data.run.at.slice(0, 10)} 由 ${data.run.user} 运行（第 ${data.run.id} 次）。`)
      : h("p", {}, "尚无监测记录：运行 onemap monitor --from 年份 --to 年份 后在此查看预警。"),
    h("div", { class: "row" }, ruleSel, unitSel),
    summary,
    list,
  );
  render();
  return () => map.remove();
}
