// Opens an HTML report in headless Chromium through the DevTools protocol (over
// --remote-debugging-pipe: no port, no WebSocket library), fails on any console error or
// warning, uncaught exception, failed or non-local network request, when the report's inline
// script did not finish (no `data-sl-ready` on <html>), when the module explorer's filter,
// sort or on-demand rows, the map's hover or its weak-edge toggle do not work, or when two
// labels of the context map intersect (their boxes as laid out by the browser), and saves a
// full-page screenshot. It prints the load timings: the first paint (the verdict is the
// first thing on the page), DOMContentLoaded (the inline script has run: the page is
// interactive) and the load event, from the Navigation and Paint Timing APIs.
// BROWSER_CHECK_MAX_MS=N fails when the page takes longer than N ms to be interactive.
//
// usage: node scripts/browser-check.mjs CHROMIUM REPORT.html OUT.png [WIDTH]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [chromium, report, out, widthArg] = process.argv.slice(2);
if (!chromium || !report || !out) {
  console.error("usage: node browser-check.mjs CHROMIUM REPORT.html OUT.png [WIDTH]");
  process.exit(2);
}
const width = Number(widthArg || 1400);
const profile = mkdtempSync(join(tmpdir(), "seamline-chromium-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
  `--user-data-dir=${profile}`, "--remote-debugging-pipe", "about:blank",
], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });

