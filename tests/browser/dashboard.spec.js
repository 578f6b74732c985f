#!/usr/bin/env node
/*
 * tests/browser/dashboard.spec.js - the dashboard in headless Chromium
 * (Debian's /usr/bin/chromium driven by playwright-core), against a running
 * daemon.  Started by tests/integration/dashboard_browser.sh, which seeds the
 * daemon and passes what the store holds in the environment:
 *
 *   MW_URL        http://127.0.0.1:PORT/
 *   MW_TOKEN      the http_token of the daemon
 *   MW_EXPECT     JSON {held: N, heldKeys: [KEY...], events: N, events_24h: N,
 *                       senders: {KEY: COUNT, ...}, blocks: {DEST: COUNT, ...},
 *                       dmarc: {IP: MESSAGES, ...},
 *                       release: KEY, xss: TEXT}
 *   MW_ARTIFACTS  directory for the screenshots (made if missing)
 *
 * Checks: the token prompt appears on 401; the numbers shown equal
 * MW_EXPECT; an event text with markup shows as text and runs nothing;
 * keyboard only (Tab/Enter/Escape) reaches the release button, cancels, then
 * releases through the confirmation dialog; the page updates.  Prints
 * "N passed, N failed" and exits 1 on a failure.
 *
 * With --bench (bench/dashboard.sh): only loads the overview RUNS times and
 * prints navigation start -> "overview rendered" in ms.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const URL_ = process.env.MW_URL;
const TOKEN = process.env.MW_TOKEN || '';
const ART = process.env.MW_ARTIFACTS || 'build/artifacts';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-dev-shm-usage'];

let passed = 0, failed = 0;
function check(desc, want, got) {
  if (JSON.stringify(want) === JSON.stringify(got)) {
    passed++;
    console.log('ok: ' + desc);
  } else {
    failed++;
    console.log(`FAIL: ${desc}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
}

/* number shown in a cell/card: "1,234" -> 1234 */
const toNum = (t) => Number(String(t).replace(/[,\s]/g, ''));

async function shot(page, name) {
  await page.screenshot({ path: path.join(ART, 'dashboard-' + name + '.png'), fullPage: true });
}

async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/* login - open the page; the token dialog must appear (the API answers 401) */
async function login(page) {
  await page.goto(URL_);
  await page.waitForSelector('#login[open]', { timeout: 10000 });
  check('token dialog shown on 401', true, await page.isVisible('#login-token'));
  check('token field has a label', 'Token', (await page.textContent('label[for=login-token]')).trim());
  await page.fill('#login-token', TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-rendered=overview]', { timeout: 10000 });
}

/* heldKeys - keys in the held table */
async function heldKeys(page) {
  return page.$$eval('button.release', (bs) => bs.map((b) => b.dataset.key).sort());
}

async function checkOverview(page, want) {
  check('held users card', want.held, toNum(await page.textContent('#stat-held')));
  check('events (24 h) card', want.events_24h, toNum(await page.textContent('#stat-events')));
  const rows = await page.$$eval('section[aria-labelledby=top-h] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const shown = {};
  for (const r of rows) shown[r[0]] = toNum(r[2]);
  for (const [key, count] of Object.entries(want.senders))
    check(`top senders: count of ${key}`, count, shown[key]);
  const order = rows.map((r) => toNum(r[2]));
  check('top senders sorted by count', [...order].sort((a, b) => b - a), order);
  check('held table lists the held users', [...want.heldKeys].sort(), await heldKeys(page));
}

/* tabTo - press Tab until selector has the focus (at most max presses) */
async function tabTo(page, selector, max) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector))
      return i;
    await page.keyboard.press('Tab');
  }
  return -1;
}

