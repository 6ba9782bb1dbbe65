// Add or edit a monitor: every option of the probe, validated by the API,
// which names the field that is wrong. Secrets (basic auth, Authorization
// and Cookie headers) come back redacted; left as they are, they are kept.
import { useEffect, useState } from "preact/hooks";
import { get, getAll, send, type CheckResult, type Monitor } from "../api";
import { Waterfall } from "../charts";
import { ms } from "../format";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { navigate, onLink } from "../router";

interface Workspace { id: number; name: string; personal: boolean; role: string }
interface Stored extends Monitor {
  check: Record<string, unknown>;
  slow_threshold_ms: number;
  depends_on: number | null;
}

const TEXT_OPTIONS: [string, string, string][] = [
  ["expect_status", "Expected status codes", "Empty: 200-299. Or a list: 200, 204, 300-399."],
  ["keyword", "Text the page must contain", ""],
  ["not_keyword", "Text the page must not contain", ""],
  ["regex", "Regular expression the page must match", "PCRE2."],
  ["not_regex", "Regular expression the page must not match", ""],
  ["timeout", "Timeout", "The whole check: 500ms, 10s (default 10s)."],
  ["max_redirects", "Redirects followed", "0 for none (default 5)."],
  ["max_body_bytes", "Largest body read (bytes)", "Default 10485760 (10 MiB); a larger body fails."],
  ["max_header_bytes", "Largest headers read (bytes)", "Default 65536."],
  ["basic_auth", "Basic authentication", "user:password"],
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export function MonitorForm(props: { id?: string }) {
  const editing = props.id !== undefined;
  const [loaded, setLoaded] = useState(!editing);
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [workspace, setWorkspace] = useState(0);
  const [name, setName] = useState("");
  const [url, setUrl] = useState("https://");
  const [interval, setIntervalText] = useState("60");
  const [slow, setSlow] = useState("0");
  const [tags, setTags] = useState("");
  const [dependsOn, setDependsOn] = useState("");
  const [others, setOthers] = useState<Monitor[]>([]);
  const [method, setMethod] = useState("GET");
  const [headers, setHeaders] = useState("");
  const [body, setBody] = useState("");
  const [ipVersion, setIpVersion] = useState("auto");
  const [insecure, setInsecure] = useState(false);
  const [opts, setOpts] = useState<Record<string, string>>({ timeout: "10s" });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState<CheckResult | null>(null);

  useEffect(() => {
    get<{ workspaces: Workspace[]; personal_workspace_id: number }>("/api/v1/account").then((a) => {
      setWorkspaces(a.workspaces.filter((w) => w.role !== "viewer"));
      if (!editing) setWorkspace(a.personal_workspace_id);
    });
    if (!editing) return;
    get<Stored>(`/api/v1/monitors/${props.id}`).then((m) => {
      const c = m.check;
      setName(m.name);
      setUrl(m.url);
      setIntervalText(String(m.interval_s));
      setSlow(String(m.slow_threshold_ms));
      setTags(m.tags.join(", "));
      setDependsOn(m.depends_on ? String(m.depends_on) : "");
      setWorkspace(m.workspace_id ?? 0);
      setMethod(String(c.method ?? "GET"));
      setHeaders(Array.isArray(c.headers) ? (c.headers as string[]).join("\n") : "");
      setBody(String(c.body ?? ""));
      setIpVersion(String(c.ip_version ?? "auto"));
      setInsecure(Boolean(c.insecure));
      const o: Record<string, string> = {};
      for (const [key] of TEXT_OPTIONS) if (c[key] !== undefined) o[key] = String(c[key]);
      setOpts(o);
      setLoaded(true);
    }, (e) => setProblem(problemOf(e)));
  }, [props.id]);

  function checkOptions(): Record<string, unknown> {
    const check: Record<string, unknown> = {};
    if (method !== "GET") check.method = method;
    const lines = headers.split("\n").map((h) => h.trim()).filter(Boolean);
    if (lines.length) check.headers = lines;
    if (body) check.body = body;
    if (ipVersion !== "auto") check.ip_version = ipVersion;
    if (insecure) check.insecure = true;
    for (const [key] of TEXT_OPTIONS) {
      const v = (opts[key] ?? "").trim();
      if (!v) continue;
      check[key] = key.startsWith("max_") ? Number(v) : v;
    }
    return check;
  }

  // Runs the check once as it stands, saving nothing.
  async function checkNow() {
    setBusy(true);
    setProblem(null);
    setTried(null);
    try {
      const r = await send<{ result: CheckResult }>("POST", "/api/v1/monitors/check",
        { url, interval_s: Number(interval), check: checkOptions() });
      setTried(r.result);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  }

  // The monitors this one may depend on: the others of its workspace.
  useEffect(() => {
    if (!workspace) return;
    getAll<Monitor>(`/api/v1/monitors?workspace_id=${workspace}&limit=1000`).then(
      (list) => setOthers(list.filter((m) => String(m.id) !== props.id)), () => setOthers([]));
  }, [workspace]);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const check = checkOptions();
    const fields: Record<string, unknown> = {
      name, url, interval_s: Number(interval), check,
      tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
      depends_on: dependsOn ? Number(dependsOn) : null,
    };
    try {
      let m: Monitor;
      fields.slow_threshold_ms = Number(slow);
      if (editing) {
        m = await send<Monitor>("PATCH", `/api/v1/monitors/${props.id}`, fields);
      } else {
        fields.workspace_id = workspace;
        m = await send<Monitor>("POST", "/api/v1/monitors", fields);
      }
      navigate("/monitors/" + m.id, editing);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  }

  if (!loaded) return <main class="narrow"><FormError problem={problem} /><p aria-busy="true">Loading…</p></main>;
  return (
    <main class="narrow">
      {editing && <p><a href={"/monitors/" + props.id} onClick={onLink}>← Back</a></p>}
      <h1>{editing ? "Edit " + name : "Add a monitor"}</h1>
      <form onSubmit={submit} noValidate>
        {!editing && workspaces.length > 1 && (
          <p class="field">
            <label for="f-workspace">Workspace</label>
            <select id="f-workspace" value={workspace}
              onChange={(e) => setWorkspace(Number((e.currentTarget as HTMLSelectElement).value))}>
              {workspaces.map((w) => <option key={w.id} value={w.id}>{w.personal ? "Personal" : w.name}</option>)}
            </select>
          </p>
        )}
        <Field label="Name" name="name" value={name} onInput={setName} required
          error={fieldError(problem, "name")} />
        <Field label="URL" name="url" type="url" value={url} onInput={setUrl} required
          inputmode="url" error={fieldError(problem, "url")}
          hint="http:// or https://; redirects are followed." />
        <Field label="Check every (seconds)" name="interval_s" value={interval}
          onInput={setIntervalText} inputmode="numeric" error={fieldError(problem, "interval_s")}
          hint="10 to 86,400." />
        {others.length > 0 && (
          <p class="field">
            <label for="f-depends">Depends on</label>
            <select id="f-depends" value={dependsOn} aria-describedby="f-depends-hint"
              onChange={(e) => setDependsOn((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">nothing</option>
              {others.map((m) => <option key={m.id} value={String(m.id)}>{m.name}</option>)}
            </select>
            <small id="f-depends-hint" class="hint">While that one is down, this one's alerts wait
              (one outage, one alert).</small>
            {fieldError(problem, "depends_on") && (
              <small class="error" role="alert">{fieldError(problem, "depends_on")}</small>)}
          </p>
        )}
        <Field label="Tags" name="tags" value={tags} onInput={setTags}
          error={fieldError(problem, "tags")} hint="Comma-separated, to group and filter the list: web, eu" />
        <Field label="Slow above (ms, 0: never)" name="slow_threshold_ms" value={slow}
          onInput={setSlow} inputmode="numeric" error={fieldError(problem, "slow_threshold_ms")}
          hint="A check slower than this counts as degraded." />
        {TEXT_OPTIONS.map(([key, label, hint]) => (
          <Field key={key} label={label} name={key} value={opts[key] ?? ""}
            onInput={(v) => setOpts({ ...opts, [key]: v })} error={fieldError(problem, key)}
            hint={hint || undefined} />
        ))}
        <details open={method !== "GET" || !!headers || !!body || insecure || ipVersion !== "auto"}>
          <summary>Request</summary>
          <p class="field">
            <label for="f-method">Method</label>
            <select id="f-method" value={method}
              onChange={(e) => setMethod((e.currentTarget as HTMLSelectElement).value)}>
              {METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          </p>
          <p class="field">
            <label for="f-headers">Headers, one per line</label>
            <textarea id="f-headers" rows={3} value={headers} placeholder="Accept: text/html"
              onInput={(e) => setHeaders((e.currentTarget as HTMLTextAreaElement).value)} />
            {fieldError(problem, "headers") && <small class="error" role="alert">{fieldError(problem, "headers")}</small>}
          </p>
          <p class="field">
            <label for="f-body">Body</label>
            <textarea id="f-body" rows={3} value={body}
              onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
          </p>
          <p class="field">
            <label for="f-ip">IP version</label>
            <select id="f-ip" value={ipVersion}
              onChange={(e) => setIpVersion((e.currentTarget as HTMLSelectElement).value)}>
              <option value="auto">either</option>
              <option value="4">IPv4 only</option>
              <option value="6">IPv6 only</option>
            </select>
          </p>
          <Check name="insecure" checked={insecure} onChange={setInsecure}>
            Do not verify the certificate
          </Check>
        </details>
        <FormError problem={problem} />
        {tried && (
          <div class={"note tried " + (tried.outcome === "ok" ? "ok-result" : "bad-result")} role="status">
            <p><strong>{tried.outcome === "ok" ? "The check passes" : "The check fails"}</strong>
              {": "}{tried.outcome === "ok" ? `status ${tried.status} in ${ms(tried.total_us)}`
                : tried.detail || tried.outcome}</p>
            <p class="muted">{tried.ip ? "Reached " + tried.ip + ". " : ""}
              DNS {ms(tried.dns_us)}, connect {ms(tried.connect_us)}, TLS {ms(tried.tls_us)},
              first byte {ms(tried.ttfb_us)}, download {ms(tried.download_us)}.</p>
            <Waterfall r={tried} />
          </div>
        )}
        <span class="actions">
          <button type="button" class="plain" disabled={busy} onClick={checkNow}>Check now</button>
          <button type="submit" disabled={busy}>{editing ? "Save" : "Add the monitor"}</button>
        </span>
      </form>
    </main>
  );
}
