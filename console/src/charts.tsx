// The report center's charts (uPlot): response time stacked by phase (each
// check's phases from raw results, or each bucket's mean phases from the
// rollups), p50/p95/p99 from the rollups, and uptime as a strip of
// buckets. Incidents are shaded on the time axis of both charts.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { CheckResult } from "./api";
import { ms, when } from "./format";

// The phases of one check, or the mean phases of a bucket's checks.
export interface PhaseTimes {
  dns_us: number;
  connect_us: number;
  tls_us: number;
  ttfb_us: number;
  download_us: number;
}
export interface PhaseRow extends PhaseTimes {
  ts_ms: number;
}

export interface SeriesPoint {
  ts_ms: number;
  phases_mean_us: (PhaseTimes & { checks: number }) | null;
  count: number;
  failures: number;
  availability_percent: number | null;
  p50_us: number;
  p95_us: number;
  p99_us: number;
}

export interface Span {
  from_ms: number;
  to_ms: number;
}

const HEIGHT = 260;
export const PHASES = [
  { key: "dns_us", label: "DNS", color: "#7c3aed" },
  { key: "connect_us", label: "connect", color: "#2563eb" },
  { key: "tls_us", label: "TLS", color: "#0891b2" },
  { key: "ttfb_us", label: "first byte", color: "#16a34a" },
  { key: "download_us", label: "download", color: "#ca8a04" },
] as const;

// Shades each incident's time on the plot area, under the series.
function incidentBands(incidents: Span[]): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = "rgba(220, 38, 38, 0.15)";
        for (const i of incidents) {
          const x0 = u.valToPos(i.from_ms / 1000, "x", true);
          const x1 = u.valToPos((i.to_ms || Date.now()) / 1000, "x", true);
          const left = Math.max(u.bbox.left, Math.min(x0, x1));
          const right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
          if (right > left) ctx.fillRect(left, u.bbox.top, Math.max(2, right - left), u.bbox.height);
        }
        ctx.restore();
      },
    },
  };
}

function usePlot(make: (el: HTMLDivElement, width: number) => uPlot, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = make(el, Math.max(300, el.clientWidth));
    const resize = () => plot.setSize({ width: Math.max(300, el.clientWidth), height: HEIGHT });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, deps);
  return box;
}

function xRange(from: number, to: number) {
  return (): uPlot.Range.MinMax => [from / 1000, to / 1000];
}

// Stacked phases over time: `rows` are successful checks (points when few)
// or buckets' means (`per` names the bucket for the label).
export function PhaseChart(props: { rows: PhaseRow[]; per?: string; from_ms: number;
  to_ms: number; incidents: Span[] }) {
  const box = usePlot((el, width) => {
    const rows = props.rows;
    const xs = rows.map((r) => r.ts_ms / 1000);
    // Stacked: each series is its phase plus the phases before it, drawn
    // from the top down so each fill shows its own band; the legend shows
    // the phase's own time.
    const own = PHASES.map((p) => rows.map((r) => r[p.key] / 1000));
    const stacked = own.map((_, i) =>
      rows.map((__, j) => own.slice(0, i + 1).reduce((s, a) => s + a[j], 0)));
    const order = PHASES.map((_, i) => PHASES.length - 1 - i);
    return new uPlot({
      width, height: HEIGHT,
      series: [{}, ...order.map((i) => ({
        label: PHASES[i].label, stroke: PHASES[i].color, fill: PHASES[i].color + "99", width: 1,
        points: { show: rows.length < 60, size: 5 },
        value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
          idx == null ? "–" : own[i][idx].toFixed(1) + " ms",
      }))],
      scales: {
        // Checks: from the first one in range (a new monitor fills the
        // plot); buckets: the whole range, as the percentiles below it.
        x: { time: true, range: xRange(props.per ? props.from_ms
          : Math.max(props.from_ms, (xs[0] ?? 0) * 1000 - 60_000), props.to_ms) },
        y: { range: (_u, _min, max): uPlot.Range.MinMax => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{}, { label: "ms" }],
      plugins: [incidentBands(props.incidents)],
    }, [xs, ...order.map((i) => stacked[i])], el);
  }, [props.rows, props.incidents]);
  const what = props.per ? `Mean response time per ${props.per}` : "Response time of each check";
  return <div ref={box} class="chart" role="img"
    aria-label={what + ", stacked by phase: DNS, connect, TLS, first byte, download"} />;
}

export function PercentileChart(props: { points: SeriesPoint[]; from_ms: number; to_ms: number;
  incidents: Span[] }) {
  const box = usePlot((el, width) => {
    const pts = props.points.filter((p) => p.count > p.failures);
    const xs = pts.map((p) => p.ts_ms / 1000);
    const line = (label: string, color: string, key: "p50_us" | "p95_us" | "p99_us") => ({
      label, stroke: color, width: 2, points: { show: pts.length < 60, size: 5 },
      value: (_u: uPlot, v: number | null) => (v == null ? "–" : v.toFixed(1) + " ms"),
      key,
    });
    const lines = [line("p50", "#16a34a", "p50_us"), line("p95", "#ca8a04", "p95_us"),
      line("p99", "#dc2626", "p99_us")];
    return new uPlot({
      width, height: HEIGHT,
      series: [{}, ...lines],
      scales: {
        x: { time: true, range: xRange(props.from_ms, props.to_ms) },
        y: { range: (_u, _min, max): uPlot.Range.MinMax => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{}, { label: "ms" }],
      plugins: [incidentBands(props.incidents)],
    }, [xs, ...lines.map((l) => pts.map((p) => p[l.key] / 1000))], el);
  }, [props.points, props.incidents]);
  return <div ref={box} class="chart" role="img"
    aria-label="Response time percentiles over the range: p50, p95 and p99" />;
}

// Uptime per bucket (an hour or a day): green when every check passed,
// shades to red as availability falls, grey with no checks.
export function UptimeStrip(props: { points: SeriesPoint[]; from_ms: number; to_ms: number;
  step_s: number }) {
  const byTs = new Map(props.points.map((p) => [p.ts_ms, p]));
  const step = props.step_s * 1000;
  const cells = [];
  for (let t = Math.floor(props.from_ms / step) * step; t < props.to_ms; t += step) {
    const p = byTs.get(t);
    const a = p?.availability_percent;
    const cls = a == null ? "none" : a >= 99.9 ? "full" : a >= 99 ? "most" : a >= 90 ? "some" : "low";
    const title = when(t) + ": " + (a == null ? "no checks" : a.toFixed(2) + " % of " + p!.count + " checks");
    cells.push(<span key={t} class={"cell " + cls} title={title} />);
  }
  return (
    <div class="strip" role="img" aria-label={`Uptime per ${props.step_s >= 86400 ? "day" : "hour"}`}>
      {cells}
    </div>
  );
}

// One check's phases as a bar, each phase as wide as its share of the total.
export function Waterfall(props: { r: CheckResult }) {
  const total = Math.max(1, PHASES.reduce((s, p) => s + props.r[p.key], 0));
  return (
    <span class="waterfall" aria-label={PHASES.map((p) => p.label + " " + ms(props.r[p.key])).join(", ")}>
      {PHASES.map((p) => (
        <span key={p.key} class={"seg seg-" + p.key}
          style={{ width: (100 * props.r[p.key]) / total + "%" }} title={p.label + " " + ms(props.r[p.key])} />
      ))}
    </span>
  );
}
