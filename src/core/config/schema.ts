// Every setting of Septet with its default, in one place. Each limit names the RFC
// it comes from. The TOML file mirrors this structure: a top-level key, or a key
// under a [section]; anything not in the schema is refused at start-up by name.

import { DEFAULT_TLS12_CIPHERS, DEFAULT_TLS13_CIPHERSUITES } from '../tls/cipher-policy.ts';

export type FieldType = 'string' | 'integer' | 'boolean' | 'string[]';

export interface Field<T> {
  type: FieldType;
  default: T;
  doc: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

const str = (d: string, doc: string, choices?: readonly string[]): Field<string> => ({ type: 'string', default: d, doc, ...(choices ? { choices } : {}) });
const int = (d: number, doc: string, min = 0, max = Number.MAX_SAFE_INTEGER): Field<number> => ({ type: 'integer', default: d, doc, min, max });
const bool = (d: boolean, doc: string): Field<boolean> => ({ type: 'boolean', default: d, doc });
const list = (d: string[], doc: string): Field<string[]> => ({ type: 'string[]', default: d, doc });

/** A listening service: where it listens and whether it is on. */
const service = (port: number, doc: string) => ({
  enabled: bool(true, `run ${doc}`),
  port: int(port, `port of ${doc}, before --port-offset`, 0, 65535),
  proxy_protocol: bool(false, 'expect a PROXY protocol v1/v2 header on every connection (HAProxy); needs proxy_trusted_networks'),
  proxy_trusted_networks: list([], 'load balancers (CIDRs) allowed to send the PROXY header, required with proxy_protocol; other peers are closed (Dovecot haproxy_trusted_networks)'),
});

export const schema = {
  hostname: str('', 'host name used in greetings, Received headers and the certificate (default: the system host name)'),
  data: str('./data', 'data directory (also --data and SEPTET_DATA)'),
  listen: list([], 'addresses to bind (default: all IPv4 and IPv6 addresses)'),
  port_offset: int(-1, 'added to every port; -1 = 0 when ports below 1024 can be bound, 10000 otherwise', -1, 60000),
  workers: int(0, 'processes serving connections, all over the one store: 0 = one per core (os.availableParallelism()); 1 = a single process, as before', 0, 1024),
  run_as: str('septet', 'unprivileged user to switch to after binding when started as root (created if missing)'),
  domains: list([], 'local domains besides those of users and aliases'),
  default_domain: str('', 'domain appended to a login name given without one'),

  log: {
    level: str('info', 'log level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    file: str('', 'log file (default: standard output)'),
  },

  tls: {
    cert: str('', 'PEM certificate chain; empty = a self-signed certificate made at first start in the data directory'),
    key: str('', 'PEM private key for tls.cert'),
    sni: list([], 'extra certificates by server name, each "hostname=cert.pem:key.pem"'),
    min_version: str('TLSv1.2', 'lowest TLS version offered', ['TLSv1.2', 'TLSv1.3']),
    ciphers: str(DEFAULT_TLS12_CIPHERS, "TLS 1.2 ciphers, server's order first (OpenSSL syntax); default Mozilla intermediate without DHE: ECDHE with AES-GCM/ChaCha20-Poly1305 only (RFC 9325 §4.2)"),
    ciphersuites: str(DEFAULT_TLS13_CIPHERSUITES, "TLS 1.3 suites in the server's order (RFC 8446 §B.4)"),
  },

  limits: {
    max_connections: int(10_000, 'simultaneous connections over all services: the last resort for memory and file descriptors (each service has its own cap below)', 1),
    max_connections_per_ip: int(100, 'simultaneous connections from one client address over all services', 1),
    max_connections_per_service: int(1000, 'simultaneous connections in each listener (smtp, submission, imap, ...), so filling one leaves the others serving', 1),
    max_connections_per_ip_per_service: int(50, 'simultaneous connections from one client address in each listener (Postfix\'s smtpd_client_connection_count_limit)', 1),
    preauth_deadline: int(60, 'seconds a connection may last before it logs in (POP3, IMAP, FTP, submission), however busily it trickles bytes; 0 = no deadline', 0),
    mta_deadline: int(300, 'seconds a port 25 connection may last before its first completed transaction (or AUTH); 0 = no deadline', 0),
    stress_threshold: int(75, 'percent of a connection cap (a service\'s or the server\'s) above which that scope is under stress; 0 = never', 0, 100),
    stress_deadline: int(10, 'under stress, the deadline of connections not logged in, in seconds (those already open are shortened too), as Postfix\'s ${stress?10}{300}', 1),
    stress_idle_timeout: int(10, 'under stress, seconds an unauthenticated session may wait between commands', 1),
  },

  auth: {
    allow_plaintext: bool(false, 'allow passwords over unencrypted connections from non-loopback addresses (RFC 2595 §9 advises against)'),
    password_scheme: str('scrypt', 'scheme of new password hashes (set, changed, or upgraded at login from an older scheme or parameters): scrypt (RFC 7914) or argon2id (RFC 9106); every stored hash names its scheme, so changing this never locks anyone out', ['scrypt', 'argon2id']),
    scrypt_cost: int(16384, 'scrypt N for new password hashes (a power of two)', 1024, 1 << 20),
    argon2_memory_kib: int(65536, "argon2id memory per hash in KiB (m); 65536 as Dovecot's {ARGON2ID} (doveadm pw). Each login in progress holds this much", 64, 1 << 20),
    argon2_passes: int(3, "argon2id passes (t); 3 as Dovecot's {ARGON2ID}", 1, 64),
    argon2_parallelism: int(1, "argon2id lanes (p); 1 as Dovecot's {ARGON2ID}", 1, 64),
    throttle_free_failures: int(3, 'failed logins per client source (IPv4 address, IPv6 /64), or per account from sources that never logged in to it, before each further attempt from there is delayed', 0),
    throttle_max_delay_ms: int(15000, 'longest delay of a login attempt after repeated failures', 0),
    throttle_good_sources: int(8, 'sources remembered per account after a successful login; their attempts ignore the account\'s failure count, so guessing from elsewhere never slows the owner', 1, 1000),
    ban_after_failures: int(20, 'failed logins from one source within auth.ban_window that ban it on every protocol (0 = never ban)', 0),
    ban_window: int(900, 'seconds in which auth.ban_after_failures failures ban a source', 1),
    ban_duration: int(1800, 'seconds a banned source is refused at connect (`septet ban del` lifts it sooner)', 1),
    ban_exempt: list(['127.0.0.1', '::1'], 'networks never banned (still throttled): by default the addresses local webmail and monitoring connect from; other loopback addresses can be banned'),
  },

  store: {
    backend: str('sqlite', 'storage backend', ['sqlite']),
    fsync: bool(true, 'fsync message bodies and metadata before acknowledging (off only for benchmarks)'),
    change_poll_interval_ms: int(100, 'how often the server looks whether another process (the CLI: sendmail, queue retry) changed the data, so IMAP IDLE and the relay hear it at once; one cheap PRAGMA data_version read', 10, 60_000),
    lock_lease: int(30, 'seconds a POP3 maildrop lock outlives the last renewal of the process holding it (renewed every third of it), so the lock of a worker that died is free again; at once when its pid is gone', 3, 3600),
    change_log_retention: int(600, 'seconds the change log keeps a change for other processes to read (they look every change_poll_interval_ms)', 60),
    inline_body_bytes: int(65_536, 'a message body up to this size is kept in the database row written by the same commit as its metadata, so an APPEND or delivery costs one fsync (the WAL) instead of three (body, folder, WAL; Dovecot\'s and Postfix\'s one-file-per-step tricks in one); larger bodies are files, streamed and never held in memory. Also the memory one receiving body may take (0 = every body a file)', 0, 1_048_576),
    inline_memory_bytes: int(33_554_432, 'octets of small bodies all sessions together may hold in memory between receiving them and the commit of their delivery (a MULTIAPPEND holds all of its own until its one commit); past it a new body is written as a file, so memory stays flat', 0),
    body_cache_bytes: int(67_108_864, 'memory for recently delivered and read message bodies, octets (per process): FETCH BODY[] and POP3 RETR of a cached body do no file I/O; least recently used out first; 0 = no cache', 0),
    open_body_files: int(64, 'descriptors of message bodies kept open between reads (per process, least recently used closed first), so a large message read in parts (BODYSTRUCTURE then BODY[1], or BODY[]<0.65536> chunk by chunk) costs one read per part, not an open and a close too', 0, 100_000),
    body_cache_max_message: int(524_288, 'largest body kept in the body cache, octets (larger ones stream from their files; 512 KiB is what one thread-pool read takes whole)', 0),
  },

  smtp: {
    ...service(25, 'SMTP (MTA, no authentication needed for local domains)'),
    max_message_size: int(52_428_800, 'largest message accepted, octets (RFC 1870 SIZE)', 1024),
    max_recipients: int(1000, 'recipients per message (RFC 5321 §4.5.3.1.8 requires at least 100)', 100),
    command_timeout: int(300, 'seconds to wait for a command (RFC 5321 §4.5.3.2.7: 5 minutes)', 1),
    data_timeout: int(600, 'seconds to wait for the message data (RFC 5321 §4.5.3.2.6 advises 10 minutes after the terminator; used per data block)', 1),
    max_errors: int(20, 'protocol errors before the connection is closed', 1),
    max_line_length: int(4096, 'longest command line in octets without CRLF (RFC 5321 §4.5.3.1.4: at least 512 with CRLF; AUTH lines with initial responses need more, RFC 4954 §4)', 510),
    vrfy: bool(false, 'answer VRFY with the user (otherwise 252)'),
    expn: bool(false, 'answer EXPN with the alias expansion (otherwise 502)'),
    catch_all: bool(false, 'accept mail for unknown users of a local domain when an "@domain" alias exists'),
    trusted_networks: list([], 'client networks that may relay without authentication (none by default)'),
    require_tls_for_auth: bool(true, 'offer AUTH only after STARTTLS or on loopback'),
    bare_newline: str(
      'reject',
      'bare CR or LF in DATA, bare-LF command lines (RFC 5321 §2.3.8): reject = 550 5.5.2 (as Postfix smtpd_forbid_bare_newline = reject), normalize = take them as CRLF; only CRLF.CRLF ever ends DATA (SMTP smuggling)',
      ['reject', 'normalize'],
    ),
    terminal_delivery: bool(false, "RFC 821 §3.5 SEND, SOML and SAML: show a message on the recipient's open console terminals (SSH console) instead of, or besides, the mailbox; only after AUTH and for local recipients (RFC 5321 F.6: obsolete, servers MAY offer them)"),
    terminal_max_message: int(16_384, 'largest message SEND, SOML and SAML take, octets: it is shown on a terminal, not stored (a larger one is refused 552)', 256, 262_144),
  },
  submission: {
    ...service(587, 'mail submission (RFC 6409, STARTTLS + AUTH)'),
    send_as_any_domains: list([], 'domains whose users may send as any address of their own domain, in MAIL FROM and the From:/Sender: header, on ports 587 and 465 (shared mailboxes; otherwise only their own address and aliases leading to them, RFC 6409 §6.1; per user: septet user sendas)'),
  },

  relay: {
    enabled: bool(true, 'deliver queued mail for other domains (the relay worker)'),
    port: int(25, 'port of the remote MX hosts (tests run instances on other ports)', 1, 65535),
    helo_name: str('', 'name sent in EHLO/HELO (default: hostname)'),
    source_address: str('', 'local address outbound connections come from (default: the system chooses)'),
    retry_schedule: list(['30m', '2h'], 'waits between attempts after the first at once; the last repeats (RFC 5321 §4.5.4.1: at least 30 minutes, two tries in the first hour, then every 2-3 hours). Units s, m, h, d'),
    max_age: str('5d', 'give up and bounce after this long in the queue (RFC 5321 §4.5.4.1: at least 4-5 days)'),
    delay_notice_after: str('1d', 'send the sender one "delayed" notice (RFC 3464) after this long; "0" = never'),
    max_connections: int(50, 'simultaneous outbound connections in total', 1),
    max_connections_per_domain: int(5, 'simultaneous outbound connections per destination domain', 1),
    connect_timeout: int(30, 'seconds to wait for a TCP connection to a remote host', 1),
    command_timeout: int(300, 'seconds to wait for a reply (RFC 5321 §4.5.3.2: 5 minutes; 10 after the data)', 1),
    poll_interval: int(5, 'seconds between looks at the queue for entries whose retry time has come (new mail, queue retry and queue release are acted on at once regardless)', 1),
    require_tls_domains: list([], 'domains whose MX must offer STARTTLS with a certificate valid for the MX name (otherwise opportunistic TLS, unchecked)'),
    smart_host: str('', 'relay through this "host[:port]" instead of MX delivery (for all domains, or those in smart_host_domains)'),
    smart_host_domains: list([], 'when set, only these recipient domains go through smart_host'),
    smart_host_tls: str('starttls', 'TLS to the smart host: STARTTLS on its port, or implicit TLS (port 465)', ['starttls', 'implicit']),
    smart_host_user: str('', 'AUTH PLAIN/LOGIN user name at the smart host (only ever sent over TLS)'),
    smart_host_password: str('', 'AUTH password at the smart host'),
    max_reply_line: int(4096, 'longest reply line read from a remote host, octets (RFC 5321 §4.5.3.1.5: 512; lenient); longer is a protocol error', 512, 1_048_576),
    max_reply_lines: int(200, 'lines of one multi-line reply from a remote host (RFC 5321 §4.2.1 sets no bound; a server sending more is not an SMTP server)', 1, 100_000),
    report_max_header: int(262_144, 'largest part of the original message returned in a delivery report, octets: its header block (RFC 3461 §4.3 RET=HDRS, RFC 3462 text/rfc822-headers)', 1024),
    report_max_full: int(10_485_760, 'largest original message returned in a failure report with RET=FULL (RFC 3461 §4.3), octets; beyond it the report holds the start', 1024),
  },

  dns: {
    servers: list([], 'DNS servers for MX/A/AAAA lookups, "ip" or "ip:port" (default: the system resolver)'),
    timeout: int(5, 'seconds per DNS query before retrying or failing (temporary failure)', 1),
  },
  submissions: { ...service(465, 'mail submission over implicit TLS (RFC 8314)') },

  pop3: {
    ...service(110, 'POP3 (STLS)'),
    idle_timeout: int(600, 'seconds of inactivity before the session ends (RFC 1939 §3: at least 10 minutes)', 1),
    max_command_length: int(255, 'longest command line, octets including CRLF (RFC 2449 §4: at least 255)', 255, 65536),
    max_auth_line_length: int(2048, 'longest AUTH command or SASL response line, octets including CRLF (RFC 5034 §4: responses may be longer than commands)', 255, 65536),
    max_unknown_commands: int(5, 'unknown commands in a row before login after which the connection is closed', 1),
    exclusive_lock: bool(true, 'one session at a time holds a maildrop, others get -ERR [IN-USE] (RFC 1939 §8); false shares it, as Dovecot does by default'),
  },
  pop3s: { ...service(995, 'POP3 over implicit TLS') },

  ftp: {
    ...service(21, 'FTP (RFC 959, AUTH TLS per RFC 4217); data connections use passive_port_min..max or port 20 + offset'),
    passive_port_min: int(0, 'lowest passive data port (0 with passive_port_max 0 = any ephemeral port)', 0, 65535),
    passive_port_max: int(0, 'highest passive data port; a free port in the range is picked at random', 0, 65535),
    external_address: str('', 'IPv4 address announced in PASV replies behind NAT (default: the control connection\'s local address)'),
    require_ssl_reuse: bool(false, 'PROT P data connections must resume the control connection\'s TLS session (vsftpd require_ssl_reuse; python ftplib cannot)'),
    anonymous: bool(false, 'allow "anonymous"/"ftp" logins, read-only, in <data>/pub'),
    partial_uploads: str('keep', 'what happens to an upload whose data connection failed or was aborted', ['keep', 'delete']),
    idle_timeout: int(300, 'seconds without a command before the session ends (RFC 959 §5.4: 421)', 1),
    data_timeout: int(120, 'seconds to wait for a data connection, or for data on one', 1),
    max_login_failures: int(3, 'failed logins on one connection before it is closed (the authenticator also slows them down)', 1),
    max_command_length: int(4096, 'longest command line in octets (paths may be long, RFC 2640 UTF-8)', 512, 65536),
    quota_bytes: int(0, 'home folder quota for accounts without their own (0 = none)'),
    max_rate: int(0, 'octets per second per transfer (0 = unlimited)'),
    fsync: bool(false, 'fsync uploads before the 226 reply (vsftpd does not)'),
    transfer_log: str('', 'xferlog-style file, one line per transfer (default: through the logger)'),
    marker_interval: int(1_048_576, 'octets between restart markers in block and compressed modes (RFC 959 §3.5; 0 = none)'),
  },
  ftps: { ...service(990, 'FTP over implicit TLS (uses the [ftp] settings)') },

  imap: {
    ...service(143, 'IMAP (STARTTLS)'),
    idle_timeout: int(1800, 'seconds of inactivity before an authenticated session ends (RFC 3501 §5.4 / RFC 9051 §5.4: at least 30 minutes; also bounds IDLE)', 1800),
    login_timeout: int(60, 'seconds of inactivity before a session that has not logged in ends', 1),
    max_command_length: int(65536, 'longest command line, octets without CRLF (RFC 7162 §4 advises at least 8192)', 8192, 16 * 1024 * 1024),
    max_literal_size: int(52_428_800, 'largest APPEND literal, octets (refused before the "+" continuation: RFC 3501 §7.5, RFC 7888 §4)', 1024),
    max_command_literal_size: int(65536, 'largest literal in other commands (mailbox names, search strings), octets', 1024),
    max_literal_before_login: int(8192, 'largest literal before login (at most max_command_literal_size), octets: nobody unauthenticated makes the server read more (RFC 7888 §4 allows lower limits outside APPEND)', 1),
    command_size_factor: int(4, 'a command\'s lines and literals together may be this many times the larger of max_command_length and max_command_literal_size (RFC 7162 §4: bounded against denial of service)', 1, 1024),
    literal_discard_factor: int(4, 'a non-synchronizing literal over its limit is read and dropped up to this many times the limit, then the connection closes (RFC 7888 §4)', 1, 1024),
    header_read_limit: int(262144, 'FETCH and SEARCH read a message header on its own up to this many octets (RFC 5322 §2.1 sets no bound); a longer one goes through the full MIME parser', 1024),
    max_commands_before_login: int(30, 'commands allowed before login; then the connection is closed', 1),
    max_unknown_commands: int(3, 'unknown commands before login after which the connection is closed (cross-protocol attacks)', 1),
  },
  imaps: { ...service(993, 'IMAP over implicit TLS (RFC 8314)') },

  ssh: {
    ...service(22, 'SSH-2 (RFC 4251-4254): Septet\'s console as the shell, SFTP and SCP; no port forwarding, agent or X11'),
    max_auth_tries: int(6, 'authentication attempts (passwords, keyboard-interactive answers, key offers and signatures) refused on one connection before it is closed (OpenSSH MaxAuthTries counts the same way); only passwords and key signatures count toward the login throttle (auth.throttle_*)', 1, 100),
    max_sessions: int(10, 'session channels open at once on one connection (OpenSSH MaxSessions); more are refused (RFC 4254 §5.1 "administratively prohibited")', 1, 1000),
    idle_timeout: int(0, 'seconds without channel data or a new channel before an authenticated connection is closed; 0 = never (OpenSSH has none by default; keepalives find dead peers)', 0),
    keepalive_interval: int(15, 'seconds between keepalive requests to a quiet client (OpenSSH ClientAliveInterval); 0 = none', 0, 86_400),
    keepalive_count_max: int(3, 'keepalive requests without an answer before the connection is closed (OpenSSH ClientAliveCountMax)', 1, 100),
    legacy_ciphers: bool(false, 'also offer aes256-ctr and aes128-ctr with hmac-sha2-256/512 (RFC 4344, RFC 6668), after the AEAD ciphers, for clients that have no AES-GCM or chacha20-poly1305: libssh2 before 1.11, e.g. curl sftp:// on Debian 12; never CBC, SHA-1 or MD5'),
    native_crypto: bool(true, 'use ssh2\'s native OpenSSL binding for AES-GCM and chacha20-poly1305 when it is built (scripts/build-ssh-crypto.mjs, run by npm ci); false = its pure-JavaScript path (for measuring both); the log says at start which one runs'),
  },

  https: {
    ...service(443, 'HTTPS (RFC 2818; HTTP/2 by ALPN, RFC 9113, and HTTP/1.1, RFC 9112): the web console and webmail under /console/, the JSON API under /api/, static files from web.root elsewhere'),
  },

  http: {
    ...service(80, 'plain HTTP (RFC 9112): answers every request with a permanent redirect (308) to the same path on HTTPS, nothing else'),
  },

  web: {
    root: str('', 'folder of the static files served at / over HTTPS, absolute or relative to the data directory; empty = <data>/www; created at start'),
    hsts_max_age: int(31_536_000, 'seconds in the Strict-Transport-Security header (RFC 6797 §6.1.1); 0 = no header', 0),
    session_idle_timeout: int(3600, 'seconds a web console session lasts without a request before it must sign in again (sliding)', 60),
    session_max_age: int(604_800, 'seconds a web console session lasts at most from its sign-in, however busy', 300),
    login_rate: int(10, 'sign-in requests per minute from one client address (on top of the login throttle and bans of [auth]); more get 429', 1),
    api_rate: int(1200, 'API requests per minute from one client address; more get 429 (RFC 6585 §4)', 10),
    max_body: int(1_048_576, 'largest JSON request body, octets (413 beyond it)', 1024),
    max_upload: int(1_073_741_824, 'largest file uploaded through the files page, octets, within the account\'s quota (413 beyond it); streamed to disk', 1024),
    page_size: int(50, 'messages per page of the webmail list (the API allows up to 200)', 5, 200),
    access_log: bool(false, 'log every HTTP request (method, path, status, time) at info level'),
    request_timeout: int(300, 'seconds a whole HTTP/1.1 request may take to arrive (Node requestTimeout); uploads longer than this are cut', 10),
    headers_timeout: int(30, 'seconds the request line and header fields may take to arrive (Slowloris)', 5),
    keep_alive_timeout: int(75, 'seconds an idle HTTP/1.1 keep-alive or HTTP/2 connection stays open', 1),
    // webmail reading (list, read, search, live events)
    mail_max_text: int(2_097_152, 'octets of a text/plain or text/html body the webmail reads for display (the rest is cut, with a note; the whole part stays downloadable)', 1024),
    mail_max_inline_image: int(1_048_576, 'largest inline (cid:) image the webmail puts into the sanitised HTML, octets; larger ones are listed as attachments only', 0),
    mail_search_depth: int(10_000, 'newest messages of a folder one webmail search looks through (IMAP SEARCH has no such limit)', 100),
    mail_heartbeat: int(25, 'seconds between heartbeat comments on the webmail event stream (GET /api/mail/events), so proxies and clients see it alive', 5, 300),
  },

  console: {
    max_line: int(4096, "longest console command line, octets (a longer one is refused; the pty line editor stops inserting there)", 64, 65536),
    history: int(200, 'command lines the pty line editor keeps per session for Up/Down (not stored on disk)', 0, 10_000),
  },

  sftp: {
    max_packet_length: int(262_144, 'longest SFTP packet accepted, octets in its length field (draft-ietf-secsh-filexfer-02 §3 sets no bound; OpenSSH: SFTP_MAX_MSG_LENGTH, 256 KiB); advertised in limits@openssh.com', 34_000, 16_777_216),
    max_read_length: int(261_120, 'longest READ answered, octets (longer requests get shorter data, as OpenSSH does); advertised in limits@openssh.com so OpenSSH sftp uses requests this large; at most max_packet_length - 1024', 1024, 16_776_192),
    max_handles: int(256, 'open file and folder handles per SFTP session (advertised as max-open-handles)', 4, 65_536),
    max_in_flight: int(64, 'requests received and not yet answered before the session stops reading its channel; with max_packet_length it bounds a session\'s buffered requests (64 x 256 KiB = 16 MiB; OpenSSH\'s sftp keeps 64 in flight) (draft-02 §3: "if the server\'s queues are full, it should not read any more data")', 1, 4096),
    readdir_batch: int(100, 'names per READDIR reply', 1, 10_000),
  },

  tftp: {
    enabled: bool(true, 'run TFTP (RFC 1350, UDP; not in the listeners table, which is TCP)'),
    port: int(69, 'UDP port of TFTP requests, before --port-offset', 0, 65535),
    root: str('', 'folder served by TFTP, absolute or relative to the data directory; empty = <data>/tftp; created at start'),
    allow_read: bool(true, 'serve read requests (RRQ)'),
    allow_write: bool(false, 'accept write requests (WRQ); by default only to files that exist already'),
    create: bool(false, 'with allow_write: WRQ may create new files anywhere under the root (tftpd-hpa -c)'),
    upload_dir: str('', 'with allow_write: a folder under the root where WRQ may also create new files (created at start)'),
    overwrite: bool(true, 'with allow_write: WRQ may replace an existing file; false = ERROR 6 file already exists'),
    max_file_size: int(1_073_741_824, 'largest file a WRQ may write, octets (ERROR 3 beyond it; RFC 2349 tsize is checked up front)', 0),
    max_transfers: int(256, 'simultaneous transfers over all clients', 1),
    max_transfers_per_client: int(8, 'simultaneous transfers from one client address; more get ERROR 0', 1),
    port_range: str('', 'UDP ports for transfers, e.g. "50000-50100" (tftpd-hpa --port-range); empty = ephemeral ports'),
    timeout_ms: int(1000, 'first retransmission timeout in milliseconds, doubled on each retry up to 8x (RFC 2349 timeout, in seconds, replaces it)', 10, 255_000),
    retries: int(5, 'retransmissions of one packet before the transfer is abandoned', 1, 100),
    max_blksize: int(65464, 'largest block size granted (RFC 2348: 8 to 65464)', 512, 65464),
    max_windowsize: int(64, "largest window granted (RFC 7440 allows up to 65535; Septet at most 32768, half the block-number space, so ACKs stay unambiguous); each transfer buffers about 2 windows of blocks", 1, 32768),
    max_string: int(1024, 'longest filename, mode, option name or value, or error text read from a packet, octets (RFC 1350 §5 sets no bound; a request with a longer one is malformed, ERROR 4)', 16, 65464),
    max_options: int(32, 'option pairs read from one request or OACK (RFC 2347 sets no bound; the rest are ignored)', 1, 1000),
    max_held_requests: int(64, 'requests kept while the server starts (between binding and the privilege drop); beyond it they are dropped and the clients retransmit (RFC 1350 §2)', 1, 10_000),
  },
};

export type Schema = typeof schema;

/** The typed configuration built from the schema. */
export type ConfigOf<S> = {
  -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : ConfigOf<S[K]>;
};
export type Config = ConfigOf<Schema>;

/** The listening services and how they speak TLS; the port table of the README. */
export const listeners = {
  smtp: { section: 'smtp', tls: 'starttls', protocol: 'smtp', mode: 'mta' },
  submission: { section: 'submission', tls: 'starttls', protocol: 'smtp', mode: 'submission' },
  submissions: { section: 'submissions', tls: 'implicit', protocol: 'smtp', mode: 'submission' },
  pop3: { section: 'pop3', tls: 'starttls', protocol: 'pop3', mode: 'pop3' },
  pop3s: { section: 'pop3s', tls: 'implicit', protocol: 'pop3', mode: 'pop3' },
  ftp: { section: 'ftp', tls: 'starttls', protocol: 'ftp', mode: 'ftp' },
  ftps: { section: 'ftps', tls: 'implicit', protocol: 'ftp', mode: 'ftp' },
  imap: { section: 'imap', tls: 'starttls', protocol: 'imap', mode: 'imap' },
  imaps: { section: 'imaps', tls: 'implicit', protocol: 'imap', mode: 'imap' },
  // SSH has its own transport protection (RFC 4253): no TLS on this port.
  ssh: { section: 'ssh', tls: 'none', protocol: 'ssh', mode: 'ssh' },
  https: { section: 'https', tls: 'implicit', protocol: 'http', mode: 'https' },
  // Port 80 carries no TLS and serves nothing but the redirect to HTTPS (src/web/server.ts).
  http: { section: 'http', tls: 'none', protocol: 'http', mode: 'redirect' },
} as const;
export type ListenerName = keyof typeof listeners;
