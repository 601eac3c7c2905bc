// Requests of another protocol on one of ours: a browser, an HTTP proxy or a form that
// posts to a mail or file port (the cross-protocol attacks of the ALPACA paper, and
// "HTTP form to port 25" spam). The first word of an HTTP/1.x request line (RFC 9110 §9)
// is enough to know that nothing useful follows, so every service closes at once.

const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Whether the first word of a command line is an HTTP method (case-insensitive). */
export function isHttpMethod(word: string): boolean {
  return HTTP_METHODS.has(word.toUpperCase());
}
