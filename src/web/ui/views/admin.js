// Administration (administrators only): #/admin/users, aliases, domains, queue, bans,
// status and logs, over /api/admin/ (src/web/routes/admin/). The DOM is built with
// createElement and textContent only; deletes ask first; the status chart is an SVG
// drawn here from the figures polled every two seconds.

const SECTIONS = [
  ['users', 'Users'],
  ['aliases', 'Aliases'],
  ['domains', 'Domains'],
  ['queue', 'Queue'],
  ['bans', 'Bans'],
  ['status', 'Status'],
  ['logs', 'Logs'],
];
const STATUS_POLL_MS = 2000;
const QUEUE_POLL_MS = 3000;
const CHART_POINTS = 60;
const SVG = 'http://www.w3.org/2000/svg';

function linkStylesheet() {
  if (document.querySelector('link[data-view="admin"]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/console/views/admin.css';
  link.dataset.view = 'admin';
  document.head.append(link);
}

/** el('td', { className: 'x' }, 'text', child...) */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node && key !== 'list' && key !== 'for') node[key] = value;
    else node.setAttribute(key === 'for' ? 'for' : key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

function button(text, onClick, options = {}) {
  const b = el('button', { type: 'button', className: options.kind ?? '', ...(options.label ? { 'aria-label': options.label } : {}), ...(options.dataset ? { dataset: options.dataset } : {}) }, text);
  b.addEventListener('click', onClick);
  return b;
}

function field(id, labelText, input) {
  input.id = id;
  input.name = input.name || id;
  return el('div', { className: 'admin-field' }, el('label', { for: id }, labelText), input);
}

/** A table; `compact` ones stay tables on a phone (few, short columns), the others become cards. */
function table(caption, headers, rows, emptyText, options = {}) {
  if (rows.length === 0) return el('p', { className: 'muted admin-empty' }, emptyText);
  const head = el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)));
  return el('div', { className: options.compact ? 'admin-table compact' : 'admin-table' }, el('table', {}, el('caption', { className: 'admin-caption' }, caption), el('thead', {}, head), el('tbody', {}, ...rows)));
}

function cell(label, ...content) {
  return el('td', { dataset: { label } }, ...content);
}

