// End-to-end tests of the dashboard: a real `renkei serve` on the demo bundle, Debian's
// Chromium driven by playwright-core. Writes screenshots to a temp folder (printed at
// the end) and, with --summary FILE, the pass/fail counts as JSON.
//
// env: RENKEI_BIN (default ../build/release/src/cli/renkei from web/), CHROMIUM
// (default /usr/bin/chromium), RENKEI_E2E_SITES (size of the generated bundle for
// the frame-time case, default 10000).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const repo = path.resolve(web, '..');
const bin = path.resolve(web, process.env.RENKEI_BIN ?? '../build/release/src/cli/renkei');
const dist = path.join(web, 'dist');
const bundle = path.join(repo, 'data', 'japan-strategic');
const work = mkdtempSync(path.join(tmpdir(), 'renkei-web-e2e-'));
const shots = path.join(work, 'screenshots');
mkdirSync(shots);
const summaryArg = process.argv.indexOf('--summary');
const summaryFile = summaryArg > 0 ? process.argv[summaryArg + 1] : null;
const filter = process.env.RENKEI_E2E_ONLY ?? '';

function renkei(...args) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// A store made from `bundleDir` with an admin client; returns {db, clientId, secret}.
function makeStore(name, bundleDir) {
  const db = path.join(work, `${name}.db`);
  renkei('init', db);
  renkei('import', db, bundleDir);
  // The demo's margins are in US dollars (its README).
  if (name === 'demo') renkei('policy', db, '--currency', 'USD');
  // The client belongs to the bundle's first organization (a CSV bundle).
  const orgs = readFileSync(path.join(bundleDir, 'organizations.csv'), 'utf8').split('\n');
  const org = orgs[1].split(',')[0];
  const out = renkei('client', 'add', db, `${name}-e2e`, '--organization', org, '--admin');
  const clientId = /client_id\s+(\S+)/.exec(out)?.[1];
  const secret = /client_secret\s+(\S+)/.exec(out)?.[1];
  if (!clientId || !secret) throw new Error(`cannot read the client from: ${out}`);
  return { db, clientId, secret };
}

const servers = [];
// `renkei serve DB --listen 127.0.0.1:0 --web dist`; resolves to its https URL.
function serve(db) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['serve', db, '--listen', '127.0.0.1:0', '--web', dist], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(p);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 180000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });
const notes = [];
function check(cond, message) {
  if (!cond) throw new Error(message);
}

let browser;
let demo;
let base;

async function newPage(lang = 'en') {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1400, height: 900 },
  });
  await context.addInitScript((l) => {
    if (!sessionStorage.getItem('e2e-lang-set')) {
      localStorage.setItem('renkei.lang', l);
      sessionStorage.setItem('e2e-lang-set', '1');
    }
  }, lang);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  return page;
}

async function signedIn(page, hash = '') {
  await page.goto(`${base}/#client=${encodeURIComponent(demo.clientId)}&secret=${encodeURIComponent(demo.secret)}`);
  await page.waitForSelector('main[data-ready="true"]', { timeout: 15000 });
  if (hash) await open(page, hash);
}

async function open(page, hash) {
  await page.evaluate((h) => {
    document.querySelector('main')?.removeAttribute('data-ready');
    location.hash = h;
  }, hash);
  await page.waitForSelector('main[data-ready]', { timeout: 20000 });
  const state = await page.getAttribute('main', 'data-ready');
  if (state !== 'true') throw new Error(`view ${hash}: ${await page.textContent('main')}`);
}