async function releaseByKeyboard(page, key) {
  const sel = `button.release[data-key="${key}"]`;
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const presses = await tabTo(page, sel, 60);
  check('keyboard: Tab reaches the release button', true, presses >= 0);
  const outline = await page.$eval(sel, (b) => getComputedStyle(b).outlineStyle);
  check('keyboard: focused release button shows an outline', 'solid', outline);
  /* cancel first: Escape closes the dialog, nothing is released */
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirm[open]');
  check('confirm dialog names the key', true, (await page.textContent('#confirm-title')).includes(key));
  check('confirm dialog focus starts on Cancel', 'confirm-cancel', await page.evaluate(() => document.activeElement.id));
  await page.screenshot({ path: path.join(ART, 'dashboard-confirm.png') }); /* the viewport, with the dialog */
  await page.keyboard.press('Escape');
  await page.waitForSelector('#confirm', { state: 'hidden' });
  check('Escape returns the focus to the release button', true,
    await page.evaluate((s) => document.activeElement.matches(s), sel));
  check('cancel keeps the user held', true, (await heldKeys(page)).includes(key));
  /* now for real: Enter, Tab to "Release", Enter */
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirm[open]');
  await page.keyboard.press('Tab');
  check('Tab moves to the confirm button', 'confirm-ok', await page.evaluate(() => document.activeElement.id));
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirm', { state: 'hidden' });
  try {
    await page.waitForFunction(() => /released\.$|failed|not held|cancelled/.test(document.getElementById('status').textContent),
      null, { timeout: 20000 });
  } catch (e) {
    console.log('note: status after 20 s: ' + JSON.stringify(await page.textContent('#status')) +
      ', login dialog open: ' + (await page.isVisible('#login')));
    throw e;
  }
  check('status after the confirmed release', key + ' released.', await page.textContent('#status'));
  await page.waitForFunction((s) => !document.querySelector(s), sel, { timeout: 10000 });
  check('status region announces the release', key + ' released.', await page.textContent('#status'));
  check('status region is aria-live', 'polite', await page.getAttribute('#status', 'aria-live'));
}

async function checkEvents(page, want) {
  await page.click('#nav a[data-view=events]');
  await page.waitForSelector('body[data-rendered=events] #events-total');
  check('events view total', want.events, toNum(await page.textContent('#events-total')));
  const first = await page.$$eval('main tbody tr', (t) => t.length);
  check('events page 1 rows', Math.min(50, want.events), first);
  check('every filter input has a label', 0, await page.$$eval('main form input, main form select',
    (els) => els.filter((e) => !document.querySelector(`label[for="${e.id}"]`)).length));
  /* markup in an event is shown as text and never runs */
  const cells = await page.$$eval('main tbody td', (tds) => tds.map((t) => t.textContent));
  check('markup from the API shown as text', true, cells.some((c) => c.includes(want.xss)));
  check('markup from the API did not run', undefined, await page.evaluate(() => window.__mwxss));
  check('no element injected from event data', 0, await page.$$eval('main tbody img', (i) => i.length));
  await shot(page, 'events');
  if (want.events > 50) {
    await page.click('nav.pager a[rel=next]');
    await page.waitForFunction(() => /^51/.test(document.getElementById('events-range').textContent));
    check('events page 2 rows', Math.min(50, want.events - 50), await page.$$eval('main tbody tr', (t) => t.length));
  }
  /* filter by key */
  await page.fill('#f-key', want.release);
  await page.press('#f-key', 'Enter');
  await page.waitForFunction((k) => location.hash.includes('key=' + encodeURIComponent(k)), want.release);
  await page.waitForSelector('body[data-rendered=events] #events-total');
  const keys = await page.$$eval('main tbody tr td:nth-child(3)', (t) => [...new Set(t.map((x) => x.textContent))]);
  check('key filter shows only that key', [want.release], keys);
}

async function checkSender(page, key) {
  await page.goto(URL_ + '#/sender/' + encodeURIComponent(key));
  await page.waitForSelector('main svg.chart');
  check('sender view heading', key, await page.textContent('main h1 .key'));
  check('rate chart has an accessible name', true,
    /messages in \d+ minutes/.test(await page.getAttribute('main svg.chart', 'aria-label')));
  await shot(page, 'sender');
}

