// The release page's script, plain ES2020 like the others. Without it the upload form posts
// multipart and the evidence fields take a typed sha256.

/**
 * Image uploads one file at a time with a progress bar and the sha256 computed in the browser,
 * checked against the one the server stored; then the page's live parts (state, images, actions)
 * are refreshed in place. A test log picked beside the evidence fields is hashed into its field.
 */
const RELEASE_PAGE = `
(() => {
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (file) => hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  // Delegated, so it also serves forms refreshed in place.
  document.addEventListener('change', async (event) => {
    const input = event.target;
    if (!input.matches || !input.matches('input[data-sha256-into]') || !input.files[0]) return;
    const target = document.getElementById(input.dataset.sha256Into);
    if (target) target.value = await sha256(input.files[0]);
  });
  const form = document.getElementById('upload-form');
  if (!form) return;
  const csrf = document.querySelector('meta[name=csrf-token]').content;
  const list = document.getElementById('upload-status');
  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };
  const send = (file, hardwareIds, bar) => new Promise((resolve) => {
    const params = new URLSearchParams({ fileName: file.name });
    if (hardwareIds) params.set('hardwareIds', hardwareIds);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action + '?' + params.toString());
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total); };
    xhr.onload = () => {
      try { resolve(JSON.parse(xhr.responseText)); }
      catch { resolve({ ok: false, error: xhr.status === 413 ? 'the image is larger than the server accepts' : 'the server answered ' + xhr.status }); }
    };
    xhr.onerror = () => resolve({ ok: false, error: 'the connection failed' });
    xhr.send(file);
  });
  const refresh = async () => {
    const html = await (await fetch(location.pathname, { headers: { accept: 'text/html' } })).text();
    const next = new DOMParser().parseFromString(html, 'text/html');
    for (const part of document.querySelectorAll('[data-refresh][id]')) {
      const fresh = next.getElementById(part.id);
      if (fresh) part.replaceWith(document.importNode(fresh, true));
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const files = Array.from(form.elements.namedItem('image').files);
    const hardwareIds = form.elements.namedItem('hardwareIds').value.trim();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    let stored = 0;
    for (const file of files) {
      const item = el('li', null, { 'data-file': file.name });
      item.append(el('strong', file.name), ' ');
      const bar = el('progress', null, { max: '100', value: '0', 'aria-label': 'Upload of ' + file.name });
      const digest = el('div', 'sha256 (computed here): …', { 'data-sha256': '' });
      const status = el('div', 'uploading…', { 'data-status': '' });
      item.append(bar, digest, status);
      list.append(item);
      const mine = await sha256(file);
      digest.textContent = 'sha256 (computed here): ' + mine;
      const result = await send(file, hardwareIds, bar);
      if (!result.ok) { status.textContent = 'Not stored: ' + result.error; status.className = 'overdue'; continue; }
      bar.value = 100;
      stored += 1;
      status.textContent = result.sha256 === mine
        ? 'Stored, ' + result.length + ' bytes; the server computed the same sha256.'
        : 'Stored, but the server computed sha256 ' + result.sha256 + ': the file changed in transit.';
    }
    button.disabled = false;
    form.reset();
    if (stored > 0) await refresh();
  });
})();
`;

export const RELEASE_SCRIPTS: Record<string, string> = { 'release-page.js': RELEASE_PAGE };
