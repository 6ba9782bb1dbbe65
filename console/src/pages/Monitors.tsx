// The monitors list: live status by polling, filter, sort. Every page of
// the API's list is fetched (1,000 a request).
import { useEffect, useMemo, useState } from "preact/hooks";
import { getAll, type Monitor } from "../api";
import { ago, health, ms } from "../format";
import { onLink } from "../router";

const POLL_MS = 5_000;
type SortKey = "name" | "status" | "response";

export function Monitors() {
  const [monitors, setMonitors] = useState<Monitor[] | null>(null);
  const [error, setError] = useState("");
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SortKey>("status");
  const [now, setNow] = useState(Date.now());

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
    return monitors
      .filter((m) => !f || m.name.toLowerCase().includes(f) || m.url.toLowerCase().includes(f))
      .sort((a, b) =>
        sort === "name"
          ? a.name.localeCompare(b.name)
          : sort === "response"
            ? (b.latest?.total_us ?? -1) - (a.latest?.total_us ?? -1)
            : rank(a) - rank(b) || a.name.localeCompare(b.name),
      );
  }, [monitors, filter, sort]);

  const down = monitors?.filter((m) => m.latest && m.latest.outcome !== "ok").length ?? 0;
  return (
    <main>
      <div class="bar">
        <h1>Monitors</h1>
        <a class="button" href="/monitors/new" onClick={onLink}>Add a monitor</a>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {monitors === null ? (
        <p aria-busy="true">Loading…</p>
      ) : monitors.length === 0 ? (
        <div class="empty">
          <p>Nothing is watched yet.</p>
          <p>
            <a class="button" href="/monitors/new" onClick={onLink}>Add your first monitor</a>
          </p>
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
              </select>
            </label>
          </div>
          <table class="monitors">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Name</th>
                <th scope="col">Response</th>
                <th scope="col">Last check</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => {
                const h = health(m.latest?.outcome);
                return (
                  <tr key={m.id}>
                    <td>
                      <span class={"dot " + h.cls} aria-hidden="true" />
                      <span class="status-word">{m.enabled ? h.word : "paused"}</span>
                    </td>
                    <td>
                      <a href={"/monitors/" + m.id} onClick={onLink}>{m.name}</a>
                      <small class="url">{m.url}</small>
                    </td>
                    <td>{m.latest ? ms(m.latest.total_us) : "–"}</td>
                    <td>{m.latest ? ago(m.latest.ts_ms, now) : "not yet"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
