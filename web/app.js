/*
 * web/app.js - the mailwarden dashboard: a single page over the daemon's
 * JSON API (docs/DASHBOARD.md).  Vanilla JS, no library, no network other
 * than the daemon itself; charts are inline SVG built here.
 *
 * Views (hash routing): #/overview, #/sender/KEY, #/events?filters,
 * #/blocks, #/blocklists, #/dmarc, #/audit.
 *
 * Safety: every string that comes from the API reaches the page through
 * textContent or an attribute set with setAttribute, never innerHTML.
 * Credentials: a token typed by the admin after a 401, kept in
 * sessionStorage (this tab only) and sent as "Authorization: Bearer".
 */
'use strict';

(function () {
  const TOKEN_KEY = 'mw_token';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const EVENTS_PAGE = 50;
  const main = document.getElementById('main');
  const statusEl = document.getElementById('status');

  /* ---- small DOM helpers (text only) ------------------------------------ */

  /* h - element with attributes and children (strings become text nodes) */
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  /* s - SVG element */
  function s(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(e, children) {
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function say(text) {
    statusEl.textContent = text;
  }

  /* ---- formatting ----------------------------------------------------- */

  const numFmt = new Intl.NumberFormat('en-US');
  function num(n) {
    return typeof n === 'number' && isFinite(n) ? numFmt.format(n) : '–';
  }

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  /* when - UTC "YYYY-MM-DD HH:MM:SS" (the daemon's logs are UTC too) */
  function when(ms) {
    if (typeof ms !== 'number' || !isFinite(ms) || ms <= 0) return '–';
    const d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) +
      ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }

  function duration(sec) {
    if (typeof sec !== 'number' || !isFinite(sec)) return '–';
    if (sec % 86400 === 0 && sec >= 86400) return sec / 86400 + ' d';
    if (sec % 3600 === 0 && sec >= 3600) return sec / 3600 + ' h';
    if (sec % 60 === 0 && sec >= 60) return sec / 60 + ' min';
    return sec + ' s';
  }

  function list(v) {
    return Array.isArray(v) ? v.map(String).join(', ') : (v === undefined || v === null ? '' : String(v));
  }

  /* lines - an array of strings one per line (evidence), anything else as text() */
  function lines(v) {
    return Array.isArray(v) ? v.map(text).join('\n') : text(v);
  }

  /* text - any JSON value as one line of text (objects as key: value) */
  function text(v) {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.map(text).join(', ');
    if (typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ': ' + text(x)).join('; ');
    return String(v);
  }

  /* ---- API access ------------------------------------------------------ */

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  }

  async function request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const msg = data && typeof data.error === 'string' ? data.error : r.status + ' ' + r.statusText;
      throw new HttpError(r.status, msg);
    }
    return data;
  }

  /* api - a request; on 401 ask for the token once per try and retry */
  async function api(method, path, body) {
    for (let tries = 0; ; tries++) {
      try {
        return await request(method, path, body);
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 401 || tries >= 3) throw e;
        const ok = await askToken(tries ? 'That token was refused: ' + e.message : '');
        if (!ok) throw e;
      }
    }
  }

  const get = (path) => api('GET', path);
  const post = (path, body) => api('POST', path, body);

  let loginWait = null;
  /* askToken - the login dialog; resolves true when a token was entered */
  function askToken(error) {
    if (loginWait) return loginWait;
    const dlg = document.getElementById('login');
    const input = document.getElementById('login-token');
    document.getElementById('login-error').textContent = error;
    input.value = '';
    loginWait = new Promise((resolve) => {
      dlg.addEventListener('close', function done() {
        dlg.removeEventListener('close', done);
        loginWait = null;
        if (dlg.returnValue === 'ok' && input.value) {
          try { sessionStorage.setItem(TOKEN_KEY, input.value); } catch (e) { /* private mode */ }
          input.value = '';
          resolve(true);
        } else {
          resolve(false);
        }
      });
    });
    dlg.returnValue = '';
    dlg.showModal();
    input.focus();
    return loginWait;
  }

  /* confirmAction - the confirmation dialog; resolves true on OK */
  function confirmAction(title, question, okLabel) {
    const dlg = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = question;
    document.getElementById('confirm-ok').textContent = okLabel;
    const opener = document.activeElement;
    say('');
    return new Promise((resolve) => {
      dlg.addEventListener('close', function done() {
        dlg.removeEventListener('close', done);
        if (opener && opener.isConnected) opener.focus();
        resolve(dlg.returnValue === 'ok');
      });
      dlg.returnValue = '';
      dlg.showModal();
      document.getElementById('confirm-cancel').focus();
    });
  }

  /* ---- building blocks ------------------------------------------------- */

  /* table - caption, column heads, one row per item; cell(item) -> text or Node */
  function table(caption, cols, items, empty) {
    if (!items || items.length === 0)
      return h('p', { class: 'empty' }, empty || 'Nothing to show.');
    const head = h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)));
    const rows = items.map((it) => h('tr', null, cols.map((c) => {
      const v = c.cell(it);
      return h('td', { class: c.cls }, v instanceof Node ? v : (v === undefined || v === null ? '' : String(v)));
    })));
    return h('div', { class: 'table-wrap' },
      h('table', null, h('caption', null, caption), h('thead', null, head), h('tbody', null, rows)));
  }

  function card(label, value, id, hint) {
    return h('div', { class: 'card' },
      h('dt', null, label),
      h('dd', { id, 'data-value': typeof value === 'number' ? value : undefined }, num(value)),
      hint ? h('dd', { class: 'hint' }, hint) : null);
  }

  function senderLink(key) {
    return h('a', { href: '#/sender/' + encodeURIComponent(key) }, key);
  }

  function stateBadge(state) {
    return h('span', { class: 'badge state-' + String(state).replace(/[^a-z]/g, '') }, state || '–');
  }

  /* releaseButton - asks for confirmation, POSTs /api/release, then onDone */
  function releaseButton(key, onDone) {
    return h('button', {
      type: 'button', class: 'danger release', 'data-key': key,
      'aria-label': 'Release ' + key,
      onclick: async () => {
        const ok = await confirmAction('Release ' + key + '?',
          'Clear the counters of ' + key + ' in every rule: the user can send again at once. ' +
          'Mail already in the Postfix hold queue stays there for review.', 'Release');
        if (!ok) { say('Release of ' + key + ' cancelled.'); return; }
        say('Releasing ' + key + '…');
        try {
          const r = await post('/api/release', { key });
          say(r && r.released ? key + ' released.' : key + ' was not held (nothing to release).');
        } catch (e) {
          say('Release of ' + key + ' failed: ' + e.message);
          return;
        }
        await onDone();
      },
    }, 'Release');
  }

  /* ---- charts (inline SVG) --------------------------------------------- */

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  /* lineChart - per-minute counts [{t_ms, count}] as an area chart */
  function lineChart(points, label) {
    const W = 720, H = 220, L = 48, R = 12, T = 12, B = 28;
    const pts = (points || []).filter((p) => typeof p.t_ms === 'number' && typeof p.count === 'number');
    const total = pts.reduce((a, p) => a + p.count, 0);
    const peak = pts.reduce((a, p) => Math.max(a, p.count), 0);
    const svg = s('svg', {
      viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
      'aria-label': `${label}: ${num(total)} messages in ${pts.length} minutes, peak ${num(peak)} per minute`,
    }, s('title', null, label));
    if (pts.length === 0) {
      svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'no data'));
      return svg;
    }
    const t0 = pts[0].t_ms, t1 = Math.max(pts[pts.length - 1].t_ms, t0 + 60000);
    const ymax = niceMax(peak);
    const x = (t) => L + (t - t0) / (t1 - t0) * (W - L - R);
    const y = (c) => T + (1 - c / ymax) * (H - T - B);
    for (const f of [0, 0.5, 1]) {
      svg.appendChild(s('line', { x1: L, x2: W - R, y1: y(ymax * f), y2: y(ymax * f), class: 'grid' }));
      svg.appendChild(s('text', { x: L - 6, y: y(ymax * f) + 4, 'text-anchor': 'end', class: 'axis' }, num(ymax * f)));
    }
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const t = t0 + (t1 - t0) * f;
      svg.appendChild(s('text', { x: x(t), y: H - 8, 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle', class: 'axis' },
        when(t).slice(11, 16)));
    }
    let d = `M${x(pts[0].t_ms).toFixed(1)},${y(0).toFixed(1)}`;
    for (const p of pts) d += `L${x(p.t_ms).toFixed(1)},${y(p.count).toFixed(1)}`;
    d += `L${x(pts[pts.length - 1].t_ms).toFixed(1)},${y(0).toFixed(1)}Z`;
    svg.appendChild(s('path', { d, class: 'area' }));
    return svg;
  }

  /* barChart - stacked bars per day [{day, pass, fail}] */
  function barChart(days, label) {
    const W = 720, H = 200, L = 48, R = 12, T = 12, B = 28;
    const items = (days || []).slice(-60);
    const total = items.reduce((a, d) => a + (d.pass || 0) + (d.fail || 0), 0);
    const failed = items.reduce((a, d) => a + (d.fail || 0), 0);
    const svg = s('svg', {
      viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
      'aria-label': `${label}: ${num(total)} messages over ${items.length} days, ${num(failed)} failing DMARC`,
    }, s('title', null, label));
    if (items.length === 0) {
      svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'no data'));
      return svg;
    }
    const ymax = niceMax(items.reduce((a, d) => Math.max(a, (d.pass || 0) + (d.fail || 0)), 0));
    const bw = Math.min((W - L - R) / items.length, 48); /* one day is a bar, not the whole width */
    const y = (c) => T + (1 - c / ymax) * (H - T - B);
    for (const f of [0, 0.5, 1]) {
      svg.appendChild(s('line', { x1: L, x2: W - R, y1: y(ymax * f), y2: y(ymax * f), class: 'grid' }));
      svg.appendChild(s('text', { x: L - 6, y: y(ymax * f) + 4, 'text-anchor': 'end', class: 'axis' }, num(ymax * f)));
    }
    items.forEach((d, i) => {
      const px = L + i * bw + bw * 0.1, w = Math.max(bw * 0.8, 1);
      const pass = d.pass || 0, fail = d.fail || 0;
      svg.appendChild(s('rect', { x: px, y: y(pass), width: w, height: y(0) - y(pass), class: 'bar-pass' },
        s('title', null, `${d.day}: ${num(pass)} pass`)));
      svg.appendChild(s('rect', { x: px, y: y(pass + fail), width: w, height: y(pass) - y(pass + fail), class: 'bar-fail' },
        s('title', null, `${d.day}: ${num(fail)} fail`)));
    });
    svg.appendChild(s('text', { x: L, y: H - 8, class: 'axis' }, String(items[0].day)));
    svg.appendChild(s('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, String(items[items.length - 1].day)));
    return svg;
  }

  /* ---- views ------------------------------------------------------------ */

  async function viewOverview() {
    const since = Date.now() - 86400000;
    const [st, senders, held, alerts] = await Promise.all([
      get('/api/status'),
      get('/api/senders?limit=10'),
      get('/api/held?limit=100'),
      get('/api/events?limit=10&action=alert&since_ms=' + since),
    ]);
    const answers = st.requests && typeof st.requests === 'object' ? st.requests : {};
    const frag = [
      h('h1', { tabindex: '-1' }, 'Overview'),
      h('dl', { class: 'cards', 'aria-label': 'Now' },
        card('Messages per minute', st.messages_per_min, 'stat-mpm'),
        card('Held users', typeof held.total === 'number' ? held.total : st.held, 'stat-held'),
        card('Events, last 24 h', st.events_24h, 'stat-events'),
        card('Alerts, last 24 h', st.alerts_24h, 'stat-alerts'),
        card('Keys tracked', st.keys, 'stat-keys')),
      h('p', { class: 'meta' },
        `Store ${st.store || '?'}${st.degraded ? ' (degraded: local counters)' : ''}, up ${duration(st.uptime_s)}` +
        (st.version ? `, version ${st.version}` : '') + '. Policy answers: ' +
        (Object.entries(answers).map(([k, v]) => `${k} ${num(v)}`).join(', ') || 'none') + '.'),
      h('section', { 'aria-labelledby': 'held-h' },
        h('h2', { id: 'held-h' }, 'Held users'),
        table('Users whose mail is held, newest first', [
          { label: 'Key', cell: (i) => senderLink(i.key) },
          { label: 'Rule', cell: (i) => i.rule },
          { label: 'Since', cls: 'nowrap', cell: (i) => when(i.since_ms) },
          { label: 'Until', cls: 'nowrap', cell: (i) => when(i.until_ms) },
          { label: 'Reason', cell: (i) => i.reason },
          { label: 'Action', cell: (i) => releaseButton(i.key, refresh) },
        ], held.items, 'Nobody is held.')),
      h('section', { 'aria-labelledby': 'top-h' },
        h('h2', { id: 'top-h' }, 'Top senders'),
        table('Senders by count in the current window', [
          { label: 'Key', cell: (i) => senderLink(i.key) },
          { label: 'Rule', cell: (i) => i.rule },
          { label: 'Count', cls: 'num', cell: (i) => num(i.count) },
          { label: 'Limit', cls: 'num', cell: (i) => num(i.limit) },
          { label: 'Window', cell: (i) => duration(i.window_s) },
          { label: 'State', cell: (i) => stateBadge(i.state) },
        ], senders.items, 'No sender counted yet.'),
        h('p', null, h('a', { href: '#/events' }, 'All events'))),
      h('section', { 'aria-labelledby': 'alerts-h' },
        h('h2', { id: 'alerts-h' }, 'Alerts in the last 24 hours'),
        eventsTable('Latest alerts', alerts.items, 'No alert in the last 24 hours.')),
    ];
    return { title: 'Overview', nodes: frag };
  }

  function eventsTable(caption, items, empty) {
    return table(caption, [
      { label: 'Time (UTC)', cls: 'nowrap', cell: (i) => when(i.time_ms) },
      { label: 'Type', cls: 'nowrap', cell: (i) => i.type },
      { label: 'Key', cell: (i) => (i.key ? senderLink(i.key) : '') },
      { label: 'Rule', cls: 'nowrap', cell: (i) => i.rule },
      { label: 'Action', cls: 'nowrap', cell: (i) => stateBadge(i.action) },
      { label: 'Count / limit', cls: 'num', cell: (i) => (i.count !== undefined ? num(i.count) + ' / ' + num(i.limit) : '') },
      { label: 'Recipients', cell: (i) => list(i.recipients) },
      { label: 'Subject', cell: (i) => i.subject },
      { label: 'Detail', cls: 'detail', cell: (i) => lines(i.detail) },
    ], items, empty);
  }

  async function viewSender(key) {
    const d = await get('/api/senders/' + encodeURIComponent(key));
    const held = (d.rules || []).some((r) => r.state === 'held' || r.state === 'blocked');
    return {
      title: 'Sender ' + key,
      nodes: [
        h('p', { class: 'crumbs' }, h('a', { href: '#/overview' }, 'Overview'), ' / sender'),
        h('h1', { tabindex: '-1' }, 'Sender ', h('span', { class: 'key' }, d.key || key)),
        held ? h('p', null, releaseButton(d.key || key, refresh)) : null,
        h('section', { 'aria-labelledby': 'rules-h' },
          h('h2', { id: 'rules-h' }, 'Rules'),
          table('Counts of this key per rule', [
            { label: 'Rule', cell: (i) => i.rule },
            { label: 'Count', cls: 'num', cell: (i) => num(i.count) },
            { label: 'Limit', cls: 'num', cell: (i) => num(i.limit) },
            { label: 'Window', cell: (i) => duration(i.window_s) },
            { label: 'State', cell: (i) => stateBadge(i.state) },
          ], d.rules, 'No rule counts this key.')),
        h('section', { 'aria-labelledby': 'hist-h' },
          h('h2', { id: 'hist-h' }, 'Messages per minute, last 24 hours'),
          lineChart(d.history, 'Messages per minute of ' + (d.key || key))),
        h('section', { 'aria-labelledby': 'recent-h' },
          h('h2', { id: 'recent-h' }, 'Recent recipients and subjects'),
          table('Latest events of this key', [
            { label: 'Time (UTC)', cls: 'nowrap', cell: (i) => when(i.time_ms) },
            { label: 'Action', cell: (i) => stateBadge(i.action) },
            { label: 'Recipients', cell: (i) => list(i.recipients) },
            { label: 'Subject', cell: (i) => i.subject },
          ], d.recent, 'No event recorded for this key.')),
      ],
    };
  }

  const SINCE_CHOICES = [['', 'Any time'], ['3600', 'Last hour'], ['86400', 'Last 24 hours'], ['604800', 'Last 7 days']];
  const ACTION_CHOICES = ['', 'alert', 'hold', 'defer', 'reject'];
  const TYPE_CHOICES = ['', 'policy', 'logscan', 'milter-scan', 'netwatch'];

  function select(id, label, choices, value) {
    return [h('label', { for: id }, label),
      h('select', { id, name: id.replace(/^f-/, '') }, choices.map((c) => {
        const [v, t] = Array.isArray(c) ? c : [c, c || 'Any'];
        return h('option', { value: v, selected: v === value }, t);
      }))];
  }

  async function viewEvents(params) {
    const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const q = new URLSearchParams();
    for (const k of ['key', 'rule', 'action', 'type']) if (params.get(k)) q.set(k, params.get(k));
    if (params.get('since')) q.set('since_ms', String(Date.now() - Number(params.get('since')) * 1000));
    q.set('limit', String(EVENTS_PAGE));
    q.set('offset', String(offset));
    const d = await get('/api/events?' + q.toString());
    const total = typeof d.total === 'number' ? d.total : (d.items || []).length;
    const items = d.items || [];
    const form = h('form', { class: 'filters', 'aria-label': 'Filter events', onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const p = new URLSearchParams();
      for (const [k, v] of f.entries()) if (v) p.set(k, v);
      location.hash = '#/events' + (p.toString() ? '?' + p.toString() : '');
    } },
    h('label', { for: 'f-key' }, 'Key'),
    h('input', { id: 'f-key', name: 'key', type: 'search', value: params.get('key') || '', autocomplete: 'off' }),
    h('label', { for: 'f-rule' }, 'Rule'),
    h('input', { id: 'f-rule', name: 'rule', type: 'search', value: params.get('rule') || '', autocomplete: 'off' }),
    select('f-action', 'Action', ACTION_CHOICES, params.get('action') || ''),
    select('f-type', 'Type', TYPE_CHOICES, params.get('type') || ''),
    select('f-since', 'When', SINCE_CHOICES, params.get('since') || ''),
    h('button', { type: 'submit' }, 'Apply'),
    h('a', { href: '#/events', class: 'reset' }, 'Clear filters'));
    const page = (o) => {
      const p = new URLSearchParams(params);
      if (o > 0) p.set('offset', String(o)); else p.delete('offset');
      return '#/events' + (p.toString() ? '?' + p.toString() : '');
    };
    const first = items.length ? offset + 1 : 0, last = offset + items.length;
    const pager = (top) => h('nav', { class: 'pager', 'aria-label': top ? 'Event pages' : 'Event pages, bottom' },
      offset > 0 ? h('a', { href: page(Math.max(0, offset - EVENTS_PAGE)), rel: 'prev' }, '← Newer') : null,
      h('span', { id: top ? 'events-range' : null }, `${num(first)}–${num(last)} of `,
        h('span', { id: top ? 'events-total' : null, 'data-value': total }, num(total))),
      last < total ? h('a', { href: page(offset + EVENTS_PAGE), rel: 'next' }, 'Older →') : null);
    return {
      title: 'Events',
      nodes: [h('h1', { tabindex: '-1' }, 'Events'), form, pager(true),
        eventsTable('Events, newest first', items, 'No event matches.'),
        items.length > 20 ? pager(false) : null],
    };
  }

  async function viewBlocks() {
    const d = await get('/api/blocks');
    return {
      title: 'Destinations blocking us',
      nodes: [
        h('h1', { tabindex: '-1' }, 'Destinations blocking us'),
        h('p', { class: 'meta' }, 'Remote servers that refused our mail with a policy or blocklist reply (from the mail logs).'),
        table('Refusals by destination', [
          { label: 'Destination', cell: (i) => i.destination },
          { label: 'Reply', cell: (i) => i.reply },
          { label: 'Blocklist', cell: (i) => i.blocklist || '–' },
          { label: 'Count', cls: 'num', cell: (i) => num(i.count) },
          { label: 'Last seen (UTC)', cell: (i) => when(i.last_ms) },
        ], d.items, 'No destination refuses our mail.'),
      ],
    };
  }

  async function viewBlocklists() {
    const [blocks, audit] = await Promise.all([get('/api/blocks'), get('/api/audit').catch(() => null)]);
    const by = new Map();
    for (const b of blocks.items || []) {
      if (!b.blocklist) continue;
      const e = by.get(b.blocklist) || { name: b.blocklist, count: 0, dest: new Set(), last: 0 };
      e.count += b.count || 0;
      e.dest.add(b.destination);
      e.last = Math.max(e.last, b.last_ms || 0);
      by.set(b.blocklist, e);
    }
    const lists = [...by.values()].sort((a, b) => b.count - a.count);
    /* DNSBL findings of `mailwarden audit --json` files (section "dnsbl") */
    const dnsbl = [];
    for (const a of (audit && audit.items) || [])
      for (const f of Array.isArray(a.findings) ? a.findings : [])
        if (f && f.section === 'dnsbl') dnsbl.push(Object.assign({ domain: a.domain, time_ms: a.time_ms }, f));
    return {
      title: 'Blocklists',
      nodes: [
        h('h1', { tabindex: '-1' }, 'Blocklist status'),
        h('p', { class: 'meta' }, lists.length
          ? `Our mail was refused citing ${lists.length} blocklist(s).`
          : 'No refusal names a blocklist: our addresses look clean from the receivers\' side.'),
        table('Blocklists named in refusals', [
          { label: 'Blocklist', cell: (i) => i.name },
          { label: 'Refusals', cls: 'num', cell: (i) => num(i.count) },
          { label: 'Destinations', cell: (i) => [...i.dest].join(', ') },
          { label: 'Last seen (UTC)', cell: (i) => when(i.last) },
        ], lists, 'No blocklist named.'),
        h('section', { 'aria-labelledby': 'dnsbl-h' },
          h('h2', { id: 'dnsbl-h' }, 'DNSBL checks of our addresses (mailwarden audit)'),
          audit && audit.configured ? table('Blocklist findings of the audit results', [
            { label: 'Domain', cell: (i) => i.domain },
            { label: 'Audited (UTC)', cls: 'nowrap', cell: (i) => when(i.time_ms) },
            { label: 'Severity', cell: (i) => stateBadge(i.severity) },
            { label: 'Finding', cell: (i) => i.title },
            { label: 'Evidence', cls: 'detail', cell: (i) => lines(i.evidence) },
          ], dnsbl, 'No DNSBL finding in the audit results.')
            : h('p', { class: 'empty' }, 'No audit directory configured (audit_dir): run mailwarden audit --json into it to see DNSBL listings here.')),
      ],
    };
  }

  async function viewDmarc() {
    const d = await get('/api/dmarc');
    if (!d.configured) {
      return { title: 'DMARC sources', nodes: [h('h1', { tabindex: '-1' }, 'DMARC sources'),
        h('p', null, 'No DMARC report database is configured (dmarc_db in the [serve] section).')] };
    }
    return {
      title: 'DMARC sources',
      nodes: [
        h('h1', { tabindex: '-1' }, 'DMARC sources'),
        d.error ? h('p', { class: 'error' }, d.error) : null,
        h('section', { 'aria-labelledby': 'dh-h' },
          h('h2', { id: 'dh-h' }, 'Messages per day'),
          barChart(d.history, 'DMARC pass and fail per day'),
          h('p', { class: 'legend' }, h('span', { class: 'swatch bar-pass' }), ' pass ',
            h('span', { class: 'swatch bar-fail' }), ' fail')),
        h('section', { 'aria-labelledby': 'ds-h' },
          h('h2', { id: 'ds-h' }, 'Sending sources'),
          table('Sources seen in aggregate reports, most messages first', [
            { label: 'IP', cls: 'nowrap', cell: (i) => i.ip },
            { label: 'PTR', cell: (i) => (i.ptr ? i.ptr + (i.fcrdns === false ? ' (not confirmed)' : '') : '–') },
            { label: 'Provider', cell: (i) => i.provider || '–' },
            { label: 'Header From', cell: (i) => i.header_from },
            { label: 'Class', cell: (i) => stateBadge(i.class) },
            { label: 'Messages', cls: 'num', cell: (i) => num(i.count) },
            { label: 'Aligned', cls: 'num', cell: (i) => num(i.aligned) },
            { label: 'Not aligned', cls: 'num', cell: (i) => num(i.not_aligned) },
            { label: 'Failure reports', cls: 'num', cell: (i) => num(i.failures) },
            { label: 'Last seen (UTC)', cls: 'nowrap', cell: (i) => when(i.last_seen_ms) },
          ], d.sources, 'No source in the reports.')),
      ],
    };
  }

  async function viewAudit() {
    const d = await get('/api/audit');
    if (!d.configured) {
      return { title: 'Audit', nodes: [h('h1', { tabindex: '-1' }, 'Audit'),
        h('p', null, 'No audit directory is configured (audit_dir in the [serve] section).')] };
    }
    return {
      title: 'Audit',
      nodes: [
        h('h1', { tabindex: '-1' }, 'Audit results'),
        table('Results of mailwarden audit --json', [
          { label: 'Domain', cell: (i) => i.domain },
          { label: 'Audited (UTC)', cls: 'nowrap', cell: (i) => when(i.time_ms) },
          { label: 'File', cell: (i) => i.file },
          { label: 'Critical', cls: 'num', cell: (i) => num(i.summary && i.summary.critical) },
          { label: 'Warning', cls: 'num', cell: (i) => num(i.summary && i.summary.warning) },
          { label: 'Info', cls: 'num', cell: (i) => num(i.summary && i.summary.info) },
          { label: 'Note', cell: (i) => i.error || '' },
        ], d.items, 'No audit result found.'),
        (d.items || []).filter((i) => Array.isArray(i.findings) && i.findings.length).map((i) =>
          h('details', { class: 'findings' },
            h('summary', null, `Findings for ${i.domain || i.file} (${i.findings.length})`),
            table('Findings of ' + (i.file || i.domain), [
              { label: 'Severity', cell: (f) => stateBadge(f.severity) },
              { label: 'Section', cell: (f) => f.section },
              { label: 'Finding', cell: (f) => f.title },
              { label: 'Evidence', cls: 'detail', cell: (f) => lines(f.evidence) },
              { label: 'Fix', cell: (f) => f.fix },
            ], i.findings))),
      ],
    };
  }

  /* ---- router ------------------------------------------------------------ */

  function route() {
    const raw = location.hash.replace(/^#\/?/, '');
    const qi = raw.indexOf('?');
    const path = qi >= 0 ? raw.slice(0, qi) : raw;
    const params = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
    const [name, ...rest] = path.split('/');
    let arg = rest.join('/');
    try { arg = decodeURIComponent(arg); } catch (e) { /* keep raw */ }
    switch (name) {
    case '': case 'overview': return { name: 'overview', load: viewOverview };
    case 'sender': return { name: 'overview', load: () => viewSender(arg) };
    case 'events': return { name: 'events', load: () => viewEvents(params) };
    case 'blocks': return { name: 'blocks', load: viewBlocks };
    case 'blocklists': return { name: 'blocklists', load: viewBlocklists };
    case 'dmarc': return { name: 'dmarc', load: viewDmarc };
    case 'audit': return { name: 'audit', load: viewAudit };
    default: return { name: '', load: async () => ({ title: 'Not found',
      nodes: [h('h1', { tabindex: '-1' }, 'Not found'), h('p', null, h('a', { href: '#/overview' }, 'Back to the overview'))] }) };
    }
  }

  let generation = 0;
  let lastHash = null;
  /* render - load the current view and replace the page's content */
  async function render(focusHeading) {
    const gen = ++generation;
    const r = route();
    /* move focus to the new heading after a navigation or an action, not on the first load */
    const moveFocus = focusHeading === true || (lastHash !== null && lastHash !== location.hash);
    lastHash = location.hash;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === r.name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    main.setAttribute('aria-busy', 'true');
    let v;
    try {
      v = await r.load();
    } catch (e) {
      v = { title: 'Error', nodes: [h('h1', { tabindex: '-1' }, 'Cannot load this view'),
        h('p', { class: 'error', role: 'alert' }, e.message),
        h('p', null, h('button', { type: 'button', onclick: refresh }, 'Try again'))] };
    }
    if (gen !== generation) return; /* a newer navigation won */
    main.replaceChildren(...v.nodes.flat().filter(Boolean));
    main.removeAttribute('aria-busy');
    document.title = v.title + ' – mailwarden';
    document.body.dataset.rendered = r.name || 'none';
    if (moveFocus) {
      const h1 = main.querySelector('h1');
      if (h1) h1.focus({ preventScroll: false });
    }
    if (r.name === 'overview' && window.performance && performance.mark)
      performance.mark('overview-rendered');
    window.dispatchEvent(new CustomEvent('mw:rendered', { detail: r.name }));
  }

  /* Cancel buttons are type=button (Enter in a field submits the form's one
   * submit button, never Cancel); they close their dialog. */
  for (const b of document.querySelectorAll('dialog [data-close]'))
    b.addEventListener('click', () => b.closest('dialog').close('cancel'));

  function refresh() {
    return render(true);
  }

  window.addEventListener('hashchange', () => { say(''); render(false); });
  render(false);
}());
