#!/usr/bin/python3
"""relay-wait.py - waits for the end of a relay benchmark run and prints the moment.

  relay-wait.py pop3 HOST PORT PASSWORD EXPECT TIMEOUT USER...
      until the POP3 maildrops of USER... hold EXPECT messages in total (STAT);
  relay-wait.py maildir EXPECT TIMEOUT DIR...
      until the Maildirs DIR... hold EXPECT messages in new/ + cur/;
  relay-wait.py queue TIMEOUT QUEUE_DIR
      until a Postfix queue directory holds no message (maildrop, incoming, active,
      deferred, hold).

Prints "END <epoch seconds> <count>" when done, or "TIMEOUT <epoch> <count>" (exit 1).
Polls every 50 ms (POP3: 200 ms, since each round is one login per maildrop).
"""
import os
import poplib
import sys
import time


def pop3_count(host, port, password, users):
    total = 0
    for user in users:
        p = poplib.POP3(host, port, timeout=30)
        try:
            p.user(user)
            p.pass_(password)
            total += p.stat()[0]
        finally:
            p.quit()
    return total


def files_under(dirs):
    n = 0
    for d in dirs:
        for root, _subdirs, files in os.walk(d):
            n += len(files)
    return n


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == 'pop3':
        host, port, password, expect, timeout, users = args[0], int(args[1]), args[2], int(args[3]), float(args[4]), args[5:]
        probe, done, pause = (lambda: pop3_count(host, port, password, users)), (lambda n: n >= expect), 0.2
    elif mode == 'maildir':
        expect, timeout, dirs = int(args[0]), float(args[1]), args[2:]
        sub = [os.path.join(d, s) for d in dirs for s in ('new', 'cur')]
        probe, done, pause = (lambda: files_under(sub)), (lambda n: n >= expect), 0.05
    elif mode == 'queue':
        timeout, queue = float(args[0]), args[1]
        sub = [os.path.join(queue, s) for s in ('maildrop', 'incoming', 'active', 'deferred', 'hold')]
        probe, done, pause = (lambda: files_under(sub)), (lambda n: n == 0), 0.05
    else:
        sys.exit(f'unknown mode {mode}')
    deadline = time.time() + timeout
    while True:
        n = probe()
        if done(n):
            print(f'END {time.time():.3f} {n}')
            return
        if time.time() > deadline:
            print(f'TIMEOUT {time.time():.3f} {n}')
            sys.exit(1)
        time.sleep(pause)


main()
