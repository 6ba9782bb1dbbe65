// One monitor: the report center. Its state and actions; a range (an hour
// to a year, or custom); the range's uptime, checks and percentiles; the
// response time stacked by phase (each check up to two days, from raw
// results; longer ranges the mean phases per hour or day, from the
// rollups) and p50/p95/p99 (any range, from the rollups); uptime per hour
// or day as a strip; incidents shaded on the charts and listed with their
// cause; the last checks with each one's phases. Any chart's data
// downloads as CSV.
import { useEffect, useMemo, useState } from "preact/hooks";
import { get, send, type CheckResult, type Incident, type Monitor, type Summary } from "../api";
import {
  PercentileChart, PhaseChart, UptimeStrip, Waterfall, type PhaseRow, type SeriesPoint, type Span,
} from "../charts";
import { download, toCsv } from "../csv";
import { ago, health, ms, when } from "../format";
import { navigate, onLink } from "../router";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RANGES: [string, number][] = [
  ["1 h", HOUR], ["24 h", DAY], ["7 d", 7 * DAY], ["30 d", 30 * DAY], ["90 d", 90 * DAY],
  ["1 year", 365 * DAY],
];
const RAW_MAX_SPAN = 2 * DAY;  // each check's phases up to this range; bucket means beyond
const RAW_MAX_PAGES = 5;
const POLL_MS = 10_000;

interface Detail extends Monitor {
  incidents: Incident[];
}
interface Series { step: string; step_s: number; points: SeriesPoint[] }

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

async function rawResults(id: string, from: number, to: number): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let next: number | null = from;
  for (let i = 0; next !== null && i < RAW_MAX_PAGES; i++) {
    const page: { results: CheckResult[]; next_from_ms: number | null } = await get(
      `/api/v1/monitors/${id}/results?from_ms=${next}&to_ms=${to}&limit=10000`);
    out.push(...page.results);
    next = page.next_from_ms;
  }
  return out;
}