/* checkBlocks - destinations refusing our mail, and the blocklists they name */
async function checkBlocks(page, want) {
  await page.click('#nav a[data-view=blocks]');
  await page.waitForSelector('body[data-rendered=blocks] main table');
  const rows = await page.$$eval('main tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const shown = {};
  for (const r of rows) shown[r[0]] = toNum(r[3]);
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort());
  check('blocks view: destinations and counts', sorted(want.blocks), sorted(shown));
  check('blocks view: a Spamhaus listing is named', true, rows.some((r) => r[0] === 'gmail.com' && r[2] === 'Spamhaus'));
  await shot(page, 'blocks');
  await page.click('#nav a[data-view=blocklists]');
  await page.waitForSelector('body[data-rendered=blocklists] main table');
  const lists = await page.$$eval('main > .table-wrap tbody tr td:first-child', (t) => t.map((x) => x.textContent));
  check('blocklists view: the lists named by refusals', [...new Set(rows.map((r) => r[2]).filter((b) => b !== '–'))].sort(),
    [...lists].sort());
  const dnsbl = await page.$$eval('section[aria-labelledby=dnsbl-h] tbody tr td:nth-child(4)', (t) => t.map((x) => x.textContent));
  check('blocklists view: DNSBL finding of the audit', ['192.0.2.25 is listed on zen.spamhaus.org'], dnsbl);
  await shot(page, 'blocklists');
  await page.click('#nav a[data-view=audit]');
  await page.waitForSelector('body[data-rendered=audit] main table');
  const audit = await page.$$eval('main > .table-wrap tbody tr td', (t) => t.map((x) => x.textContent));
  check('audit view: domain and counts', ['example.org', '1', '2', '0'], [audit[0], audit[3], audit[4], audit[5]]);
  await page.click('details.findings summary');
  check('audit view: findings listed', 3, await page.$$eval('details.findings tbody tr', (t) => t.length));
}

/* checkDmarc - the sources' message counts equal the CLI's summary of the store */
async function checkDmarc(page, want) {
  await page.click('#nav a[data-view=dmarc]');
  await page.waitForSelector('body[data-rendered=dmarc] main table');
  const rows = await page.$$eval('main tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const shown = {};
  for (const r of rows) shown[r[0]] = (shown[r[0]] || 0) + toNum(r[5]);
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort());
  check('DMARC view: messages per source IP', sorted(want.dmarc), sorted(shown));
  check('DMARC chart has an accessible name', true,
    /messages over \d+ days/.test(await page.getAttribute('main svg.chart', 'aria-label')));
  await shot(page, 'dmarc');
}

async function run() {
  const want = JSON.parse(process.env.MW_EXPECT);
  fs.mkdirSync(ART, { recursive: true });
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.request().method() !== 'GET') console.log(`note: ${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`);
  });
  page.on('requestfailed', (r) => console.log(`note: ${r.method()} ${r.url()} failed: ${r.failure() && r.failure().errorText}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  try {
    await login(page);
    await checkOverview(page, want);
    await shot(page, 'overview');
    check('page fits 1366 px (no horizontal scroll)', true,
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await releaseByKeyboard(page, want.release);
    check('held users card after release', want.held - 1, toNum(await page.textContent('#stat-held')));
    await shot(page, 'released');
    await checkSender(page, want.release);
    await checkEvents(page, want);
    await checkBlocks(page, want);
    await checkDmarc(page, want);
    check('no script errors', [], errors);
  } finally {
    await browser.close();
  }
}

async function bench() {
  const runs = Number(process.env.RUNS || 5);
  const browser = await launch();
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await ctx.newPage();
      if (TOKEN) await page.addInitScript((t) => sessionStorage.setItem('mw_token', t), TOKEN);
      await page.goto(URL_);
      await page.waitForSelector('body[data-rendered=overview]', { timeout: 30000 });
      times.push(await page.evaluate(() => {
        const api = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/'));
        return {
          rendered: performance.getEntriesByName('overview-rendered')[0].startTime,
          dom: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
          api: Math.max(...api.map((r) => r.responseEnd)),
        };
      }));
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  const med = (k) => times.map((t) => t[k]).sort((a, b) => a - b)[Math.floor(times.length / 2)].toFixed(0);
  console.log('overview rendered (ms from navigation start): ' +
    times.map((t) => t.rendered.toFixed(0)).join(' ') + ' ; median ' + med('rendered'));
  console.log(`medians: DOMContentLoaded ${med('dom')} ms, last API answer ${med('api')} ms, rendered ${med('rendered')} ms`);
}

(process.argv.includes('--bench') ? bench() : run()).then(() => {
  if (process.argv.includes('--bench')) return;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, (e) => {
  console.log('FAIL: ' + (e && e.stack || e));
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
