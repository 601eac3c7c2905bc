// septet ssh key add|list|del and septet ssh keygen: SSH public keys per account
// (OpenSSH's authorized_keys, kept in the store) and a key generator like PuTTYgen.
// The router (src/cli/ssh.ts) hands over what follows "ssh key" / "ssh keygen".
//
// Files given are read before the store opens: as root, opening the store switches to
// the data directory's owner (store.ts), who may not read the caller's files; for the
// same reason keygen writes its files before --install opens the store.

import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KeyFormatError } from '../core/keys/errors.ts';
import { installKeys, normalizeFingerprint, type InstallResult } from '../core/keys/install.ts';
import { defaultComment, generateKey, type KeyType, type PrivateKeyFormat } from '../core/keys/keygen.ts';
import { KEY_TEXT_MAX, parsePublicKeys } from '../core/keys/parse.ts';
import { describeKey, formatOpenSshLine, publicKeyFromBlob, type PublicKey } from '../core/keys/public-key.ts';
import type { Store } from '../core/store/types.ts';
import { parse, UsageError } from './args.ts';
import { normalizeAddressArgument, withStore } from './store.ts';

export const sshKeyUsage = `  septet ssh key add ADDRESS FILE|-      (OpenSSH .pub or authorized_keys, RFC 4716, PuTTY .ppk v2/v3)
  septet ssh key list ADDRESS | ssh key del ADDRESS FINGERPRINT
  septet ssh keygen [--type ed25519|ecdsa|rsa] [--bits N] [--comment TEXT] [--passphrase]
                    [--format openssh|ppk] [--out FILE] [--install ADDRESS]`;

/** The passphrase's environment variable (used first when set; see readPassphrase). */
export const PASSPHRASE_ENV = 'SEPTET_KEY_PASSPHRASE';

async function readKeyInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > KEY_TEXT_MAX) throw new KeyFormatError(`more than ${KEY_TEXT_MAX} octets on standard input: not a public key file`);
    }
    return Buffer.concat(chunks);
  }
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  if (!info.isFile()) throw new Error(`${file} is not a file`);
  if (info.size > KEY_TEXT_MAX) throw new KeyFormatError(`${file} is larger than ${KEY_TEXT_MAX} octets: not a public key file`);
  return readFile(file);
}

/** A stored key's size for the listing (0 if it no longer passes today's checks). */
function bitsOf(blob: Buffer): number {
  try {
    return publicKeyFromBlob(blob, '').bits;
  } catch {
    return 0;
  }
}

async function requireAccount(store: Store, address: string) {
  const account = await store.accounts.getUser(address);
  if (!account) throw new Error(`no such user: ${address}`);
  return account;
}

function reportInstall(result: InstallResult, address: string): void {
  for (const key of result.added) {
    process.stdout.write(`added ${key.fingerprint} ${key.comment || '(no comment)'} for ${address}\n`);
    for (const note of key.notes) process.stdout.write(`  note: ${note}\n`);
  }
  for (const key of result.present) process.stdout.write(`already present: ${key.fingerprint} ${key.comment || '(no comment)'}\n`);
}

export async function sshKeyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action, address, argument, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`ssh key ${action}: too many arguments`);
  switch (action) {
    case 'add': {
      const normalized = normalizeAddressArgument(address);
      if (!argument) throw new UsageError('ssh key add: give ADDRESS and FILE (- for standard input)');
      const { keys } = parsePublicKeys(await readKeyInput(argument));
      const result = await withStore(values, async (store) => installKeys(store.sshKeys, (await requireAccount(store, normalized)).id, keys));
      reportInstall(result, normalized);
      if (result.added.length === 0) throw new Error(`${normalized} has ${keys.length === 1 ? 'this key' : 'these keys'} already`);
      return;
    }
    case 'list': {
      const normalized = normalizeAddressArgument(address);
      if (argument !== undefined) throw new UsageError('ssh key list: give only ADDRESS');
      await withStore(values, async (store) => {
        for (const key of await store.sshKeys.list((await requireAccount(store, normalized)).id)) {
          const bits = bitsOf(key.publicKey);
          process.stdout.write(`${key.algorithm}\t${bits}\t${key.fingerprint}\t${key.comment || '(no comment)'}\tadded ${key.createdAt.toISOString().replace(/\.\d+Z$/, 'Z')}\n`);
        }
      });
      return;
    }
    case 'del': {
      const normalized = normalizeAddressArgument(address);
      if (!argument) throw new UsageError('ssh key del: give ADDRESS and FINGERPRINT (as ssh key list shows it)');
      const fingerprint = normalizeFingerprint(argument);
      if (!fingerprint) throw new UsageError(`ssh key del: not a SHA256 fingerprint: ${argument}`);
      await withStore(values, async (store) => {
        if (!(await store.sshKeys.delete((await requireAccount(store, normalized)).id, fingerprint))) throw new Error(`${normalized} has no key ${fingerprint}`);
      });
      process.stdout.write(`deleted ${fingerprint} of ${normalized}\n`);
      return;
    }
    default:
      throw new UsageError('ssh key: expected add, list or del');
  }
}

