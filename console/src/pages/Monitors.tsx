// The monitors list: live status by polling, filter (by name, address or
// tag), sort, grouped by tag if asked, and for the rows on screen their
// uptime over 24 h, 7 d and 30 d, p95 and a sparkline of the last day. Only the rows in view are rendered, and only theirs
// figures fetched, so 10,000 monitors scroll like 10.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, getAll, type Monitor } from "../api";
import { ago, health, ms } from "../format";
import { onLink } from "../router";

const POLL_MS = 5_000;
const ROW_PX = 56;
const OVERSCAN = 8;
const STATS_TTL_MS = 60_000;
const STATS_BATCH = 200;
type SortKey = "status" | "name" | "response" | "uptime";

interface Stats {
  id: number;
  uptime_24h: number | null;
  uptime_7d: number | null;
  uptime_30d: number | null;
  p95_24h_us: number | null;
  p50_by_hour_us: (number | null)[];
  fetched: number;
}

function pct(v: number | null | undefined): string {
  if (v == null) return "–";
  return (v >= 99.995 ? "100" : v.toFixed(2)) + " %";
}

function Sparkline(props: { values: (number | null)[] }) {
  const vals = props.values;
  const max = Math.max(1, ...vals.map((v) => v ?? 0));
  const w = 100, h = 24, step = w / Math.max(1, vals.length - 1);
  const parts: string[] = [];
  vals.forEach((v, i) => {
    if (v == null) return;
    const prev = i > 0 && vals[i - 1] != null;
    parts.push((prev ? "L" : "M") + (i * step).toFixed(1) + " " + (h - 2 - ((h - 4) * v) / max).toFixed(1));
  });
  return (
    <svg class="spark" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" aria-hidden="true">
      <path d={parts.join(" ")} />
    </svg>
  );
}

