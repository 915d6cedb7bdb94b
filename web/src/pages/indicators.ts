// 指标监测: the binding indicators as cards (value, target, red/yellow/green), every indicator
// per county, trend charts with the target, and the health-check report.

import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, TitleComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { can, indicators, type Assessment, type Indicator, type Meta } from "../api";
import { h, num, errorBox, RULE_TEXT, STATUS_TEXT } from "../util";

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

const STATUS_COLOUR: Record<string, string> = { green: "#2e7d32", yellow: "#f9a825", red: "#c62828", grey: "#9e9e9e" };

function digits(i: Indicator): number {
  return i.decimals;
}

/** One card: value, target, status. */
export function card(i: Indicator): HTMLElement {
  return h(
    "div",
    { class: `card status-${i.status}`, "data-indicator": i.id, "data-status": i.status },
    h("div", { class: "card-name" }, i.name),
    h("div", { class: "card-value" }, num(i.value, digits(i)), h("span", { class: "unit" }, i.unit)),
    h(
      "div",
      { class: "card-target" },
      i.target === null ? "无约束目标" : `目标：${RULE_TEXT[i.rule] ?? i.rule} ${num(i.target, digits(i))} ${i.unit}`,
    ),
    h("div", { class: "card-status" }, h("span", { class: "dot" }), STATUS_TEXT[i.status] ?? i.status),
    h("div", { class: "card-reason muted" }, i.reason),
  );
}

function trend(el: HTMLElement, i: Indicator): echarts.ECharts {
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  const years = i.series.map((p) => String(p.year));
  const data = i.series.map((p) => p.value);
  chart.setOption({
    title: { text: i.name, left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    grid: { left: 70, right: 30, top: 40, bottom: 30 },
    xAxis: { type: "category", data: years },
    yAxis: { type: "value", scale: true, name: i.unit },
    series: [
      {
        type: "line",
        name: i.name,
        data,
        symbolSize: 7,
        itemStyle: { color: STATUS_COLOUR[i.status] ?? "#1d5c8f" },
        markLine:
          i.target === null
            ? undefined
            : {
                symbol: "none",
                label: { formatter: `目标 ${num(i.target, digits(i))}`, position: "insideEndTop" },
                lineStyle: { color: "#c62828", type: "dashed" },
                data: [{ yAxis: i.target }],
              },
      },
    ],
  });
  return chart;
}

export async function mountIndicators(root: HTMLElement, meta: Meta): Promise<() => void> {
  const charts: echarts.ECharts[] = [];
  const yearSel = h("select", { id: "year" });
  const body = h("div", { class: "dash-body" }, h("div", { class: "loading" }, "正在计算指标（首次计算一个年度需要数秒）…"));
  const links = h("span", { class: "links" });
  root.append(
    h(
      "div",
      { class: "dash" },
      h("div", { class: "dash-head" }, h("h2", {}, `${meta.user.county?.name ?? meta.region.name}规划实施监测指标`), h("label", {}, "年度 ", yearSel), links),
      body,
    ),
  );
  const render = (a: Assessment) => {
    for (const c of charts.splice(0)) c.dispose();
    // The report is the city's: only for those who may generate it.
    if (can(meta, "reports"))
      links.replaceChildren(
        h("a", { href: `/api/reports/health-check?year=${a.year}`, target: "_blank", id: "health-link" }, `${a.year} 年度体检报告`),
        " · ",
        h("a", { href: `/api/reports/health-check?year=${a.year}&format=docx` }, "下载 Word"),
      );
    const county = meta.user.county;
    const binding = a.indicators.filter((i) => i.binding);
    const units = a.indicators[0]?.units ?? [];
    const chartBox = h("div", { class: "charts" });
    body.replaceChildren(
      h("h3", {}, `约束性指标（${a.year} 年）`),
      h("div", { class: "cards", id: "binding-cards" }, binding.map(card)),
      h("h3", {}, county ? `${county.name}指标` : "分县（旗、市、区）指标"),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "grid", id: "county-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "指标"), h("th", {}, "单位"), h("th", {}, county ? "本级" : "全市"), county ? null : units.map((u) => h("th", {}, u.name)))),
          h(
            "tbody",
            {},
            a.indicators.map((i) =>
              h(
                "tr",
                {},
                h("th", {}, i.name, i.binding ? h("sup", { title: "约束性" }, "★") : null),
                h("td", {}, i.unit),
                h("td", { class: `cell-${i.status}` }, num(i.value, digits(i))),
                county ? null : i.units.map((u) => h("td", { class: `cell-${u.status}`, title: STATUS_TEXT[u.status] ?? "" }, num(u.value, digits(i)))),
              ),
            ),
          ),
        ),
      ),
      h("h3", {}, "变化趋势"),
      chartBox,
    );
    for (const i of binding) {
      const el = h("div", { class: "chart" });
      chartBox.append(el);
      charts.push(trend(el, i));
    }
  };
  const load = async (year?: number) => {
    try {
      const a = await indicators(year);
      if (!yearSel.options.length) {
        const years = a.indicators[0]?.series.map((p) => p.year) ?? [a.year];
        for (const y of [...years].reverse()) yearSel.append(h("option", { value: y }, `${y} 年`));
      }
      yearSel.value = String(a.year);
      render(a);
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  yearSel.addEventListener("change", () => {
    body.replaceChildren(h("div", { class: "loading" }, "正在计算指标…"));
    void load(Number(yearSel.value));
  });
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener("resize", onResize);
  await load();
  return () => {
    window.removeEventListener("resize", onResize);
    for (const c of charts) c.dispose();
  };
}
