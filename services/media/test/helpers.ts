import { existsSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import pgPromise from 'pg-promise';
import { type ApiResponse, type EventRecorder, type Stack, type TestUser, recordEvents } from '@chat/testkit';
import { expect } from 'vitest';
import { expectProblem } from '@chat/testkit';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface UploadOptions {
  fileName?: string;
  contentType?: string;
  purpose?: string;
  /** Declared size, when it should differ from the bytes sent. */
  size?: number;
}

export function startUpload(stack: Stack, user: TestUser, bytes: Buffer, opts: UploadOptions = {}) {
  const body: Record<string, unknown> = {
    fileName: opts.fileName ?? 'file.bin',
    contentType: opts.contentType ?? 'application/octet-stream',
    size: opts.size ?? bytes.length,
  };
  if (opts.purpose) body.purpose = opts.purpose;
  return stack.api.post('/api/v1/media/uploads', body, { token: user.accessToken });
}

/** PUTs bytes to a presigned URL, with the headers the ticket asks for unless others are given. */
export function putToStore(ticket: { uploadUrl: string; uploadHeaders: Record<string, string> }, bytes: Buffer, headers?: Record<string, string>) {
  return fetch(ticket.uploadUrl, { method: 'PUT', body: bytes, headers: headers ?? ticket.uploadHeaders });
}

export function complete(stack: Stack, user: TestUser, mediaId: string) {
  return stack.api.post(`/api/v1/media/${mediaId}/complete`, undefined, { token: user.accessToken });
}

/** The whole presigned flow: ticket, PUT to the store, completion. Returns the completion's answer. */
export async function uploadViaStore(stack: Stack, user: TestUser, bytes: Buffer, opts: UploadOptions = {}): Promise<ApiResponse> {
  const ticket = await startUpload(stack, user, bytes, opts);
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  const put = await putToStore(ticket.body, bytes);
  expect(put.status).toBe(200);
  return complete(stack, user, ticket.body.mediaId);
}

/** Reads a fetch response the way ApiClient does (JSON parsed when it is JSON). */
export async function asApiResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  const body = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
  return { status: res.status, headers: res.headers, body };
}

/** POST /media with `body` (multipart/form-data unless told otherwise). */
export async function postMedia(
  stack: Stack,
  user: TestUser,
  body: NonNullable<RequestInit['body']>,
  opts: { query?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', body, headers: { authorization: `Bearer ${user.accessToken}`, ...opts.headers } };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return asApiResponse(await fetch(`${stack.gateway.url}/api/v1/media${opts.query ?? ''}`, init));
}

/** POST /media as multipart/form-data with one `file` part. */
export function uploadDirect(stack: Stack, user: TestUser, bytes: Buffer, opts: UploadOptions = {}): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: opts.contentType ?? 'application/octet-stream' }), opts.fileName ?? 'file.bin');
  return postMedia(stack, user, form, { query: opts.purpose ? `?purpose=${opts.purpose}` : '' });
}

/** A URL the service handed out, fetched through this test's gateway (the public base differs in tests). */
export function fetchUrl(stack: Stack, url: string, init?: RequestInit): Promise<Response> {
  const u = new URL(url);
  return fetch(`${stack.gateway.url}${u.pathname}${u.search}`, init);
}

export function getMedia(stack: Stack, user: TestUser, id: string) {
  return stack.api.get(`/api/v1/media/${id}`, { token: user.accessToken });
}

/** Names (`<app>/<media>/<file>`) of the objects the embedded store holds, optionally only a media's. */
export function storedObjects(s3Dir: string, mediaId?: string): string[] {
  const root = join(s3Dir, 'media');
  const files = existsSync(root) ? (readdirSync(root, { recursive: true }) as string[]) : [];
  return files
    .filter((f) => f.endsWith('._S3rver_object'))
    .map((f) => f.replace(/\._S3rver_object$/, ''))
    .filter((f) => mediaId === undefined || f.split(sep)[1] === mediaId)
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/** Records every `evt.media.*` event of the stack from now on. */
export function recordMediaEvents(stack: Stack): Promise<EventRecorder> {
  return recordEvents(stack, 'evt.media.>');
}

const pgp = pgPromise({ noWarnings: true });

/** The media rows of an owner as stored (pending ones and hidden ones included). */
export async function mediaRowsOf(stack: Stack, ownerId: string): Promise<{ id: string; status: string; hidden: boolean }[]> {
  const db = pgp({ connectionString: stack.env.DATABASE_URL, max: 1 });
  try {
    return await db.manyOrNone('SELECT id, status, hidden_at IS NOT NULL AS hidden FROM media.media WHERE owner_id = $1 ORDER BY id', [ownerId]);
  } finally {
    await db.$pool.end();
  }
}

export { expectProblem };
export type { EventRecorder };
