// One monitor: its state, the last 24 hours of response time stacked by
// phase (uPlot), percentiles from the rollups, incidents and the last
// checks with the address each one reached.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { get, send, type CheckResult, type Incident, type Monitor, type Summary } from "../api";
import { ago, health, ms, when } from "../format";
import { navigate, onLink } from "../router";

const DAY_MS = 86_400_000;
const POLL_MS = 10_000;
const PHASES = [
  { key: "dns_us", label: "DNS", color: "#7c3aed" },
  { key: "connect_us", label: "connect", color: "#2563eb" },
  { key: "tls_us", label: "TLS", color: "#0891b2" },
  { key: "ttfb_us", label: "first byte", color: "#16a34a" },
  { key: "download_us", label: "download", color: "#ca8a04" },
] as const;

interface Detail extends Monitor {
  incidents: Incident[];
}

function PhaseChart(props: { results: CheckResult[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ok = props.results.filter((r) => r.outcome === "ok");
    const xs = ok.map((r) => r.ts_ms / 1000);
    // Stacked: each series is its phase plus every phase before it, drawn
    // from the top down so each fill shows its own band; the legend shows
    // the phase's own time.
    const own = PHASES.map((p) => ok.map((r) => r[p.key] / 1000));
    const stacked = own.map((_, i) => ok.map((__, j) => own.slice(0, i + 1).reduce((s, a) => s + a[j], 0)));
    const order = PHASES.map((_, i) => PHASES.length - 1 - i);
    const data: uPlot.AlignedData = [xs, ...order.map((i) => stacked[i])];
    const series: uPlot.Series[] = [
      {},
      ...order.map((i) => ({
        label: PHASES[i].label,
        stroke: PHASES[i].color,
        fill: PHASES[i].color + "99",
        width: 1,
        points: { show: ok.length < 60, size: 5 },
        value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
          idx == null ? "–" : own[i][idx].toFixed(1) + " ms",
      })),
    ];
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 260,
        series,
        // From the first check shown (at most 24 hours back) to now, so a
        // new monitor's few checks are not squeezed into a corner.
        scales: {
          x: {
            time: true,
            range: (): uPlot.Range.MinMax => {
              const now = Date.now() / 1000;
              return [Math.min(xs[0] ?? now, now - 60) - 30, now];
            },
          },
          y: { range: (_u, _min, max): uPlot.Range.MinMax => [0, Math.max(1, max * 1.1)] },
        },
        axes: [{}, { label: "ms", values: (_u, vals) => vals.map((v) => String(v)) }],
        legend: { live: true },
      },
      data,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(300, el.clientWidth), height: 260 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [props.results]);
  return <div ref={box} class="chart" role="img"
    aria-label="Response time over the last 24 hours, stacked by phase" />;
}

export function MonitorPage(props: { id: string }) {
  const [monitor, setMonitor] = useState<Detail | null>(null);
  const [results, setResults] = useState<CheckResult[]>([]);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    let stopped = false;
    let timer = 0;
    async function load() {
      const now = Date.now();
      try {
        const [m, r, s] = await Promise.all([
          get<Detail>(`/api/v1/monitors/${props.id}`),
          get<{ results: CheckResult[] }>(
            `/api/v1/monitors/${props.id}/results?from_ms=${now - DAY_MS}&limit=10000`),
          get<Summary>(`/api/v1/monitors/${props.id}/summary?from_ms=${now - DAY_MS}`),
        ]);
        if (stopped) return;
        setMonitor(m);
        setResults(r.results);
        setSummary(s);
        setError("");
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : "The server did not answer.");
      }
      if (!stopped) timer = window.setTimeout(load, POLL_MS);
    }
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [props.id]);

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

  if (error && !monitor) return <main><p class="error" role="alert">{error}</p></main>;
  if (!monitor) return <main><p aria-busy="true">Loading…</p></main>;
  const h = health(monitor.latest?.outcome);
  const last = results.slice(-20).reverse();
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
            <a class="button" href={`/monitors/${monitor.id}/edit`} onClick={onLink}>Edit</a>{" "}
            <button onClick={() => setRunning(!monitor.enabled)}>
              {monitor.enabled ? "Pause" : "Resume"}</button>{" "}
            <button class="secondary" onClick={remove}>Delete</button>
          </span>
        )}
      </div>
      <p class="url">{monitor.url} · every {monitor.interval_s} s
        {monitor.managed_by === "file" && " · managed by the config file"}</p>
      {monitor.latest && monitor.latest.outcome !== "ok" && (
        <p class="error" role="status">{monitor.latest.detail}</p>
      )}
      <section aria-labelledby="last-day">
        <h2 id="last-day">Last 24 hours</h2>
        {summary && summary.count > 0 ? (
          <dl class="figures">
            <div><dt>Uptime</dt><dd>{summary.availability_percent?.toFixed(2)} %</dd></div>
            <div><dt>Checks</dt><dd>{summary.count} ({summary.failures} failed)</dd></div>
            <div><dt>p50</dt><dd>{ms(summary.p50_us)}</dd></div>
            <div><dt>p95</dt><dd>{ms(summary.p95_us)}</dd></div>
            <div><dt>p99</dt><dd>{ms(summary.p99_us)}</dd></div>
          </dl>
        ) : (
          <p>No check has finished yet.</p>
        )}
        {results.some((r) => r.outcome === "ok") && <PhaseChart results={results} />}
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
              <th scope="col">Address</th><th scope="col">Total</th></tr>
          </thead>
          <tbody>
            {last.map((r) => (
              <tr key={r.ts_ms}>
                <td>{ago(r.ts_ms)}</td>
                <td>{r.outcome === "ok" ? "ok" : r.detail || r.outcome}</td>
                <td>{r.status || "–"}</td>
                <td>{r.ip || "–"}</td>
                <td>{ms(r.total_us)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
