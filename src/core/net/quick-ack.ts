// TCP_QUICKACK (Linux tcp(7)) after each flush of output, as Dovecot sets it after
// every write. Why: a client that writes a literal and then its closing CRLF in two
// calls (python imaplib's APPEND, many others) has Nagle's algorithm hold the CRLF
// until our ACK of the literal comes; after answering "+" our end is in the kernel's
// interactive ("pingpong") mode and delays that ACK by its 40 ms minimum. So one APPEND
// took ~45 ms whatever the store did (measured: 45 ms → 0.4 ms on a bare Node server).
// Node has no setsockopt; node:ffi (experimental in Node 26) calls libc's. Where that is
// missing (another OS, --no-experimental-ffi, the permission model without --allow-ffi,
// a TLS socket without a descriptor), nothing happens: only the 40 ms come back.

import type { Socket } from 'node:net';

const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12;

type SetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number) => number;

let setsockopt: SetSockOpt | null | undefined;
const ONE = Buffer.from([1, 0, 0, 0]);

function load(): SetSockOpt | null {
  if (process.platform !== 'linux') return null;
  // Loading node:ffi emits an ExperimentalWarning on stderr; this use is one call with
  // fixed arguments, so that warning (only that one) is not shown.
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!/FFI/.test(text)) (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const ffi = process.getBuiltinModule('node:ffi') as unknown as
      | { dlopen: (path: string, definitions: object) => { functions: { setsockopt: SetSockOpt } } }
      | undefined;
    if (!ffi) return null;
    return ffi.dlopen('libc.so.6', { setsockopt: { arguments: ['int32', 'int32', 'int32', 'buffer', 'uint32'], return: 'int32' } }).functions.setsockopt;
  } catch {
    return null;
  } finally {
    process.emitWarning = emit;
  }
}

/** The kernel descriptor of a TCP socket (or of the one under a TLS socket), or -1. */
function descriptorOf(socket: Socket): number {
  const inner = socket as Socket & { _handle?: { fd?: number } | null; _parent?: { _handle?: { fd?: number } | null } | null };
  const fd = inner._handle?.fd ?? inner._parent?._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** Asks the kernel to ACK what arrives next at once. Call after output reached the socket. */
export function quickAck(socket: Socket): void {
  if (setsockopt === undefined) setsockopt = load();
  if (!setsockopt) return;
  const fd = descriptorOf(socket);
  if (fd < 0) return;
  try {
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, ONE, 4);
  } catch {
    setsockopt = null;
  }
}
