// Seeded property tests: any chunking gives the tree of the one-buffer parse, and
// random or mangled input never throws and always yields consistent offsets.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MimeStructureParser, decodeBodyText, decodeTransfer, parseMimeBuffer, walkParts, type MimePart } from './index.ts';
import { prng } from '../testing/prng.ts';


const fixtures = readdirSync(new URL('./fixtures/', import.meta.url))
  .filter((name) => name.endsWith('.eml'))
  .map((name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function parseInChunks(source: Buffer, random: () => number, maxChunk: number): MimePart {
  const parser = new MimeStructureParser();
  for (let i = 0; i < source.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    parser.push(source.subarray(i, i + size));
    i += size;
  }
  return parser.end();
}

function assertConsistent(root: MimePart, length: number): void {
  assert.equal(root.headerStart, 0);
  assert.equal(root.bodyEnd, length);
  for (const part of walkParts(root)) {
    assert.ok(part.headerStart <= part.headerEnd && part.headerEnd === part.bodyStart && part.bodyStart <= part.bodyEnd);
    assert.ok(part.bodyEnd <= length && part.bodyLines >= 0);
    for (const child of part.children) assert.ok(child.headerStart >= part.bodyStart && child.bodyEnd <= part.bodyEnd);
    if (part.message !== null) assert.ok(part.message.headerStart === part.bodyStart && part.message.bodyEnd === part.bodyEnd);
  }
}

test('random chunk splits (1, 3, 17 octets and random sizes) give the one-buffer tree', () => {
  const random = prng(0x5e7e7);
  for (const source of fixtures) {
    const whole = parseMimeBuffer(source);
    for (const maxChunk of [1, 3, 17, 200]) assert.deepEqual(parseInChunks(source, random, maxChunk), whole);
  }
});

test('mangled fixtures (bytes dropped, duplicated, CR/LF/dash inserted) never throw', () => {
  const random = prng(42);
  const noise = [0x0d, 0x0a, 0x2d, 0x2d, 0x3a, 0x20, 0x3d, 0x3f, 0x22, 0x3b];
  for (let round = 0; round < 300; round++) {
    const source = Buffer.from(fixtures[round % fixtures.length]!);
    const bytes = [...source];
    for (let k = 0; k < 8; k++) {
      const at = Math.floor(random() * bytes.length);
      const op = random();
      if (op < 0.3) bytes.splice(at, 1 + Math.floor(random() * 20));
      else if (op < 0.6) bytes.splice(at, 0, noise[Math.floor(random() * noise.length)]!);
      else bytes.splice(at, 0, ...bytes.slice(at, at + Math.floor(random() * 80)));
    }
    const mangled = Buffer.from(bytes);
    const root = parseMimeBuffer(mangled);
    assertConsistent(root, mangled.length);
    assert.deepEqual(parseInChunks(mangled, random, 13), root);
    for (const part of walkParts(root)) {
      // Decoding whatever came out must not throw either.
      assert.equal(typeof decodeBodyText(mangled.subarray(part.bodyStart, part.bodyEnd), part), 'string');
    }
  }
});

test('random garbage never throws', () => {
  const random = prng(7);
  const alphabet = Buffer.from('-\r\n:; =?"\\()<>@,.abcXYZ\t\x00\xff/*%\'boundary=Content-Type:multipart/message/rfc822');
  for (let round = 0; round < 300; round++) {
    const length = Math.floor(random() * 2000);
    const garbage = Buffer.alloc(length);
    for (let i = 0; i < length; i++) garbage[i] = random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
    const root = parseMimeBuffer(garbage);
    assertConsistent(root, length);
    assert.deepEqual(parseInChunks(garbage, random, 5), root);
    decodeTransfer(garbage, 'base64');
    decodeTransfer(garbage, 'quoted-printable');
  }
});
