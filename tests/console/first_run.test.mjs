// The newcomer's path through the console, in Debian's Chromium driven by
// playwright-core, against a real `tocsin serve` with no SMTP server (mail
// goes to the local mail drop) and a local target:
//
//   the first visit offers to create the administrator; the confirmation
//   link is in the server's log; log in; add a monitor of the target; watch
//   it go up; stop the target; see it down with its incident, and the alert
//   mail in the mail drop; log out and in again at phone width;
//
// then the rest of a user's life: acknowledge the incident; add a webhook
// channel and send it a test (a local receiver gets it); put it in the
// policy; make an API token; set the SMTP server on the administration page
// to a real one (python3-aiosmtpd, tests/targets/notify_sinks.py): the test
// mail arrives there, and a second user registers, reads the confirmation
// mail and opens its link; change the password (another browser's session
// ends); export the data; reset the password by the mailed link; terminate
// the account (the closing mail arrives, the login fails).
//
// Every page visited, the server's own link pages (confirm, reset)
// included, passes axe-core with no serious or critical violation, and is
// kept as a screenshot in BUILD_DIR/console-screenshots. No request
// of the page may leave the server's origin.
//
// Usage: node first_run.test.mjs TOCSIN_BINARY SOURCE_DIR BUILD_DIR
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { SmtpSink, checkAccessible, freePort, waitFor } from "./support.mjs";

const [binary, source, buildDir] = process.argv.slice(2).map((p) => path.resolve(p));
const require = createRequire(path.join(source, "console", "package.json"));
const { chromium } = require("playwright-core");
const axePath = require.resolve("axe-core/axe.min.js");

const PASSWORD = "vellum orbit quasar tundra 47";
const TEST_TIMEOUT_MS = 240_000;
const shots = path.join(buildDir, "console-screenshots");
fs.mkdirSync(shots, { recursive: true });

const smtp = new SmtpSink(source);
const mail = () => smtp.mail();
const mailedLink = (to, subject, route) => smtp.mailedLink(to, subject, route);
const startSmtp = () => smtp.start();

// A webhook receiver: the channel's test and alerts land here.
const hooks = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    hooks.push({ path: req.url, body });
    res.writeHead(200);
    res.end("ok");
  });
});

