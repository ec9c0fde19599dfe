// xlb's status page. Plain JavaScript, no build step, no library. The page holds no data: it asks
// the daemon's API with the token the user typed (kept in this tab's sessionStorage) and polls it
// while the tab is visible. Every string from the API reaches the DOM through textContent.
'use strict';
(() => {
  const TOKEN_KEY = 'xlb.apiToken';
  const POLL_MS = 1000;
  const $ = (id) => document.getElementById(id);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let etag = null;            // the ETag of the last GET of /api/v1/services: If-Match of a drain
  let timer = null;
  let inflight = false;
  let seq = 0;                // services answers are applied in the order their requests were sent
  let applied = 0;
  const samples = new Map();  // counters at the previous poll, for the rates: key -> {t, stats}
  const draining = new Set(); // "service|real" while a drain is under way
  const services = new Map(); // service key -> {body, rows: Map(real -> row)}
  const vrrpRows = new Map();
  const summary = new Map();

  // --- small DOM helpers (text only) ---

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') {
        e.className = v;
      } else if (k.startsWith('data-')) {
        e.setAttribute(k, v);
      } else {
        e[k] = v;
      }
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function set(node, text, title) {
    const t = text === undefined || text === null ? '' : String(text);
    if (node.textContent !== t) {
      node.textContent = t;
    }
    if (title !== undefined && node.title !== title) {
      node.title = title;
    }
  }

  function say(text, error) {
    const m = $('message');
    m.textContent = text;
    m.classList.toggle('error', !!error);
  }

  // ipvsadm's way with large counters: plain below 100000, then K, M, G, T.
  function large(n) {
    if (typeof n !== 'number' || !isFinite(n)) {
      return '';
    }
    let v = Math.round(n);
    for (const unit of ['', 'K', 'M', 'G', 'T']) {
      if (v < 100000) {
        return v + unit;
      }
      v = Math.round(v / 1000);
    }
    return v + 'P';
  }

  function rate(n) {
    if (n === null) {
      return '\u2013';
    }
    return n < 10 ? n.toFixed(1).replace(/\.0$/, '') : large(n);
  }

  function endpoint(address, port) {
    return (address.includes(':') ? '[' + address + ']' : address) + ':' + port;
  }

  function ago(iso) {
    const t = Date.parse(iso);
    if (isNaN(t)) {
      return '';
    }
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }

  // --- the API ---

  async function api(method, path, body, ifMatch) {
    const headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (ifMatch) {
      headers['If-Match'] = ifMatch;
    }
    const r = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    try {
      json = await r.json();
    } catch (e) {
      json = null; // not JSON: problemText says so by the status alone
    }
    return { status: r.status, ok: r.ok, etag: r.headers.get('ETag'), json };
  }

  // The API's own words for a refusal (RFC 9457 problem details: detail, then each error).
  function problemText(a) {
    const j = a.json;
    if (j && typeof j === 'object') {
      const parts = [];
      if (typeof j.detail === 'string' && j.detail) {
        parts.push(j.detail);
      }
      if (Array.isArray(j.errors)) {
        for (const e of j.errors) {
          if (e && typeof e.message === 'string' && !parts.includes(e.message)) {
            parts.push((e.pointer ? e.pointer + ': ' : '') + e.message);
          }
        }
      }
      if (parts.length) {
        return parts.join('; ');
      }
    }
    return 'HTTP ' + a.status;
  }

  class Unauthorized extends Error {}

  async function getServices() {
    const mine = ++seq;
    const a = await api('GET', '/api/v1/services');
    if (a.status === 401) {
      throw new Unauthorized(problemText(a));
    }
    if (!a.ok || !Array.isArray(a.json)) {
      throw new Error('GET /api/v1/services: ' + problemText(a));
    }
    return { mine, etag: a.etag, body: a.json };
  }

  function applyServices(answer, withRates) {
    if (answer.mine < applied) {
      return; // an older answer than the one shown
    }
    applied = answer.mine;
    etag = answer.etag;
    renderServices(answer.body, withRates);
  }

  // --- polling ---

  function pollState(text, cls) {
    const s = $('poll-state');
    set(s, text);
    s.className = 'poll-state ' + cls;
  }

  function schedule() {
    if (token && !document.hidden && timer === null) {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  async function poll() {
    clearTimeout(timer);
    timer = null;
    if (!token) {
      return;
    }
    if (document.hidden) {
      pollState('paused (tab hidden)', 'paused');
      return;
    }
    if (inflight) {
      return;
    }
    inflight = true;
    const asked = token;
    try {
      const [st, sv] = await Promise.all([api('GET', '/api/v1/status'), getServices()]);
      if (token !== asked) {
        return; // the token was forgotten or replaced meanwhile: this answer is not for the page now
      }
      if (st.status === 401) {
        throw new Unauthorized(problemText(st));
      }
      if (!st.ok || !st.json) {
        throw new Error('GET /api/v1/status: ' + problemText(st));
      }
      renderStatus(st.json);
      applyServices(sv, true);
      showDashboard();
      pollState('live, every ' + POLL_MS / 1000 + ' s', 'live');
      set($('updated'), 'updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      if (token !== asked) {
        // an answer for a token no longer in use
      } else if (e instanceof Unauthorized) {
        logout('The API refused the token: ' + e.message);
      } else {
        pollState('failing: ' + e.message, 'failing');
      }
    } finally {
      inflight = false;
      schedule();
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
      if (token) {
        pollState('paused (tab hidden)', 'paused');
      }
    } else {
      poll();
    }
  });

  // --- token ---

  function showDashboard() {
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
  }

  function logout(reason) {
    token = null;
    etag = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(timer);
    timer = null;
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    set($('login-error'), reason || '');
    say('');
    pollState('not connected', '');
    set($('updated'), '');
    $('token').value = '';
    $('token').focus();
  }

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (!t) {
      return;
    }
    token = t;
    sessionStorage.setItem(TOKEN_KEY, t);
    set($('login-error'), '');
    pollState('connecting', '');
    poll();
  });

  $('logout').addEventListener('click', () => logout(''));

  // --- the director ---

  function renderStatus(s) {
    set($('version'), s.version ? (/^[0-9]/.test(s.version) ? 'v' : '') + s.version : '');
    const packets = Object.entries(s.packets || {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    const rows = [
      ['pid', 'PID', s.pid],
      ['started', 'Started', s.startedAt ? new Date(s.startedAt).toLocaleString() : ''],
      ['etag', 'Generation', s.etag],
      ['services', 'Services', s.services],
      ['reals', 'Reals', s.reals],
      ['connections', 'Connections', s.connections],
      ['health', 'Reals up / down', s.health ? s.health.up + ' / ' + s.health.down : ''],
      ['quorum', 'Quorum lost', Array.isArray(s.quorumLost) && s.quorumLost.length ? s.quorumLost.join(', ') : 'none'],
    ];
    for (const [name, value] of Object.entries(s.vrrpScripts || {})) {
      rows.push(['script-' + name, 'vrrp_script ' + name, value]);
    }
    rows.push(['config', 'Configuration', s.configFile, 'wide']);
    rows.push(['managed-dir', 'API-managed files', s.managedDir, 'wide']);
    rows.push(['packets', 'Packets by outcome', packets.length
      ? packets.map(([reason, n]) => reason + ' ' + large(n)).join(' \u00b7 ') : 'none yet', 'wide']);
    const dl = $('summary');
    const seen = new Set();
    for (const [key, label, value, cls] of rows) {
      seen.add(key);
      let entry = summary.get(key);
      if (!entry) {
        const div = el('div', { 'data-summary': key, class: cls || '' });
        const dt = el('dt', {}, label);
        const dd = el('dd');
        div.append(dt, dd);
        dl.append(div);
        entry = { div, dd };
        summary.set(key, entry);
      }
      set(entry.dd, value);
    }
    for (const [key, entry] of summary) {
      if (!seen.has(key)) {
        entry.div.remove();
        summary.delete(key);
      }
    }
    renderVrrp(Array.isArray(s.vrrp) ? s.vrrp : []);
  }

  const VRRP_CELLS = [
    ['name', 'Instance'], ['interface text', 'Interface'], ['vrid', 'VRID'], ['state text', 'State'],
    ['priority', 'Priority'], ['master text', 'Master'], ['sent', 'Adverts sent'], ['received', 'Adverts received'],
    ['became', 'Became master'], ['dropped', 'Dropped'],
  ];

  function renderVrrp(list) {
    const body = $('vrrp-body');
    const seen = new Set();
    list.forEach((v, i) => {
      const name = String(v.name);
      seen.add(name);
      let row = vrrpRows.get(name);
      if (!row) {
        const tr = el('tr', { 'data-vrrp': name });
        const cells = {};
        for (const [cls, label] of VRRP_CELLS) {
          const td = el('td', { class: cls, 'data-label': label });
          cells[cls.split(' ')[0]] = td;
          tr.append(td);
        }
        row = { tr, cells };
        vrrpRows.set(name, row);
      }
      if (body.children[i] !== row.tr) {
        body.insertBefore(row.tr, body.children[i] || null);
      }
      const c = row.cells;
      set(c.name, name);
      set(c.interface, v.interface);
      set(c.vrid, v.vrid);
      set(c.state, v.state);
      c.state.className = 'state text state-' + String(v.state).toLowerCase();
      set(c.priority, v.priority);
      set(c.master, v.master === null || v.master === undefined ? '\u2013' : v.master);
      set(c.sent, large(v.advertsSent));
      set(c.received, large(v.advertsReceived));
      set(c.became, v.becameMaster);
      const drops = Object.entries(v.dropped || {}).filter(([, n]) => n > 0);
      const total = drops.reduce((a, [, n]) => a + n, 0);
      set(c.dropped, large(total), drops.map(([r, n]) => r + ': ' + n).join(', '));
    });
    for (const [name, row] of vrrpRows) {
      if (!seen.has(name)) {
        row.tr.remove();
        vrrpRows.delete(name);
      }
    }
    $('vrrp').hidden = list.length === 0;
    $('vrrp-none').hidden = list.length !== 0;
  }

  // --- services and reals ---

  const CELLS = [
    ['name', 'Service / real'], ['weight', 'Weight'], ['effective', 'Effective weight'], ['health', 'Health'],
    ['check', 'Last check'], ['latency', 'Latency'], ['active', 'ActiveConn'], ['inactive', 'InActConn'],
    ['conns', 'Conns'], ['inpkts', 'InPkts'], ['inbytes', 'InBytes'], ['cps', 'CPS'], ['inpps', 'InPPS'],
    ['outpps', 'OutPPS'], ['inbps', 'InBPS'], ['outbps', 'OutBPS'], ['action', ''],
  ];

  function row(attrs) {
    const tr = el('tr', attrs);
    const cells = {};
    for (const [cls, label] of CELLS) {
      const td = el('td', { class: cls, 'data-label': label });
      cells[cls] = td;
      tr.append(td);
    }
    return { tr, cells };
  }

  // ipvsadm --rate: CPS, InPPS, OutPPS, InBPS, OutBPS, from the counters of two successive polls.
  function rates(key, stats, now, withRates) {
    const before = samples.get(key);
    if (withRates) {
      samples.set(key, { t: now, stats });
    }
    if (!before || !stats || now <= before.t) {
      return null;
    }
    const dt = (now - before.t) / 1000;
    const per = (f) => Math.max(0, ((stats[f] || 0) - (before.stats[f] || 0)) / dt);
    return {
      cps: per('connections'), inpps: per('inPackets'), outpps: per('outPackets'),
      inbps: per('inBytes'), outbps: per('outBytes'),
    };
  }

  function setCounters(c, stats, r, withRates) {
    set(c.conns, large(stats.connections));
    set(c.inpkts, large(stats.inPackets));
    set(c.inbytes, large(stats.inBytes));
    if (withRates) {
      for (const k of ['cps', 'inpps', 'outpps', 'inbps', 'outbps']) {
        set(c[k], rate(r ? r[k] : null));
      }
    }
  }

  function renderServices(list, withRates) {
    const table = $('services');
    const now = performance.now();
    const seen = new Set();
    list.forEach((s, i) => {
      const key = String(s.key);
      seen.add(key);
      let svc = services.get(key);
      if (!svc) {
        const body = el('tbody', { 'data-service': key });
        const head = row({ class: 'service', 'data-service-row': key });
        body.append(head.tr);
        svc = { body, head, rows: new Map() };
        services.set(key, svc);
      }
      const at = i + 1; // after the thead
      if (table.children[at] !== svc.body) {
        table.insertBefore(svc.body, table.children[at] || null);
      }
      renderService(svc, s, now, withRates);
    });
    for (const [key, svc] of services) {
      if (!seen.has(key)) {
        svc.body.remove();
        services.delete(key);
      }
    }
    $('services-none').hidden = list.length !== 0;
  }

  function renderService(svc, s, now, withRates) {
    const key = String(s.key);
    const reals = Array.isArray(s.reals) ? s.reals : [];
    const h = svc.head.cells;
    if (!h.name.firstChild) {
      h.name.append(el('span', { class: 'key' }), el('small', { class: 'how' }));
    }
    set(h.name.firstChild, key);
    const how = [s.scheduler, String(s.forwarding || '').toUpperCase()];
    if (s.delayLoop) {
      how.push('delay_loop ' + s.delayLoop + ' s');
    }
    how.push(s.managed ? 'API-managed' : 'hand-written');
    set(h.name.lastChild, how.join(' \u00b7 '), s.definedAt ? 'defined at ' + s.definedAt : '');
    const up = reals.filter((r) => r.health && r.health.up).length;
    set(h.health, reals.length ? up + '/' + reals.length + ' UP' : 'no real');
    set(h.effective, reals.reduce((a, r) => a + (r.effectiveWeight || 0), 0));
    set(h.active, large(reals.reduce((a, r) => a + ((r.connections && r.connections.active) || 0), 0)));
    set(h.inactive, large(reals.reduce((a, r) => a + ((r.connections && r.connections.inactive) || 0), 0)));
    const stats = s.stats || {};
    setCounters(h, stats, rates('s|' + key, stats, now, withRates), withRates);

    const seen = new Set();
    reals.forEach((r, i) => {
      const id = endpoint(String(r.address), r.port);
      seen.add(id);
      let x = svc.rows.get(id);
      if (!x) {
        x = row({ 'data-real': id, 'data-service': key });
        svc.rows.set(id, x);
      }
      const at = i + 1; // after the service's own row
      if (svc.body.children[at] !== x.tr) {
        svc.body.insertBefore(x.tr, svc.body.children[at] || null);
      }
      renderReal(x, key, id, r, s.managed === true, now, withRates);
    });
    for (const [id, x] of svc.rows) {
      if (!seen.has(id)) {
        x.tr.remove();
        svc.rows.delete(id);
      }
    }
  }

  function renderReal(x, key, id, r, managed, now, withRates) {
    const c = x.cells;
    const health = r.health || { up: true, checked: false };
    set(c.name, id);
    set(c.weight, r.weight);
    set(c.effective, r.effectiveWeight);
    set(c.health, health.up ? 'UP' : 'DOWN');
    x.tr.className = !health.up ? 'down' : r.weight === 0 ? 'drained' : 'up';
    const last = health.lastCheck;
    if (last) {
      const verdict = last.passed ? 'passed' : 'failed';
      const detail = last.detail && last.detail !== verdict ? ': ' + last.detail : '';
      set(c.check, (last.checker || 'check') + ' ' + verdict + detail + ' (' + ago(last.at) + ')', 'at ' + last.at);
      set(c.latency, typeof last.latencyMs === 'number' ? last.latencyMs.toFixed(2) + ' ms' : '');
    } else {
      set(c.check, health.checked ? 'not checked yet' : 'no checker', '');
      set(c.latency, '');
    }
    const conns = r.connections || {};
    set(c.active, large(conns.active || 0));
    set(c.inactive, large(conns.inactive || 0));
    const stats = r.stats || {};
    setCounters(c, stats, rates('r|' + key + '|' + id, stats, now, withRates), withRates);

    if (managed) {
      let b = c.action.firstChild;
      if (!b) {
        b = el('button', { type: 'button', class: 'drain', 'data-drain': id }, 'Drain');
        b.addEventListener('click', () => drain(key, id, b));
        c.action.append(b);
      }
      const busy = draining.has(key + '|' + id);
      b.disabled = busy || r.weight === 0;
      set(b, busy ? 'Draining\u2026' : r.weight === 0 ? 'Drained' : 'Drain',
        'PATCH weight 0: new connections go to the other reals; established ones finish here');
    } else if (c.action.firstChild) {
      c.action.replaceChildren();
    }
  }

  // --- drain: PATCH with If-Match of the last GET; on 412 (changed meanwhile) GET again, retry once ---

  async function drain(key, id, button) {
    const busy = key + '|' + id;
    if (draining.has(busy)) {
      return;
    }
    draining.add(busy);
    button.disabled = true;
    set(button, 'Draining\u2026');
    say('Draining ' + id + ' of ' + key + '\u2026');
    const path = '/api/v1/services/' + encodeURIComponent(key) + '/reals/' + encodeURIComponent(id);
    try {
      let a = await api('PATCH', path, { state: 'drain' }, etag);
      if (a.status === 412) {
        applyServices(await getServices(), false);
        a = await api('PATCH', path, { state: 'drain' }, etag);
      }
      if (a.ok) {
        say(id + ' of ' + key + ' is drained (weight 0): new connections go to the other reals.');
      } else if (a.status === 401) {
        logout('The API refused the token: ' + problemText(a));
      } else {
        say('The API refused to drain ' + id + ' (' + a.status + '): ' + problemText(a), true);
      }
    } catch (e) {
      say('Draining ' + id + ' failed: ' + e.message, true);
    } finally {
      draining.delete(busy);
      button.disabled = false;
      set(button, 'Drain');
      poll();
    }
  }

  // --- start ---

  if (token) {
    pollState('connecting', '');
    poll();
  } else {
    logout('');
  }
})();
