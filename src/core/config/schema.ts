// Every setting of Septet with its default, in one place. Each limit names the RFC
// it comes from. The TOML file mirrors this structure: a top-level key, or a key
// under a [section]; anything not in the schema is refused at start-up by name.

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
  proxy_protocol: bool(false, 'expect a PROXY protocol v1/v2 header on every connection (HAProxy)'),
});

export const schema = {
  hostname: str('', 'host name used in greetings, Received headers and the certificate (default: the system host name)'),
  data: str('./data', 'data directory (also --data and SEPTET_DATA)'),
  listen: list([], 'addresses to bind (default: all IPv4 and IPv6 addresses)'),
  port_offset: int(-1, 'added to every port; -1 = 0 when ports below 1024 can be bound, 10000 otherwise', -1, 60000),
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
  },

  limits: {
    max_connections: int(2000, 'simultaneous connections over all services', 1),
    max_connections_per_ip: int(50, 'simultaneous connections from one client address over all services', 1),
  },

  auth: {
    allow_plaintext: bool(false, 'allow passwords over unencrypted connections from non-loopback addresses (RFC 2595 §9 advises against)'),
    scrypt_cost: int(16384, 'scrypt N for new password hashes (a power of two)', 1024, 1 << 20),
    throttle_free_failures: int(3, 'failed logins per client address or account before each further attempt is delayed', 0),
    throttle_max_delay_ms: int(15000, 'longest delay of a login attempt after repeated failures', 0),
  },

  store: {
    backend: str('sqlite', 'storage backend', ['sqlite']),
    fsync: bool(true, 'fsync message bodies and metadata before acknowledging (off only for benchmarks)'),
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
  },
  submission: { ...service(587, 'mail submission (RFC 6409, STARTTLS + AUTH)') },
  submissions: { ...service(465, 'mail submission over implicit TLS (RFC 8314)') },

  pop3: {
    ...service(110, 'POP3 (STLS)'),
    idle_timeout: int(600, 'seconds of inactivity before the session ends (RFC 1939 §3: at least 10 minutes)', 1),
    max_command_length: int(255, 'longest command line, octets including CRLF (RFC 2449 §4: at least 255)', 255, 65536),
    max_auth_line_length: int(2048, 'longest AUTH command or SASL response line, octets including CRLF (RFC 5034 §4: responses may be longer than commands)', 255, 65536),
    max_unknown_commands: int(5, 'unknown commands in a row before login after which the connection is closed', 1),
  },
  pop3s: { ...service(995, 'POP3 over implicit TLS') },
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
} as const;
export type ListenerName = keyof typeof listeners;
