// septet user import FILE [--domain D] [--replace]: users from a Dovecot passwd-file,
// with the hashes they have, so a site moves without resetting passwords. Each hash is
// replaced by one of auth.password_scheme at the user's next login (authenticator.ts).
// An existing user is left as it is unless --replace (then only its hash changes), so the
// import can be run again after fixing refused lines. Exit status 1 when a line was refused.

import { readFile } from 'node:fs/promises';
import { hashPassword, passwordPolicy } from '../core/auth/password.ts';
import { importPassword, parsePasswdFile } from '../core/auth/passwd-file.ts';
import { StoreError } from '../core/store/types.ts';
import { UsageError } from './args.ts';
import { normalizeAddressArgument, withStore } from './store.ts';

export interface ImportOptions {
  file: string | undefined;
  /** Domain of users written without one (default: default_domain). */
  domain?: string | undefined;
  replace: boolean;
  values: { data?: string | boolean | undefined; config?: string | boolean | undefined };
}

export async function importUsers(options: ImportOptions): Promise<void> {
  if (!options.file) throw new UsageError('user import: give a passwd-file');
  const { entries, malformed } = parsePasswdFile(await readFile(options.file, 'utf8'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const counts = { added: 0, replaced: 0, skipped: 0, refused: malformed.length };
  for (const bad of malformed) say(`line ${bad.line}: refused: ${bad.message}`);
  await withStore(options.values, async (store, config) => {
    const domain = (options.domain ?? config.default_domain).trim();
    for (const entry of entries) {
      const refuse = (reason: string) => {
        counts.refused++;
        say(`line ${entry.line}: ${entry.user}: refused: ${reason}`);
      };
      if (!entry.user.includes('@') && domain === '') {
        refuse('no domain (give --domain or set default_domain)');
        continue;
      }
      let address: string;
      try {
        address = normalizeAddressArgument(entry.user.includes('@') ? entry.user : `${entry.user}@${domain}`);
      } catch (error) {
        refuse((error as Error).message);
        continue;
      }
      const imported = importPassword(entry.password);
      if (imported.kind === 'refused') {
        refuse(imported.reason);
        continue;
      }
      const existing = await store.accounts.getUser(address);
      if (existing && !options.replace) {
        counts.skipped++;
        say(`${address}: exists, skipped (--replace to take the file's password)`);
        continue;
      }
      const stored = imported.kind === 'hash' ? imported.stored : await hashPassword(imported.password, passwordPolicy(config.auth));
      const scheme = imported.kind === 'hash' ? `{${imported.scheme}}` : `{PLAIN}, hashed as ${config.auth.password_scheme}`;
      if (existing) {
        await store.accounts.setPassword(address, stored);
        counts.replaced++;
        say(`${address}: password replaced (${scheme})`);
        continue;
      }
      try {
        await store.accounts.addUser(address, stored);
      } catch (error) {
        if (error instanceof StoreError) {
          refuse(error.code === 'exists' ? 'the address is an alias' : error.message);
          continue;
        }
        throw error;
      }
      counts.added++;
      say(`${address}: added (${scheme})`);
    }
  });
  say(`imported ${counts.added}, replaced ${counts.replaced}, skipped ${counts.skipped}, refused ${counts.refused}`);
  if (counts.refused > 0) process.exitCode = 1;
}
