// How message metadata crosses from the SQLite worker to the main thread. Structured
// cloning 100,000 MessageMeta objects (each with a Date and an array) costs seconds;
// one JSON string of tuples, built by SQLite itself (json_group_array) or by
// packMessages(), is copied in milliseconds and parsed on the main thread in one pass.

import type { MessageMeta } from '../types.ts';

/** A list of messages as one JSON array of [id, mailboxId, uid, size, flags, internalDate ms, blobId, modseq]. */
export interface PackedMessages {
  json: string;
}

type MessageTuple = [number, number, number, number, string[], number, string, number];

/** The SQL aggregate that packs the selected rows (select them ordered by uid in a subquery). */
export const PACK_MESSAGES_SQL =
  "COALESCE(json_group_array(json_array(id, mailbox_id, uid, size, json(flags), internal_date, blob_id, modseq)), '[]')";

export function packMessages(messages: readonly MessageMeta[]): PackedMessages {
  const tuples: MessageTuple[] = messages.map((m) => [m.id, m.mailboxId, m.uid, m.size, m.flags, m.internalDate.getTime(), m.blobId, m.modseq]);
  return { json: JSON.stringify(tuples) };
}

/** Back to MessageMeta objects, ascending by UID (re-sorted if SQLite ever returned another order). */
export function unpackMessages(packed: PackedMessages): MessageMeta[] {
  const tuples = JSON.parse(packed.json) as MessageTuple[];
  const out = new Array<MessageMeta>(tuples.length);
  let ascending = true;
  for (let i = 0; i < tuples.length; i++) {
    const [id, mailboxId, uid, size, flags, internalDate, blobId, modseq] = tuples[i]!;
    out[i] = { id, mailboxId, uid, size, flags, internalDate: new Date(internalDate), blobId, modseq };
    if (i > 0 && out[i - 1]!.uid >= uid) ascending = false;
  }
  return ascending ? out : out.sort((a, b) => a.uid - b.uid);
}
