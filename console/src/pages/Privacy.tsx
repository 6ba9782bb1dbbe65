// The privacy policy: the operator's (plain text, shown as text), or the
// one shipped with Tocsin, its promises to users, each kept by a test in
// the project (docs/privacy.md names them).
import { useEffect, useState } from "preact/hooks";
import { get } from "../api";

export function Privacy() {
  const [text, setText] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    get<{ text: string | null }>("/api/v1/privacy-policy").then((r) => setText(r.text),
      () => setText(null));
  }, []);
  if (text === undefined) return <main class="narrow"><h1>Privacy policy</h1></main>;
  if (text) {
    return (
      <main class="narrow prose">
        <h1>Privacy policy</h1>
        {text.split(/\n\s*\n/).map((para, i) => <p key={i} class="pre-line">{para}</p>)}
      </main>
    );
  }
  return (
    <main class="narrow prose">
      <h1>Privacy policy</h1>
      <p class="lead">
        This server runs Tocsin, a website monitoring service. It holds your name, your email
        address, the addresses you ask it to watch and the history of their health. This is what
        it promises about that data.
      </p>
      <ol>
        <li>Your password only secures your account: it is stored as an Argon2id hash, and is
          never logged, never mailed, never shown.</li>
        <li>You get an email confirming your registration, and another confirming the
          termination of your account.</li>
        <li>Your name and email address are never sold, rented or shared. The server sends
          nothing anywhere except the checks you asked for and the notifications to the
          channels you chose.</li>
        <li>Its web server logs are not tied to accounts: client addresses are truncated, and
          they hold no user id, cookie or token. They serve only aggregate traffic
          statistics.</li>
        <li>The only cookie is the session cookie, set when you log in. Refusing cookies costs
          you only the logged-in console: the API with tokens works without any. There is no
          tracking and no third-party script, font or image.</li>
        <li>You choose whether you get alert emails or pager notifications, at which level and
          how often they repeat, and you can opt out at any time.</li>
        <li>Registered users receive a weekly summary of their sites' performance, and can
          unsubscribe in one click without logging in.</li>
        <li>You can see, correct, export (as JSON) and delete all your data. Deleting removes
          everything; nothing is merely hidden.</li>
        <li>You are told by email before a change of this policy takes effect, and promptly of
          a security breach that affects you.</li>
        <li>The server does not knowingly hold data of children under 13: registration asks
          you to confirm your age.</li>
        <li>The data of a site you monitor (its address, IP, timings) is yours: never shown to
          another user, on a status page only when you publish it, and in benchmark
          comparisons only as anonymous aggregates.</li>
      </ol>
    </main>
  );
}
