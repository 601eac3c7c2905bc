// A whole transfer's codec chain in one object per direction: stored bytes →
// representation/structure → transmission mode → wire bytes, and back. The transfer
// code and the client both use these, so the server and Septet's client agree by
// construction, and the unit tests exercise exactly what runs.

import type { DataEvent, TransferParams } from './events.ts';
import { modeDecoder, modeEncoder, supportsRestartMarkers, type ModeDecoder, type ModeEncoder } from './modes.ts';
import { RepresentationDecoder, RepresentationEncoder } from './representation.ts';

export interface SendOptions {
  /** Stored offset the transfer starts at (REST); markers count from the file's start. */
  startOffset?: number;
  /** Insert a restart marker (the stored offset, in decimal) about every this many stored bytes; 0 = never. */
  markerInterval?: number;
}

export class SendPipeline {
  private readonly representation: RepresentationEncoder;
  private readonly mode: ModeEncoder;
  private readonly markers: boolean;
  private readonly markerInterval: number;
  private offset: number;
  private lastMarker: number;

  constructor(params: TransferParams, options: SendOptions = {}) {
    this.representation = new RepresentationEncoder(params);
    this.mode = modeEncoder(params);
    this.markerInterval = options.markerInterval ?? 0;
    this.markers = supportsRestartMarkers(params) && this.markerInterval > 0;
    this.offset = options.startOffset ?? 0;
    this.lastMarker = this.offset;
  }

  /** Wire bytes for the next stored chunk. */
  push(chunk: Buffer): Buffer[] {
    const out = this.run(this.representation.push(chunk));
    this.offset += chunk.length;
    // RFC 959 §3.5: a marker where the sender can resume: between lines for text.
    if (this.markers && this.offset - this.lastMarker >= this.markerInterval && this.representation.atLineStart) {
      this.lastMarker = this.offset;
      out.push(...this.mode.encode({ kind: 'mark', marker: String(this.offset) }));
    }
    return out;
  }

  end(): Buffer[] {
    return this.run(this.representation.end());
  }

  private run(events: DataEvent[]): Buffer[] {
    const out: Buffer[] = [];
    for (const event of events) for (const b of this.mode.encode(event)) if (b.length > 0) out.push(b);
    return out;
  }
}

export type ReceiveItem = { kind: 'bytes'; bytes: Buffer } | { kind: 'mark'; marker: string } | { kind: 'eof' };

export class ReceivePipeline {
  private readonly representation: RepresentationDecoder;
  private readonly mode: ModeDecoder;
  /** True once the sender's EOF has arrived. */
  complete = false;

  constructor(params: TransferParams) {
    this.representation = new RepresentationDecoder(params);
    this.mode = modeDecoder(params);
  }

  push(wire: Buffer): ReceiveItem[] {
    return this.run(this.mode.decode(wire));
  }

  /** The data connection closed. Throws TruncatedTransferError when the mode needed an explicit EOF. */
  end(): ReceiveItem[] {
    if (this.complete) return [];
    return this.run(this.mode.end());
  }

  private run(events: DataEvent[]): ReceiveItem[] {
    const out: ReceiveItem[] = [];
    for (const event of events) {
      if (event.kind === 'mark') {
        out.push({ kind: 'mark', marker: event.marker });
        continue;
      }
      for (const bytes of this.representation.accept(event)) if (bytes.length > 0) out.push({ kind: 'bytes', bytes });
      if (event.kind === 'eof') {
        this.complete = true;
        out.push({ kind: 'eof' });
      }
    }
    return out;
  }
}

/** Whole-buffer helpers (tests, small listings). */
export function encodeAll(params: TransferParams, stored: Buffer[], options?: SendOptions): Buffer {
  const p = new SendPipeline(params, options);
  const out: Buffer[] = [];
  for (const chunk of stored) out.push(...p.push(chunk));
  out.push(...p.end());
  return Buffer.concat(out);
}

export function decodeAll(params: TransferParams, wire: Buffer[]): { stored: Buffer; marks: string[] } {
  const p = new ReceivePipeline(params);
  const stored: Buffer[] = [];
  const marks: string[] = [];
  const take = (items: ReceiveItem[]) => {
    for (const item of items) {
      if (item.kind === 'bytes') stored.push(item.bytes);
      else if (item.kind === 'mark') marks.push(item.marker);
    }
  };
  for (const chunk of wire) take(p.push(chunk));
  take(p.end());
  return { stored: Buffer.concat(stored), marks };
}
