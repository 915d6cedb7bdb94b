// The server's API as the pages use it: typed fetches that turn the server's one error shape
// {"error": {"code", "message"}} into an Error with the message.

import type { Geometry } from "geojson";

export type BBox = [number, number, number, number];

export interface CollectionRef {
  id: string;
  name: string;
  start: number;
  end: number;
  bbox: BBox | null;
}

export interface LayerMeta {
  id: string;
  name: string;
  kind: string;
  kind_name: string;
  group: "现状" | "规划";
  year: number | null;
  features: number;
  bbox: BBox | null;
  collections: CollectionRef[];
}

export interface County {
  code: string;
  name: string;
  bbox: BBox | null;
}

export interface PlanVersionMeta {
  version: number;
  approval: string;
  approved_on: string;
  authority: string;
  note: string;
}

/** The signed-in user (name null for the public) and their rights. */
export interface UserInfo {
  name: string | null;
  /** admin, city, approver, county:<XZQDM> or public. */
  role: string;
  county: { code: string; name: string } | null;
  /** read, review, monitor, alerts, reports, amendments, admin. */
  rights: string[];
  /** The store has no users: everyone is admin, no sign-in. */
  open: boolean;
}

export interface Meta {
  user: UserInfo;
  region: { code: string; name: string };
  /** What the public page shows: layer kinds and indicator ids (the plan file's [public]). */
  public: { layers: string[]; indicators: string[] };
  /** The approved plan versions in the store, oldest first (the last is in force). */
  versions: PlanVersionMeta[];
  plan: { name: string; approval: string; approved_on: string; base_year: number; target_year: number };
  year: number;
  years: number[];
  layers: LayerMeta[];
  counties: County[];
}

export interface UnitValue {
  code: string;
  name: string;
  value: number | null;
  status: string;
  target: number | null;
  change: number | null;
}

export interface Indicator {
  id: string;
  name: string;
  unit: string;
  /** Decimals the figures are given to. */
  decimals: number;
  value: number | null;
  target: number | null;
  rule: string;
  status: "green" | "yellow" | "red" | "grey" | string;
  reason: string;
  units: UnitValue[];
  binding: boolean;
  dimension: string;
  previous: number | null;
  series: { year: number; value: number | null }[];
  projection: number | null;
}

export interface Assessment {
  year: number;
  plan: string;
  region: { code: string; name: string };
  indicators: Indicator[];
}

export interface ControlRow {
  rule: string;
  kind: string;
  name: string;
  overlap_m2: number;
  overlap_mu: number;
  verdict: string;
}

export interface LanduseRow {
  dlbm: string;
  dlmc?: string;
  area_m2: number;
  [k: string]: unknown;
}

export interface ParcelReview {
  index: number;
  id: string | null;
  name: string | null;
  purpose: string;
  area_m2: number;
  verdict: string;
  reasons: string[];
  controls: ControlRow[];
  udb?: { inside_m2: number; outside_m2: number };
  landuse?: LanduseRow[];
  notes?: string[];
  [k: string]: unknown;
}

export interface CheckResult {
  year: number;
  plan: string;
  parcels: ParcelReview[];
}

export interface AlertItem {
  id: string;
  rule: string;
  rule_name: string;
  severity: string;
  unit: string;
  township: string;
  area_m2: number;
  from_dlbm: string;
  to_dlbm: string;
  geometry: Geometry | null;
}

export interface Alerts {
  run: { id: number; from: number; to: number; at: string; user: string } | null;
  alerts: AlertItem[];
}

/** Requests without the session cookie: the public page shows what the public sees, whoever
 * is signed in. */
let anonymous = false;
export function setAnonymous(on: boolean): void {
  anonymous = on;
}
export function credentials(): RequestCredentials {
  return anonymous ? "omit" : "same-origin";
}

/** Called when the server answers 401 (the session ended): the app shows the sign-in. */
let unauthorized: (message: string) => void = () => {};
export function onUnauthorized(f: (message: string) => void): void {
  unauthorized = f;
}