async function shot(page, name) {
  // A view with a map: wait until its countries have been drawn once.
  if (await page.$('canvas.map-canvas')) {
    await page
      .waitForSelector('canvas.map-canvas[data-basemap="drawn"]', { timeout: 15000 })
      .catch(() => {});
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

test('layout at 1024 x 700: battery bars usable, labels whole, no band under the map', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 1024, height: 700 });
  await signedIn(page);
  const rows = await page.$$eval('#battery .bar-row', (rs) =>
    rs.map((r) => {
      const label = r.querySelector('.bar-label');
      return { track: r.querySelector('.bar-track').clientWidth, cut: label.scrollWidth > label.clientWidth + 1 };
    }),
  );
  check(rows.length > 0 && rows.every((r) => r.track >= 120 && !r.cut), JSON.stringify(rows));
  const fits = await page.$eval('table.clusters', (t) => t.scrollWidth <= t.closest('aside').clientWidth);
  check(fits, 'the clusters table is wider than its panel');
  await shot(page, '12-overview-1024');
  await open(page, '#/whatif?kind=circle&lat=32.88&lon=130.84&radius=30&days=30&run=1');
  await page.waitForSelector('#event-result', { timeout: 60000 });
  const gap = await page.evaluate(() => {
    const box = document.querySelector('.map-box').getBoundingClientRect();
    const area = document.querySelector('.map-area').getBoundingClientRect();
    return box.bottom - area.bottom;
  });
  check(gap <= 2, `white band under the map: ${gap} px`);
  await shot(page, '13-whatif-1024');
  await page.context().close();
});

test('wrong credentials show a clear message', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.fill('#client', demo.clientId);
  await page.fill('#secret', 'not-the-secret');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#signin-error')?.textContent);
  const msg = await page.textContent('#signin-error');
  check(msg.includes('Wrong client ID or secret'), `message: ${msg}`);
  await shot(page, '00-signin-error');
  await page.context().close();
});

test('the sign-in fragment signs in and the overview is drawn', async () => {
  const page = await newPage();
  const t0 = Date.now();
  await page.goto(`${base}/#client=${encodeURIComponent(demo.clientId)}&secret=${encodeURIComponent(demo.secret)}`);
  await page.waitForSelector('main[data-ready="true"]', { timeout: 15000 });
  // The overview marks "renkei:first-view" in the frame that paints its map with the
  // countries and the clusters; the mark's time is the page's own clock, milliseconds
  // since its navigation started.
  const drawn = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const until = performance.now() + 15000;
        const look = () => {
          const m = performance.getEntriesByName('renkei:first-view')[0];
          if (m || performance.now() > until) resolve(m ? m.startTime : null);
          else requestAnimationFrame(look);
        };
        look();
      }),
  );
  check(drawn !== null, 'the overview never marked renkei:first-view');
  const ms = Date.now() - t0;
  notes.push(
    `first view (overview with the countries and clusters drawn) ${Math.round(drawn)} ms after ` +
      `navigation start (${ms} ms including the browser's own start of the page)`,
  );
  check(!(await page.url()).includes('secret='), 'the secret stays in the address bar');
  const rows = await page.$$eval('table.clusters tbody tr', (trs) => trs.map((tr) => tr.textContent));
  check(rows.length === 8, `clusters: ${rows.length}`);
  check(rows.some((r) => r.includes('Specialty semiconductors')), rows.join('|'));
  const battery = await page.textContent('#battery');
  check(/150/.test(battery) && /600/.test(battery), `battery: ${battery}`);
  await shot(page, '01-overview');
  check(page.errors.length === 0, page.errors.join('; '));
  await page.context().close();
});

test('map: sites, a click shows the site, supply arcs, risk colours, world and Japan', async () => {
  const page = await newPage();
  await signedIn(page, '#/map');
  const count = await page.textContent('#site-count');
  check(/182/.test(count), `site count: ${count}`);
  await page.waitForTimeout(100);
  // JASM and Sony's Kumamoto plant are a few km apart: centre JASM and zoom in first.
  const pos = await page.evaluate(async () => {
    const i = window.renkeiSites.byId.get('site:jasm-kikuyo');
    const canvas = document.querySelector('canvas.map-canvas');
    const [x, y] = window.renkeiMap.screenPosition(i);
    window.renkeiMap.panZoom(canvas.clientWidth / 2 - x, canvas.clientHeight / 2 - y, 40);
    await new Promise((r) => requestAnimationFrame(r));
    return window.renkeiMap.screenPosition(i);
  });
  const box = await page.locator('canvas.map-canvas').boundingBox();
  await page.mouse.click(box.x + pos[0], box.y + pos[1]);
  await page.waitForSelector('#site-details', { timeout: 10000 });
  const details = await page.textContent('#site-details');
  check(details.includes('Kikuyo') && details.includes('Japan Advanced Semiconductor'), `details: ${details.slice(0, 200)}`);
  check((await page.getAttribute('#site-details h2', 'title')) === 'site:jasm-kikuyo', 'no id on hover');
  await page.selectOption('#product', 'prod:logic-wafer-mature');
  await page.waitForFunction(() => /\d/.test(document.querySelector('#links-note')?.textContent ?? ''));
  const links = await page.textContent('#links-note');
  check(/^[1-9]/.test(links), `links: ${links}`);
  await page.selectOption('#colour-by', 'risk');
  await shot(page, '02-map-japan');
  await page.click('#show-world');
  await page.waitForTimeout(700);
  await shot(page, '03-map-world');
  check(page.errors.length === 0, page.errors.join('; '));
  await page.context().close();
});

