// A forgotten password: the server mails a single-use link (and answers
// the same whether or not the address has an account).
import { useState } from "preact/hooks";
import { send } from "../api";
import { Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { onLink } from "../router";

export function Forgot() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  return (
    <main class="narrow">
      <h1>Forgot your password?</h1>
      {sent ? (
        <p class="note" role="status">If an account has the address {email}, a link to set a new
          password is on its way. It works once, within an hour.</p>
      ) : (
        <form onSubmit={async (e) => {
          e.preventDefault();
          setProblem(null);
          try {
            await send("POST", "/api/v1/account/password-reset", { email });
            setSent(true);
          } catch (err) {
            setProblem(problemOf(err));
          }
        }}>
          <Field label="Email" name="email" type="email" value={email} onInput={setEmail}
            autocomplete="email" error={fieldError(problem, "email")} />
          <FormError problem={problem} />
          <button type="submit">Mail me a link</button>
        </form>
      )}
      <p><a href="/login" onClick={onLink}>Back to the login</a></p>
    </main>
  );
}
