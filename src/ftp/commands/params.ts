// RFC 959 §4.1.2 TYPE, STRU, MODE: the data model of §3.

import type { FileStructure, FormatControl, RepresentationType, TransferMode } from '../data/events.ts';
import { FtpError, Reply } from '../replies.ts';
import type { Command } from './types.ts';

const TYPE_NAMES: Record<RepresentationType, string> = { A: 'ASCII', E: 'EBCDIC', I: 'BINARY', L: 'LOCAL 8 (BINARY)' };

export const type: Command = {
  needsLogin: false,
  run(session, argument) {
    const tokens = argument.trim().toUpperCase().split(/\s+/).filter(Boolean);
    const [code, second] = tokens;
    let t: RepresentationType;
    let form: FormatControl = 'N';
    if (code === 'A' || code === 'E') {
      t = code;
      if (second !== undefined) {
        if (second !== 'N' && second !== 'T' && second !== 'C') throw new FtpError(Reply.parameterNotImplemented, 'Format control must be N, T or C.');
        form = second;
      }
    } else if (code === 'I' && second === undefined) {
      t = 'I';
    } else if (code === 'L' || code === 'L8') {
      // RFC 959 §3.1.1.4: only a byte size of 8 is meaningful here (= image).
      const size = code === 'L8' ? '8' : second;
      if (size !== '8') throw new FtpError(Reply.parameterNotImplemented, 'Only TYPE L 8 is supported.');
      t = 'L';
    } else {
      throw new FtpError(code ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: TYPE A|E [N|T|C] / I / L 8');
    }
    session.params = { ...session.params, type: t, form };
    session.reply(Reply.ok, `Switching to ${TYPE_NAMES[t]} mode${t === 'A' || t === 'E' ? `, format ${form}` : ''}.`);
  },
};

export const stru: Command = {
  needsLogin: false,
  run(session, argument) {
    const s = argument.trim().toUpperCase();
    if (s === 'P') throw new FtpError(Reply.parameterNotImplemented, 'Page structure is not supported (RFC 1123 §4.1.2.3).');
    if (s !== 'F' && s !== 'R') throw new FtpError(s ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: STRU F|R');
    session.params = { ...session.params, structure: s as FileStructure };
    session.reply(Reply.ok, `Structure set to ${s === 'F' ? 'File' : 'Record'}.`);
  },
};

export const mode: Command = {
  needsLogin: false,
  run(session, argument) {
    const m = argument.trim().toUpperCase();
    if (m !== 'S' && m !== 'B' && m !== 'C') throw new FtpError(m ? Reply.parameterNotImplemented : Reply.badArguments, 'Syntax: MODE S|B|C');
    session.params = { ...session.params, mode: m as TransferMode };
    session.reply(Reply.ok, `Mode set to ${m === 'S' ? 'Stream' : m === 'B' ? 'Block' : 'Compressed'}.`);
  },
};
