// Known XSS and exfiltration vectors (after the OWASP XSS Filter Evasion Cheat Sheet,
// the DOMPurify test suite's mXSS samples and common HTML-mail tricks). Each would, if
// it ran, call `fired(n)`, which the tests turn into a request to a local listener or a
// change of window.top.name; or load a remote URL. Used by sanitize.test.ts and by
// test/interop/webmail.test.ts (the same vectors as real mail, opened in Chromium).
// REMOTE is replaced by the listener's origin. The mutation-XSS samples come last: in
// one document, an unclosed <style> or <noscript> of theirs swallows what follows.

export const REMOTE = 'http://127.0.0.1:REMOTE_PORT';

export const xssVectors: readonly { name: string; html: string }[] = [
  { name: 'script', html: `<script>top.name='x1';fetch('${REMOTE}/x1')</script>` },
  { name: 'script src', html: `<script src="${REMOTE}/x2.js"></script>` },
  { name: 'img onerror', html: `<img src=x onerror="top.name='x3';fetch('${REMOTE}/x3')">` },
  { name: 'svg onload', html: `<svg onload="top.name='x4';fetch('${REMOTE}/x4')"><circle r=5 /></svg>` },
  { name: 'svg script', html: `<svg><script>fetch('${REMOTE}/x5')</script></svg>` },
  { name: 'svg animate href', html: `<svg><a><animate attributeName=href values=javascript:fetch('${REMOTE}/x6') /><text y=20>click</text></a></svg>` },
  { name: 'javascript: href', html: `<a id=js href="javascript:fetch('${REMOTE}/x7')">link</a>` },
  { name: 'entity-encoded javascript: href', html: `<a href="&#106;avascript:fetch('${REMOTE}/x8')">link</a>` },
  { name: 'data: href', html: `<a href="data:text/html,<script>fetch('${REMOTE}/x9')</script>">link</a>` },
  { name: 'iframe src', html: `<iframe src="${REMOTE}/x10"></iframe>` },
  { name: 'iframe srcdoc', html: `<iframe srcdoc="<script>fetch('${REMOTE}/x11')</script>"></iframe>` },
  { name: 'object data', html: `<object data="${REMOTE}/x12"></object>` },
  { name: 'embed src', html: `<embed src="${REMOTE}/x13">` },
  { name: 'form action', html: `<form action="${REMOTE}/x14" method=post><input name=a value=b><button id=submit>Go</button></form>` },
  { name: 'meta refresh', html: `<meta http-equiv="refresh" content="0;url=${REMOTE}/x15">` },
  { name: 'base href', html: `<base href="${REMOTE}/"><img src="x16.png">` },
  { name: 'style @import', html: `<style>@import url("${REMOTE}/x17.css");</style>` },
  { name: 'style element url()', html: `<style>body{background:url("${REMOTE}/x18.png")}</style>` },
  { name: 'style attribute url()', html: `<div style="background-image:url(${REMOTE}/x19.png)">bg</div>` },
  { name: 'CSS expression', html: `<div style="width:expression(fetch('${REMOTE}/x20'))">ie</div>` },
  { name: 'CSS escape url', html: `<div style="background:\\75 rl(${REMOTE}/x21.png)">esc</div>` },
  { name: 'position:fixed overlay', html: `<div id=overlay style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999">Your session expired, sign in</div>` },
  { name: 'link stylesheet', html: `<link rel=stylesheet href="${REMOTE}/x23.css">` },
  { name: 'body background', html: `<table background="${REMOTE}/x24.png"><tr><td>t</td></tr></table>` },
  { name: 'img srcset', html: `<img srcset="${REMOTE}/x25.png 1x">` },
  { name: 'video poster', html: `<video poster="${REMOTE}/x26.png"><source src="${REMOTE}/x26.mp4"></video>` },
  { name: 'audio src', html: `<audio src="${REMOTE}/x27.mp3" autoplay></audio>` },
  { name: 'input image', html: `<input type=image src="${REMOTE}/x28.png">` },
  { name: 'a ping', html: `<a href="https://example.net/" ping="${REMOTE}/x29">ping</a>` },
  { name: 'details ontoggle', html: `<details open ontoggle="fetch('${REMOTE}/x30')"><summary>s</summary></details>` },
  { name: 'body onload', html: `<body onload="fetch('${REMOTE}/x31')">` },
  { name: 'marquee onstart', html: `<marquee onstart="fetch('${REMOTE}/x32')">m</marquee>` },
  { name: 'remote image', html: `<img src="${REMOTE}/x38.png" alt="tracker">` },
  { name: 'vbscript', html: `<a href="vbscript:msgbox(1)">vb</a>` },
  { name: 'DOM clobbering', html: `<img name=cookie><form id=location></form><a id=defaultView>x</a>` },
  { name: 'mXSS noscript', html: `<noscript><p title="</noscript><img src=x onerror=fetch('${REMOTE}/x33')>">` },
  { name: 'mXSS svg style', html: `<svg></p><style><a id="</style><img src=1 onerror=fetch('${REMOTE}/x34')>">` },
  { name: 'mXSS math mglyph', html: `<math><mtext><table><mglyph><style><img src=x onerror=fetch('${REMOTE}/x35')>` },
  { name: 'mXSS form namespace', html: `<form><math><mtext></form><form><mglyph><style></math><img src onerror=fetch('${REMOTE}/x36')>` },
  { name: 'template', html: `<template><img src=x onerror="fetch('${REMOTE}/x37')"></template>` },
];

/** Every vector in one HTML document, with the listener's origin filled in. */
export function xssDocument(origin: string): string {
  return xssVectors.map((v) => `<div class=vector><h4>${v.name}</h4>${v.html.replaceAll(REMOTE, origin)}</div>`).join('\n');
}
