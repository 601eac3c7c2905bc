// The one failure the key parsers raise: a key, or a file of keys, that Septet does not
// accept, with a message fit to show the user (the CLI and the console print it as is).

export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFormatError';
  }
}
