// A new monitor: the probe's common options; the API validates every one
// and names the field that is wrong.
import { useState } from "preact/hooks";
import { send, type Monitor } from "../api";
import { Field, FormError, fieldError, problemOf, type Problem } from "../forms";
import { navigate } from "../router";

export function AddMonitor() {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("https://");
  const [interval, setInterval] = useState("60");
  const [timeout, setTimeoutText] = useState("10s");
  const [expect, setExpect] = useState("");
  const [keyword, setKeyword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const check: Record<string, string> = {};
    if (timeout) check.timeout = timeout;
    if (expect) check.expect_status = expect;
    if (keyword) check.keyword = keyword;
    try {
      const m = await send<Monitor>("POST", "/api/v1/monitors", {
        name,
        url,
        interval_s: Number(interval),
        check,
      });
      navigate("/monitors/" + m.id);
    } catch (err) {
      const p = problemOf(err);
      // The check options' errors name the option; show them by its field.
      setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="narrow">
      <h1>Add a monitor</h1>
      <form onSubmit={submit} noValidate>
        <Field label="Name" name="name" value={name} onInput={setName} required
          error={fieldError(problem, "name")} />
        <Field label="URL" name="url" type="url" value={url} onInput={setUrl} required
          inputmode="url" error={fieldError(problem, "url")}
          hint="http:// or https://; redirects are followed." />
        <Field label="Check every (seconds)" name="interval_s" value={interval}
          onInput={setInterval} inputmode="numeric" error={fieldError(problem, "interval_s")}
          hint="10 to 86,400." />
        <Field label="Timeout" name="timeout" value={timeout} onInput={setTimeoutText}
          error={fieldError(problem, "timeout")} hint="A duration: 500ms, 10s." />
        <Field label="Expected status codes" name="expect_status" value={expect}
          onInput={setExpect} error={fieldError(problem, "expect_status")}
          hint="Empty: any 2xx or 3xx. Or a list: 200, 204, 300-399." />
        <Field label="Keyword the page must contain" name="keyword" value={keyword}
          onInput={setKeyword} error={fieldError(problem, "keyword")} />
        <FormError problem={problem} />
        <button type="submit" disabled={busy}>Add the monitor</button>
      </form>
    </main>
  );
}
