#!/usr/bin/python3
"""IMAP logins per second: CLIENTS processes, each LOGIN + LOGOUT on a fresh connection COUNT
times, or until --max-seconds have passed (python's imaplib, plaintext LOGIN on loopback). One login first, unmeasured, so that a
first-login cost (Dovecot creating the Maildir, Septet upgrading an imported hash) is not counted.
Prints RESULT lines: logins/s over the whole run and the p50/p99 of connect+LOGIN+LOGOUT."""
import argparse, imaplib, multiprocessing as mp, sys, time


def login_once(host, port, user, password):
    m = imaplib.IMAP4(host, port)
    typ, data = m.login(user, password)
    if typ != 'OK':
        raise SystemExit(f'LOGIN failed: {typ} {data}')
    m.logout()


def client(job):
    host, port, user, password, count, deadline = job
    latencies = []
    for _ in range(count):
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        login_once(host, port, user, password)
        latencies.append(time.perf_counter() - started)
    return latencies


def pct(values, p):
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--user', required=True)
    p.add_argument('--password', required=True)
    p.add_argument('--clients', type=int, default=8)
    p.add_argument('--count', type=int, default=40, help='logins per client')
    p.add_argument('--max-seconds', type=float, default=50, help='stop starting logins after this long')
    p.add_argument('--label', required=True)
    a = p.parse_args()
    login_once(a.host, a.port, a.user, a.password)
    with mp.Pool(a.clients) as pool:
        started = time.perf_counter()
        deadline = time.monotonic() + a.max_seconds
        results = pool.map(client, [(a.host, a.port, a.user, a.password, a.count, deadline)] * a.clients)
        elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r)
    print(f'{a.label}: {len(latencies)} logins by {a.clients} clients in {elapsed:.1f} s', file=sys.stderr)
    print(f'RESULT\timap logins/s {a.label}\t{len(latencies) / elapsed:.1f}\tlogins/s')
    print(f'RESULT\timap login p50 {a.label}\t{pct(latencies, 0.50) * 1000:.1f}\tms')
    print(f'RESULT\timap login p99 {a.label}\t{pct(latencies, 0.99) * 1000:.1f}\tms')


if __name__ == '__main__':
    main()
