# Drives Septet's IMAP server with python3's imaplib over every command of the core
# protocol, and prints one JSON object of results for imaplib.test.ts to check.
# Usage: imaplib-session.py MODE HOST PORT USER PASSWORD   (MODE: starttls | ssl)
import imaplib, json, ssl, sys, time

mode, host, port, user, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}

def ok(result):
    typ, data = result
    if typ != 'OK':
        raise SystemExit(f'unexpected {typ}: {data!r}')
    return data

def text(data):
    def one(d):
        if d is None:
            return None
        if isinstance(d, bytes):
            return d.decode('latin1')
        return [x.decode('latin1') if isinstance(x, bytes) else x for x in d]
    return [one(d) for d in data]

if mode == 'ssl':
    M = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
else:
    M = imaplib.IMAP4(host, port)
    out['before_tls'] = list(M.capabilities)
    ok(M.starttls(ssl_context=ctx))
out['capabilities'] = list(M.capabilities)
ok(M.login(user, password))
out['capabilities_after_login'] = text(ok(M.capability()))
out['list'] = text(ok(M.list()))
ok(M.create('py/sub'))
ok(M.subscribe('py/sub'))
out['lsub'] = text(ok(M.lsub('""', 'py/*')))
ok(M.rename('py/sub', 'py/renamed'))
out['status'] = text(ok(M.status('INBOX', '(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)')))
msg = b'From: Py <py@example.org>\r\nTo: alice@example.org\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=F0=D2=C9=D7=C5=D4 world\r\n'
out['append'] = text(ok(M.append('py/renamed', '(\\Seen)', imaplib.Time2Internaldate(time.time()), msg)))
out['select'] = text(ok(M.select('py/renamed')))
out['exists'] = text(M.response('EXISTS')[1])
out['fetch'] = text(ok(M.fetch('1', '(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)')))
body = ok(M.fetch('1', '(BODY.PEEK[])'))
out['body_matches'] = body[0][1] == msg
out['partial'] = text(ok(M.fetch('1', '(BODY.PEEK[TEXT]<0.8>)')))
out['search_cyrillic'] = text(ok(M.search('UTF-8', 'BODY', '"Привет"'.encode('utf-8'))))
out['search_subject'] = text(ok(M.search(None, 'SUBJECT', '"Grüße"'.encode('utf-8')))) if False else text(ok(M.uid('SEARCH', 'CHARSET', 'UTF-8', 'SUBJECT', '"Grüße"'.encode('utf-8'))))
out['store'] = text(ok(M.store('1', '+FLAGS', '(\\Flagged)')))
out['uid_store'] = text(ok(M.uid('STORE', '1', '-FLAGS', '(\\Flagged)')))
out['copy'] = text(ok(M.copy('1', 'INBOX')))
out['copy_code'] = text(M.response('COPYUID')[1])
out['uid_fetch'] = text(ok(M.uid('FETCH', '1', '(FLAGS)')))
out['move'] = text(ok(M.uid('MOVE', '1', 'Trash')))
out['check'] = text(ok(M.check()))
out['noop'] = text(ok(M.noop()))
ok(M.select('Trash'))
ok(M.store('1:*', '+FLAGS', '\\Deleted'))
out['expunge'] = text(ok(M.expunge()))
ok(M.close())
out['examine'] = text(ok(M.select('INBOX', readonly=True)))
out['unselect'] = text(ok(M.unselect()))
out['namespace'] = text(ok(M.namespace()))
out['getquotaroot'] = text(ok(M.getquotaroot('INBOX')))
out['delete'] = text(ok(M.delete('py/renamed')))
out['logout'] = M.logout()[0]
print(json.dumps(out))
