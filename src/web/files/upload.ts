// One uploaded file, streamed to disk: written to a temporary file in the target
// folder (a hidden ".septet-upload-<random>", owner-only, created exclusively), each
// chunk charged to the account's quota before it is written, fsynced, then renamed over
// the final name, and the folder fsynced. So the final name never holds a partial file:
// a failed, cut or refused upload leaves the old file (if any) as it was and removes
// its temporary file. An existing file of the name is replaced, as FTP STOR and SFTP
// put do; a folder or link of the name is refused.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileArea } from '../../files/file-area.ts';
import { WebError } from '../replies.ts';
import { checkNewName, openInHome, syncFolder, UPLOAD_PREFIX } from './paths.ts';

export interface StoredUpload {
  name: string;
  size: number;
  /** Whether a file of that name was replaced. */
  replaced: boolean;
}

/** The part's file stream (busboy's: `truncated` once it passed the size limit). */
export type UploadStream = Readable & { truncated?: boolean };

/**
 * Stores `stream` as `name` in the folder `folderReal` (a real path the jail checked).
 * Rejects with WebError('too-large') past `maxBytes`, QuotaExceededError (src/files/limits.ts) past the quota.
 */
export async function storeUpload(area: FileArea, folderReal: string, name: string, stream: UploadStream, maxBytes: number): Promise<StoredUpload> {
  const { jail, quota } = area;
  checkNewName(name);
  const target = join(folderReal, name);
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile()) throw new WebError('conflict', `${name} exists and is not a plain file`);
  const temporary = join(folderReal, `${UPLOAD_PREFIX}${randomBytes(9).toString('base64url')}`);
  const handle = await openInHome(jail, temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
  let written = 0;
  let renamed = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (stream.truncated || written + chunk.length > maxBytes) throw new WebError('too-large', `larger than the upload limit of ${maxBytes} octets`);
      quota.add(chunk.length);
      written += chunk.length;
      let offset = 0;
      while (offset < chunk.length) offset += (await handle.write(chunk, offset, chunk.length - offset, null)).bytesWritten;
    }
    // busboy ends a truncated stream normally: the flag is the only sign.
    if (stream.truncated) throw new WebError('too-large', `larger than the upload limit of ${maxBytes} octets`);
    await handle.sync();
    await handle.close();
    await rename(temporary, target);
    renamed = true;
    if (existing) quota.add(-existing.size);
    await syncFolder(jail, folderReal);
    return { name, size: written, replaced: existing !== null };
  } catch (error) {
    // Drain what is left of the part, so the request ends and the error can be answered.
    stream.resume();
    await handle.close().catch(() => {});
    if (!renamed) {
      await unlink(temporary).catch(() => {});
      quota.add(-written);
    }
    throw error;
  }
}
