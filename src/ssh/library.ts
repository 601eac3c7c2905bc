// The one door to the ssh2 library (transport, key exchange, ciphers, user
// authentication and channels; https://github.com/mscdex/ssh2). It is loaded here,
// lazily, so that its optional native crypto binding can be turned off before ssh2
// first looks for it (ssh.native_crypto = false, for measuring both paths), and so the
// rest of src/ssh/ sees only the small typed surface below (ssh2 ships no types).

import { createRequire, registerHooks } from 'node:module';
import type { Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import type { EventEmitter } from 'node:events';

const require = createRequire(import.meta.url);

export interface ParsedKey {
  /** "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ... */
  readonly type: string;
  readonly comment: string;
  getPublicSSH(): Buffer;
  getPublicPEM(): string | null;
  getPrivatePEM(): string | null;
  /** true, false, or an Error for a key or signature it cannot handle. */
  verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean | Error;
  sign(data: Buffer, hashAlgo?: string): Buffer | Error;
}

export interface Algorithms {
  kex: string[];
  serverHostKey: string[];
  cipher: string[];
  hmac: string[];
  compress: string[];
}

export interface ServerConfig {
  hostKeys: Array<string | Buffer>;
  algorithms: Algorithms;
  ident: string;
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
  debug?: (message: string) => void;
}

export interface AuthContextBase {
  readonly username: string;
  readonly service: string;
  readonly method: string;
  accept(): void;
  reject(methodsLeft?: string[], isPartial?: boolean): void;
  on(event: 'abort', listener: () => void): void;
}
export interface PasswordContext extends AuthContextBase {
  readonly method: 'password';
  readonly password: string;
}
export interface PublicKeyContext extends AuthContextBase {
  readonly method: 'publickey';
  readonly key: { algo: string; data: Buffer };
  readonly hashAlgo: string | undefined;
  /** Absent when the client only asks whether a key would do (RFC 4252 §7). */
  readonly signature: Buffer | undefined;
  /** The data the signature covers (session id + request), when signed. */
  readonly blob: Buffer | undefined;
}
export interface KeyboardContext extends AuthContextBase {
  readonly method: 'keyboard-interactive';
  prompt(prompts: Array<{ prompt: string; echo: boolean }>, title: string, instructions: string, callback: (answers: string[] | Error) => void): void;
}
export type AuthContext = PasswordContext | PublicKeyContext | KeyboardContext | (AuthContextBase & { readonly method: 'none' | 'hostbased' });

export interface ServerChannel extends Duplex {
  readonly stderr: Writable;
  exit(status: number): void;
  exit(signal: string, coreDumped: boolean, message: string): void;
  close(): void;
}

export type Accept<T = void> = () => T;
export type Reject = () => void;
export interface PtyInfo {
  cols: number;
  rows: number;
  width: number;
  height: number;
  term: string;
}
export interface WindowInfo {
  cols: number;
  rows: number;
  width: number;
  height: number;
}

export interface SshSessionChannel extends EventEmitter {
  on(event: 'pty', listener: (accept: Accept | undefined, reject: Reject | undefined, info: PtyInfo) => void): this;
  on(event: 'window-change', listener: (accept: Accept | undefined, reject: Reject | undefined, info: WindowInfo) => void): this;
  on(event: 'env', listener: (accept: Accept | undefined, reject: Reject | undefined, info: { key: string; val: string }) => void): this;
  on(event: 'shell', listener: (accept: Accept<ServerChannel | undefined>, reject: Reject | undefined) => void): this;
  on(event: 'exec', listener: (accept: Accept<ServerChannel | undefined>, reject: Reject | undefined, info: { command: string }) => void): this;
  on(event: 'subsystem', listener: (accept: Accept<ServerChannel | undefined>, reject: Reject | undefined, info: { name: string }) => void): this;
  on(event: 'x11' | 'auth-agent' | 'signal', listener: (accept: Accept | undefined, reject: Reject | undefined) => void): this;
  on(event: 'close', listener: () => void): this;
}

export interface SshClient extends EventEmitter {
  readonly authenticated: boolean;
  end(): void;
  on(event: 'authentication', listener: (ctx: AuthContext) => void): this;
  on(event: 'ready' | 'close' | 'end' | 'rekey', listener: () => void): this;
  on(event: 'error', listener: (error: Error & { level?: string; code?: unknown }) => void): this;
  on(event: 'handshake', listener: (negotiated: { kex: string; srvHostKey: string; cs: { cipher: string; mac: string }; sc: { cipher: string; mac: string } }) => void): this;
  on(event: 'session', listener: (accept: Accept<SshSessionChannel>, reject: Reject) => void): this;
  on(event: 'tcpip' | 'openssh.streamlocal', listener: (accept: Accept, reject: Reject) => void): this;
  on(event: 'request', listener: (accept: Accept | undefined, reject: Reject | undefined, name: string) => void): this;
}

export interface SshServer extends EventEmitter {
  injectSocket(socket: Socket): void;
  on(event: 'connection', listener: (client: SshClient & { _sock: Socket; _protocol: SshProtocol }, info: { header: { identRaw: string } }) => void): this;
}

/** The transport under an SshClient (ssh2's Protocol): its KEXINIT offer, and a goodbye. */
export interface SshProtocol {
  disconnect(reason: number): void;
  _offer: object;
}

interface Ssh2Module {
  Server: new (config: ServerConfig) => SshServer;
  utils: {
    parseKey(data: Buffer | string, passphrase?: string): ParsedKey | ParsedKey[] | Error;
    /** OpenSSH-format private key and public key line. */
    generateKeyPair(type: 'ed25519' | 'ecdsa' | 'rsa', options: { bits?: number; comment?: string }, callback: (error: Error | null, keys: { private: string; public: string }) => void): void;
  };
}

let loaded: { ssh2: Ssh2Module; native: boolean } | null = null;

/**
 * ssh2, loaded once per process. With `native` false the binding is hidden from it
 * (its crypto.js then uses node:crypto and its own Poly1305); the choice of the first
 * call holds for the process. `native` in the result says what is in use.
 */
export function loadSsh2(native: boolean): { ssh2: Ssh2Module; native: boolean } {
  if (loaded) return loaded;
  if (!native) {
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.endsWith('sshcrypto.node')) throw Object.assign(new Error('ssh2 native crypto turned off (ssh.native_crypto = false)'), { code: 'MODULE_NOT_FOUND' });
        return next(specifier, context);
      },
    });
  }
  const ssh2 = require('ssh2') as Ssh2Module;
  const crypto = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
  loaded = { ssh2, native: crypto.bindingAvailable };
  return loaded;
}

