// Handing the data directory to the service user and becoming that user for good,
// then proving that every folder in use can be written (exit 73 otherwise).

import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.ts';
import { becomeUser, type SystemUser } from '../core/os/privileges.ts';
import { secureTree } from '../core/os/private-files.ts';
import type { TftpServer } from '../tftp/server.ts';
import { checkDataFolders, currentUserName } from './data-folders.ts';

export async function handOverAndDrop(config: Config, serviceUser: SystemUser | null, tftp: TftpServer | null, log: Logger): Promise<void> {
  // Owner-only, and the service user's: repairs what is looser (logged per path).
  await secureTree(config.data, { owner: serviceUser ?? undefined, log: log.child({ component: 'data' }) });
  if (serviceUser) {
    // setuid applies to every thread of the process, the store's worker included.
    becomeUser(serviceUser);
    log.info({ user: serviceUser.name, uid: serviceUser.uid }, `running as ${serviceUser.name}`);
  }
  // Made as the service user, then checked with every other folder: exit 73 if unusable.
  await checkDataFolders(config, config.data, tftp, serviceUser?.name ?? currentUserName());
}
