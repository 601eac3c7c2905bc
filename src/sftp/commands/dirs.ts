// Directory listing (draft-ietf-secsh-filexfer-02 §6.7): OPENDIR and READDIR. Each
// READDIR answers up to `sftp.readdir_batch` names with attributes (lstat: a link is
// shown as a link) and an `ls -l` long name; SSH_FX_EOF once the folder is exhausted.

import { opendir } from 'node:fs/promises';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { FX } from '../wire.ts';
import { TEXT } from '../replies.ts';
import { descriptorPath, descriptorPathAvailable, existing, longname, openInside, statAttrs } from './helpers.ts';
import { constants, type Dir } from 'node:fs';
import { define, type NameEntry } from './types.ts';

export const openDir = define({
  name: 'OPENDIR',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    ctx.handles.checkRoom();
    const found = await existing(ctx.jail, a.path);
    // Opened through a checked descriptor (openInside), then listed through that descriptor.
    const fd = await openInside(ctx.jail, found.real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK);
    let dir: Dir;
    let real: string;
    try {
      real = (await descriptorPath(fd)) ?? found.real;
      dir = await opendir(descriptorPathAvailable ? `/proc/self/fd/${fd.fd}` : real, { bufferSize: 64 });
    } finally {
      await fd.close().catch(() => {});
    }
    return { kind: 'handle', handle: ctx.handles.add({ kind: 'dir', dir, virtual: found.virtual, real, done: false }) };
  },
});

export const readDir = define({
  name: 'READDIR',
  parse: (r) => ({ handle: r.bytes() }),
  async run(ctx, a: { handle: Buffer }) {
    const h = ctx.handles.dir(a.handle);
    // A batch whose names all vanished since the folder was read is skipped: an empty
    // NAME reply would end some clients' listing early.
    while (!h.done) {
      const names: string[] = [];
      while (!h.done && names.length < ctx.limits.readdirBatch) {
        const next = await h.dir.read();
        if (next === null) h.done = true;
        else names.push(next.name);
      }
      const now = Date.now();
      const entries = await Promise.all(
        names.map(async (name): Promise<NameEntry | null> => {
          const st = await lstat(join(h.real, name)).catch(() => null);
          return st ? { filename: name, longname: longname(name, st, ctx.user, now), attrs: statAttrs(st) } : null;
        }),
      );
      const found = entries.filter((e): e is NameEntry => e !== null);
      if (found.length > 0) return { kind: 'name', entries: found };
    }
    return { kind: 'status', code: FX.EOF, message: TEXT.eof };
  },
});
