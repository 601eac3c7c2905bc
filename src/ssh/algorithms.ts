// What the server offers in its KEXINIT (RFC 4253 §7.1), modern algorithms only. A
// client that knows none of them (OpenSSH with `-c aes128-ctr`, `-o
// KexAlgorithms=diffie-hellman-group14-sha1`, `-o HostKeyAlgorithms=ssh-rsa`) fails
// the negotiation and is disconnected (RFC 4253 §7.1: "no matching algorithm").
//
// ssh2 1.17.0 has no post-quantum hybrid key exchange (sntrup761x25519-sha512,
// mlkem768x25519-sha256): curve25519 is the best it offers. Strict key exchange
// (kex-strict-s-v00@openssh.com, OpenSSH PROTOCOL §1.10, the Terrapin fix, CVE-2023-48795)
// is added to the offer in library.ts (serverOffer), which replaces the one ssh2 builds.

import type { Algorithms } from './library.ts';

export const SSH_ALGORITHMS: Algorithms = {
  // RFC 8731 (curve25519-sha256, and its pre-standard libssh.org name); RFC 5656 §10.1
  // ecdh-sha2-nistp256 for clients without X25519.
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256'],
  // RFC 8709 Ed25519, RFC 5656 ECDSA, RFC 8332 RSA with SHA-2 (never "ssh-rsa", SHA-1).
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'],
  // AEAD only: OpenSSH PROTOCOL.chacha20poly1305, RFC 5647 / OpenSSH PROTOCOL §1.6 AES-GCM.
  cipher: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com'],
  // With AEAD ciphers no MAC is used; KEXINIT must still name some (RFC 4253 §7.1):
  // encrypt-then-MAC SHA-2 only (OpenSSH PROTOCOL §1.7).
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'],
  // No compression: nothing to gain on a LAN, and no decompression bombs.
  compress: ['none'],
};
