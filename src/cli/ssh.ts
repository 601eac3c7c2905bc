// septet ssh SUBCOMMAND ...: the SSH server's command group, one table of subcommands:
// fingerprints (here), key add|list|del and keygen (src/cli/ssh-keys.ts).
//
//   septet ssh fingerprints [--data DIR]   the host keys' SHA-256 fingerprints, as
//       `ssh-keygen -lf` prints them (making the keys first if the server never ran,
//       so they can be published before the first start)

import { makePrivateDir } from '../core/os/private-files.ts';
import { ensureHostKeys, type HostKey } from '../ssh/host-keys.ts';
import { loadSettings, parse, UsageError } from './args.ts';

type Subcommand = (argv: string[]) => Promise<void>;

const subcommands: Record<string, Subcommand> = {
  fingerprints,
  key: async (argv) => (await import('./ssh-keys.ts')).sshKeyCommand(argv),
  keygen: async (argv) => (await import('./ssh-keys.ts')).sshKeygenCommand(argv),
};

export async function sshCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const run = sub === undefined ? undefined : subcommands[sub];
  if (!run) throw new UsageError(sub === undefined ? 'ssh: which subcommand?' : `ssh: unknown subcommand "${sub}"`);
  await run(rest);
}

async function fingerprints(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  if (positionals.length > 0) throw new UsageError('ssh fingerprints takes no arguments');
  const { dataDir } = await loadSettings(values);
  await makePrivateDir(dataDir);
  for (const key of await ensureHostKeys(dataDir)) process.stdout.write(`${formatFingerprint(key)}\n`);
}

/** `ssh-keygen -lf` style: "256 SHA256:... FILE (ED25519)". */
export function formatFingerprint(key: HostKey): string {
  const label = key.type === 'ssh-ed25519' ? 'ED25519' : key.type.startsWith('ecdsa-') ? 'ECDSA' : key.type === 'ssh-rsa' ? 'RSA' : key.type;
  return `${key.bits} ${key.fingerprint} ${key.file}.pub (${label})`;
}
