// Counters and gauges of this process, named as Prometheus names them (issue 15 serves
// them at /metrics): `septet_<what>_<unit>[_total]`, labels for the listener, service or
// path. The protocol code touches them through the one-line hooks of hooks.ts; each
// process writes its snapshot to the data directory (status-files.ts), and the web
// console's status page sums the live processes' files.

export type Labels = Readonly<Record<string, string>>;
export type MetricKind = 'counter' | 'gauge';

export interface MetricSample {
  name: string;
  labels: Labels;
  value: number;
}

/** Labels in a stable order, as one key. */
function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

export class MetricFamily {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(name: string, kind: MetricKind, help: string) {
    this.name = name;
    this.kind = kind;
    this.help = help;
  }

  /** Adds `amount` (a counter only ever grows: negative amounts are ignored). */
  add(labels: Labels, amount = 1): void {
    if (!Number.isFinite(amount) || amount === 0) return;
    if (this.kind === 'counter' && amount < 0) return;
    const key = labelKey(labels);
    const entry = this.series.get(key);
    if (entry) entry.value += amount;
    else this.series.set(key, { labels: { ...labels }, value: amount });
  }

  samples(): MetricSample[] {
    return [...this.series.values()].map(({ labels, value }) => ({ name: this.name, labels, value }));
  }

  /** Tests only. */
  reset(): void {
    this.series.clear();
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, MetricFamily>();
  private readonly collectors: (() => MetricSample[])[] = [];

  private define(name: string, kind: MetricKind, help: string): MetricFamily {
    if (this.families.has(name)) throw new Error(`metric ${name} defined twice`);
    const family = new MetricFamily(name, kind, help);
    this.families.set(name, family);
    return family;
  }
  counter(name: string, help: string): MetricFamily {
    return this.define(name, 'counter', help);
  }
  gauge(name: string, help: string): MetricFamily {
    return this.define(name, 'gauge', help);
  }

  list(): MetricFamily[] {
    return [...this.families.values()];
  }

  /** Figures read at snapshot time rather than counted (the octets of connections still open), added to the counted ones. */
  addCollector(collect: () => MetricSample[]): void {
    this.collectors.push(collect);
  }

  snapshot(): MetricSample[] {
    return sumSamples([this.list().flatMap((f) => f.samples()), ...this.collectors.map((c) => c())]);
  }
}

/** The process's registry and its metrics. */
export const metrics = new MetricsRegistry();

export const sessionsOpen = metrics.gauge('septet_sessions_open', 'sessions being served now, per listener (label listener)');
export const sessionsTotal = metrics.counter('septet_sessions_total', 'sessions served since start, per listener (label listener)');
export const connectionOctets = metrics.counter('septet_connection_octets_total', 'octets over the sockets of a listener, open connections included (labels listener, direction in|out)');
export const messagesAccepted = metrics.counter('septet_messages_accepted_total', 'messages accepted for delivery: SMTP, submission, web, sendmail and reports (label via)');
export const messagesDelivered = metrics.counter('septet_messages_delivered_total', 'copies delivered: to local mailboxes, or relayed recipients accepted by the remote host (label path local|relay)');
export const transferOctets = metrics.counter('septet_transfer_octets_total', 'file transfer octets (labels service ftp|sftp|scp|tftp, direction upload|download)');

/** Adds samples of the same name and labels (several processes' snapshots). */
export function sumSamples(lists: readonly (readonly MetricSample[])[]): MetricSample[] {
  const sums = new Map<string, MetricSample>();
  for (const list of lists) {
    for (const s of list) {
      const key = `${s.name}{${labelKey(s.labels)}}`;
      const entry = sums.get(key);
      if (entry) entry.value += s.value;
      else sums.set(key, { name: s.name, labels: { ...s.labels }, value: s.value });
    }
  }
  return [...sums.values()];
}
