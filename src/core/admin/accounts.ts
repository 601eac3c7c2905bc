// User administration as `septet user ...` and the console's `user ...` do it: one
// implementation over the store, so both give the same results and messages.

import { hashPassword, hashSchemeName, passwordPolicy, type PasswordSettings } from '../auth/password.ts';
import { StoreError, type Account, type Store } from '../store/types.ts';
import { AdminError } from './errors.ts';

/** "Local@Example.ORG" → "Local@example.org"; refuses what is not an address. */
export function normalizeAddress(address: string | undefined, what = 'address'): string {
  if (!address) throw new AdminError('usage', `missing ${what}`);
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || /[\s<>]/.test(address)) throw new AdminError('usage', `not a mail address: ${address}`);
  return address.slice(0, at) + '@' + address.slice(at + 1).toLowerCase();
}

/** The rule every new password meets, wherever it is set (the CLI reads it from stdin or --password). */
export function checkNewPassword(password: string): void {
  if (password.length === 0) throw new AdminError('usage', 'empty password');
  if (/[\r\n\0]/.test(password)) throw new AdminError('usage', 'a password cannot contain a line end or NUL');
}

export interface NewUserOptions {
  admin?: boolean;
  sendAsDomain?: boolean;
}

export async function addUser(store: Store, auth: PasswordSettings, address: string, password: string, options: NewUserOptions = {}): Promise<{ account: Account; message: string }> {
  const normalized = normalizeAddress(address);
  checkNewPassword(password);
  let account: Account;
  try {
    account = await store.accounts.addUser(normalized, await hashPassword(password, passwordPolicy(auth)), {
      admin: options.admin === true,
      sendAsDomain: options.sendAsDomain === true,
    });
  } catch (error) {
    if (error instanceof StoreError && error.code === 'exists') throw new AdminError('exists', `${normalized} already exists`);
    throw error;
  }
  const notes = [options.admin ? 'administrator' : '', options.sendAsDomain ? 'may send as any address of its domain' : ''].filter(Boolean);
  return { account, message: `added ${normalized}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}` };
}

/** One line of `user list`: address, [scheme,] flags, tab-separated. */
export function userListLine(account: Account, options: { schemes?: boolean } = {}): string {
  const scheme = options.schemes ? `\t${hashSchemeName(account.passwordHash)}` : '';
  return `${account.address}${scheme}${account.admin ? '\tadmin' : ''}${account.sendAsDomain ? '\tsend-as-domain' : ''}`;
}

export async function setUserPassword(store: Store, auth: PasswordSettings, address: string, password: string): Promise<string> {
  const normalized = normalizeAddress(address);
  checkNewPassword(password);
  if (!(await store.accounts.setPassword(normalized, await hashPassword(password, passwordPolicy(auth))))) throw new AdminError('not-found', `no such user: ${normalized}`);
  return `password changed for ${normalized}`;
}

export async function deleteUser(store: Store, address: string): Promise<string> {
  const normalized = normalizeAddress(address);
  if (!(await store.accounts.deleteUser(normalized))) throw new AdminError('not-found', `no such user: ${normalized}`);
  return `deleted ${normalized}`;
}

/** "12345" → 12345, "none" → null; undefined when it is neither. */
export function parseQuotaAmount(amount: string | undefined): number | null | undefined {
  if (amount === 'none') return null;
  const bytes = Number(amount);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/** The per-user storage quota that IMAP's QUOTA reports and SMTP delivery enforces (RFC 3463 x.2.2). */
export async function setUserQuota(store: Store, address: string, bytes: number | null): Promise<string> {
  const normalized = normalizeAddress(address);
  if (!(await store.accounts.setQuota(normalized, bytes))) throw new AdminError('not-found', `no such user: ${normalized}`);
  return `quota of ${normalized}: ${bytes === null ? 'none' : `${bytes} bytes`}`;
}

/** Account.admin: the console's administrator commands (src/console/commands/admin.ts). */
export async function setUserAdmin(store: Store, address: string, admin: boolean): Promise<string> {
  const normalized = normalizeAddress(address);
  if (!(await store.accounts.setAdmin(normalized, admin))) throw new AdminError('not-found', `no such user: ${normalized}`);
  return `${normalized} ${admin ? 'is now an administrator' : 'is no longer an administrator'}`;
}

export async function setUserSendAs(store: Store, address: string, allowed: boolean): Promise<string> {
  const normalized = normalizeAddress(address);
  if (!(await store.accounts.setSendAsDomain(normalized, allowed))) throw new AdminError('not-found', `no such user: ${normalized}`);
  const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
  return `${normalized} ${allowed ? 'may' : 'may no longer'} send as any address of ${domain}`;
}
