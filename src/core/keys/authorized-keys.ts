// OpenSSH public key lines and authorized_keys files (sshd(8), "AUTHORIZED_KEYS FILE
// FORMAT"): one key per line as `[options] keytype base64 [comment]`; blank lines and
// lines starting with "#" are ignored.
//
// Options. Septet's SSH server never forwards ports, agents, X11 or tunnels and runs no
// rc files, so options that forbid those hold already and are accepted (with a note),
// as are the ones that would allow them (they allow nothing here). Options that restrict
// what the key may do in a way Septet does not enforce are refused, so nobody believes a
// key is limited when it is not: command= (forced command), from= (source addresses),
// expiry-time=, no-pty and restrict without pty (the console gets a pty when asked),
// cert-authority/principals= (no certificates) and verify-required (no security keys).
// environment= and no-touch-required are ignored with a note. An unknown option is
// refused, as sshd does.

import { KeyFormatError } from './errors.ts';
import { isKeyTypeName, publicKeyFromBlob, type PublicKey } from './public-key.ts';
import { decodeBase64, SshReader } from './wire.ts';

export interface AuthorizedKey extends PublicKey {
  /** What the line's options mean here, for the user (empty without options). */
  notes: string[];
}

const ALREADY = 'holds already: Septet never forwards ports, agents, X11 or tunnels and runs no rc files';
const GRANTS_NOTHING = 'grants nothing: Septet refuses all forwarding';

type Rule = { value: boolean } & ({ refuse: string } | { note: string } | { pty: boolean; note?: string });
const RULES: Record<string, Rule> = {
  command: { value: true, refuse: 'command="..." (a forced command) cannot be enforced: Septet runs its own console, not a shell; remove the option' },
  from: { value: true, refuse: 'from="..." (allowed source addresses) is not enforced by Septet; remove the option' },
  'expiry-time': { value: true, refuse: 'expiry-time="..." is not enforced by Septet; remove the option (and delete the key when it should expire)' },
  'cert-authority': { value: false, refuse: 'cert-authority: OpenSSH certificates are not supported' },
  principals: { value: true, refuse: 'principals="...": OpenSSH certificates are not supported' },
  'verify-required': { value: false, refuse: 'verify-required: security-key (FIDO) keys are not supported' },
  'no-touch-required': { value: false, note: 'no-touch-required is ignored (it concerns security keys only)' },
  environment: { value: true, note: 'environment="..." is ignored: Septet\'s console sets no environment' },
  'no-pty': { value: false, pty: false },
  pty: { value: false, pty: true },
  restrict: { value: false, pty: false, note: `restrict: no forwarding ${ALREADY.slice(ALREADY.indexOf(':'))}` },
  'no-agent-forwarding': { value: false, note: `no-agent-forwarding ${ALREADY}` },
  'no-port-forwarding': { value: false, note: `no-port-forwarding ${ALREADY}` },
  'no-x11-forwarding': { value: false, note: `no-X11-forwarding ${ALREADY}` },
  'no-user-rc': { value: false, note: `no-user-rc ${ALREADY}` },
  permitopen: { value: true, note: `permitopen="..." ${ALREADY}` },
  permitlisten: { value: true, note: `permitlisten="..." ${ALREADY}` },
  tunnel: { value: true, note: `tunnel="..." ${ALREADY}` },
  'agent-forwarding': { value: false, note: `agent-forwarding ${GRANTS_NOTHING}` },
  'port-forwarding': { value: false, note: `port-forwarding ${GRANTS_NOTHING}` },
  'x11-forwarding': { value: false, note: `X11-forwarding ${GRANTS_NOTHING}` },
  'user-rc': { value: false, note: 'user-rc grants nothing: Septet runs no rc files' },
};

