// Which folders the running server works in, and whether the service user can: the
// check after the privilege drop (src/core/os/folder-check.ts), before "ready".

import { access } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../core/config/schema.ts';
import { checkFolders, checkWritableFolders, explain, type FolderUse } from '../core/os/folder-check.ts';
import { sqliteStoreFolders } from '../core/store/sqlite/sqlite-store.ts';
import { selfSignedPaths } from '../core/tls/self-signed-files.ts';
import type { TftpRoot } from '../tftp/dispatch.ts';
import type { TftpServer } from '../tftp/server.ts';

const exists = (path: string) => access(path).then(() => true, () => false);

/** The folders in use, most basic first (the data directory before what is in it). */
export async function foldersInUse(config: Config, dataDir: string): Promise<FolderUse[]> {
  const store = sqliteStoreFolders(dataDir);
  const folders: FolderUse[] = [
    { path: store.dataDir, need: 'write', what: 'data directory' },
    // One fan-out folder gets the full probe; checkDataFolders() looks at the others' permissions.
    { path: store.blobFolders[0]!, need: 'write', what: 'message body folder' },
  ];
  const tls = selfSignedPaths(dataDir).dir;
  if (await exists(tls)) folders.push({ path: tls, need: 'write', what: 'TLS folder' });
  const ftp = config.ftp.enabled || config.ftps.enabled;
  const home = join(dataDir, 'home');
  if (ftp && (await exists(home))) folders.push({ path: home, need: 'write', what: 'home folder' });
  const pub = join(dataDir, 'pub');
  if (ftp && config.ftp.anonymous && (await exists(pub))) folders.push({ path: pub, need: 'read', what: 'anonymous FTP folder' });
  return folders;
}

/** The TFTP root, and its upload folder when uploads are on. */
export function tftpFolders(config: Config, tftp: TftpRoot): FolderUse[] {
  const folders: FolderUse[] = [{ path: tftp.jail.root, need: config.tftp.allow_write ? 'write' : 'read', what: 'TFTP root' }];
  if (config.tftp.allow_write && tftp.uploadDir) folders.push({ path: tftp.uploadDir, need: 'write', what: 'TFTP upload folder' });
  return folders;
}

/**
 * Throws FolderAccessError (exit 73) naming the first folder the current user cannot
 * use: the data directory's, then the TFTP root, made here as that user.
 */
export async function checkDataFolders(config: Config, dataDir: string, tftp: TftpServer | null, userName: string): Promise<TftpRoot | null> {
  await checkFolders(await foldersInUse(config, dataDir), userName);
  await checkWritableFolders(sqliteStoreFolders(dataDir).blobFolders, 'message body folder', userName);
  if (!tftp) return null;
  const root = await prepareTftpRoot(tftp, config, dataDir, userName);
  await checkFolders(tftpFolders(config, root), userName);
  return root;
}

/** The TFTP root, made as the service user; a folder it cannot make is a FolderAccessError. */
async function prepareTftpRoot(tftp: TftpServer, config: Config, dataDir: string, userName: string): Promise<TftpRoot> {
  try {
    return await tftp.prepare();
  } catch (error) {
    const root = config.tftp.root || 'tftp';
    throw await explain({ path: resolve(dataDir, root), need: 'write', what: 'TFTP root' }, error as NodeJS.ErrnoException, userName);
  }
}

/** The name of the user this process runs as, for messages. */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
