// A printable report of one monitor or a group (a tag, or all) over any
// range (this or last month or quarter, or custom): uptime against an SLA
// target with the downtime it allows and the downtime the incidents took,
// checks and percentiles, a chart per monitor, and every incident with its
// duration and cause. Print styles drop the controls; both tables download
// as CSV. The choice lives in the address (?monitor=, ?tag=, from, to,
// sla), so a report can be bookmarked and shared with teammates.
import { useEffect, useState } from "preact/hooks";
import { get, getAll, type FullIncident, type Monitor, type Summary } from "../api";
import { PercentileChart, type SeriesPoint } from "../charts";
import { download, toCsv } from "../csv";
import { ms, when } from "../format";
import { navigate, onLink } from "../router";

const DAY = 86_400_000;
const MAX_INCIDENT_PAGES = 20;

interface Row {
  monitor: Monitor;
  summary: Summary;
  points: SeriesPoint[];
  incidents: FullIncident[];
  downtime_ms: number;
}

function startOfMonth(d: Date, back = 0): number {
  return new Date(d.getFullYear(), d.getMonth() - back, 1).getTime();
}
function startOfQuarter(d: Date, back = 0): number {
  return new Date(d.getFullYear(), Math.floor(d.getMonth() / 3) * 3 - 3 * back, 1).getTime();
}

// The named ranges, in local time: [from, to).
function presets(now = new Date()): [string, number, number][] {
  return [
    ["this month", startOfMonth(now), now.getTime()],
    ["last month", startOfMonth(now, 1), startOfMonth(now)],
    ["this quarter", startOfQuarter(now), now.getTime()],
    ["last quarter", startOfQuarter(now, 1), startOfQuarter(now)],
  ];
}

function duration(msecs: number): string {
  const s = Math.round(msecs / 1000);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
}

function dateInput(msecs: number): string {
  const d = new Date(msecs - new Date(msecs).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 10);
}

// Down incidents of the range, newest first, paged until past its start.
async function incidentsOf(ids: Set<number>, from: number, to: number): Promise<FullIncident[]> {
  const out: FullIncident[] = [];
  let before = 0;
  for (let i = 0; i < MAX_INCIDENT_PAGES; i++) {
    const page: { incidents: FullIncident[]; next_before_id: number | null } = await get(
      "/api/v1/incidents?limit=200" + (before ? "&before_id=" + before : ""));
    for (const inc of page.incidents) {
      const end = inc.ended_ms || Date.now();
      if (ids.has(inc.monitor_id) && inc.started_ms < to && end > from) out.push(inc);
    }
    const last = page.incidents[page.incidents.length - 1];
    if (!page.next_before_id || !last || (last.ended_ms && last.ended_ms < from)) break;
    before = page.next_before_id;
  }
  return out;
}

function downtimeIn(incidents: FullIncident[], from: number, to: number): number {
  let total = 0;
  for (const inc of incidents) {
    if (inc.kind !== "down") continue;
    total += Math.max(0, Math.min(inc.ended_ms || Date.now(), to) - Math.max(inc.started_ms, from));
  }
  return total;
}

