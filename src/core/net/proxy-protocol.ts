// The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2): a load
// balancer in front of Septet opens each connection with a header naming the real
// client, so limits, logs, relay rules and Received headers see the client rather
// than the balancer. Only enabled per listener (proxy_protocol = true), because a
// client that could send the header itself could claim any address.

import { isIP, type Socket } from 'node:net';
import { normalizeAddress, rfc5952 } from './address.ts';

export class ProxyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyProtocolError';
  }
}

/** The addresses a PROXY header declares; null fields mean "keep the socket's own". */
export interface ProxyHeader {
  /** Octets the header took; what follows is the client's first data. */
  consumed: number;
  /** null for v1 UNKNOWN, v2 LOCAL (health checks), and v2 families other than IPv4/IPv6. */
  source: { address: string; port: number } | null;
  destination: { address: string; port: number } | null;
  version: 1 | 2;
}

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** proxy-protocol.txt §2.1: a v1 line is at most 107 octets with its CRLF. */
const V1_MAX_LENGTH = 107;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED_LENGTH = 16;
/** Addresses plus TLVs (SSL details, unique id, cloud endpoint ids) fit easily; more is refused. */
const V2_MAX_PAYLOAD = 4096;

/**
 * Parses a header at the start of `input`. null while more octets are needed;
 * ProxyProtocolError as soon as the input cannot be a valid header.
 */
export function parseProxyHeader(input: Buffer): ProxyHeader | null {
  if (startsLike(input, V2_SIGNATURE)) return input.length < V2_SIGNATURE.length ? null : parseV2(input);
  if (startsLike(input, V1_PREFIX)) return input.length < V1_PREFIX.length ? null : parseV1(input);
  throw new ProxyProtocolError('no PROXY protocol header');
}

/** Whether `input` is a prefix of `signature` or starts with it. */
function startsLike(input: Buffer, signature: Buffer): boolean {
  const n = Math.min(input.length, signature.length);
  return input.subarray(0, n).equals(signature.subarray(0, n));
}

// proxy-protocol.txt §2.1: "PROXY TCP4|TCP6|UNKNOWN src dst srcport dstport\r\n".
function parseV1(input: Buffer): ProxyHeader | null {
  const end = input.subarray(0, V1_MAX_LENGTH).indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (input.length >= V1_MAX_LENGTH) throw new ProxyProtocolError('PROXY v1 line too long');
    return null;
  }
  const consumed = end + 2;
  const fields = input.subarray(V1_PREFIX.length, end).toString('latin1').split(' ');
  const family = fields[0];
  if (family === 'UNKNOWN') return { consumed, source: null, destination: null, version: 1 };
  if (family !== 'TCP4' && family !== 'TCP6') throw new ProxyProtocolError(`PROXY v1: unknown protocol ${JSON.stringify(family)}`);
  if (fields.length !== 5) throw new ProxyProtocolError('PROXY v1: expected 4 fields after the protocol');
  const [, src, dst, srcPort, dstPort] = fields as [string, string, string, string, string];
  const ipVersion = family === 'TCP4' ? 4 : 6;
  return {
    consumed,
    source: { address: v1Address(src, ipVersion), port: v1Port(srcPort) },
    destination: { address: v1Address(dst, ipVersion), port: v1Port(dstPort) },
    version: 1,
  };
}

function v1Address(text: string, ipVersion: 4 | 6): string {
  // isIP accepts a zone ("fe80::1%eth0"), which names an interface of the balancer,
  // not a client address (and URL parsing below would throw on it).
  if (isIP(text) !== ipVersion || text.includes('%')) throw new ProxyProtocolError(`PROXY v1: not an IPv${ipVersion} address: ${JSON.stringify(text)}`);
  return ipVersion === 4 ? text : canonicalIpv6(text);
}

function v1Port(text: string): number {
  // Decimal without leading zeros, 0..65535.
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text) || Number(text) > 65535) throw new ProxyProtocolError(`PROXY v1: bad port ${JSON.stringify(text)}`);
  return Number(text);
}

// proxy-protocol.txt §2.2: signature, version/command, family/protocol, length, addresses, TLVs.
function parseV2(input: Buffer): ProxyHeader | null {
  if (!input.subarray(0, V2_SIGNATURE.length).equals(V2_SIGNATURE)) throw new ProxyProtocolError('no PROXY protocol header');
  if (input.length < V2_FIXED_LENGTH) return null;
  const versionCommand = input[12]!;
  const familyProtocol = input[13]!;
  const length = input.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) throw new ProxyProtocolError(`PROXY v2: unsupported version ${versionCommand >> 4}`);
  const command = versionCommand & 0x0f;
  if (command !== 0 && command !== 1) throw new ProxyProtocolError(`PROXY v2: unknown command ${command}`);
  if (length > V2_MAX_PAYLOAD) throw new ProxyProtocolError(`PROXY v2: header of ${length} octets is above the limit`);
  const consumed = V2_FIXED_LENGTH + length;
  if (input.length < consumed) return null;
  // LOCAL: the balancer's own connection (health check); the socket's addresses stand.
  if (command === 0) return { consumed, source: null, destination: null, version: 2 };

  const payload = input.subarray(V2_FIXED_LENGTH, consumed);
  const family = familyProtocol >> 4;
  if (family === 1) {
    if (length < 12) throw new ProxyProtocolError('PROXY v2: IPv4 addresses truncated');
    return {
      consumed,
      source: { address: ipv4(payload.subarray(0, 4)), port: payload.readUInt16BE(8) },
      destination: { address: ipv4(payload.subarray(4, 8)), port: payload.readUInt16BE(10) },
      version: 2,
    };
  }
  if (family === 2) {
    if (length < 36) throw new ProxyProtocolError('PROXY v2: IPv6 addresses truncated');
    return {
      consumed,
      source: { address: ipv6(payload.subarray(0, 16)), port: payload.readUInt16BE(32) },
      destination: { address: ipv6(payload.subarray(16, 32)), port: payload.readUInt16BE(34) },
      version: 2,
    };
  }
  // UNSPEC or a UNIX socket: no IP to take; §2.2 says to keep the connection's own.
  return { consumed, source: null, destination: null, version: 2 };
}

function ipv4(bytes: Buffer): string {
  return Array.from(bytes).join('.');
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return canonicalIpv6(groups.join(':'));
}

/** RFC 5952 form (as sockets report it); an IPv4-mapped address becomes plain IPv4. */
function canonicalIpv6(address: string): string {
  const compressed = rfc5952(address);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped) {
    const high = parseInt(mapped[1]!, 16);
    const low = parseInt(mapped[2]!, 16);
    return normalizeAddress(`::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  return compressed;
}

/**
 * Reads a PROXY header from the start of a raw socket. Resolves with the header and
 * any octets that came after it (the client's first data, or its TLS ClientHello);
 * the socket is left paused with nothing consumed beyond that. Rejects on a bad or
 * missing header, a closed socket, or no complete header within `timeoutMs`.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<{ header: ProxyHeader; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new ProxyProtocolError('no complete PROXY header in time')), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', fail);
      socket.pause();
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => fail(new ProxyProtocolError('connection closed before the PROXY header'));
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let header: ProxyHeader | null;
      try {
        header = parseProxyHeader(buffered);
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (!header) return;
      cleanup();
      resolve({ header, rest: buffered.subarray(header.consumed) });
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', fail);
  });
}
