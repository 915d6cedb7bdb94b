// Browser tests of the web application in headless Chromium (Debian's chromium driven by
// playwright-core): every page opens without a script error; a layer switched on draws its
// tiles; a click on a patch shows its DLBM in the popup; an uploaded demo TXT gets its
// verdict; the dashboard shows a coloured card for each of the six binding indicators; the
// swipe, the measuring tool, the attribute table, the alerts and the public page work.
// Screenshots go to test-output/web/.
//
// Usage: node web/tests/browser.mjs target/release/onemap [STORE]
// Without STORE a small demo city (two survey years, a monitoring run) is generated.

import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const bin = path.resolve(process.argv[2] ?? "target/release/onemap");
const out = path.resolve("test-output/web");
mkdirSync(out, { recursive: true });
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) problems.push(what);
};

let tmp = null;
let store = process.argv[3];
if (!store) {
  tmp = mkdtempSync(path.join(tmpdir(), "onemap-web-"));
  const run = (args) => {
    const r = spawnSync(bin, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`onemap ${args.join(" ")}: ${r.stderr}`);
  };
  run(["demo", "--out", tmp, "--patches", "6000", "--years", "2020,2024,2025", "--seed", "4"]);
  store = path.join(tmp, "onemap.gpkg");
  run(["monitor", "--store", store, "--from", "2024", "--to", "2025", "--format", "json"]);
}
const projects = path.join(path.dirname(store), "source", "projects");

/** `onemap serve` on a free port: the process and its base URL. */
async function serve(store) {
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn(bin, ["serve", "--store", store, "--addr", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "error" },
  });
  await new Promise((resolve, reject) => {
    proc.stdout.on("data", (d) => String(d).includes("serving") && resolve());
    proc.on("exit", (c) => reject(new Error(`server exited (${c})`)));
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}
// The store has no users at first: no sign-in, everyone is admin.
const { proc: server, base } = await serve(store);
let secured = null;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
const errors = [];
const failed = [];
let expectFailure = null;
const tiles = new Set();
/** A page whose script errors, failed requests and tile loads are recorded. */
async function watchedPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await context.newPage();
  p.on("pageerror", (e) => errors.push(String(e)));
  // A failed request shows as a console error too; those are checked by status below.
  p.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  p.on("response", (r) => {
    if (r.status() >= 400 && !(expectFailure && expectFailure.test(r.url()))) failed.push(`${r.status()} ${r.url()}`);
  });
  p.on("response", (r) => {
    const m = r.url().match(/\/tiles\/([^/]+)\/\d+\/\d+\/\d+\.mvt$/);
    if (m && r.status() === 200) tiles.add(m[1]);
  });
  return p;
}
let page = await watchedPage();
const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });
const ready = async () => {
  await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 120000 });
};
const idle = () =>
  page.waitForFunction(() => window.onemapMap && window.onemapMap.loaded() && window.onemapMap.areTilesLoaded(), null, { timeout: 60000 });

