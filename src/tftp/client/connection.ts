// The TFTP client's transport: one UDP socket per transfer. The first reply fixes
// the server's TID (RFC 1350 §4); packets from any other port of the server get
// ERROR 5 and change nothing, packets from other hosts are dropped. Until then
// everything goes to the request port.

import type { Socket, RemoteInfo } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { ErrorCode, Text } from '../replies.ts';
import { bindSocket, socketTypeFor, udpSocket } from '../udp.ts';
import { encodeError, Opcode, opcodeOf } from '../wire.ts';
import { peerErrorOf } from './replies.ts';

export class ClientConnection {
  readonly socket: Socket;
  readonly address: string;
  readonly requestPort: number;
  peerPort: number | null = null;
  /** A packet from the server's TID that is not an ERROR. */
  onPacket: (opcode: number, msg: Buffer) => void = () => {};
  /** An ERROR from the server's TID (RFC 1350 §7: it ends the transfer, unacknowledged). */
  onPeerError: (code: number, message: string) => void = () => {};

  private constructor(socket: Socket, address: string, requestPort: number) {
    this.socket = socket;
    this.address = address;
    this.requestPort = requestPort;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  static async open(host: string, port: number): Promise<ClientConnection> {
    const { address } = await lookup(host);
    const socket = udpSocket(socketTypeFor(address));
    await bindSocket(socket, undefined, 0);
    return new ClientConnection(socket, address, port);
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (rinfo.address !== this.address) return; // not the server at all
    if (this.peerPort === null) this.peerPort = rinfo.port;
    else if (rinfo.port !== this.peerPort) {
      if (opcodeOf(msg) !== Opcode.ERROR) this.socket.send(encodeError(ErrorCode.unknownTransferId, Text.unknownTid), rinfo.port, rinfo.address);
      return;
    }
    const opcode = opcodeOf(msg);
    if (opcode === Opcode.ERROR) {
      const { code, message } = peerErrorOf(msg);
      this.onPeerError(code, message);
      return;
    }
    this.onPacket(opcode, msg);
  }

  send(buf: Buffer, offset: number, length: number): void {
    this.socket.send(buf, offset, length, this.peerPort ?? this.requestPort, this.address);
  }

  sendError(code: number, message: string): void {
    const packet = encodeError(code, message);
    this.send(packet, 0, packet.length);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
