// Every failure the API answers with: a status and a stable code the pages switch on
// (the JSON body is { error, message }). Routes throw WebError; src/web/dispatch.ts maps
// it, and every other typed failure of the layers below, to a reply in one place.

export type WebErrorCode =
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-type'
  | 'range'
  | 'rate-limited'
  | 'csrf'
  | 'quota'
  | 'refused'
  | 'unavailable'
  | 'internal';

export const statusOf: Readonly<Record<WebErrorCode, number>> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-type': 415,
  range: 416,
  'rate-limited': 429,
  csrf: 403,
  quota: 507,
  refused: 422,
  unavailable: 503,
  internal: 500,
};

export class WebError extends Error {
  readonly code: WebErrorCode;
  constructor(code: WebErrorCode, message: string) {
    super(message);
    this.name = 'WebError';
    this.code = code;
  }
  get status(): number {
    return statusOf[this.code];
  }
}

/** The JSON body of every failure; also the OpenAPI schema of error responses. */
export interface ErrorBody {
  error: WebErrorCode;
  message: string;
}

export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Texts said the same way wherever they apply. */
export const texts = {
  signIn: 'Sign in first',
  adminOnly: 'Only administrators may do this',
  badLogin: 'Wrong address or password',
  csrf: 'Missing or wrong CSRF token; reload the page',
  crossSite: 'Cross-site requests are refused',
  rateLimited: 'Too many requests, try again later',
} as const;
