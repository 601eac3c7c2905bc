import { runStoreConformance } from '../conformance.ts';
import { createMemoryStore } from './memory-store.ts';

runStoreConformance('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
