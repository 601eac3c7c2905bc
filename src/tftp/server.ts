// The TFTP service: request sockets on port 69 (+ offset), and one new socket per
// transfer (RFC 1350 §4: the server's TID). Requests are admitted under a global
// and a per-client limit; a request repeated by a client that is still waiting
// for its first reply is dropped rather than starting a second transfer. Refusals
// are ERROR packets from the request socket: no transfer port is spent on them.
//
// Binding (port 69 needs root) and serving are separate steps: listen() binds and
// holds what arrives; serve(), called after the privilege drop, prepares the root
// and answers. So no request is ever served as root (the TCP listeners' deferred
// handlers do the same, see server.ts).

import type { Socket, RemoteInfo, SocketType } from 'node:dgram';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.ts';
import { normalizeAddress } from '../core/net/address.ts';
import { makePrivateDirs } from '../core/os/private-files.ts';
import { HomeJail } from '../files/jail.ts';
import { ListenError, type BoundListener } from '../core/net/listener.ts';
import { openRequest, type TftpRoot } from './dispatch.ts';
import type { Negotiated } from './options.ts';
import { ReadTransfer } from './read-transfer.ts';
import { ErrorCode, TftpError, Text, tftpRefusal, toTftpError } from './replies.ts';
import type { Transfer, TransferContext } from './transfer.ts';
import { bindSocket, bindTransferSocket, fitReceiveWindow, parsePortRange, udpSocket } from './udp.ts';
import { Opcode, opcodeOf, parsePacket, wireLimits, type Request, type WireLimits } from './wire.ts';
import { WriteTransfer } from './write-transfer.ts';

export interface TftpServerDeps {
  config: Config;
  log: Logger;
  dataDir: string;
  /** Sources banned after failed logins elsewhere (TFTP has no login); answered with an ERROR. */
  isBanned?: (address: string) => boolean;
}

export interface TftpServer {
  /**
   * Binds; [] = all addresses, IPv4 and IPv6 (one dual-stack socket, or 0.0.0.0
   * without IPv6). Requests are held, unanswered, until serve().
   */
  listen(addresses: string[], port: number): Promise<BoundListener[]>;
  /** Creates the root (and upload folder) as the current user and takes their real paths. */
  prepare(): Promise<TftpRoot>;
  /** Starts answering, first the requests held since listen(). Prepares the root if needed. */
  serve(): Promise<void>;
  /** Requests received before serve() and not yet answered (tests). */
  readonly heldRequests: number;
  /** Stops taking requests, ends running transfers with ERROR 0, closes every socket. */
  close(): Promise<void>;
  /** Transfers admitted and not yet over (tests, status). */
  readonly activeTransfers: number;
}

interface RequestSocket {
  socket: Socket;
  type: SocketType;
  /** The address transfer sockets bind to: the same as the request socket's. */
  bindAddress: string;
}

/** Where a transfer comes from, and the request that started it (to spot a repeated RRQ/WRQ). */
interface Admission {
  clientAddress: string;
  requester: string;
  request: Buffer;
}

interface HeldRequest {
  entry: RequestSocket;
  msg: Buffer;
  rinfo: RemoteInfo;
}

/** A WRQ's window is what the transfer socket's receive buffer can hold (the OACK says so). */
function shrinkWindowToBuffer(negotiated: Negotiated, fits: number): void {
  if (fits >= negotiated.windowsize) return;
  negotiated.windowsize = fits;
  for (const entry of negotiated.oack) if (entry[0] === 'windowsize') entry[1] = String(fits);
}

export function createTftpServer(deps: TftpServerDeps): TftpServer {
  return new TftpService(deps);
}

class TftpService implements TftpServer {
  private readonly config: Config['tftp'];
  private readonly log: Logger;
  private readonly rootPath: string;
  private readonly portRange: [number, number] | null;
  private readonly wireLimits: WireLimits;
  private jail: TftpRoot | null = null;
  private readonly requestSockets: RequestSocket[] = [];
  private readonly transfers = new Set<Transfer>();
  private readonly admitted = new Set<Admission>();
  private readonly perClient = new Map<string, number>();
  /** "address|port" of each client waiting on a transfer, with its request. */
  private readonly requesters = new Map<string, Buffer>();
  private readonly portsInUse = new Set<number>();
  private closing = false;
  /** Null once serving: requests then go straight to onRequestPacket. */
  private held: HeldRequest[] | null = [];
  private readonly isBanned: ((address: string) => boolean) | undefined;