export function Report() {
  // The query is this page's state: kept in the address, read from here.
  const [search, setSearch] = useState(location.search);
  const params = new URLSearchParams(search);
  const [monitors, setMonitors] = useState<Monitor[] | null>(null);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState("");
  const [named] = useState(presets());
  const from = Number(params.get("from")) || named[1][1];
  const to = Number(params.get("to")) || named[1][2];
  const sla = Number(params.get("sla")) || 99.9;
  const monitorId = params.get("monitor") ?? "";
  const tag = params.get("tag") ?? "";

  useEffect(() => {
    getAll<Monitor>("/api/v1/monitors?limit=1000").then(setMonitors)
      .catch(() => setError("The server did not answer."));
  }, []);

  const chosen = (monitors ?? []).filter((m) =>
    monitorId ? String(m.id) === monitorId : tag ? m.tags.includes(tag) : true);
  const label = monitorId ? chosen[0]?.name ?? "a monitor" : tag ? `tag "${tag}"` : "all monitors";

  useEffect(() => {
    if (!monitors) return;
    let stopped = false;
    setRows(null);
    (async () => {
      try {
        const ids = new Set(chosen.map((m) => m.id));
        const incidents = await incidentsOf(ids, from, to);
        const q = `from_ms=${from}&to_ms=${to}`;
        const out = await Promise.all(chosen.map(async (m) => {
          const [summary, series] = await Promise.all([
            get<Summary>(`/api/v1/monitors/${m.id}/summary?${q}`),
            get<{ points: SeriesPoint[] }>(`/api/v1/monitors/${m.id}/series?${q}&step=${
              to - from <= 2 * DAY ? "hour" : "day"}`),
          ]);
          const mine = incidents.filter((i) => i.monitor_id === m.id);
          return { monitor: m, summary, points: series.points, incidents: mine,
            downtime_ms: downtimeIn(mine, from, to) };
        }));
        if (!stopped) setRows(out);
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : "The server did not answer.");
      }
    })();
    return () => { stopped = true; };
  }, [monitors, search]);

  function go(next: Record<string, string | number>) {
    const p = new URLSearchParams({ from: String(from), to: String(to), sla: String(sla),
      ...(monitorId ? { monitor: monitorId } : {}), ...(tag ? { tag } : {}) });
    for (const [k, v] of Object.entries(next)) {
      if (v === "") p.delete(k);
      else p.set(k, String(v));
    }
    navigate("/report?" + p.toString(), true);
    setSearch("?" + p.toString());
  }

  const allowed = (to - from) * (1 - sla / 100);
  const tags = [...new Set((monitors ?? []).flatMap((m) => m.tags))].sort();

  function csvOfMonitors() {
    if (!rows) return;
    download("report.csv", toCsv(
      ["monitor", "url", "from (UTC)", "to (UTC)", "checks", "failures", "uptime %", "SLA %",
        "SLA met", "downtime s", "allowed downtime s", "incidents", "p50 ms", "p95 ms", "p99 ms"],
      rows.map((r) => [r.monitor.name, r.monitor.url, new Date(from).toISOString(),
        new Date(to).toISOString(), r.summary.count, r.summary.failures,
        r.summary.availability_percent, sla, r.summary.availability_percent === null ? ""
          : r.summary.availability_percent >= sla ? "yes" : "no",
        Math.round(r.downtime_ms / 1000), Math.round(allowed / 1000), r.incidents.length,
        r.summary.p50_us / 1000, r.summary.p95_us / 1000, r.summary.p99_us / 1000])));
  }

  function csvOfIncidents() {
    if (!rows) return;
    download("report-incidents.csv", toCsv(
      ["monitor", "kind", "started (UTC)", "ended (UTC)", "duration s", "cause"],
      rows.flatMap((r) => r.incidents.map((i) => [r.monitor.name, i.kind,
        new Date(i.started_ms).toISOString(), i.ended_ms ? new Date(i.ended_ms).toISOString() : "",
        Math.round(((i.ended_ms || Date.now()) - i.started_ms) / 1000),
        i.cause.detail || i.cause.outcome]))));
  }

  return (
    <main class="report">
      <h1>Report: {label}</h1>
      <p>{when(from)} to {when(to)} · SLA target {sla} % (allows {duration(allowed)} down) ·
        made {when(Date.now())}</p>
      <form class="card no-print" onSubmit={(e) => {
        e.preventDefault();
        const f = e.currentTarget as HTMLFormElement;
        const value = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value;
        const a = Date.parse(value("from") + "T00:00");
        const b = Date.parse(value("to") + "T00:00") + DAY;
        const s = Number(value("sla"));
        const what = value("what");
        go({ from: a, to: b, sla: s > 0 && s <= 100 ? s : 99.9,
          monitor: what.startsWith("m:") ? what.slice(2) : "",
          tag: what.startsWith("t:") ? what.slice(2) : "" });
      }}>
        <div class="ranges" role="group" aria-label="Range">
          {named.map(([name, a, b]) => (
            <button type="button" key={name} aria-pressed={from === a && to === b}
              onClick={() => go({ from: a, to: b })}>{name}</button>
          ))}
        </div>
        <p class="field weekly-when">
          <label for="r-what">Of</label>
          <select id="r-what" name="what" value={monitorId ? "m:" + monitorId : tag ? "t:" + tag : ""}>
            <option value="">all monitors</option>
            {tags.map((t) => <option key={t} value={"t:" + t}>tag {t}</option>)}
            {(monitors ?? []).map((m) => <option key={m.id} value={"m:" + m.id}>{m.name}</option>)}
          </select>
          <label for="r-from">from</label>
          <input id="r-from" name="from" type="date" defaultValue={dateInput(from)} key={"f" + from} />
          <label for="r-to">to (inclusive)</label>
          <input id="r-to" name="to" type="date" defaultValue={dateInput(to - 1)} key={"t" + to} />
          <label for="r-sla">SLA target %</label>
          <input id="r-sla" name="sla" type="number" min="1" max="100" step="0.001"
            defaultValue={String(sla)} key={"s" + sla} />
          <button type="submit">Show</button>
        </p>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {!rows && !error && <p aria-busy="true">Loading…</p>}
      {rows && rows.length === 0 && <p>No monitor in this report.</p>}
      {rows && rows.length > 0 && (
        <>
          <table>
            <caption>Uptime against the SLA target</caption>
            <thead>
              <tr><th scope="col">Monitor</th><th scope="col">Uptime</th><th scope="col">SLA</th>
                <th scope="col">Down (incidents)</th><th scope="col">Checks</th>
                <th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const a = r.summary.availability_percent;
                return (
                  <tr key={r.monitor.id}>
                    <th scope="row"><a href={"/monitors/" + r.monitor.id} onClick={onLink}>
                      {r.monitor.name}</a></th>
                    <td>{a === null ? "no checks" : a.toFixed(3) + " %"}</td>
                    <td class={a === null ? "" : a >= sla ? "met" : "missed"}>
                      {a === null ? "–" : a >= sla ? "met" : "missed"}</td>
                    <td>{duration(r.downtime_ms)} ({r.incidents.filter((i) => i.kind === "down").length})</td>
                    <td>{r.summary.count} ({r.summary.failures} failed)</td>
                    <td>{ms(r.summary.p50_us)}</td><td>{ms(r.summary.p95_us)}</td>
                    <td>{ms(r.summary.p99_us)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p class="actions no-print">
            <button type="button" onClick={() => window.print()}>Print</button>
            <button type="button" class="secondary" onClick={csvOfMonitors}>Download the figures (CSV)</button>
            <button type="button" class="secondary" onClick={csvOfIncidents}>Download the incidents (CSV)</button>
          </p>
          {rows.map((r) => (
            <section key={r.monitor.id} class="report-monitor" aria-labelledby={"rm-" + r.monitor.id}>
              <h2 id={"rm-" + r.monitor.id}>{r.monitor.name}</h2>
              <p class="url">{r.monitor.url}</p>
              {r.points.some((p) => p.count > p.failures) && (
                <PercentileChart points={r.points} from_ms={from} to_ms={to}
                  incidents={r.incidents.map((i) => ({ from_ms: i.started_ms, to_ms: i.ended_ms }))} />
              )}
              {r.incidents.length === 0 ? <p>No incident.</p> : (
                <table>
                  <caption>Incidents</caption>
                  <thead><tr><th scope="col">Started</th><th scope="col">Duration</th>
                    <th scope="col">Kind</th><th scope="col">Cause</th></tr></thead>
                  <tbody>
                    {r.incidents.map((i) => (
                      <tr key={i.id}>
                        <td>{when(i.started_ms)}</td>
                        <td>{duration((i.ended_ms || Date.now()) - i.started_ms)}{i.ended_ms ? "" : " (open)"}</td>
                        <td>{i.kind}</td>
                        <td>{i.cause.detail || i.cause.outcome}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </>
      )}
    </main>
  );
}
