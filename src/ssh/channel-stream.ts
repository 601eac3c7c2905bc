// An SSH session channel (RFC 4254 §5-6) as the ByteChannel the engines run over
// (src/core/service/byte-channel.ts). Input is the channel's data as it arrives
// (ssh2 adjusts the window as it is read, RFC 4254 §5.2: a slow reader stops the
// client); output waits for the channel's 'drain' when the client's window or ssh2's
// buffer is full. exit(status) lets pending output go first, then sends "exit-status"
// (§6.10), EOF (§5.3) and CLOSE, in that order as OpenSSH's sshd does.

import { Transform, Writable } from 'node:stream';
import type { ByteChannel } from '../core/service/byte-channel.ts';
import type { ServerChannel } from './library.ts';

export interface ChannelStream extends ByteChannel {
  /** Resolves when the channel is closed (by either side). */
  readonly closed: Promise<void>;
}

export function channelStream(channel: ServerChannel, onActivity: () => void = () => {}): ChannelStream {
  const abort = new AbortController();
  let closed = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((resolve) => (resolveClosed = resolve));
  const onClose = () => {
    if (closed) return;
    closed = true;
    abort.abort(new Error('channel closed'));
    resolveClosed();
  };
  channel.once('close', onClose);
  channel.on('error', () => onClose());
  // Input through a Transform that notes activity: a 'data' listener on the channel
  // itself would set it flowing before the engine listens (an engine that awaits, e.g.
  // to open the home folder, would lose the client's first octets: scp -f's 0x00, SFTP's INIT).
  const input = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onActivity();
      callback(null, chunk);
    },
  });
  channel.pipe(input);

  const output = forwarder((chunk) => channel.write(chunk), channel, channel, () => closed, onActivity);
  const errors = forwarder((chunk) => channel.stderr.write(chunk), channel.stderr, channel, () => closed, onActivity);

  let exited = false;
  return {
    input,
    output,
    errors,
    signal: abort.signal,
    closed: closedPromise,
    exit(status: number) {
      if (exited) return;
      exited = true;
      const finish = () => {
        if (closed) return;
        channel.exit(status);
        channel.end(); // EOF, then CLOSE (ssh2 closes a server channel when its writable side ends)
        // Input nobody reads any more is drained, so the channel's 'end' and 'close' follow.
        channel.unpipe(input);
        channel.resume();
      };
      // The engine's last writes may still be queued in the forwarders: they go first.
      let waiting = 2;
      const done = () => {
        if (--waiting === 0) finish();
      };
      for (const stream of [output, errors]) {
        if (stream.writableFinished || stream.destroyed) done();
        else {
          stream.once('finish', done);
          stream.once('close', () => {
            stream.off('finish', done);
            if (!stream.writableFinished) done();
          });
          if (!stream.writableEnded) stream.end();
        }
      }
    },
  };
}

/** A Writable passing chunks to `write`, waiting for `drainer`'s 'drain' when it says false. */
function forwarder(write: (chunk: Buffer) => boolean, drainer: NodeJS.EventEmitter, channel: NodeJS.EventEmitter, isClosed: () => boolean, onActivity: () => void): Writable {
  return new Writable({
    // The channel has its own buffer (ssh2: up to a 2 MiB window); this one stays small.
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (isClosed()) return callback(new Error('channel closed'));
      onActivity();
      if (write(chunk)) return callback();
      const onDrain = () => {
        cleanup();
        callback();
      };
      const onGone = () => {
        cleanup();
        callback(new Error('channel closed'));
      };
      const cleanup = () => {
        drainer.off('drain', onDrain);
        channel.off('close', onGone);
      };
      drainer.on('drain', onDrain);
      channel.on('close', onGone);
    },
    final(callback) {
      // Ending output does not end the channel: exit() does, after the status.
      callback();
    },
  });
}
