// The command table of SCP: an exec request runs exactly one of these, chosen by -t
// (sink) or -f (source) on its command line (wire.ts parseScpCommand).

import type { ScpSession, ScpState } from '../session.ts';
import { runSink } from './sink.ts';
import { runSource } from './source.ts';

export interface ScpCommandEntry {
  states: readonly ScpState['name'][];
  run(session: ScpSession): Promise<void>;
}

export const scpCommands: Record<'sink' | 'source', ScpCommandEntry> = {
  sink: { states: ['starting'], run: runSink },
  source: { states: ['starting'], run: runSource },
};
