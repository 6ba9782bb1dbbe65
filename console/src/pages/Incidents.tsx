// Incidents: the open ones first (acknowledge stops reminders and
// escalation), then the past; each with the notifications sent for it.
import { useEffect, useState } from "preact/hooks";
import { get, getAll, send, type FullIncident, type Monitor } from "../api";
import { ago, when } from "../format";
import { onLink } from "../router";

const POLL_MS = 10_000;

function duration(fromMs: number, toMs: number): string {
  const s = Math.max(0, Math.round((toMs - fromMs) / 1000));
  if (s < 90) return s + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  if (s < 172800) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}

function Row(props: { inc: FullIncident; name: string; onAck: (id: number) => void }) {
  const i = props.inc;
  const open = i.ended_ms === 0;
  return (
    <li class={"incident " + (open ? "open" : "past")}>
      <div class="bar">
        <div>
          <strong>{i.kind === "down" ? "Down" : i.kind}</strong>{" "}
          <a href={"/monitors/" + i.monitor_id} onClick={onLink}>{props.name}</a>{" "}
          <span class="muted">
            since {when(i.started_ms)} ({open ? "for " + duration(i.started_ms, Date.now())
              : "lasted " + duration(i.started_ms, i.ended_ms)})
          </span>
        </div>
        {open && !i.acked_ms && (
          <button onClick={() => props.onAck(i.id)}>Acknowledge</button>
        )}
      </div>
      <p class="cause">{i.cause.detail || i.cause.outcome}
        {i.cause.ip && <span class="muted"> · {i.cause.ip}</span>}</p>
      {i.acked_ms > 0 && <p class="muted">Acknowledged by {i.acked_by} {ago(i.acked_ms)}.</p>}
      {i.held && <p class="muted">Held: in a maintenance window.</p>}
      <details>
        <summary>{i.notifications.length} notification{i.notifications.length === 1 ? "" : "s"}</summary>
        <table>
          <thead><tr><th scope="col">Sent</th><th scope="col">Channel</th>
            <th scope="col">Event</th><th scope="col">Delivery</th></tr></thead>
          <tbody>
            {i.notifications.map((n) => (
              <tr key={n.created_ms + n.channel + n.event}>
                <td>{when(n.created_ms)}</td>
                <td>{n.channel}</td>
                <td>{n.event}</td>
                <td>{n.state}{n.attempts > 1 ? ` after ${n.attempts} attempts` : ""}
                  {n.last_error && <small class="error"> {n.last_error}</small>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

export function Incidents() {
  const [incidents, setIncidents] = useState<FullIncident[] | null>(null);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer = 0;
    async function load() {
      try {
        const [page, monitors] = await Promise.all([
          get<{ incidents: FullIncident[] }>("/api/v1/incidents?limit=200"),
          getAll<Monitor>("/api/v1/monitors?limit=1000"),
        ]);
        if (stopped) return;
        setIncidents(page.incidents);
        setNames(new Map(monitors.map((m) => [m.id, m.name])));
        setError("");
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
  }, [tick]);

  async function ack(id: number) {
    try {
      await send("POST", `/api/v1/incidents/${id}/ack`);
      setTick((t) => t + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Not acknowledged.");
    }
  }

  if (!incidents) return <main><h1>Incidents</h1><p aria-busy="true">Loading…</p></main>;
  const open = incidents.filter((i) => i.ended_ms === 0);
  const past = incidents.filter((i) => i.ended_ms !== 0);
  const name = (i: FullIncident) => names.get(i.monitor_id) ?? "monitor " + i.monitor_id;
  return (
    <main>
      <h1>Incidents</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <h2>Open</h2>
      {open.length === 0 ? <p>None: everything is up.</p> : (
        <ul class="incident-list">
          {open.map((i) => <Row key={i.id} inc={i} name={name(i)} onAck={ack} />)}
        </ul>
      )}
      <h2>Past</h2>
      {past.length === 0 ? <p>None yet.</p> : (
        <ul class="incident-list">
          {past.map((i) => <Row key={i.id} inc={i} name={name(i)} onAck={ack} />)}
        </ul>
      )}
    </main>
  );
}
