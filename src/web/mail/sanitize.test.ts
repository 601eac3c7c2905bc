// The server-side sanitiser against a corpus of XSS vectors: nothing that runs code,
// loads from elsewhere or overlays the page survives; ordinary mail markup does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanStyle, sanitizeMailHtml } from './sanitize.ts';
import { REMOTE, xssVectors } from './xss-corpus.ts';

const origin = 'http://127.0.0.1:9';
const blocked = { allowRemoteImages: false, cidUrl: () => undefined };

for (const vector of xssVectors) {
  test(`XSS corpus: ${vector.name} is defused`, () => {
    const { html } = sanitizeMailHtml(vector.html.replaceAll(REMOTE, origin), blocked);
    // Nothing that names the listener can remain (no URL to it at all), nor active markup.
    assert.doesNotMatch(html, /127\.0\.0\.1:9/, html);
    assert.doesNotMatch(html, /<(?:script|iframe|object|embed|form|input|meta|base|link|style|svg|math|video|audio|source|template|noscript)\b/i, html);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, html);
    assert.doesNotMatch(html, /javascript:|vbscript:|expression\(|url\(|position\s*:\s*fixed/i, html);
  });
}

test('remote images: counted and replaced by a placeholder; kept (https only) when allowed', () => {
  const source = '<img src="https://a.example/1.png" alt="one"><img src="http://b.example/2.png">';
  const off = sanitizeMailHtml(source, blocked);
  assert.equal(off.remoteImages, 2);
  assert.doesNotMatch(off.html, /a\.example|b\.example/);
  assert.match(off.html, /data-blocked="remote image"/);
  const on = sanitizeMailHtml(source, { allowRemoteImages: true, cidUrl: () => undefined });
  assert.match(on.html, /src="https:\/\/a\.example\/1\.png"/);
  assert.doesNotMatch(on.html, /http:\/\/b\.example/);
});

test('cid: images become the data: URL given for that Content-ID; unknown ones lose their src; data: only for raster images', () => {
  const { html } = sanitizeMailHtml('<img src="cid:logo@x"><img src="cid:none@x"><img src="data:image/png;base64,AAAA"><img src="data:image/svg+xml;base64,PHN2Zz4=">', {
    allowRemoteImages: false,
    cidUrl: (cid) => (cid === 'logo@x' ? 'data:image/png;base64,iVBORw0KGgo=' : undefined),
  });
  assert.equal(html, '<img src="data:image/png;base64,iVBORw0KGgo="><img><img src="data:image/png;base64,AAAA"><img>');
});

test('ordinary mail markup survives: tables, inline colours, links opened in a new tab without referrer', () => {
  const { html } = sanitizeMailHtml('<table width="100%"><tr><td style="color: #333; padding: 4px">Hi <a href="https://example.net/x?a=1">there</a> <a href="mailto:a@b.example">mail</a></td></tr></table>', blocked);
  assert.match(html, /<td style="color: #333; padding: 4px">/);
  assert.match(html, /<a href="https:\/\/example\.net\/x\?a=1" target="_blank" rel="noopener noreferrer">there<\/a>/);
  assert.match(html, /href="mailto:a@b\.example"/);
});

test('style declarations: overlays, loads, escapes and scripts dropped, the rest kept', () => {
  assert.equal(cleanStyle('color:red; position: fixed; top:0'), 'color:red; top:0');
  assert.equal(cleanStyle('background:URL(x); font-weight:bold'), 'font-weight:bold');
  assert.equal(cleanStyle('width:expression(alert(1))'), '');
  assert.equal(cleanStyle('background:\\75rl(x)'), '');
  assert.equal(cleanStyle('position:relative;left:2px'), 'position:relative; left:2px');
});