test('tiers: the supply tree behind a car with SPOFs marked', async () => {
  const page = await newPage();
  await signedIn(page, '#/tiers?node=prod%3Abev-suv&direction=up');
  const items = await page.$$eval('#tiers li', (lis) => lis.map((li) => li.textContent));
  check(items.length > 10, `tier entries: ${items.length}`);
  // Names, with the ids on hover; countries by name.
  const jasm = await page.$$eval('#tiers li a', (as) =>
    as.filter((a) => a.title === 'site:jasm-kikuyo').map((a) => a.textContent),
  );
  check(jasm.length > 0 && !jasm[0].startsWith('site:'), `JASM upstream of the SUV: ${jasm}`);
  check(!items.some((x) => /\b(site|prod):/.test(x)), `raw ids: ${items.find((x) => /\b(site|prod):/.test(x))}`);
  check(items.some((x) => x.includes('Japan')), 'no country names');
  const owners = await page.$$eval('#tiers li', (lis) => lis.map((li) => li.title));
  check(owners.some((x) => /^[^:]+ \(org:[^)]+\)$/.test(x)), `organization names on hover: ${owners.slice(0, 2)}`);
  const spofs = await page.$$eval('#tiers li.spof', (lis) => lis.length);
  check(spofs > 0, 'no SPOF marked');
  await shot(page, '04-tiers');
  // In Japanese: country names and the demand tag too.
  await page.click('#lang');
  await page.waitForSelector('main[data-ready="true"]');
  const ja = await page.$$eval('#tiers li', (lis) => lis.map((li) => li.textContent).join('|'));
  check(ja.includes('日本'), 'no Japanese country names');
  // The demo's Japanese names (name_ja) for sites and products.
  check(ja.includes('元町工場') && ja.includes('電気自動車SUV'), `no Japanese names: ${ja.slice(0, 200)}`);
  const tags = await page.$$eval('#tiers .tag', (t) => t.map((x) => x.textContent.trim()));
  check(tags.every((x) => x === '需要'), `demand tags: ${tags.slice(0, 3)}`);
  await shot(page, '04-tiers-ja');
  await page.context().close();
});

test('concentration: company and country shares with HHI bands', async () => {
  const page = await newPage();
  await signedIn(page, '#/concentration?product=prod%3Asic-wafer-150mm');
  const company = await page.textContent('#by-company');
  const country = await page.textContent('#by-country');
  check(/HHI [\d,]+/.test(company) && /HHI [\d,]+/.test(country), `${company} ${country}`);
  check(/concentrated/.test(company), company);
  const bars = await page.$$eval('#by-country .bar-row', (r) => r.length);
  check(bars > 0, 'no country bars');
  const labels = await page.$$eval('#by-company .bar-label, #by-country .bar-label', (l) =>
    l.map((x) => [x.textContent, x.title]),
  );
  check(labels.every(([text]) => !text.startsWith('org:')), `raw ids: ${JSON.stringify(labels.slice(0, 3))}`);
  check(labels.some(([text, title]) => title === 'JP' && text === 'Japan'), JSON.stringify(labels));
  await shot(page, '05-concentration');
  await page.context().close();
});

