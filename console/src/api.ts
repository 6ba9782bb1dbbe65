// The console's only door to the server: JSON over /api/v1 with the
// session cookie, and the CSRF token on every request that changes state.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = "";

export function setCsrf(token: string): void {
  csrfToken = token;
}

export interface Reply<T> {
  data: T;
  headers: Headers;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | null)
      ?.error;
    throw new ApiError(res.status, e?.code ?? "http_" + res.status, e?.message ?? res.statusText,
      e?.field);
  }
  return { data: data as T, headers: res.headers };
}

export async function get<T>(path: string): Promise<T> {
  return (await call<T>("GET", path)).data;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await call<T>(method, path, body)).data;
}

// Every page of a paged list, following the Link rel="next" headers.
export async function getAll<T>(path: string, maxPages = 100): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = path;
  for (let i = 0; next && i < maxPages; i++) {
    const reply: Reply<T[]> = await call<T[]>("GET", next);
    out.push(...reply.data);
    const link = reply.headers.get("Link") ?? "";
    const m = /<([^>]+)>;\s*rel="next"/.exec(link);
    next = m ? m[1] : null;
  }
  return out;
}

export interface User {
  id: number;
  name: string;
  email: string;
  admin: boolean;
  personal_workspace_id: number;
  totp_enabled: boolean;
}

export interface ServerInfo {
  first_run: boolean;
  registration: "open" | "invite";
  mail: "smtp" | "drop";
}

export interface Latest {
  ts_ms: number;
  outcome: string;
  status: number;
  total_us: number;
  detail: string;
}

export interface Monitor {
  id: number;
  workspace_id: number | null;
  managed_by: "file" | "api";
  name: string;
  url: string;
  interval_s: number;
  enabled: boolean;
  tags: string[];
  latest?: Latest;
}

export interface CheckResult {
  ts_ms: number;
  outcome: string;
  status: number;
  ip: string;
  dns_us: number;
  connect_us: number;
  tls_us: number;
  ttfb_us: number;
  download_us: number;
  total_us: number;
  detail: string;
}

export interface Summary {
  count: number;
  failures: number;
  availability_percent: number | null;
  p50_us: number;
  p95_us: number;
  p99_us: number;
  phases_mean_us: { checks: number; dns_us: number; connect_us: number; tls_us: number;
    ttfb_us: number; download_us: number } | null;
}

export interface Incident {
  id: number;
  kind: string;
  started_ms: number;
  ended_ms: number;
  acked_ms: number;
  cause: { outcome: string; status: number; detail: string; ip?: string };
}

export interface Notification {
  channel: string;
  event: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  created_ms: number;
  delivered_ms: number;
  last_error: string;
}

export interface FullIncident extends Incident {
  monitor_id: number;
  confirmed_ms: number;
  acked_by: string;
  held: boolean;
  notifications: Notification[];
}
