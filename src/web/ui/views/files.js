// Files: the home folder FTP and SFTP serve. Route #/files/<folder path...>. A
// breadcrumb, the folder's list (name, size, date), upload with a progress bar
// (XMLHttpRequest: fetch reports no upload progress), new folder, rename or move, and
// delete with a confirmation in the row. Every control is a real button, link or
// labelled input; under 40em the list becomes one column of cards (files.css).

import { ApiError, getCsrfToken } from '/console/api.js';

const STYLESHEET = '/console/views/files.css';

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

/** 1536 → "1.5 KB" (decimal units, as file managers show them). */
export function formatSize(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const joinPath = (folder, name) => (folder === '/' ? `/${name}` : `${folder}/${name}`);
const folderHash = (path) => `#/files${path === '/' ? '' : path.split('/').map(encodeURIComponent).join('/')}`;
const downloadUrl = (path) => `/api/files/content?path=${encodeURIComponent(path)}`;

/** POST multipart with upload progress; resolves with the JSON answer, rejects with ApiError. */
function uploadWithProgress(folder, files, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/files/upload?path=${encodeURIComponent(folder)}`);
    xhr.setRequestHeader('X-CSRF-Token', getCsrfToken() ?? '');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else reject(new ApiError(xhr.status, xhr.response?.error ?? 'error', xhr.response?.message ?? `upload failed (${xhr.status})`));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'the upload was cut off')));
    xhr.addEventListener('abort', () => reject(new DOMException('upload cancelled', 'AbortError')));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

export const filesView = {
  id: 'files',
  title: 'Files',
  async render(root, ctx) {
    useStylesheet();
    const folder = `/${ctx.params.filter((p) => p !== '').join('/')}`;
    const heading = el('h1', { text: 'Files' });
    const crumbs = el('nav', { class: 'files-crumbs', 'aria-label': 'Folder' });
    const status = el('p', { class: 'files-status muted', id: 'files-status', role: 'status' });

    // Upload: a file input and a button; the progress bar shows while the upload runs.
    const fileInput = el('input', { type: 'file', id: 'files-upload-input', multiple: true });
    const uploadButton = el('button', { type: 'submit', id: 'files-upload-button', text: 'Upload' });
    const progress = el('progress', { id: 'files-progress', max: '100', value: '0', 'aria-label': 'Upload progress' });
    const progressText = el('span', { id: 'files-progress-text', class: 'muted' });
    const progressBox = el('div', { class: 'files-progress', hidden: true }, progress, progressText);
    const cancelButton = el('button', { type: 'button', class: 'secondary', text: 'Cancel upload', hidden: true });
    const uploadForm = el('form', { class: 'files-upload', id: 'files-upload' },
      el('label', { for: 'files-upload-input', text: 'Upload files' }), fileInput, el('div', { class: 'files-buttons' }, uploadButton, cancelButton));

    const folderInput = el('input', { type: 'text', id: 'files-new-folder', autocomplete: 'off', spellcheck: 'false', required: true });
    const folderForm = el('form', { class: 'files-new-folder' },
      el('label', { for: 'files-new-folder', text: 'New folder' }), folderInput, el('div', { class: 'files-buttons' }, el('button', { type: 'submit', id: 'files-new-folder-button', text: 'Create folder' })));

    const tbody = el('tbody');
    const table = el('table', { class: 'files-list', id: 'files-list' },
      el('caption', { class: 'skip-caption', text: `Contents of ${folder}` }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Name' }), el('th', { scope: 'col', class: 'num', text: 'Size' }), el('th', { scope: 'col', text: 'Modified' }), el('th', { scope: 'col', text: 'Actions' }))),
      tbody);

    root.append(el('section', { class: 'files' }, heading, crumbs, el('div', { class: 'files-actions' }, uploadForm, folderForm), progressBox, status, table));

    // Breadcrumb: Home / a / b, each a link but the last (the current folder).
    const parts = folder.split('/').filter(Boolean);
    const trail = [{ name: 'Home', path: '/' }, ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` }))];
    const list = el('ol');
    trail.forEach((step, i) => {
      const last = i === trail.length - 1;
      list.append(el('li', {}, last ? el('span', { 'aria-current': 'location', text: step.name }) : el('a', { href: folderHash(step.path), text: step.name })));
    });
    crumbs.append(list);

    const fail = (error) => {
      if (error?.name === 'AbortError') return;
      ctx.toast(error?.message ?? String(error), 'error');
    };

    async function load() {
      let listing;
      try {
        listing = await ctx.api.get(`/api/files?path=${encodeURIComponent(folder)}`, { signal: ctx.signal });
      } catch (error) {
        if (error?.name === 'AbortError') return;
        tbody.replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'error', text: error.message })));
        return;
      }
      const rows = [];
      if (folder !== '/') rows.push(el('tr', { class: 'files-up' }, el('td', { colspan: '4' }, el('a', { href: folderHash(`/${parts.slice(0, -1).join('/')}`), text: '↑ Up one folder' }))));
      for (const entry of listing.entries) rows.push(row(entry));
      if (listing.entries.length === 0) rows.push(el('tr', {}, el('td', { colspan: '4', class: 'muted', text: 'This folder is empty.' })));
      tbody.replaceChildren(...rows);
      const quota = listing.quota.limit === null ? `${formatSize(listing.quota.used)} used` : `${formatSize(listing.quota.used)} of ${formatSize(listing.quota.limit)} used`;
      status.textContent = `${listing.entries.length} ${listing.entries.length === 1 ? 'item' : 'items'}${listing.truncated ? ' (more not shown)' : ''} · ${quota}`;
    }

    function row(entry) {
      const path = joinPath(folder, entry.name);
      const tr = el('tr', { 'data-name': entry.name, 'data-type': entry.type });
      let nameCell;
      if (entry.type === 'folder') nameCell = el('a', { href: folderHash(path), class: 'files-folder', text: `${entry.name}/` });
      else if (entry.type === 'file') nameCell = el('a', { href: downloadUrl(path), download: entry.name, class: 'files-file', text: entry.name });
      else nameCell = el('span', { text: entry.type === 'link' ? `${entry.name} (link)` : entry.name });
      const actions = el('td', { class: 'files-row-actions' });
      const showActions = () => actions.replaceChildren(
        el('button', { type: 'button', class: 'secondary', text: 'Rename', 'aria-label': `Rename ${entry.name}`, onclick: () => startRename() }),
        el('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${entry.name}`, onclick: () => confirmDelete() }),
      );
      const nameTd = el('td', { class: 'files-name' }, nameCell);
      tr.append(nameTd, el('td', { class: 'num', 'data-label': 'Size', text: entry.type === 'file' ? formatSize(entry.size) : '—' }),
        el('td', { 'data-label': 'Modified' }, el('time', { datetime: entry.modified, text: dateFormat.format(new Date(entry.modified)) })), actions);
      showActions();

      function startRename() {
        const input = el('input', { type: 'text', value: entry.name, 'aria-label': `New name or path for ${entry.name}`, class: 'files-rename-input', spellcheck: 'false', autocomplete: 'off' });
        const form = el('form', { class: 'files-rename' }, input,
          el('button', { type: 'submit', text: 'Save' }),
          el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => { nameTd.replaceChildren(nameCell); showActions(); } }));
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          const wanted = input.value.trim();
          if (!wanted || wanted === entry.name) return;
          // A name is renamed in place; "a/b" or "/a/b" moves it (relative to this folder, or from Home).
          const to = wanted.startsWith('/') ? wanted : joinPath(folder, wanted);
          try {
            await ctx.api.post('/api/files/move', { from: path, to });
            ctx.toast(`Renamed ${entry.name}`);
            await load();
          } catch (error) {
            fail(error);
            input.focus();
          }
        });
        form.addEventListener('keydown', (event) => {
          if (event.key === 'Escape') { nameTd.replaceChildren(nameCell); showActions(); nameCell.focus(); }
        });
        nameTd.replaceChildren(form);
        actions.replaceChildren();
        input.focus();
        input.select();
      }

      function confirmDelete() {
        const question = el('span', { class: 'files-confirm', text: `Delete ${entry.name}${entry.type === 'folder' ? ' (it must be empty)' : ''}?` });
        const yes = el('button', { type: 'button', class: 'danger', text: 'Yes, delete', onclick: async () => {
          try {
            await ctx.api.del(`/api/files?path=${encodeURIComponent(path)}`);
            ctx.toast(`Deleted ${entry.name}`);
            await load();
          } catch (error) {
            fail(error);
            showActions();
          }
        } });
        const no = el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => showActions() });
        actions.replaceChildren(question, yes, no);
        no.focus();
      }
      return tr;
    }

    let uploading = null;
    uploadForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const files = [...fileInput.files];
      if (files.length === 0) {
        ctx.toast('Choose one or more files first', 'error');
        fileInput.focus();
        return;
      }
      const total = files.reduce((sum, f) => sum + f.size, 0);
      const label = files.length === 1 ? files[0].name : `${files.length} files`;
      uploading = new AbortController();
      uploadButton.disabled = true;
      cancelButton.hidden = false;
      progressBox.hidden = false;
      progress.value = 0;
      progressText.textContent = `Uploading ${label}: 0%`;
      try {
        await uploadWithProgress(folder, files, (loaded, all) => {
          const percent = Math.floor((loaded / all) * 100);
          progress.value = percent;
          progressText.textContent = `Uploading ${label}: ${percent}%`;
        }, uploading.signal);
        progress.value = 100;
        progressText.textContent = `Uploaded ${label} (${formatSize(total)})`;
        fileInput.value = '';
        await load();
      } catch (error) {
        progressText.textContent = error?.name === 'AbortError' ? 'Upload cancelled' : `Upload failed: ${error.message}`;
        fail(error);
      } finally {
        uploading = null;
        uploadButton.disabled = false;
        cancelButton.hidden = true;
      }
    });
    cancelButton.addEventListener('click', () => uploading?.abort());

    folderForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = folderInput.value.trim();
      if (!name) return;
      try {
        await ctx.api.post('/api/files/folders', { path: joinPath(folder, name) });
        folderInput.value = '';
        ctx.toast(`Created ${name}`);
        await load();
      } catch (error) {
        fail(error);
      }
    });

    await load();
    return () => uploading?.abort();
  },
};
