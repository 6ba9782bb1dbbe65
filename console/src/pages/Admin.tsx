// Administration: registration open or by invitation, a second factor
// required of everyone, and notices to every user (by mail, and as the
// console's banner).
import { useEffect, useState } from "preact/hooks";
import { get, send } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";

interface Settings { registration: "open" | "invite"; require_totp: boolean }
interface AdminUser {
  id: number; name: string; email: string; email_confirmed: boolean; admin: boolean;
  disabled: boolean; totp_enabled: boolean; created_ms: number;
}

function Users(props: { onProblem: (p: Problem | null) => void }) {
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ users: AdminUser[] }>("/api/v1/admin/users").then((r) => setUsers(r.users),
      (e) => props.onProblem(problemOf(e)));
  }, [tick]);
  async function toggle(u: AdminUser) {
    if (!u.disabled && !confirm(`Disable ${u.email}? Their logins, sessions and tokens stop ` +
      "working and their monitors stop running; nothing is deleted.")) return;
    try {
      await send("PATCH", `/api/v1/admin/users/${u.id}`, { disabled: !u.disabled });
      setTick((t) => t + 1);
    } catch (e) {
      props.onProblem(problemOf(e));
    }
  }
  return (
    <section class="card">
      <h2>Users ({users.length})</h2>
      <ul class="plain">
        {users.map((u) => (
          <li key={u.id}>
            <span><strong>{u.name}</strong> <span class="muted">{u.email}
              {u.admin ? " · administrator" : ""}{u.totp_enabled ? " · two-step login" : ""}
              {!u.email_confirmed ? " · address not confirmed" : ""}
              {u.disabled ? " · disabled" : ""}</span></span>
            <button class="link" onClick={() => toggle(u)}>{u.disabled ? "Enable" : "Disable"}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PolicyEditor(props: { onDone: (m: string) => void; onProblem: (p: Problem) => void }) {
  // null until the published text has loaded: nothing typed before is lost.
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    get<{ text: string | null }>("/api/v1/privacy-policy").then((r) => setText(r.text ?? ""));
  }, []);
  return (
    <form class="card" onSubmit={async (e) => {
      e.preventDefault();
      try {
        await send("PUT", "/api/v1/admin/privacy-policy", { text: text ?? "" });
        props.onDone(text ? "The policy is published." : "The shipped policy is back.");
      } catch (err) {
        props.onProblem(problemOf(err));
      }
    }}>
      <h2>Privacy policy</h2>
      <p class="muted">Plain text; a blank line starts a paragraph. Empty: the policy shipped with
        Tocsin. Tell users before a change takes effect (a privacy policy change notice, above).</p>
      <p class="field">
        <label for="f-policy">Your policy</label>
        <textarea id="f-policy" rows={8} value={text ?? ""} disabled={text === null}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      </p>
      <button type="submit" disabled={text === null}>Publish</button>
    </form>
  );
}

interface Smtp {
  source: "file" | "console" | "none"; host?: string; port?: number; tls?: string;
  username?: string; password_set?: boolean; from?: string;
}

// Where mail goes: the config file's SMTP server, one set here, or (none)
// the local mail drop; a test mail shows it works.
function MailSettings(props: { onDone: (m: string) => void; onProblem: (p: Problem) => void }) {
  const [smtp, setSmtp] = useState<Smtp | null>(null);
  const [host, setHost] = useState("");
  const [port, setPort] = useState("587");
  const [tls, setTls] = useState("starttls");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [from, setFrom] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const show = (s: Smtp) => {
    setSmtp(s);
    if (s.source === "console") {
      setHost(s.host ?? "");
      setPort(String(s.port ?? 587));
      setTls(s.tls ?? "starttls");
      setUsername(s.username ?? "");
      setFrom(s.from ?? "");
    }
  };
  useEffect(() => {
    get<Smtp>("/api/v1/admin/smtp").then(show, (e) => props.onProblem(problemOf(e)));
  }, []);
  if (!smtp) return null;
  if (smtp.source === "file") {
    return (
      <section class="card" id="mail">
        <h2>Mail</h2>
        <p>Mail goes through the SMTP server of the config file (<code>server.smtp</code>).</p>
      </section>
    );
  }
  async function act(run: () => Promise<string>) {
    setProblem(null);
    try {
      props.onDone(await run());
    } catch (e) {
      setProblem(problemOf(e));
    }
  }
  return (
    <form class="card" id="mail" onSubmit={(e) => {
      e.preventDefault();
      act(async () => {
        const body: Record<string, unknown> = { host, port: Number(port), tls, username, from };
        if (password) body.password = password;
        show(await send<Smtp>("PUT", "/api/v1/admin/smtp", body));
        setPassword("");
        return "Mail goes through " + host + " from now on.";
      });
    }}>
      <h2>Mail</h2>
      <p>{smtp.source === "none"
        ? "No SMTP server is set: every mail (confirmations, alerts) is written to the local mail drop, the mail/new folder of the data directory. Set one here to send mail out."
        : `Mail goes through ${smtp.host}:${smtp.port}.`}</p>
      <Field label="SMTP server" name="smtp_host" value={host} onInput={setHost}
        error={fieldError(problem, "host")} hint="Host name or address: smtp.example.com" />
      <Field label="Port" name="smtp_port" value={port} onInput={setPort} inputmode="numeric"
        error={fieldError(problem, "port")} />
      <p class="field">
        <label for="f-smtp-tls">Encryption</label>
        <select id="f-smtp-tls" value={tls}
          onChange={(e) => setTls((e.currentTarget as HTMLSelectElement).value)}>
          <option value="starttls">STARTTLS (port 587)</option>
          <option value="tls">TLS from the start (port 465)</option>
          <option value="none">none (a relay on this machine)</option>
        </select>
      </p>
      <Field label="User name" name="smtp_username" value={username} onInput={setUsername}
        autocomplete="off" error={fieldError(problem, "username")} />
      <Field label="Password" name="smtp_password" type="password" value={password}
        onInput={setPassword} autocomplete="new-password" error={fieldError(problem, "password")}
        hint={smtp.password_set ? "Set; leave empty to keep it." : undefined} />
      <Field label="From" name="smtp_from" value={from} onInput={setFrom}
        error={fieldError(problem, "from")} hint="Tocsin <alerts@example.com>" />
      <FormError problem={problem} />
      <span class="actions">
        <button type="submit">Save</button>
        <button type="button" class="plain" onClick={() => act(async () => {
          const r = await send<{ to: string; via: string }>("POST", "/api/v1/admin/smtp/test");
          return `A test mail went to ${r.to} (${r.via === "drop" ? "in the mail drop" : "by SMTP"}).`;
        })}>Send me a test mail</button>
        {smtp.source === "console" && (
          <button type="button" class="secondary" onClick={() => act(async () => {
            await send("DELETE", "/api/v1/admin/smtp");
            show({ source: "none" });
            return "Mail goes to the local mail drop again.";
          })}>Use the mail drop</button>
        )}
      </span>
    </form>
  );
}

interface TrafficRow { route: string; requests: number; "2xx": number; "3xx": number;
  "4xx": number; "5xx": number; bytes: number }

// What the server answered since it started, by route: no address, no
// user, only counts (the access log's promise).
function Traffic() {
  const [t, setT] = useState<{ since_ms: number; total: number; routes: TrafficRow[] } | null>(null);
  useEffect(() => {
    get<{ since_ms: number; total: number; routes: TrafficRow[] }>("/api/v1/admin/traffic")
      .then(setT, () => setT(null));
  }, []);
  if (!t) return null;
  return (
    <section class="card">
      <h2>Traffic</h2>
      <p class="muted">{t.total.toLocaleString()} requests since {new Date(t.since_ms).toLocaleString()};
        counts only, nothing about who asked.</p>
      <table>
        <thead><tr><th scope="col">Route</th><th scope="col">Requests</th><th scope="col">4xx</th>
          <th scope="col">5xx</th><th scope="col">Sent</th></tr></thead>
        <tbody>
          {t.routes.slice(0, 15).map((r) => (
            <tr key={r.route}><td><code>{r.route}</code></td><td>{r.requests.toLocaleString()}</td>
              <td>{r["4xx"]}</td><td>{r["5xx"]}</td>
              <td>{(r.bytes / 1024).toFixed(0)} KB</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Admin() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState("");
  const [kind, setKind] = useState("announcement");
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [banner, setBanner] = useState(true);
  useEffect(() => {
    get<Settings>("/api/v1/admin/settings").then(setSettings, (e) => setProblem(problemOf(e)));
  }, []);
  async function act(run: () => Promise<string>) {
    setProblem(null);
    setDone("");
    try {
      setDone(await run());
    } catch (e) {
      setProblem(problemOf(e));
    }
  }
  return (
    <main class="narrow">
      <h1>Administration</h1>
      <FormError problem={problem} />
      {done && <p class="ok" role="status">{done}</p>}
      <Users onProblem={setProblem} />
      <MailSettings onDone={(m) => { setProblem(null); setDone(m); }} onProblem={setProblem} />
      {settings && (
        <section class="card">
          <h2>Who may join</h2>
          <p class="field">
            <label for="f-registration">Registration</label>
            <select id="f-registration" value={settings.registration}
              onChange={(e) => act(async () => {
                const s = await send<Settings>("PATCH", "/api/v1/admin/settings",
                  { registration: (e.currentTarget as HTMLSelectElement).value });
                setSettings(s);
                return "Saved.";
              })}>
              <option value="open">open to anyone</option>
              <option value="invite">by invitation only</option>
            </select>
          </p>
          <Check name="require_totp" checked={settings.require_totp}
            onChange={(v) => act(async () => {
              const s = await send<Settings>("PATCH", "/api/v1/admin/settings", { require_totp: v });
              setSettings(s);
              return "Saved.";
            })}>
            Require two-step login of everyone (set up your own first)
          </Check>
        </section>
      )}
      <form class="card" onSubmit={(e) => {
        e.preventDefault();
        act(async () => {
          const r = await send<{ recipients: number }>("POST", "/api/v1/admin/notices",
            { kind, subject, text, banner });
          setSubject("");
          setText("");
          return `Queued for ${r.recipients} users.`;
        });
      }}>
        <h2>Tell every user</h2>
        <p class="field">
          <label for="f-kind">Kind</label>
          <select id="f-kind" value={kind}
            onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
            <option value="announcement">service announcement</option>
            <option value="policy_change">privacy policy change</option>
            <option value="security">security or breach notice</option>
          </select>
        </p>
        <Field label="Subject" name="subject" value={subject} onInput={setSubject}
          error={fieldError(problem, "subject")} />
        <p class="field">
          <label for="f-text">Text</label>
          <textarea id="f-text" rows={6} value={text}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
        </p>
        <Check name="banner" checked={banner} onChange={setBanner}>
          Also show it as the console's banner
        </Check>
        <button type="submit">Send to every user</button>
      </form>
      <PolicyEditor onDone={(m) => { setProblem(null); setDone(m); }} onProblem={setProblem} />
      <Traffic />
      <section class="card">
        <h2>The banner</h2>
        <button class="link" onClick={() => act(async () => {
          await send("DELETE", "/api/v1/admin/banner");
          return "The banner is down.";
        })}>Take the banner down</button>
      </section>
    </main>
  );
}
