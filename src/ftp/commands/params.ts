// RFC 959 §4.1.2 TYPE, STRU, MODE: the data model of §3.

import type { FileStructure, FormatControl, RepresentationType, TransferMode } from '../data/events.ts';
import { FtpError, Reply } from '../replies.ts';
import { ANY_STATE, command } from './types.ts';

const TYPE_NAMES: Record<RepresentationType, string> = { A: 'ASCII', E: 'EBCDIC', I: 'BINARY', L: 'LOCAL 8 (BINARY)' };

/** RFC 959 §4.1.2: TYPE A|E [N|T|C], TYPE I, TYPE L byte-size. */
export function parseType(argument: string): { type: RepresentationType; form: FormatControl } {
  const [code, second] = argument.trim().toUpperCase().split(/\s+/).filter(Boolean);
  if (code === 'A' || code === 'E') {
    if (second === undefined) return { type: code, form: 'N' };
    if (second !== 'N' && second !== 'T' && second !== 'C') throw new FtpError(Reply.parameterNotImplemented, 'Format control must be N, T or C.');
    return { type: code, form: second };
  }
  if (code === 'I' && second === undefined) return { type: 'I', form: 'N' };
  if (code === 'L' || code === 'L8') {
    // RFC 959 §3.1.1.4: only a byte size of 8 is meaningful here (= image).
    const size = code === 'L8' ? '8' : second;
    if (size !== '8') throw new FtpError(Reply.parameterNotImplemented, 'Only TYPE L 8 is supported.');
    return { type: 'L', form: 'N' };
  }
  throw new FtpError(code ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: TYPE A|E [N|T|C] / I / L 8');
}

export const type = command({
  states: ANY_STATE,
  parse: parseType,
  run(session, { type: t, form }) {
    session.params = { ...session.params, type: t, form };
    session.reply(Reply.ok, `Switching to ${TYPE_NAMES[t]} mode${t === 'A' || t === 'E' ? `, format ${form}` : ''}.`);
  },
});

export const stru = command({
  states: ANY_STATE,
  parse(argument): FileStructure {
    const s = argument.trim().toUpperCase();
    if (s === 'P') throw new FtpError(Reply.parameterNotImplemented, 'Page structure is not supported (RFC 1123 §4.1.2.3).');
    if (s !== 'F' && s !== 'R') throw new FtpError(s ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: STRU F|R');
    return s;
  },
  run(session, structure) {
    session.params = { ...session.params, structure };
    session.reply(Reply.ok, `Structure set to ${structure === 'F' ? 'File' : 'Record'}.`);
  },
});

export const mode = command({
  states: ANY_STATE,
  parse(argument): TransferMode {
    const m = argument.trim().toUpperCase();
    if (m !== 'S' && m !== 'B' && m !== 'C') throw new FtpError(m ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: MODE S|B|C');
    return m;
  },
  run(session, mode) {
    session.params = { ...session.params, mode };
    session.reply(Reply.ok, `Mode set to ${mode === 'S' ? 'Stream' : mode === 'B' ? 'Block' : 'Compressed'}.`);
  },
});
