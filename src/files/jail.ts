// The home-folder jail shared by the file protocols (FTP, SFTP, the web console; TFTP
// with its own root). A client names files by virtual paths ("/docs/a.txt", "a.txt",
// "../x"), always relative to the jail's root: ".." stops at the root (or, for a jail
// opened with `parents: 'refuse'`, as TFTP's is, like tftpd-hpa --secure, is refused),
// an absolute path starts at the root, and a NUL octet is refused. Symbolic links may exist inside
// the home, but a path whose real location (realpath) is outside the root is refused,
// so a link cannot lead out. Names are taken literally: "%2e%2e" is a file name, not
// "..", since no protocol here percent-decodes paths.

import { lstat, mkdir, realpath } from 'node:fs/promises';
import { posix, sep, join, resolve as resolveNative } from 'node:path';

export class JailError extends Error {
  /** 'parent': a ".." in a jail that refuses them. */
  readonly reason: 'invalid' | 'parent' | 'outside' | 'not-found';
  constructor(reason: JailError['reason'], message: string) {
    super(message);
    this.name = 'JailError';
    this.reason = reason;
  }
}

export interface ResolvedPath {
  /** Normalised path as the client sees it, always starting with "/". */
  virtual: string;
  /** Absolute path on the server's file system. */
  real: string;
}

/** What a ".." segment does: stop at the root (FTP, RFC 959 CDUP) or refuse the path (TFTP). */
export type ParentSegments = 'clamp' | 'refuse';

/** Whether `path` is `folder` or lies beneath it (both real, absolute paths). */
export function isInside(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

export class HomeJail {
  /** The root's real path (symlinks resolved once, at creation). */
  readonly root: string;
  readonly parents: ParentSegments;

  private constructor(root: string, parents: ParentSegments) {
    this.root = root;
    this.parents = parents;
  }

  /** A jail over an existing folder, created when `create` is set; ".." stops at the root unless `parents` is 'refuse'. */
  static async open(root: string, options: { create?: boolean; parents?: ParentSegments } = {}): Promise<HomeJail> {
    if (options.create) await mkdir(root, { recursive: true, mode: 0o700 });
    return new HomeJail(await realpath(root), options.parents ?? 'clamp');
  }

  /** "/a/b" for `path` seen from the virtual folder `cwd`; never above "/". */
  static normalize(cwd: string, path: string, parents: ParentSegments = 'clamp'): string {
    if (path.includes('\0')) throw new JailError('invalid', 'path contains a NUL octet');
    const joined = path.startsWith('/') ? path : `${cwd}/${path}`;
    const parts: string[] = [];
    for (const part of joined.split('/')) {
      if (part === '' || part === '.') continue;
      if (part !== '..') parts.push(part);
      else if (parents === 'refuse') throw new JailError('parent', 'path contains ".."');
      else parts.pop();
    }
    return `/${parts.join('/')}`;
  }

  /** `normalize` with this jail's rule for "..". */
  virtualPath(cwd: string, path: string): string {
    return HomeJail.normalize(cwd, path, this.parents);
  }

  /**
   * Resolves a client path. The target need not exist (STOR, MKD), but the real path
   * of its nearest existing ancestor, and of the target itself when it exists, must
   * lie inside the root; otherwise JailError('outside').
   */
  async resolve(cwd: string, path: string): Promise<ResolvedPath> {
    const virtual = this.virtualPath(cwd, path);
    const real = this.lexical(virtual);
    await this.checkInside(real);
    return { virtual, real };
  }

  /**
   * Resolves a path that must exist, `real` with every symlink resolved (so the caller
   * may open it with O_NOFOLLOW); JailError('outside') when that lies outside the root.
   * A missing target rejects with the file system's error (ENOENT, ENOTDIR).
   */
  async resolveExisting(cwd: string, path: string): Promise<ResolvedPath> {
    const virtual = this.virtualPath(cwd, path);
    const real = await realpath(this.lexical(virtual));
    if (!this.contains(real)) throw new JailError('outside', 'path leads outside the home folder');
    return { virtual, real };
  }

  private lexical(virtual: string): string {
    return virtual === '/' ? this.root : join(this.root, ...virtual.slice(1).split('/'));
  }

  /** The virtual path of a real path inside the jail. */
  virtualOf(real: string): string {
    const rel = real.slice(this.root.length).split(sep).join('/');
    return rel === '' ? '/' : posix.normalize(rel.startsWith('/') ? rel : `/${rel}`);
  }

  private async checkInside(real: string): Promise<void> {
    let probe = real;
    for (;;) {
      try {
        const resolved = await realpath(probe);
        if (!this.contains(resolved)) throw new JailError('outside', 'path leads outside the home folder');
        return;
      } catch (error) {
        if (error instanceof JailError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        // A dangling symlink could be made to point anywhere later: refuse it.
        if (probe === real) await refuseDanglingLink(real);
        const parent = resolveNative(probe, '..');
        if (parent === probe) throw new JailError('not-found', 'no such path');
        probe = parent;
      }
    }
  }

  /** Whether a real path lies inside the root. */
  contains(resolved: string): boolean {
    return isInside(this.root, resolved);
  }
}

async function refuseDanglingLink(path: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (st?.isSymbolicLink()) throw new JailError('outside', 'dangling symbolic link');
}

/**
 * A user's home: <data>/home/<address>/, made on first login. The address comes from
 * the account store; anything that could act as a path separator or escape is refused.
 */
export async function openUserHome(dataDir: string, address: string): Promise<HomeJail> {
  const name = address.toLowerCase();
  if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) throw new JailError('invalid', `unusable account name for a home folder: ${address}`);
  return HomeJail.open(join(dataDir, 'home', name), { create: true });
}
