import { PassThrough } from 'node:stream';
import { AppError, ValidationError } from '@chat/service-kit';
import busboy from 'busboy';
import type { Request, RequestHandler } from 'express';
import { type IncomingFile, tooLargeError } from '../domain/uploads.js';

/** Room for the multipart envelope (boundaries, part headers) around the file. */
const ENVELOPE_BYTES = 64 * 1024;

/** Browsers write `"`, CR and LF in multipart file names as %22, %0D and %0A (HTML's form encoding). */
function formDataFileName(name: string | undefined): string {
  return (name ?? 'file').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

/**
 * Stands in for the JSON body parser on a multipart route mounted with `mount`: refuses any other
 * body (415) and a declared length beyond the limit (413) before a byte is read, and leaves the
 * body unread for the handler to stream (mount's own body check then sees an empty JSON body).
 */
export function acceptMultipart(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('multipart/form-data')) throw new AppError(415, 'unsupported_media_type', 'body must be multipart/form-data');
    if (Number(req.headers['content-length'] ?? 0) > maxBytes + ENVELOPE_BYTES) throw tooLargeError(maxBytes);
    req.body = {};
    next();
  };
}

/**
 * Resolves with the first file part named `field` as it starts to arrive, streamed: never more
 * than a stream buffer of it is in memory. The file's stream always ends, also when the body
 * breaks off or passes `maxBytes` (then `outcome()` says so, and the rest of the body is read
 * and dropped).
 */
export function receiveFile(req: Request, field: string, maxBytes: number): Promise<IncomingFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: maxBytes + 1, fields: 20, fieldSize: 4096, parts: 30 } });
    } catch {
      reject(new ValidationError([{ path: field, message: 'malformed multipart body' }]));
      return;
    }
    let received: IncomingFile | undefined;
    const discard = () => {
      req.unpipe(parser);
      req.resume();
    };
    parser.on('file', (name, file, info) => {
      if (name !== field || received) {
        file.resume();
        return;
      }
      const stream = new PassThrough();
      let outcome: ReturnType<IncomingFile['outcome']> = 'complete';
      const cut = (why: 'too_large' | 'aborted') => {
        if (outcome === 'complete') outcome = why;
        file.unpipe(stream);
        if (!stream.writableEnded) stream.end();
      };
      file.on('limit', () => {
        cut('too_large');
        discard();
      });
      file.on('error', () => cut('aborted'));
      req.on('close', () => {
        if (!req.complete) cut('aborted');
      });
      file.pipe(stream);
      received = { fileName: formDataFileName(info.filename), declaredType: info.mimeType, stream, outcome: () => outcome, discard };
      resolve(received);
    });
    parser.on('error', () => {
      // A file already handed on ends through its own error; the rest of the body is dropped either way.
      discard();
      if (!received) reject(new ValidationError([{ path: field, message: 'malformed multipart body' }]));
    });
    parser.on('close', () => {
      if (!received) reject(new ValidationError([{ path: field, message: 'a file is required' }]));
    });
    req.pipe(parser);
  });
}
