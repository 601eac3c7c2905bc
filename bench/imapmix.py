#!/usr/bin/python3
"""Random IMAP command mix with a protocol checker on every untagged response (stdlib only).

  imapmix.py mix --port P [--clients 10] [--seconds 20] [--messages 100] [--label NAME]
      seeds INBOX by APPEND up to --messages, then N client processes loop sessions of
      connect, LOGIN, SELECT INBOX, 5-20 random commands, LOGOUT for --seconds:
        FETCH_ALL     FETCH 1:* (UID FLAGS)                     (UIDs checked against the view)
        FETCH_FLAGS   FETCH a:b (UID FLAGS)                     (up to 50 messages)
        FETCH_HDR     FETCH a:b (UID RFC822.SIZE ENVELOPE BODY.PEEK[HEADER])   (up to 10)
        FETCH_BODY    FETCH n (UID RFC822.SIZE BODY.PEEK[])     (size checked against the literal)
        FETCH_PART    FETCH n (UID BODY.PEEK[]<o.1024>)         (origin and length checked)
        STORE_ADD     STORE n +FLAGS ($kwK \\Seen)               ($kw1..$kw20: new keywords appear)
        STORE_DEL     STORE n -FLAGS ($kwK \\Seen)
        EXPUNGE       STORE n +FLAGS.SILENT (\\Deleted), then EXPUNGE (timed: the EXPUNGE)
        APPEND        APPEND INBOX (\\Seen $kwK) {4096} (synchronizing literal)
        SEARCH        SEARCH UNSEEN | KEYWORD $kwK | SUBJECT "..." | LARGER n | SINCE date
        NOOP          NOOP
      The mailbox is kept near --messages: APPEND becomes EXPUNGE above 1.5x, EXPUNGE becomes
      APPEND below 0.5x, and on an empty mailbox FETCH/STORE become APPEND.
  imapmix.py selftest
      feeds canned bad (and good) responses to the checker and says whether each is caught.
  imapmix.py append --port P [--seconds 10] [--size 4096] [--label NAME]
      one client APPENDs --size messages into mailbox AppendBench for --seconds: msg/s, latency.

Protocol checks, in every session, on every line the server sends (RFC 3501 unless noted):
  malformed lines (no CRLF, unbalanced lists, bad literal, unknown response), FETCH/EXPUNGE/
  SEARCH/RECENT numbers outside 1..EXISTS, EXISTS going down (7.3.1), EXPUNGE while answering
  FETCH/STORE/SEARCH (7.4.1), a FETCH flag not announced by the last FLAGS response (7.2.6) or
  NIL as a flag, PERMANENTFLAGS keywords not in FLAGS, SELECT missing FLAGS/EXISTS/RECENT/
  UIDVALIDITY/UIDNEXT/PERMANENTFLAGS (6.3.1), UIDVALIDITY changing, a UID that changes for a
  sequence number or does not ascend with it (2.3.1.1), BODY[] length != RFC822.SIZE, partial
  BODY[]<o> with the wrong origin or too long, LOGOUT without BYE (6.1.3), a BYE or an untagged
  BAD elsewhere, a tagged NO/BAD (NO [EXPUNGEISSUED] of RFC 5530 is counted apart, not as an
  error), unknown tags, unexpected continuations.
  Notes, not errors (legal when sessions race): a STORE answer without the stored flags, FETCH OK
  without data (RFC 2180 4.1), BODY[] with RFC822.SIZE 0 (Dovecot's answer for a message another
  session expunged), an EXPUNGE inside the SELECT response.
Prints a table to stderr, a JSON summary and tab-separated RESULT lines to stdout.
"""
import argparse, json, multiprocessing as mp, os, random, re, resource, socket, sys, time

KEYWORDS = [f"$kw{i}" for i in range(1, 21)]
SYSTEM_FLAGS = {"\\seen", "\\answered", "\\flagged", "\\deleted", "\\draft"}
WEIGHTS = {"FETCH_ALL": 5, "FETCH_FLAGS": 15, "FETCH_HDR": 10, "FETCH_BODY": 10, "FETCH_PART": 10, "STORE_ADD": 15,
           "STORE_DEL": 10, "EXPUNGE": 6, "APPEND": 8, "SEARCH": 10, "NOOP": 6}
MAX_EXAMPLES = 4
FETCH_ITEMS = {"FLAGS", "UID", "RFC822.SIZE", "ENVELOPE", "INTERNALDATE", "BODYSTRUCTURE", "BODY",
               "RFC822", "RFC822.HEADER", "RFC822.TEXT", "MODSEQ", "BINARY.SIZE", "EMAILID", "THREADID",
               "SAVEDATE", "X-GM-MSGID"}


