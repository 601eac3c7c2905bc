// fsync of a directory after a rename, so the new name survives a crash. Requests
// for one directory that arrive while its fsync runs share the next fsync: one
// syscall covers every rename done before it started.

import { open } from 'node:fs/promises';

interface DirectoryState {
  running: boolean;
  waiting: { resolve: () => void; reject: (error: unknown) => void }[];
}

export class DirectorySyncer {
  private readonly directories = new Map<string, DirectoryState>();

  sync(directory: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let state = this.directories.get(directory);
      if (!state) {
        state = { running: false, waiting: [] };
        this.directories.set(directory, state);
      }
      state.waiting.push({ resolve, reject });
      if (!state.running) void this.drain(directory, state);
    });
  }

  private async drain(directory: string, state: DirectoryState): Promise<void> {
    state.running = true;
    while (state.waiting.length > 0) {
      const batch = state.waiting.splice(0);
      try {
        const handle = await open(directory, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    state.running = false;
    this.directories.delete(directory);
  }
}