test('what-if: 30 km around Kumamoto hits JASM', async () => {
  const page = await newPage();
  await signedIn(page, '#/whatif');
  await page.selectOption('#event-kind', 'circle');
  await page.fill('#lat', '32.88');
  await page.fill('#lon', '130.84');
  await page.fill('#radius', '30');
  await page.fill('#days', '30');
  await page.click('#run');
  await page.waitForSelector('#event-result, #whatif-error', { timeout: 60000 });
  const text = await page.textContent('#whatif-out');
  check(text.includes('site:jasm-kikuyo'), `result: ${text.slice(0, 300)}`);
  const products = await page.$$eval('#affected-products .chip', (c) => c.length);
  check(products > 0, 'no affected products');
  const tts = await page.textContent('#kpi-tts');
  const ttr = await page.textContent('#kpi-ttr');
  check(/\d|unbounded/.test(tts) && /\d/.test(ttr), `${tts} ${ttr}`);
  await shot(page, '06-whatif-kumamoto');
  // Each number says what it is: demand cut off at once is explained, lost units
  // carry their unit or are 0, and the verdict agrees with them.
  check((await page.textContent('#stopped-hint')).includes('inventories'), 'no hint for stopped demand');
  const lost = await page.textContent('#kpi-lost');
  const verdict = await page.textContent('#tts-verdict');
  if (/Lost after inventories\s*0$/.test(lost.trim())) check(verdict.includes('nothing is lost'), verdict);
  else check(verdict.includes('demand is lost') || /\d/.test(lost), `${lost} / ${verdict}`);
  check((await page.textContent('#kpi-impact')).includes('USD'), 'the impact has no currency');
  const chips = await page.$$eval('#affected-products .chip', (c) => c.map((x) => [x.textContent, x.title]));
  check(chips.every(([text, id]) => id.startsWith('prod:') && !text.startsWith('prod:')), JSON.stringify(chips.slice(0, 3)));
  // The inputs and the run are in the address: a reload shows the same answer,
  // and the view opened from the navigation keeps the inputs.
  const url = page.url();
  check(/kind=circle/.test(url) && /lat=32.88/.test(url) && /run=1/.test(url), url);
  await page.reload();
  await page.waitForSelector('#event-result', { timeout: 60000 });
  check((await page.textContent('#whatif-out')).includes('site:jasm-kikuyo'), 'no result after reload');
  await open(page, '#/map');
  await open(page, '#/whatif');
  check((await page.inputValue('#radius')) === '30' && (await page.inputValue('#lat')) === '32.88', 'inputs lost');
  check((await page.$('#event-result')) === null, 'ran again without being asked');
  check(page.errors.length === 0, page.errors.join('; '));
  await page.context().close();
});

test('what-if: an error names its cause in the UI language and goes when the inputs change', async () => {
  const page = await newPage('ja');
  await signedIn(page, '#/whatif?kind=country&country=XX&days=5');
  await page.click('#run');
  await page.waitForSelector('#whatif-error', { timeout: 20000 });
  const msg = await page.textContent('#whatif-error');
  check(msg.includes('要求が受け付けられませんでした') && msg.includes('400'), msg);
  await page.fill('#country', 'JP');
  check((await page.$('#whatif-error')) === null, 'the old error stayed');
  await page.context().close();
});

test('footprint: a non-empty split by tier, country, supplier and stage', async () => {
  const page = await newPage();
  await signedIn(page, '#/footprint?product=prod%3Aev-battery-pack-prismatic');
  for (const by of ['tier', 'country', 'supplier', 'stage']) {
    const n = await page.$$eval(`#split-${by} .bar-row`, (r) => r.length);
    check(n > 0, `empty split by ${by}`);
  }
  const pcf = await page.textContent('#pcf strong');
  check(Number(pcf.replace(/,/g, '')) > 0, `pcf: ${pcf}`);
  await shot(page, '07-footprint');
  await page.context().close();
});