try {
  // 一张图: the map with the latest survey and the control lines.
  await page.goto(`${base}/`, { waitUntil: "domcontentloaded" });
  await ready();
  await idle();
  check(await page.locator("canvas.maplibregl-canvas").count() === 1, "一张图: the map canvas is there");
  check(tiles.has("dltb_2025"), "一张图: survey tiles loaded");
  await shot("01-onemap");

  // Switch a layer on and see its tiles drawn.
  const before = tiles.has("fxkz");
  await page.locator('input[data-layer="fxkz"]').check();
  await idle();
  const drawn = await page.evaluate(() => window.onemapMap.queryRenderedFeatures({ layers: ["fxkz"] }).length);
  check(!before && tiles.has("fxkz") && drawn > 0, `layer 洪涝风险控制线 switched on: tiles fetched and ${drawn} features drawn`);
  await page.locator('input[data-layer="fxkz"]').uncheck();

  // Zoom into a county and click a patch: the popup shows its DLBM.
  const county = await page.evaluate(() => document.querySelector("#county-search option:nth-child(2)").value);
  await page.selectOption("#county-search", county);
  await page.waitForTimeout(900);
  await page.evaluate(() => window.onemapMap.jumpTo({ zoom: Math.max(window.onemapMap.getZoom(), 11) }));
  await idle();
  const target = await page.evaluate(() => {
    const m = window.onemapMap;
    const c = m.getCanvas().getBoundingClientRect();
    for (let y = c.height * 0.3; y < c.height * 0.7; y += 23) {
      for (let x = c.width * 0.3; x < c.width * 0.7; x += 23) {
        const f = m.queryRenderedFeatures([x, y], { layers: ["dltb_2025"] });
        if (f.length) return { x: c.left + x, y: c.top + y, dlbm: String(f[0].properties.DLBM) };
      }
    }
    return null;
  });
  check(target !== null, "a patch of the survey is drawn after zooming into a county");
  if (target) {
    await page.mouse.click(target.x, target.y);
    const cell = page.locator('.maplibregl-popup td[data-field="DLBM"]').first();
    await cell.waitFor({ timeout: 10000 });
    const shown = (await cell.textContent()).trim();
    check(shown === target.dlbm, `popup shows DLBM ${shown} (the tile says ${target.dlbm})`);
    await shot("02-popup");
    await page.keyboard.press("Escape");
    await page.locator(".maplibregl-popup-close-button").click().catch(() => {});
  }

  // Attribute table of the visible area.
  await page.selectOption("#table-layer", "dltb_2025");
  await page.click("#show-table");
  await page.locator("#attr-grid tbody tr").first().waitFor({ timeout: 20000 });
  const rows = await page.locator("#attr-grid tbody tr").count();
  check(rows > 0, `attribute table lists ${rows} features of the view`);
  await shot("03-attribute-table");

  // Measuring: three clicks and finish; the area comes back in 亩 and 公顷.
  await page.click("#measure");
  const box = await page.locator("#map canvas").boundingBox();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 3;
  for (const [dx, dy] of [[0, 0], [120, 0], [120, 90]]) {
    await page.mouse.click(cx + dx, cy + dy);
    await page.waitForTimeout(350);
  }
  await page.click("#measure");
  await page.waitForFunction(() => document.querySelector("#measure-out").textContent.includes("亩"), null, { timeout: 10000 });
  const measured = await page.locator("#measure-out").textContent();
  check(/公顷/.test(measured) && /平方米/.test(measured), `measuring: ${measured.replace(/\s+/g, " ").slice(0, 80)}`);

  // Swipe: two survey years side by side.
  await page.locator("#swipe-toggle").check();
  await page.locator(".swipe-handle").waitFor({ timeout: 20000 });
  await page.waitForTimeout(1500);
  check(tiles.has("dltb_2024"), "swipe: the earlier survey's tiles loaded");
  await shot("04-swipe");
  await page.locator("#swipe-toggle").uncheck();

  // 指标监测: a coloured card for each of the six binding indicators.
  await page.goto(`${base}/#/indicators`);
  await page.locator("#binding-cards .card").first().waitFor({ timeout: 300000 });
  const cards = await page.$$eval("#binding-cards .card", (cs) =>
    cs.map((c) => ({ id: c.dataset.indicator, status: c.dataset.status, colour: getComputedStyle(c).borderTopColor })),
  );
  check(cards.length === 6, `dashboard: ${cards.length} binding indicator cards (${cards.map((c) => c.id).join(", ")})`);
  const grey = "rgb(158, 158, 158)";
  check(cards.every((c) => ["green", "yellow", "red"].includes(c.status) && c.colour !== grey), `every card is red, yellow or green (${cards.map((c) => c.status).join(", ")})`);
  check(await page.locator("#county-table tbody tr").count() > 6, "dashboard: the per-county table");
  check(await page.locator(".chart canvas").count() >= 6, "dashboard: a trend chart per binding indicator");
  const href = await page.locator("#health-link").getAttribute("href");
  const report = await page.request.get(`${base}${href}`);
  check(report.ok() && (await report.text()).includes("体检"), "dashboard: the health-check report link opens");
  await shot("05-indicators");

  // 合规审查: upload a demo TXT (a road through permanent farmland) and read the verdict.
  await page.goto(`${base}/#/review`);
  await page.locator("#upload").waitFor({ timeout: 30000 });
  const txt = readdirSync(projects).find((f) => f.includes("永久基本农田"));
  await page.setInputFiles("#upload", path.join(projects, txt));
  await page.locator("#verdict").waitFor({ timeout: 30000 });
  const verdict = (await page.locator("#verdict").textContent()).trim();
  check(verdict === "禁止", `review of ${txt}: verdict ${verdict}`);
  check(await page.locator("#review-result table.grid").count() > 0, "review: control-line table shown");
  await page.waitForTimeout(1200);
  await shot("06-review");
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 30000 }), page.click("#report-docx")]);
  check(dl.suggestedFilename().endsWith(".docx"), `review: report downloads as ${dl.suggestedFilename()}`);

  // A malformed upload gets the server's message, not a broken page.
  expectFailure = /\/api\/check/;
  await page.setInputFiles("#upload", { name: "坏文件.txt", mimeType: "text/plain", buffer: Buffer.from("not a coordinate file") });
  await page.locator("#review-result .error").waitFor({ timeout: 10000 });
  check(true, `review: malformed upload → ${(await page.locator("#review-result .error").textContent()).slice(0, 60)}`);

  expectFailure = null;

  // Drawing a parcel on the map and reviewing it.
  await page.click("#draw");
  const mb = await page.locator("#map canvas").boundingBox();
  for (const [dx, dy] of [[0, 0], [60, 0], [60, 50], [0, 50]]) {
    await page.mouse.click(mb.x + mb.width / 2 + dx, mb.y + mb.height / 2 + dy);
    await page.waitForTimeout(350);
  }
  await page.click("#draw");
  await page.locator("#verdict").waitFor({ timeout: 30000 });
  check(true, `review of a drawn parcel: ${(await page.locator("#verdict").textContent()).trim()}`);

  // 合规审查 → 专项规划冲突检测: the demo's road plan with its KD widths; the conflicts per
  // layer, the list, the roads on the map; the GeoPackage for QGIS downloads.
  await page.click("#tab-special");
  await page.fill("#width-field", "KD");
  const roads = path.join(path.dirname(store), "source", "special", "roads.gpkg");
  await page.setInputFiles("#special-upload", roads);
  await page.locator("#conflict-summary").waitFor({ timeout: 60000 });
  const summary = (await page.locator("#conflict-summary").textContent()).trim();
  check(/共 60 个要素/.test(summary), `conflicts: ${summary}`);
  const listed = await page.locator("#conflict-list > li").count();
  check(listed > 0 && (await page.locator("#conflict-layers tbody tr").count()) > 0, `conflicts: ${listed} features listed, totals by layer`);
  check(await page.evaluate(() => (document.querySelector("#map")?.dataset.specialFeatures) === "60"), "conflicts: the 60 roads drawn on the map");
  await page.waitForTimeout(1200);
  await shot("06b-conflicts");
  const [gp] = await Promise.all([page.waitForEvent("download", { timeout: 60000 }), page.click("#conflict-gpkg")]);
  check(gp.suggestedFilename().endsWith(".gpkg"), `conflicts: GeoPackage downloads as ${gp.suggestedFilename()}`);

  // 监测预警: the alert list; a click zooms to the polygon.
  await page.goto(`${base}/#/alerts`);
  await page.locator("#alert-table").waitFor({ timeout: 30000 });
  await idle();
  const alerts = await page.locator("#alert-table tbody tr").count();
  check(alerts > 0, `alerts: ${alerts} rows`);
  if (alerts > 0) {
    const z0 = await page.evaluate(() => window.onemapMap.getZoom());
    await page.locator("#alert-table tbody tr").first().click();
    await page.waitForTimeout(1200);
    const z1 = await page.evaluate(() => window.onemapMap.getZoom());
    check(z1 > z0, `alerts: clicking a row zooms in (${z0.toFixed(1)} → ${z1.toFixed(1)})`);
    const rule = await page.evaluate(() => document.querySelector("#alert-rule option:nth-child(2)").value);
    await page.selectOption("#alert-rule", rule);
    const filtered = await page.locator("#alert-table tbody tr").count();
    check(filtered > 0 && filtered <= alerts, `alerts: filter by rule ${rule} → ${filtered} rows`);
  }
  await shot("07-alerts");

  // 公众: the plan map and the binding indicators, no survey layers.
  tiles.clear();
  await page.goto(`${base}/public`);
  await ready();
  await idle();
  await page.locator("#binding-cards .card").first().waitFor({ timeout: 60000 });
  check(await page.locator("#binding-cards .card").count() === 6, "public: six binding indicator cards");
  const surveyLayers = await page.evaluate(() => window.onemapMap.getStyle().layers.filter((l) => l.source && l.source.startsWith("dltb")).length);
  check(surveyLayers === 0 && ![...tiles].some((t) => t.startsWith("dltb")), "public: no survey layer on the public map");
  check(await page.locator("nav a[href='#/review']").count() === 0, "public: no staff pages in the navigation");
  await shot("08-public");

  // Sign-in: with users in the store, a server on it asks for one; each role sees its pages.
  const counties = (await (await fetch(`${base}/api/meta`)).json()).counties;
  const password = "browser-test-pw";
  for (const [name, role] of [
    ["city1", "city"],
    ["approver1", "approver"],
    ["county1", `county:${counties[0].code}`],
  ]) {
    const r = spawnSync(bin, ["user", "add", name, "--role", role, "--store", store], {
      encoding: "utf8",
      env: { ...process.env, ONEMAP_PASSWORD: password },
    });
    if (r.status !== 0) throw new Error(`onemap user add ${name}: ${r.stderr}`);
  }
  secured = await serve(store);
  await page.context().close();
  page = await watchedPage();
  tiles.clear();
  await page.goto(`${secured.base}/`);
  await ready();
  check(await page.locator("#login-name").isVisible(), "sign-in: the application asks for a sign-in");
  check(await page.locator("nav a[href='#/map']").count() === 0 && tiles.size === 0, "sign-in: nothing of the map before it");
  await shot("09-sign-in");
  expectFailure = /\/api\/session$/;
  await page.fill("#login-name", "city1");
  await page.fill("#login-password", "wrong-password");
  await page.click("#login-submit");
  await page.locator("#login-status .error").waitFor({ timeout: 30000 });
  check((await page.locator("#login-status .error").textContent()).includes("用户名或密码错误"), "sign-in: a wrong password is refused with a message");
  expectFailure = null;
  const signInAs = async (name) => {
    await page.fill("#login-name", name);
    await page.fill("#login-password", password);
    await Promise.all([page.waitForNavigation(), page.click("#login-submit")]);
    await ready();
    await page.locator("#user-name").waitFor({ timeout: 30000 });
  };
  const navRoutes = () => page.locator("nav a[data-route]").evaluateAll((as) => as.map((a) => a.dataset.route));
  // A county user: their county only, no report.
  await signInAs("county1");
  check((await page.locator("#user-name").textContent()).includes(counties[0].name), "county user: named with the county");
  check(JSON.stringify(await navRoutes()) === JSON.stringify(["map", "indicators", "review", "alerts"]), "county user: map, indicators, review and alerts pages");
  await idle();
  check(await page.locator("#county-search option").evaluateAll((o) => o.filter((x) => x.value).length) === 1, "county user: one county to locate");
  check([...tiles].some((t) => t.startsWith("dltb")), "county user: the survey tiles load");
  await shot("10-county-map");
  await page.goto(`${secured.base}/#/indicators`);
  await ready();
  await page.locator("#binding-cards .card").first().waitFor({ timeout: 120000 });
  check((await page.locator("#county-table thead").textContent()).includes("本级") && (await page.locator("#health-link").count()) === 0, "county user: the county's indicators, no city report");
  await shot("11-county-indicators");
  await page.click("#sign-out");
  await page.locator("#login-name").waitFor({ timeout: 30000 });
  check(true, "sign-out: back to the sign-in");
  // The approver: no review page.
  await signInAs("approver1");
  check(!(await navRoutes()).includes("review"), "approver: no review page");
  // The public page, signed in or not, shows what the public sees.
  await page.goto(`${secured.base}/public`);
  await ready();
  await page.locator("#binding-cards .card").first().waitFor({ timeout: 60000 });
  check(await page.locator("#binding-cards .card").count() === 6, "public page with users: six binding indicator cards");

  check(failed.length === 0, `no failed requests${failed.length ? `: ${failed.slice(0, 3).join(" | ")}` : ""}`);
  check(errors.length === 0, `no script errors${errors.length ? `: ${errors.slice(0, 3).join(" | ")}` : ""}`);
} catch (e) {
  problems.push(String(e && e.stack ? e.stack : e));
  console.log("FAIL", e);
  await shot("failure").catch(() => {});
} finally {
  await browser.close();
  server.kill("SIGTERM");
  secured?.proc.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
console.log(`web checks: ${problems.length} problems; screenshots in ${out}`);
process.exit(problems.length ? 1 : 0);
