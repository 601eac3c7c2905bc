// Rewrites the configuration reference in README.md from the schema.
import { readFile, writeFile } from 'node:fs/promises';
import { withCurrentReference } from '../src/core/config/reference.ts';

const path = new URL('../README.md', import.meta.url);
await writeFile(path, withCurrentReference(await readFile(path, 'utf8')));
