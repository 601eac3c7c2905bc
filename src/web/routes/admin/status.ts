// Live service status and recent log lines of the whole server: every process (the
// workers of src/startup/workers/ each count their own sessions) writes its counters
// and log ring to <data>/run/status/ (src/core/metrics/status-files.ts); these routes
// sum the files of the processes that run.

import { listeners, type ListenerName } from '../../../core/config/schema.ts';
import type { MetricSample } from '../../../core/metrics/registry.ts';
import { readRecentLogs, readServerStatus, statusFolder } from '../../../core/metrics/status-files.ts';
import type { RouteGroup } from '../types.ts';

const admin = { access: 'admin' } as const;
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' } };

/** pino's level numbers. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
const levelName = (n: number): string => (Object.entries(LOG_LEVELS).find(([, v]) => v === n)?.[0] ?? String(n));
/** Fields every line has; the rest are shown as the line's details. */
const STANDARD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'worker', 'service', 'v']);

function total(samples: readonly MetricSample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

const counter = { type: 'integer' } as const;
const statusReply = {
  type: 'object',
  required: ['at', 'processes', 'listeners', 'sessions', 'messages', 'transfer'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    processes: { type: 'array', items: { type: 'object', properties: { pid: counter, worker: { type: ['integer', 'null'] }, startedAt: { type: 'string' }, writtenAt: { type: 'string' } } } },
    listeners: {
      type: 'array',
      items: { type: 'object', required: ['name', 'protocol', 'transport', 'port', 'tls', 'open', 'total'], properties: { name: { type: 'string' }, protocol: { type: 'string' }, transport: { type: 'string' }, port: counter, tls: { type: 'string' }, open: counter, total: counter } },
    },
    sessions: { type: 'object', description: 'open sessions per protocol', additionalProperties: counter },
    messages: { type: 'object', required: ['accepted', 'deliveredLocal', 'relayed'], properties: { accepted: counter, deliveredLocal: counter, relayed: counter } },
    transfer: {
      type: 'object',
      description: 'octets per service: files up/down (FTP, SFTP, SCP, TFTP), socket in/out (HTTPS)',
      additionalProperties: { type: 'object', properties: { in: counter, out: counter } },
    },
    samples: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } }, value: { type: 'number' } } } },
  },
} as const;

export const statusRoutes: RouteGroup = {
  name: 'admin-status',
  register(app, { deps }) {
    const folder = statusFolder(deps.dataDir);
    const { config, portOffset } = deps;

    app.get('/api/admin/status', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Listeners, open sessions, messages and transfer volume of the whole server', response: { 200: statusReply, ...errors } },
    }, async () => {
      const { processes, samples } = await readServerStatus(folder);
      const tcp = (Object.entries(listeners) as [ListenerName, (typeof listeners)[ListenerName]][])
        .filter(([, spec]) => config[spec.section].enabled)
        .map(([name, spec]) => ({
          name,
          protocol: spec.protocol,
          transport: 'tcp',
          port: config[spec.section].port === 0 ? 0 : config[spec.section].port + portOffset,
          tls: spec.tls,
          open: total(samples, 'septet_sessions_open', { listener: name }),
          total: total(samples, 'septet_sessions_total', { listener: name }),
        }));
      const udp = config.tftp.enabled ? [{ name: 'tftp', protocol: 'tftp', transport: 'udp', port: config.tftp.port === 0 ? 0 : config.tftp.port + portOffset, tls: 'none', open: 0, total: 0 }] : [];
      const sessions: Record<string, number> = {};
      for (const l of tcp) sessions[l.protocol] = (sessions[l.protocol] ?? 0) + l.open;
      const files = (service: string) => ({ in: total(samples, 'septet_transfer_octets_total', { service, direction: 'upload' }), out: total(samples, 'septet_transfer_octets_total', { service, direction: 'download' }) });
      return {
        at: new Date().toISOString(),
        processes,
        listeners: [...tcp, ...udp],
        sessions,
        messages: {
          accepted: total(samples, 'septet_messages_accepted_total'),
          deliveredLocal: total(samples, 'septet_messages_delivered_total', { path: 'local' }),
          relayed: total(samples, 'septet_messages_delivered_total', { path: 'relay' }),
        },
        transfer: {
          ftp: files('ftp'),
          sftp: files('sftp'),
          scp: files('scp'),
          tftp: files('tftp'),
          https: { in: total(samples, 'septet_connection_octets_total', { listener: 'https', direction: 'in' }), out: total(samples, 'septet_connection_octets_total', { listener: 'https', direction: 'out' }) },
        },
        samples,
      };
    });

    app.get('/api/admin/logs', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Recent log lines of every process, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { level: { type: 'string', enum: Object.keys(LOG_LEVELS), default: 'info' }, limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['lines'],
            properties: {
              lines: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['time', 'level', 'msg', 'pid', 'details'],
                  properties: { time: { type: 'string', format: 'date-time' }, level: { type: 'string' }, msg: { type: 'string' }, pid: counter, worker: { type: ['integer', 'null'] }, service: { type: ['string', 'null'] }, details: { type: 'string', description: 'the other fields, as JSON' } },
                },
              },
            },
          },
          ...errors,
        },
      },
    }, async (request) => {
      const { level, limit } = request.query as { level: keyof typeof LOG_LEVELS; limit: number };
      const lines = await readRecentLogs(folder, { minLevel: LOG_LEVELS[level], limit });
      return {
        lines: lines.map((l) => ({
          time: new Date(l.time).toISOString(),
          level: levelName(l.level),
          msg: l.msg,
          pid: l.pid,
          worker: l.worker,
          service: typeof l.fields.service === 'string' ? l.fields.service : null,
          details: JSON.stringify(Object.fromEntries(Object.entries(l.fields).filter(([k]) => !STANDARD_FIELDS.has(k)))),
        })),
      };
    });
  },
};
