// Reads a part's Content-* fields (RFC 2045 §5-§8, RFC 2183, RFC 3282, RFC 2557,
// RFC 1864) into the MimePart shape, with the RFC 2045/2046 defaults applied.

import type { HeaderField } from './header.ts';
import { findField } from './header.ts';
import { parseContentDisposition, parseContentType, parseLanguageList, parseSingleToken } from './mime-params.ts';
import type { MimePart } from './part.ts';
import { paramValue } from './part.ts';

/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters; Dovecot keeps 80 and so do we. */
export const BOUNDARY_MAX = 80;

export type PartFields = Pick<
  MimePart,
  | 'type' | 'subtype' | 'mediaType' | 'params' | 'rawParams' | 'charset' | 'boundary'
  | 'id' | 'description' | 'encoding' | 'md5' | 'disposition' | 'language' | 'location'
>;

/**
 * `inDigest`: the part is a child of multipart/digest, whose default type is
 * message/rfc822 (RFC 2046 §5.1.5); elsewhere the default is text/plain;
 * charset=us-ascii (RFC 2045 §5.2), also for a Content-Type that cannot be read.
 */
export function readPartFields(header: readonly HeaderField[], inDigest: boolean): PartFields {
  const ctField = findField(header, 'content-type');
  const ct = ctField === undefined ? null : parseContentType(ctField.value);
  let type: string;
  let subtype: string;
  let params = ct?.params ?? [];
  let rawParams = ct?.rawParams ?? [];
  if (ct !== null) {
    type = ct.type;
    subtype = ct.subtype;
  } else if (inDigest && ctField === undefined) {
    type = 'message';
    subtype = 'rfc822';
  } else {
    type = 'text';
    subtype = 'plain';
    params = [];
    rawParams = [];
  }
  const mediaType = `${type}/${subtype}`.toLowerCase();
  const isText = mediaType.startsWith('text/');
  const charset = paramValue(params, 'charset') ?? (isText ? 'us-ascii' : null);
  let boundary = mediaType.startsWith('multipart/') ? paramValue(params, 'boundary') : null;
  if (boundary !== null) boundary = boundary.slice(0, BOUNDARY_MAX);
  if (boundary === '') boundary = null;

  const dispositionField = findField(header, 'content-disposition');
  const disposition = dispositionField === undefined ? null : parseContentDisposition(dispositionField.value);
  const languageField = findField(header, 'content-language');
  const language = languageField === undefined ? null : parseLanguageList(languageField.value);
  const encodingField = findField(header, 'content-transfer-encoding');
  return {
    type,
    subtype,
    mediaType,
    params,
    rawParams,
    charset,
    boundary,
    id: simpleValue(header, 'content-id'),
    description: simpleValue(header, 'content-description'),
    encoding: encodingField === undefined ? null : parseSingleToken(encodingField.value),
    md5: simpleValue(header, 'content-md5'),
    disposition,
    language: language === null || language.length === 0 ? null : language,
    location: simpleValue(header, 'content-location'),
  };
}

function simpleValue(header: readonly HeaderField[], name: string): string | null {
  const field = findField(header, name);
  if (field === undefined) return null;
  const value = field.value.trim();
  return value === '' ? null : value;
}
