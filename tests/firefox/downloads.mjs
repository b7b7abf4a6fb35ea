// Firefox (Debian's firefox-esr) clicks every file of the map page's Downloads menu; run by
// tests/test_firefox.py, which checks what landed. Firefox is driven over WebDriver BiDi by
// puppeteer-core (Playwright cannot drive a stock Firefox).
//
//   node downloads.mjs CONFIG.json
//
// CONFIG: {node_modules, firefox, runs: [{label, url}], profile, downloads, pidfile,
// timeout_ms}: one Firefox, started once, opens each run's url in turn. Prints one JSON object
// on stdout: {version, runs, errors, launch_ms, total_ms}; each run {label, url, hrefs, files,
// requests, probe, errors, ready_ms}. Per file of the menu (files: [{href, began, ended, asked,
// saved, url, ms}]): the download events' file names (BiDi browsingContext.downloadWillBegin)
// and statuses (downloadEnd), whether Firefox asked what to do with it instead (its "What
// should Firefox do with this file?" window), the names that landed in the download folder
// (moved to downloads/<label>/ once there) and the page's address after the click.
// requests: the page's requests (Firefox does not report file:// ones), the last of them
// `probe`, one the script makes off the machine to show that such a request is seen.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const puppeteer = createRequire(path.join(config.node_modules, "x"))("puppeteer-core");

// A stock Firefox where puppeteer's defaults differ (file:// pages are each their own origin,
// JSON opens in the viewer, the download question for new types is off as in a new profile);
// downloads go to config.downloads; and nothing leaves the machine: every connection goes to a
// proxy on a closed port (the discard port of 127.0.0.1) except the test's own server on
// 127.0.0.1, and updates, telemetry and remote settings are off.
const prefs = {
  "security.fileuri.strict_origin_policy": true,
  "privacy.file_unique_origin": true,
  "devtools.jsonview.enabled": true,
  "browser.download.folderList": 2,
  "browser.download.dir": config.downloads,
  "browser.download.useDownloadDir": true,
  "browser.download.always_ask_before_handling_new_types": false,
  "browser.download.alwaysOpenPanel": false,
  "browser.download.start_downloads_in_tmp_dir": false,
  "network.proxy.type": 1,
  "network.proxy.http": "127.0.0.1",
  "network.proxy.http_port": 9,
  "network.proxy.ssl": "127.0.0.1",
  "network.proxy.ssl_port": 9,
  "network.proxy.socks": "127.0.0.1",
  "network.proxy.socks_port": 9,
  "network.proxy.socks_remote_dns": true,
  "network.proxy.no_proxies_on": "127.0.0.1",
  "network.proxy.allow_hijacking_localhost": false,
  "network.dns.disablePrefetch": true,
  "network.trr.mode": 5,
  "network.prefetch-next": false,
  "network.predictor.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "app.update.enabled": false,
  "app.update.auto": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.server": "",
  "datareporting.policy.dataSubmissionEnabled": false,
  "browser.ping-centre.telemetry": false,
  "extensions.blocklist.enabled": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "messaging-system.rsexperimentloader.enabled": false,
  "app.shield.optoutstudies.enabled": false,
  "app.normandy.enabled": false,
};

// An address of TEST-NET-2 (RFC 5737), never anyone's server.
const PROBE = "http://198.51.100.7/atlas-probe.png";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const report = { runs: [], errors: [] };
let browser;
let run = null;  // the run under way
let probing = false;  // the page's errors after a run's downloads are the probe's own

function finish(code) {
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exitCode = code;
}

const watchdog = setTimeout(async () => {
  report.errors.push(`timed out after ${config.timeout_ms} ms`);
  if (browser) await browser.close().catch(() => {});
  finish(3);
  process.exit(3);
}, config.timeout_ms);

// Firefox's "What should Firefox do with this file?" windows, when they are open: chrome
// windows, seen with --remote-allow-system-access. Each one found is closed (the download is
// cancelled) so that the next click starts clean. false where Firefox will not list them.
async function askedAndClosed(connection) {
  const tree = await connection.send("browsingContext.getTree", { "moz:scope": "chrome" })
    .catch(() => null);
  const dialogs = (tree?.result?.contexts || []).filter((c) => /unknownContentType/.test(c.url));
  for (const d of dialogs) {
    await connection.send("script.evaluate", { expression: "window.close()", awaitPromise: false,
      target: { context: d.context } }).catch(() => {});
  }
  return dialogs.length > 0;
}

