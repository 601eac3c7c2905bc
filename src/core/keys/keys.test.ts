import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { int, mutate, pick, prng } from '../testing/prng.ts';
import { parseAuthorizedKeyLine, parseAuthorizedKeys } from './authorized-keys.ts';
import { KeyFormatError } from './errors.ts';
import { fixtures } from './fixtures.test-data.ts';
import { generateKey, keyBits } from './keygen.ts';
import { parsePublicKeys } from './parse.ts';
import { parsePpkPublic, readPpkPrivate, writePpk } from './ppk.ts';
import { describeKey, fingerprintOf, formatOpenSshLine, publicKeyFromBlob } from './public-key.ts';
import { formatRfc4716, parseRfc4716 } from './rfc4716.ts';
import { sshMpint, sshString } from './wire.ts';

const refused = (pattern: RegExp) => (error: unknown) => error instanceof KeyFormatError && pattern.test(error.message);
const one = (text: string) => {
  const { keys } = parsePublicKeys(text);
  assert.equal(keys.length, 1);
  return keys[0]!;
};
/** ssh-keygen -lf's fingerprint and bits, without the comment. */
const bitsAndFingerprint = (lf: string) => lf.split(' ').slice(0, 2).join(' ');

describe('OpenSSH public key lines (made by ssh-keygen)', () => {
  for (const name of ['ed', 'rsa', 'ec256', 'ec384', 'ec521'] as const) {
    test(`${name}: accepted, described exactly as ssh-keygen -lf`, () => {
      const key = one(fixtures[name].text);
      assert.equal(describeKey(key), fixtures[name].lf);
      assert.equal(formatOpenSshLine(key), fixtures[name].text.trim(), 'formatting gives back the line');
      assert.equal(key.fingerprint, fingerprintOf(key.blob));
    });
  }

  test('RSA of 1024 bits is refused, and DSA', () => {
    assert.throws(() => parsePublicKeys(fixtures.rsa1024.text), refused(/RSA keys of 1024 bits are refused: at least 2048/));
    assert.throws(() => parsePublicKeys(fixtures.dsa.text), refused(/DSA keys \(ssh-dss\) are refused/));
  });

  test('the type before the data must be the type inside it', () => {
    const [, data, comment] = fixtures.ed.text.trim().split(' ');
    assert.throws(() => parseAuthorizedKeyLine(`ssh-rsa ${data} ${comment}`), refused(/says it is ssh-rsa but its data is ssh-ed25519/));
    assert.throws(() => parseAuthorizedKeyLine(`ecdsa-sha2-nistp256 ${data}`), refused(/says it is ecdsa-sha2-nistp256/));
  });

  test('garbage, bad base64 and a missing key are refused', () => {
    for (const text of ['hello world', 'ssh-ed25519', 'ssh-ed25519 !!!!', 'ssh-ed25519 AAAA', '', '# only a comment\n\n', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBjQP1Qf1gZ5d8QJKboApLUmksxAtR2XYFxVqMgiKf8']) {
      assert.throws(() => parsePublicKeys(text), (error: unknown) => error instanceof KeyFormatError, JSON.stringify(text));
    }
  });

  test('a private key is refused with a hint', () => {
    assert.throws(() => parsePublicKeys('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n'), refused(/this is a private key/));
  });

  test('comments lose control characters (no terminal escapes in `ssh key list`)', () => {
    const [type, data] = fixtures.ed.text.trim().split(' ');
    const key = parseAuthorizedKeyLine(`${type} ${data} evil\x1b[2Jcomment\ttab`);
    assert.equal(key.comment, 'evil?[2Jcomment tab');
  });
});

describe('authorized_keys files', () => {
  const ed = fixtures.ed.text.trim();
  const rsa = fixtures.rsa.text.trim();
  const ec = fixtures.ec384.text.trim();

  test('several keys, comments, blank lines, CRLF; harmless options accepted with notes', () => {
    const text = `# my keys\r\n\r\n${ed}\r\nno-port-forwarding,no-agent-forwarding,no-X11-forwarding ${rsa}\r\n  \r\nrestrict,pty,environment="A=b c" ${ec}\r\n`;
    const keys = parseAuthorizedKeys(text);
    assert.deepEqual(keys.map((k) => k.fingerprint), [fixtures.ed.lf, fixtures.rsa.lf, fixtures.ec384.lf].map((lf) => lf.split(' ')[1]));
    assert.deepEqual(keys[0]!.notes, []);
    assert.equal(keys[1]!.notes.length, 3);
    assert.match(keys[1]!.notes[0]!, /no-port-forwarding holds already/);
    assert.equal(keys[1]!.comment, 'rsa two k');
    assert.match(keys[2]!.notes.join('\n'), /environment="..." is ignored/);
  });

  test('options Septet cannot enforce are refused, naming the line', () => {
    const cases: [string, RegExp][] = [
      [`command="echo hi" ${ed}`, /line 2: option command="..." \(a forced command\) cannot be enforced/],
      [`from="192.0.2.0/24,!192.0.2.1" ${ed}`, /line 2: option from=/],
      [`no-pty ${ed}`, /line 2: option no-pty/],
      [`restrict ${ed}`, /line 2: option no-pty \(or restrict without pty\)/],
      [`expiry-time="20300101" ${ed}`, /line 2: option expiry-time/],
      [`cert-authority ${ed}`, /certificates are not supported/],
      [`frobnicate ${ed}`, /line 2: unknown option frobnicate/],
      [`no-pty="x" ${ed}`, /option no-pty takes no value/],
      [`command ${ed}`, /option command needs a value/],
      [`command="unterminated ${ed}`, /quote/],
    ];
    for (const [line, message] of cases) {
      assert.throws(() => parseAuthorizedKeys(`${rsa}\n${line}\n`), refused(message), line);
    }
  });

  test('a quoted option value may hold spaces, commas and \\"', () => {
    const keys = parseAuthorizedKeys(`environment="X=a, \\"b\\" c",no-user-rc ${ed}\n`);
    assert.equal(keys[0]!.fingerprint, fixtures.ed.lf.split(' ')[1]);
    assert.equal(keys[0]!.notes.length, 2);
  });

  test('every bad line is reported at once and nothing is accepted', () => {
    assert.throws(
      () => parseAuthorizedKeys(`${ed}\n${fixtures.dsa.text}${fixtures.rsa1024.text}${rsa}\n`),
      refused(/^line 2: DSA[^\n]*\nline 3: RSA keys of 1024 bits/),
    );
  });
});

describe('RFC 4716 SSH2 PUBLIC KEY blocks', () => {
  test('from ssh-keygen -e: the quoted Comment header becomes the comment', () => {
    const key = one(fixtures.ed_rfc.text);
    assert.equal(bitsAndFingerprint(describeKey(key)), bitsAndFingerprint(fixtures.ed_rfc.lf));
    assert.equal(key.comment, '256-bit ED25519, converted by root@vm from OpenSSH');
  });

  test("from PuTTYgen's \"Save public key\" (puttygen -O public)", () => {
    const parsed = parsePublicKeys(fixtures.pr_rfc.text);
    assert.equal(parsed.format, 'rfc4716');
    assert.equal(bitsAndFingerprint(describeKey(parsed.keys[0]!)), bitsAndFingerprint(fixtures.pr_rfc.lf));
    assert.equal(parsed.keys[0]!.comment, 'rsa-key-20261203');
  });

  test('continued headers, unquoted comments, other headers, CR line ends, several blocks', () => {
    const body = fixtures.ed_rfc.text.split('\n').slice(2, -2);
    const text = [
      '---- BEGIN SSH2 PUBLIC KEY ----',
      'Subject: alice',
      'Comment: a comment that goes on \\',
      'and on',
      'x-private: whatever',
      ...body,
      '---- END SSH2 PUBLIC KEY ----',
      '',
      '---- BEGIN SSH2 PUBLIC KEY ----',
      ...body,
      '---- END SSH2 PUBLIC KEY ----',
    ].join('\r');
    const keys = parseRfc4716(text);
    assert.deepEqual(keys.map((k) => k.comment), ['a comment that goes on and on', '']);
    assert.equal(keys[0]!.fingerprint, keys[1]!.fingerprint);
  });

  test('formatRfc4716 writes what parseRfc4716 reads (and long comments are continued)', () => {
    const key = one(fixtures.rsa.text);
    const text = formatRfc4716({ ...key, comment: 'x'.repeat(150) });
    assert.ok(text.split('\n').every((line) => line.length <= 72));
    const [back] = parseRfc4716(text);
    assert.equal(back!.fingerprint, key.fingerprint);
    assert.equal(back!.comment, 'x'.repeat(150));
  });

  test('a block without END, without data, or with junk is refused', () => {
    assert.throws(() => parseRfc4716('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n'), refused(/has no "---- END SSH2 PUBLIC KEY ----"/));
    assert.throws(() => parseRfc4716('---- BEGIN SSH2 PUBLIC KEY ----\n---- END SSH2 PUBLIC KEY ----\n'), refused(/no key data/));
    assert.throws(() => parsePublicKeys(`junk\n${fixtures.ed_rfc.text}`), refused(/line 1: expected/));
  });
});

describe('PuTTY .ppk files (made by puttygen 0.78)', () => {
  test('version 3, encrypted: the public part and comment are read without the passphrase', () => {
    const parsed = parsePublicKeys(fixtures.pr_ppk3.text);
    assert.equal(parsed.format, 'ppk');
    assert.equal(bitsAndFingerprint(describeKey(parsed.keys[0]!)), bitsAndFingerprint(fixtures.pr_ppk3.lf));
    assert.equal(parsed.keys[0]!.comment, 'rsa-key-20261203');
  });

  test('Windows line ends (CRLF), as PuTTYgen on Windows saves them, in .ppk and RFC 4716 files', () => {
    assert.equal(one(fixtures.pr_ppk3.text.replace(/\n/g, '\r\n')).fingerprint, one(fixtures.pr_ppk3.text).fingerprint);
    assert.equal(one(fixtures.pr_rfc.text.replace(/\n/g, '\r\n')).comment, 'rsa-key-20261203');
    assert.equal(readPpkPrivate(fixtures.pr_ppk3.text.replace(/\n/g, '\r\n'), Buffer.from('secret')).algorithm, 'ssh-rsa');
  });

  test('version 2, encrypted ECDSA P-384', () => {
    const key = one(fixtures.pv2_ppk.text);
    assert.equal(describeKey(key), fixtures.pv2_ppk.lf);
  });

  test('our Argon2id derivation is PuTTY\'s: puttygen\'s encrypted file decrypts and its MAC checks', () => {
    const { privateBlob, algorithm } = readPpkPrivate(fixtures.pr_ppk3.text, Buffer.from('secret'));
    assert.equal(algorithm, 'ssh-rsa');
    assert.ok(privateBlob.length > 256);
    assert.throws(() => readPpkPrivate(fixtures.pr_ppk3.text, Buffer.from('wrong')), refused(/wrong passphrase/));
  });

  test('version 1, unknown versions, a header that disagrees with the blob, and DSA are refused', () => {
    assert.throws(() => parsePpkPublic(fixtures.pr_ppk3.text.replace('File-3', 'File-1')), refused(/version 1 are not supported/));
    assert.throws(() => parsePpkPublic(fixtures.pr_ppk3.text.replace('File-3', 'File-9')), refused(/version 9 is unknown/));
    assert.throws(() => parsePpkPublic(fixtures.pr_ppk3.text.replace('File-3: ssh-rsa', 'File-3: ssh-ed25519')), refused(/says it is ssh-ed25519 but its data is ssh-rsa/));
    assert.throws(() => parsePpkPublic(fixtures.pr_ppk3.text.replace('Public-Lines: 6', 'Public-Lines: 5')), (e: unknown) => e instanceof KeyFormatError);
    assert.throws(() => parsePpkPublic(fixtures.pr_ppk3.text.replace('Public-Lines: 6', 'Public-Lines: 99999999')), refused(/bad line count/));
  });

  test('writePpk: unencrypted and encrypted files read back, with the MAC checked', () => {
    const key = one(fixtures.ed.text);
    const parts = { algorithm: key.algorithm, publicBlob: key.blob, privateBlob: sshString(Buffer.alloc(32, 7)) };
    const plain = writePpk(parts, 'a comment', null);
    assert.match(plain, /^PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: a comment\nPublic-Lines: 2\n/);
    assert.deepEqual(readPpkPrivate(plain, null).privateBlob, parts.privateBlob);
    assert.equal(parsePpkPublic(plain).fingerprint, key.fingerprint);
    const encrypted = writePpk(parts, 'a comment', Buffer.from('pw'), { memory: 64, passes: 1, parallelism: 1 });
    assert.match(encrypted, /Key-Derivation: Argon2id\nArgon2-Memory: 64\nArgon2-Passes: 1\nArgon2-Parallelism: 1\nArgon2-Salt: [0-9a-f]{32}\nPrivate-Lines: 1\n/);
    const back = readPpkPrivate(encrypted, Buffer.from('pw'));
    assert.deepEqual(back.privateBlob.subarray(0, 36), parts.privateBlob);
    assert.equal(back.privateBlob.length % 16, 0, 'padded to the AES block');
    assert.throws(() => readPpkPrivate(encrypted.replace('Comment: a comment', 'Comment: b comment'), Buffer.from('pw')), refused(/wrong passphrase, or the PuTTY key file is damaged/));
    assert.throws(() => readPpkPrivate(plain.replace('Comment: a comment', 'Comment: b comment'), null), refused(/damaged/));
  });
});

describe('blob checks', () => {
  const ed = one(fixtures.ed.text);
  const rsa = one(fixtures.rsa.text);
  const ec = one(fixtures.ec256.text);

  test('trailing data, a cut blob and a wrong Ed25519 length are refused', () => {
    assert.throws(() => publicKeyFromBlob(Buffer.concat([ed.blob, Buffer.from([0])]), ''), refused(/data after the key/));
    assert.throws(() => publicKeyFromBlob(ed.blob.subarray(0, ed.blob.length - 1), ''), refused(/cut short/));
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(31))]), ''), refused(/32 octets, this one 31/));
  });

  test('an ECDSA point off the curve, a compressed point or the wrong curve name are refused', () => {
    const point = ec.blob.subarray(ec.blob.length - 65);
    const moved = Buffer.from(point);
    moved[64] = moved[64]! ^ 1;
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(moved)]), ''), refused(/not on the curve/));
    const compressed = Buffer.concat([Buffer.from([2 + (point[64]! & 1)]), point.subarray(1, 33)]);
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(compressed)]), ''), refused(/uncompressed/));
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp384'), sshString(point)]), ''), refused(/must name curve nistp256/));
  });

  test('RSA: a redundant leading zero is re-encoded as OpenSSH does (same fingerprint); an even modulus is refused', () => {
    const reader = rsa.blob;
    // ssh-rsa, e = 65537 (3 octets), n: re-encode with two extra leading zeros.
    const e = reader.subarray(4 + 7 + 4, 4 + 7 + 4 + 3);
    const nField = reader.subarray(4 + 7 + 4 + 3 + 4);
    const padded = Buffer.concat([sshString('ssh-rsa'), sshString(Buffer.concat([Buffer.from([0]), e])), sshString(Buffer.concat([Buffer.from([0, 0]), nField]))]);
    assert.equal(publicKeyFromBlob(padded, '').fingerprint, rsa.fingerprint);
    const even = Buffer.from(nField);
    even[even.length - 1] = even[even.length - 1]! & 0xfe;
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ssh-rsa'), sshMpint(e), sshMpint(even)]), ''), refused(/modulus is even/));
    assert.throws(() => publicKeyFromBlob(Buffer.concat([sshString('ssh-rsa'), sshMpint(Buffer.from([1, 0])), sshMpint(nField)]), ''), refused(/public exponent/));
  });

  test('unknown, certificate and security-key types are refused by name', () => {
    assert.throws(() => publicKeyFromBlob(sshString('ssh-foo'), ''), refused(/unknown key type ssh-foo/));
    assert.throws(() => publicKeyFromBlob(sshString('ssh-ed25519-cert-v01@openssh.com'), ''), refused(/certificates/));
    assert.throws(() => publicKeyFromBlob(sshString('sk-ssh-ed25519@openssh.com'), ''), refused(/security-key/));
  });

  test('the fingerprint is SHA256 of the blob, unpadded base64', () => {
    assert.equal(ed.fingerprint, `SHA256:${createHash('sha256').update(ed.blob).digest('base64').replace(/=+$/, '')}`);
    assert.doesNotMatch(ed.fingerprint, /=/);
  });
});

