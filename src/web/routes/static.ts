// The plain web server of the lecture's HTTPS: files from web.root (default <data>/www)
// at every path the console and the API do not claim. @fastify/send (the engine of
// @fastify/static) gives the types, byte ranges (RFC 9110 §14), conditional requests
// (ETag, Last-Modified, 304, If-Range) and index.html for folders; @fastify/compress
// (src/web/app.ts) compresses text. The path rules are ours, checked before send sees
// the path: no "..", ".", empty or dot-file segments, no NUL or backslash, and the real
// location (symlinks resolved) must stay inside the root. (@fastify/static's own route
// reads every folder on the way with readdir per request to catch case-folding
// aliases, which Linux file systems do not have; it cost 5x the request rate.)

import { mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { resolve } from 'node:path';
import send from '@fastify/send';
import { WebError } from '../replies.ts';
import type { RouteGroup } from './types.ts';

/** The folder served at /: web.root (absolute, or relative to the data directory), or <data>/www. */
export function webRoot(dataDir: string, root: string): string {
  return resolve(dataDir, root || 'www');
}

/**
 * The decoded path of a request URL when every segment is an ordinary name, else null.
 * A trailing "/" (a folder, served by its index.html) is kept.
 */
export function staticPath(url: string): string | null {
  const raw = url.split('?', 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '' && i === segments.length - 1) continue;
    if (segment === '' || segment.startsWith('.')) return null;
  }
  return decoded;
}

/** Whether `path` (inside `realRoot` by name) also lies inside it once symlinks are resolved; missing paths count as inside (send answers 404). */
export async function staysInside(realRoot: string, path: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return true;
  }
  return real === realRoot || real.startsWith(realRoot + sep);
}

export const staticFiles: RouteGroup = {
  name: 'static',
  async register(app, { deps }) {
    const root = webRoot(deps.dataDir, deps.config.web.root);
    await mkdir(root, { recursive: true, mode: 0o700 });
    const realRoot = await realpath(root);
    const options = { root: realRoot, index: ['index.html'], dotfiles: 'deny' as const, etag: true, lastModified: true, acceptRanges: true, maxAge: 0 };
    app.route({
      method: ['GET', 'HEAD'],
      url: '/*',
      config: { access: 'public' },
      schema: { hide: true },
      handler: async (request, reply) => {
        const path = staticPath(request.raw.url ?? '/');
        if (path === null) throw new WebError('not-found', 'no such file');
        if (!(await staysInside(realRoot, join(realRoot, path)))) throw new WebError('not-found', 'no such file');
        const result = await send(request.raw, encodeURI(path), options);
        if (result.type === 'directory') return reply.redirect(`${encodeURI(path)}/`, 301);
        if (result.type === 'error') {
          result.stream?.destroy?.();
          if (result.statusCode === 404 || result.statusCode === 403) throw new WebError('not-found', 'no such file');
          return reply.code(result.statusCode).headers(result.headers).send(result.statusCode === 416 ? '' : undefined);
        }
        return reply.code(result.statusCode).headers(result.headers).send(result.stream);
      },
    });
  },
};
