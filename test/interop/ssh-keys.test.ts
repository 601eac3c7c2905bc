// `septet ssh key add|list|del` and `septet ssh keygen` with keys and tools nobody here
// wrote: OpenSSH's ssh-keygen (RSA 2048, Ed25519, ECDSA; its RFC 4716 export) and PuTTY's
// puttygen (RFC 4716 "Save public key", OpenSSH lines, .ppk v3 and v2, encrypted or not).
// Every fingerprint Septet prints must be the one `ssh-keygen -lf` prints; every key
// Septet generates must be read by ssh-keygen or puttygen, and sign what ssh-keygen verifies.
// No server is started: the commands work on the data directory.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { prepareSeptet, python, removeDir, SEPTET, type SeptetProcess } from './harness.ts';

const run = promisify(execFile);
let septet: SeptetProcess;
let work: string;

before(async () => {
  septet = await prepareSeptet({ offset: 6000 });
  work = await mkdtemp(join(tmpdir(), 'septet-keys-'));
  for (const user of ['alice@keys.test', 'bob@keys.test']) assert.equal((await septet.cli(['user', 'add', user, '--password', 'pw'])).code, 0);
  await writeFile(join(work, 'secret.pass'), 'correct horse\n');
  await writeFile(join(work, 'wrong.pass'), 'wrong horse\n');
  await writeFile(join(work, 'empty.pass'), '');
});
after(async () => {
  await removeDir(work);
  await removeDir(join(septet.dataDir, '..'));
});

/** `ssh-keygen -lf FILE`: "BITS SHA256:... COMMENT (TYPE)". */
async function keygenFingerprint(file: string): Promise<{ bits: string; fingerprint: string; line: string }> {
  const { stdout } = await run('ssh-keygen', ['-lf', file]);
  const [bits, fingerprint] = stdout.trim().split(' ');
  return { bits: bits!, fingerprint: fingerprint!, line: stdout.trim() };
}

async function sshKeygen(type: string, bits: number | null, comment: string): Promise<string> {
  const file = join(work, `${type}-${bits ?? 0}-${Math.random().toString(36).slice(2, 8)}`);
  await run('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', comment, '-f', file]);
  return file;
}

async function puttygen(args: string[]): Promise<void> {
  await run('puttygen', args, { timeout: 60_000 });
}

const cli = (args: string[], input?: string) => septet.cli(args, input);

async function listed(address: string): Promise<{ algorithm: string; bits: string; fingerprint: string; comment: string }[]> {
  const result = await cli(['ssh', 'key', 'list', address]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [algorithm, bits, fingerprint, comment] = line.split('\t');
      return { algorithm: algorithm!, bits: bits!, fingerprint: fingerprint!, comment: comment! };
    });
}

async function clearKeys(address: string): Promise<void> {
  for (const key of await listed(address)) assert.equal((await cli(['ssh', 'key', 'del', address, key.fingerprint])).code, 0);
}

