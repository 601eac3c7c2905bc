// Running as root only as long as needed: Septet binds its ports as root, then
// becomes an unprivileged user (like Postfix's mail_owner or vsftpd's nopriv_user)
// that owns the data directory.

import { execFile } from 'node:child_process';
import { readFile, lstat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Whether this process may bind ports below 1024: root, CAP_NET_BIND_SERVICE, or a
 * lowered net.ipv4.ip_unprivileged_port_start.
 */
export async function canBindPrivilegedPorts(): Promise<boolean> {
  if (isRoot()) return true;
  try {
    const start = Number((await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')).trim());
    if (Number.isFinite(start) && start <= 21) return true;
  } catch {
    // Not Linux, or /proc not mounted: fall through to the capability check.
  }
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    const CAP_NET_BIND_SERVICE = 10n;
    if (match && (BigInt('0x' + match[1]) >> CAP_NET_BIND_SERVICE) & 1n) return true;
  } catch {
    // No /proc: assume not.
  }
  return false;
}

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

async function lookupUser(name: string): Promise<SystemUser | null> {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    for (const line of passwd.split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // Fall through.
  }
  return null;
}

/** Finds the user, creating a system account without a login shell when missing. */
export async function ensureSystemUser(name: string): Promise<SystemUser> {
  const existing = await lookupUser(name);
  if (existing) return existing;
  await run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  const created = await lookupUser(name);
  if (!created) throw new Error(`could not create the system user ${name}`);
  return created;
}

/** Drops root for good: supplementary groups, group, then user. */
export function becomeUser(user: SystemUser): void {
  process.setgroups?.([user.gid]);
  process.setgid?.(user.gid);
  process.setuid?.(user.uid);
}

/**
 * For administration commands run as root: the user they act as, so that nothing
 * they create is root's. That is the data directory's owner; a data directory that
 * is missing or root's (the README's flow: `septet user add` before the first start)
 * goes to the service user, created if missing, as `septet start` would do.
 * Null when not root.
 */
export async function dataDirectoryOwner(path: string, serviceUser: string): Promise<{ user: SystemUser; adopt: boolean } | null> {
  if (!isRoot()) return null;
  const stat = await lstat(path).catch(() => null);
  if (stat && stat.uid !== 0) return { user: { name: String(stat.uid), uid: stat.uid, gid: stat.gid }, adopt: false };
  return { user: await ensureSystemUser(serviceUser), adopt: true };
}