function octets(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const when = (iso) => new Date(iso).toLocaleString();

/** Runs an API call from a button or form: errors and results are said in a toast. */
async function act(ctx, work, done) {
  try {
    const result = await work();
    if (result?.message) ctx.toast(result.message);
    else if (result?.messages) ctx.toast(result.messages.join('; '));
    await done?.();
    // A row that held the focused button may be gone: keyboard users go on from the heading.
    if (!document.activeElement || document.activeElement === document.body) document.getElementById('admin-heading')?.focus();
  } catch (error) {
    ctx.toast(error.message ?? String(error), 'error');
  }
}

// ---------------------------------------------------------------------------

async function usersSection(root, ctx) {
  const list = el('div', { id: 'admin-users' });
  const editor = el('div', { id: 'admin-user-editor' });
  const form = el('form', { id: 'admin-user-add', className: 'admin-form', noValidate: false });
  const address = el('input', { type: 'email', required: true, autocomplete: 'off', placeholder: 'user@example.org' });
  const password = el('input', { type: 'password', required: true, autocomplete: 'new-password' });
  const quota = el('input', { type: 'number', min: '0', step: '1', inputMode: 'numeric', placeholder: 'no quota' });
  const admin = el('input', { type: 'checkbox' });
  form.append(
    el('h3', {}, 'Add a user'),
    field('admin-new-address', 'Address', address),
    field('admin-new-password', 'Password', password),
    field('admin-new-quota', 'Quota (MiB, empty for none)', quota),
    el('div', { className: 'admin-check' }, admin, el('label', { for: 'admin-new-admin' }, 'Administrator')),
    el('button', { type: 'submit', id: 'admin-add-user' }, 'Add user'),
  );
  admin.id = 'admin-new-admin';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { address: address.value.trim(), password: password.value, admin: admin.checked };
    if (quota.value !== '') body.quotaBytes = Math.round(Number(quota.value) * 1024 * 1024);
    act(ctx, () => ctx.api.post('/api/admin/users', body), async () => {
      form.reset();
      await refresh();
    });
  });

  const openEditor = (user) => {
    const pw = el('input', { type: 'password', autocomplete: 'new-password' });
    const q = el('input', { type: 'number', min: '0', step: '1', inputMode: 'numeric', value: user.quotaBytes === null ? '' : String(user.quotaBytes / 1024 / 1024) });
    const url = `/api/admin/users/${encodeURIComponent(user.address)}`;
    const pwForm = el('form', { className: 'admin-form', id: 'admin-password-form' }, field('admin-edit-password', `New password for ${user.address}`, pw), el('button', { type: 'submit' }, 'Set password'));
    pwForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!pw.value) return ctx.toast('Enter the new password.', 'error');
      act(ctx, () => ctx.api.patch(url, { password: pw.value }), () => {
        pwForm.reset();
      });
    });
    const qForm = el('form', { className: 'admin-form', id: 'admin-quota-form' }, field('admin-edit-quota', 'Quota (MiB, empty for none)', q), el('button', { type: 'submit' }, 'Set quota'));
    qForm.addEventListener('submit', (event) => {
      event.preventDefault();
      act(ctx, () => ctx.api.patch(url, { quotaBytes: q.value === '' ? null : Math.round(Number(q.value) * 1024 * 1024) }), refresh);
    });
    editor.replaceChildren(
      el('section', { className: 'admin-editor', 'aria-label': `Change ${user.address}` },
        el('h3', {}, `Change ${user.address}`),
        pwForm,
        qForm,
        button('Close', () => editor.replaceChildren(), { kind: 'secondary' }),
      ),
    );
    pw.focus();
  };

  // The API refuses both for one's own account (no administrator locks themselves out).
  const self = (u) => u.address.toLowerCase() === ctx.account.address.toLowerCase();
  async function refresh() {
    const { users } = await ctx.api.get('/api/admin/users', { signal: ctx.signal });
    const rows = users.map((u) =>
      el('tr', { dataset: { address: u.address } },
        cell('Address', u.address),
        cell('Administrator', u.admin ? 'yes' : 'no'),
        cell('Usage', `${octets(u.usedBytes)} of ${u.quotaBytes === null ? 'no quota' : octets(u.quotaBytes)}`),
        cell('Created', when(u.createdAt)),
        cell('Actions',
          el('div', { className: 'admin-actions' },
            button('Change…', () => openEditor(u), { kind: 'secondary', label: `Change ${u.address}` }),
            self(u) ? null : button(u.admin ? 'Remove admin' : 'Make admin', () =>
              act(ctx, () => ctx.api.patch(`/api/admin/users/${encodeURIComponent(u.address)}`, { admin: !u.admin }), refresh), { kind: 'secondary', label: `${u.admin ? 'Remove administrator flag of' : 'Make administrator:'} ${u.address}` }),
            self(u)
              ? null
              : button('Delete', () => {
                if (!confirm(`Delete ${u.address} with all their mail? This cannot be undone.`)) return;
                act(ctx, () => ctx.api.del(`/api/admin/users/${encodeURIComponent(u.address)}`), refresh);
              }, { kind: 'danger', label: `Delete ${u.address}` }),
          ),
        ),
      ),
    );
    list.replaceChildren(table('Users', ['Address', 'Administrator', 'Usage', 'Created', 'Actions'], rows, 'No users.'));
  }
  root.append(list, editor, form);
  await refresh();
}

