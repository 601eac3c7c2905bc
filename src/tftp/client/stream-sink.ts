// A download into a stream (standard output): ACKs are withheld while it is full.

import type { Writable } from 'node:stream';
import { NetasciiDecoder } from '../netascii.ts';
import type { DataSink } from '../receiver.ts';

export class StreamSink implements DataSink {
  private readonly stream: Writable;
  private readonly decoder: NetasciiDecoder | null;
  bytes = 0;
  constructor(stream: Writable, netascii: boolean) {
    this.stream = stream;
    this.decoder = netascii ? new NetasciiDecoder() : null;
  }
  get congested(): boolean {
    return this.stream.writableNeedDrain;
  }
  onDrain(callback: () => void): void {
    if (!this.congested) callback();
    else this.stream.once('drain', callback);
  }
  write(payload: Buffer): void {
    const data = this.decoder ? this.decoder.decode(payload) : payload;
    this.bytes += data.length;
    if (data.length > 0) this.stream.write(data); // dgram gives each packet a buffer of its own: no copy needed
  }
  async commit(): Promise<void> {
    if (this.decoder) {
      const tail = this.decoder.flush();
      if (tail.length > 0) this.stream.write(tail);
    }
  }
  async abort(): Promise<void> {}
}
