// Where the first view's time goes: loads the overview from the sign-in link N times
// (RENKEI_PROFILE_LOADS, default 5) in Debian's Chromium against a real `renkei serve`
// on the demo bundle, and prints, per step, the median time after navigation start by
// the page's own clock (navigation, resource and paint timing, and the app's
// `renkei:` performance marks). With --trace FILE it also writes a Chromium trace of
// the last load (open it in chrome://tracing or the Performance panel) and prints the
// main thread's busiest event kinds.
//
// env: RENKEI_BIN (default ../build/release/src/cli/renkei from web/), CHROMIUM;
// RENKEI_PROFILE_ENCODING=identity asks the node for uncompressed answers (what the
// page would see if the node did not compress each answer anew).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const repo = path.resolve(web, '..');
const bin = path.resolve(web, process.env.RENKEI_BIN ?? '../build/release/src/cli/renkei');
const dist = path.join(web, 'dist');
const bundle = path.join(repo, 'data', 'japan-strategic');
const loads = Number(process.env.RENKEI_PROFILE_LOADS ?? 5);
const traceArg = process.argv.indexOf('--trace');
const traceFile = traceArg > 0 ? process.argv[traceArg + 1] : null;
const work = mkdtempSync(path.join(tmpdir(), 'renkei-web-profile-'));

function renkei(...args) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const db = path.join(work, 'demo.db');
renkei('init', db);
renkei('import', db, bundle);
const org = readFileSync(path.join(bundle, 'organizations.csv'), 'utf8').split('\n')[1].split(',')[0];
const out = renkei('client', 'add', db, 'profile', '--organization', org, '--admin');
const clientId = /client_id\s+(\S+)/.exec(out)[1];
const secret = /client_secret\s+(\S+)/.exec(out)[1];

const server = spawn(bin, ['serve', db, '--listen', '127.0.0.1:0', '--web', dist], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (d) => {
    text += d;
    const m = /serving .* on (https:\/\/\S+)/.exec(text);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
});

const browser = await launchChromium();

// One load: the steps' times in ms after navigation start.
async function load(trace) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('renkei.lang', 'en'));
  if (process.env.RENKEI_PROFILE_ENCODING) {
    await context.setExtraHTTPHeaders({ 'Accept-Encoding': process.env.RENKEI_PROFILE_ENCODING });
  }
  const page = await context.newPage();
  const cdp = trace ? await context.newCDPSession(page) : null;
  const events = [];
  if (cdp) {
    cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
    await cdp.send('Tracing.start', {
      traceConfig: {
        includedCategories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'blink.user_timing',
          'loading',
          'v8.execute',
          'fonts',
          'blink',
        ],
      },
    });
  }
  await page.goto(`${base}/#client=${encodeURIComponent(clientId)}&secret=${encodeURIComponent(secret)}`);
  await page.waitForSelector('main[data-ready="true"]', { timeout: 30000 });
  await page.waitForFunction(() => performance.getEntriesByName('renkei:first-view').length, null, {
    timeout: 30000,
    polling: 'raf',
  });
  const steps = await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const s = {};
            const nav = performance.getEntriesByType('navigation')[0];
            s['html received'] = nav.responseEnd;
            s['DOMContentLoaded'] = nav.domContentLoadedEventEnd;
            for (const r of performance.getEntriesByType('resource')) {
              const u = new URL(r.name);
              const name = u.pathname.startsWith('/assets/') ? u.pathname.replace(/-[\w-]{8}\./, '.') : u.pathname;
              s[`${name} start`] = r.startTime;
              s[`${name} end`] = r.responseEnd;
            }
            for (const p of performance.getEntriesByType('paint')) s[p.name] = p.startTime;
            for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('renkei:')) s[m.name] = m.startTime;
            s['two frames later'] = performance.now();
            resolve(s);
          }),
        ),
      ),
  );
  if (cdp) {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    writeFileSync(trace, JSON.stringify({ traceEvents: events }));
    // Main-thread time by event name (complete events of the renderer's main thread).
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    const own = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur);
    const by = new Map();
    for (const e of own) by.set(e.name, (by.get(e.name) ?? 0) + e.dur / 1000);
    const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log('main thread, inclusive ms by event (nested events counted in each):');
    for (const [n, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)}  ${n}`);
  }
  await context.close();
  return steps;
}

const runs = [];
for (let i = 0; i < loads; ++i) runs.push(await load(traceFile && i === loads - 1 ? traceFile : null));
const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const rows = names.map((n) => [n, median(runs.map((r) => r[n])), runs.map((r) => r[n])]);
rows.sort((a, b) => a[1] - b[1]);
console.log(`median of ${loads} loads, ms after navigation start (each load in brackets):`);
for (const [n, m, all] of rows)
  console.log(`  ${m.toFixed(0).padStart(6)}  ${n}  [${all.map((x) => (x === undefined ? '-' : x.toFixed(0))).join(' ')}]`);
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
await browser.close();
server.kill('SIGTERM');
rmSync(work, { recursive: true, force: true });