def make_message(i, size, rnd):
    head = (f"From: Mix Sender <sender@bench.localdomain>\r\nTo: Bench User <bench@bench.localdomain>\r\n"
            f"Subject: mix message {i}\r\nDate: Fri, 27 Nov 2026 10:{i % 60:02d}:00 +0000\r\n"
            f"Message-ID: <mix-{i}-{rnd.random()}@bench.localdomain>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=us-ascii\r\n\r\n")
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "elit", "sed", "tempor", "magna", "aliqua"]
    body, n = [], len(head)
    while n < size - 2:
        line = " ".join(rnd.choice(words) for _ in range(12))[:min(74, size - n - 2)] + "\r\n"
        body.append(line)
        n += len(line)
    return (head + "".join(body)).encode()


class ProtocolError(Exception):
    pass


class Closed(Exception):
    pass


# ---------------------------------------------------------------- parsing
class Lit(bytes):
    """A literal's content (kept apart from atoms so a literal "NIL" is not NIL)."""


class Q(str):
    """A quoted string."""


class Parser:
    """Tokenises one response (its text with literals already cut out) into nested lists."""

    def __init__(self, text, literals):
        self.s, self.lits, self.i = text, literals, 0

    def fail(self, why):
        raise ProtocolError(f"{why} at column {self.i}")

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def sp(self):
        if self.peek() != " ":
            self.fail("expected SP")
        self.i += 1

    def at_end(self):
        return self.i >= len(self.s)

    def value(self):
        c = self.peek()
        if c == "(":
            self.i += 1
            out = []
            while True:
                if self.peek() == ")":
                    self.i += 1
                    return out
                if out:
                    self.sp()
                if self.peek() == ")":  # "( )" is not valid, but tolerate ")" after SP? no: report
                    self.fail("SP before )")
                if self.at_end():
                    self.fail("unterminated list")
                out.append(self.value())
        if c == '"':
            j, buf = self.i + 1, []
            while j < len(self.s):
                ch = self.s[j]
                if ch == "\\":
                    if j + 1 >= len(self.s) or self.s[j + 1] not in '"\\':
                        self.fail("bad quoted escape")
                    buf.append(self.s[j + 1])
                    j += 2
                    continue
                if ch == '"':
                    self.i = j + 1
                    return Q("".join(buf))
                buf.append(ch)
                j += 1
            self.fail("unterminated quoted string")
        if c == "\x00":  # literal marker put in by the reader
            self.i += 1
            return self.lits.pop(0)
        if c in ("", " ", ")"):
            self.fail("expected a value")
        return self.atom()

    def atom(self):
        """An atom, a number, NIL, a flag (\\Seen) or a fetch item name with a [section]<origin>."""
        j = self.i
        while j < len(self.s) and self.s[j] not in ' ()"\x00{[]':
            j += 1
        if j < len(self.s) and self.s[j] == "[":  # BODY[HEADER.FIELDS (A B)]<0>
            k = self.s.find("]", j)
            if k < 0:
                self.fail("unterminated [section]")
            j = k + 1
            if j < len(self.s) and self.s[j] == "<":
                k = self.s.find(">", j)
                if k < 0:
                    self.fail("unterminated <origin>")
                j = k + 1
        if j == self.i:
            self.fail(f"unexpected character {self.s[j]!r}")
        a = self.s[self.i:j]
        self.i = j
        return a


def is_num(v):
    return isinstance(v, str) and not isinstance(v, Q) and v.isdigit()


def resp_text_code(p):
    """[CODE args] at the start of resp-text: returns (CODE, raw args) or (None, None)."""
    if p.peek() != "[":
        return None, None
    k = p.s.find("]", p.i)
    if k < 0:
        p.fail("unterminated response code")
    inner = p.s[p.i + 1:k]
    p.i = k + 1
    name, _, args = inner.partition(" ")
    return name.upper(), args