async function aliasesSection(root, ctx) {
  const list = el('div', { id: 'admin-aliases' });
  const alias = el('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'sales@example.org or @example.org' });
  const target = el('input', { type: 'email', required: true, autocomplete: 'off', placeholder: 'user@example.org' });
  const form = el('form', { id: 'admin-alias-add', className: 'admin-form' },
    el('h3', {}, 'Add an alias'),
    field('admin-alias-name', 'Alias (an address, or @domain for every address of a domain)', alias),
    field('admin-alias-target', 'Delivered to', target),
    el('button', { type: 'submit' }, 'Add alias'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(ctx, () => ctx.api.post('/api/admin/aliases', { alias: alias.value.trim(), target: target.value.trim() }), async () => {
      form.reset();
      await refresh();
    });
  });
  async function refresh() {
    const { aliases } = await ctx.api.get('/api/admin/aliases', { signal: ctx.signal });
    const rows = aliases.map((a) =>
      el('tr', { dataset: { alias: a.alias } },
        cell('Alias', a.alias),
        cell('Delivered to', a.target),
        cell('Actions', button('Delete', () => {
          if (!confirm(`Delete the alias ${a.alias} (every target of it)?`)) return;
          act(ctx, () => ctx.api.del(`/api/admin/aliases/${encodeURIComponent(a.alias)}`), refresh);
        }, { kind: 'danger', label: `Delete alias ${a.alias}` })),
      ),
    );
    list.replaceChildren(table('Aliases', ['Alias', 'Delivered to', 'Actions'], rows, 'No aliases.'));
  }
  root.append(list, form);
  await refresh();
}

async function domainsSection(root, ctx) {
  const { domains } = await ctx.api.get('/api/admin/domains', { signal: ctx.signal });
  root.append(
    el('p', { className: 'muted' },
      'Septet has no separate list of domains: a domain is local when a user or an alias has an address in it, or when the configuration names it in ',
      el('code', {}, 'domains'),
      '. Add a domain by adding its first user or alias; it goes when its last one does.'),
  );
  const rows = domains.map((d) =>
    el('tr', { dataset: { domain: d.domain } },
      cell('Domain', d.domain),
      cell('Users', String(d.users)),
      cell('Aliases', String(d.aliases)),
      cell('Catch-all', d.catchAll ?? '—'),
      cell('From', [d.users > 0 || d.aliases > 0 ? 'users and aliases' : '', d.configured ? 'configuration' : ''].filter(Boolean).join(', ')),
    ),
  );
  root.append(el('div', { id: 'admin-domains' }, table('Local domains', ['Domain', 'Users', 'Aliases', 'Catch-all', 'From'], rows, 'No local domains yet.')));
}

async function queueSection(root, ctx) {
  const list = el('div', { id: 'admin-queue' });
  let shown = '';
  async function refresh(force = false) {
    const { entries } = await ctx.api.get('/api/admin/queue', { signal: ctx.signal });
    const key = JSON.stringify(entries);
    if (!force && key === shown) return;
    shown = key;
    const rows = entries.map((e) =>
      el('tr', { dataset: { id: e.id, state: e.state } },
        cell('Message', el('code', {}, e.id), el('div', { className: 'muted' }, `from <${e.sender}>, ${octets(e.size)}, queued ${when(e.createdAt)}`)),
        cell('Recipients', el('ul', { className: 'admin-recipients' }, ...e.recipients.map((r) => el('li', {}, `${r.address} — ${r.status}`, r.lastReply ? el('div', { className: 'muted' }, r.lastReply) : null)))),
        cell('State', e.state),
        cell('Attempts', String(e.attempts)),
        cell('Next attempt', e.state === 'held' ? 'held' : when(e.nextAttemptAt)),
        cell('Last error', e.lastError ?? '—'),
        cell('Actions',
          el('div', { className: 'admin-actions' },
            button('Retry now', () => act(ctx, () => ctx.api.post(`/api/admin/queue/${encodeURIComponent(e.id)}/retry`), () => refresh(true)), { kind: 'secondary', label: `Retry ${e.id} now` }),
            e.state === 'held'
              ? button('Release', () => act(ctx, () => ctx.api.post(`/api/admin/queue/${encodeURIComponent(e.id)}/release`), () => refresh(true)), { kind: 'secondary', label: `Release ${e.id}` })
              : button('Hold', () => act(ctx, () => ctx.api.post(`/api/admin/queue/${encodeURIComponent(e.id)}/hold`), () => refresh(true)), { kind: 'secondary', label: `Hold ${e.id}` }),
            button('Delete', () => {
              if (!confirm(`Delete message ${e.id} from the queue? The sender is not told.`)) return;
              act(ctx, () => ctx.api.del(`/api/admin/queue/${encodeURIComponent(e.id)}`), () => refresh(true));
            }, { kind: 'danger', label: `Delete ${e.id}` }),
          ),
        ),
      ),
    );
    list.replaceChildren(table('Outbound queue', ['Message', 'Recipients', 'State', 'Attempts', 'Next attempt', 'Last error', 'Actions'], rows, 'The queue is empty.'));
  }
  root.append(el('p', {}, button('Refresh', () => refresh(true), { kind: 'secondary' })), list);
  await refresh(true);
  const timer = setInterval(() => refresh().catch(() => {}), QUEUE_POLL_MS);
  return () => clearInterval(timer);
}

async function bansSection(root, ctx) {
  const list = el('div', { id: 'admin-bans' });
  async function refresh() {
    const { bans } = await ctx.api.get('/api/admin/bans', { signal: ctx.signal });
    const rows = bans.map((b) =>
      el('tr', { dataset: { source: b.source } },
        cell('Source', b.source),
        cell('Reason', b.reason),
        cell('Until', when(b.expiresAt)),
        cell('Actions', button('Lift', () => {
          if (!confirm(`Lift the ban of ${b.source}?`)) return;
          act(ctx, () => ctx.api.del(`/api/admin/bans?source=${encodeURIComponent(b.source)}`), refresh);
        }, { kind: 'danger', label: `Lift the ban of ${b.source}` })),
      ),
    );
    list.replaceChildren(table('Banned sources', ['Source', 'Reason', 'Until', 'Actions'], rows, 'No source is banned.'));
  }
  root.append(el('p', { className: 'muted' }, 'Sources banned after repeated failed logins (or with septet ban add) are refused on every protocol until the ban ends.'), el('p', {}, button('Refresh', refresh, { kind: 'secondary' })), list);
  await refresh();
}

// ---------------------------------------------------------------------------
// Status: figures and a chart of open sessions and messages per interval.

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Draws series (arrays of numbers, oldest first) as lines in a 300x100 box. */
function drawChart(chart, series) {
  const width = 300;
  const height = 100;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  chart.replaceChildren(svg('rect', { x: 0, y: 0, width, height, class: 'admin-chart-bg' }));
  for (const y of [0.25, 0.5, 0.75]) chart.append(svg('line', { x1: 0, x2: width, y1: height * y, y2: height * y, class: 'admin-chart-grid' }));
  for (const s of series) {
    const step = width / (CHART_POINTS - 1);
    const offset = CHART_POINTS - s.values.length;
    const points = s.values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - 4 - (v / max) * (height - 8)).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, class: `admin-chart-line ${s.className}` }));
  }
  const label = svg('text', { x: 4, y: 12, class: 'admin-chart-label' });
  label.textContent = `max ${max}`;
  chart.append(label);
}