let stderr = "";
browser.stderr.on("data", (d) => { stderr += d; });
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];
let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = Buffer.alloc(0);
fromBrowser.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  let end;
  while ((end = buffer.indexOf(0)) >= 0) {
    const msg = JSON.parse(buffer.subarray(0, end).toString("utf8"));
    buffer = buffer.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { ok, fail } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) { fail(new Error(JSON.stringify(msg.error))); } else { ok(msg.result); }
    } else if (msg.method) {
      for (const l of listeners) { l(msg); }
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) { msg.sessionId = sessionId; }
  toBrowser.write(JSON.stringify(msg) + "\0");
  return new Promise((ok, fail) => pending.set(id, { ok, fail }));
}
function once(method) {
  return new Promise((ok) => listeners.push((m) => { if (m.method === method) { ok(m.params); } }));
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const problems = [];
let code = 0;
const timeout = Number(process.env.BROWSER_CHECK_TIMEOUT || 60);
const timer = setTimeout(() => {
  console.error(`browser-check: timed out after ${timeout} s`);
  browser.kill("SIGKILL");
  process.exit(1);
}, timeout * 1000);
try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  listeners.push((m) => {
    if (m.sessionId !== sessionId) { return; }
    const p = m.params;
    if (m.method === "Runtime.exceptionThrown") {
      const d = p.exceptionDetails;
      problems.push(`uncaught exception: ${d.exception?.description || d.text} (line ${d.lineNumber + 1})`);
    } else if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert" || p.type === "warning")) {
      problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(" ")}`);
    } else if (m.method === "Log.entryAdded" && (p.entry.level === "error" || p.entry.level === "warning")) {
      problems.push(`log ${p.entry.level}: ${p.entry.text}${p.entry.url ? " " + p.entry.url : ""}`);
    } else if (m.method === "Network.requestWillBeSent") {
      const url = p.request.url;
      if (!url.startsWith("file:") && !url.startsWith("data:") && !url.startsWith("about:")) {
        problems.push(`network request (the report must work offline): ${url}`);
      }
    } else if (m.method === "Network.loadingFailed" && !p.canceled) {
      problems.push(`failed to load a resource: ${p.errorText}`);
    }
  });
  await send("Runtime.enable", {}, sessionId);
  await send("Log.enable", {}, sessionId);
  await send("Network.enable", {}, sessionId);
  await send("Page.enable", {}, sessionId);
  await send("Emulation.setDeviceMetricsOverride", { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
  // BROWSER_CHECK_MEDIA=print renders the page as printed (to look at the print stylesheet).
  if (process.env.BROWSER_CHECK_MEDIA) {
    await send("Emulation.setEmulatedMedia", { media: process.env.BROWSER_CHECK_MEDIA }, sessionId);
  }
  const loaded = once("Page.loadEventFired");
  await send("Page.navigate", { url: pathToFileURL(resolve(report)).href }, sessionId);
  await loaded;
  await sleep(500);
  const ready = await send("Runtime.evaluate", {
    expression: "document.documentElement.getAttribute('data-sl-ready')",
    returnByValue: true,
  }, sessionId);
  if (ready.result.value !== "1") {
    problems.push("the report's inline script did not finish (no data-sl-ready=\"1\" on <html>)");
  }
  // Load timings, taken before the probes below change the page.
  const timing = (await send("Runtime.evaluate", {
    returnByValue: true,
    expression: `(() => {
      const nav = performance.getEntriesByType("navigation")[0] || {};
      const paint = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
      return { paint: paint ? paint.startTime : null, interactive: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    })()`,
  }, sessionId)).result.value || {};
  const ms = (x) => (typeof x === "number" ? `${Math.round(x)} ms` : "n/a");
  console.log(`browser-check: first paint ${ms(timing.paint)}, interactive ${ms(timing.interactive)}, load ${ms(timing.load)}`);
  const budget = Number(process.env.BROWSER_CHECK_MAX_MS || 0);
  if (budget > 0 && !(timing.interactive <= budget)) {
    problems.push(`the page took ${ms(timing.interactive)} to be interactive (budget ${budget} ms)`);
  }
  // Interaction smoke test: the module explorer draws its rows from the embedded data, its
  // filter empties and refills the table, a header click sorts, a row's dependencies unfold;
  // hovering a context highlights the map, the checkbox shows the weak edges; no two labels
  // of the map intersect. Anything that throws is reported above as an exception.
  const probe = await send("Runtime.evaluate", {
    returnByValue: true,
    expression: `(() => {
      const out = {};
      const table = document.getElementById("module-table");
      const input = document.getElementById("module-filter");
      const count = document.getElementById("module-count");
      if (table && input) {
        const data = JSON.parse(document.getElementById("module-data").textContent);
        out.modules = data.modules.length;
        out.rows = table.tBodies[0].rows.length;
        out.firstPage = Math.min(out.modules, 200);
        input.value = "\u2603 no such module \u2603";
        input.dispatchEvent(new Event("input"));
        out.rowsFiltered = table.tBodies[0].rows.length;
        out.matching = count.getAttribute("data-matching");
        input.value = "";
        input.dispatchEvent(new Event("input"));
        out.shownAgain = table.tBodies[0].rows.length;
        const th = table.querySelector("thead th:nth-child(3)");
        th.click();
        out.sorted = th.getAttribute("aria-sort");
        const lines = Array.from(table.tBodies[0].rows, (r) => Number(r.children[2].textContent));
        out.ascending = lines.every((x, i) => i === 0 || lines[i - 1] <= x);
        const details = table.querySelector("tbody details");
        if (details) {
          details.open = true;
          details.dispatchEvent(new Event("toggle"));
          out.depsShown = details.querySelectorAll("li").length;
        }
      }
      const map = document.querySelector("svg.sl-map");
      const node = map && map.querySelector(".node");
      if (node) {
        node.dispatchEvent(new MouseEvent("mouseenter"));
        out.hover = map.classList.contains("hovering");
        node.dispatchEvent(new MouseEvent("mouseleave"));
      }
      const weak = document.getElementById("map-weak");
      if (map && weak) {
        const visible = () => Array.from(map.querySelectorAll(".edge")).filter((e) => getComputedStyle(e).display !== "none").length;
        out.edgesBefore = visible();
        weak.click();
        out.edgesAfter = visible();
        weak.click();
      }
      if (map) {
        const boxes = Array.from(map.querySelectorAll("text"))
          .filter((t) => t.getClientRects().length > 0 && getComputedStyle(t.closest("g")).display !== "none")
          .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
        out.labels = boxes.length;
        out.overlaps = [];
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i].r, b = boxes[j].r;
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
              out.overlaps.push(boxes[i].text + " / " + boxes[j].text);
            }
          }
        }
        out.contexts = map.querySelectorAll(".node").length;
      }
      return out;
    })()`,
  }, sessionId);
  const p = probe.result.value || {};
  if (p.modules !== undefined) {
    if (p.rows !== p.firstPage || p.rowsFiltered !== 0 || p.matching !== "0" || p.shownAgain !== p.firstPage) {
      problems.push(`module explorer does not work: ${JSON.stringify(p)}`);
    }
    if (p.sorted !== "ascending" || !p.ascending) {
      problems.push(`sorting does not work: ${JSON.stringify(p)}`);
    }
    if (p.depsShown === 0) {
      problems.push("a module's dependencies do not unfold");
    }
  }
  if (p.hover === false) {
    problems.push("hovering the map does not highlight");
  }
  if (p.edgesBefore !== undefined && !(p.edgesAfter > p.edgesBefore)) {
    problems.push(`the weak-edge toggle shows nothing: ${p.edgesBefore} -> ${p.edgesAfter} edges`);
  }
  if (p.labels !== undefined) {
    console.log(`browser-check: map of ${p.contexts} contexts, ${p.labels} labels, ${p.overlaps.length} overlapping pairs`);
    if (p.overlaps.length > 0) {
      problems.push(`labels of the map intersect: ${p.overlaps.slice(0, 10).join("; ")}`);
    }
  }
  const metrics = await send("Page.getLayoutMetrics", {}, sessionId);
  const size = metrics.cssContentSize || metrics.contentSize;
  const height = Math.min(Math.ceil(size.height), 16000);
  // BROWSER_CHECK_SELECTOR=CSS shoots only that element (e.g. `#map`), full page otherwise.
  let clip = { x: 0, y: 0, width, height, scale: 1 };
  if (process.env.BROWSER_CHECK_SELECTOR) {
    const r = (await send("Runtime.evaluate", {
      returnByValue: true,
      expression: `(() => { const e = document.querySelector(${JSON.stringify(process.env.BROWSER_CHECK_SELECTOR)});
        if (!e) { return null; } const b = e.getBoundingClientRect();
        return { x: b.left + scrollX, y: b.top + scrollY, width: b.width, height: b.height }; })()`,
    }, sessionId)).result.value;
    if (!r) { throw new Error(`no element matches ${process.env.BROWSER_CHECK_SELECTOR}`); }
    clip = { x: Math.floor(r.x), y: Math.floor(r.y), width: Math.ceil(r.width), height: Math.min(Math.ceil(r.height), 16000), scale: 1 };
  }
  const shot = await send("Page.captureScreenshot", {
    format: "png", captureBeyondViewport: true, clip,
  }, sessionId);
  writeFileSync(out, Buffer.from(shot.data, "base64"));
  console.log(`browser-check: screenshot ${out} (${clip.width}x${clip.height})`);
  // BROWSER_CHECK_TILE=N also writes OUT-1.png, OUT-2.png, ... of N pixels each, to look at.
  const tile = Number(process.env.BROWSER_CHECK_TILE || 0);
  for (let y = 0, i = 1; tile > 0 && y < height; y += tile, i++) {
    const part = await send("Page.captureScreenshot", {
      format: "png", captureBeyondViewport: true,
      clip: { x: 0, y, width, height: Math.min(tile, height - y), scale: 1 },
    }, sessionId);
    writeFileSync(out.replace(/\.png$/, "") + `-${i}.png`, Buffer.from(part.data, "base64"));
  }
  await send("Browser.close").catch(() => {});
} catch (e) {
  problems.push(`browser-check failed: ${e.message}`);
  if (stderr) { problems.push(stderr.split("\n").slice(-10).join("\n")); }
}
clearTimeout(timer);
browser.kill();
await sleep(200);
try { rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
if (problems.length > 0) {
  for (const p of problems) { console.error(`browser-check: ${p}`); }
  code = 1;
} else {
  console.log("browser-check: no console errors, no network requests");
}
process.exit(code);
