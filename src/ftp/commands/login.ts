// RFC 959 §4.1.1: USER, PASS, ACCT, REIN, QUIT. Accounts are Septet's users (a full
// address, or a local part when default_domain is set); anonymous/ftp logins exist
// only when [ftp] anonymous is on, read-only in <data>/pub.

import { join } from 'node:path';
import type { Account } from '../../core/store/types.ts';
import { HomeJail } from '../../files/jail.ts';
import { openAccountFiles } from '../../files/file-area.ts';
import { QuotaTracker } from '../../files/limits.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession, FtpUser } from '../session.ts';
import { ANY_STATE, asIs, command, noArgument } from './types.ts';
import { required } from './helpers.ts';

const ANONYMOUS = new Set(['anonymous', 'ftp']);

function isAnonymous(session: FtpSession, name: string): boolean {
  return session.ftpConfig.anonymous && ANONYMOUS.has(name.toLowerCase());
}

export const user = command({
  states: ANY_STATE,
  parse: required('USER name'),
  run(session, name) {
    // A new USER starts a new login (RFC 959 §4.1.1), even after a successful one.
    session.reset();
    if (!isAnonymous(session, name) && !session.plaintextLoginAllowed) throw new FtpError(Reply.notLoggedIn, Text.plaintextRefused);
    session.state = { name: 'login', user: name };
    session.reply(Reply.needPassword, isAnonymous(session, name) ? Text.anonymousPassword : Text.needPassword);
  },
});

export const pass = command({
  states: ANY_STATE,
  // The password as sent, spaces included (and possibly empty).
  parse: asIs,
  async run(session, password) {
    const state = session.state;
    if (state.name === 'ready') throw new FtpError(Reply.badSequence, Text.alreadyLoggedIn);
    if (state.name !== 'login' || state.user === null) throw new FtpError(Reply.badSequence, Text.userFirst);
    if (isAnonymous(session, state.user)) return loggedIn(session, await anonymousUser(session));
    if (!session.plaintextLoginAllowed) throw new FtpError(Reply.notLoggedIn, Text.plaintextRefused);
    const account = await session.deps.auth.login({ username: state.user, password, remoteAddress: session.conn.remoteAddress, service: 'ftp' });
    if (!account) return loginFailed(session);
    const user = await accountUser(session, account);
    if (session.conn.isClosed) return;
    loggedIn(session, user);
  },
});

/** Read-only, in <data>/pub. */
async function anonymousUser(session: FtpSession): Promise<FtpUser> {
  const jail = await HomeJail.open(join(session.deps.dataDir, 'pub'), { create: true });
  return { name: 'anonymous', jail, readOnly: true, quota: await QuotaTracker.open(jail.root, null) };
}

/** The account's home folder, with its own quota or the configured one. */
async function accountUser(session: FtpSession, account: Account): Promise<FtpUser> {
  const { jail, quota } = await openAccountFiles(session.deps.dataDir, account, session.ftpConfig.quota_bytes);
  return { name: account.address, jail, readOnly: false, quota };
}

function loggedIn(session: FtpSession, user: FtpUser): void {
  session.state = { name: 'ready', user };
  session.loginFailures = 0;
  // No pre-authentication deadline any more (core/net/limits.ts): also anonymous
  // downloads may outlast it.
  session.conn.markTrusted();
  session.conn.log.info({ user: user.name }, 'ftp login');
  session.reply(Reply.loggedIn, Text.loginOk);
}

/** 530, or 421 and the end of the session after max_login_failures. */
function loginFailed(session: FtpSession): void {
  session.state = { name: 'login', user: null };
  session.loginFailures++;
  if (session.loginFailures >= session.ftpConfig.max_login_failures) {
    session.reply(Reply.unavailable, Text.tooManyFailures);
    session.state = { name: 'closed' };
    return;
  }
  throw new FtpError(Reply.notLoggedIn, Text.loginFailed);
}

export const acct = command({
  states: ANY_STATE,
  parse: noArgument,
  run(session) {
    if (session.state.name !== 'ready') throw new FtpError(Reply.badSequence, Text.userFirst);
    session.reply(Reply.superfluous, Text.acctNotNeeded);
  },
});

export const rein = command({
  states: ANY_STATE,
  parse: noArgument,
  async run(session) {
    // RFC 959 §4.1.1: a transfer in progress completes first.
    await session.transfer?.done.catch(() => {});
    session.reset();
    session.reply(Reply.ready, Text.readyForNewUser);
  },
});

export const quit = command({
  states: ANY_STATE,
  parse: noArgument,
  async run(session) {
    // RFC 959 §4.1.1: with a transfer in progress, its reply comes first.
    await session.transfer?.done.catch(() => {});
    session.reply(Reply.closing, Text.goodbye);
    session.state = { name: 'closed' };
  },
});
