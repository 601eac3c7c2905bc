// The console shell: who is signed in, the navigation, and a hash router (#/mail,
// #/files/..., #/account, #/admin) that hands the view area to one view module at a
// time. Views are listed in views/index.js; each exports { id, title, admin?, render(root, ctx) }
// where ctx = { account, params, api, toast, navigate, signal }. render may return a
// cleanup function, called when the view is left (event streams, timers).

import { api, loadSession } from '/console/api.js';
import { views } from '/console/views/index.js';

const nav = document.getElementById('nav');
const root = document.getElementById('view');
const toastBox = document.getElementById('toast');
let cleanup = null;
let controller = null;

export function toast(text, kind = 'info') {
  const item = document.createElement('p');
  item.className = `toast ${kind}`;
  item.textContent = text;
  toastBox.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

const session = await loadSession();
if (!session.signedIn) location.replace('/console/login.html');
const account = session.account;
document.getElementById('whoami').textContent = account.address;
document.getElementById('sign-out').addEventListener('click', async () => {
  await api.del('/api/session');
  location.replace('/console/login.html');
});

const visible = views.filter((v) => !v.admin || account.admin);
for (const view of visible) {
  const link = document.createElement('a');
  link.href = `#/${view.id}`;
  link.textContent = view.title;
  link.dataset.view = view.id;
  nav.append(link);
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const [id, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = visible.find((v) => v.id === id) ?? visible[0];
  if (cleanup) {
    try { cleanup(); } catch { /* a view's cleanup must not stop the next view */ }
    cleanup = null;
  }
  controller?.abort();
  controller = new AbortController();
  for (const link of nav.querySelectorAll('a')) link.toggleAttribute('aria-current', link.dataset.view === view?.id);
  root.replaceChildren();
  if (!view) {
    root.textContent = 'Nothing to show.';
    return;
  }
  document.title = `${view.title} — Septet`;
  try {
    cleanup = (await view.render(root, { account, params, api, toast, navigate, signal: controller.signal })) ?? null;
  } catch (error) {
    if (error?.name === 'AbortError') return;
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = `Cannot show ${view.title}: ${error?.message ?? error}`;
    root.append(p);
  }
}

window.addEventListener('hashchange', route);
await route();