export function MonitorPage(props: { id: string }) {
  const [monitor, setMonitor] = useState<Detail | null>(null);
  const [span, setSpan] = useState(DAY);
  const [custom, setCustom] = useState<{ from: number; to: number } | null>(null);
  const [results, setResults] = useState<CheckResult[]>([]);
  const [series, setSeries] = useState<Series | null>(null);
  const [strip, setStrip] = useState<Series | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [window_, setWindow] = useState({ from: 0, to: 0 });
  const [error, setError] = useState("");

  useEffect(() => {
    let stopped = false;
    let timer = 0;
    async function load() {
      const to = custom ? custom.to : Date.now();
      const from = custom ? custom.from : to - span;
      const q = `from_ms=${Math.floor(from)}&to_ms=${Math.ceil(to)}`;
      const stripStep = to - from <= 2 * DAY ? "hour" : "day";
      try {
        const [m, s, sr, st, raw] = await Promise.all([
          get<Detail>(`/api/v1/monitors/${props.id}`),
          get<Summary>(`/api/v1/monitors/${props.id}/summary?${q}`),
          get<Series>(`/api/v1/monitors/${props.id}/series?${q}`),
          get<Series>(`/api/v1/monitors/${props.id}/series?${q}&step=${stripStep}`),
          to - from <= RAW_MAX_SPAN ? rawResults(props.id, from, to) : Promise.resolve(null),
        ]);
        if (stopped) return;
        setMonitor(m);
        setSummary(s);
        setSeries(sr);
        setStrip(st);
        if (raw) setResults(raw);
        else setResults(await rawResults(props.id, Date.now() - HOUR, Date.now()));
        setWindow({ from, to });
        setError("");
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : "The server did not answer.");
      }
      if (!stopped && !custom) timer = window.setTimeout(load, POLL_MS);
    }
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [props.id, span, custom]);

  async function setRunning(run: boolean) {
    if (!monitor) return;
    const m = await send<Detail>("POST", `/api/v1/monitors/${monitor.id}/${run ? "resume" : "pause"}`);
    setMonitor({ ...monitor, enabled: m.enabled });
  }

  async function remove() {
    if (!monitor || !confirm(`Delete "${monitor.name}" and its whole history?`)) return;
    await send("DELETE", `/api/v1/monitors/${monitor.id}`);
    navigate("/monitors", true);
  }

  function csvOfSeries() {
    if (!series || !monitor) return;
    const mean = (p: SeriesPoint, key: keyof PhaseRow) =>
      p.phases_mean_us ? p.phases_mean_us[key as "dns_us"] / 1000 : null;
    download(`${monitor.name}-${series.step}.csv`, toCsv(
      ["time (UTC)", "checks", "failures", "availability %", "p50 ms", "p95 ms", "p99 ms",
        "mean dns ms", "mean connect ms", "mean tls ms", "mean first byte ms", "mean download ms"],
      series.points.map((p) => [new Date(p.ts_ms).toISOString(), p.count, p.failures,
        p.availability_percent, p.p50_us / 1000, p.p95_us / 1000, p.p99_us / 1000,
        mean(p, "dns_us"), mean(p, "connect_us"), mean(p, "tls_us"), mean(p, "ttfb_us"),
        mean(p, "download_us")])));
  }

  function csvOfChecks() {
    if (!monitor) return;
    download(`${monitor.name}-checks.csv`, toCsv(
      ["time (UTC)", "outcome", "status", "ip", "dns ms", "connect ms", "tls ms", "first byte ms",
        "download ms", "total ms", "detail"],
      results.map((r) => [new Date(r.ts_ms).toISOString(), r.outcome, r.status, r.ip,
        r.dns_us / 1000, r.connect_us / 1000, r.tls_us / 1000, r.ttfb_us / 1000,
        r.download_us / 1000, r.total_us / 1000, r.detail])));
  }

  // Each check's phases for short ranges, each bucket's means for long ones
  // (kept stable between renders: the chart redraws when they change).
  const phaseRows: PhaseRow[] = useMemo(() => (window_.to - window_.from <= RAW_MAX_SPAN
    ? results.filter((r) => r.outcome === "ok")
    : (series?.points ?? []).flatMap((p) =>
      p.phases_mean_us ? [{ ...p.phases_mean_us, ts_ms: p.ts_ms }] : [])), [results, series, window_]);

  if (error && !monitor) return <main><p class="error" role="alert">{error}</p></main>;
  if (!monitor) return <main><p aria-busy="true">Loading…</p></main>;
  const h = health(monitor.latest?.outcome);
  const last = results.slice(-20).reverse();
  const bands: Span[] = monitor.incidents.map((i) => ({ from_ms: i.started_ms, to_ms: i.ended_ms }));
  const rawInRange = window_.to - window_.from <= RAW_MAX_SPAN;
  return (
    <main>
      <p><a href="/monitors" onClick={onLink}>← Monitors</a></p>
      <div class="bar">
        <h1>
          <span class={"dot " + h.cls} aria-hidden="true" /> {monitor.name}
          <span class="status-word"> {monitor.enabled ? h.word : "paused"}</span>
        </h1>
        {monitor.managed_by === "api" && (
          <span class="actions">
            <a class="button" href={`/monitors/${monitor.id}/edit`} onClick={onLink}>Edit</a>
            <button onClick={() => setRunning(!monitor.enabled)}>
              {monitor.enabled ? "Pause" : "Resume"}</button>
            <button class="secondary" onClick={remove}>Delete</button>
          </span>
        )}
      </div>
      <p class="url">{monitor.url} · every {monitor.interval_s} s
        {monitor.managed_by === "file" && " · managed by the config file"}</p>
      {monitor.latest && monitor.latest.outcome !== "ok" && (
        <p class="error" role="status">{monitor.latest.detail}</p>
      )}

      <div class="ranges" role="group" aria-label="Range">
        {RANGES.map(([label, ms_]) => (
          <button key={label} aria-pressed={!custom && span === ms_}
            onClick={() => { setCustom(null); setSpan(ms_); }}>{label}</button>
        ))}
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget as HTMLFormElement;
          const from = Date.parse((f.elements.namedItem("from") as HTMLInputElement).value);
          const to = Date.parse((f.elements.namedItem("to") as HTMLInputElement).value);
          if (from < to) setCustom({ from, to });
        }}>
          <label>From <input name="from" type="datetime-local"
            defaultValue={localInput(Date.now() - 7 * DAY)} /></label>
          <label>to <input name="to" type="datetime-local" defaultValue={localInput(Date.now())} /></label>
          <button type="submit" aria-pressed={!!custom}>Show</button>
        </form>
      </div>

      <section aria-labelledby="range-figures">
        <h2 id="range-figures">{custom ? `${when(custom.from)} to ${when(custom.to)}`
          : "Last " + RANGES.find(([, v]) => v === span)?.[0]}</h2>
        {summary && summary.count > 0 ? (
          <dl class="figures">
            <div><dt>Uptime</dt><dd>{summary.availability_percent?.toFixed(3)} %</dd></div>
            <div><dt>Checks</dt><dd>{summary.count} ({summary.failures} failed)</dd></div>
            <div><dt>p50</dt><dd>{ms(summary.p50_us)}</dd></div>
            <div><dt>p95</dt><dd>{ms(summary.p95_us)}</dd></div>
            <div><dt>p99</dt><dd>{ms(summary.p99_us)}</dd></div>
          </dl>
        ) : (
          <p>No check in this range.</p>
        )}
        {strip && strip.points.length > 0 && (
          <UptimeStrip points={strip.points} from_ms={window_.from} to_ms={window_.to} step_s={strip.step_s} />
        )}
        {phaseRows.length > 0 && (
          <>
            <h3>{rawInRange ? "Response time by phase" : `Mean response time by phase, per ${series?.step}`}</h3>
            <PhaseChart rows={phaseRows} per={rawInRange ? undefined : series?.step}
              from_ms={window_.from} to_ms={window_.to} incidents={bands} />
          </>
        )}
        {series && series.points.length > 0 && (
          <>
            <h3>Percentiles per {series.step}</h3>
            <PercentileChart points={series.points} from_ms={window_.from} to_ms={window_.to} incidents={bands} />
            <p><button class="link" onClick={csvOfSeries}>Download these figures (CSV)</button>
              {" · "}<a href={`/report?monitor=${monitor.id}&from=${Math.floor(window_.from)}&to=${
                Math.ceil(window_.to)}`} onClick={onLink}>A printable report of this range</a></p>
          </>
        )}
      </section>

      <section aria-labelledby="incidents">
        <h2 id="incidents">Incidents</h2>
        {monitor.incidents.length === 0 ? <p>None.</p> : (
          <ul class="incidents">
            {monitor.incidents.map((i) => (
              <li key={i.id}>
                <strong>{i.kind}</strong> since {when(i.started_ms)}
                {i.ended_ms ? `, resolved ${when(i.ended_ms)}` : ", open"}
                {i.acked_ms ? ", acknowledged" : ""}: {i.cause.detail || i.cause.outcome}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="checks">
        <h2 id="checks">Last checks</h2>
        <table>
          <thead>
            <tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">Status</th>
              <th scope="col">Address</th><th scope="col">Phases</th><th scope="col">Total</th></tr>
          </thead>
          <tbody>
            {last.map((r) => (
              <tr key={r.ts_ms}>
                <td>{ago(r.ts_ms)}</td>
                <td>{r.outcome === "ok" ? "ok" : r.detail || r.outcome}</td>
                <td>{r.status || "–"}</td>
                <td>{r.ip || "–"}</td>
                <td><Waterfall r={r} /></td>
                <td>{ms(r.total_us)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {results.length > 0 && (
          <p><button class="link" onClick={csvOfChecks}>Download the checks (CSV)</button></p>
        )}
      </section>
    </main>
  );
}
