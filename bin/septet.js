#!/usr/bin/env node
// Entry point of the `septet` command. Plain JavaScript on purpose: it must run on
// any Node to say clearly that Septet needs Node 26 (type stripping, node:sqlite,
// socket.setTypeOfService), and only then load the TypeScript sources.
const [major] = process.versions.node.split('.').map(Number);
if (major < 26) {
  process.stderr.write(
    `septet: Node.js 26 or newer is required (this is ${process.version}).\n` +
      `Run it through npm from the checkout (npx septet ...), which uses the Node 26 ` +
      `installed by "npm ci", or install Node 26.\n`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
