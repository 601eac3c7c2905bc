// LIST and NLST (RFC 959 §4.1.3) over the data connection, MLSD and MLST (RFC 3659 §7).

import { basename } from 'node:path';
import type { TransferParams } from '../data/events.ts';
import { sendText } from '../file-transfer.ts';
import { lsLine, mlsxLine, readEntries, type Entry } from '../listing.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { startTransfer } from '../transfer-runner.ts';
import { resolvePath, statOrNull } from './helpers.ts';
import { command, LOGGED_IN, type Command } from './types.ts';

/** "LIST -la dir": options are ls's, which clients send out of habit; they are ignored. */
function withoutOptions(argument: string): string {
  let rest = argument.trim();
  while (/^-[a-zA-Z]+(\s|$)/.test(rest)) rest = rest.replace(/^-[a-zA-Z]+\s*/, '');
  return rest;
}

/** Listings are text: ASCII (or EBCDIC under TYPE E) in the current mode. */
function listingParams(session: FtpSession): TransferParams {
  return { type: session.params.type === 'E' ? 'E' : 'A', form: 'N', structure: 'F', mode: session.params.mode };
}

export async function entriesFor(session: FtpSession, argument: string): Promise<{ virtual: string; entries: Entry[]; isFile: boolean }> {
  const target = await resolvePath(session, argument === '' ? '.' : argument);
  const s = await statOrNull(target.real);
  if (!s) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
  if (!s.isDirectory()) return { virtual: target.virtual, entries: [{ name: basename(target.real), stats: s }], isFile: true };
  return { virtual: target.virtual, entries: await readEntries(target.real), isFile: false };
}

function listCommand(format: (e: Entry) => string): Command<string> {
  return command({
    states: LOGGED_IN,
    parse: withoutOptions,
    async run(session, path) {
      const { virtual, entries } = await entriesFor(session, path);
      if (!session.dataSetup) throw new FtpError(Reply.cantOpenData, Text.useDataFirst);
      const text = entries.map((e) => `${format(e)}\n`).join('');
      const params = listingParams(session);
      startTransfer(session, {
        direction: 'listing',
        path: virtual,
        opening: 'Here comes the directory listing.',
        run: (socket, progress, signal) => {
          progress.bytes = text.length;
          return sendText(socket, params, text, signal);
        },
      });
    },
  });
}

export const list = listCommand((e) => lsLine(e));
export const nlst = listCommand((e) => e.name);

/** MLSD and MLST: no argument is the current directory. */
const pathOrCurrent = (argument: string): string => (argument.trim() === '' ? '.' : argument);

export const mlsd = command({
  states: LOGGED_IN,
  parse: pathOrCurrent,
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await statOrNull(target.real);
    // RFC 3659 §7.2.1: MLSD is for directories only.
    if (!s || !s.isDirectory()) throw new FtpError(Reply.fileNotFound, Text.notDirectory);
    const entries = await readEntries(target.real);
    if (!session.dataSetup) throw new FtpError(Reply.cantOpenData, Text.useDataFirst);
    const readOnly = session.user.readOnly;
    const text = [mlsxLine({ name: '.', stats: s }, readOnly, 'cdir'), ...entries.map((e) => mlsxLine(e, readOnly))].map((l) => `${l}\n`).join('');
    const params = listingParams(session);
    startTransfer(session, {
      direction: 'listing',
      path: target.virtual,
      opening: 'Here comes the directory listing.',
      run: (socket, _progress, signal) => sendText(socket, params, text, signal),
    });
  },
});

export const mlst = command({
  states: LOGGED_IN,
  parse: pathOrCurrent,
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await statOrNull(target.real);
    if (!s) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
    // RFC 3659 §7.2: the facts line starts with one space; its name is the full path.
    const line = mlsxLine({ name: target.virtual, stats: s }, session.user.readOnly);
    session.raw(`250-Listing ${target.virtual}\r\n ${line.replace(/[\r\n]/g, ' ')}\r\n250 End\r\n`);
  },
});
