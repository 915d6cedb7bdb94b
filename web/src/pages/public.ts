// 公众: the approved plan map and the binding indicators, read-only.

import { indicators, type Meta } from "../api";
import { createMap } from "../mapview";
import { errorBox, h } from "../util";
import { card } from "./indicators";

export async function mountPublic(root: HTMLElement, meta: Meta): Promise<() => void> {
  const mapDiv = h("div", { class: "map", id: "map" });
  const cards = h("div", { class: "cards compact", id: "binding-cards" }, h("div", { class: "loading" }, "正在加载指标…"));
  const legend = h(
    "div",
    { class: "legend" },
    [
      ["#d4a017", "永久基本农田"],
      ["#2e7d32", "生态保护红线"],
      ["#7b1fa2", "城镇开发边界"],
    ].map(([c, n]) => h("span", {}, h("i", { style: { background: c } }), n)),
  );
  root.append(
    h(
      "div",
      { class: "public" },
      h(
        "div",
        { class: "public-head" },
        h("h2", {}, meta.plan.name),
        h("p", { class: "muted" }, `${meta.plan.approval}，${meta.plan.approved_on} 批复。基期 ${meta.plan.base_year} 年，目标年 ${meta.plan.target_year} 年。本页为公众版，仅展示经批准的规划成果。`),
        meta.versions.length
          ? h(
              "p",
              { class: "muted", id: "plan-version" },
              (() => {
                const v = meta.versions[meta.versions.length - 1];
                return `现行规划数据：第 ${v.version} 版（${v.approval}，${v.approved_on}${v.authority ? `，${v.authority}` : ""}批准）`;
              })(),
            )
          : null,
      ),
      h("div", { class: "public-map" }, mapDiv, legend),
      h("h3", {}, "约束性指标"),
      cards,
    ),
  );
  // Only the layers and indicators the plan file marks public.
  const layers = new Set(meta.public.layers.filter((k) => k !== "dltb"));
  const map = await createMap(mapDiv, meta, { keep: (_t, kind) => layers.has(kind) });
  try {
    const a = await indicators();
    const shown = new Set(meta.public.indicators);
    cards.replaceChildren(...a.indicators.filter((i) => shown.has(i.id)).map(card));
  } catch (e) {
    cards.replaceChildren(errorBox(e));
  }
  return () => map.remove();
}