async function statusSection(root, ctx) {
  const summary = el('dl', { id: 'admin-status-summary', className: 'admin-summary' });
  const listenersBox = el('div', { id: 'admin-listeners' });
  const transferBox = el('div', { id: 'admin-transfer' });
  const chart = svg('svg', { viewBox: '0 0 300 100', class: 'admin-chart', role: 'img', 'aria-labelledby': 'admin-chart-title' });
  const title = svg('title', { id: 'admin-chart-title' });
  title.textContent = 'Open sessions and messages accepted per interval, last two minutes';
  const legend = el('p', { className: 'admin-legend' },
    el('span', { className: 'admin-key sessions' }, 'open sessions'), ' ',
    el('span', { className: 'admin-key accepted' }, 'messages accepted per 2 s'));
  const history = { sessions: [], accepted: [] };
  let lastAccepted = null;
  const figure = (term, value, id) => el('div', {}, el('dt', {}, term), el('dd', { id }, value));

  async function poll() {
    const s = await ctx.api.get('/api/admin/status', { signal: ctx.signal });
    const open = Object.values(s.sessions).reduce((a, b) => a + b, 0);
    const accepted = s.messages.accepted;
    history.sessions.push(open);
    history.accepted.push(lastAccepted === null ? 0 : Math.max(0, accepted - lastAccepted));
    lastAccepted = accepted;
    for (const list of Object.values(history)) if (list.length > CHART_POINTS) list.shift();
    const perProtocol = Object.entries(s.sessions).map(([p, n]) => `${p} ${n}`).join(', ');
    summary.replaceChildren(
      figure('Open sessions', String(open), 'admin-sessions-total'),
      figure('Per protocol', perProtocol || '—', 'admin-sessions-protocols'),
      figure('Messages accepted', String(accepted), 'admin-accepted'),
      figure('Delivered to mailboxes', String(s.messages.deliveredLocal), 'admin-delivered'),
      figure('Relayed', String(s.messages.relayed), 'admin-relayed'),
      figure('Processes', String(s.processes.length), 'admin-processes'),
    );
    const rows = s.listeners.map((l) =>
      el('tr', { dataset: { listener: l.name } },
        cell('Listener', l.name),
        cell('Protocol', `${l.protocol} (${l.transport}${l.tls !== 'none' ? `, ${l.tls} TLS` : ''})`),
        cell('Port', String(l.port)),
        cell('Open sessions', l.transport === 'udp' ? '—' : String(l.open)),
        cell('Sessions since start', l.transport === 'udp' ? '—' : String(l.total)),
      ),
    );
    listenersBox.replaceChildren(table('Listeners', ['Listener', 'Protocol', 'Port', 'Open', 'Since start'], rows, 'No listener is enabled.', { compact: true }));
    const transferRows = Object.entries(s.transfer).map(([service, t]) =>
      el('tr', { dataset: { service } }, cell('Service', service.toUpperCase()), cell('In', octets(t.in)), cell('Out', octets(t.out))),
    );
    transferBox.replaceChildren(
      table('Transfer volume', ['Service', 'In', 'Out'], transferRows, '', { compact: true }),
      el('p', { className: 'muted' }, 'Files uploaded (in) and downloaded (out); for HTTPS the octets on the wire, TLS included.'),
    );
    drawChart(chart, [
      { values: history.sessions, className: 'sessions' },
      { values: history.accepted, className: 'accepted' },
    ]);
  }
  chart.append(title);
  root.append(summary, el('figure', { className: 'admin-figure' }, chart, el('figcaption', {}, legend)), listenersBox, transferBox);
  await poll();
  const timer = setInterval(() => poll().catch(() => {}), STATUS_POLL_MS);
  return () => clearInterval(timer);
}