/** ssh2 as loaded, or loaded now with its defaults (the CLI; tests). */
export function ssh2(): Ssh2Module {
  return (loaded ?? loadSsh2(true)).ssh2;
}

/** Parses one public or private key as ssh2 reads it; null when it cannot. */
export function parseKey(data: Buffer | string): ParsedKey | null {
  const parsed = ssh2().utils.parseKey(data);
  if (parsed instanceof Error) return null;
  return Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
}

/**
 * The KEXINIT (RFC 4253 §7.1) this server sends, built by ssh2's own KexInit class.
 * ssh2's Server always adds "ssh-rsa" (SHA-1 signatures; RFC 8332 §3, RFC 9142 §3.2:
 * SHOULD NOT) to its host key algorithms when it has an RSA key, whatever it was told;
 * server.ts puts this offer in place of ssh2's on each connection, in the 'connection'
 * event, which ssh2 emits after the client's identification and before its KEXINIT is
 * sent (Protocol.js parseHeader), so the first and every later key exchange use it.
 * Strict key exchange (OpenSSH PROTOCOL, kex-strict-s-v00@openssh.com) is kept.
 */
export function serverOffer(algorithms: Algorithms): object {
  ssh2();
  const { KexInit } = require('ssh2/lib/protocol/kex.js') as { KexInit: new (lists: unknown) => object };
  const direction = { cipher: algorithms.cipher, mac: algorithms.hmac, compress: algorithms.compress, lang: [] };
  return new KexInit({ kex: [...algorithms.kex, 'kex-strict-s-v00@openssh.com'], serverHostKey: algorithms.serverHostKey, cs: direction, sc: { ...direction } });
}
