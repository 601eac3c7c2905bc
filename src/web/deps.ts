// What the web console is given by the composition root (src/startup/handlers.ts): the
// same account store, login throttle, mail submission path and data directory as every
// other service, plus what only the console shows (the SSH host key fingerprints).

import type { MailServiceDeps } from '../core/service/deps.ts';
import type { MailService } from '../mail/mail-service.ts';

export interface HostKeyFingerprint {
  /** "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"... */
  type: string;
  bits: number;
  /** "SHA256:..." as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export interface WebDeps extends MailServiceDeps {
  /** The submission path (same sender binding, checks and queue as port 587). */
  mail: MailService;
  /** The data directory: home folders (files page) and the default web root. */
  dataDir: string;
  /** The port offset, so redirects and links name the right HTTPS port. */
  portOffset: number;
  /** The SSH host keys' fingerprints, shown on the keys page ([] when SSH is off). */
  hostKeys: HostKeyFingerprint[];
}
