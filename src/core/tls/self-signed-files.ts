// Keeps the self-signed certificate in <data>/tls/: made at the first start, reused
// on every later one, so clients that pinned it keep working.

import { X509Certificate } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from './atomic-write.ts';
import { generateSelfSigned } from './self-signed.ts';
import { loadCertificate, type ContextPolicy, type LoadedCertificate } from './secure-context.ts';

export function selfSignedPaths(dataDir: string): { dir: string; certFile: string; keyFile: string } {
  const dir = join(dataDir, 'tls');
  return { dir, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

export async function ensureSelfSigned(dataDir: string, hostname: string, policy: ContextPolicy, log: Logger): Promise<LoadedCertificate> {
  const { dir, certFile, keyFile } = selfSignedPaths(dataDir);
  if ((await exists(certFile)) && (await exists(keyFile))) {
    try {
      const loaded = await loadCertificate(certFile, keyFile, policy);
      if (hostname && new X509Certificate(loaded.certPem).checkHost(hostname) === undefined) {
        // Kept on purpose: clients may have pinned it. Deleting the files makes a new one.
        log.info({ certFile, hostname, subject: loaded.subject }, 'the self-signed certificate does not name this host; keeping it (delete it to make a new one)');
      }
      return loaded;
    } catch (error) {
      // A half-finished first start (key written, certificate not) or a damaged file.
      log.warn({ certFile, err: (error as Error).message }, 'the self-signed certificate cannot be used; making a new one');
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = await generateSelfSigned(hostname);
  await writeFileAtomic(keyFile, pair.keyPem, 0o600);
  // Owner-only like everything in the data directory (the server reads it as its owner).
  await writeFileAtomic(certFile, pair.certPem, 0o600);
  const loaded = await loadCertificate(certFile, keyFile, policy);
  log.info({ certFile, fingerprint: loaded.fingerprint }, 'made a self-signed TLS certificate');
  return loaded;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
