// Account: change your password (your other web sessions are signed out), your SSH
// public keys (paste an OpenSSH line, an RFC 4716 block as PuTTYgen saves it, or a .ppk;
// listed with the fingerprints `ssh-keygen -l` prints; delete with a confirmation),
// and the server's SSH host key fingerprints to check a first connection against.
// Route #/account.

const STYLESHEET = '/console/views/account.css';

function useStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.append(link);
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const field = (id, label, attributes) => [el('label', { for: id, text: label }), el('input', { id, name: id, ...attributes })];
const typeLabel = (algorithm) => (algorithm === 'ssh-ed25519' ? 'ED25519' : algorithm === 'ssh-rsa' ? 'RSA' : algorithm.startsWith('ecdsa-') ? 'ECDSA' : algorithm);

function passwordSection(ctx) {
  const message = el('p', { id: 'password-message', role: 'status', class: 'muted' });
  const form = el('form', { id: 'password-form', class: 'account-form', novalidate: true },
    // The address, for password managers (autocomplete="username" next to the new password).
    el('input', { type: 'text', name: 'username', autocomplete: 'username', value: ctx.account.address, hidden: true, readonly: true }),
    ...field('current-password', 'Current password', { type: 'password', autocomplete: 'current-password', required: true }),
    ...field('new-password', 'New password', { type: 'password', autocomplete: 'new-password', required: true }),
    ...field('repeat-password', 'New password again', { type: 'password', autocomplete: 'new-password', required: true }),
    el('div', { class: 'account-buttons' }, el('button', { type: 'submit', id: 'change-password', text: 'Change password' })),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const current = form['current-password'].value;
    const fresh = form['new-password'].value;
    message.className = 'error';
    if (!current || !fresh) {
      message.textContent = 'Enter your current password and the new one.';
      return;
    }
    if (fresh !== form['repeat-password'].value) {
      message.textContent = 'The new password and its repetition differ.';
      form['repeat-password'].focus();
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    message.className = 'muted';
    message.textContent = 'Changing…';
    try {
      const result = await ctx.api.post('/api/account/password', { current, new: fresh });
      form.reset();
      message.className = 'good';
      message.textContent = `Password changed.${result.signedOut > 0 ? ` ${result.signedOut} other ${result.signedOut === 1 ? 'session was' : 'sessions were'} signed out.` : ''}`;
    } catch (error) {
      message.className = 'error';
      message.textContent = error.message;
      form['current-password'].select();
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'account-section', 'aria-labelledby': 'password-heading' }, el('h2', { id: 'password-heading', text: 'Password' }), form);
}

function keysSection(ctx) {
  const tbody = el('tbody');
  const table = el('table', { id: 'keys-list', class: 'account-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Fingerprint' }), el('th', { scope: 'col', text: 'Type' }), el('th', { scope: 'col', text: 'Comment' }), el('th', { scope: 'col', text: 'Added' }), el('th', { scope: 'col', text: 'Actions' }))),
    tbody);
  const text = el('textarea', { id: 'key-text', rows: '6', spellcheck: 'false', autocomplete: 'off', placeholder: 'ssh-ed25519 AAAA… you@laptop\n\nor ---- BEGIN SSH2 PUBLIC KEY ---- …' });
  const message = el('div', { id: 'key-message', role: 'status' });
  const form = el('form', { id: 'key-form', class: 'account-form' },
    el('label', { for: 'key-text', text: 'Add a public key (OpenSSH, PuTTY or RFC 4716)' }), text,
    el('div', { class: 'account-buttons' }, el('button', { type: 'submit', id: 'add-key', text: 'Add key' })),
    message);

  async function load() {
    const { keys } = await ctx.api.get('/api/account/keys', { signal: ctx.signal });
    if (keys.length === 0) {
      tbody.replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: 'No keys yet: SSH and SFTP ask for your password.' })));
      return;
    }
    tbody.replaceChildren(...keys.map((key) => {
      const actions = el('td', { class: 'account-actions' });
      const showDelete = () => actions.replaceChildren(el('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete key ${key.fingerprint}`, onclick: confirm }));
      function confirm() {
        const no = el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: showDelete });
        actions.replaceChildren(el('span', { text: 'Delete this key? ' }), el('button', { type: 'button', class: 'danger', text: 'Yes, delete', onclick: async () => {
          try {
            await ctx.api.del(`/api/account/keys?fingerprint=${encodeURIComponent(key.fingerprint)}`);
            ctx.toast('Key deleted');
            await load();
          } catch (error) {
            ctx.toast(error.message, 'error');
            showDelete();
          }
        } }), no);
        no.focus();
      }
      showDelete();
      return el('tr', { 'data-fingerprint': key.fingerprint },
        el('td', { class: 'fingerprint' }, el('code', { text: key.fingerprint })),
        el('td', { 'data-label': 'Type', text: `${typeLabel(key.algorithm)} ${key.bits || ''}`.trim() }),
        el('td', { 'data-label': 'Comment', text: key.comment || '—' }),
        el('td', { 'data-label': 'Added' }, el('time', { datetime: key.createdAt, text: new Date(key.createdAt).toLocaleDateString() })),
        actions);
    }));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      message.replaceChildren(el('p', { class: 'error', text: 'Paste a public key first.' }));
      text.focus();
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const result = await ctx.api.post('/api/account/keys', { text: text.value });
      text.value = '';
      message.replaceChildren(...result.added.map((key) => el('p', { class: 'good' }, 'Added ', el('code', { text: key.fingerprint }), ` (${typeLabel(key.algorithm)} ${key.bits}${key.comment ? `, ${key.comment}` : ''})`)),
        ...result.added.flatMap((key) => key.notes.map((note) => el('p', { class: 'muted', text: note }))),
        ...result.present.map((key) => el('p', { class: 'muted' }, 'Already there: ', el('code', { text: key.fingerprint }))));
      await load();
    } catch (error) {
      message.replaceChildren(el('p', { class: 'error', text: error.message }));
    } finally {
      button.disabled = false;
    }
  });

  return {
    section: el('section', { class: 'account-section', 'aria-labelledby': 'keys-heading' }, el('h2', { id: 'keys-heading', text: 'SSH keys' }),
      el('p', { class: 'muted', text: 'Keys that may sign in to SSH, SFTP and SCP as you. Paste the public key (the .pub file), never the private one.' }), table, form),
    load,
  };
}

