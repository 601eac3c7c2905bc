import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { configReference, withCurrentReference } from './reference.ts';
import { configFromObject, defaultConfig } from './load.ts';

test('README.md carries the current configuration reference (run `npm run config-reference`)', async () => {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, withCurrentReference(readme));
});

test('the reference is valid TOML that loads to exactly the defaults', () => {
  const parsed = parse(configReference()) as Record<string, unknown>;
  assert.deepEqual(configFromObject(parsed), defaultConfig());
});
