// The files page's API: the signed-in account's home folder, the one FTP, SFTP and SCP
// serve (src/files/file-area.ts: the same jail, the same quota tracker, the same
// transfer log with service "https"). List, download (ranges, always as an attachment
// of type application/octet-stream, so nothing uploaded is ever shown as a page of this
// origin), upload (multipart/form-data, streamed: src/web/files/upload.ts), new folder,
// rename or move within the home, delete a file, a link or an empty folder. A folder
// that is not empty is refused (409), as FTP RMD and SFTP RMDIR refuse it: deleting a
// whole tree is one click too easy to get wrong, and the page says to empty it first.

import { constants } from 'node:fs';
import { lstat, mkdir, opendir, rename, rmdir, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { signedIn } from '../access.ts';
import { openAccountFiles, type FileArea } from '../../files/file-area.ts';
import { folderMode } from '../../files/modes.ts';
import { TransferLog, type TransferRecord } from '../../files/transfer-log.ts';
import { attachmentDisposition, byteRange } from '../files/download.ts';
import { checkNewName, entryPath, existingPath, onDisk, openInHome, PATH_MAX, syncFolder, UPLOAD_PREFIX } from '../files/paths.ts';
import { storeUpload, type StoredUpload } from '../files/upload.ts';
import { WebError } from '../replies.ts';
import { clientAddress } from '../session.ts';
import type { RouteGroup } from './types.ts';

/** Entries a listing returns at most (the rest is said to be there: `truncated`). */
export const LIST_MAX = 5000;

const pathString = { type: 'string', maxLength: PATH_MAX, description: 'a path in the home folder, "/" its top' } as const;
const pathQuery = { type: 'object', required: ['path'], additionalProperties: false, properties: { path: pathString } } as const;
const errors = { 400: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } } as const;

const entrySchema = {
  type: 'object',
  required: ['name', 'type', 'size', 'modified'],
  properties: {
    name: { type: 'string' },
    type: { type: 'string', enum: ['file', 'folder', 'link', 'other'] },
    size: { type: 'integer' },
    modified: { type: 'string', format: 'date-time' },
  },
} as const;

const listReply = {
  type: 'object',
  required: ['path', 'entries', 'truncated', 'quota'],
  properties: {
    path: { type: 'string' },
    entries: { type: 'array', items: entrySchema },
    truncated: { type: 'boolean' },
    quota: { type: 'object', required: ['used', 'limit'], properties: { used: { type: 'integer' }, limit: { type: ['integer', 'null'] } } },
  },
} as const;

