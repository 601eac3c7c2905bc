// What flows between the layers of a transfer (RFC 959 §3.4): the representation and
// structure layer turns file bytes into data, end-of-record and end-of-file events,
// and the transmission mode turns events into the bytes on the data connection. The
// receiving side runs the same layers in reverse.

export type DataEvent =
  | { kind: 'data'; bytes: Buffer }
  /** RFC 959 §3.1.2: end of record (record structure only). */
  | { kind: 'eor' }
  /** RFC 959 §3.4: end of file. */
  | { kind: 'eof' }
  /** RFC 959 §3.5: a restart marker (block and compressed modes). */
  | { kind: 'mark'; marker: string };

/** RFC 959 §3.1.1 representation types (L is only accepted with byte size 8). */
export type RepresentationType = 'A' | 'E' | 'I' | 'L';
/** RFC 959 §3.1.1.5 format controls for A and E. */
export type FormatControl = 'N' | 'T' | 'C';
/** RFC 959 §3.1.2 structures (P is refused, RFC 1123 §4.1.2.3). */
export type FileStructure = 'F' | 'R';
/** RFC 959 §3.4 transmission modes. */
export type TransferMode = 'S' | 'B' | 'C';

export interface TransferParams {
  type: RepresentationType;
  form: FormatControl;
  structure: FileStructure;
  mode: TransferMode;
}

export const DEFAULT_PARAMS: TransferParams = { type: 'A', form: 'N', structure: 'F', mode: 'S' };

/** A transfer's bytes ended without the end-of-file its mode requires. */
export class TruncatedTransferError extends Error {
  constructor(message = 'the data connection closed before end of file') {
    super(message);
    this.name = 'TruncatedTransferError';
  }
}

/** The data connection carried bytes that break the mode's encoding. */
export class DataFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFormatError';
  }
}

/** Whether a transfer is the plain byte copy that needs no codec at all. */
export function isPlainCopy(p: TransferParams): boolean {
  return p.mode === 'S' && p.structure === 'F' && (p.type === 'I' || p.type === 'L');
}

/** RFC 959 §3.4.3: the filler byte of compressed mode depends on the type. */
export function fillerByte(type: RepresentationType): number {
  if (type === 'A') return 0x20;
  if (type === 'E') return 0x40;
  return 0x00;
}