test('circularity: recycled shares against the EU minimums', async () => {
  const page = await newPage();
  await signedIn(page, '#/circularity?product=prod%3Aev-battery-pack-prismatic');
  const rows = await page.$$eval('table.circularity tbody tr', (trs) => trs.map((tr) => tr.textContent));
  check(rows.some((r) => r.startsWith('Co')), rows.join('|'));
  check(rows.some((r) => /16\s?%/.test(r)), `no 16 % Co minimum: ${rows.join('|')}`);
  // The battery passport: complete, class C, and its download is the API's document.
  await page.waitForSelector('#passport-state');
  check((await page.textContent('#passport-class')) === 'C', 'passport class');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#passport-download')]);
  check(download.suggestedFilename() === 'passport-prod_ev-battery-pack-prismatic.json', download.suggestedFilename());
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  check(saved.carbonFootprint.carbonFootprintPerformanceClass === 'C', 'downloaded class');
  check(saved.circularity.recycledContent.some((r) => r.recycledMaterial === 'Cobalt'), 'downloaded recycled content');
  check(saved.missing === undefined, 'downloaded passport is complete');
  await shot(page, '08-circularity');
  await page.context().close();
});

test('language switch to Japanese is remembered', async () => {
  const page = await newPage();
  await signedIn(page, '#/map');
  await page.click('#lang');
  await page.waitForSelector('main[data-ready="true"]');
  const nav = await page.textContent('header nav');
  check(nav.includes('地図') && nav.includes('概要'), nav);
  const count = await page.textContent('#site-count');
  check(count.includes('拠点'), count);
  await shot(page, '09-map-ja');
  // A reload keeps the tab signed in (the token, not the secret, is kept) and the view.
  await page.reload();
  await page.waitForSelector('main[data-ready="true"]', { timeout: 15000 });
  check((await page.getAttribute('main', 'data-view')) === 'map', 'the reload lost the view');
  check((await page.textContent('header nav')).includes('地図'), 'after reload: not Japanese');
  const kept = await page.evaluate(() => sessionStorage.getItem('renkei.session') ?? '');
  check(kept.includes('token') && !kept.includes(demo.secret), 'the session keeps the token only');
  // Signing out forgets it: a reload then asks to sign in.
  await page.click('#signout');
  await page.reload();
  await page.waitForSelector('#signin');
  const title = await page.textContent('#signin h1');
  check(title.includes('連携'), `after sign-out and reload: ${title}`);
  await page.context().close();
});

test('an API error shows a message, not a blank page', async () => {
  const page = await newPage();
  await signedIn(page);
  await page.evaluate(() => (location.hash = '#/footprint?product=prod%3Ano-such-product'));
  await page.waitForSelector('#view-error', { timeout: 10000 });
  const msg = await page.textContent('#view-error');
  check(msg.includes('404') && msg.includes('prod:no-such-product'), msg);
  // The product picker stays, so another product is one choice away.
  check((await page.$('#product')) !== null, 'the error replaced the product picker');
  await shot(page, '10-api-error');
  await page.click('#lang');
  await page.waitForSelector('#view-error');
  check((await page.textContent('#view-error')).includes('見つかりません'), 'error not in Japanese');
  await page.selectOption('#product', 'prod:ev-battery-pack-prismatic');
  await page.waitForSelector('#pcf', { timeout: 20000 });
  await page.context().close();
});

test('footprint: a value resting on an unsigned received footprint is marked unverified', async () => {
  // The battery chain's dopant footprint came as an unsigned PACT file.
  const chain = makeStore('battery-chain', path.join(repo, 'tests', 'data', 'footprint', 'battery_chain'));
  const url = await serve(chain.db);
  const page = await newPage();
  await page.goto(`${url}/#client=${encodeURIComponent(chain.clientId)}&secret=${encodeURIComponent(chain.secret)}`);
  await page.waitForSelector('main[data-ready="true"]', { timeout: 30000 });
  await open(page, '#/footprint?product=p%3Apack');
  const mark = await page.textContent('#unverified');
  check(mark?.includes('Unverified'), `mark: ${mark}`);
  await shot(page, '11-unverified');
  // Lithium hydroxide rests on nothing received: no mark.
  await open(page, '#/footprint?product=p%3Alioh');
  check((await page.$('#unverified')) === null, 'lithium hydroxide is marked unverified');
  check(page.errors.length === 0, page.errors.join('; '));
  await page.context().close();
});

