// Helpers of the console's browser tests: a free port, polling, a real
// SMTP server (aiosmtpd under Debian's python3, tests/targets/notify_sinks.py)
// and what it received, and the screenshot-plus-axe check of a page.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

export function freePort(host) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, predicate, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The real SMTP server, started when a test sets it in the console;
// mail(): [{to, subject, text, unsubscribe}] it received.
export class SmtpSink {
  constructor(source) {
    this.source = source;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "tocsin-console-smtp-"));
    this.proc = null;
  }

  async start() {
    this.proc = spawn("/usr/bin/python3", [
      path.join(this.source, "tests", "targets", "notify_sinks.py"),
      "--dir", this.dir, "--no-tls", "--no-http"], { stdio: ["pipe", "pipe", "inherit"] });
    const line = await new Promise((resolve, reject) => {
      readline.createInterface({ input: this.proc.stdout }).once("line", resolve);
      this.proc.once("exit", () => reject(new Error("notify_sinks.py exited (python3-aiosmtpd?)")));
    });
    return JSON.parse(line).smtp;
  }

  mail() {
    const dir = path.join(this.dir, "mail");
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).map((f) => {
      const raw = fs.readFileSync(path.join(dir, f), "utf8");
      const header = (name) => (new RegExp("^" + name + ": (.*)$", "mi").exec(raw) || [])[1] || "";
      // Bodies are base64 parts: decode each and keep the text.
      let text = "";
      for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/g)) {
        text += Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8");
      }
      return { to: header("To"), subject: header("Subject"), text,
        unsubscribe: header("List-Unsubscribe") };
    });
  }

  // The first link under `route` in a mail to `to` whose subject holds `subject`.
  mailedLink(to, subject, route) {
    for (const m of this.mail()) {
      if (!m.to.includes(to) || !m.subject.includes(subject)) continue;
      const link = new RegExp("http://\\S+?" + route + "[A-Za-z0-9_-]+").exec(m.text);
      if (link) return link[0];
    }
    return null;
  }

  stop() {
    if (this.proc) {
      this.proc.stdin.end();
      this.proc.kill("SIGTERM");
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// A full-page screenshot kept as an artifact, then axe-core: a serious or
// critical violation is a failure.
export async function checkAccessible(page, name, { shots, axePath, failures }) {
  await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) failures.push(name + ": accessibility: " + JSON.stringify(serious));
}
