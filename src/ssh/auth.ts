// Who may log in (RFC 4252): Septet's accounts, by password (§8), by keyboard-
// interactive with one password prompt (RFC 4256; OpenSSH's ssh tries it when a
// password is asked through SSH_ASKPASS), or by a public key kept for the account
// (§7, `septet ssh key add`). Passwords go through the shared Authenticator, so the
// per-source and per-account throttle, bans and log line are those of every other
// protocol; a key signature goes through its prove(), with the same effect.
//
// Timing and answers never say whether an account exists: an unknown account is
// looked up, its key searched and the signature verified exactly as a known one's,
// and the password check hashes against the dummy hash.

import type { Account } from '../core/store/types.ts';
import { KeyFormatError } from '../core/keys/errors.ts';
import { publicKeyFromBlob, type PublicKey } from '../core/keys/public-key.ts';
import { parseKey, type AuthContext, type KeyboardContext, type PublicKeyContext } from './library.ts';
import { AUTH_METHODS, PASSWORD_PROMPT } from './replies.ts';
import type { SshSession } from './session.ts';

export type AuthOutcome =
  | { kind: 'accepted'; account: Account; fingerprint?: string }
  /** A key query (no signature) for a key the account has: SSH_MSG_USERAUTH_PK_OK. */
  | { kind: 'pk-ok' }
  /** Refused; `counted` attempts count against ssh.max_auth_tries (OpenSSH counts every refusal but "none"). */
  | { kind: 'refused'; counted: boolean; methods: string[] };

const refused = (counted: boolean): AuthOutcome => ({ kind: 'refused', counted, methods: AUTH_METHODS });

export async function authenticate(session: SshSession, ctx: AuthContext): Promise<AuthOutcome> {
  // RFC 4252 §6: the only service after authentication is the connection protocol.
  if (ctx.service !== 'ssh-connection') return refused(true);
  switch (ctx.method) {
    case 'password':
      return passwordLogin(session, ctx.username, ctx.password);
    case 'keyboard-interactive':
      return keyboardLogin(session, ctx);
    case 'publickey':
      return publicKeyLogin(session, ctx);
    default:
      // "none" (RFC 4252 §5.2) asks for the list; hostbased is not offered.
      return refused(ctx.method !== 'none');
  }
}

async function passwordLogin(session: SshSession, username: string, password: string): Promise<AuthOutcome> {
  const account = await session.deps.auth.login({ username, password, remoteAddress: session.conn.remoteAddress, service: 'ssh' });
  return account ? { kind: 'accepted', account } : refused(true);
}

/** RFC 4256 §3.2: one INFO_REQUEST with a non-echoed "Password: " prompt. */
function keyboardLogin(session: SshSession, ctx: KeyboardContext): Promise<AuthOutcome> {
  return new Promise((resolve) => {
    ctx.prompt([{ ...PASSWORD_PROMPT }], '', '', (answers) => {
      if (answers instanceof Error || !Array.isArray(answers) || answers.length !== 1 || typeof answers[0] !== 'string') return resolve(refused(true));
      passwordLogin(session, ctx.username, answers[0]).then(resolve, () => resolve(refused(true)));
    });
  });
}

async function publicKeyLogin(session: SshSession, ctx: PublicKeyContext): Promise<AuthOutcome> {
  const blob = ctx.key.data;
  // A key that is not what it claims or that `ssh key add` would refuse (the same reader:
  // DSA, RSA under 2048 bits, an ECDSA point off its curve), or an RSA signature with
  // SHA-1 ("ssh-rsa", RFC 8332 §3): refused before any lookup.
  const checked = userKey(blob, ctx.key.algo);
  const key = checked && parseKey(blob);
  if (!checked || !key) return refused(true);
  if (checked.algorithm === 'ssh-rsa' && ctx.hashAlgo !== 'sha256' && ctx.hashAlgo !== 'sha512') return refused(true);
  const fingerprint = checked.fingerprint;
  const { store, auth } = session.deps;
  const remoteAddress = session.conn.remoteAddress;

  // The account's key with this blob; for an unknown account the same two queries run.
  const findKey = async (address: string) => {
    const account = address.includes('@') ? await store.accounts.getUser(address) : null;
    const stored = await store.sshKeys.find(account?.id ?? -1, blob);
    return account && stored ? account : null;
  };

  if (!ctx.signature || !ctx.blob) {
    // RFC 4252 §7: "may this key log in?" — answered without counting as a failed login.
    const found = await findKey(auth.canonicalUsername(ctx.username));
    return found ? { kind: 'pk-ok' } : refused(true);
  }

  const signature = ctx.signature;
  const signed = ctx.blob;
  const verify = async (address: string): Promise<Account | null> => {
    const account = await findKey(address);
    // The signature is checked with the offered key whether or not the account has it,
    // so both cost one verification.
    const valid = key.verify(signed, signature, ctx.hashAlgo) === true;
    return valid ? account : null;
  };
  // Through the authenticator, so a bad signature is throttled, banned and logged as a bad password is.
  const account = await auth.prove({ username: ctx.username, remoteAddress, service: 'ssh', method: 'publickey' }, verify);
  if (!account) {
    session.log.info({ user: auth.canonicalUsername(ctx.username), remote: remoteAddress, key: fingerprint }, 'ssh public key refused');
    return refused(true);
  }
  return { kind: 'accepted', account, fingerprint };
}

/** The offered key as src/core/keys reads it, or null when it would refuse it. */
function userKey(blob: Buffer, declared: string): PublicKey | null {
  try {
    return publicKeyFromBlob(blob, '', declared);
  } catch (error) {
    if (error instanceof KeyFormatError) return null;
    throw error;
  }
}