async function failure(r: Response): Promise<Error> {
  const e = await readError(r);
  if (r.status === 401 && !anonymous) unauthorized(e.message);
  return e;
}

async function readError(r: Response): Promise<Error> {
  try {
    const j = await r.json();
    if (j && j.error && j.error.message) return new Error(j.error.message);
  } catch {
    /* not JSON */
  }
  return new Error(`${r.status} ${r.statusText}`);
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { headers: { Accept: "application/json" }, credentials: credentials() });
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

export async function postJson<T>(url: string, body: BodyInit, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (contentType) headers["Content-Type"] = contentType;
  const r = await fetch(url, { method: "POST", body, headers, credentials: credentials() });
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

export async function postBlob(url: string, body: BodyInit, contentType?: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (contentType) headers["Content-Type"] = contentType;
  const r = await fetch(url, { method: "POST", body, headers, credentials: credentials() });
  if (!r.ok) throw await failure(r);
  return await r.blob();
}

let metaPromise: Promise<Meta> | null = null;
export function meta(): Promise<Meta> {
  if (!metaPromise) metaPromise = getJson<Meta>("/api/meta");
  return metaPromise;
}

const indicatorCache = new Map<string, Promise<Assessment>>();
export function indicators(year?: number): Promise<Assessment> {
  const key = year === undefined ? "" : String(year);
  let p = indicatorCache.get(key);
  if (!p) {
    p = getJson<Assessment>(`/api/indicators${year === undefined ? "" : `?year=${year}`}`);
    p.catch(() => indicatorCache.delete(key));
    indicatorCache.set(key, p);
  }
  return p;
}

/** Sign in; the server sets the session cookie. Throws with the server's message. */
export async function signIn(name: string, password: string): Promise<UserInfo> {
  const r = await fetch("/api/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ name, password }),
  });
  if (!r.ok) throw await readError(r);
  return (await r.json()) as UserInfo;
}

/** Sign out (the session ends on the server, the cookie is cleared). */
export async function signOut(): Promise<void> {
  await fetch("/api/session", { method: "DELETE" });
}

/** Whether the user holds a right. */
export function can(m: Meta, right: string): boolean {
  return m.user.rights.includes(right);
}

/** The role in words. */
export function roleText(u: UserInfo): string {
  if (u.open) return "本机用户（未启用登录）";
  if (u.county) return `${u.county.name}用户`;
  return { admin: "系统管理员", city: "市级用户", approver: "审批用户", public: "公众" }[u.role] ?? u.role;
}

/** One conflict of a special-plan feature with a control layer. */
export interface Conflict {
  kind: string;
  name: string;
  rule: string;
  overlap_m2: number;
  length_m: number | null;
  verdict: string;
}

/** A special-plan feature with conflicts (or outside the plan area). */
export interface FeatureConflicts {
  index: number;
  id: string | null;
  name: string | null;
  geometry_type: "point" | "line" | "polygon";
  length_m: number | null;
  footprint_m2: number;
  county_name: string | null;
  conflicts: Conflict[];
  verdict: string;
  reasons: string[];
  detour: { offset_m: number; overlap_m2: number; before_m2: number; avoids: boolean } | null;
}

export interface LayerTotal {
  kind: string;
  name: string;
  features: number;
  overlap_m2: number;
  overlap_ha: number;
  length_km: number;
}

export interface ConflictSummary {
  code?: string;
  name?: string;
  features: number;
  with_conflicts: number;
  without_conflicts: number;
  outside_plan_area: number;
  length_km: number;
  footprint_ha: number;
  layers: LayerTotal[];
}

/** The answer of POST /api/conflicts. */
export interface ConflictResult {
  file: string;
  plan: string;
  report: {
    plan_type_name: string;
    year: number;
    summary: ConflictSummary;
    counties: ConflictSummary[];
    features: FeatureConflicts[];
  };
  map: import("geojson").FeatureCollection;
}
