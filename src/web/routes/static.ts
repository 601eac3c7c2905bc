// The plain web server of the lecture's HTTPS: files from web.root (default <data>/www)
// at every path the console and the API do not claim. @fastify/static (send) gives the
// types, byte ranges (RFC 9110 §14), conditional requests (ETag, Last-Modified, 304,
// If-Range) and index.html for folders; @fastify/compress (src/web/app.ts) compresses
// text, and precompressed NAME.br / NAME.gz next to a file are sent when present.
// Nothing outside the root is reachable: send refuses ".." and NUL, dotfiles are
// refused, and a path whose real location (symlinks resolved) leaves the root is 404.

import { realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { RouteGroup } from './types.ts';

/** The folder served at /: web.root (absolute, or relative to the data directory), or <data>/www. */
export function webRoot(dataDir: string, root: string): string {
  return resolve(dataDir, root || 'www');
}

/** Whether `path` (inside `root` by name) also lies inside it once symlinks are resolved. */
export function staysInside(realRoot: string, path: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    // Missing: send answers 404 itself; a dangling link too.
    return true;
  }
  return real === realRoot || real.startsWith(realRoot + sep);
}

export const staticFiles: RouteGroup = {
  name: 'static',
  async register(app, { deps }) {
    const root = webRoot(deps.dataDir, deps.config.web.root);
    await mkdir(root, { recursive: true, mode: 0o700 });
    const realRoot = realpathSync(root);
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      decorateReply: false,
      wildcard: true,
      index: ['index.html'],
      dotfiles: 'deny',
      etag: true,
      lastModified: true,
      acceptRanges: true,
      preCompressed: true,
      cacheControl: true,
      maxAge: 0,
      allowedPath: (pathName) => staysInside(realRoot, join(realRoot, pathName)),
    });
  },
};