/** Splits the options field (sshd: comma-separated, values in double quotes with \" inside). */
function parseOptions(field: string): { name: string; value: string | null }[] {
  const options: { name: string; value: string | null }[] = [];
  let i = 0;
  while (i < field.length) {
    const nameMatch = /^[A-Za-z0-9-]+/.exec(field.slice(i));
    if (!nameMatch) throw new KeyFormatError(`bad options field near "${field.slice(i, i + 20)}"`);
    const name = nameMatch[0];
    i += name.length;
    let value: string | null = null;
    if (field[i] === '=') {
      if (field[i + 1] !== '"') throw new KeyFormatError(`option ${name}= needs a value in double quotes`);
      i += 2;
      let text = '';
      for (;;) {
        if (i >= field.length) throw new KeyFormatError(`option ${name}: missing closing quote`);
        const c = field[i]!;
        if (c === '\\' && field[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          text += c;
          i++;
        }
      }
      value = text;
    }
    options.push({ name, value });
    if (i === field.length) break;
    if (field[i] !== ',') throw new KeyFormatError(`bad options field near "${field.slice(i, i + 20)}"`);
    i++;
    if (i === field.length) throw new KeyFormatError('the options field ends with a comma');
  }
  return options;
}

/** The notes of a line's options, or KeyFormatError for one Septet cannot honour. */
function judgeOptions(field: string): string[] {
  const notes: string[] = [];
  let pty = true;
  for (const { name, value } of parseOptions(field)) {
    const rule = RULES[name.toLowerCase()];
    if (!rule) throw new KeyFormatError(`unknown option ${name} (sshd would refuse this line too)`);
    if (rule.value !== (value !== null)) throw new KeyFormatError(rule.value ? `option ${name} needs a value: ${name}="..."` : `option ${name} takes no value`);
    if ('refuse' in rule) throw new KeyFormatError(`option ${rule.refuse}`);
    if ('pty' in rule) pty = rule.pty;
    if ('note' in rule && rule.note) notes.push(rule.note);
  }
  if (!pty) throw new KeyFormatError('option no-pty (or restrict without pty) cannot be enforced: Septet\'s console gives a terminal when the client asks; remove it, or add pty after restrict');
  return notes;
}

/** The first field ends at whitespace outside double quotes (the options field may quote spaces). */
function splitFirstField(line: string): [string, string] {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quoted && line[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t')) return [line.slice(0, i), line.slice(i).replace(/^[ \t]+/, '')];
  }
  if (quoted) throw new KeyFormatError('missing closing quote in the options');
  return [line, ''];
}

/** Whether `type base64` starts this text: the blob's own type string names `type`. */
function startsWithKey(first: string, rest: string): boolean {
  if (isKeyTypeName(first)) return true;
  const base64 = /^\S+/.exec(rest)?.[0];
  if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return false;
  try {
    return new SshReader(Buffer.from(base64, 'base64')).name() === first;
  } catch {
    return false;
  }
}

function parseKeyFields(type: string, rest: string): PublicKey {
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(rest);
  if (!match) throw new KeyFormatError(`${type}: the base64 key data is missing`);
  const blob = decodeBase64(match[1]!, 'the key data');
  return publicKeyFromBlob(blob, match[2] ?? '', type);
}

/** One line of an authorized_keys file or a .pub file (no line break in it). */
export function parseAuthorizedKeyLine(line: string): AuthorizedKey {
  const text = line.replace(/^[ \t]+|[ \t\r]+$/g, '');
  if (text === '') throw new KeyFormatError('empty line');
  const [first, rest] = splitFirstField(text);
  if (startsWithKey(first, rest)) return { ...parseKeyFields(first, rest), notes: [] };
  // A lone word that is no option, before what looks like key data: an unknown key type.
  if (/^[A-Za-z0-9.@_+-]+$/.test(first) && !(first.toLowerCase() in RULES) && /^[A-Za-z0-9+/]{16,}/.test(rest)) return { ...parseKeyFields(first, rest), notes: [] };
  // sshd: what is not a key type is the options field.
  const notes = judgeOptions(first);
  if (rest === '') throw new KeyFormatError(`no key after the options ${first.slice(0, 60)}`);
  const [type, keyRest] = splitFirstField(rest);
  return { ...parseKeyFields(type, keyRest), notes };
}

/** Every key of an authorized_keys text; any bad line refuses the whole text, naming each bad line. */
export function parseAuthorizedKeys(text: string): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  const problems: string[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    try {
      keys.push(parseAuthorizedKeyLine(line));
    } catch (error) {
      if (!(error instanceof KeyFormatError)) throw error;
      problems.push(`line ${index + 1}: ${error.message}`);
    }
  });
  if (problems.length > 0) throw new KeyFormatError(problems.join('\n'));
  if (keys.length === 0) throw new KeyFormatError('no key in the text (only blank lines and comments)');
  return keys;
}
