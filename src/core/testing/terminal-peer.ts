// Test tool: a second process with open terminals. It attaches ACCOUNT_ID... to the
// shared terminal registry in FOLDER, prints "ready" once the other processes can see
// them, then prints every notice it is shown as one JSON line, until stdin ends.
//
//   node src/core/testing/terminal-peer.ts FOLDER ACCOUNT_ID [ACCOUNT_ID...]

import { SharedTerminalRegistry } from '../bus/terminal-registry.ts';

const [folder, ...ids] = process.argv.slice(2);
if (!folder || ids.length === 0) {
  process.stderr.write('usage: terminal-peer.ts FOLDER ACCOUNT_ID...\n');
  process.exit(2);
}
const registry = new SharedTerminalRegistry({ folder, warn: (m) => process.stderr.write(`${m}\n`) });
const attachments = ids.map((id) =>
  registry.attach(Number(id), (notice) => process.stdout.write(`${JSON.stringify({ accountId: Number(id), from: notice.from, text: notice.text, at: notice.at.toISOString() })}\n`)),
);
await Promise.all(attachments.map((a) => a.ready));
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  for (const a of attachments) a.detach();
  await registry.close();
  process.exit(0);
});