  constructor(deps: TftpServerDeps) {
    this.config = deps.config.tftp;
    this.isBanned = deps.isBanned;
    this.log = deps.log;
    const root = this.config.root || 'tftp';
    this.rootPath = isAbsolute(root) ? root : resolve(deps.dataDir, root);
    this.portRange = parsePortRange(this.config.port_range);
    this.wireLimits = wireLimits(this.config);
  }

  get activeTransfers(): number {
    return this.admitted.size;
  }

  get heldRequests(): number {
    return this.held?.length ?? 0;
  }

  async prepare(): Promise<TftpRoot> {
    this.jail ??= await this.prepareRoot();
    return this.jail;
  }

  async serve(): Promise<void> {
    await this.prepare();
    const held = this.held ?? [];
    this.held = null;
    for (const { entry, msg, rinfo } of held) this.onRequestPacket(entry, msg, rinfo);
  }

  async listen(addresses: string[], port: number): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    if (addresses.length === 0) {
      try {
        bound.push(await this.bindRequestSocket('::', port, 'udp6'));
      } catch (error) {
        const code = (error as ListenError).code;
        if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL' && code !== 'EINVAL') throw error;
        this.log.info({ code }, 'IPv6 is not available; TFTP on IPv4 only');
        bound.push(await this.bindRequestSocket('0.0.0.0', port, 'udp4'));
      }
    } else {
      for (const address of addresses) bound.push(await this.bindRequestSocket(address, port, address.includes(':') ? 'udp6' : 'udp4'));
    }
    return bound;
  }

  /** Owner-only folders, like the rest of the data directory: the server reads them as their owner. */
  private async prepareRoot(): Promise<TftpRoot> {
    await makePrivateDirs(this.rootPath);
    const jail = await HomeJail.open(this.rootPath, { parents: 'refuse' });
    let uploadDir: string | null = null;
    if (this.config.upload_dir !== '') {
      const virtual = jail.virtualPath('/', this.config.upload_dir);
      if (virtual === '/') throw new Error(`tftp.upload_dir ${this.config.upload_dir} names no folder under the TFTP root`);
      await makePrivateDirs(join(jail.root, virtual));
      uploadDir = await realpath(join(jail.root, virtual));
      if (!jail.contains(uploadDir)) throw new Error(`tftp.upload_dir ${this.config.upload_dir} leads outside the TFTP root`);
    }
    this.log.info({ root: jail.root, uploadDir, write: this.config.allow_write }, 'TFTP root ready');
    return { jail, uploadDir };
  }

  private async bindRequestSocket(address: string, port: number, type: SocketType): Promise<BoundListener> {
    // A dual-stack wildcard takes IPv4 clients too (as ::ffff:a.b.c.d).
    const socket = udpSocket(type, false);
    try {
      await bindSocket(socket, address, port);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      try {
        socket.close();
      } catch {
        // not bound
      }
      throw new ListenError(`tftp: cannot listen on ${address} UDP port ${port}: ${e.message}`, e.code, { cause: error });
    }
    const entry: RequestSocket = { socket, type, bindAddress: address };
    this.requestSockets.push(entry);
    socket.on('message', (msg, rinfo) => {
      if (this.held === null) this.onRequestPacket(entry, msg, rinfo);
      else if (this.held.length < this.config.max_held_requests) this.held.push({ entry, msg, rinfo });
    });
    socket.on('error', (error) => this.log.error({ err: error.message }, 'TFTP request socket error'));
    const info = socket.address();
    return { name: 'tftp', address: info.address, port: info.port };
  }

  private refuse(entry: RequestSocket, rinfo: RemoteInfo, error: TftpError): void {
    if (this.closing) return; // the request socket is closed
    entry.socket.send(error.toPacket(), rinfo.port, rinfo.address);
  }

  private onRequestPacket(entry: RequestSocket, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    const opcode = opcodeOf(msg);
    if (opcode === Opcode.ERROR || msg.length < 2) return; // never answer an ERROR; a runt is noise
    const packet = parsePacket(msg, this.wireLimits);
    if (packet.kind !== 'request') {
      const reason = packet.kind === 'malformed' ? packet.reason : `${packet.kind} on the request port`;
      this.log.debug({ remote: rinfo.address, reason }, 'bad TFTP request');
      return this.refuse(entry, rinfo, new TftpError(ErrorCode.illegalOperation, packet.kind === 'malformed' ? Text.malformed : Text.unexpected));
    }
    const requester = `${rinfo.address}|${rinfo.port}`;
    const earlier = this.requesters.get(requester);
    if (earlier !== undefined && earlier.equals(msg)) return; // RFC 1350: a retransmitted request; the transfer answers it
    const clientAddress = normalizeAddress(rinfo.address);
    if (this.isBanned?.(clientAddress)) {
      this.log.info({ remote: clientAddress, reason: 'banned' }, 'TFTP request refused');
      return this.refuse(entry, rinfo, tftpRefusal('banned'));
    }
    if (this.admitted.size >= this.config.max_transfers) return this.refuse(entry, rinfo, tftpRefusal('too-many'));
    const fromClient = this.perClient.get(clientAddress) ?? 0;
    if (fromClient >= this.config.max_transfers_per_client) {
      this.log.info({ remote: clientAddress }, 'TFTP request refused: too many transfers from this address');
      return this.refuse(entry, rinfo, tftpRefusal('too-many-from-ip'));
    }
    const admission: Admission = { clientAddress, requester, request: Buffer.from(msg) };
    this.admit(admission);
    this.start(entry, packet, rinfo, admission).catch((error: unknown) => {
      this.log.error({ err: error }, 'TFTP request failed');
      this.release(admission);
    });
  }

  private admit(a: Admission): void {
    this.admitted.add(a);
    this.perClient.set(a.clientAddress, (this.perClient.get(a.clientAddress) ?? 0) + 1);
    this.requesters.set(a.requester, a.request);
  }

  private release(a: Admission): void {
    if (!this.admitted.delete(a)) return;
    const left = (this.perClient.get(a.clientAddress) ?? 1) - 1;
    if (left > 0) this.perClient.set(a.clientAddress, left);
    else this.perClient.delete(a.clientAddress);
    if (this.requesters.get(a.requester) === a.request) this.requesters.delete(a.requester);
  }

  private async start(entry: RequestSocket, request: Request, rinfo: RemoteInfo, admission: Admission): Promise<void> {
    const log = this.log.child({ remote: normalizeAddress(rinfo.address), rport: rinfo.port });
    const op = request.opcode === Opcode.RRQ ? 'RRQ' : 'WRQ';
    let opened;
    try {
      opened = await openRequest(request, this.config, this.jail!);
    } catch (error) {
      const e = toTftpError(error);
      if (e.code === ErrorCode.notDefined) log.error({ err: error, op, file: request.filename }, 'TFTP request failed');
      else log.info({ op, file: request.filename, code: e.code, reason: e.detail ?? e.message }, 'TFTP request refused');
      this.refuse(entry, rinfo, e);
      this.release(admission);
      return;
    }
    const socket = await bindTransferSocket(entry.type, entry.bindAddress, this.portRange, this.portsInUse).catch((error: unknown) => {
      log.error({ err: error }, 'cannot bind a TFTP transfer socket');
      return null;
    });
    if (socket === null || this.closing) {
      if (opened.kind === 'read') await opened.file.close();
      else await opened.sink.abort();
      socket?.close();
      this.refuse(entry, rinfo, this.closing ? tftpRefusal('shutting-down') : new TftpError(ErrorCode.notDefined, Text.noPort));
      this.release(admission);
      return;
    }
    const port = socket.address().port;
    this.portsInUse.add(port);
    if (opened.kind === 'write') shrinkWindowToBuffer(opened.negotiated, fitReceiveWindow(socket, opened.negotiated.blksize, opened.negotiated.windowsize));
    const ctx: TransferContext = {
      socket,
      peerAddress: rinfo.address,
      peerPort: rinfo.port,
      log: log.child({ op, tid: port }),
      timeoutMs: opened.negotiated.timeoutMs ?? this.config.timeout_ms,
      backoff: opened.negotiated.timeoutMs === null,
      retries: this.config.retries,
    };
    const transfer =
      opened.kind === 'read'
        ? new ReadTransfer(ctx, opened.file, request.filename, opened.negotiated, opened.netascii)
        : new WriteTransfer(ctx, opened.sink, request.filename, opened.negotiated);
    this.transfers.add(transfer);
    socket.once('close', () => this.portsInUse.delete(port));
    void transfer.done.then(() => {
      this.transfers.delete(transfer);
      this.release(admission);
    });
    transfer.begin();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.held = null;
    for (const entry of this.requestSockets.splice(0)) {
      try {
        entry.socket.close();
      } catch {
        // already closed
      }
    }
    const running = [...this.transfers];
    for (const transfer of running) transfer.abort();
    await Promise.all(running.map((t) => t.done));
  }
}
