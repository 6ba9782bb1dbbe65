// API tokens: made here, shown once, read-only or read-write, with an
// optional expiry; revoked in one click.
import { useEffect, useState } from "preact/hooks";
import { get, send } from "../api";
import { Check, Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { ago, when } from "../format";

interface Token {
  id: number; name: string; read_only: boolean; created_ms: number; expires_ms: number;
  last_used_ms: number; revoked_ms: number;
}

export function Tokens() {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [name, setName] = useState("");
  const [write, setWrite] = useState(false);
  const [days, setDays] = useState("");
  const [made, setMade] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<Token[]>("/api/v1/tokens").then(setTokens, (e) => setProblem(problemOf(e)));
  }, [tick]);
  async function create(e: Event) {
    e.preventDefault();
    setProblem(null);
    try {
      const body: Record<string, unknown> = { name, read_only: !write };
      if (days.trim()) body.expires_in_s = Math.round(Number(days) * 86400);
      const t = await send<{ token: string }>("POST", "/api/v1/tokens", body);
      setMade(t.token);
      setName("");
      setTick((x) => x + 1);
    } catch (err) {
      setProblem(problemOf(err));
    }
  }
  async function revoke(t: Token) {
    if (!confirm(`Revoke "${t.name}"? Whatever uses it stops working.`)) return;
    await send("DELETE", `/api/v1/tokens/${t.id}`);
    setTick((x) => x + 1);
  }
  const live = tokens.filter((t) => !t.revoked_ms);
  return (
    <main class="narrow">
      <h1>API tokens</h1>
      <p>For scripts and dashboards: send <code>Authorization: Bearer &lt;token&gt;</code> to
        <code> /api/v1</code> (documented at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>).</p>
      {made && (
        <div class="note" role="status">
          <p>Your new token, shown this once:</p>
          <p><span class="secret">{made}</span></p>
        </div>
      )}
      <section class="card">
        <h2>Yours</h2>
        {live.length === 0 ? <p>None.</p> : (
          <ul class="plain">
            {live.map((t) => (
              <li key={t.id}>
                <span><strong>{t.name}</strong> <span class="muted">
                  {t.read_only ? "read-only" : "read-write"}, made {ago(t.created_ms)}
                  {t.expires_ms ? ", expires " + when(t.expires_ms) : ""}
                  {t.last_used_ms ? ", last used " + ago(t.last_used_ms) : ", never used"}</span></span>
                <button class="link" onClick={() => revoke(t)}>Revoke</button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form class="card" onSubmit={create}>
        <h2>Make one</h2>
        <Field label="Name" name="token_name" value={name} onInput={setName}
          error={fieldError(problem, "name")} hint="What uses it: ci, grafana…" />
        <Check name="read_write" checked={write} onChange={setWrite}>
          It may change things (read-write); otherwise it only reads
        </Check>
        <Field label="Expires after (days, empty: never)" name="expires_days" value={days}
          onInput={setDays} inputmode="numeric" error={fieldError(problem, "expires_in_s")} />
        <FormError problem={problem} />
        <button type="submit">Make the token</button>
      </form>
    </main>
  );
}
