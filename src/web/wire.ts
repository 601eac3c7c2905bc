// The limits and fixed shapes of the web transport in one place: what ALPN offers, the
// timeouts of a connection, body sizes. Everything configurable comes from [web] in
// src/core/config/schema.ts.

import type { Config } from '../core/config/schema.ts';

/** RFC 7301: HTTP/2 preferred (RFC 9113 §3.2), HTTP/1.1 for the rest. */
export const ALPN_PROTOCOLS = ['h2', 'http/1.1'];

export interface WebLimits {
  /** Largest JSON body, octets. */
  maxBody: number;
  /** Largest uploaded file, octets. */
  maxUpload: number;
  pageSize: number;
  maxPageSize: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Longest URL path parameter (Fastify maxParamLength). */
  maxParamLength: number;
}

export function webLimits(config: Config): WebLimits {
  const w = config.web;
  return {
    maxBody: w.max_body,
    maxUpload: w.max_upload,
    pageSize: w.page_size,
    maxPageSize: 200,
    headersTimeoutMs: w.headers_timeout * 1000,
    requestTimeoutMs: w.request_timeout * 1000,
    keepAliveTimeoutMs: w.keep_alive_timeout * 1000,
    maxParamLength: 1024,
  };
}

/** The HTTPS port clients are sent to (standard 443 plus the offset; omitted from URLs when 443). */
export function httpsPort(config: Config, portOffset: number): number {
  return config.https.port + portOffset;
}