export function Monitors(props: { admin: boolean }) {
  const [monitors, setMonitors] = useState<Monitor[] | null>(null);
  const [error, setError] = useState("");
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SortKey>("status");
  const [grouped, setGrouped] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [view, setView] = useState({ start: 0, end: 30 });
  const [stats, setStats] = useState<Map<number, Stats>>(new Map());
  const body = useRef<HTMLDivElement>(null);
  const [drop, setDrop] = useState(false);
  useEffect(() => {
    if (props.admin) get<{ mail: string }>("/api/v1/server").then((s) => setDrop(s.mail === "drop"));
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer = 0;
    async function load() {
      try {
        const list = await getAll<Monitor>("/api/v1/monitors?limit=1000");
        if (stopped) return;
        setMonitors(list);
        setError("");
        setNow(Date.now());
      } catch {
        if (!stopped) setError("The server did not answer; retrying.");
      }
      if (!stopped) timer = window.setTimeout(load, POLL_MS);
    }
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const shown = useMemo(() => {
    if (!monitors) return [];
    const f = filter.trim().toLowerCase();
    const rank = (m: Monitor) => (!m.latest ? 1 : m.latest.outcome === "ok" ? 2 : 0);
    const uptime = (m: Monitor) => stats.get(m.id)?.uptime_24h ?? 101;
    return monitors
      .filter((m) => !f || m.name.toLowerCase().includes(f) || m.url.toLowerCase().includes(f) ||
        m.tags.some((t) => t.toLowerCase() === f))
      .sort((a, b) =>
        sort === "name" ? a.name.localeCompare(b.name)
          : sort === "response" ? (b.latest?.total_us ?? -1) - (a.latest?.total_us ?? -1)
            : sort === "uptime" ? uptime(a) - uptime(b) || a.name.localeCompare(b.name)
              : rank(a) - rank(b) || a.name.localeCompare(b.name));
  }, [monitors, filter, sort, sort === "uptime" ? stats : null]);

  // What the list shows, row by row: the monitors, or under each tag (a
  // monitor with several tags under each) a heading and its monitors.
  type Item = { group: string; count: number } | { m: Monitor };
  const items: Item[] = useMemo(() => {
    if (!grouped) return shown.map((m) => ({ m }));
    const byTag = new Map<string, Monitor[]>();
    for (const m of shown) {
      for (const t of m.tags.length ? m.tags : [""]) {
        if (!byTag.has(t)) byTag.set(t, []);
        byTag.get(t)!.push(m);
      }
    }
    const out: Item[] = [];
    const names = [...byTag.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
    for (const t of names) {
      out.push({ group: t, count: byTag.get(t)!.length });
      for (const m of byTag.get(t)!) out.push({ m });
    }
    return out;
  }, [shown, grouped]);

  // The rows in view (with some either side), from the page's scroll.
  useLayoutEffect(() => {
    const update = () => {
      const el = body.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top;
      const first = Math.max(0, Math.floor(-top / ROW_PX) - OVERSCAN);
      const count = Math.ceil(window.innerHeight / ROW_PX) + 2 * OVERSCAN;
      setView((v) => (v.start === first && v.end === first + count ? v : { start: first, end: first + count }));
    };
    update();
    window.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    return () => {
      window.removeEventListener("scroll", update);
      window.removeEventListener("resize", update);
    };
  }, [monitors !== null]);

  // Figures for the rows in view that have none or old ones.
  const visible = items.slice(view.start, Math.min(view.end, items.length));
  const wanted = visible.flatMap((i) => ("m" in i ? [i.m] : [])).filter((m) => {
    const s = stats.get(m.id);
    return !s || Date.now() - s.fetched > STATS_TTL_MS;
  }).map((m) => m.id);
  const wantedKey = wanted.join(",");
  useEffect(() => {
    if (!wanted.length) return;
    const timer = window.setTimeout(async () => {
      try {
        const got = await get<{ stats: Stats[] }>(
          "/api/v1/monitors/stats?ids=" + wanted.slice(0, STATS_BATCH).join(","));
        const at = Date.now();
        setStats((old) => {
          const next = new Map(old);
          for (const s of got.stats) next.set(s.id, { ...s, fetched: at });
          return next;
        });
      } catch {
        // The next scroll or poll asks again.
      }
    }, 120);
    return () => clearTimeout(timer);
  }, [wantedKey]);

  const down = monitors?.filter((m) => m.latest && m.latest.outcome !== "ok").length ?? 0;
  return (
    <main>
      <div class="bar">
        <h1>Monitors</h1>
        <a class="button" href="/monitors/new" onClick={onLink}>Add a monitor</a>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {drop && (
        <p class="note" role="note">Alerts and other mail go to the local mail drop (the
          data directory's mail/new) until an SMTP server is set:{" "}
          <a href="/admin#mail" onClick={onLink}>set it on the administration page</a>.</p>
      )}
      {monitors === null ? (
        <p aria-busy="true">Loading…</p>
      ) : monitors.length === 0 ? (
        <div class="empty">
          <p>Nothing is watched yet.</p>
          <p><a class="button" href="/monitors/new" onClick={onLink}>Add your first monitor</a></p>
        </div>
      ) : (
        <>
          <p class="summary" aria-live="polite">
            {monitors.length} {monitors.length === 1 ? "monitor" : "monitors"},{" "}
            {down === 0 ? "all up" : `${down} down`}
          </p>
          <div class="controls">
            <label>
              Filter <input type="search" value={filter}
                onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
            </label>
            <label>
              Sort by{" "}
              <select value={sort}
                onChange={(e) => setSort((e.currentTarget as HTMLSelectElement).value as SortKey)}>
                <option value="status">status (down first)</option>
                <option value="name">name</option>
                <option value="response">response time</option>
                <option value="uptime">uptime over 24 h (lowest first)</option>
              </select>
            </label>
            <label>
              <input type="checkbox" checked={grouped}
                onChange={(e) => setGrouped((e.currentTarget as HTMLInputElement).checked)} />{" "}
              Group by tag
            </label>
          </div>
          <div class="list" role="table" aria-label="Monitors" aria-rowcount={items.length + 1}>
            <div role="rowgroup">
              <div role="row" class="lrow head" aria-rowindex={1}>
                <span role="columnheader">Status</span>
                <span role="columnheader">Name</span>
                <span role="columnheader">Response</span>
                <span role="columnheader" class="wide" title="95th percentile over 24 hours">p95</span>
                <span role="columnheader" title="Uptime over 24 hours">Up 24 h</span>
                <span role="columnheader" class="wide" title="Uptime over 7 days">7 d</span>
                <span role="columnheader" class="wide" title="Uptime over 30 days">30 d</span>
                <span role="columnheader" class="wide" title="Median response, hour by hour">Trend</span>
                <span role="columnheader" class="wide">Checked</span>
              </div>
            </div>
            <div role="rowgroup" ref={body} class="lbody" style={{ height: items.length * ROW_PX + "px" }}>
              <div style={{ transform: `translateY(${view.start * ROW_PX}px)` }}>
                {visible.map((item, i) => {
                  if (!("m" in item)) {
                    return (
                      <div role="row" class="lrow group" key={"g:" + item.group} aria-rowindex={view.start + i + 2}>
                        <span role="rowheader">{item.group || "No tag"} <small class="muted">({item.count})</small></span>
                      </div>
                    );
                  }
                  const m = item.m;
                  const h = health(m.latest?.outcome);
                  const s = stats.get(m.id);
                  return (
                    <div role="row" class="lrow" key={grouped ? `${m.id}:${view.start + i}` : m.id} aria-rowindex={view.start + i + 2}>
                      <span role="cell">
                        <span class={"dot " + h.cls} aria-hidden="true" />
                        <span class="status-word">{m.enabled ? h.word : "paused"}</span>
                      </span>
                      <span role="cell" class="name">
                        <a href={"/monitors/" + m.id} onClick={onLink}>{m.name}</a>
                        <small class="url">{m.tags.map((t) => <span class="tag" key={t}>{t}</span>)}{m.url}</small>
                      </span>
                      <span role="cell">{m.latest ? ms(m.latest.total_us) : "–"}</span>
                      <span role="cell" class="wide">{s?.p95_24h_us != null ? ms(s.p95_24h_us) : "–"}</span>
                      <span role="cell">{pct(s?.uptime_24h)}</span>
                      <span role="cell" class="wide">{pct(s?.uptime_7d)}</span>
                      <span role="cell" class="wide">{pct(s?.uptime_30d)}</span>
                      <span role="cell" class="wide">{s && <Sparkline values={s.p50_by_hour_us} />}</span>
                      <span role="cell" class="wide">{m.latest ? ago(m.latest.ts_ms, now) : "not yet"}</span>
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </>
      )}
    </main>
  );
}