describe('keygen', () => {
  test('bits: defaults and limits', () => {
    assert.equal(keyBits('ed25519', undefined), 256);
    assert.equal(keyBits('rsa', undefined), 3072);
    assert.equal(keyBits('ecdsa', undefined), 256);
    assert.equal(keyBits('ecdsa', 521), 521);
    assert.throws(() => keyBits('rsa', 1024), refused(/2048 to 16384/));
    assert.throws(() => keyBits('ecdsa', 512), refused(/256, 384 or 521/));
    assert.throws(() => keyBits('ed25519', 4096), refused(/256 bits/));
  });

  test('each type in PPK: the public key in the file is the one returned, the private part reads back', async () => {
    for (const [type, bits] of [['ed25519', undefined], ['ecdsa', 384], ['rsa', 2048]] as const) {
      const made = await generateKey({ type, bits, comment: 'made here', format: 'ppk', passphrase: Buffer.from('pw'), argon2: { memory: 64, passes: 1, parallelism: 1 } });
      assert.equal(made.publicKey.comment, 'made here');
      assert.equal(parsePpkPublic(made.privateKey).fingerprint, made.publicKey.fingerprint);
      assert.ok(readPpkPrivate(made.privateKey, Buffer.from('pw')).privateBlob.length >= 32);
    }
  });

  test('OpenSSH Ed25519: 1500 keys, each with a 32-octet public key (ssh2 alone breaks one in 256)', async () => {
    for (let i = 0; i < 1500; i++) {
      const made = await generateKey({ type: 'ed25519', comment: '', format: 'openssh', passphrase: null });
      assert.equal(made.publicKey.blob.length, 4 + 11 + 4 + 32);
    }
  });

  test('OpenSSH: the private key file and the public key returned', async () => {
    const made = await generateKey({ type: 'ed25519', comment: 'c', format: 'openssh', passphrase: null });
    assert.match(made.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    assert.equal(made.publicKey.algorithm, 'ssh-ed25519');
    assert.equal(made.publicKey.comment, 'c');
  });
});

test('fuzz: mutated key files never throw anything but KeyFormatError (seeded)', () => {
  const seeds = [fixtures.ed.text, fixtures.rsa.text, fixtures.ec521.text, fixtures.ed_rfc.text, fixtures.pr_rfc.text, fixtures.pr_ppk3.text, fixtures.pv2_ppk.text, `restrict,pty,environment="a=b" ${fixtures.ed.text}${fixtures.ec256.text}`];
  const tokens = ['"', '\\', ',', '=', ' ', '\n', '\r', ':', '\\\n', 'AAAA', '====', 'ssh-rsa', 'ssh-ed25519 ', 'command="', 'Public-Lines: 1', 'Comment: ', '---- END SSH2 PUBLIC KEY ----', '---- BEGIN SSH2 PUBLIC KEY ----', 'PuTTY-User-Key-File-3: ', '\u0000', '\uFEFF', 'AAAAC3NzaC1lZDI1NTE5AAAAI'];
  for (let seed = 1; seed <= 3000; seed++) {
    const rand = prng(seed);
    const input = mutate(rand, Buffer.from(pick(rand, seeds)), tokens);
    const text = int(rand, 2) === 0 ? input : input.toString('latin1');
    try {
      const { keys } = parsePublicKeys(text);
      for (const key of keys) assert.equal(key.fingerprint, fingerprintOf(key.blob), `seed ${seed}`);
    } catch (error) {
      if (!(error instanceof KeyFormatError)) assert.fail(`seed ${seed}: ${(error as Error).stack}`);
    }
    try {
      readPpkPrivate(input.toString('utf8'), Buffer.from('secret'));
    } catch (error) {
      if (!(error instanceof KeyFormatError)) assert.fail(`seed ${seed} (readPpkPrivate): ${(error as Error).stack}`);
    }
  }
});
