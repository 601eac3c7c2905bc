// The one failure type of the administration operations shared by the command line
// (src/cli/) and the console (src/console/): each caller maps it to its own output
// (an exit status and "septet: ..." on stderr; a console message).

export type AdminErrorCode = 'usage' | 'not-found' | 'exists' | 'refused';

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.name = 'AdminError';
    this.code = code;
  }
}
