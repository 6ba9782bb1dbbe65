// Configure Service: per workspace, where alerts go (channels, each with a
// test through the real delivery path), when (the alert policy: level,
// reminders, escalation, thresholds) and when not (maintenance windows).
import { useEffect, useState } from "preact/hooks";
import { get, send } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";

interface Workspace { id: number; name: string; personal: boolean; role: string }
interface Channel {
  id: number; name: string; type: string; to?: string[]; url?: string; chat_id?: string;
  secrets_set: string[];
}
type Policy = Record<string, unknown> & {
  level: string; notify: string[]; escalate_to: string[]; remind_every: string;
  escalate_after: string; failure_threshold: number; success_threshold: number;
  email_owner: boolean; recovery: boolean;
};
interface Window {
  id: number; name: string; start?: string; weekly?: string[]; monthly?: number[]; at?: string;
  duration: string; time_zone: string;
}

// The settings each kind of channel takes, as the API names them.
const KINDS: Record<string, { label: string; fields: [string, string][] }> = {
  email: { label: "Email", fields: [["to", "Addresses (comma-separated)"]] },
  webhook: { label: "Webhook", fields: [["url", "URL"], ["secret", "Signing secret (optional)"]] },
  slack: { label: "Slack", fields: [["url", "Incoming webhook URL"]] },
  discord: { label: "Discord", fields: [["url", "Webhook URL"]] },
  teams: { label: "Microsoft Teams", fields: [["url", "Webhook URL"]] },
  pagerduty: { label: "PagerDuty", fields: [["routing_key", "Routing key"]] },
  ntfy: { label: "ntfy", fields: [["url", "Topic URL"], ["token", "Access token (optional)"]] },
  telegram: { label: "Telegram", fields: [["token", "Bot token"], ["chat_id", "Chat id"]] },
};

