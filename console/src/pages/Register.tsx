// Registration; on a server with no user yet, the same form makes the
// administrator (the first user is one), and says where the confirmation
// link goes when no SMTP server is set.
import { useState } from "preact/hooks";
import { send, type ServerInfo } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { navigate, onLink } from "../router";

export function Register(props: { server: ServerInfo }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [age, setAge] = useState(false);
  const [policy, setPolicy] = useState(false);
  const [invitation, setInvitation] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const first = props.server.first_run;

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body: Record<string, unknown> = {
        name,
        email,
        password,
        age_confirmed: age,
        policy_accepted: policy,
      };
      if (invitation) body.invitation = invitation;
      await send("POST", "/api/v1/account", body);
      navigate("/check-mail?to=" + encodeURIComponent(email) + (first ? "&first=1" : ""));
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="narrow">
      <h1>{first ? "Welcome to Tocsin" : "Create your account"}</h1>
      {first && (
        <p class="lead">
          No one has an account on this server yet. The account you create now is its
          administrator: it sees the config file's monitors and can open or close registration.
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <Field label="Name" name="name" value={name} onInput={setName} autocomplete="name"
          required error={fieldError(problem, "name")} />
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail}
          autocomplete="email" required error={fieldError(problem, "email")}
          hint="A link to confirm it is mailed there; nothing is monitored before." />
        <Field label="Password" name="password" type="password" value={password}
          onInput={setPassword} autocomplete="new-password" required
          error={fieldError(problem, "password")}
          hint="At least 15 characters (8 once you use two-step login); a few unrelated words work well." />
        {props.server.registration === "invite" && (
          <Field label="Invitation code" name="invitation" value={invitation}
            onInput={setInvitation} error={fieldError(problem, "invitation")}
            hint="Registration on this server is by invitation: the code is in the mail you got." />
        )}
        <Check name="age_confirmed" checked={age} onChange={setAge}>
          I am at least 13 years old.
        </Check>
        {fieldError(problem, "age_confirmed") && (
          <p class="error" role="alert">{fieldError(problem, "age_confirmed")}</p>
        )}
        <Check name="policy_accepted" checked={policy} onChange={setPolicy}>
          I have read the <a href="/privacy" onClick={onLink}>privacy policy</a>.
        </Check>
        {fieldError(problem, "policy_accepted") && (
          <p class="error" role="alert">{fieldError(problem, "policy_accepted")}</p>
        )}
        <FormError problem={problem} />
        <button type="submit" disabled={busy}>
          {first ? "Create the administrator" : "Create the account"}
        </button>
      </form>
      {!first && (
        <p>
          Have an account? <a href="/login" onClick={onLink}>Log in</a>.
        </p>
      )}
    </main>
  );
}

export function CheckMail(props: { server: ServerInfo }) {
  const params = new URLSearchParams(location.search);
  const to = params.get("to") ?? "your address";
  const first = params.get("first") === "1";
  return (
    <main class="narrow">
      <h1>Confirm your address</h1>
      <p class="lead">
        A link to confirm <strong>{to}</strong> is on its way. Open it, confirm, then{" "}
        <a href="/login" onClick={onLink}>log in</a>.
      </p>
      {props.server.mail === "drop" && (
        <div class="note" role="note">
          <h2>No SMTP server is set yet</h2>
          <p>
            Until one is set (<code>server.smtp</code> in the config file), every mail this server
            sends, alerts included, is written to the local mail drop: the <code>mail/new</code>{" "}
            folder of its data directory (<code>./tocsin-data</code> for <code>make run</code>).
            {first && " The confirmation link is also printed in the server's log."} Once
            you are in, set an SMTP server on the administration page to send mail out.
          </p>
        </div>
      )}
    </main>
  );
}
