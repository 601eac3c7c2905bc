// The one place where a failure becomes an HTTP reply: WebError from the routes, and
// the typed failures of the layers below (store, administration, submission, jail,
// quota, key formats), Fastify's own (validation, body size, content type) and its
// plugins' (CSRF, rate limit). Anything else is a 500 with a log line and no detail
// for the client.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../core/admin/errors.ts';
import { KeyFormatError } from '../core/keys/errors.ts';
import { StoreError } from '../core/store/types.ts';
import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import { DeliveryError } from '../mail/deliver.ts';
import { SubmitError } from '../mail/submit.ts';
import { statusOf, texts, WebError, type ErrorBody, type WebErrorCode } from './replies.ts';

/** The code and message a failure is answered with. */
export function toWebError(error: unknown): WebError {
  if (error instanceof WebError) return error;
  if (error instanceof AdminError) {
    const code: Record<AdminError['code'], WebErrorCode> = { usage: 'bad-request', 'not-found': 'not-found', exists: 'conflict', refused: 'refused' };
    return new WebError(code[error.code], error.message);
  }
  if (error instanceof StoreError) {
    if (error.code === 'not-found') return new WebError('not-found', error.message);
    if (error.code === 'exists') return new WebError('conflict', error.message);
    if (error.code === 'quota') return new WebError('quota', error.message);
    if (error.code === 'locked') return new WebError('conflict', error.message);
    return new WebError('bad-request', error.message);
  }
  if (error instanceof SubmitError) return new WebError(error.reason === 'size' ? 'too-large' : 'refused', error.message);
  if (error instanceof DeliveryError) return new WebError(error.reason === 'store' ? 'unavailable' : 'quota', error.reason === 'store' ? 'The message could not be stored; try again' : error.message);
  if (error instanceof KeyFormatError) return new WebError('bad-request', error.message);
  if (error instanceof JailError) return new WebError(error.reason === 'not-found' ? 'not-found' : 'forbidden', error.message);
  if (error instanceof QuotaExceededError) return new WebError('quota', error.message);
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation) return new WebError('bad-request', fastify.message ?? 'invalid request');
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new WebError('too-large', fastify.message ?? 'request too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WebError('unsupported-type', fastify.message ?? 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new WebError('bad-request', fastify.message ?? 'bad request body');
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new WebError('csrf', texts.csrf);
  }
  if (fastify.statusCode === 416) return new WebError('range', 'Range Not Satisfiable');
  if (fastify.statusCode === 429) return new WebError('rate-limited', texts.rateLimited);
  if (fastify.statusCode === 404) return new WebError('not-found', fastify.message ?? 'not found');
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) return new WebError('bad-request', fastify.message ?? 'bad request');
  return new WebError('internal', 'Internal error');
}

/** Fastify's error handler: one JSON shape for every failure. */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const web = toWebError(error);
  if (web.code === 'internal') request.log.error({ err: error, url: request.url }, 'request failed');
  else request.log.debug({ code: web.code, url: request.url, msg: web.message }, 'request refused');
  const body: ErrorBody = { error: web.code, message: web.message };
  if (reply.sent) return;
  if (web.code === 'rate-limited') reply.header('Retry-After', '60');
  void reply.code(statusOf[web.code]).type('application/json; charset=utf-8').send(body);
}
