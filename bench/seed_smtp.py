#!/usr/bin/env python3
"""Seeds a mailbox over SMTP with the same messages mailload.py seeds over IMAP."""
import argparse, smtplib, sys, time
p = argparse.ArgumentParser()
p.add_argument('--port', type=int, required=True)
p.add_argument('--to', required=True)
p.add_argument('--messages', type=int, default=1000)
p.add_argument('--size', type=int, default=4096)
p.add_argument('--peers', required=True)
a = p.parse_args()
sys.path.insert(0, a.peers)
from mailload import make_message  # noqa: E402
t0 = time.time()
s = smtplib.SMTP('127.0.0.1', a.port)
for i in range(a.messages):
    s.sendmail('sender@bench.localdomain', [a.to], make_message(i, a.size))
s.quit()
print(f'seeded {a.messages} messages in {time.time() - t0:.1f} s', file=sys.stderr)
