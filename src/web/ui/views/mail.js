// The webmail's reading side: folders with unread counts, the message list (paging,
// search), the reading pane (sanitised HTML in a sandboxed frame without scripts,
// remote images on request, attachments), flags, move and delete. New mail arrives
// through GET /api/mail/events (server-sent events) without a reload. Routes:
// #/mail (INBOX), #/mail/<mailboxId>, #/mail/<mailboxId>/<uid>. On a phone (< 40em)
// one column: the list, or the message when one is open.

const CSS = '/console/views/mail.css';

function ensureCss() {
  if (document.querySelector(`link[href="${CSS}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = CSS;
  document.head.append(link);
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const folderLabel = (f) => (f.name === 'INBOX' ? 'Inbox' : f.name);
const who = (list) => (list ?? []).map((a) => a.name || a.address).join(', ');
const fullWho = (list) => (list ?? []).map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');

function shortDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString();
}

function size(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

export default {
  id: 'mail',
  title: 'Mail',
  async render(root, ctx) {
    ensureCss();
    const { api, toast, signal } = ctx;
    const state = { folders: [], page: 1, q: '', field: 'all' };
    const folderNav = el('nav', { id: 'mail-folders', class: 'mail-folders', 'aria-label': 'Folders' });
    const listPane = el('section', { id: 'mail-list', class: 'mail-list', 'aria-label': 'Messages' });
    const readPane = el('section', { id: 'mail-reader', class: 'mail-reader', 'aria-label': 'Message' });
    const layout = el('div', { class: 'mail-layout' }, folderNav, listPane, readPane);
    root.append(layout);

    state.folders = (await api.get('/api/mail/folders', { signal })).folders;
    const requested = Number(ctx.params[0]);
    const folder = state.folders.find((f) => f.id === requested) ?? state.folders[0];
    if (!folder) {
      listPane.textContent = 'No folders.';
      return;
    }
    const openUid = ctx.params[1] ? Number(ctx.params[1]) : null;
    layout.classList.toggle('reading', openUid !== null);

    function drawFolders() {
      const list = el('ul');
      for (const f of state.folders) {
        const link = el('a', { href: `#/mail/${f.id}`, 'data-folder': String(f.id) }, el('span', { class: 'name', text: folderLabel(f) }));
        if (f.unread > 0) link.append(el('span', { class: 'count', text: String(f.unread), 'aria-label': `${f.unread} unread` }));
        if (f.id === folder.id) link.setAttribute('aria-current', 'page');
        list.append(el('li', {}, link));
      }
      folderNav.replaceChildren(el('h2', { class: 'mail-heading', text: 'Folders' }), list);
    }

    // The search form and the list body are separate so typing is not interrupted by a redraw.
    const searchInput = el('input', { type: 'search', id: 'mail-search', name: 'q', placeholder: 'Search', maxlength: '200' });
    const fieldSelect = el('select', { id: 'mail-search-field', name: 'field', 'aria-label': 'Search in' });
    for (const [value, label] of [['all', 'Everywhere'], ['subject', 'Subject'], ['from', 'From'], ['to', 'To'], ['body', 'Text']]) fieldSelect.append(el('option', { value, text: label }));
    const searchForm = el('form', { class: 'mail-search', role: 'search' },
      el('label', { for: 'mail-search', class: 'visually-hidden', text: 'Search messages' }), searchInput, fieldSelect,
      el('button', { type: 'submit', text: 'Search' }));
    searchForm.addEventListener('submit', (event) => {
      event.preventDefault();
      state.q = searchInput.value.trim();
      state.field = fieldSelect.value;
      state.page = 1;
      void drawList();
    });
    const listBody = el('div', { class: 'mail-list-body' });
    listPane.append(el('h2', { class: 'mail-heading', id: 'mail-folder-name', text: folderLabel(folder) }), searchForm, listBody);

    async function drawList() {
      const params = new URLSearchParams({ page: String(state.page) });
      if (state.q) params.set('q', state.q), params.set('field', state.field);
      const data = await api.get(`/api/mail/folders/${folder.id}/messages?${params}`, { signal });
      const rows = el('ul', { class: 'mail-rows' });
      for (const m of data.messages) {
        const link = el('a', { href: `#/mail/${folder.id}/${m.uid}`, class: 'mail-row', 'data-uid': String(m.uid) },
          el('span', { class: 'from', text: who(folder.specialUse === '\\Sent' || folder.specialUse === '\\Drafts' ? m.to : m.from) || '(nobody)' }),
          el('span', { class: 'date', text: shortDate(m.date ?? m.internalDate) }),
          el('span', { class: 'subject', text: m.subject || '(no subject)' }));
        if (!m.seen) link.classList.add('unread');
        if (m.flagged) link.append(el('span', { class: 'flag', text: '★', 'aria-label': 'flagged' }));
        if (m.uid === openUid) link.setAttribute('aria-current', 'true');
        rows.append(el('li', {}, link));
      }
      const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
      const prev = el('button', { type: 'button', class: 'secondary', text: 'Newer', disabled: state.page <= 1 });
      const next = el('button', { type: 'button', class: 'secondary', text: 'Older', disabled: state.page >= pages });
      prev.addEventListener('click', () => { state.page--; void drawList(); });
      next.addEventListener('click', () => { state.page++; void drawList(); });
      const info = el('span', { class: 'muted', id: 'mail-page-info', text: `${data.total} ${state.q ? 'found' : 'messages'} · page ${state.page} of ${pages}${data.searchLimited ? ' (newest only)' : ''}` });
      listBody.replaceChildren(data.messages.length ? rows : el('p', { class: 'muted', text: state.q ? 'Nothing found.' : 'No messages.' }), el('div', { class: 'mail-pager' }, prev, info, next));
    }

    async function refreshFolders() {
      state.folders = (await api.get('/api/mail/folders', { signal })).folders;
      drawFolders();
    }

    async function drawMessage(uid) {
      const m = await api.get(`/api/mail/messages/${folder.id}/${uid}`, { signal });
      const back = el('a', { href: `#/mail/${folder.id}`, class: 'mail-back', text: '← Back to the list' });
      const header = el('dl', { class: 'mail-headers' });
      for (const [label, value] of [['From', fullWho(m.from)], ['To', fullWho(m.to)], ['Cc', fullWho(m.cc)], ['Date', m.date ? new Date(m.date).toLocaleString() : '']]) {
        if (value) header.append(el('dt', { text: label }), el('dd', { text: value }));
      }
      const actions = el('div', { class: 'mail-actions', role: 'toolbar', 'aria-label': 'Message actions' });
      for (const [kind, label] of [['reply', 'Reply'], ['reply-all', 'Reply all'], ['forward', 'Forward']]) {
        actions.append(el('a', { class: 'button-link', href: `#/compose/${kind}/${folder.id}/${uid}`, text: label }));
      }
      let flags = m.flags;
      const flagButton = el('button', { type: 'button', class: 'secondary', id: 'mail-flag' });
      const seenButton = el('button', { type: 'button', class: 'secondary', id: 'mail-unread' });
      const drawFlags = () => {
        flagButton.textContent = flags.flagged ? 'Unflag' : 'Flag';
        flagButton.setAttribute('aria-pressed', String(flags.flagged));
        seenButton.textContent = flags.seen ? 'Mark unread' : 'Mark read';
      };
      drawFlags();
      const setFlags = async (change) => {
        flags = await api.patch(`/api/mail/messages/${folder.id}/${uid}/flags`, change);
        drawFlags();
      };
      flagButton.addEventListener('click', () => setFlags({ flagged: !flags.flagged }).catch((e) => toast(e.message, 'error')));
      seenButton.addEventListener('click', () => setFlags({ seen: !flags.seen }).catch((e) => toast(e.message, 'error')));
      const moveSelect = el('select', { id: 'mail-move-to', 'aria-label': 'Move to folder' }, el('option', { value: '', text: 'Move to…' }));
      for (const f of state.folders) if (f.id !== folder.id) moveSelect.append(el('option', { value: String(f.id), text: folderLabel(f) }));
      const moveButton = el('button', { type: 'button', class: 'secondary', id: 'mail-move', text: 'Move' });
      moveButton.addEventListener('click', async () => {
        if (!moveSelect.value) return moveSelect.focus();
        try {
          await api.post(`/api/mail/messages/${folder.id}/${uid}/move`, { to: Number(moveSelect.value) });
          toast('Moved');
          ctx.navigate(`#/mail/${folder.id}`);
        } catch (e) { toast(e.message, 'error'); }
      });
      const deleteButton = el('button', { type: 'button', class: 'danger', id: 'mail-delete', text: folder.specialUse === '\\Trash' ? 'Delete for good' : 'Delete' });
      deleteButton.addEventListener('click', async () => {
        try {
          const r = await api.del(`/api/mail/messages/${folder.id}/${uid}`);
          toast(r.expunged ? 'Deleted' : 'Moved to Trash');
          ctx.navigate(`#/mail/${folder.id}`);
        } catch (e) { toast(e.message, 'error'); }
      });
      actions.append(flagButton, seenButton, moveSelect, moveButton, deleteButton);

      const body = el('div', { class: 'mail-body' });
      if (m.html) {
        // No allow-scripts, no allow-same-origin: the frame is an opaque origin that runs nothing.
        const frame = el('iframe', { id: 'mail-frame', title: 'Message text', src: m.html.url, sandbox: 'allow-popups allow-popups-to-escape-sandbox', referrerpolicy: 'no-referrer' });
        if (m.html.remoteImages > 0) {
          const show = el('button', { type: 'button', class: 'secondary', id: 'mail-show-images', text: `Show remote images (${m.html.remoteImages})` });
          show.addEventListener('click', () => {
            frame.src = `${m.html.url}?images=true`;
            show.remove();
          });
          body.append(el('p', { class: 'mail-images-note' }, el('span', { class: 'muted', text: 'Remote images are blocked. ' }), show));
        }
        body.append(frame);
      } else {
        body.append(el('pre', { class: 'mail-text', id: 'mail-text', text: m.text ?? '' }));
      }
      if (m.textTruncated || m.html?.truncated) body.append(el('p', { class: 'muted', text: 'The message is too long to show whole; download its parts below.' }));
      const attachments = el('ul', { class: 'mail-attachments', id: 'mail-attachments' });
      for (const a of m.attachments) {
        attachments.append(el('li', {},
          el('a', { href: a.url, download: a.filename, text: a.filename }),
          el('span', { class: 'muted', text: ` ${a.type}, ${size(a.size)}` }),
          a.inline && a.type.startsWith('image/') ? el('img', { src: `${a.url}?inline=true`, alt: a.filename, class: 'mail-inline-image', loading: 'lazy' }) : null));
      }
      readPane.replaceChildren(back, el('h2', { id: 'mail-subject', text: m.subject || '(no subject)' }), header, actions, body);
      if (m.attachments.length) readPane.append(el('h3', { text: 'Attachments' }), attachments);
      readPane.focus?.();
    }

    drawFolders();
    await drawList();
    if (openUid !== null) {
      readPane.tabIndex = -1;
      try {
        await drawMessage(openUid);
        // Reading marked it seen: counts and the row's boldness follow at once.
        await Promise.all([refreshFolders(), drawList()]);
      } catch (e) {
        if (e?.name !== 'AbortError') readPane.replaceChildren(el('p', { class: 'error', text: e.message }));
      }
    } else {
      readPane.append(el('p', { class: 'muted', text: 'Choose a message to read it.' }));
    }

    // Live updates: counts and the list are re-read (at most every 300 ms) on any change.
    const events = new EventSource('/api/mail/events');
    let timer = null;
    events.addEventListener('mail', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        refreshFolders().catch(() => {});
        drawList().catch(() => {});
      }, 300);
    });
    return () => {
      clearTimeout(timer);
      events.close();
    };
  },
};