async function hostKeysSection(ctx) {
  const { hostKeys } = await ctx.api.get('/api/account/host-keys', { signal: ctx.signal });
  const body = hostKeys.length === 0
    ? el('p', { class: 'muted', text: 'SSH is not running on this server.' })
    : el('table', { id: 'host-keys', class: 'account-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Type' }), el('th', { scope: 'col', text: 'Bits' }), el('th', { scope: 'col', text: 'Fingerprint' }))),
      el('tbody', {}, ...hostKeys.map((k) => el('tr', {}, el('td', { text: typeLabel(k.type) }), el('td', { 'data-label': 'Bits', text: String(k.bits) }), el('td', { class: 'fingerprint' }, el('code', { text: k.fingerprint }))))));
  return el('section', { class: 'account-section', 'aria-labelledby': 'host-heading' }, el('h2', { id: 'host-heading', text: 'Server host keys' }),
    el('p', { class: 'muted', text: 'The first time you connect with ssh or sftp, the fingerprint it shows must be one of these.' }), body);
}

export const accountView = {
  id: 'account',
  title: 'Account',
  async render(root, ctx) {
    useStylesheet();
    const keys = keysSection(ctx);
    root.append(el('div', { class: 'account' }, el('h1', { text: 'Account' }), el('p', { class: 'muted', text: `Signed in as ${ctx.account.address}` }), passwordSection(ctx), keys.section, await hostKeysSection(ctx)));
    await keys.load();
  },
};
