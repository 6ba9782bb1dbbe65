// Change User Information: name, time zone and the weekly summary (on or
// off, its day and hour, a preview, "send it to me now"); password;
// contact address (confirmed by the new address first); two-step login;
// sessions; export of all one's data; terminating the account.
import { useEffect, useState } from "preact/hooks";
import { get, send, setCsrf, type User } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { ago } from "../format";
import { navigate } from "../router";

interface Profile extends User {
  time_zone: string;
  weekly_summary: boolean;
  weekly_summary_day: string;
  weekly_summary_hour: number;
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

interface SessionRow {
  id: string;
  current: boolean;
  created_ms: number;
  last_seen_ms: number;
  user_agent: string;
}

// A form's state: busy while sending, then a problem or a done message.
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState("");
  async function run(action: () => Promise<string>) {
    setBusy(true);
    setProblem(null);
    setDone("");
    try {
      setDone(await action());
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, done, run };
}

function Done(props: { text: string }) {
  return props.text ? <p class="ok" role="status">{props.text}</p> : null;
}

function ProfileForm(props: { profile: Profile; onSaved: (p: Profile) => void }) {
  const [name, setName] = useState(props.profile.name);
  const [zone, setZone] = useState(props.profile.time_zone);
  const [weekly, setWeekly] = useState(props.profile.weekly_summary);
  const [day, setDay] = useState(props.profile.weekly_summary_day);
  const [hour, setHour] = useState(props.profile.weekly_summary_hour);
  const s = useSubmit();
  const zones: string[] = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] })
    .supportedValuesOf?.("timeZone") ?? [props.profile.time_zone];
  if (!zones.includes("UTC")) zones.unshift("UTC");
  return (
    <form class="card" onSubmit={(e) => {
      e.preventDefault();
      s.run(async () => {
        const p = await send<Profile>("PATCH", "/api/v1/account",
          { name, time_zone: zone, weekly_summary: weekly, weekly_summary_day: day,
            weekly_summary_hour: hour });
        props.onSaved(p);
        return "Saved.";
      });
    }}>
      <h2>Profile</h2>
      <Field label="Name" name="name" value={name} onInput={setName} autocomplete="name"
        error={fieldError(s.problem, "name")} />
      <p class="field">
        <label for="f-time_zone">Time zone</label>
        <select id="f-time_zone" value={zone}
          onChange={(e) => setZone((e.currentTarget as HTMLSelectElement).value)}>
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </p>
      <Check name="weekly_summary" checked={weekly} onChange={setWeekly}>
        Send me the weekly summary of my monitors
      </Check>
      {weekly && (
        <p class="field weekly-when">
          <label for="f-weekly_day">Every</label>
          <select id="f-weekly_day" value={day}
            onChange={(e) => setDay((e.currentTarget as HTMLSelectElement).value)}>
            {DAYS.map((d) => <option key={d} value={d}>{d[0].toUpperCase() + d.slice(1)}</option>)}
          </select>
          <label for="f-weekly_hour">at</label>
          <select id="f-weekly_hour" value={hour}
            onChange={(e) => setHour(Number((e.currentTarget as HTMLSelectElement).value))}>
            {Array.from({ length: 24 }, (_, h) => (
              <option key={h} value={h}>{String(h).padStart(2, "0")}:00</option>))}
          </select>
        </p>
      )}
      <FormError problem={s.problem} />
      <Done text={s.done} />
      <button type="submit" disabled={s.busy}>Save</button>
    </form>
  );
}

