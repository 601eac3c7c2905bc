// Reading a message: GET /api/mail/messages/:mailboxId/:uid (headers decoded, the
// text/plain body, the attachment list, and where the HTML is; marks it \Seen unless
// ?peek=true), GET .../html (the sanitised HTML as a document of its own under a CSP
// that allows no script, no network but https images once asked, and sandboxes it),
// GET .../parts/:part (one part, decoded, as a download).

import { pipeline } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { isKnownCharset, transferDecoder } from '../../core/mime/index.ts';
import { signedIn } from '../access.ts';
import { messageHeaders, parseStoredMessage, partByNumber, partDataUrl, partText, filenameOf } from '../mail/message.ts';
import { sanitizeMailHtml } from '../mail/sanitize.ts';
import { flagState } from '../mail/summary.ts';
import { WebError } from '../replies.ts';
import { mailTexts, messageParams, messageSchema, messageUrl, ownMessage, type MessageParams } from './mail-common.ts';
import type { RouteGroup } from './types.ts';

const TOKEN = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/;
const INLINE_TYPES = /^image\/(?:png|gif|jpe?g|webp|bmp)$/;

/** The frame's policy: nothing runs, nothing loads but data: images (and https: ones once allowed). */
export function frameCsp(allowRemoteImages: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${allowRemoteImages ? ' https:' : ''}`,
    "style-src 'unsafe-inline'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
    // CSP sandbox (no allow-scripts, no allow-same-origin); links may open a new tab.
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  ].join('; ');
}

const FRAME_STYLE = 'body{font-family:system-ui,sans-serif;margin:.5em;overflow-wrap:anywhere;color:#111;background:#fff}img{max-width:100%;height:auto}img[data-blocked]{display:inline-block;min-width:2em;min-height:1em;border:1px dashed #999;color:#666;font-size:.8em}pre{white-space:pre-wrap}';

/** RFC 6266 Content-Disposition with an ASCII fallback and the RFC 8187 UTF-8 name. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'private, no-store').header('X-Content-Type-Options', 'nosniff');
}

export const mailReadRoutes: RouteGroup = {
  name: 'mail-read',
  register(app, { deps }) {
    const store = deps.store;
    const web = () => deps.config.web;

    app.get('/api/mail/messages/:mailboxId/:uid', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'Read a message: decoded headers, text, attachments, where its HTML is; marks it seen',
        params: messageParams,
        querystring: { type: 'object', additionalProperties: false, properties: { peek: { type: 'boolean', default: false } } },
        response: { 200: messageSchema },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const { mailboxId, uid } = request.params as MessageParams;
      const { peek } = request.query as { peek?: boolean };
      const { mailbox, meta } = await ownMessage(store, account, mailboxId, uid);
      const parsed = await parseStoredMessage(store.blobs, meta);
      const headers = messageHeaders(parsed.root);
      let text: string | null = null;
      let textTruncated = false;
      if (parsed.textPart !== null) ({ text, truncated: textTruncated } = await partText(store.blobs, meta, parsed.textPart, web().mail_max_text));
      let html: { url: string; remoteImages: number; truncated: boolean } | null = null;
      if (parsed.htmlPart !== null) {
        const body = await partText(store.blobs, meta, parsed.htmlPart, web().mail_max_text);
        const { remoteImages } = sanitizeMailHtml(body.text, { allowRemoteImages: false, cidUrl: () => undefined });
        html = { url: `${messageUrl(mailbox.id, uid)}/html`, remoteImages, truncated: body.truncated };
      }
      let flags = meta.flags;
      if (!peek && !flagState(flags).seen) {
        const result = await store.mailboxes.storeFlags(mailbox.id, [uid], 'add', ['\\Seen']);
        flags = result.messages[0]?.flags ?? flags;
      }
      const base = messageUrl(mailbox.id, uid);
      noStore(reply);
      return {
        mailboxId: mailbox.id,
        uid,
        ...headers,
        internalDate: meta.internalDate.toISOString(),
        size: meta.size,
        flags: { flags, ...flagState(flags) },
        text,
        textTruncated,
        html,
        attachments: parsed.attachments.map((a) => ({ ...a, url: `${base}/parts/${a.part}` })),
      };
    });

    app.get('/api/mail/messages/:mailboxId/:uid/html', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'The sanitised HTML body as a sandboxed document (no scripts; remote images only with images=true)',
        params: messageParams,
        querystring: { type: 'object', additionalProperties: false, properties: { images: { type: 'boolean', default: false } } },
        response: { 200: { type: 'string', description: 'text/html' } },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const { mailboxId, uid } = request.params as MessageParams;
      const allowRemoteImages = (request.query as { images?: boolean }).images === true;
      const { meta } = await ownMessage(store, account, mailboxId, uid);
      const parsed = await parseStoredMessage(store.blobs, meta);
      if (parsed.htmlPart === null) throw new WebError('not-found', mailTexts.noPart);
      const body = await partText(store.blobs, meta, parsed.htmlPart, web().mail_max_text);
      // cid: images become data: URLs, read before sanitising (the hook is synchronous).
      const inline = new Map<string, string>();
      let budget = web().mail_max_inline_image * 4;
      for (const [cid, part] of parsed.cids) {
        if (!body.text.includes(cid)) continue;
        const url = await partDataUrl(store.blobs, meta, part, Math.min(web().mail_max_inline_image, budget));
        if (url === undefined) continue;
        budget -= url.length;
        inline.set(cid, url);
      }
      const clean = sanitizeMailHtml(body.text, { allowRemoteImages, cidUrl: (cid) => inline.get(cid) });
      const document = `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><style>${FRAME_STYLE}</style></head><body>${clean.html}</body></html>`;
      noStore(reply).header('Content-Security-Policy', frameCsp(allowRemoteImages)).header('Referrer-Policy', 'no-referrer');
      return reply.type('text/html; charset=utf-8').send(document);
    });

    app.get('/api/mail/messages/:mailboxId/:uid/parts/:part', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'One part of a message, decoded, as a download (inline=true shows raster images in place)',
        params: { ...messageParams, required: ['mailboxId', 'uid', 'part'], properties: { ...messageParams.properties, part: { type: 'string', maxLength: 100 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { inline: { type: 'boolean', default: false } } },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const { mailboxId, uid, part: number } = request.params as MessageParams & { part: string };
      const { meta } = await ownMessage(store, account, mailboxId, uid);
      const parsed = await parseStoredMessage(store.blobs, meta);
      const part = partByNumber(parsed.root, number);
      if (part === null) throw new WebError('not-found', mailTexts.noPart);
      let type = TOKEN.test(part.mediaType) ? part.mediaType : 'application/octet-stream';
      if (part.type.toLowerCase() === 'text' && part.charset !== null && isKnownCharset(part.charset)) type += `; charset=${part.charset.toLowerCase()}`;
      const inline = (request.query as { inline?: boolean }).inline === true && INLINE_TYPES.test(part.mediaType);
      noStore(reply)
        .header('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', filenameOf(part)))
        // Even if a browser rendered it, a part could run nothing and load nothing.
        .header('Content-Security-Policy', "default-src 'none'; img-src 'self' data:; sandbox");
      const raw = part.bodyEnd > part.bodyStart ? store.blobs.read(meta.blobId, { start: part.bodyStart, end: part.bodyEnd }, meta.size) : null;
      if (raw === null) return reply.type(type).send(Buffer.alloc(0));
      const decoder = transferDecoder(part.encoding);
      // pipeline: a read error of the blob ends the decoded stream too (the reply is cut, not hung).
      return reply.type(type).send(decoder === null ? raw : pipeline(raw, decoder, () => {}));
    });
  },
};