// The monitored site: up until told otherwise.
let targetUp = true;
const target = http.createServer((req, res) => {
  res.writeHead(targetUp ? 200 : 503, { "Content-Type": "text/plain" });
  res.end(targetUp ? "all good\n" : "down for the test\n");
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tocsin-console-test-"));
let server = null;
let log = "";  // the server's output
let browser = null;
const failures = [];

const checkPage = (page, name) => checkAccessible(page, name, { shots, axePath, failures });

async function main() {
  const targetPort = await freePort("127.0.0.2");
  await new Promise((r) => target.listen(targetPort, "127.0.0.2", r));
  const port = await freePort("127.0.0.1");
  const base = `http://127.0.0.1:${port}`;
  const data = path.join(tmp, "data");
  const config = path.join(tmp, "tocsin.yaml");
  fs.writeFileSync(config,
    `server:\n  listen: 127.0.0.1:${port}\n  data_dir: ${data}\n  allow_private: true\n`);
  server = spawn(binary, ["serve", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  await waitFor("the server", async () => {
    try {
      return (await fetch(base + "/healthz")).ok;
    } catch {
      return false;
    }
  });

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  // bypassCSP lets the test inject axe-core; the page itself runs under
  // the server's policy (checked by the unit tests).
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  page.on("request", (req) => {
    if (!req.url().startsWith(base)) failures.push("a request left the origin: " + req.url());
  });
  page.on("pageerror", (e) => failures.push("page error: " + e.message));

  // First visit: the administrator's sign-up.
  await page.goto(base + "/");
  await page.getByRole("heading", { name: "Welcome to Tocsin" }).waitFor();
  await checkPage(page, "01-first-run");
  await page.getByLabel("Name").fill("Ada Admin");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("I am at least 13 years old.").check();
  await page.getByLabel(/I have read the/).check();
  await page.getByRole("button", { name: "Create the administrator" }).click();
  await page.getByRole("heading", { name: "No SMTP server is set yet" }).waitFor();
  await checkPage(page, "02-check-mail");

  // The confirmation link, from the server's log.
  const link = await waitFor("the confirmation link in the log", () => {
    const m = /its link: (http:\/\/\S+\/confirm\/[A-Za-z0-9_-]+)/.exec(log);
    return m && m[1];
  });
  await page.goto(link);
  await checkPage(page, "02b-confirm-link");
  await page.getByRole("button").first().click();
  await page.getByText(/confirmed/i).first().waitFor();
  await checkPage(page, "02c-confirmed");
  await page.getByText(/confirmed/i).first().waitFor();

  // Log in; nothing is watched yet.
  await page.goto(base + "/login");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("Nothing is watched yet.").waitFor();
  await page.getByText(/go to the local mail drop/).waitFor();
  await checkPage(page, "03-no-monitors");

  // A first monitor, of the local target.
  await page.getByRole("link", { name: "Add your first monitor" }).click();
  await page.getByRole("heading", { name: "Add a monitor" }).waitFor();
  await checkPage(page, "04-add-monitor");
  await page.getByLabel("Name").fill("My site");
  await page.getByLabel("URL").fill(`http://127.0.0.2:${targetPort}/`);
  await page.getByLabel("Check every (seconds)").fill("10");
  await page.getByLabel("Timeout").fill("2s");
  // Check now: the probe runs once and the form shows its result first.
  await page.getByRole("button", { name: "Check now" }).click();
  await page.getByText(/The check passes: status 200/).waitFor();
  await checkPage(page, "04b-check-now");
  await page.getByRole("button", { name: "Add the monitor" }).click();
  await page.getByRole("heading", { name: /My site/ }).waitFor();
  await page.locator("h1 .status-word", { hasText: "up" }).waitFor({ timeout: 30_000 });
  await page.locator(".chart canvas").first().waitFor({ timeout: 30_000 });
  await checkPage(page, "05-monitor-up");
  // Edit it: one more assertion, which the target meets.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Text the page must contain").fill("all good");
  await page.getByLabel("Tags").fill("web, production");
  await checkPage(page, "05b-edit-monitor");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("heading", { name: /My site/ }).waitFor();
  // The report center: another range, its percentiles from the rollups,
  // the uptime strip, and the checks as CSV.
  await page.getByRole("button", { name: "7 d" }).click();
  await page.getByRole("heading", { name: "Last 7 d" }).waitFor();
  await page.getByRole("heading", { name: /Percentiles per (hour|minute)/ }).waitFor();
  // Past two days the phases come from the rollups: each bucket's means.
  await page.getByRole("heading", { name: /Mean response time by phase, per (hour|minute)/ }).waitFor();
  await page.getByRole("img", { name: /Mean response time per (hour|minute), stacked by phase/ }).locator("canvas").waitFor();
  await page.locator(".strip .cell.full").first().waitFor();
  const [csvFile] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the checks (CSV)" }).click(),
  ]);
  const csvText = fs.readFileSync(await csvFile.path(), "utf8");
  if (!csvText.startsWith('"time (UTC)","outcome","status","ip"') || !/,"ok",200,"127\.0\.0\.2"/.test(csvText))
    failures.push("the checks' CSV is not what the page shows: " + csvText.slice(0, 300));
  await checkPage(page, "05c-report-7d");
  await page.getByRole("button", { name: "24 h" }).click();
  await page.getByRole("link", { name: "← Monitors" }).click();
  await page.getByText("1 monitor, all up").waitFor();
  // The row's figures: uptime over 24 h from the rollups, and its trend.
  await page.locator(".lrow [role=cell]", { hasText: "100 %" }).first().waitFor();
  await page.locator(".lrow .spark").first().waitFor();
  await checkPage(page, "06-monitors");
  // Grouped by tag: the monitor under each of its tags.
  await page.getByLabel("Group by tag").check();
  await page.getByRole("rowheader", { name: /production/ }).waitFor();
  await page.getByRole("rowheader", { name: /web/ }).waitFor();
  if ((await page.getByRole("link", { name: "My site" }).count()) !== 2)
    failures.push("grouped by tag, the monitor is not under each of its two tags");
  await checkPage(page, "06b-grouped");
  await page.getByLabel("Group by tag").uncheck();

  // The target fails: the page shows it down with the incident, and the
  // alert is in the mail drop.
  targetUp = false;
  await page.getByRole("link", { name: "My site" }).click();
  await page.locator("h1 .status-word", { hasText: "down" }).waitFor({ timeout: 60_000 });
  await page.locator(".incidents li").first().waitFor({ timeout: 90_000 });
  const drop = path.join(data, "mail", "new");
  await waitFor("the alert mail in the mail drop", () =>
    fs.existsSync(drop) && fs.readdirSync(drop).some((f) => {
      const text = fs.readFileSync(path.join(drop, f), "utf8");
      return /^To:.*ada@example\.com/m.test(text) && /^Subject:.*DOWN/im.test(text);
    }), 90_000);
  await checkPage(page, "07-monitor-down");

  // The privacy policy is a page of its own, linked from every page.
  await page.getByRole("link", { name: "Privacy policy" }).click();
  await page.getByRole("heading", { name: "Privacy policy" }).waitFor();
  await checkPage(page, "08-privacy");

  // Log out: the console asks for a login again.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Log in" }).waitFor();
  await checkPage(page, "09-login");
  // At phone width the list still works.
  await page.setViewportSize({ width: 390, height: 800 });
  // By keyboard alone: Tab to the form, type, Enter.
  await page.locator("body").focus();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.id === "f-email")) break;
  }
  if (!(await page.evaluate(() => document.activeElement?.id === "f-email")))
    failures.push("the email field is not reachable by Tab");
  await page.keyboard.type("ada@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByText("1 monitor, 1 down").waitFor();
  await checkPage(page, "10-monitors-phone");
  // Dark, by the system setting: the same page, contrast checked again.
  await page.emulateMedia({ colorScheme: "dark" });
  await checkPage(page, "10b-monitors-phone-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1100, height: 800 });

  // Acknowledge the open incident.
  await page.goto(base + "/incidents");
  await page.getByRole("button", { name: "Acknowledge" }).click();
  await page.getByText(/Acknowledged by Ada Admin/).waitFor();
  await checkPage(page, "11-incidents");

  // The printable report of this month: the open incident counts as down
  // time, so a 99.999 % target is missed; the figures download as CSV.
  await page.getByRole("link", { name: "Reports" }).click();
  await page.getByRole("button", { name: "this month" }).click();
  await page.getByLabel("SLA target %").fill("99.999");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Report: all monitors" }).waitFor();
  await page.getByRole("row", { name: /My site .* missed/ }).waitFor();
  await page.getByRole("cell", { name: /refused|timed out|status|connect/ }).first().waitFor();
  const [reportCsv] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the figures (CSV)" }).click(),
  ]);
  const reportText = fs.readFileSync(await reportCsv.path(), "utf8");
  if (!/^"monitor","url",.*\r?\n"My site","http:\/\/127\.0\.0\.2:\d+\/",/.test(reportText) ||
      !reportText.includes(',99.999,"no",'))
    failures.push("the report's CSV is not what the page shows: " + reportText.slice(0, 400));
  await page.emulateMedia({ media: "print" });
  await checkPage(page, "11b-report-print");
  if (await page.getByRole("button", { name: "Print" }).isVisible())
    failures.push("the report's controls show when printed");
  await page.emulateMedia({ media: "screen" });

  // A webhook channel, tested through the real delivery path, then named
  // in the policy.
  const hookPort = await freePort("127.0.0.3");
  await new Promise((r) => receiver.listen(hookPort, "127.0.0.3", r));
  await page.goto(base + "/alerts");
  await page.getByLabel("Kind").selectOption("webhook");
  await page.getByLabel("Channel name").fill("hook");
  await page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.3:${hookPort}/hook`);
  await page.getByRole("button", { name: "Add the channel" }).click();
  await page.getByRole("button", { name: "Send a test" }).click();
  await page.getByText("delivered ✓").waitFor({ timeout: 30_000 });
  if (!hooks.some((h) => h.path === "/hook")) failures.push("the webhook test did not arrive");
  await page.getByRole("checkbox", { name: "hook" }).first().check();
  await page.getByRole("button", { name: "Save the policy" }).click();
  await page.getByText(/Saved: it applies/).waitFor();
  // A weekly maintenance window.
  await page.getByLabel("Name", { exact: true }).last().fill("Sunday backups");
  await page.getByLabel("Happens").selectOption("weekly");
  await page.getByLabel("At (your time zone)").fill("03:30");
  await page.getByRole("button", { name: "Add the window" }).click();
  await page.getByText(/Sunday backups/).waitFor();
  await page.getByText(/sun at 03:30/).waitFor();
  await checkPage(page, "12-alerts");

  // An API token, shown once.
  await page.goto(base + "/tokens");
  await page.getByLabel("Name").fill("ci");
  await page.getByRole("button", { name: "Make the token" }).click();
  await page.locator(".secret", { hasText: "tcn_" }).waitFor();
  await checkPage(page, "13-tokens");

  // A team; the administration page.
  await page.goto(base + "/teams");
  await page.getByLabel("Team name").fill("Ops");
  await page.getByRole("button", { name: "Make the team" }).click();
  await page.getByRole("heading", { name: /Ops/ }).waitFor();
  await checkPage(page, "13b-teams");
  await page.goto(base + "/admin");
  await page.getByRole("heading", { name: "Users (1)" }).waitFor();
  await page.getByRole("heading", { name: "Traffic" }).waitFor();
  await page.getByRole("cell", { name: "GET /api/v1/monitors", exact: true }).waitFor();
  await page.getByLabel("Registration").selectOption("invite");
  await page.getByText("Saved.").waitFor();
  await page.getByLabel("Registration").selectOption("open");
  // Mail: no SMTP server yet, so the test mail lands in the drop.
  await page.getByText(/No SMTP server is set/).waitFor();
  await page.getByRole("button", { name: "Send me a test mail" }).click();
  await page.getByText(/A test mail went to ada@example.com \(in the mail drop\)/).waitFor();
  await waitFor("the test mail in the drop", () =>
    fs.readdirSync(drop).some((f) =>
      /^Subject: Tocsin: a test mail/m.test(fs.readFileSync(path.join(drop, f), "utf8"))));
  // Set a real SMTP server: the test mail arrives there from now on.
  const smtpPort = await startSmtp();
  await page.getByLabel("SMTP server").fill("127.0.0.2");
  await page.getByLabel("Port").fill(String(smtpPort));
  await page.getByLabel("Encryption").selectOption("none");
  await page.getByLabel("From").fill("Tocsin <ops@tocsin.test>");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText(/Mail goes through 127\.0\.0\.2 from now on/).waitFor();
  await page.getByRole("button", { name: "Send me a test mail" }).click();
  await page.getByText(/A test mail went to ada@example.com \(by SMTP\)/).waitFor();
  await waitFor("the test mail at the SMTP server", () =>
    mail().some((m) => m.subject === "Tocsin: a test mail"));
  await checkPage(page, "13d-smtp");

  // A second user registers; the confirmation comes by mail.
  const bobContext = await browser.newContext({ bypassCSP: true });
  const bob = await bobContext.newPage();
  await bob.goto(base + "/register");
  await bob.getByLabel("Name").fill("Bob");
  await bob.getByLabel("Email").fill("bob@example.com");
  await bob.getByLabel("Password").fill("copper lantern meadow vortex 8");
  await bob.getByLabel("I am at least 13 years old.").check();
  await bob.getByLabel(/I have read the/).check();
  await bob.getByRole("button", { name: "Create the account" }).click();
  await bob.getByRole("heading", { name: "Confirm your address" }).waitFor();
  const bobLink = await waitFor("Bob's confirmation mail", () =>
    mailedLink("bob@example.com", "Confirm your Tocsin account", "/confirm/"));
  await bob.goto(bobLink);
  await bob.getByRole("button").first().click();
  await bob.getByText(/confirmed/i).first().waitFor();
  await bob.goto(base + "/login");
  await bob.getByLabel("Email").fill("bob@example.com");
  await bob.getByLabel("Password").fill("copper lantern meadow vortex 8");
  await bob.getByRole("button", { name: "Log in" }).click();
  await bob.getByText("Nothing is watched yet.").waitFor();
  // Ada invites Bob to her team; he accepts from the mailed link.
  await page.goto(base + "/teams");
  await page.getByLabel("Invite by email").fill("bob@example.com");
  await page.getByRole("button", { name: "Invite" }).click();
  const invite = await waitFor("Bob's invitation", () =>
    mailedLink("bob@example.com", "invites you to the team Ops", "/invite/"));
  await bob.goto(invite);
  await checkPage(bob, "13e-accept-invitation");
  await bob.getByLabel("Email").fill("bob@example.com");
  await bob.getByLabel("Password").fill("copper lantern meadow vortex 8");
  await bob.getByRole("button", { name: "Join the team" }).click();
  await bob.getByText("You are a member of the team Ops now.").waitFor();
  await page.reload();
  await page.getByText("bob@example.com").first().waitFor();
  await bobContext.close();

  // The site comes back: the recovery alert arrives by SMTP now.
  targetUp = true;
  await waitFor("the recovery alert at the SMTP server", () =>
    mail().some((m) => m.to.includes("ada@example.com") && m.subject.includes("RECOVERED: My site")),
    90_000);
  // The operator's privacy policy, shown as text: markup in it stays text.
  const policy = "Our policy <img src=x id=injected> holds.";
  await page.goto(base + "/admin");
  await page.getByLabel("Your policy").fill(policy);
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByText("The policy is published.").waitFor();
  await checkPage(page, "13c-admin");
  await page.goto(base + "/privacy");
  await page.getByText(policy).waitFor();
  if (await page.locator("#injected").count()) failures.push("the policy's markup was rendered");
  await page.goto(base + "/admin");
  // The editor holds the published text once it has loaded it.
  await page.waitForFunction(() => document.querySelector("#f-policy")?.value.startsWith("Our policy"));
  await page.getByLabel("Your policy").fill("");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByText("The shipped policy is back.").waitFor();

  // Another browser logged in as Ada; changing the password ends it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(base + "/login");
  await otherPage.getByLabel("Email").fill("ada@example.com");
  await otherPage.getByLabel("Password").fill(PASSWORD);
  await otherPage.getByRole("button", { name: "Log in" }).click();
  await otherPage.getByRole("heading", { name: "Monitors" }).waitFor();
  // The weekly summary: its day and hour, a preview, one mailed now with
  // its one-click unsubscribe header.
  await page.goto(base + "/account");
  await page.getByLabel("Every").selectOption("friday");
  await page.getByLabel("at", { exact: true }).selectOption("7");
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  await page.getByText("Saved.").waitFor();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByText(/Your week on Tocsin: \d+ URL/).waitFor();
  await page.getByText(/every friday at 07:00/).waitFor();
  await page.getByRole("button", { name: "Send it to me now" }).click();
  await page.getByText(/Your summary is on its way to ada@example.com/).waitFor();
  const summary = await waitFor("the weekly summary at the SMTP server", () =>
    mail().find((m) => m.to.includes("ada@example.com") && m.subject.startsWith("Your week on Tocsin")));
  if (!/^<http:\/\/\S+\/unsubscribe\/[A-Za-z0-9_-]+>$/.test(summary.unsubscribe))
    failures.push("the summary has no one-click unsubscribe header: " + summary.unsubscribe);
  if (!summary.text.includes("My site"))
    failures.push("the summary does not show the monitor: " + summary.text.slice(0, 400));
  await checkPage(page, "14a-weekly-summary");

  // A public status page of the monitor: published and posted to in the
  // console; seen by a visitor without script or cookie; a subscriber
  // confirms by mail and gets the next update.
  await page.goto(base + "/monitors/new");
  await page.getByLabel("Name").fill("Hidden backend");
  await page.getByLabel("URL").fill(`http://127.0.0.2:${targetPort}/internal`);
  await page.getByRole("button", { name: "Add the monitor" }).click();
  await page.getByRole("heading", { name: /Hidden backend/ }).waitFor();
  await page.getByRole("link", { name: "Status pages" }).click();
  await page.getByLabel("Address: /status/…").fill("acme");
  await page.getByLabel("Title").fill("Acme status");
  await page.getByLabel("My site").check();
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("heading", { name: "Acme status" }).waitFor();
  await page.getByLabel("Incident title").fill("Checkout is slow");
  await page.getByLabel("Message").fill("We are looking into it.");
  await page.getByRole("button", { name: "Post the incident" }).click();
  await page.getByText(/Update Checkout is slow \(investigating\)/).waitFor();
  await checkPage(page, "15-status-pages");
  const visitor = await browser.newContext({ javaScriptEnabled: false });
  const vpage = await visitor.newPage();
  const statusReply = await vpage.goto(base + "/status/acme");
  const statusHtml = await statusReply.text();
  if (/<script/i.test(statusHtml)) failures.push("the status page holds a script");
  if (statusReply.headers()["set-cookie"]) failures.push("the status page sets a cookie");
  if (/Hidden backend|127\.0\.0\.2/.test(statusHtml))
    failures.push("the status page shows what was not chosen");
  await vpage.getByRole("heading", { name: "Acme status" }).waitFor();
  await vpage.getByText("Checkout is slow").waitFor();
  await vpage.getByText("My site").waitFor();
  await vpage.screenshot({ path: path.join(shots, "16-public-status-page.png"), fullPage: true });
  await vpage.getByLabel("Email").fill("visitor@example.com");
  await vpage.getByRole("button", { name: "Subscribe" }).click();
  await vpage.getByRole("heading", { name: "Check your mail" }).waitFor();
  const confirmLink = await waitFor("the subscriber's confirmation mail", () =>
    mailedLink("visitor@example.com", "Confirm your subscription to Acme status", "/status/acme/confirm/"));
  await vpage.goto(confirmLink);
  await vpage.getByRole("button", { name: /send me this page's notices/ }).click();
  await vpage.getByRole("heading", { name: "Subscribed" }).waitFor();
  if ((await visitor.cookies()).length) failures.push("the visitor got a cookie");
  await visitor.close();
  // An axe check of the public page (in a context that may run axe).
  const checker = await browser.newContext({ bypassCSP: true });
  const cpage = await checker.newPage();
  await cpage.goto(base + "/status/acme");
  await checkPage(cpage, "16b-public-status-page-axe");
  await checker.close();
  await page.getByLabel("State").selectOption("resolved");
  await page.getByLabel("Message").fill("Fixed.");
  await page.getByRole("button", { name: "Post the update" }).click();
  await waitFor("the subscriber's notice", () =>
    mail().find((m) => m.to.includes("visitor@example.com") && m.subject === "[Acme status] Checkout is slow: resolved"));
  const NEW_PASSWORD = "lantern staple grumpy orchid 9";
  await page.goto(base + "/account");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change the password" }).click();
  await page.getByText(/Every other session of yours has ended/).waitFor();
  await checkPage(page, "14-account");
  await otherPage.reload();
  await otherPage.getByRole("heading", { name: "Log in" }).waitFor();
  await other.close();

  // Export: one JSON file with everything of hers.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export my data" }).click(),
  ]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
  if (exported.profile?.email !== "ada@example.com") failures.push("the export lacks the profile");
  if (exported.workspaces?.[0]?.monitors?.[0]?.name !== "My site")
    failures.push("the export lacks the monitor");

  // Forgot it: the mailed link sets another one.
  const RESET_PASSWORD = "harbor violet mosaic thistle 5";
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByRole("button", { name: "Mail me a link" }).click();
  await page.getByText(/a link to set a new\s+password is on its way/).waitFor();
  await checkPage(page, "14b-forgot");
  const reset = await waitFor("the reset mail", () =>
    mailedLink("ada@example.com", "Reset your Tocsin password", "/reset/"));
  await page.goto(reset);
  await checkPage(page, "14c-reset-link");
  await page.locator("input[type=password]").fill(RESET_PASSWORD);
  await page.getByRole("button").first().click();
  await page.goto(base + "/login");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(RESET_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Monitors" }).waitFor();
  await page.goto(base + "/account");

  // Terminate: the closing mail arrives and the login fails.
  await page.getByLabel("Password", { exact: true }).last().fill(RESET_PASSWORD);
  await page.getByLabel("I understand that this cannot be undone").check();
  await page.getByRole("button", { name: "Delete my account and all its data" }).click();
  await page.getByText(/Your account and all its data are deleted/).waitFor();
  await waitFor("the closing mail", () =>
    mail().some((m) => m.to.includes("ada@example.com") && m.subject === "Your Tocsin account is closed"));
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(RESET_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator(".error", { hasText: /wrong|not/i }).first().waitFor();
  await checkPage(page, "15-closed");
}

const timer = setTimeout(() => {
  console.error("console test: timed out after " + TEST_TIMEOUT_MS / 1000 + " s");
  process.exit(1);
}, TEST_TIMEOUT_MS);

let code = 0;
try {
  await main();
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
  console.error("the server's log ends:\n" + log.slice(-4000));
  console.error("mail the SMTP server received: " + JSON.stringify(mail().map((m) => m.subject)));
} finally {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
  target.close();
  receiver.close();
  smtp.stop();
  clearTimeout(timer);
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  console.error("console test failed:\n- " + failures.join("\n- "));
  code = 1;
} else {
  console.log("console test: the first-run path works; screenshots in " + shots);
}
process.exit(code);