// One run: open `url`, click every file of the Downloads menu, then the probe.
async function downloadAll(page, connection, label, url) {
  const began = [], ended = [];
  const onBegin = (e) => began.push(e.suggestedFilename);
  const onEnd = (e) => ended.push(e.status);
  connection.on("browsingContext.downloadWillBegin", onBegin);
  connection.on("browsingContext.downloadEnd", onEnd);
  const into = path.join(config.downloads, label);
  fs.mkdirSync(into);
  const open = async () => {
    await page.goto(url, { timeout: 30_000 });
    await page.waitForSelector("body[data-atlas-ready]", { timeout: 30_000 });
  };
  const opened = Date.now();
  await open();
  run.ready_ms = Date.now() - opened;
  run.hrefs = await page.$$eval(".atlas-downloads a[download]",
    (links) => links.map((a) => a.getAttribute("href")));
  for (const href of run.hrefs) {
    if (!page.url().endsWith("/index.html")) await open();  // the last click left the map
    await page.$eval(".atlas-downloads", (d) => { d.open = true; });
    began.length = 0;
    ended.length = 0;
    const clicked = Date.now();
    await page.click(`.atlas-downloads a[href='${href}']`);
    // Until the download ends, or Firefox asks instead, or 20 s pass.
    let asked = false;
    for (const end = Date.now() + 20_000; Date.now() < end && !ended.length && !asked;) {
      await sleep(200);
      asked = await askedAndClosed(connection);
    }
    const saved = fs.readdirSync(config.downloads).filter((n) => n !== label
      && !fs.statSync(path.join(config.downloads, n)).isDirectory()).sort();
    for (const name of saved) {  // a ".part" of a cancelled download may vanish meanwhile
      try { fs.renameSync(path.join(config.downloads, name), path.join(into, name)); } catch {}
    }
    run.files.push({ href, began: [...began], ended: [...ended], asked, saved,
      url: page.url(), ms: Date.now() - clicked });
  }
  connection.off("browsingContext.downloadWillBegin", onBegin);
  connection.off("browsingContext.downloadEnd", onEnd);
  // The request watch works: a request off the machine made now is seen (and goes nowhere).
  // Not an image or a fetch, which the page's Content-Security-Policy stops before any
  // request: the page is sent there.
  probing = true;
  await page.evaluate((src) => { location.href = src; }, PROBE);
  for (const end = Date.now() + 10_000; Date.now() < end && !run.requests.includes(PROBE);) {
    await sleep(100);
  }
  probing = false;
}

const started = Date.now();
try {
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: config.firefox,
    headless: true,
    userDataDir: config.profile,
    extraPrefsFirefox: prefs,
    args: ["--remote-allow-system-access"],
    timeout: 60_000,
    protocolTimeout: 60_000,
  });
  fs.writeFileSync(config.pidfile, String(browser.process().pid));
  report.launch_ms = Date.now() - started;
  report.version = await browser.version();
  const connection = browser.connection;  // puppeteer's WebDriver BiDi session
  await connection.send("session.subscribe", {
    events: ["browsingContext.downloadWillBegin", "browsingContext.downloadEnd"] });
  for (const { label, url } of config.runs) {
    run = { label, url, hrefs: [], files: [], requests: [], probe: PROBE, errors: [] };
    report.runs.push(run);
    const page = await browser.newPage();  // a tab of its own, whatever the last run left
    page.on("request", (r) => run.requests.push(r.url()));
    page.on("pageerror", (e) => { if (!probing) run.errors.push(String(e)); });
    page.on("console", (m) => {
      if (m.type() === "error" && !probing) run.errors.push(m.text());
    });
    await downloadAll(page, connection, label, url);
    await page.close();
  }
  run = null;
  clearTimeout(watchdog);
  await browser.close();
  browser = null;
  report.total_ms = Date.now() - started;
  finish(0);
} catch (e) {
  clearTimeout(watchdog);
  report.errors.push(String((e && e.stack) || e));
  if (browser) await browser.close().catch(() => {});
  finish(2);
}