test('changes: an upsert shows its rows and the footprints it moved', async () => {
  const page = await newPage();
  await signedIn(page, '#/changes');
  const one = (await page.textContent('#changes-one')) ?? '';
  check(/one version/.test(one), `one version: ${one}`);
  // A second version, made by another process while the node serves: the
  // polysilicon plant's own emissions go up.
  const dir = path.join(work, 'upsert');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'production.csv'),
    'site,product,emissions_kgco2e_per_unit\nsite:shunan-poly,prod:polysilicon-semi,80\n',
  );
  renkei('import', demo.db, dir, '--mode', 'upsert');
  await open(page, '#/changes?again=1');
  const production = (await page.textContent('#changes-tables tr[data-table="production"]')) ?? '';
  check(/production\s*0\s*1\s*0/.test(production), `production row: ${production}`);
  const causes = await page.$$eval('#footprint-changes td.caused-by', (tds) => tds.map((td) => td.textContent));
  check(causes.length > 0, 'no footprint changed');
  check(
    causes.every((c) => c.includes('production site:shunan-poly,prod:polysilicon-semi')),
    `causes: ${causes.slice(0, 3).join(' | ')}`,
  );
  // Each footprint is shown with enough digits to see that it moved.
  const same = await page.$$eval('#footprint-changes tbody tr', (trs) =>
    trs.filter((tr) => tr.children[1].textContent === tr.children[2].textContent).map((tr) => tr.textContent),
  );
  check(!same.length, `shown unchanged: ${same.slice(0, 2).join(' | ')}`);
  await shot(page, '12-changes');
  check(!page.errors.length, page.errors.join('; '));
  await page.context().close();
});

test('map stays interactive with a generated bundle of many sites', async () => {
  const n = Number(process.env.RENKEI_E2E_SITES ?? 10000);
  const dir = path.join(work, 'generated');
  renkei('generate', dir, '--sites', String(n), '--seed', '7');
  const big = makeStore('generated', dir);
  const url = await serve(big.db);
  const page = await newPage();
  const t0 = Date.now();
  await page.goto(
    `${url}/#client=${encodeURIComponent(big.clientId)}&secret=${encodeURIComponent(big.secret)}&view=map`,
  );
  await page.waitForSelector('main[data-ready="true"]', { timeout: 180000 });
  await page.click('#show-world');
  await page.waitForTimeout(700);
  const loaded = Date.now() - t0;
  const count = await page.evaluate(() => window.renkeiSites.ids.length);
  check(count >= n, `sites on the map: ${count}`);
  // 120 frames of pan and zoom, one step per animation frame.
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        let i = 0;
        const step = (now) => {
          times.push(now - last);
          last = now;
          const k = i < 60 ? 1.03 : 1 / 1.03;
          window.renkeiMap.panZoom(i % 2 ? 4 : -3, i % 3 ? 2 : -2, k);
          if (++i < 120) requestAnimationFrame(step);
          else resolve(times.slice(1));
        };
        requestAnimationFrame(step);
      }),
  );
  frames.sort((a, b) => a - b);
  const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))].toFixed(1);
  notes.push(
    `${count} sites: signed in and map loaded in ${loaded} ms; frame times over ${frames.length} ` +
      `pan/zoom frames: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${frames[frames.length - 1].toFixed(1)} ms`,
  );
  await shot(page, '11-map-generated');
  await page.context().close();
});

let passed = 0;
let failed = 0;
try {
  demo = makeStore('demo', bundle);
  base = await serve(demo.db);
  browser = await launchChromium();
  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    const t0 = Date.now();
    try {
      await c.fn();
      ++passed;
      console.log(`ok   ${c.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      ++failed;
      console.log(`FAIL ${c.name}: ${e.message.split('\n')[0]}`);
    }
  }
} catch (e) {
  ++failed;
  console.log(`FAIL setup: ${e.message}`);
} finally {
  if (browser) await browser.close();
  for (const p of servers) p.kill('SIGTERM');
}
for (const n of notes) console.log(`note ${n}`);
console.log(`screenshots in ${shots}`);
// Keep only the screenshots.
for (const f of readdirSync(work)) {
  if (f !== 'screenshots') rmSync(path.join(work, f), { recursive: true, force: true });
}
if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed, failed }));
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
