import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostPort, tftpCommand } from './tftp.ts';
import { UsageError } from './args.ts';

test('HOST[:PORT] parsing for septet tftp, IPv6 included', () => {
  assert.deepEqual(parseHostPort('example.test'), { host: 'example.test', port: 69 });
  assert.deepEqual(parseHostPort('127.0.0.1:6969'), { host: '127.0.0.1', port: 6969 });
  assert.deepEqual(parseHostPort('::1'), { host: '::1', port: 69 });
  assert.deepEqual(parseHostPort('[::1]:28069'), { host: '::1', port: 28069 });
  assert.throws(() => parseHostPort('host:0'), UsageError);
});

test('septet tftp refuses bad usage before sending anything', async () => {
  await assert.rejects(tftpCommand(['fetch', 'h', 'f']), UsageError);
  await assert.rejects(tftpCommand(['get', 'h']), UsageError);
  await assert.rejects(tftpCommand(['get', 'h', 'f', '--mode', 'mail']), UsageError);
  await assert.rejects(tftpCommand(['get', 'h', 'f', '--blksize', '4']), UsageError);
  await assert.rejects(tftpCommand(['put', 'h', 'f', '--windowsize', 'x']), UsageError);
});
