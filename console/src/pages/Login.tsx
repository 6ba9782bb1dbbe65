import { useState } from "preact/hooks";
import { send, setCsrf, type User } from "../api";
import { Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { navigate, onLink } from "../router";

export function Login(props: { onLogin: (u: User) => void; registration: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [askTotp, setAskTotp] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body: Record<string, string> = { email, password };
      if (totp) body.totp = totp;
      const r = await send<{ user: User; csrf_token: string }>("POST", "/api/v1/session", body);
      setCsrf(r.csrf_token);
      props.onLogin(r.user);
      navigate("/monitors", true);
    } catch (err) {
      const p = problemOf(err);
      if (p.field === "totp") setAskTotp(true);
      setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="narrow">
      <h1>Log in</h1>
      {new URLSearchParams(location.search).get("closed") === "1" && (
        <p class="note" role="status">Your account and all its data are deleted; a last mail
          confirms it. Goodbye.</p>
      )}
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail}
          autocomplete="username" required error={fieldError(problem, "email")} />
        <Field label="Password" name="password" type="password" value={password}
          onInput={setPassword} autocomplete="current-password" required
          error={fieldError(problem, "password")} />
        {askTotp && (
          <Field label="Code of your authenticator app (or a recovery code)" name="totp"
            value={totp} onInput={setTotp} autocomplete="one-time-code" inputmode="numeric"
            error={fieldError(problem, "totp")} />
        )}
        <FormError problem={problem} />
        <button type="submit" disabled={busy}>Log in</button>
      </form>
      <p><a href="/forgot" onClick={onLink}>Forgot your password?</a></p>
      {props.registration === "open" && (
        <p>
          New here? <a href="/register" onClick={onLink}>Create an account</a>.
        </p>
      )}
    </main>
  );
}