async function logsSection(root, ctx) {
  const level = el('select', {}, ...['debug', 'info', 'warn', 'error'].map((l) => el('option', { value: l, selected: l === 'info' }, l)));
  const list = el('div', { id: 'admin-logs' });
  async function refresh() {
    const { lines } = await ctx.api.get(`/api/admin/logs?level=${encodeURIComponent(level.value)}&limit=500`, { signal: ctx.signal });
    const rows = lines.map((l) =>
      el('tr', { className: `admin-log-${l.level}` },
        cell('Time', new Date(l.time).toLocaleTimeString()),
        cell('Level', l.level),
        cell('Where', [l.service, l.worker ? `worker ${l.worker}` : ''].filter(Boolean).join(', ') || '—'),
        cell('Message', l.msg, l.details !== '{}' ? el('div', { className: 'admin-log-details' }, l.details) : null),
      ),
    );
    list.replaceChildren(table('Recent log lines, newest first', ['Time', 'Level', 'Where', 'Message'], rows, 'No lines at this level.'));
  }
  level.addEventListener('change', refresh);
  root.append(el('div', { className: 'admin-toolbar' }, field('admin-log-level', 'Lowest level', level), button('Refresh', refresh, { kind: 'secondary' })), list);
  await refresh();
}

const renderers = { users: usersSection, aliases: aliasesSection, domains: domainsSection, queue: queueSection, bans: bansSection, status: statusSection, logs: logsSection };

export const adminView = {
  id: 'admin',
  title: 'Administration',
  admin: true,
  async render(root, ctx) {
    linkStylesheet();
    const section = SECTIONS.some(([id]) => id === ctx.params[0]) ? ctx.params[0] : 'users';
    const nav = el('nav', { className: 'admin-sections', 'aria-label': 'Administration sections' },
      ...SECTIONS.map(([id, title]) => el('a', { href: `#/admin/${id}`, ...(id === section ? { 'aria-current': 'page' } : {}) }, title)));
    const body = el('section', { className: 'admin-section', id: `admin-${section}-section`, 'aria-labelledby': 'admin-heading' });
    const heading = el('h2', { id: 'admin-heading', tabIndex: -1 }, SECTIONS.find(([id]) => id === section)[1]);
    root.append(el('div', { className: 'admin' }, nav, heading, body));
    return renderers[section](body, ctx);
  },
};