# ---------------------------------------------------------------- the client
class Client:
    def __init__(self, a, stats, rnd):
        self.a, self.st, self.rnd = a, stats, rnd
        self.sock = None
        self.buf = b""
        self.tagn = 0
        self.reset_view()

    def reset_view(self):
        self.exists = None  # None = not selected
        self.flags = set()  # lower-cased flags of the last FLAGS response
        self.permflags = None
        self.uids = []  # UID per sequence number of the selected mailbox, None = not seen yet
        self.uidvalidity = None
        self.current = None  # name of the command being answered
        self.last = None  # name of the last command answered (for checks made after its answer)
        self.seen_select = set()
        self.fetched = {}  # seq -> dict of items of the current command

    # --- errors
    def err(self, kind, detail):
        e = self.st["errors"]
        ent = e.setdefault(kind, {"n": 0, "examples": []})
        ent["n"] += 1
        if len(ent["examples"]) < MAX_EXAMPLES:
            ent["examples"].append(f"[{self.current or self.last or '-'}] {detail}"[:400])

    def note(self, kind, detail):
        """Odd but not forbidden by the RFC: reported apart, not counted as a protocol error."""
        ent = self.st["notes"].setdefault(kind, {"n": 0, "examples": []})
        ent["n"] += 1
        if len(ent["examples"]) < MAX_EXAMPLES:
            ent["examples"].append(f"[{self.current or self.last or '-'}] {detail}"[:400])

    # --- transport
    def connect(self):
        self.sock = socket.create_connection((self.a.host, self.a.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def fill(self):
        d = self.sock.recv(262144)
        if not d:
            raise Closed("server closed the connection")
        self.buf += d

    def read_line(self):
        """One raw line without its CRLF (a bare LF is reported and accepted)."""
        while True:
            k = self.buf.find(b"\n")
            if k >= 0:
                line, self.buf = self.buf[:k], self.buf[k + 1:]
                if line.endswith(b"\r"):
                    return line[:-1]
                self.err("line without CRLF", repr(line[:120]))
                return line
            self.fill()

    def read_bytes(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    LIT_RE = re.compile(rb"~?\{(\d+)\+?\}$")

    def read_response(self):
        """A whole response: text with \\x00 where each literal was, and the literals."""
        parts, lits = [], []
        while True:
            line = self.read_line()
            m = self.LIT_RE.search(line)
            if not m:
                parts.append(line)
                break
            parts.append(line[:m.start()] + b"\x00")
            lits.append(Lit(self.read_bytes(int(m.group(1)))))
        raw = b"".join(parts)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.err("malformed line", "not UTF-8: " + repr(raw[:120]))
            text = raw.decode("latin-1")
        return text, lits

    def send(self, data):
        self.sock.sendall(data)

    # --- commands
    def command(self, name, line, literal=None, expect_no=False):
        """Send tag+line (with an optional synchronizing literal), check every response, time it.
        Returns (status, code, untagged list)."""
        self.tagn += 1
        tag = f"m{self.tagn:05d}"
        self.current = name
        self.fetched = {}
        t0 = time.perf_counter()
        if literal is None:
            self.send(f"{tag} {line}\r\n".encode())
        else:
            self.send(f"{tag} {line} {{{len(literal)}}}\r\n".encode())
        untagged, sent_literal = [], literal is None
        while True:
            text, lits = self.read_response()
            if text.startswith("+"):
                if sent_literal:
                    self.err("unexpected continuation", text[:200])
                    continue
                self.send(literal + b"\r\n")
                sent_literal = True
                continue
            if text.startswith("* "):
                untagged.append(self.untagged(text, lits))
                continue
            rtag, _, rest = text.partition(" ")
            if rtag != tag:
                self.err("malformed line", f"unknown tag or garbage: {text[:200]!r}")
                continue
            if not sent_literal:  # tagged answer without a continuation: APPEND refused
                sent_literal = True
            status, code = self.tagged(rest)
            break
        self.st["lat"].setdefault(name, []).append(time.perf_counter() - t0)
        if status == "NO" and code == "EXPUNGEISSUED":
            self.st["expungeissued"] += 1
        elif status != "OK" and not expect_no:
            self.err(f"tagged {status}", f"{line[:120]} -> {text[:200]}")
        self.current, self.last = None, name
        return status, code, untagged

    def tagged(self, rest):
        st, _, txt = rest.partition(" ")
        st = st.upper()
        if st not in ("OK", "NO", "BAD"):
            self.err("malformed line", f"tagged status {rest[:200]!r}")
            return st, None
        p = Parser(txt, [])
        code = None
        try:
            code, args = resp_text_code(p)
            if code:
                self.code(code, args, tagged=True)
        except ProtocolError as e:
            self.err("malformed line", f"{e}: {rest[:200]!r}")
        return st, code

    # --- untagged responses
    def untagged(self, text, lits):
        try:
            return self._untagged(text, list(lits))
        except ProtocolError as e:
            self.err("malformed line", f"{e}: {text[:240]!r}")
            return None

    def _untagged(self, text, lits):
        p = Parser(text, lits)
        p.i = 2
        first = p.atom()
        up = first.upper()
        if first.isdigit():
            n = int(first)
            p.sp()
            kind = p.atom().upper()
            if kind == "EXISTS":
                if self.exists is not None and n < self.exists:
                    self.err("EXISTS went down", f"{text[:120]} (was {self.exists})")
                self.uids.extend([None] * max(0, n - len(self.uids)))
                del self.uids[n:]
                self.exists = n
                self.seen_select.add("EXISTS")
            elif kind == "RECENT":
                if self.exists is not None and n > self.exists:
                    self.err("number out of range", f"{text[:120]} with EXISTS {self.exists}")
                self.seen_select.add("RECENT")
            elif kind == "EXPUNGE":
                if self.current in ("FETCH_ALL", "FETCH_FLAGS", "FETCH_HDR", "FETCH_BODY", "FETCH_PART", "STORE_ADD",
                                    "STORE_DEL", "SEARCH", "STORE_DELETED"):
                    self.err("EXPUNGE during FETCH/STORE/SEARCH", text[:120])
                if self.exists is None or n < 1 or n > self.exists:
                    self.err("number out of range", f"{text[:120]} with EXISTS {self.exists}")
                else:
                    if self.current == "SELECT":  # not forbidden by 7.4.1, but the view it changes is new
                        self.note("EXPUNGE inside the SELECT response", text[:120])
                    self.exists -= 1
                    if n <= len(self.uids):
                        del self.uids[n - 1]
            elif kind == "FETCH":
                p.sp()
                self.fetch(n, p.value(), text)
            else:
                self.err("malformed line", f"unknown numbered response: {text[:200]!r}")
            if not p.at_end():
                p.fail("trailing data")
            return (kind, n)
        if up in ("OK", "NO", "BAD", "BYE", "PREAUTH"):
            if p.peek() == " ":
                p.sp()
            code, args = resp_text_code(p)
            if code:
                self.code(code, args)
            if up == "BAD":
                self.err("untagged BAD", text[:200])
            if up == "BYE" and self.current != "LOGOUT":
                self.err("unexpected BYE", text[:200])
            if up == "NO":
                self.st["untagged_no"] += 1
            return (up, code)
        if up == "FLAGS":
            p.sp()
            v = p.value()
            if not isinstance(v, list):
                p.fail("FLAGS without a list")
            self.flags = set()
            for f in v:
                self.check_flag_syntax(f, text)
                self.flags.add(str(f).lower())
            if self.permflags:
                self.check_permflags()
            self.seen_select.add("FLAGS")
            return ("FLAGS", None)
        if up == "SEARCH":
            while not p.at_end():
                p.sp()
                v = p.value()
                if isinstance(v, list):  # (MODSEQ n) of RFC 7162
                    continue
                if not is_num(v):
                    p.fail("SEARCH result not a number")
                if self.exists is not None and not 1 <= int(v) <= self.exists:
                    self.err("number out of range", f"SEARCH {v} with EXISTS {self.exists}")
            return ("SEARCH", None)
        if up in ("CAPABILITY", "LIST", "LSUB", "STATUS", "ESEARCH", "ENABLED", "NAMESPACE", "ID",
                  "QUOTA", "QUOTAROOT", "METADATA", "XLIST"):
            while not p.at_end():
                p.sp()
                if p.at_end():
                    break
                p.value()
            return (up, None)
        if up == "VANISHED":
            self.err("unexpected response", f"VANISHED without QRESYNC: {text[:200]!r}")
            return (up, None)
        self.err("malformed line", f"unknown untagged response: {text[:200]!r}")
        return None

    def check_flag_syntax(self, f, text):
        if isinstance(f, (Q, Lit, list)) or not isinstance(f, str):
            self.err("malformed line", f"flag is not an atom: {text[:200]!r}")
        elif f.upper() == "NIL":
            self.err("NIL as a flag", text[:200])
        elif f.startswith("\\") and f != "\\*" and not re.fullmatch(r"\\[A-Za-z0-9$_.\-]+", f):
            self.err("malformed line", f"bad flag {f!r}: {text[:200]!r}")

    def check_permflags(self):
        for f in self.permflags:
            if f not in ("\\*",) and f not in self.flags:
                self.err("PERMANENTFLAGS not in FLAGS", f"{f} not in FLAGS {sorted(self.flags)}")

    def code(self, code, args, tagged=False):
        if code == "PERMANENTFLAGS":
            p = Parser(args, [])
            v = p.value()
            if not isinstance(v, list):
                p.fail("PERMANENTFLAGS without a list")
            for f in v:
                self.check_flag_syntax(f, "PERMANENTFLAGS " + args)
            self.permflags = {str(f).lower() for f in v}
            self.check_permflags()
            self.seen_select.add("PERMANENTFLAGS")
        elif code in ("UIDVALIDITY", "UIDNEXT", "UNSEEN", "HIGHESTMODSEQ"):
            if not args.isdigit():
                raise ProtocolError(f"{code} without a number: {args!r}")
            if code == "UIDVALIDITY":
                prev = self.st.get("uidvalidity")
                if prev is not None and prev != args:
                    self.err("UIDVALIDITY changed", f"{prev} -> {args}")
                self.st["uidvalidity"] = args
            self.seen_select.add(code)
        elif code == "APPENDUID":
            parts = args.split()
            if len(parts) != 2 or not all(x.isdigit() for x in parts):
                raise ProtocolError(f"APPENDUID {args!r}")

    def fetch(self, n, items, text):
        if not isinstance(items, list) or len(items) % 2:
            raise ProtocolError("FETCH attributes not a list of pairs")
        if self.exists is None or not 1 <= n <= self.exists:
            self.err("number out of range", f"FETCH {n} with EXISTS {self.exists}: {text[:160]!r}")
            return
        got = self.fetched.setdefault(n, {})
        for k in range(0, len(items), 2):
            name, val = items[k], items[k + 1]
            if not isinstance(name, str) or isinstance(name, Q):
                raise ProtocolError("FETCH item name not an atom")
            base = name.upper().split("[", 1)[0].split("<", 1)[0].split(".PEEK", 1)[0]
            if base not in FETCH_ITEMS:
                self.err("unexpected response", f"unknown FETCH item {name}: {text[:160]!r}")
            got[name.upper()] = val
            if base == "FLAGS":
                if not isinstance(val, list):
                    raise ProtocolError("FLAGS not a list")
                for f in val:
                    self.check_flag_syntax(f, text)
                    lf = str(f).lower()
                    if lf == "\\recent" or lf == "nil":
                        continue
                    if lf not in self.flags:
                        kind = "system flag not in FLAGS" if lf in SYSTEM_FLAGS else "keyword not announced in FLAGS"
                        self.err(kind, f"{text[:160]} while FLAGS = ({' '.join(sorted(self.flags))})")
            elif base == "UID":
                if not is_num(val):
                    raise ProtocolError("UID not a number")
                self.check_uid(n, int(val), text)
            elif base in ("RFC822.SIZE",):
                if not is_num(val):
                    raise ProtocolError(f"{name} not a number")
            elif base == "ENVELOPE":
                if not isinstance(val, list) or len(val) != 10:
                    self.err("malformed line", f"ENVELOPE of {len(val) if isinstance(val, list) else '?'} fields")
            elif base == "BODY" and "[" in name:
                if not (isinstance(val, (Lit, Q)) or val == "NIL"):
                    raise ProtocolError(f"{name} not an nstring")

    def check_uid(self, n, uid, text):
        if len(self.uids) < n:
            self.uids.extend([None] * (n - len(self.uids)))
        old = self.uids[n - 1]
        if old is not None and old != uid:
            self.err("UID changed for a sequence number", f"{n} was UID {old}, now {text[:120]!r}")
        self.uids[n - 1] = uid
        lower = next((u for u in reversed(self.uids[:n - 1]) if u is not None), None)
        higher = next((u for u in self.uids[n:] if u is not None), None)
        if (lower is not None and lower >= uid) or (higher is not None and higher <= uid):
            self.err("UIDs not ascending", f"seq {n} UID {uid} between {lower} and {higher}")

    # --- one session
    def session(self):
        self.reset_view()
        t0 = time.perf_counter()
        self.connect()
        try:
            greeting, _ = self.read_response()
            self.st["lat"].setdefault("connect", []).append(time.perf_counter() - t0)
            if not greeting.startswith("* OK"):
                self.err("malformed line", f"greeting {greeting[:120]!r}")
            self.untagged(greeting, [])
            st, _, _ = self.command("LOGIN", f'LOGIN "{self.a.user}" "{self.a.password}"')
            if st != "OK":
                return
            self.st["logins"] += 1
            self.exists = None
            self.seen_select = set()
            st, _, _ = self.command("SELECT", "SELECT INBOX")
            if st != "OK":
                return
            missing = {"FLAGS", "EXISTS", "RECENT", "UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS"} - self.seen_select
            if missing:
                self.err("SELECT without a required response", ", ".join(sorted(missing)))
            if self.exists is None:
                self.exists = 0
            self.uids = (self.uids + [None] * self.exists)[:self.exists]
            for _ in range(self.rnd.randint(5, 20)):
                if time.time() > self.a.deadline:
                    break
                self.random_command()
            _, _, unt = self.command("LOGOUT", "LOGOUT")
            if not any(u and u[0] == "BYE" for u in unt):
                self.err("LOGOUT without BYE", "no untagged BYE before the tagged OK")
        finally:
            self.close()

    def pick(self):
        names = list(WEIGHTS)
        name = self.rnd.choices(names, [WEIGHTS[k] for k in names])[0]
        target = self.a.messages
        if name == "APPEND" and self.exists > 1.5 * target:
            name = "EXPUNGE"
        if name == "EXPUNGE" and self.exists < 0.5 * target:
            name = "APPEND"
        if self.exists == 0 and name.startswith(("FETCH", "STORE", "EXPUNGE")):
            name = "APPEND"
        return name

    def rand_range(self, width):
        lo = self.rnd.randint(1, self.exists)
        return lo, min(self.exists, lo + self.rnd.randint(0, width - 1))

    def random_command(self):
        name, r = self.pick(), self.rnd
        if name == "FETCH_ALL":  # the whole view: a stale or shifted sequence map shows as UID conflicts
            self.command(name, "FETCH 1:* (UID FLAGS)")
        elif name == "FETCH_FLAGS":
            lo, hi = self.rand_range(50)
            self.command(name, f"FETCH {lo}:{hi} (UID FLAGS)")
        elif name == "FETCH_HDR":
            lo, hi = self.rand_range(10)
            self.command(name, f"FETCH {lo}:{hi} (UID RFC822.SIZE ENVELOPE BODY.PEEK[HEADER])")
        elif name == "FETCH_BODY":
            n = r.randint(1, self.exists)
            st, _, _ = self.command(name, f"FETCH {n} (UID RFC822.SIZE BODY.PEEK[])")
            got = self.fetched.get(n, {})
            body, size = got.get("BODY[]"), got.get("RFC822.SIZE")
            if st == "OK" and body is not None and size is not None and len(body) != int(size):
                if int(size) == 0:  # Dovecot's placeholder for a message another session expunged
                    self.note("FETCH of an expunged message with placeholder data", f"FETCH {n}: {len(body)} octets, RFC822.SIZE 0")
                else:
                    self.err("BODY[] length != RFC822.SIZE", f"FETCH {n}: {len(body)} octets, RFC822.SIZE {size}")
            if st == "OK" and n <= (self.exists or 0) and not got:
                # RFC 2180 §4.1 lets a server answer so for a message another session expunged
                self.note("FETCH OK without data", f"FETCH {n} answered OK with no FETCH response")
        elif name == "FETCH_PART":
            n, o = r.randint(1, self.exists), r.choice([0, 0, 100, 1000, 4000, 10000])
            st, _, _ = self.command(name, f"FETCH {n} (UID BODY.PEEK[]<{o}.1024>)")
            got = self.fetched.get(n, {})
            key = next((k for k in got if k.startswith("BODY[]")), None)
            if st == "OK" and key is not None:
                if key != f"BODY[]<{o}>":
                    self.err("partial FETCH answered wrongly", f"asked <{o}.1024>, got {key}")
                if len(got[key]) > 1024:
                    self.err("partial FETCH answered wrongly", f"<{o}.1024> returned {len(got[key])} octets")
        elif name in ("STORE_ADD", "STORE_DEL"):
            n, kw = r.randint(1, self.exists), r.choice(KEYWORDS)
            sign = "+" if name == "STORE_ADD" else "-"
            st, _, _ = self.command(name, f"STORE {n} {sign}FLAGS ({kw} \\Seen)")
            fl = self.fetched.get(n, {}).get("FLAGS")
            if st == "OK" and fl is not None:
                have = {str(f).lower() for f in fl}
                want = {kw.lower(), "\\seen"}
                if sign == "+" and not want <= have or sign == "-" and want & have:
                    # not an error: another session may change the same message in between
                    self.note("STORE answer without the stored flags", f"{sign}FLAGS ({kw} \\Seen) -> FLAGS {fl}")
        elif name == "EXPUNGE":
            n = r.randint(1, self.exists)
            self.command("STORE_DELETED", f"STORE {n} +FLAGS.SILENT (\\Deleted)")
            self.command("EXPUNGE", "EXPUNGE")
        elif name == "APPEND":
            kw = r.choice(KEYWORDS)
            msg = make_message(r.randint(1, 10**6), self.a.size, r)
            self.command("APPEND", f"APPEND INBOX (\\Seen {kw})", literal=msg)
        elif name == "SEARCH":
            crit = r.choice(["UNSEEN", f"KEYWORD {r.choice(KEYWORDS)}", f'SUBJECT "message {r.randint(1, 999)}"',
                             f"LARGER {r.randint(3000, 5000)}", "SINCE 1-Jan-2026", "DELETED"])
            self.command(name, f"SEARCH {crit}")
        else:
            self.command("NOOP", "NOOP")


def new_stats():
    return {"lat": {}, "errors": {}, "notes": {}, "cpu": 0.0, "logins": 0, "sessions": 0, "failed_sessions": 0,
            "expungeissued": 0, "untagged_no": 0, "first_failure": None}


def worker(args):
    a, idx = args
    st, rnd = new_stats(), random.Random(1000 + idx)
    c = Client(a, st, rnd)
    while time.time() < a.start_at:
        time.sleep(0.001)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    while time.time() < a.deadline:
        try:
            c.session()
            st["sessions"] += 1
        except (OSError, Closed, ProtocolError) as e:
            st["failed_sessions"] += 1
            st["first_failure"] = st["first_failure"] or f"{c.current}: {e!r}"
            if c.current not in (None, "LOGOUT"):
                c.err("connection lost", f"{e!r}")
            c.close()
            time.sleep(0.05)
        except Exception as e:  # a checker bug must not hide the other clients' figures
            st["failed_sessions"] += 1
            c.err("client exception (checker bug?)", f"{e!r}")
            c.close()
    st["end"] = time.time()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    st["cpu"] = ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime
    return st


def pct(v, p):
    if not v:
        return float("nan")
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def merge(results):
    out = new_stats()
    for r in results:
        for k, v in r["lat"].items():
            out["lat"].setdefault(k, []).extend(v)
        for what in ("errors", "notes"):
            for k, v in r[what].items():
                e = out[what].setdefault(k, {"n": 0, "examples": []})
                e["n"] += v["n"]
                e["examples"] += v["examples"][:MAX_EXAMPLES - len(e["examples"])]
        for k in ("logins", "sessions", "failed_sessions", "expungeissued", "untagged_no", "cpu"):
            out[k] += r[k]
        out["first_failure"] = out["first_failure"] or r["first_failure"]
    return out


def report(a, tag, m, wall):
    per = {}
    for k, v in sorted(m["lat"].items()):
        v.sort()
        per[k] = {"n": len(v), "per_s": round(len(v) / wall, 1), "avg_ms": round(sum(v) / len(v) * 1e3, 2),
                  "p50_ms": round(pct(v, 50) * 1e3, 2), "p99_ms": round(pct(v, 99) * 1e3, 2)}
    cmds = sorted(x for k, v in m["lat"].items() if k != "connect" for x in v)
    nerr = sum(e["n"] for e in m["errors"].values())
    out = {"label": a.label, "target": f"{a.host}:{a.port}", "clients": a.clients, "wall_s": round(wall, 2),
           "logins": m["logins"], "logins_per_s": round(m["logins"] / wall, 1), "sessions": m["sessions"],
           "failed_sessions": m["failed_sessions"], "commands": len(cmds),
           "commands_per_s": round(len(cmds) / wall, 1),
           "client_cpu_share": round(m["cpu"] / (wall * (os.cpu_count() or 1)), 3),
           "cmd_avg_ms": round(sum(cmds) / max(1, len(cmds)) * 1e3, 2),
           "cmd_p50_ms": round(pct(cmds, 50) * 1e3, 2), "cmd_p99_ms": round(pct(cmds, 99) * 1e3, 2),
           "protocol_errors": nerr, "expungeissued": m["expungeissued"], "untagged_no": m["untagged_no"],
           "first_failure": m["first_failure"], "errors": m["errors"], "notes": m["notes"],
           "per_command": per}
    e = sys.stderr
    print(f"{tag}: {out['logins']} logins ({out['logins_per_s']}/s), {out['commands']} commands "
          f"({out['commands_per_s']}/s) in {out['wall_s']} s, {out['failed_sessions']} failed sessions, "
          f"{nerr} protocol errors; the load clients used {out['client_cpu_share']:.0%} of the machine's CPU", file=e)
    print(f"  {'command':<14}{'n':>7}{'per s':>9}{'avg ms':>9}{'p50 ms':>9}{'p99 ms':>9}", file=e)
    for k, v in per.items():
        print(f"  {k:<14}{v['n']:>7}{v['per_s']:>9}{v['avg_ms']:>9}{v['p50_ms']:>9}{v['p99_ms']:>9}", file=e)
    for what, items in (("ERROR", m["errors"]), ("note", m["notes"])):
        for k, v in sorted(items.items(), key=lambda kv: -kv[1]["n"]):
            print(f"  {what} {v['n']:>6} × {k}", file=e)
            for x in v["examples"]:
                print(f"           e.g. {x}", file=e)
    if m["first_failure"]:
        print(f"  first failed session: {m['first_failure']}", file=e)
    print(json.dumps(out, indent=1))
    res = lambda label, val, unit: print(f"RESULT\t{tag} {label}\t{val}\t{unit}")
    res("logins", out["logins"], "logins")
    res("logins/s", out["logins_per_s"], "logins/s")
    res("commands/s", out["commands_per_s"], "commands/s")
    res("cmd p50", out["cmd_p50_ms"], "ms")
    res("cmd p99", out["cmd_p99_ms"], "ms")
    for k, v in per.items():
        res(f"{k} avg", v["avg_ms"], "ms")
        res(f"{k} p99", v["p99_ms"], "ms")
    res("protocol errors", nerr, "errors")
    return out


def seed(a):
    """Fill INBOX up to --messages with one client (not timed in the figures)."""
    st = new_stats()
    c = Client(a, st, random.Random(7))
    c.connect()
    c.read_response()
    if c.command("LOGIN", f'LOGIN "{a.user}" "{a.password}"')[0] != "OK":
        raise SystemExit("seed: LOGIN failed")
    c.command("SELECT", "SELECT INBOX")
    need = a.messages - (c.exists or 0)
    for i in range(max(0, need)):
        c.command("APPEND", "APPEND INBOX ()", literal=make_message(i, a.size, c.rnd))
    c.command("LOGOUT", "LOGOUT")
    c.close()
    if st["errors"]:
        print(f"seed: protocol errors {json.dumps(st['errors'])}", file=sys.stderr)
    print(f"seed: appended {max(0, need)} messages", file=sys.stderr)


def mix(a):
    seed(a)
    a.start_at = time.time() + 0.3
    a.deadline = a.start_at + a.seconds
    with mp.Pool(a.clients) as pool:
        res = pool.map(worker, [(a, i) for i in range(a.clients)])
    wall = max(r["end"] for r in res) - a.start_at
    report(a, f"imapmix {a.label} c={a.clients}", merge(res), wall)
    return 0


def append(a):
    st = new_stats()
    c = Client(a, st, random.Random(11))
    c.connect()
    c.read_response()
    if c.command("LOGIN", f'LOGIN "{a.user}" "{a.password}"')[0] != "OK":
        raise SystemExit("append: LOGIN failed")
    c.command("CREATE", "CREATE AppendBench", expect_no=True)  # NO [ALREADYEXISTS] on a rerun
    msgs = [make_message(i, a.size, c.rnd) for i in range(64)]
    t0 = time.perf_counter()
    end, n = t0 + a.seconds, 0
    while time.perf_counter() < end:
        c.command("APPEND", "APPEND AppendBench ()", literal=msgs[n % len(msgs)])
        n += 1
    wall = time.perf_counter() - t0
    c.command("LOGOUT", "LOGOUT")
    c.close()
    v = sorted(st["lat"]["APPEND"])
    nerr = sum(e["n"] for e in st["errors"].values())
    tag = f"append {a.label} size={a.size}"
    print(f"{tag}: {n} APPENDs in {wall:.2f} s = {n / wall:.1f} msg/s, avg {sum(v) / n * 1e3:.2f} ms, "
          f"p50 {pct(v, 50) * 1e3:.2f} ms, p99 {pct(v, 99) * 1e3:.2f} ms, {nerr} protocol errors "
          f"{json.dumps(st['errors']) if nerr else ''}", file=sys.stderr)
    print(f"RESULT\t{tag} msg/s\t{n / wall:.1f}\tmsg/s")
    print(f"RESULT\t{tag} avg\t{sum(v) / n * 1e3:.2f}\tms")
    print(f"RESULT\t{tag} p99\t{pct(v, 99) * 1e3:.2f}\tms")
    print(f"RESULT\t{tag} protocol errors\t{nerr}\terrors")
    return 0


SELFTEST = [  # (what the server says while a command runs, the error kind the checker must report)
    ("FETCH_FLAGS", ["* 3 FETCH (UID 3 FLAGS ($new \\Seen))"], "keyword not announced in FLAGS"),
    ("FETCH_FLAGS", ["* 3 FETCH (FLAGS (NIL))"], "NIL as a flag"),
    ("NOOP", ["* 4 EXISTS"], "EXISTS went down"),
    ("NOOP", ["* 6 EXPUNGE"], "number out of range"),
    ("FETCH_FLAGS", ["* 2 EXPUNGE"], "EXPUNGE during FETCH/STORE/SEARCH"),
    ("FETCH_FLAGS", ["* 9 FETCH (FLAGS ())"], "number out of range"),
    ("SEARCH", ["* SEARCH 1 7"], "number out of range"),
    ("FETCH_FLAGS", ["* 1 FETCH (UID 1 FLAGS (\\Seen)"], "malformed line"),
    ("FETCH_FLAGS", ["* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 1 FLAGS ())"], "UIDs not ascending"),
    ("FETCH_FLAGS", ["* 1 FETCH (UID 1)", "* 1 FETCH (UID 5)"], "UID changed for a sequence number"),
    ("NOOP", ["* FROB 1"], "malformed line"),
    ("NOOP", ["* BAD [SERVERBUG] oops"], "untagged BAD"),
    ("NOOP", ["* BYE going away"], "unexpected BYE"),
    ("NOOP", ["* FLAGS (\\Seen)", "* OK [PERMANENTFLAGS (\\Seen $x \\*)] ok"], "PERMANENTFLAGS not in FLAGS"),
    ("NOOP", ["* 1 FETCH (FLAGS (\\Seen) BODY[]<0> {3}", "abc)"], None),
    ("NOOP", ["* 1 FETCH (FLAGS (\\Seen $kw1 \\Recent) ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))"], None),
    ("NOOP", ["* OK [HIGHESTMODSEQ 12] ok", "* 6 EXISTS", "* 6 EXPUNGE", "* 3 RECENT"], None),
]


def selftest():
    """Feeds canned responses to the checker: each must give exactly the error kind expected."""
    bad = 0
    for name, lines, want in SELFTEST:
        st = new_stats()
        c = Client(argparse.Namespace(), st, random.Random(1))
        c.exists, c.uids, c.flags, c.current = 5, [None] * 5, SYSTEM_FLAGS | {"$kw1"}, name
        c.buf = "".join(l.replace("\n", "\r\n") + "\r\n" for l in lines).encode()
        c.fill = lambda: (_ for _ in ()).throw(Closed("end of the canned input"))
        try:
            while c.buf:
                c.untagged(*c.read_response())
        except Closed:
            pass
        got = sorted(st["errors"])
        ok = got == ([want] if want else [])
        bad += not ok
        print(f"{'ok ' if ok else 'FAIL'} {lines!r}: {got or 'no error'}", file=sys.stderr)
    print(f"selftest: {len(SELFTEST) - bad} of {len(SELFTEST)} as expected", file=sys.stderr)
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["mix", "append", "selftest"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user", default="bench")
    p.add_argument("--password", default="bench")
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--messages", type=int, default=100, help="mix: INBOX is seeded to and kept near this")
    p.add_argument("--size", type=int, default=4096, help="APPEND message size in bytes")
    p.add_argument("--label", default="target")
    a = p.parse_args()
    if a.mode == "selftest":
        return selftest()
    if not a.host.startswith("127.") and a.host not in ("::1", "localhost"):
        raise SystemExit("loopback targets only")
    return mix(a) if a.mode == "mix" else append(a)


if __name__ == "__main__":
    sys.exit(main())