function ChannelTest(props: { channel: Channel }) {
  const [state, setState] = useState("");
  async function run() {
    setState("sending…");
    try {
      const q = await send<{ test_id: number }>("POST", `/api/v1/channels/${props.channel.id}/test`);
      for (let i = 0; i < 60; i++) {
        const t = await get<{ state: string; last_error: string; attempts: number }>(
          `/api/v1/channels/${props.channel.id}/tests/${q.test_id}`);
        if (t.state !== "pending") {
          setState(t.state === "delivered" ? "delivered ✓" : "failed: " + (t.last_error || "?"));
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      setState("still pending after a minute (the receiver may be retrying)");
    } catch (e) {
      setState(problemOf(e).message);
    }
  }
  return (
    <span>
      <button class="link" onClick={run}>Send a test</button>{" "}
      {state && <small role="status" class={state.startsWith("delivered") ? "ok" : "muted"}>{state}</small>}
    </span>
  );
}

function Channels(props: { ws: Workspace; channels: Channel[]; onChange: () => void }) {
  const [type, setType] = useState("email");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const editable = props.ws.role !== "viewer";
  async function add(e: Event) {
    e.preventDefault();
    setProblem(null);
    const body: Record<string, unknown> = { workspace_id: props.ws.id, name, type };
    for (const [key] of KINDS[type].fields) {
      const v = (values[key] ?? "").trim();
      if (!v) continue;
      body[key] = key === "to" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v;
    }
    try {
      await send("POST", "/api/v1/channels", body);
      setName("");
      setValues({});
      props.onChange();
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  async function remove(c: Channel) {
    if (!confirm(`Remove the channel "${c.name}"?`)) return;
    try {
      await send("DELETE", `/api/v1/channels/${c.id}`);
      props.onChange();
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  return (
    <section class="card">
      <h2>Channels</h2>
      <p class="muted">Where alerts go. Until a policy names some, alerts mail each monitor's
        owner.</p>
      {props.channels.length === 0 ? <p>No channel yet.</p> : (
        <ul class="plain">
          {props.channels.map((c) => (
            <li key={c.id}>
              <span><strong>{c.name}</strong> <span class="muted">{KINDS[c.type]?.label ?? c.type}
                {c.to ? ": " + c.to.join(", ") : c.url ? ": " + c.url : ""}</span></span>
              <span>
                <ChannelTest channel={c} />
                {editable && <> · <button class="link" onClick={() => remove(c)}>Remove</button></>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form onSubmit={add}>
          <h3>Add a channel</h3>
          <p class="field">
            <label for="f-channel-type">Kind</label>
            <select id="f-channel-type" value={type}
              onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
              {Object.entries(KINDS).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
            </select>
          </p>
          <Field label="Channel name" name="channel_name" value={name} onInput={setName}
            error={fieldError(problem, "name")} />
          {KINDS[type].fields.map(([key, label]) => (
            <Field key={type + key} label={label} name={"channel_" + key} value={values[key] ?? ""}
              onInput={(v) => setValues({ ...values, [key]: v })}
              type={key === "secret" || key === "token" || key === "routing_key" ? "password" : "text"}
              error={fieldError(problem, key)} />
          ))}
          <FormError problem={problem} />
          <button type="submit">Add the channel</button>
        </form>
      )}
    </section>
  );
}

function PolicyForm(props: { ws: Workspace; channels: Channel[] }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState("");
  useEffect(() => {
    get<{ policy: Policy }>(`/api/v1/workspaces/${props.ws.id}/alert-policy`)
      .then((r) => setPolicy(r.policy), (e) => setProblem(problemOf(e)));
  }, [props.ws.id]);
  if (!policy) return <section class="card"><h2>Alert policy</h2><FormError problem={problem} /></section>;
  const p: Policy = policy;
  const set = (k: string, v: unknown) => setPolicy({ ...p, [k]: v } as Policy);
  const toggle = (k: "notify" | "escalate_to", name: string, on: boolean) =>
    set(k, on ? [...p[k], name] : p[k].filter((n) => n !== name));
  async function save(e: Event) {
    e.preventDefault();
    setProblem(null);
    setDone("");
    try {
      const body = { ...p, failure_threshold: Number(p.failure_threshold),
        success_threshold: Number(p.success_threshold) };
      const r = await send<{ policy: Policy }>("PUT", `/api/v1/workspaces/${props.ws.id}/alert-policy`, body);
      setPolicy(r.policy);
      setDone("Saved: it applies to this workspace's monitors now.");
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  const editable = props.ws.role !== "viewer";
  return (
    <form class="card" onSubmit={save}>
      <h2>Alert policy</h2>
      <p class="field">
        <label for="f-level">Alert on</label>
        <select id="f-level" value={policy.level} disabled={!editable}
          onChange={(e) => set("level", (e.currentTarget as HTMLSelectElement).value)}>
          <option value="down">down only</option>
          <option value="degraded">down, and slow or degraded</option>
          <option value="all">everything, certificates included</option>
        </select>
      </p>
      <fieldset>
        <legend>Send to</legend>
        <Check name="email_owner" checked={policy.email_owner} onChange={(v) => set("email_owner", v)}>
          each monitor's owner, by email
        </Check>
        {props.channels.map((c) => (
          <Check key={c.id} name={"notify-" + c.name} checked={policy.notify.includes(c.name)}
            onChange={(v) => toggle("notify", c.name, v)}>{c.name}</Check>
        ))}
      </fieldset>
      <Field label="Repeat while the problem lasts, every" name="remind_every"
        value={policy.remind_every} onInput={(v) => set("remind_every", v)}
        error={fieldError(problem, "remind_every")} hint="never, or a duration: 5m, 15m, 1h." />
      <Field label="Escalate after" name="escalate_after" value={policy.escalate_after}
        onInput={(v) => set("escalate_after", v)} error={fieldError(problem, "escalate_after")}
        hint="never, or a duration: unacknowledged this long, the escalation channels are told." />
      {props.channels.length > 0 && (
        <fieldset>
          <legend>Escalate to</legend>
          {props.channels.map((c) => (
            <Check key={c.id} name={"escalate-" + c.name} checked={policy.escalate_to.includes(c.name)}
              onChange={(v) => toggle("escalate_to", c.name, v)}>{c.name}</Check>
          ))}
        </fieldset>
      )}
      <Field label="Failed checks before an alert" name="failure_threshold"
        value={String(policy.failure_threshold)} inputmode="numeric"
        onInput={(v) => set("failure_threshold", v)} error={fieldError(problem, "failure_threshold")} />
      <Field label="Good checks before the recovery" name="success_threshold"
        value={String(policy.success_threshold)} inputmode="numeric"
        onInput={(v) => set("success_threshold", v)} error={fieldError(problem, "success_threshold")} />
      <Check name="recovery" checked={policy.recovery} onChange={(v) => set("recovery", v)}>
        Tell me when it recovers
      </Check>
      <FormError problem={problem} />
      {done && <p class="ok" role="status">{done}</p>}
      {editable && <button type="submit">Save the policy</button>}
    </form>
  );
}

function Maintenance(props: { ws: Workspace }) {
  const [windows, setWindows] = useState<Window[]>([]);
  const [name, setName] = useState("");
  const [start, setStart] = useState("");
  const [duration, setDuration] = useState("1h");
  const [repeat, setRepeat] = useState<"once" | "weekly" | "monthly">("once");
  const [days, setDays] = useState<string[]>(["sun"]);
  const [at, setAt] = useState("02:00");
  const [monthDays, setMonthDays] = useState("1");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ maintenance: Window[] }>(`/api/v1/maintenance?workspace_id=${props.ws.id}`)
      .then((r) => setWindows(r.maintenance), (e) => setProblem(problemOf(e)));
  }, [props.ws.id, tick]);
  async function add(e: Event) {
    e.preventDefault();
    setProblem(null);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const body: Record<string, unknown> = { workspace_id: props.ws.id, name, duration, time_zone: zone };
    if (repeat === "once") body.start = start.replace("T", " ");
    else {
      body.at = at;
      if (repeat === "weekly") body.weekly = days;
      else body.monthly = monthDays.split(",").map((d) => Number(d.trim())).filter((d) => d > 0);
    }
    try {
      await send("POST", "/api/v1/maintenance", body);
      setName("");
      setTick((t) => t + 1);
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  async function remove(w: Window) {
    await send("DELETE", `/api/v1/maintenance/${w.id}`);
    setTick((t) => t + 1);
  }
  const editable = props.ws.role !== "viewer";
  return (
    <section class="card">
      <h2>Maintenance windows</h2>
      <p class="muted">Checks go on; alerts are held.</p>
      {windows.length === 0 ? <p>None planned.</p> : (
        <ul class="plain">
          {windows.map((w) => (
            <li key={w.id}>
              <span><strong>{w.name}</strong> <span class="muted">
                {w.start ? w.start : (w.weekly ?? w.monthly ?? []).join(", ") + " at " + w.at}
                {" "}for {w.duration} ({w.time_zone})</span></span>
              {editable && <button class="link" onClick={() => remove(w)}>Remove</button>}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form onSubmit={add}>
          <h3>Plan one</h3>
          <Field label="Name" name="window_name" value={name} onInput={setName}
            error={fieldError(problem, "name")} />
          <p class="field">
            <label for="f-window-repeat">Happens</label>
            <select id="f-window-repeat" value={repeat}
              onChange={(e) => setRepeat((e.currentTarget as HTMLSelectElement).value as typeof repeat)}>
              <option value="once">once</option>
              <option value="weekly">every week</option>
              <option value="monthly">every month</option>
            </select>
          </p>
          {repeat === "once" ? (
            <Field label="Starts (your time zone)" name="window_start" type="datetime-local"
              value={start} onInput={setStart} error={fieldError(problem, "start")} />
          ) : (
            <>
              {repeat === "weekly" ? (
                <fieldset>
                  <legend>On</legend>
                  {["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => (
                    <Check key={d} name={"day-" + d} checked={days.includes(d)}
                      onChange={(on) => setDays(on ? [...days, d] : days.filter((x) => x !== d))}>
                      {d}
                    </Check>
                  ))}
                </fieldset>
              ) : (
                <Field label="Days of the month" name="window_monthly" value={monthDays}
                  onInput={setMonthDays} error={fieldError(problem, "monthly")} hint="1, 15" />
              )}
              <Field label="At (your time zone)" name="window_at" type="time" value={at}
                onInput={setAt} error={fieldError(problem, "at")} />
            </>
          )}
          <Field label="Lasts" name="window_duration" value={duration} onInput={setDuration}
            error={fieldError(problem, "duration")} hint="A duration: 30m, 2h." />
          <FormError problem={problem} />
          <button type="submit">Add the window</button>
        </form>
      )}
    </section>
  );
}

export function Alerts() {
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [current, setCurrent] = useState<number>(0);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ workspaces: Workspace[]; personal_workspace_id: number }>("/api/v1/account").then((a) => {
      setWorkspaces(a.workspaces);
      setCurrent((c) => c || a.personal_workspace_id);
    });
  }, []);
  useEffect(() => {
    if (!current) return;
    get<{ channels: Channel[] }>(`/api/v1/channels?workspace_id=${current}`)
      .then((r) => setChannels(r.channels), () => setChannels([]));
  }, [current, tick]);
  const ws = workspaces.find((w) => w.id === current);
  return (
    <main class="narrow">
      <h1>Alerts</h1>
      {workspaces.length > 1 && (
        <p class="field">
          <label for="f-workspace">Workspace</label>
          <select id="f-workspace" value={current}
            onChange={(e) => setCurrent(Number((e.currentTarget as HTMLSelectElement).value))}>
            {workspaces.map((w) => (
              <option key={w.id} value={w.id}>{w.personal ? "Personal" : w.name} ({w.role})</option>
            ))}
          </select>
        </p>
      )}
      {ws && (
        <>
          <Channels ws={ws} channels={channels} onChange={() => setTick((t) => t + 1)} />
          <PolicyForm key={ws.id + ":" + channels.length} ws={ws} channels={channels} />
          <Maintenance ws={ws} />
        </>
      )}
    </main>
  );
}
