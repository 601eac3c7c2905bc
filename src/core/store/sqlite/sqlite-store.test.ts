import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runStoreConformance } from '../conformance.ts';
import { openSqliteStore } from './sqlite-store.ts';

const freshDir = () => mkdtemp(path.join(tmpdir(), 'septet-sqlite-'));

runStoreConformance('sqlite', async () => {
  const dataDir = await freshDir();
  const store = await openSqliteStore({ dataDir, fsync: false });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
