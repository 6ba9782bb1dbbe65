// Teams: make one, invite by email in a role, change roles, remove members
// or leave; an owner deletes the team with everything in it.
import { useEffect, useState } from "preact/hooks";
import { get, send, type User } from "../api";
import { Field, FormError, fieldError, problemOf, type Problem } from "../forms";

interface Team { id: number; name: string; role: "viewer" | "editor" | "owner" }
interface Member { user_id: number; name: string; email: string; role: Team["role"] }
const ROLES: Team["role"][] = ["viewer", "editor", "owner"];

function TeamCard(props: { team: Team; me: User; onChange: () => void }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Team["role"]>("editor");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState("");
  const [tick, setTick] = useState(0);
  const owner = props.team.role === "owner";
  const base = `/api/v1/teams/${props.team.id}`;
  useEffect(() => {
    get<{ members: Member[] }>(base + "/members").then((r) => setMembers(r.members),
      (e) => setProblem(problemOf(e)));
  }, [props.team.id, tick]);
  async function act(run: () => Promise<string>) {
    setProblem(null);
    setDone("");
    try {
      setDone(await run());
      setTick((t) => t + 1);
    } catch (e) {
      setProblem(problemOf(e));
    }
  }
  return (
    <section class="card">
      <h2>{props.team.name} <small class="muted">you are {props.team.role}</small></h2>
      <ul class="plain">
        {members.map((m) => (
          <li key={m.user_id}>
            <span><strong>{m.name}</strong> <span class="muted">{m.email}</span></span>
            <span>
              {owner ? (
                <select aria-label={"Role of " + m.name} value={m.role}
                  onChange={(e) => act(async () => {
                    await send("PATCH", `${base}/members/${m.user_id}`,
                      { role: (e.currentTarget as HTMLSelectElement).value });
                    return "Role changed.";
                  })}>
                  {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
              ) : <span>{m.role}</span>}
              {(owner || m.user_id === props.me.id) && (
                <>{" "}<button class="link" onClick={() => act(async () => {
                  await send("DELETE", `${base}/members/${m.user_id}`);
                  if (m.user_id === props.me.id) props.onChange();
                  return m.user_id === props.me.id ? "You left the team." : "Removed.";
                })}>{m.user_id === props.me.id ? "Leave" : "Remove"}</button></>
              )}
            </span>
          </li>
        ))}
      </ul>
      {owner && (
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            await send("POST", base + "/invitations", { email, role });
            setEmail("");
            return `An invitation went to ${email}.`;
          });
        }}>
          <Field label="Invite by email" name={"invite-" + props.team.id} type="email"
            value={email} onInput={setEmail} error={fieldError(problem, "email")} />
          <p class="field">
            <label for={"invite-role-" + props.team.id}>as</label>
            <select id={"invite-role-" + props.team.id} value={role}
              onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Team["role"])}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </p>
          <button type="submit">Invite</button>
        </form>
      )}
      <FormError problem={problem} />
      {done && <p class="ok" role="status">{done}</p>}
      {owner && (
        <details>
          <summary>Delete this team</summary>
          <form onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await send("DELETE", base, { password });
              props.onChange();
              return "";
            });
          }}>
            <p>Its monitors and their history, channels, maintenance windows, tokens and
              invitations go with it; the members are told by mail.</p>
            <Field label="Your password" name={"delete-team-" + props.team.id} type="password"
              value={password} onInput={setPassword} autocomplete="current-password"
              error={fieldError(problem, "password")} />
            <button type="submit" class="secondary">Delete the team</button>
          </form>
        </details>
      )}
    </section>
  );
}

export function Teams(props: { me: User }) {
  const [teams, setTeams] = useState<Team[]>([]);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ teams: Team[] }>("/api/v1/teams").then((r) => setTeams(r.teams),
      (e) => setProblem(problemOf(e)));
  }, [tick]);
  return (
    <main class="narrow">
      <h1>Teams</h1>
      <p>A team shares monitors, channels and tokens. Viewers read; editors change monitors and
        alerts; owners also manage the members.</p>
      {teams.map((t) => (
        <TeamCard key={t.id} team={t} me={props.me} onChange={() => setTick((x) => x + 1)} />
      ))}
      <form class="card" onSubmit={async (e) => {
        e.preventDefault();
        setProblem(null);
        try {
          await send("POST", "/api/v1/teams", { name });
          setName("");
          setTick((x) => x + 1);
        } catch (err) {
          setProblem(problemOf(err));
        }
      }}>
        <h2>Make a team</h2>
        <Field label="Team name" name="team_name" value={name} onInput={setName}
          error={fieldError(problem, "name")} />
        <FormError problem={problem} />
        <button type="submit">Make the team</button>
      </form>
    </main>
  );
}
