// RFC 959 §4.1.1: USER, PASS, ACCT, REIN, QUIT. Accounts are Septet's users (a full
// address, or a local part when default_domain is set); anonymous/ftp logins exist
// only when [ftp] anonymous is on, read-only in <data>/pub.

import { join } from 'node:path';
import { HomeJail, openUserHome } from '../../files/jail.ts';
import { QuotaTracker } from '../../files/limits.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import type { Command } from './types.ts';

const ANONYMOUS = new Set(['anonymous', 'ftp']);

function isAnonymous(session: FtpSession, name: string): boolean {
  return session.ftpConfig.anonymous && ANONYMOUS.has(name.toLowerCase());
}

export const user: Command = {
  needsLogin: false,
  async run(session, argument) {
    if (session.transfer) await session.transfer.done.catch(() => {});
    if (argument === '') throw new FtpError(Reply.badArguments, 'Syntax: USER name');
    // A new USER starts a new login (RFC 959 §4.1.1), even after a successful one.
    session.reset();
    if (!isAnonymous(session, argument) && !session.plaintextLoginAllowed) throw new FtpError(Reply.notLoggedIn, Text.plaintextRefused);
    session.state = { name: 'login', user: argument };
    session.reply(Reply.needPassword, isAnonymous(session, argument) ? Text.anonymousPassword : Text.needPassword);
  },
};

export const pass: Command = {
  needsLogin: false,
  async run(session, argument) {
    const state = session.state;
    if (state.name === 'ready') throw new FtpError(Reply.badSequence, 'Already logged in.');
    if (state.name !== 'login' || state.user === null) throw new FtpError(Reply.badSequence, Text.userFirst);
    const name = state.user;
    const { deps } = session;
    if (isAnonymous(session, name)) {
      const jail = await HomeJail.open(join(deps.dataDir, 'pub'), { create: true });
      session.state = { name: 'ready', user: { name: 'anonymous', jail, readOnly: true, quota: await QuotaTracker.open(jail.root, null) } };
      session.conn.markTrusted(); // anonymous downloads may outlast the pre-authentication deadline
      session.conn.log.info({ user: 'anonymous' }, 'ftp login');
      session.reply(Reply.loggedIn, Text.loginOk);
      return;
    }
    if (!session.plaintextLoginAllowed) throw new FtpError(Reply.notLoggedIn, Text.plaintextRefused);
    const account = await deps.auth.login({ username: name, password: argument, remoteAddress: session.conn.remoteAddress, service: 'ftp' });
    if (!account) {
      session.state = { name: 'login', user: null };
      session.loginFailures++;
      if (session.loginFailures >= session.ftpConfig.max_login_failures) {
        session.reply(Reply.unavailable, Text.tooManyFailures);
        session.state = { name: 'closed' };
        return;
      }
      throw new FtpError(Reply.notLoggedIn, Text.loginFailed);
    }
    const jail = await openUserHome(deps.dataDir, account.address);
    const limit = account.quotaBytes ?? (session.ftpConfig.quota_bytes > 0 ? session.ftpConfig.quota_bytes : null);
    const quota = await QuotaTracker.open(jail.root, limit);
    if (session.conn.isClosed) return;
    session.state = { name: 'ready', user: { name: account.address, jail, readOnly: false, quota } };
    session.loginFailures = 0;
    session.conn.markTrusted(); // no pre-authentication deadline any more (core/net/limits.ts)
    session.conn.log.info({ user: account.address }, 'ftp login');
    session.reply(Reply.loggedIn, Text.loginOk);
  },
};

export const acct: Command = {
  needsLogin: false,
  run(session) {
    if (session.state.name !== 'ready') throw new FtpError(Reply.badSequence, Text.userFirst);
    session.reply(Reply.superfluous, 'ACCT not needed.');
  },
};

export const rein: Command = {
  needsLogin: false,
  async run(session) {
    // RFC 959 §4.1.1: a transfer in progress completes first.
    await session.transfer?.done.catch(() => {});
    session.reset();
    session.reply(Reply.ready, 'Ready for new user.');
  },
};

export const quit: Command = {
  needsLogin: false,
  async run(session) {
    // RFC 959 §4.1.1: with a transfer in progress, its reply comes first.
    await session.transfer?.done.catch(() => {});
    session.reply(Reply.closing, Text.goodbye);
    session.state = { name: 'closed' };
  },
};
