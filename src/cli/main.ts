// `septet COMMAND ...`: one file per command group; this file only dispatches.

import { ConfigError } from '../core/config/load.ts';
import { FolderAccessError } from '../core/os/folder-check.ts';
import { UsageError } from './args.ts';

const usage = `usage:
  septet start [--data DIR] [--config FILE] [--hostname NAME] [--listen ADDR]... [--port-offset N]
  septet user add ADDRESS [--password PW] [--admin] [--send-as-domain]
  septet user import PASSWD-FILE [--domain D] [--replace]   (Dovecot passwd-file, hashes kept)
  septet user list [--schemes] | user passwd ADDRESS [--password PW] | user quota ADDRESS BYTES|none | user sendas ADDRESS on|off | user admin ADDRESS on|off | user del ADDRESS
  septet alias add ALIAS TARGET | alias list | alias del ALIAS
  septet queue list | queue show|retry|delete|hold|release ID
  septet ban list | ban add ADDRESS [--duration SECONDS] [--reason TEXT] | ban del ADDRESS
  septet sendmail [-t] [-f FROM] [RECIPIENT...]   (message on standard input)
  septet ftp ls|get|put|mkdir|rm|mirror URL ...   (septet ftp --help)
  septet tftp get|put HOST[:PORT] REMOTE [LOCAL]  (septet tftp --help)
  septet ssh fingerprints   (the SSH host keys' SHA-256 fingerprints)
  septet ssh key add ADDRESS FILE|- | ssh key list ADDRESS | ssh key del ADDRESS FINGERPRINT
  septet ssh keygen [--type ed25519|ecdsa|rsa] [--bits N] [--comment TEXT] [--passphrase] [--format openssh|ppk] [--out FILE] [--install ADDRESS]
Every command takes --data DIR (default ./data, or $SEPTET_DATA) and --config FILE.`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await (await import('./start.ts')).startCommand(rest);
      case 'user':
        return await (await import('./user.ts')).userCommand(rest);
      case 'alias':
        return await (await import('./alias.ts')).aliasCommand(rest);
      case 'ban':
        return await (await import('./ban.ts')).banCommand(rest);
      case 'queue':
        return await (await import('./queue.ts')).queueCommand(rest);
      case 'sendmail':
        return await (await import('./sendmail.ts')).sendmailCommand(rest);
      case 'ftp':
        return await (await import('./ftp.ts')).ftpCommand(rest);
      case 'tftp':
        return await (await import('./tftp.ts')).tftpCommand(rest);
      case 'ssh':
        return await (await import('./ssh.ts')).sshCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage + '\n');
        return;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`septet: ${error.message}\n${usage}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`septet: bad configuration: ${error.message}\n`);
      process.exitCode = 78; // EX_CONFIG
    } else if (error instanceof FolderAccessError) {
      process.stderr.write(`septet: ${error.message}\n`);
      process.exitCode = error.exitCode; // EX_CANTCREAT
    } else {
      process.stderr.write(`septet: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
