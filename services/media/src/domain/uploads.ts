import type { Readable } from 'node:stream';
import type { AccessClaims, CreateUploadBody, Media, MediaPurpose, UploadTicket } from '@chat/contracts';
import { AppError, ConflictError, newId } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { type MediaRow, deleteMediaRows, insertPendingMedia } from '../store/media.store.js';
import { describe, isAllowed } from './content-types.js';
import { checkStoredObject, finishUpload } from './finish-upload.js';
import { accessOwnMedia } from './access.js';
import { toMedia } from './media.js';
import { objectKeys, originalKey, stagingKey } from './object-keys.js';

/** A file arriving in a request body, streamed. */
export interface IncomingFile {
  fileName: string;
  /** The type the client gave the file. */
  declaredType: string;
  /** Always ends, also when the body is cut short: `outcome()` then tells why. */
  stream: Readable;
  outcome(): 'complete' | 'too_large' | 'aborted';
  /** Stops reading the body (the file is refused before it is stored). */
  discard(): void;
}

/** The name a client shows: directories and control characters it put in are dropped. */
function displayName(fileName: string): string {
  const name =
    fileName
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .split(/[/\\]/)
      .pop() ?? '';
  return name.trim().slice(0, 255) || 'file';
}

export function tooLargeError(maxBytes: number): AppError {
  return new AppError(413, 'payload_too_large', `files may be at most ${maxBytes} bytes`);
}

/** Refuses an upload before any byte is stored: too large (413) or a type not accepted for its purpose (415). */
export function checkUploadRequest(deps: MediaDeps, declaredType: string, purpose: MediaPurpose, size?: number): void {
  if (size !== undefined && size > deps.config.MEDIA_MAX_BYTES) throw tooLargeError(deps.config.MEDIA_MAX_BYTES);
  if (!isAllowed(deps.config.MEDIA_ALLOWED_TYPES, declaredType, purpose))
    throw new AppError(415, 'unsupported_media_type', `${declaredType} is not accepted for ${purpose}`);
}

function newPendingRow(
  deps: MediaDeps,
  caller: AccessClaims,
  fields: { fileName: string; declaredType: string; purpose: MediaPurpose; size: number },
): Promise<MediaRow> {
  const id = newId();
  return insertPendingMedia(deps.platform.db, {
    id,
    appId: caller.app,
    ownerId: caller.sub,
    purpose: fields.purpose,
    fileName: displayName(fields.fileName),
    declaredType: fields.declaredType,
    kind: describe(fields.declaredType).kind,
    size: fields.size,
    storageKey: originalKey(caller.app, id),
  });
}

/** Records a pending media and hands out a short-lived PUT URL for its bytes. */
export async function doCreateUpload(deps: MediaDeps, caller: AccessClaims, body: CreateUploadBody): Promise<UploadTicket> {
  checkUploadRequest(deps, body.contentType, body.purpose, body.size);
  const row = await newPendingRow(deps, caller, { ...body, declaredType: body.contentType });
  const ttl = Math.min(deps.config.UPLOAD_URL_TTL_S, deps.config.PENDING_UPLOAD_TTL_S);
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const uploadUrl = deps.storage.presignPut(stagingKey(row), ttl, body.size);
  return { mediaId: row.id, uploadUrl, uploadMethod: 'PUT', uploadHeaders: { 'content-type': body.contentType }, expiresAt: expiresAt.toISOString() };
}

/** Checks what was PUT for a pending media and makes it ready; a ready media is returned as it is. */
export async function doCompleteUpload(deps: MediaDeps, caller: AccessClaims, id: string): Promise<Media> {
  const row = await accessOwnMedia(deps, caller, id);
  if (row.status === 'ready') return toMedia(deps.config, row);
  if (!(await deps.storage.copy(stagingKey(row), row.storageKey))) {
    // A concurrent completion may have just finished and removed the staging object.
    const current = await accessOwnMedia(deps, caller, id);
    if (current.status === 'ready') return toMedia(deps.config, current);
    throw new ConflictError('nothing has been uploaded for this media yet');
  }
  const size = await checkStoredObject(deps, row);
  const ready = await finishUpload(deps, row, size);
  await deps.storage.remove([stagingKey(row)]);
  return toMedia(deps.config, ready);
}

/** Streams a multipart file into the store, then checks it as a completed upload. */
export async function doDirectUpload(deps: MediaDeps, caller: AccessClaims, purpose: MediaPurpose, file: IncomingFile): Promise<Media> {
  const declaredType = describe(file.declaredType).contentType;
  try {
    // A part's type is only a hint (one without it is text/plain): only the allow-list applies
    // here; the purpose is held to the sniffed type.
    checkUploadRequest(deps, declaredType, 'attachment');
  } catch (err) {
    file.discard();
    throw err;
  }
  const row = await newPendingRow(deps, caller, { fileName: file.fileName, declaredType, purpose, size: 0 });
  try {
    await deps.storage.putStream(row.storageKey, file.stream, declaredType);
    const outcome = file.outcome();
    if (outcome === 'too_large') throw tooLargeError(deps.config.MEDIA_MAX_BYTES);
    if (outcome === 'aborted') throw new AppError(400, 'validation_failed', 'the upload was cut short');
    const stored = await deps.storage.stat(row.storageKey);
    if (!stored?.size) throw new AppError(422, 'validation_failed', 'the file is empty');
    return toMedia(deps.config, await finishUpload(deps, { ...row, size: stored.size }, stored.size));
  } catch (err) {
    file.discard();
    // The row goes only once its objects are gone; otherwise the pending sweep retries both.
    await deps.storage
      .remove(objectKeys(row))
      .then(() => deleteMediaRows(deps.platform.db, [row.id]))
      .catch(() => {});
    throw err;
  }
}