/** Reads one line from a terminal without echoing it (raw mode; Backspace edits, Ctrl-C cancels). */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u0004') {
          if (text === '') return finish(null);
        } else if (char === '\u007f' || char === '\b') text = [...text].slice(0, -1).join('');
        else if (char >= ' ') text += char;
      }
    };
    // Echo off before the prompt shows, so nothing typed after it is echoed.
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
    process.stderr.write(prompt);
  });
}

/**
 * The passphrase for --passphrase: $SEPTET_KEY_PASSPHRASE when set; else, on a terminal,
 * typed twice without echo; else the first line of standard input.
 */
export async function readPassphrase(): Promise<Buffer> {
  let passphrase: string;
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') passphrase = fromEnv;
  else if (process.stdin.isTTY) {
    passphrase = await readHidden('Passphrase for the new key: ');
    if (passphrase !== '' && (await readHidden('The same passphrase again: ')) !== passphrase) throw new Error('the passphrases differ');
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
      if ((chunk as Buffer).includes(0x0a) || Buffer.concat(chunks).length > 4096) break;
    }
    passphrase = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  if (passphrase === '') throw new UsageError('empty passphrase (leave out --passphrase for a key without one)');
  return Buffer.from(passphrase, 'utf8');
}

/** Creates a file only if it does not exist, owner-only (the private key). */
async function writeNewFile(file: string, text: string, mode: number): Promise<void> {
  const handle = await open(file, 'wx', mode).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'EEXIST' ? `${file} exists: give another --out (keygen never overwrites a key)` : `cannot write ${file}: ${error.message}`);
  });
  try {
    await handle.writeFile(text);
    await handle.chmod(mode); // the umask may have taken bits away; never added any
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function sshKeygenCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    type: { type: 'string' },
    bits: { type: 'string' },
    comment: { type: 'string' },
    passphrase: { type: 'boolean' },
    format: { type: 'string' },
    out: { type: 'string' },
    install: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`ssh keygen: unexpected ${positionals[0]}`);
  const type = (values.type ?? 'ed25519').toLowerCase();
  if (type !== 'ed25519' && type !== 'ecdsa' && type !== 'rsa') throw new UsageError(`ssh keygen: --type is ed25519, ecdsa or rsa, not ${type}`);
  const format = (values.format ?? 'openssh').toLowerCase();
  if (format !== 'openssh' && format !== 'ppk') throw new UsageError(`ssh keygen: --format is openssh or ppk, not ${format}`);
  let bits: number | undefined;
  if (values.bits !== undefined) {
    bits = Number(values.bits);
    if (!/^\d+$/.test(values.bits)) throw new UsageError(`ssh keygen: --bits takes a number, not ${values.bits}`);
  }
  const install = values.install === undefined ? null : normalizeAddressArgument(values.install);
  const out = path.resolve(values.out ?? `id_${type}${format === 'ppk' ? '.ppk' : ''}`);
  const comment = values.comment ?? defaultComment(type as KeyType);
  const passphrase = values.passphrase ? await readPassphrase() : null;

  let made;
  try {
    made = await generateKey({ type: type as KeyType, bits, comment, format: format as PrivateKeyFormat, passphrase });
  } catch (error) {
    if (error instanceof KeyFormatError) throw new UsageError(`ssh keygen: ${error.message}`);
    throw error;
  }
  const line = formatOpenSshLine(made.publicKey);
  await writeNewFile(out, made.privateKey, 0o600);
  if (format === 'openssh') await writeNewFile(`${out}.pub`, `${line}\n`, 0o644);

  process.stdout.write(`${line}\n`);
  process.stdout.write(`fingerprint: ${describeKey(made.publicKey)}\n`);
  process.stdout.write(`comment: ${made.publicKey.comment || '(none)'}\n`);
  process.stdout.write(`private key: ${out} (${format === 'ppk' ? 'PuTTY .ppk version 3' : 'OpenSSH'}, ${passphrase ? 'encrypted with the passphrase' : 'not encrypted'})\n`);
  if (format === 'openssh') process.stdout.write(`public key: ${out}.pub\n`);
  if (install) await installGenerated(values, install, made.publicKey, out);
}

async function installGenerated(values: { data?: string | boolean; config?: string | boolean }, address: string, key: PublicKey, out: string): Promise<void> {
  try {
    const result = await withStore(values, async (store) => installKeys(store.sshKeys, (await requireAccount(store, address)).id, [key]));
    reportInstall(result, address);
  } catch (error) {
    throw new Error(`${(error as Error).message} (the key is in ${out} but was not installed)`);
  }
}
