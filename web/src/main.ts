// The onemap web application: one page per hash route (#/map, #/indicators, #/review,
// #/alerts); /public is the read-only public page.

import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { meta, type Meta } from "./api";
import { errorBox, h } from "./util";
import { mountOneMap } from "./pages/onemap";
import { mountIndicators } from "./pages/indicators";
import { mountReview } from "./pages/review";
import { mountAlerts } from "./pages/alerts";
import { mountPublic } from "./pages/public";

type Mount = (root: HTMLElement, meta: Meta) => Promise<() => void>;

const PAGES: { route: string; title: string; mount: Mount }[] = [
  { route: "map", title: "一张图", mount: mountOneMap },
  { route: "indicators", title: "指标监测", mount: mountIndicators },
  { route: "review", title: "合规审查", mount: mountReview },
  { route: "alerts", title: "监测预警", mount: mountAlerts },
];

const app = document.getElementById("app")!;
const nav = document.getElementById("nav")!;
let unmount: (() => void) | null = null;
let generation = 0;

async function show(m: Meta, mount: Mount): Promise<void> {
  const mine = ++generation;
  unmount?.();
  unmount = null;
  app.replaceChildren();
  const root = h("div", { class: "page" });
  app.append(root);
  try {
    const u = await mount(root, m);
    if (mine === generation) unmount = u;
    else u();
  } catch (e) {
    root.replaceChildren(errorBox(e));
  }
  document.body.dataset.ready = String(mine);
}

async function start(): Promise<void> {
  let m: Meta;
  try {
    m = await meta();
  } catch (e) {
    app.replaceChildren(errorBox(e));
    return;
  }
  document.getElementById("title")!.textContent = `${m.region.name}国土空间规划“一张图”实施监督系统`;
  document.getElementById("plan-id")!.textContent = `${m.plan.approval} · 现状 ${m.year} 年`;
  if (location.pathname.replace(/\/$/, "") === "/public") {
    document.body.classList.add("public-mode");
    document.title = `${m.plan.name}（公众版）`;
    nav.replaceChildren(h("span", { class: "active" }, "规划公示"));
    await show(m, mountPublic);
    return;
  }
  const route = () => {
    const r = location.hash.replace(/^#\/?/, "") || "map";
    const page = PAGES.find((p) => p.route === r) ?? PAGES[0];
    for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.route === page.route);
    document.title = `${page.title} · ${m.region.name}国土空间规划“一张图”`;
    void show(m, page.mount);
  };
  nav.replaceChildren(
    ...PAGES.map((p) => h("a", { href: `#/${p.route}`, "data-route": p.route }, p.title)),
    h("a", { href: "/public", target: "_blank" }, "公众版"),
  );
  window.addEventListener("hashchange", route);
  route();
}

void start();
