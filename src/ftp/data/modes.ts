// Picks the transmission-mode codec for a transfer (RFC 959 §3.4).

import { BlockDecoder, BlockEncoder } from './block-mode.ts';
import { CompressedDecoder, CompressedEncoder } from './compressed-mode.ts';
import { fillerByte, type DataEvent, type TransferParams } from './events.ts';
import { RecordStreamDecoder, RecordStreamEncoder } from './record-structure.ts';

export interface ModeEncoder {
  encode(event: DataEvent): Buffer[];
}

export interface ModeDecoder {
  decode(chunk: Buffer): DataEvent[];
  /** The data connection closed; throws TruncatedTransferError when EOF is missing. */
  end(): DataEvent[];
}

/** Stream mode, file structure: bytes are data, closing the connection is EOF. */
class FileStreamCodec implements ModeEncoder, ModeDecoder {
  encode(event: DataEvent): Buffer[] {
    return event.kind === 'data' ? [event.bytes] : [];
  }
  decode(chunk: Buffer): DataEvent[] {
    return [{ kind: 'data', bytes: chunk }];
  }
  end(): DataEvent[] {
    return [{ kind: 'eof' }];
  }
}

export function modeEncoder(p: TransferParams): ModeEncoder {
  if (p.mode === 'B') return new BlockEncoder();
  if (p.mode === 'C') return new CompressedEncoder(fillerByte(p.type));
  return p.structure === 'R' ? new RecordStreamEncoder() : new FileStreamCodec();
}

export function modeDecoder(p: TransferParams): ModeDecoder {
  if (p.mode === 'B') return new BlockDecoder();
  if (p.mode === 'C') return new CompressedDecoder(fillerByte(p.type));
  return p.structure === 'R' ? new RecordStreamDecoder() : new FileStreamCodec();
}

/** Restart markers exist in block and compressed mode only (RFC 959 §3.5). */
export function supportsRestartMarkers(p: TransferParams): boolean {
  return p.mode === 'B' || p.mode === 'C';
}
