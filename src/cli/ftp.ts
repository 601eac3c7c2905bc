// septet ftp ls|get|put|mkdir|rm|mirror URL ... : Septet's FTP client on the command
// line. ftp:// (add --tls for AUTH TLS) and ftps:// (implicit TLS) URLs; --active or
// --passive; --type A|E|I|L, --form N|T|C, --stru F|R, --mode S|B|C; --resume; a
// progress bar on standard error when it is a terminal.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FileStructure, FormatControl, RepresentationType, TransferMode } from '../ftp/data/events.ts';
import { FtpClient, parseFtpUrl, type FtpClientOptions } from '../ftp/client/client.ts';
import { UsageError } from './args.ts';

const USAGE = `usage: septet ftp <ls|get|put|mkdir|rm|mirror> URL [local] [options]
  ls URL                 list a folder (--names for NLST)
  get URL [local]        download a file (--resume continues a partial one)
  put local URL          upload a file (--resume continues on the server, --append appends)
  mkdir URL | rm URL     make a folder | delete a file (--dir removes a folder)
  mirror URL local       download a folder tree
options: --user NAME --password PW (or in the URL), --tls (AUTH TLS on ftp://), -k/--insecure,
  --active | --passive, --type A|E|I|L, --form N|T|C, --stru F|R, --mode S|B|C, --quiet`;

export async function ftpCommand(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        user: { type: 'string' },
        password: { type: 'string' },
        tls: { type: 'boolean' },
        insecure: { type: 'boolean', short: 'k' },
        active: { type: 'boolean' },
        passive: { type: 'boolean' },
        type: { type: 'string' },
        form: { type: 'string' },
        stru: { type: 'string' },
        mode: { type: 'string' },
        resume: { type: 'boolean' },
        append: { type: 'boolean' },
        names: { type: 'boolean' },
        dir: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  const [action, ...args] = positionals;
  if (!action || action === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const urlArg = action === 'put' ? args[1] : args[0];
  if (!urlArg) throw new UsageError(USAGE);
  const { options, path } = parseFtpUrl(urlArg);
  const connectOptions: FtpClientOptions = {
    ...options,
    ...(v.user ? { user: v.user } : {}),
    ...(v.password ? { password: v.password } : {}),
    security: options.security === 'implicit' ? 'implicit' : v.tls ? 'explicit' : 'none',
    active: Boolean(v.active) && !v.passive,
    rejectUnauthorized: !v.insecure,
  };
  const client = await FtpClient.connect(connectOptions);
  try {
    await client.setParams({
      type: pick(v.type, ['A', 'E', 'I', 'L'], 'I', '--type') as RepresentationType,
      form: pick(v.form, ['N', 'T', 'C'], 'N', '--form') as FormatControl,
      structure: pick(v.stru, ['F', 'R'], 'F', '--stru') as FileStructure,
      mode: pick(v.mode, ['S', 'B', 'C'], 'S', '--mode') as TransferMode,
    });
    const progress = (label: string, total: number | null) => (v.quiet ? undefined : progressBar(label, total));
    switch (action) {
      case 'ls':
        process.stdout.write(await client.list(path === '/' ? '' : path, Boolean(v.names)));
        break;
      case 'get': {
        const local = args[1] ?? basename(path);
        const have = v.resume ? await stat(local).then((s) => s.size, () => 0) : 0;
        const total = await client.size(path);
        const out = createWriteStream(local, { flags: have > 0 ? 'r+' : 'w', start: have });
        const bar = progress(basename(path), total);
        await client.download(path, out, { restart: have, onProgress: (n) => bar?.(have + n) });
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
        bar?.(null);
        break;
      }
      case 'put': {
        const local = args[0]!;
        const size = (await stat(local)).size;
        const remoteHave = v.resume ? ((await client.size(path)) ?? 0) : 0;
        const bar = progress(basename(local), size);
        await client.upload(path, createReadStream(local, { start: remoteHave }), { restart: remoteHave, append: Boolean(v.append), onProgress: (n) => bar?.(remoteHave + n) });
        bar?.(null);
        break;
      }
      case 'mkdir':
        await client.mkdir(path);
        break;
      case 'rm':
        if (v.dir) await client.rmdir(path);
        else await client.delete(path);
        break;
      case 'mirror':
        await mirror(client, path, args[1] ?? basename(path), v.quiet ? undefined : (name) => progress(name, null));
        break;
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await client.quit();
  }
}

function pick(value: string | undefined, allowed: string[], fallback: string, name: string): string {
  if (value === undefined) return fallback;
  const upper = value.toUpperCase();
  if (!allowed.includes(upper)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}`);
  return upper;
}

/** Downloads a folder tree, using MLSD to tell files from folders. */
async function mirror(client: FtpClient, remote: string, local: string, bar?: (name: string) => ((n: number | null) => void) | undefined): Promise<void> {
  await mkdir(local, { recursive: true });
  const entries = await client.mlsd(remote);
  for (const [name, facts] of entries) {
    if (name === '.' || name === '..' || facts.type === 'cdir' || facts.type === 'pdir' || name.includes('/')) continue;
    const remotePath = `${remote.replace(/\/$/, '')}/${name}`;
    if (facts.type === 'dir') await mirror(client, remotePath, join(local, name), bar);
    else {
      const out = createWriteStream(join(local, name));
      const b = bar?.(name);
      await client.download(remotePath, out, { onProgress: (n) => b?.(n) });
      await new Promise<void>((resolve) => out.end(() => resolve()));
      b?.(null);
    }
  }
}

/** A one-line progress bar on a terminal's standard error; null finishes the line. */
function progressBar(label: string, total: number | null): ((bytes: number | null) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  let last = 0;
  return (bytes) => {
    if (bytes === null) {
      process.stderr.write('\n');
      return;
    }
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const rate = bytes / Math.max(0.001, (now - started) / 1000);
    const width = 30;
    const fraction = total ? Math.min(1, bytes / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width)}] ${(fraction * 100).toFixed(0).padStart(3)}%` : '';
    process.stderr.write(`\r${label.slice(0, 30)} ${bar} ${(bytes / 1048576).toFixed(1)} MiB ${(rate / 1048576).toFixed(1)} MiB/s`);
  };
}
