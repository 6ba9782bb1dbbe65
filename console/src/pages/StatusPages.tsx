// Status pages: publish a public page for chosen monitors (an address
// /status/{slug}, optionally a host name of yours), choose what it shows,
// post incidents and their updates (subscribers get each by mail), copy
// badges, delete. The public page itself is server-rendered, without
// script or cookie.
import { useEffect, useState } from "preact/hooks";
import { get, getAll, send, type Monitor } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { when } from "../format";

interface Page {
  id: number; workspace_id: number; slug: string; host: string | null; title: string;
  description: string; monitors: number[]; show_urls: boolean; hide_blips_under_s: number;
  path: string;
}
interface Update { id: number; state: string; message: string; created_ms: number }
interface Post { id: number; title: string; state: string; created_ms: number; updates: Update[] }

const STATES = ["investigating", "identified", "monitoring", "resolved"];

function NewPage(props: { monitors: Monitor[]; onMade: () => void }) {
  const [slug, setSlug] = useState("");
  const [title, setTitle] = useState("");
  const [host, setHost] = useState("");
  const [chosen, setChosen] = useState<number[]>([]);
  const [urls, setUrls] = useState(false);
  const [blips, setBlips] = useState("60");
  const [problem, setProblem] = useState<Problem | null>(null);
  const mine = props.monitors.filter((m) => m.managed_by === "api");
  return (
    <form class="card" onSubmit={async (e) => {
      e.preventDefault();
      setProblem(null);
      try {
        await send("POST", "/api/v1/status-pages", {
          slug, title, monitors: chosen, show_urls: urls,
          hide_blips_under_s: Number(blips) || 0, ...(host.trim() ? { host: host.trim() } : {}),
          // The page lives in the workspace of the monitors it shows.
          ...(chosen.length ? { workspace_id: mine.find((m) => m.id === chosen[0])?.workspace_id } : {}),
        });
        setSlug(""); setTitle(""); setHost(""); setChosen([]);
        props.onMade();
      } catch (err) {
        setProblem(problemOf(err));
      }
    }}>
      <h2>Publish a page</h2>
      <Field label="Address: /status/…" name="slug" value={slug} onInput={setSlug} required
        hint="Lower-case letters, digits and dashes" error={fieldError(problem, "slug")} />
      <Field label="Title" name="title" value={title} onInput={setTitle}
        error={fieldError(problem, "title")} />
      <Field label="Your own host name (optional)" name="host" value={host} onInput={setHost}
        hint="e.g. status.example.com, pointed at this server" error={fieldError(problem, "host")} />
      <fieldset>
        <legend>Monitors shown</legend>
        {mine.length === 0 && <p>Add a monitor first.</p>}
        {mine.map((m) => (
          <Check key={m.id} name={"m-" + m.id} checked={chosen.includes(m.id)}
            onChange={(on) => setChosen(on ? [...chosen, m.id] : chosen.filter((x) => x !== m.id))}>
            {m.name}
          </Check>
        ))}
        {fieldError(problem, "monitors") && <p class="error" role="alert">{fieldError(problem, "monitors")}</p>}
      </fieldset>
      <Check name="show_urls" checked={urls} onChange={setUrls}>Show the monitors' URLs</Check>
      <Field label="Hide outages shorter than (seconds)" name="blips" value={blips} onInput={setBlips}
        inputmode="numeric" error={fieldError(problem, "hide_blips_under_s")} />
      <FormError problem={problem} />
      <button type="submit">Publish</button>
    </form>
  );
}

function PagePosts(props: { page: Page }) {
  const [posts, setPosts] = useState<Post[]>([]);
  const [title, setTitle] = useState("");
  const [state, setState] = useState("investigating");
  const [message, setMessage] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ posts: Post[] }>(`/api/v1/status-pages/${props.page.id}/posts`).then((r) => setPosts(r.posts));
  }, [tick]);
  async function post(path: string, body: object) {
    setProblem(null);
    try {
      await send("POST", path, body);
      setTitle(""); setMessage("");
      setTick((t) => t + 1);
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  const open = posts.find((p) => p.state !== "resolved");
  return (
    <div>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        if (open) post(`/api/v1/status-pages/${props.page.id}/posts/${open.id}/updates`, { state, message });
        else post(`/api/v1/status-pages/${props.page.id}/posts`, { title, state, message });
      }}>
        {open ? <p>Update <strong>{open.title}</strong> ({open.state})</p> : (
          <Field label="Incident title" name={"post-title-" + props.page.id} value={title} onInput={setTitle} />
        )}
        <p class="field">
          <label for={"post-state-" + props.page.id}>State</label>
          <select id={"post-state-" + props.page.id} value={state}
            onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </p>
        <Field label="Message" name={"post-message-" + props.page.id} value={message} onInput={setMessage} />
        <FormError problem={problem} />
        <button type="submit">{open ? "Post the update" : "Post the incident"}</button>
      </form>
      {posts.length > 0 && (
        <ul class="plain">
          {posts.slice(0, 5).map((p) => (
            <li key={p.id}><strong>{p.title}</strong>: {p.state}, {when(p.updates[p.updates.length - 1].created_ms)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function StatusPages() {
  const [pages, setPages] = useState<Page[]>([]);
  const [monitors, setMonitors] = useState<Monitor[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ status_pages: Page[] }>("/api/v1/status-pages").then((r) => setPages(r.status_pages));
    getAll<Monitor>("/api/v1/monitors?limit=1000").then(setMonitors);
  }, [tick]);
  const names = new Map(monitors.map((m) => [m.id, m.name]));
  return (
    <main class="narrow">
      <h1>Status pages</h1>
      <p>Public pages for your customers: the state of the monitors you choose, 90 days of
        uptime, the incidents you post. No script, no cookie, nothing you did not choose.</p>
      {pages.map((p) => (
        <section class="card" key={p.id} aria-labelledby={"sp-" + p.id}>
          <h2 id={"sp-" + p.id}>{p.title || p.slug}</h2>
          <p><a href={p.path}>{location.origin + p.path}</a>{p.host && <> · also at {p.host}</>}</p>
          <p>Shows: {p.monitors.map((id) => names.get(id) ?? "#" + id).join(", ") || "nothing yet"}
            {p.show_urls ? " (with URLs)" : ""}</p>
          {p.monitors[0] && (
            <p class="muted">Badge: <code>{location.origin}{p.path}/badge/{p.monitors[0]}/status.svg</code>
              {" "}(also uptime.svg?days=30 and response.svg)</p>
          )}
          <PagePosts page={p} />
          <p><button class="secondary" onClick={async () => {
            if (!confirm(`Delete the page "${p.title || p.slug}" and its posts?`)) return;
            await send("DELETE", `/api/v1/status-pages/${p.id}`);
            setTick((t) => t + 1);
          }}>Delete the page</button></p>
        </section>
      ))}
      <NewPage monitors={monitors} onMade={() => setTick((t) => t + 1)} />
    </main>
  );
}