type EntryType = 'file' | 'folder' | 'link' | 'other';
const typeOf = (st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType =>
  st.isFile() ? 'file' : st.isDirectory() ? 'folder' : st.isSymbolicLink() ? 'link' : 'other';

/**
 * busboy's own parse failures (a body cut off in the middle, a broken boundary) are
 * plain Errors without a code: the client's fault, a 400, not a 500.
 */
function malformedUpload(error: unknown): WebError | null {
  if (!(error instanceof Error) || 'code' in error || 'statusCode' in error || error.name !== 'Error') return null;
  return /multipart|part terminated|boundary|end of form/i.test(error.message) ? new WebError('bad-request', `the upload is cut off or malformed: ${error.message}`) : null;
}

export const fileRoutes: RouteGroup = {
  name: 'files',
  register(app, { deps, limits }) {
    const transfers = new TransferLog(deps.log, deps.config.ftp.transfer_log);
    app.addHook('onClose', async () => transfers.close());
    const areaOf = (request: FastifyRequest): Promise<FileArea> => openAccountFiles(deps.dataDir, signedIn(request).account, deps.config.ftp.quota_bytes);
    const record = (request: FastifyRequest, r: Omit<TransferRecord, 'service' | 'user' | 'remote'>) =>
      transfers.record({ service: 'https', user: signedIn(request).account.address, remote: clientAddress(request), ...r });

    app.get('/api/files', {
      schema: { tags: ['files'], summary: 'List a folder of the home', querystring: pathQuery, response: { 200: listReply, ...errors } },
    }, async (request) => {
      const { path } = request.query as { path: string };
      const area = await areaOf(request);
      const folder = await existingPath(area.jail, path);
      return onDisk(folder.virtual, async () => {
        const dir = await opendir(folder.real);
        const entries: { name: string; type: EntryType; size: number; modified: string }[] = [];
        let truncated = false;
        for await (const dirent of dir) {
          if (dirent.name.startsWith(UPLOAD_PREFIX)) continue;
          if (entries.length >= LIST_MAX) {
            truncated = true;
            break;
          }
          const st = await lstat(posix.join(folder.real, dirent.name)).catch(() => null);
          if (!st) continue;
          entries.push({ name: dirent.name, type: typeOf(st), size: st.isFile() ? st.size : 0, modified: st.mtime.toISOString() });
        }
        entries.sort((a, b) => Number(b.type === 'folder') - Number(a.type === 'folder') || a.name.localeCompare(b.name));
        return { path: folder.virtual, entries, truncated, quota: { used: area.quota.usedBytes, limit: area.quota.limit } };
      });
    });

    app.get('/api/files/content', {
      config: { compress: false },
      schema: { tags: ['files'], summary: 'Download a file (as an attachment; one byte range allowed)', querystring: pathQuery, produces: ['application/octet-stream'] },
    }, async (request, reply) => {
      const { path } = request.query as { path: string };
      const started = Date.now();
      const area = await areaOf(request);
      const file = await existingPath(area.jail, path);
      const handle = await onDisk(file.virtual, () => openInHome(area.jail, file.real, constants.O_RDONLY | constants.O_NONBLOCK));
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw new WebError('bad-request', `${file.virtual} is not a file`);
        const lastModified = st.mtime.toUTCString();
        // RFC 9110 §13.1.5: a range only while the file is the one the client has part of.
        const ifRange = request.headers['if-range'];
        const range = byteRange(ifRange === undefined || ifRange === lastModified ? request.headers.range : undefined, st.size);
        reply
          .header('Content-Type', 'application/octet-stream')
          .header('Content-Disposition', attachmentDisposition(posix.basename(file.virtual)))
          .header('X-Content-Type-Options', 'nosniff')
          .header('Cache-Control', 'private, no-store')
          .header('Accept-Ranges', 'bytes')
          .header('Last-Modified', lastModified);
        if (range.kind === 'unsatisfiable') {
          await handle.close();
          return reply.code(416).header('Content-Range', `bytes */${st.size}`).send();
        }
        const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, st.size - 1];
        if (range.kind === 'partial') reply.code(206).header('Content-Range', `bytes ${start}-${end}/${st.size}`);
        reply.header('Content-Length', String(Math.max(0, end - start + 1)));
        if (request.method === 'HEAD' || st.size === 0) {
          await handle.close();
          // An empty stream: Fastify's HEAD handler keeps the Content-Length of a stream, not of an empty body.
          return reply.send(Readable.from([]));
        }
        const stream = handle.createReadStream({ start, end, autoClose: true });
        stream.on('close', () => record(request, { direction: 'download', path: file.virtual, bytes: stream.bytesRead, durationMs: Date.now() - started, result: stream.bytesRead === end - start + 1 ? 'ok' : 'aborted' }));
        return reply.send(stream);
      } catch (error) {
        await handle.close().catch(() => {});
        throw error;
      }
    });

    app.post('/api/files/upload', {
      schema: {
        tags: ['files'],
        summary: 'Upload files into a folder (multipart/form-data; each file part is stored under its filename)',
        consumes: ['multipart/form-data'],
        querystring: pathQuery,
        response: { 201: { type: 'object', required: ['uploaded'], properties: { uploaded: { type: 'array', items: { type: 'object', required: ['name', 'size', 'replaced'], properties: { name: { type: 'string' }, size: { type: 'integer' }, replaced: { type: 'boolean' } } } } } }, ...errors },
      },
    }, async (request, reply) => {
      const { path } = request.query as { path: string };
      if (!request.isMultipart()) throw new WebError('unsupported-type', 'send the files as multipart/form-data');
      const area = await areaOf(request);
      const folder = await existingPath(area.jail, path);
      // A body larger than the quota left cannot fit: refused before a byte is written.
      const declared = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > area.quota.remaining + 64 * 1024) throw new WebError('quota', 'the upload is larger than the space left in your quota');
      const uploaded: StoredUpload[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          const started = Date.now();
          const shown = posix.join(folder.virtual, part.filename);
          try {
            const stored = await onDisk(shown, () => storeUpload(area, folder.real, part.filename, part.file, limits.maxUpload));
            uploaded.push(stored);
            record(request, { direction: 'upload', path: posix.join(folder.virtual, stored.name), bytes: stored.size, durationMs: Date.now() - started, result: 'ok' });
          } catch (error) {
            record(request, { direction: 'upload', path: shown, bytes: 0, durationMs: Date.now() - started, result: 'failed' });
            throw error;
          }
        }
      } catch (error) {
        throw malformedUpload(error) ?? error;
      }
      if (uploaded.length === 0) throw new WebError('bad-request', 'no file in the upload');
      return reply.code(201).send({ uploaded });
    });

    app.post('/api/files/folders', {
      schema: {
        tags: ['files'],
        summary: 'Create a folder',
        body: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: pathString } },
        response: { 201: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } }, ...errors },
      },
    }, async (request, reply) => {
      const { path } = request.body as { path: string };
      const area = await areaOf(request);
      const target = await entryPath(area.jail, path);
      checkNewName(target.name);
      await onDisk(target.virtual, () => mkdir(target.real, { mode: folderMode(0o700) }));
      return reply.code(201).send({ path: target.virtual });
    });

    app.post('/api/files/move', {
      schema: {
        tags: ['files'],
        summary: 'Rename or move a file or folder within the home (never over an existing name)',
        body: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: pathString, to: pathString } },
        response: { 200: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } }, ...errors },
      },
    }, async (request) => {
      const { from, to } = request.body as { from: string; to: string };
      const area = await areaOf(request);
      const source = await entryPath(area.jail, from);
      const target = await entryPath(area.jail, to);
      checkNewName(target.name);
      await onDisk(source.virtual, () => lstat(source.real));
      // rename(2) would replace a file silently; this API never does (the page asks for a new name).
      if (await lstat(target.real).catch(() => null)) throw new WebError('conflict', `${target.virtual} exists already`);
      await onDisk(source.virtual, () => rename(source.real, target.real));
      return { path: target.virtual };
    });

    app.delete('/api/files', {
      schema: { tags: ['files'], summary: 'Delete a file, a link or an empty folder', querystring: pathQuery, response: { 204: { type: 'null' }, ...errors } },
    }, async (request, reply) => {
      const { path } = request.query as { path: string };
      const area = await areaOf(request);
      const target = await entryPath(area.jail, path);
      const st = await onDisk(target.virtual, () => lstat(target.real));
      if (st.isDirectory()) await onDisk(target.virtual, () => rmdir(target.real));
      else {
        await onDisk(target.virtual, () => unlink(target.real));
        if (st.isFile()) area.quota.add(-st.size);
      }
      await syncFolder(area.jail, posix.dirname(target.real)).catch(() => {});
      return reply.code(204).send();
    });
  },
};
