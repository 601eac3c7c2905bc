// addressSearchText: the normalised address line SEARCH FROM/TO/CC/BCC match against.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressSearchText } from './address-text.ts';

test('comments and folding whitespace go; names are decoded; routes and groups stay', () => {
  assert.equal(addressSearchText('<user-from (comment)@ (comment) domain.org>'), '<user-from@domain.org>');
  assert.equal(addressSearchText('user  (Some Comment)\r\n  @ folded.example'), 'Some Comment <user@folded.example>');
  assert.equal(addressSearchText('=?utf-8?q?J=C3=B6rg?= <joerg@example.org>'), 'Jörg <joerg@example.org>');
  assert.equal(addressSearchText('<@route.example,@two.example:routed@final.example>'), '<@route.example,@two.example:routed@final.example>');
  assert.equal(addressSearchText('Group: a@b.example, "Quoted Name" <c@d.example>;, e@f.example'), 'Group: <a@b.example>, Quoted Name <c@d.example>;, <e@f.example>');
  assert.equal(addressSearchText('Undisclosed recipients:;'), 'Undisclosed recipients: ;');
  assert.equal(addressSearchText(''), null);
  assert.equal(addressSearchText('@@, ;;'), null);
});
