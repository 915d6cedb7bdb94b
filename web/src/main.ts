// The onemap web application: one page per hash route (#/map, #/indicators, #/review,
// #/alerts), shown after sign-in and as far as the user's rights go; /public is the
// read-only public page (always as the public sees it).

import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { can, meta, onUnauthorized, roleText, setAnonymous, signIn, signOut, type Meta } from "./api";
import { errorBox, h } from "./util";
import { mountOneMap } from "./pages/onemap";
import { mountIndicators } from "./pages/indicators";
import { mountReview } from "./pages/review";
import { mountAlerts } from "./pages/alerts";
import { mountPublic } from "./pages/public";

type Mount = (root: HTMLElement, meta: Meta) => Promise<() => void>;

/** The pages, each with the right it needs. */
const PAGES: { route: string; title: string; mount: Mount; right: string }[] = [
  { route: "map", title: "一张图", mount: mountOneMap, right: "read" },
  { route: "indicators", title: "指标监测", mount: mountIndicators, right: "read" },
  { route: "review", title: "合规审查", mount: mountReview, right: "review" },
  { route: "alerts", title: "监测预警", mount: mountAlerts, right: "alerts" },
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

/** The sign-in page; a successful sign-in reloads the application as that user. */
function showSignIn(m: Meta, message?: string): void {
  ++generation;
  unmount?.();
  unmount = null;
  nav.replaceChildren(h("a", { href: "/public" }, "公众版"));
  document.getElementById("user")?.replaceChildren();
  document.title = `登录 · ${m.region.name}国土空间规划“一张图”`;
  const name = h("input", { id: "login-name", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const status = h("div", { id: "login-status" }, message ? h("div", { class: "error", role: "alert" }, message) : null);
  const submit = h("button", { type: "submit", id: "login-submit" }, "登录");
  const form = h(
    "form",
    {
      class: "login",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        status.replaceChildren(h("div", { class: "muted" }, "正在登录…"));
        try {
          await signIn(name.value.trim(), password.value);
          location.reload();
        } catch (err) {
          status.replaceChildren(errorBox(err));
          submit.disabled = false;
          password.select();
        }
      },
    },
    h("h2", {}, "用户登录"),
    h("p", { class: "muted" }, `${m.plan.name}实施监督系统。公众请访问 `, h("a", { href: "/public" }, "规划公示页面"), "。"),
    h("label", {}, "用户名", name),
    h("label", {}, "密码", password),
    submit,
    status,
  );
  app.replaceChildren(h("div", { class: "page login-page" }, form));
  name.focus();
  document.body.dataset.ready = String(generation);
}

async function start(): Promise<void> {
  const isPublic = location.pathname.replace(/\/$/, "") === "/public";
  setAnonymous(isPublic);
  let m: Meta;
  try {
    m = await meta();
  } catch (e) {
    app.replaceChildren(errorBox(e));
    return;
  }
  document.getElementById("title")!.textContent = `${m.region.name}国土空间规划“一张图”实施监督系统`;
  document.getElementById("plan-id")!.textContent = `${m.plan.approval} · 现状 ${m.year} 年`;
  if (isPublic) {
    document.body.classList.add("public-mode");
    document.title = `${m.plan.name}（公众版）`;
    nav.replaceChildren(h("span", { class: "active" }, "规划公示"));
    await show(m, mountPublic);
    return;
  }
  if (m.user.role === "public") {
    showSignIn(m);
    return;
  }
  onUnauthorized((message) => showSignIn(m, `登录已失效，请重新登录（${message}）`));
  const pages = PAGES.filter((p) => can(m, p.right));
  const user = document.getElementById("user")!;
  user.replaceChildren(
    h("span", { id: "user-name", title: m.user.role }, m.user.open ? roleText(m.user) : `${m.user.name} · ${roleText(m.user)}`),
    ...(m.user.open
      ? []
      : [
          h(
          "button",
          {
            id: "sign-out",
            class: "link",
            onclick: async () => {
              await signOut();
              location.hash = "";
              location.reload();
            },
          },
          "退出",
          ),
        ]),
  );
  const route = () => {
    const r = location.hash.replace(/^#\/?/, "") || "map";
    const page = pages.find((p) => p.route === r) ?? pages[0];
    for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.route === page.route);
    document.title = `${page.title} · ${m.region.name}国土空间规划“一张图”`;
    void show(m, page.mount);
  };
  nav.replaceChildren(
    ...pages.map((p) => h("a", { href: `#/${p.route}`, "data-route": p.route }, p.title)),
    h("a", { href: "/public", target: "_blank" }, "公众版"),
  );
  window.addEventListener("hashchange", route);
  route();
}

void start();
