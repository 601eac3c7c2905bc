// The handle table of one SFTP session (draft-ietf-secsh-filexfer-02 §6.2: "handles are
// opaque strings" of at most 256 octets, valid until SSH_FXP_CLOSE). Bounded by
// `sftp.max_handles` (advertised as max-open-handles in limits@openssh.com), so a client
// cannot hold an unbounded number of descriptors.

import type { Dir } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ChargedFile } from './charged.ts';
import { FX } from './wire.ts';
import { noSuchHandle, SftpError, TEXT } from './replies.ts';

export interface OpenFile {
  readonly kind: 'file';
  readonly fh: FileHandle;
  readonly virtual: string;
  /** Identity of the file (device:inode), so requests on two handles of one file are ordered. */
  readonly key: string;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly append: boolean;
  /** The quota's size of the file, shared by every handle on it (src/sftp/charged.ts). */
  readonly charged: ChargedFile;
  /** Octets read or written through this handle (the transfer log). */
  bytes: number;
  readonly openedAt: number;
  /** A write failed: the transfer log says "failed". */
  failed: boolean;
}

export interface OpenDir {
  readonly kind: 'dir';
  readonly dir: Dir;
  readonly virtual: string;
  readonly real: string;
  done: boolean;
}

export type OpenHandle = OpenFile | OpenDir;

export class HandleTable {
  private readonly map = new Map<string, OpenHandle>();
  private readonly max: number;
  private next = 1;

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.map.size;
  }

  /** Refuses before anything is opened when the table is full. */
  checkRoom(): void {
    if (this.map.size >= this.max) throw new SftpError(FX.FAILURE, TEXT.tooManyHandles);
  }

  add(entry: OpenHandle): string {
    this.checkRoom();
    const name = (this.next++).toString(16);
    this.map.set(name, entry);
    return name;
  }

  lookup(handle: Buffer): OpenHandle | undefined {
    return handle.length > 16 ? undefined : this.map.get(handle.toString('latin1'));
  }

  file(handle: Buffer): OpenFile {
    const h = this.lookup(handle);
    if (h?.kind !== 'file') throw noSuchHandle();
    return h;
  }

  dir(handle: Buffer): OpenDir {
    const h = this.lookup(handle);
    if (h?.kind !== 'dir') throw noSuchHandle();
    return h;
  }

  remove(handle: Buffer): OpenHandle {
    const name = handle.toString('latin1');
    const h = this.map.get(name);
    if (!h) throw noSuchHandle();
    this.map.delete(name);
    return h;
  }

  /** Takes every handle out (the session ends). */
  drain(): OpenHandle[] {
    const all = [...this.map.values()];
    this.map.clear();
    return all;
  }
}
