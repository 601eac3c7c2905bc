// Reply framing as RFC 959 §4.2 gives it, and the replies whose text carries data.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FtpProtocolError, isAccepted, parseEpsvPort, parsePasvPort, parseQuotedPath, readReply } from './replies.ts';

function lines(...all: string[]): () => Promise<string> {
  return async () => {
    const next = all.shift();
    if (next === undefined) throw new Error('no more lines');
    return next;
  };
}

describe('readReply (RFC 959 §4.2)', () => {
  it('reads a one-line reply and a bare code', async () => {
    assert.deepEqual(await readReply(lines('220 ready')), { code: 220, message: 'ready' });
    assert.deepEqual(await readReply(lines('200')), { code: 200, message: '' });
  });

  it('reads a multi-line reply up to "code SP", keeping inner lines that look like other codes', async () => {
    const next = lines('211-Features:', ' EPSV', '211-not the end', '213 not the end either', ' UTF8', '211 End', '200 next reply');
    assert.deepEqual(await readReply(next), { code: 211, message: 'Features:\nEPSV\n211-not the end\n213 not the end either\nUTF8\nEnd' });
    assert.deepEqual(await readReply(next), { code: 200, message: 'next reply' });
  });

  it('refuses what is not a reply', async () => {
    await assert.rejects(readReply(lines('HTTP/1.1 400 Bad Request')), FtpProtocolError);
    await assert.rejects(readReply(lines('22 short')), FtpProtocolError);
  });
});

describe('reply contents', () => {
  it('accepts by class (one digit) or exact code', () => {
    assert.equal(isAccepted({ code: 226, message: '' }, [2]), true);
    assert.equal(isAccepted({ code: 331, message: '' }, [230, 331]), true);
    assert.equal(isAccepted({ code: 530, message: '' }, [2, 331]), false);
  });

  it('reads the EPSV and PASV ports and the 257 path', () => {
    assert.equal(parseEpsvPort({ code: 229, message: 'Entering Extended Passive Mode (|||50123|)' }), 50123);
    assert.equal(parseEpsvPort({ code: 229, message: 'Entering Extended Passive Mode (!!!2121!)' }), 2121);
    assert.equal(parseEpsvPort({ code: 229, message: 'no port' }), null);
    assert.equal(parsePasvPort({ code: 227, message: 'Entering Passive Mode (10,0,0,1,195,80).' }), 195 * 256 + 80);
    assert.equal(parseQuotedPath({ code: 257, message: '"/a ""quoted"" dir" is the current directory' }), '/a "quoted" dir');
  });
});
