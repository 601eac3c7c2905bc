// Helpers for the TFTP tests: a server on loopback in a temporary data directory,
// and a raw UDP peer that sends hand-made packets and waits for replies.

import { createSocket, type Socket, type RemoteInfo } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../core/config/load.ts';
import { createLogger, silentLogger } from '../core/log/logger.ts';
import { createTftpServer, type TftpServer } from './server.ts';
import { parsePacket, type Packet } from './wire.ts';

export interface TestServer {
  server: TftpServer;
  port: number;
  host: string;
  dataDir: string;
  root: string;
  stop(): Promise<void>;
}

export async function startTestServer(tftp: Record<string, unknown> = {}, host = '127.0.0.1'): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
  const config = configFromObject({ tftp: { timeout_ms: 100, retries: 3, ...tftp } });
  const server = createTftpServer({ config, log: process.env.TFTP_TEST_LOG ? createLogger({ level: process.env.TFTP_TEST_LOG }) : silentLogger(), dataDir });
  const [bound] = await server.listen([host], 0);
  await server.serve();
  return {
    server,
    port: bound!.port,
    host,
    dataDir,
    root: join(dataDir, 'tftp'),
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  packet: Packet;
  raw: Buffer;
  from: RemoteInfo;
}

/** A UDP socket that queues what it receives. */
export class RawPeer {
  readonly socket: Socket;
  private readonly queue: Received[] = [];
  private waiter: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (raw, from) => {
      this.queue.push({ packet: parsePacket(raw), raw, from });
      this.waiter?.();
    });
  }

  static async open(host = '127.0.0.1'): Promise<RawPeer> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return new RawPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer, port: number, host = '127.0.0.1'): void {
    this.socket.send(packet, port, host);
  }

  /** The next packet, or null after `ms`. */
  async next(ms = 2000): Promise<Received | null> {
    const deadline = Date.now() + ms;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, left);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
    return this.queue.shift()!;
  }

  /** The next packet; fails the test if none comes. */
  async expect(ms = 2000): Promise<Received> {
    const got = await this.next(ms);
    if (got === null) throw new Error(`no packet within ${ms} ms`);
    return got;
  }

  /** Collects everything that arrives within `ms`. */
  async drain(ms: number): Promise<Received[]> {
    const out: Received[] = [];
    for (;;) {
      const got = await this.next(ms);
      if (got === null) return out;
      out.push(got);
    }
  }

  close(): void {
    this.socket.close();
  }
}
