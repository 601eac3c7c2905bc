// Compose: the lecture's form (From, To, Cc, Subject, text, attachments) plus Bcc.
// Routes: #/compose (empty), #/compose/reply/<mailboxId>/<uid>,
// #/compose/reply-all/<mailboxId>/<uid>, #/compose/forward/<mailboxId>/<uid> (the form
// prefilled by the API), #/compose/draft/<uid> (a draft opened back). Send posts
// multipart/form-data (text fields first, then the files, as the API wants) to
// /api/mail/send and goes to #/mail; Save draft stores it in Drafts and reopens it
// from there; Discard deletes the draft (if it was one) and leaves. Attachments kept
// from the original (forward) or from the draft are listed with a Remove button.

const STYLESHEET = '/console/views/compose.css';

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

function formatSize(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

const EMPTY = { from: '', fromName: '', to: '', cc: '', bcc: '', subject: '', text: '', inReplyTo: '', references: '', draft: null, origin: '', attachments: [] };

/** The form the route asks for: empty, a prefilled reply/forward, or a draft. */
async function initialForm(api, params, signal) {
  const [mode, a, b] = params;
  if (mode === 'draft' && a) return api.get(`/api/mail/drafts/${encodeURIComponent(a)}`, { signal });
  if ((mode === 'reply' || mode === 'reply-all' || mode === 'forward') && a && b) {
    return api.get(`/api/mail/compose/${mode}/${encodeURIComponent(a)}/${encodeURIComponent(b)}`, { signal });
  }
  return { ...EMPTY };
}

function textField(id, label, value, attributes = {}) {
  const input = el('input', { id, name: id, type: 'text', value, autocomplete: 'off', ...attributes });
  input.value = value;
  return [el('label', { for: id, text: label }), input];
}

export const composeView = {
  id: 'compose',
  title: 'Compose',
  async render(root, { account, params, api, toast, navigate, signal }) {
    useStylesheet();
    const [addresses, form] = await Promise.all([api.get('/api/mail/from', { signal }), initialForm(api, params, signal)]);
    let kept = [...form.attachments];
    const draft = form.draft;

    const heading = el('h1', { text: draft ? 'Edit draft' : params[0] === 'forward' ? 'Forward' : params[0]?.startsWith('reply') ? 'Reply' : 'Compose' });
    const from = el('select', { id: 'compose-from', name: 'from' });
    const choices = addresses.addresses.includes(form.from) || !form.from ? addresses.addresses : [form.from, ...addresses.addresses];
    for (const address of choices) from.append(el('option', { value: address, text: address }));
    from.value = form.from || account.address;
    const [toLabel, to] = textField('compose-to', 'To', form.to, { placeholder: 'name@example.org, …', inputmode: 'email' });
    const [ccLabel, cc] = textField('compose-cc', 'Cc', form.cc, { inputmode: 'email' });
    const [bccLabel, bcc] = textField('compose-bcc', 'Bcc', form.bcc, { inputmode: 'email' });
    const [subjectLabel, subject] = textField('compose-subject', 'Subject', form.subject);
    const text = el('textarea', { id: 'compose-text', name: 'text', rows: '14' });
    text.value = form.text;
    const files = el('input', { id: 'compose-files', name: 'attachment', type: 'file', multiple: true });
    const keptList = el('ul', { class: 'compose-kept', 'aria-label': 'Attached files' });
    const status = el('p', { class: 'compose-status muted', role: 'status', 'aria-live': 'polite' });

    const renderKept = () => {
      keptList.replaceChildren(
        ...kept.map((a) =>
          el('li', {},
            el('span', { text: `${a.filename} (${formatSize(a.size)})` }),
            el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${a.filename}`, text: 'Remove', onclick: () => { kept = kept.filter((k) => k !== a); renderKept(); } }),
          )),
      );
      keptList.hidden = kept.length === 0;
    };
    renderKept();

    // No submit button: Enter in a field must not send a half-written message.
    const send = el('button', { type: 'button', id: 'compose-send', text: 'Send' });
    const save = el('button', { type: 'button', id: 'compose-save', class: 'secondary', text: 'Save draft' });
    const discard = el('button', { type: 'button', id: 'compose-discard', class: 'secondary', text: 'Discard' });
    const buttons = [send, save, discard];

    /** Fields first, files after: the API reads the fields before the first file octet. */
    const formData = () => {
      const data = new FormData();
      data.append('from', from.value);
      data.append('to', to.value);
      data.append('cc', cc.value);
      data.append('bcc', bcc.value);
      data.append('subject', subject.value);
      data.append('text', text.value);
      if (form.inReplyTo) data.append('inReplyTo', form.inReplyTo);
      if (form.references) data.append('references', form.references);
      if (draft) data.append('draft', String(draft));
      if (form.origin) data.append('origin', form.origin);
      for (const a of kept) data.append('keep', a.ref);
      for (const file of files.files) data.append('attachment', file, file.name);
      return data;
    };

    const busy = async (what, action) => {
      for (const b of buttons) b.disabled = true;
      status.textContent = what;
      try {
        await action();
      } catch (error) {
        status.textContent = '';
        toast(error.message ?? String(error), 'error');
      } finally {
        for (const b of buttons) b.disabled = false;
      }
    };

    const element = el('form', { class: 'compose', 'aria-labelledby': 'compose-heading', novalidate: true },
      el('label', { for: 'compose-from', text: 'From' }), from,
      toLabel, to, ccLabel, cc, bccLabel, bcc, subjectLabel, subject,
      el('label', { for: 'compose-text', text: 'Message' }), text,
      keptList,
      el('label', { for: 'compose-files', text: 'Attach files' }), files,
      el('div', { class: 'compose-actions' }, ...buttons),
      status,
    );
    heading.id = 'compose-heading';

    element.addEventListener('submit', (event) => event.preventDefault());
    send.addEventListener('click', () => {
      if (to.value.trim() === '' && cc.value.trim() === '' && bcc.value.trim() === '') {
        toast('Add a recipient in To, Cc or Bcc', 'error');
        to.focus();
        return;
      }
      void busy('Sending…', async () => {
        const result = await api.post('/api/mail/send', formData());
        toast(result.queued ? 'Sent (queued for remote recipients)' : 'Sent');
        navigate('#/mail');
      });
    });
    save.addEventListener('click', () => void busy('Saving…', async () => {
      const result = await api.post('/api/mail/drafts', formData());
      toast('Draft saved');
      navigate(`#/compose/draft/${result.uid}`);
    }));
    discard.addEventListener('click', () => void busy('Discarding…', async () => {
      if (draft) await api.del(`/api/mail/drafts/${draft}`);
      navigate('#/mail');
    }));

    root.append(heading, element);
    (form.to ? text : to).focus();
  },
};
