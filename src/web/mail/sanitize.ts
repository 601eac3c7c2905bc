// Hostile HTML mail made harmless on the SERVER, before any browser sees it: DOMPurify
// over jsdom (which parses as a browser does, so mutation-XSS tricks parse the same
// way here and in the page). What survives is shown in a sandboxed frame without
// scripts under its own strict CSP (routes/mail-frame.ts): this is the first of three
// walls, not the only one.
//
// Removed: scripts, event handlers, SVG and MathML, forms and their controls, frames,
// objects, embeds, <base>, <meta>, <link>, <style> elements (no @import, no selectors
// that restyle the page), media elements; URLs other than http(s)/mailto in links;
// style declarations that load (url(), image-set), run (expression, behavior,
// -moz-binding, javascript:) or overlay (position fixed/absolute/sticky), and any with
// CSS escapes. Images: cid: parts become data: URLs of that part (inline images);
// data: only for raster image types; remote http(s) images are replaced by a
// placeholder and counted, and kept (https only) when the user asked for them.

import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';

export interface SanitizeOptions {
  /** Keep https: images (the user pressed "show remote images"). */
  allowRemoteImages: boolean;
  /** Content-ID (without <>) to a data: URL of that part, or undefined when unknown or too large. */
  cidUrl: (contentId: string) => string | undefined;
}

export interface SanitizedHtml {
  html: string;
  /** Remote images blocked (or, when allowed, kept). */
  remoteImages: number;
}

// The DOM of jsdom's window, as far as this file touches it.
interface DomElement {
  nodeName: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  hasAttribute(name: string): boolean;
}
interface Purifier {
  sanitize(html: string, config: Record<string, unknown>): string;
  addHook(name: 'afterSanitizeAttributes' | 'uponSanitizeAttribute', hook: (node: DomElement, data?: { attrName: string; attrValue: string; keepAttr: boolean }) => void): void;
  removeAllHooks(): void;
}

const purify = (createDOMPurify as unknown as (window: unknown) => Purifier)(new JSDOM('').window);

const FORBID_TAGS = ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'video', 'audio', 'source', 'track', 'picture', 'portal', 'template', 'noscript', 'dialog'];
const FORBID_ATTR = ['srcset', 'ping', 'background', 'poster', 'lowsrc', 'dynsrc', 'action', 'formaction', 'xlink:href', 'srcdoc', 'autofocus', 'usemap', 'longdesc', 'cite', 'manifest', 'integrity', 'nonce'];
const LINK_SCHEMES = /^(?:https?:|mailto:)/i;
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$/i;
const BAD_STYLE = /url\s*\(|image-set|expression|javascript|vbscript|behavior|binding|@import|\\|<|>/i;
const OVERLAY = /^\s*position\s*:\s*(?:fixed|absolute|sticky)/i;

/** The style attribute with only harmless declarations left ('' when none). */
export function cleanStyle(style: string): string {
  return style
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && d.includes(':') && !BAD_STYLE.test(d) && !OVERLAY.test(d))
    .join('; ');
}

export function sanitizeMailHtml(html: string, options: SanitizeOptions): SanitizedHtml {
  let remoteImages = 0;
  purify.removeAllHooks();
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.hasAttribute('style')) {
      const style = cleanStyle(node.getAttribute('style') ?? '');
      if (style === '') node.removeAttribute('style');
      else node.setAttribute('style', style);
    }
    const name = node.nodeName.toLowerCase();
    if (name === 'a' || name === 'area') {
      const href = (node.getAttribute('href') ?? '').trim();
      if (href !== '' && !LINK_SCHEMES.test(href) && !href.startsWith('#')) node.removeAttribute('href');
      // Links leave the frame for a tab of their own, telling the site nothing.
      if (node.hasAttribute('href') && !href.startsWith('#')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
    if (name === 'img') {
      const src = (node.getAttribute('src') ?? '').trim();
      node.removeAttribute('src');
      if (/^cid:/i.test(src)) {
        const url = options.cidUrl(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, ''));
        if (url !== undefined) node.setAttribute('src', url);
      } else if (DATA_IMAGE.test(src)) {
        node.setAttribute('src', src);
      } else if (/^https?:/i.test(src)) {
        remoteImages++;
        if (options.allowRemoteImages && /^https:/i.test(src)) node.setAttribute('src', src);
        else {
          node.setAttribute('data-blocked', 'remote image');
          if (!node.hasAttribute('alt')) node.setAttribute('alt', '[remote image]');
        }
      }
    }
  });
  const clean = purify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: true,
    WHOLE_DOCUMENT: false,
    // Text inside removed <style>, <script> and the like goes with it.
    KEEP_CONTENT: true,
    SANITIZE_DOM: true,
    SANITIZE_NAMED_PROPS: true,
  });
  purify.removeAllHooks();
  return { html: clean, remoteImages };
}