// The summary of the latest whole week as it is mailed (its text part),
// and a copy mailed now.
function WeeklySummary() {
  const [text, setText] = useState("");
  const s = useSubmit();
  return (
    <section class="card" aria-labelledby="weekly-heading">
      <h2 id="weekly-heading">Weekly summary</h2>
      <p class="muted">Each of your URLs' week: uptime, incidents, response and download times,
        the change from the week before, and how it ranks among the URLs on this server.</p>
      <p class="actions">
        <button type="button" class="secondary" disabled={s.busy} onClick={() => s.run(async () => {
          const mail = await get<{ subject: string; text: string }>("/api/v1/account/weekly-summary");
          setText(mail.subject + "\n\n" + mail.text);
          return "";
        })}>Preview</button>
        <button type="button" disabled={s.busy} onClick={() => s.run(async () => {
          const r = await send<{ message: string }>("POST", "/api/v1/account/weekly-summary/send");
          return r.message;
        })}>Send it to me now</button>
      </p>
      <FormError problem={s.problem} />
      <Done text={s.done} />
      {text && <pre class="preview" tabIndex={0} aria-label="The summary's text">{text}</pre>}
    </section>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const s = useSubmit();
  return (
    <form class="card" onSubmit={(e) => {
      e.preventDefault();
      s.run(async () => {
        await send("POST", "/api/v1/account/password",
          { current_password: current, new_password: next });
        setCurrent("");
        setNext("");
        return "Changed. Every other session of yours has ended; a mail tells you so.";
      });
    }}>
      <h2>Password</h2>
      <Field label="Current password" name="current_password" type="password" value={current}
        onInput={setCurrent} autocomplete="current-password"
        error={fieldError(s.problem, "current_password")} />
      <Field label="New password" name="new_password" type="password" value={next}
        onInput={setNext} autocomplete="new-password" error={fieldError(s.problem, "new_password")
          ?? fieldError(s.problem, "password")}
        hint="At least 15 characters (8 with two-step login)." />
      <FormError problem={s.problem} />
      <Done text={s.done} />
      <button type="submit" disabled={s.busy}>Change the password</button>
    </form>
  );
}

function EmailForm(props: { email: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const s = useSubmit();
  return (
    <form class="card" onSubmit={(e) => {
      e.preventDefault();
      s.run(async () => {
        await send("POST", "/api/v1/account/email", { email, password });
        setPassword("");
        return `A link went to ${email}: your address changes when it is opened.`;
      });
    }}>
      <h2>Email address</h2>
      <p>Now: <strong>{props.email}</strong>. Alerts to you follow the change.</p>
      <Field label="New address" name="email" type="email" value={email} onInput={setEmail}
        autocomplete="email" error={fieldError(s.problem, "email")} />
      <Field label="Password" name="email_password" type="password" value={password}
        onInput={setPassword} autocomplete="current-password"
        error={fieldError(s.problem, "password")} />
      <FormError problem={s.problem} />
      <Done text={s.done} />
      <button type="submit" disabled={s.busy}>Change the address</button>
    </form>
  );
}

function TwoStep(props: { enabled: boolean; onChange: () => void }) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const s = useSubmit();
  if (codes.length) {
    return (
      <section class="card">
        <h2>Two-step login is on</h2>
        <p>Keep these recovery codes somewhere safe: each logs you in once without your app.
          They are shown only now.</p>
        <ul class="secret-list">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <button onClick={() => { setCodes([]); props.onChange(); }}>I have kept them</button>
      </section>
    );
  }
  return (
    <form class="card" onSubmit={(e) => {
      e.preventDefault();
      s.run(async () => {
        if (props.enabled) {
          await send("DELETE", "/api/v1/account/totp", { password, code });
          props.onChange();
          return "Two-step login is off.";
        }
        if (!secret) {
          setSecret(await send<{ secret: string; uri: string }>("POST", "/api/v1/account/totp",
            { password }));
          return "";
        }
        const r = await send<{ recovery_codes: string[] }>("POST",
          "/api/v1/account/totp/confirm", { code });
        setCodes(r.recovery_codes);
        return "";
      });
    }}>
      <h2>Two-step login</h2>
      <p>{props.enabled ? "On: logging in asks for your authenticator app's code."
        : "Off. With it on, logging in also asks for a code from an authenticator app."}</p>
      {secret && (
        <div>
          <p>Add this key to your authenticator app (or open the link on your phone), then enter
            the code it shows:</p>
          <p><span class="secret">{secret.secret}</span></p>
          <p><a href={secret.uri}>Open in an authenticator app</a></p>
        </div>
      )}
      {(!secret || props.enabled) && (
        <Field label="Password" name="totp_password" type="password" value={password}
          onInput={setPassword} autocomplete="current-password"
          error={fieldError(s.problem, "password")} />
      )}
      {(secret || props.enabled) && (
        <Field label="Code" name="totp_code" value={code} onInput={setCode}
          autocomplete="one-time-code" inputmode="numeric" error={fieldError(s.problem, "code")} />
      )}
      <FormError problem={s.problem} />
      <Done text={s.done} />
      <button type="submit" disabled={s.busy}>
        {props.enabled ? "Turn it off" : secret ? "Confirm and turn it on" : "Set it up"}
      </button>
    </form>
  );
}

function Sessions() {
  const [rows, setRows] = useState<SessionRow[]>([]);
  const [tick, setTick] = useState(0);
  const s = useSubmit();
  useEffect(() => {
    get<{ sessions: SessionRow[] }>("/api/v1/account/sessions").then((r) => setRows(r.sessions),
      () => setRows([]));
  }, [tick]);
  const end = (path: string) => s.run(async () => {
    await send("DELETE", path);
    setTick((t) => t + 1);
    return "Ended.";
  });
  return (
    <section class="card">
      <h2>Where you are logged in</h2>
      <ul class="plain">
        {rows.map((r) => (
          <li key={r.id}>
            <span>
              <strong>{r.current ? "This browser" : r.user_agent || "Unknown browser"}</strong>
              <small class="muted"> since {ago(r.created_ms)}, last seen {ago(r.last_seen_ms)}</small>
            </span>
            {!r.current && (
              <button class="link" onClick={() => end("/api/v1/account/sessions/" + r.id)}>
                End</button>
            )}
          </li>
        ))}
      </ul>
      {rows.length > 1 && (
        <button onClick={() => end("/api/v1/account/sessions")}>End every other session</button>
      )}
      <FormError problem={s.problem} />
      <Done text={s.done} />
    </section>
  );
}

function Terminate(props: { onGone: () => void }) {
  const [password, setPassword] = useState("");
  const [sure, setSure] = useState(false);
  const s = useSubmit();
  return (
    <form class="card danger" onSubmit={(e) => {
      e.preventDefault();
      s.run(async () => {
        await send("DELETE", "/api/v1/account", { password });
        setCsrf("");
        props.onGone();
        navigate("/login?closed=1", true);
        return "";
      });
    }}>
      <h2>Terminate the account</h2>
      <p>Deletes your monitors with their whole history, your incidents, channels, tokens and
        sessions, and the teams only you own. Nothing is kept. A last mail confirms it.</p>
      <Field label="Password" name="terminate_password" type="password" value={password}
        onInput={setPassword} autocomplete="current-password"
        error={fieldError(s.problem, "password")} />
      <Check name="sure" checked={sure} onChange={setSure}>
        I understand that this cannot be undone
      </Check>
      <FormError problem={s.problem} />
      <button type="submit" class="secondary" disabled={s.busy || !sure}>
        Delete my account and all its data</button>
    </form>
  );
}

export function Account(props: { onGone: () => void; onProfile: (u: User) => void }) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<Profile>("/api/v1/account").then(setProfile, () => setProfile(null));
  }, [tick]);
  if (!profile) return <main class="narrow"><h1>Your account</h1><p aria-busy="true">Loading…</p></main>;
  return (
    <main class="narrow">
      <h1>Your account</h1>
      <ProfileForm profile={profile} onSaved={(p) => { setProfile(p); props.onProfile(p); }} />
      <WeeklySummary />
      <PasswordForm />
      <EmailForm email={profile.email} />
      <TwoStep enabled={profile.totp_enabled} onChange={() => setTick((t) => t + 1)} />
      <Sessions />
      <section class="card">
        <h2>Your data</h2>
        <p>Everything this server holds about you and your monitors, as one JSON file: your
          profile, sessions, monitors with their results and incidents, channels, policies,
          maintenance windows and tokens (no password or secret).</p>
        <a class="button" href="/api/v1/account/export" download="tocsin-export.json">
          Export my data</a>
      </section>
      <Terminate onGone={props.onGone} />
    </main>
  );
}
