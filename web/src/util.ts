// Small DOM and formatting helpers shared by the pages.

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (`on*` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, unknown> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v as EventListener);
    } else if (k === "style" && typeof v === "object") {
      Object.assign(el.style, v);
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** A number with thousands separators and `digits` decimals. */
export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  return v.toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const M2_PER_MU = 10000 / 15;

/** Square metres as "x 平方米（y 亩）". */
export function areaText(m2: number): string {
  return `${num(m2)} 平方米（${num(m2 / M2_PER_MU)} 亩）`;
}

export const STATUS_TEXT: Record<string, string> = {
  green: "达标",
  yellow: "预警",
  red: "未达标",
  grey: "无数据",
  unknown: "无法评估",
};

export const VERDICT_TEXT: Record<string, string> = {
  pass: "符合",
  attention: "需关注",
  restricted: "限制（需专项论证）",
  prohibited: "禁止",
  not_checked: "未检查",
};

export const PURPOSE_TEXT: Record<string, string> = {
  urban: "城镇建设",
  linear: "线性基础设施",
  rural: "村庄建设",
  other: "其他",
};

export const SEVERITY_TEXT: Record<string, string> = {
  high: "高",
  medium: "中",
  low: "低",
  positive: "正向",
};

export const RULE_TEXT: Record<string, string> = { ">=": "不低于", "<=": "不高于", "=": "等于" };

/** A message box for errors. */
export function errorBox(e: unknown): HTMLElement {
  const msg = e instanceof Error ? e.message : String(e);
  return h("div", { class: "error", role: "alert" }, `出错了：${msg}`);
}

/** Offer a blob as a download. */
export function download(blob: Blob, name: string): void {
  const a = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}