describe('ssh key add|list|del with keys from ssh-keygen', () => {
  test('RSA 2048, Ed25519, ECDSA 256/384/521 .pub files: added with the fingerprint ssh-keygen -lf prints; listed; deleted', async () => {
    await clearKeys('alice@keys.test');
    const made = [
      ['rsa', 2048, 'rsa@laptop'],
      ['ed25519', null, 'ed@laptop'],
      ['ecdsa', 256, 'p256'],
      ['ecdsa', 384, 'p384'],
      ['ecdsa', 521, 'p521'],
    ] as const;
    const expected: { bits: string; fingerprint: string; comment: string }[] = [];
    const files: string[] = [];
    for (const [type, bits, comment] of made) {
      const file = await sshKeygen(type, bits, comment);
      files.push(file);
      const theirs = await keygenFingerprint(`${file}.pub`);
      const result = await cli(['ssh', 'key', 'add', 'Alice@KEYS.test', `${file}.pub`]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `added ${theirs.fingerprint} ${comment} for Alice@keys.test\n`);
      expected.push({ bits: theirs.bits, fingerprint: theirs.fingerprint, comment });
    }
    const keys = await listed('alice@keys.test');
    assert.deepEqual(keys.map(({ bits, fingerprint, comment }) => ({ bits, fingerprint, comment })), expected);
    assert.deepEqual(keys.map((k) => k.algorithm), ['ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

    // The same key again: reported, nothing added, exit status 1.
    const again = await cli(['ssh', 'key', 'add', 'alice@keys.test', '-'], await readFile(`${files[0]}.pub`, 'utf8'));
    assert.equal(again.code, 1);
    assert.match(again.stdout, /^already present: SHA256:/);

    const del = await cli(['ssh', 'key', 'del', 'alice@keys.test', expected[1]!.fingerprint]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `deleted ${expected[1]!.fingerprint} of alice@keys.test\n`);
    assert.deepEqual((await listed('alice@keys.test')).map((k) => k.fingerprint), expected.filter((_, i) => i !== 1).map((k) => k.fingerprint));
    // Without the "SHA256:" prefix too, as some tools print it.
    assert.equal((await cli(['ssh', 'key', 'del', 'alice@keys.test', expected[0]!.fingerprint.slice(7)])).code, 0);
    const gone = await cli(['ssh', 'key', 'del', 'alice@keys.test', expected[0]!.fingerprint]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /alice@keys.test has no key SHA256:/);
    assert.equal((await cli(['ssh', 'key', 'del', 'alice@keys.test', 'not-a-fingerprint'])).code, 2);
  });

  test('an authorized_keys file with several keys, comments and options: every key added; refused options refuse the file', async () => {
    await clearKeys('bob@keys.test');
    const files = await Promise.all([sshKeygen('ed25519', null, 'one'), sshKeygen('rsa', 2048, 'two'), sshKeygen('ecdsa', 384, 'three')]);
    const lines = await Promise.all(files.map(async (f) => (await readFile(`${f}.pub`, 'utf8')).trim()));
    const authorized = join(work, 'authorized_keys');
    await writeFile(authorized, `# bob's keys\n\n${lines[0]}\nno-port-forwarding,no-agent-forwarding,no-X11-forwarding ${lines[1]}\nrestrict,pty ${lines[2]}\n`);
    // ssh-keygen reads the same file: its fingerprints, in order.
    const { stdout } = await run('ssh-keygen', ['-lf', authorized]);
    const theirs = stdout.trim().split('\n').map((line) => line.split(' ')[1]);
    const result = await cli(['ssh', 'key', 'add', 'bob@keys.test', authorized]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual([...result.stdout.matchAll(/^added (\S+)/gm)].map((m) => m[1]), theirs);
    assert.match(result.stdout, /note: no-port-forwarding holds already/);
    assert.deepEqual((await listed('bob@keys.test')).map((k) => k.fingerprint), theirs);

    await clearKeys('bob@keys.test');
    const forced = join(work, 'authorized_keys_forced');
    await writeFile(forced, `${lines[0]}\ncommand="/usr/bin/backup",from="192.0.2.0/24" ${lines[1]}\nno-pty ${lines[2]}\n`);
    const refused = await cli(['ssh', 'key', 'add', 'bob@keys.test', forced]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /line 2: option command="..." \(a forced command\) cannot be enforced/);
    assert.match(refused.stderr, /line 3: option no-pty/);
    assert.deepEqual(await listed('bob@keys.test'), [], 'nothing of a refused file is added');
  });

  test('RFC 4716 from ssh-keygen -e: the same fingerprint, the comment from its Comment header', async () => {
    await clearKeys('bob@keys.test');
    const file = await sshKeygen('ed25519', null, 'exported');
    const { stdout: block } = await run('ssh-keygen', ['-e', '-f', `${file}.pub`]);
    assert.match(block, /^---- BEGIN SSH2 PUBLIC KEY ----\n/);
    const result = await cli(['ssh', 'key', 'add', 'bob@keys.test', '-'], block);
    assert.equal(result.code, 0, result.stderr);
    const theirs = await keygenFingerprint(`${file}.pub`);
    assert.match(result.stdout, new RegExp(`^added ${theirs.fingerprint.replace(/[+/]/g, '\\$&')} 256-bit ED25519, converted by `));
  });

  test('RSA 1024, DSA, garbage, a private key and an unknown account are refused', async () => {
    const small = await sshKeygen('rsa', 1024, 'small');
    const tooSmall = await cli(['ssh', 'key', 'add', 'bob@keys.test', `${small}.pub`]);
    assert.equal(tooSmall.code, 1);
    assert.match(tooSmall.stderr, /RSA keys of 1024 bits are refused: at least 2048 bits/);
    await puttygen(['-t', 'dsa', '-o', join(work, 'dsa.ppk'), '--new-passphrase', join(work, 'empty.pass')]);
    await puttygen([join(work, 'dsa.ppk'), '-O', 'public-openssh', '-o', join(work, 'dsa.pub')]);
    const dsa = await cli(['ssh', 'key', 'add', 'bob@keys.test', join(work, 'dsa.pub')]);
    assert.equal(dsa.code, 1);
    assert.match(dsa.stderr, /DSA keys \(ssh-dss\) are refused/);
    const dsaPpk = await cli(['ssh', 'key', 'add', 'bob@keys.test', join(work, 'dsa.ppk')]);
    assert.equal(dsaPpk.code, 1);
    assert.match(dsaPpk.stderr, /DSA keys \(ssh-dss\) are refused/);
    const garbage = await cli(['ssh', 'key', 'add', 'bob@keys.test', '-'], 'this is not a key\n');
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /^septet: line 1: /);
    const secret = await cli(['ssh', 'key', 'add', 'bob@keys.test', small]);
    assert.equal(secret.code, 1);
    assert.match(secret.stderr, /this is a private key/);
    const nobody = await cli(['ssh', 'key', 'add', 'nobody@keys.test', `${await sshKeygen('ed25519', null, 'x')}.pub`]);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no such user: nobody@keys.test/);
    assert.equal((await cli(['ssh', 'key', 'list', 'nobody@keys.test'])).code, 1);
    const missing = await cli(['ssh', 'key', 'add', 'bob@keys.test', join(work, 'no-such-file')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such file/);
  });
});

describe('ssh key add with keys from puttygen (PuTTY 0.78)', () => {
  test('RSA 2048 as RFC 4716 (-O public), OpenSSH line, .ppk v3 and v2, encrypted or not: one key, ssh-keygen\'s fingerprint', async () => {
    await clearKeys('bob@keys.test');
    const ppk3 = join(work, 'putty3.ppk');
    await puttygen(['-t', 'rsa', '-b', '2048', '-C', 'rsa-key-putty', '-o', ppk3, '--new-passphrase', join(work, 'secret.pass')]);
    assert.match(await readFile(ppk3, 'utf8'), /^PuTTY-User-Key-File-3: ssh-rsa\nEncryption: aes256-cbc\n/);
    const rfc = join(work, 'putty.rfc');
    const openssh = join(work, 'putty.pub');
    const ppk2 = join(work, 'putty2.ppk');
    const ppk3plain = join(work, 'putty3-plain.ppk');
    const old = ['--old-passphrase', join(work, 'secret.pass')];
    await puttygen([ppk3, ...old, '-O', 'public', '-o', rfc]);
    await puttygen([ppk3, ...old, '-O', 'public-openssh', '-o', openssh]);
    await puttygen([ppk3, ...old, '-P', '--new-passphrase', join(work, 'empty.pass'), '-O', 'private', '-o', ppk3plain]);
    await puttygen([ppk3, ...old, '--reencrypt', '--ppk-param', 'version=2', '-O', 'private', '-o', ppk2]);
    assert.match(await readFile(ppk2, 'utf8'), /^PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\n/);
    assert.match(await readFile(ppk3plain, 'utf8'), /^PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n/);
    assert.match(await readFile(rfc, 'utf8'), /^---- BEGIN SSH2 PUBLIC KEY ----\nComment: "rsa-key-putty"\n/);
    const theirs = await keygenFingerprint(openssh);
    assert.equal(theirs.bits, '2048');
    for (const file of [rfc, openssh, ppk3, ppk2, ppk3plain]) {
      await clearKeys('bob@keys.test');
      const result = await cli(['ssh', 'key', 'add', 'bob@keys.test', file]);
      assert.equal(result.code, 0, `${file}: ${result.stderr}`);
      assert.equal(result.stdout, `added ${theirs.fingerprint} rsa-key-putty for bob@keys.test\n`, file);
    }
    // The ssh-keygen import of PuTTYgen's RFC 4716 file agrees too.
    const { stdout: imported } = await run('ssh-keygen', ['-i', '-f', rfc]);
    await writeFile(join(work, 'imported.pub'), imported);
    assert.equal((await keygenFingerprint(join(work, 'imported.pub'))).fingerprint, theirs.fingerprint);
  });

  test('Ed25519 and ECDSA P-256 .ppk files', async () => {
    for (const [type, bits] of [['ed25519', null], ['ecdsa', '256']] as const) {
      await clearKeys('bob@keys.test');
      const ppk = join(work, `putty-${type}.ppk`);
      await puttygen(['-t', type, ...(bits ? ['-b', bits] : []), '-C', `${type} from putty`, '-o', ppk, '--new-passphrase', join(work, 'secret.pass')]);
      const pub = join(work, `putty-${type}.pub`);
      await puttygen([ppk, '--old-passphrase', join(work, 'secret.pass'), '-O', 'public-openssh', '-o', pub]);
      const result = await cli(['ssh', 'key', 'add', 'bob@keys.test', ppk]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `added ${(await keygenFingerprint(pub)).fingerprint} ${type} from putty for bob@keys.test\n`);
    }
  });
});

/** Signs a file with a private key (ssh-keygen -Y sign) and verifies it against a public line. */
async function signAndVerify(privateKey: string, publicLine: string, passphrase?: string): Promise<void> {
  const data = join(work, `data-${Math.random().toString(36).slice(2)}`);
  await writeFile(data, 'signed by a key Septet made\n');
  // ssh-keygen -Y sign reads no passphrase from the command line: decrypt a copy first.
  let key = privateKey;
  if (passphrase) {
    key = `${privateKey}.clear`;
    await run('cp', [privateKey, key]);
    await run('ssh-keygen', ['-p', '-P', passphrase, '-N', '', '-f', key]);
  }
  await run('ssh-keygen', ['-Y', 'sign', '-f', key, '-n', 'file', data]);
  const signers = join(work, `signers-${Math.random().toString(36).slice(2)}`);
  await writeFile(signers, `someone@keys.test ${publicLine}\n`);
  // -Y verify reads the signed data from standard input.
  const { stdout } = await run('sh', ['-c', `ssh-keygen -Y verify -f "${signers}" -I someone@keys.test -n file -s "${data}.sig" < "${data}"`]);
  assert.match(stdout, /Good "file" signature for someone@keys.test/);
}

describe('ssh keygen', () => {
  // RSA without --bits: the default, 3072.
  for (const [type, bits] of [['ed25519', null], ['ecdsa', '256'], ['ecdsa', '384'], ['ecdsa', '521'], ['rsa', null]] as const) {
    test(`${type} ${bits ?? 'default'}, OpenSSH format, with and without a passphrase: ssh-keygen -y prints our public line and our key signs`, async () => {
      for (const passphrase of [null, 'pass phrase 1']) {
        const out = join(work, `ours-${type}-${bits}-${passphrase ? 'enc' : 'plain'}`);
        const result = await cli(
          ['ssh', 'keygen', '--type', type, ...(bits ? ['--bits', bits] : []), '--comment', `ours ${type}`, '--out', out, ...(passphrase ? ['--passphrase'] : [])],
          passphrase ? `${passphrase}\n` : undefined,
        );
        assert.equal(result.code, 0, result.stderr);
        const [line, fingerprintLine, commentLine] = result.stdout.split('\n');
        assert.match(line!, new RegExp(`^${type === 'rsa' ? 'ssh-rsa' : type === 'ed25519' ? 'ssh-ed25519' : `ecdsa-sha2-nistp${bits}`} AAAA\\S+ ours ${type}$`));
        if (type === 'rsa') assert.match(fingerprintLine!, /^fingerprint: 3072 SHA256:/);
        assert.equal(commentLine, `comment: ours ${type}`);
        assert.equal((await stat(out)).mode & 0o777, 0o600);
        const { stdout: derived } = await run('ssh-keygen', ['-y', ...(passphrase ? ['-P', passphrase] : ['-P', '']), '-f', out]);
        assert.equal(derived.trim().split(' ').slice(0, 2).join(' '), line!.split(' ').slice(0, 2).join(' '));
        assert.equal((await readFile(`${out}.pub`, 'utf8')).trim(), line);
        assert.equal(fingerprintLine, `fingerprint: ${(await keygenFingerprint(`${out}.pub`)).line}`);
        if (passphrase) {
          await assert.rejects(run('ssh-keygen', ['-y', '-P', 'wrong', '-f', out]), 'a wrong passphrase does not open it');
          assert.match(await readFile(out, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
        }
        await signAndVerify(out, line!, passphrase ?? undefined);
      }
    });

    test(`${type} ${bits ?? 'default'}, PuTTY .ppk v3, with and without a passphrase: puttygen reads it, and its private part signs`, async () => {
      for (const passphrase of [null, 'correct horse']) {
        const out = join(work, `ours-${type}-${bits}-${passphrase ? 'enc' : 'plain'}.ppk`);
        const result = await cli(['ssh', 'keygen', '--type', type, ...(bits ? ['--bits', bits] : []), '--format', 'ppk', '--out', out, ...(passphrase ? ['--passphrase'] : [])], passphrase ? `${passphrase}\n` : undefined);
        assert.equal(result.code, 0, result.stderr);
        const line = result.stdout.split('\n')[0]!;
        const text = await readFile(out, 'utf8');
        assert.match(text, new RegExp(`^PuTTY-User-Key-File-3: \\S+\\nEncryption: ${passphrase ? 'aes256-cbc' : 'none'}\\nComment: ${type}-key-\\d{8}\\n`));
        if (passphrase) assert.match(text, /\nKey-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: \d+\nArgon2-Parallelism: 1\nArgon2-Salt: [0-9a-f]{32}\n/);
        const old = ['--old-passphrase', join(work, passphrase ? 'secret.pass' : 'empty.pass')];
        const pub = `${out}.pub`;
        await puttygen([out, ...old, '-O', 'public-openssh', '-o', pub]);
        assert.equal((await readFile(pub, 'utf8')).trim(), line);
        assert.equal(result.stdout.split('\n')[1], `fingerprint: ${(await keygenFingerprint(pub)).line}`);
        // puttygen checks the MAC and the private fields when it converts the key.
        const converted = `${out}.openssh`;
        await puttygen([out, ...old, '-O', 'private-openssh-new', '-o', converted, '--new-passphrase', join(work, 'empty.pass')]);
        await signAndVerify(converted, line);
        if (passphrase) {
          const wrong = await run('puttygen', [out, '--old-passphrase', join(work, 'wrong.pass'), '-O', 'private-openssh-new', '-o', `${out}.wrong`, '--new-passphrase', join(work, 'empty.pass')]).catch((error: { stderr: string }) => error);
          assert.match((wrong as { stderr: string }).stderr ?? '', /wrong passphrase/i, 'a wrong passphrase does not open it');
        }
      }
    });
  }

  test('--install adds the new key to the account; the passphrase may come from SEPTET_KEY_PASSPHRASE', async () => {
    await clearKeys('alice@keys.test');
    const out = join(work, 'installed');
    process.env.SEPTET_KEY_PASSPHRASE = 'from the environment';
    let result;
    try {
      result = await cli(['ssh', 'keygen', '--out', out, '--passphrase', '--install', 'alice@keys.test']);
    } finally {
      delete process.env.SEPTET_KEY_PASSPHRASE;
    }
    assert.equal(result.code, 0, result.stderr);
    const fingerprint = (await keygenFingerprint(`${out}.pub`)).fingerprint;
    assert.match(result.stdout, new RegExp(`\\nadded ${fingerprint.replace(/[+/]/g, '\\$&')} ed25519-key-\\d{8} for alice@keys.test\\n$`));
    assert.deepEqual((await listed('alice@keys.test')).map((k) => k.fingerprint), [fingerprint]);
    await run('ssh-keygen', ['-y', '-P', 'from the environment', '-f', out]);
  });

  test('--passphrase on a terminal: asked twice, never echoed; a second answer that differs is refused', async () => {
    // A real pty (python3's pty module), as a user at a terminal has it.
    const typeAt = `
import os, pty, sys, time
node, septet, out, first, second = sys.argv[1:6]
pid, fd = pty.fork()
if pid == 0:
    os.execv(node, [node, septet, 'ssh', 'keygen', '--out', out, '--passphrase'])
seen = b''
def wait_for(text):
    global seen
    deadline = time.time() + 30
    while text not in seen:
        if time.time() > deadline: raise SystemExit('timeout waiting for %r, saw %r' % (text, seen))
        seen += os.read(fd, 1024)
wait_for(b'Passphrase for the new key: ')
os.write(fd, first.encode() + b'\\r')
wait_for(b'The same passphrase again: ')
os.write(fd, second.encode() + b'\\r')
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk: break
    seen += chunk
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
print(seen.decode('utf-8', 'replace'))
`;
    const out = join(work, 'typed');
    const ok = await python(typeAt, [process.execPath, SEPTET, out, 'typed secret', 'typed secret']);
    const [status, ...output] = ok.split('\n');
    assert.equal(status, '0', ok);
    assert.doesNotMatch(output.join('\n'), /typed secret/, 'the passphrase is not echoed');
    assert.match(output.join('\n'), /private key: .*typed \(OpenSSH, encrypted with the passphrase\)/);
    await run('ssh-keygen', ['-y', '-P', 'typed secret', '-f', out]);
    const differs = await python(typeAt, [process.execPath, SEPTET, join(work, 'typed-2'), 'one', 'two']);
    assert.equal(differs.split('\n')[0], '1', differs);
    assert.match(differs, /the passphrases differ/);
    await assert.rejects(stat(join(work, 'typed-2')));
  });

  test('refusals: an existing file is never overwritten, bad bits and types, an empty passphrase, an unknown account', async () => {
    const out = join(work, 'exists');
    await writeFile(out, 'precious\n');
    const clobber = await cli(['ssh', 'keygen', '--out', out]);
    assert.equal(clobber.code, 1);
    assert.match(clobber.stderr, /exists: give another --out/);
    assert.equal(await readFile(out, 'utf8'), 'precious\n');
    for (const [args, message] of [
      [['--type', 'rsa', '--bits', '1024'], /RSA keys have 2048 to 16384 bits/],
      [['--type', 'ecdsa', '--bits', '512'], /256, 384 or 521/],
      [['--type', 'dsa'], /--type is ed25519, ecdsa or rsa/],
      [['--format', 'pem'], /--format is openssh or ppk/],
    ] as const) {
      const result = await cli(['ssh', 'keygen', '--out', join(work, 'never'), ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
    }
    const empty = await cli(['ssh', 'keygen', '--out', join(work, 'never'), '--passphrase'], '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty passphrase/);
    const nobody = await cli(['ssh', 'keygen', '--out', join(work, 'orphan'), '--install', 'nobody@keys.test']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no such user: nobody@keys.test \(the key is in .*orphan but was not installed\)/);
    await assert.rejects(stat(join(work, 'never')), 'no file for a refused command');
  });
});
