// Tocsin's console: one page, clean URLs, everything through /api/v1.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, send, setCsrf, type ServerInfo, type User } from "./api";
import { navigate, onLink, usePath } from "./router";
import { Account } from "./pages/Account";
import { Admin } from "./pages/Admin";
import { Alerts } from "./pages/Alerts";
import { Forgot } from "./pages/Forgot";
import { Incidents } from "./pages/Incidents";
import { Login } from "./pages/Login";
import { MonitorForm } from "./pages/MonitorForm";
import { MonitorPage } from "./pages/MonitorPage";
import { Monitors } from "./pages/Monitors";
import { Privacy } from "./pages/Privacy";
import { CheckMail, Register } from "./pages/Register";
import { Report } from "./pages/Report";
import { StatusPages } from "./pages/StatusPages";
import { Teams } from "./pages/Teams";
import { Tokens } from "./pages/Tokens";
import "./style.css";

interface Banner {
  banner: { subject: string; text: string } | null;
}

// Pages anyone may see; every other one needs a session.
const PUBLIC = new Set(["/login", "/register", "/check-mail", "/privacy", "/forgot"]);

function App() {
  const path = usePath();
  const [server, setServer] = useState<ServerInfo | null>(null);
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [banner, setBanner] = useState<Banner["banner"]>(null);
  const [failed, setFailed] = useState("");

  useEffect(() => {
    (async () => {
      try {
        const [info, b] = await Promise.all([
          get<ServerInfo>("/api/v1/server"),
          get<Banner>("/api/v1/banner"),
        ]);
        setServer(info);
        setBanner(b.banner);
        try {
          const s = await get<{ user: User; csrf_token: string }>("/api/v1/session");
          setCsrf(s.csrf_token);
          setUser(s.user);
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 401) throw e;
          setUser(null);
        }
      } catch {
        setFailed("The Tocsin server did not answer. Is it running?");
      }
    })();
  }, []);

  // Where a visitor without a session lands: the administrator's sign-up on
  // a new server, else the login.
  useEffect(() => {
    if (!server || user === undefined) return;
    if (!user && !PUBLIC.has(path)) navigate(server.first_run ? "/register" : "/login", true);
    else if (user && (path === "/" || path === "/login" || path === "/register"))
      navigate("/monitors", true);
  }, [server, user, path]);

  if (failed) return <main><p class="error" role="alert">{failed}</p></main>;
  if (!server || user === undefined) return <main><p aria-busy="true">Loading…</p></main>;

  async function logOut() {
    try {
      await send("DELETE", "/api/v1/session");
    } finally {
      setCsrf("");
      setUser(null);
      navigate("/login", true);
    }
  }

  let page;
  const monitor = /^\/monitors\/(\d+)$/.exec(path);
  const edit = /^\/monitors\/(\d+)\/edit$/.exec(path);
  if (path === "/privacy") page = <Privacy />;
  else if (!user) {
    if (path === "/register") page = <Register server={server} />;
    else if (path === "/check-mail") page = <CheckMail server={server} />;
    else if (path === "/forgot") page = <Forgot />;
    else page = <Login onLogin={setUser} registration={server.registration} />;
  } else if (path === "/monitors/new") page = <MonitorForm key="new" />;
  else if (monitor) page = <MonitorPage id={monitor[1]} />;
  else if (edit) page = <MonitorForm key={edit[1]} id={edit[1]} />;
  else if (path === "/incidents") page = <Incidents />;
  else if (path === "/report") page = <Report />;
  else if (path === "/status-pages") page = <StatusPages />;
  else if (path === "/alerts") page = <Alerts />;
  else if (path === "/tokens") page = <Tokens />;
  else if (path === "/teams") page = <Teams me={user} />;
  else if (path === "/admin" && user.admin) page = <Admin />;
  else if (path === "/account")
    page = <Account onGone={() => setUser(null)} onProfile={(u) => setUser({ ...user, ...u })} />;
  else if (path === "/monitors" || path === "/") page = <Monitors admin={user.admin} />;
  else page = <main><h1>Not found</h1><p>No page here. <a href="/monitors" onClick={onLink}>
    Monitors</a></p></main>;

  return (
    <>
      <a class="skip" href="#content">Skip to the content</a>
      <header>
        <a class="brand" href="/" onClick={onLink}>Tocsin</a>
        {user && (
          <nav aria-label="Main">
            <a href="/monitors" onClick={onLink}>Monitors</a>
            <a href="/incidents" onClick={onLink}>Incidents</a>
            <a href="/report" onClick={onLink}>Reports</a>
            <a href="/status-pages" onClick={onLink}>Status pages</a>
            <a href="/alerts" onClick={onLink}>Alerts</a>
            <a href="/teams" onClick={onLink}>Teams</a>
            <a href="/tokens" onClick={onLink}>API tokens</a>
            {user.admin && <a href="/admin" onClick={onLink}>Administration</a>}
            <a href="/account" onClick={onLink} class="who">{user.name}</a>
            <button class="link" onClick={logOut}>Log out</button>
          </nav>
        )}
      </header>
      {banner && (
        <div class="banner" role="status">
          <strong>{banner.subject}</strong> {banner.text}
        </div>
      )}
      <div id="content">{page}</div>
      <footer>
        <a href="/privacy" onClick={onLink}>Privacy policy</a> · no tracking, one cookie (the
        session)
      </footer>
    </>
  );
}

render(<App />, document.getElementById("app")!);
