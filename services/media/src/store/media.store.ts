import type { MediaKind, MediaPurpose, MediaStatus } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

export interface MediaRow {
  id: string;
  appId: string;
  ownerId: string;
  purpose: MediaPurpose;
  status: MediaStatus;
  fileName: string;
  declaredType: string;
  contentType: string;
  kind: MediaKind;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  storageKey: string;
  thumbnailKey: string | null;
  hiddenAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, app_id AS "appId", owner_id AS "ownerId", purpose, status, file_name AS "fileName",
  declared_type AS "declaredType", content_type AS "contentType", kind, size::float8 AS size, width, height,
  duration_ms AS "durationMs", storage_key AS "storageKey", thumbnail_key AS "thumbnailKey", hidden_at AS "hiddenAt", created_at AS "createdAt"`;

export interface NewMedia {
  id: string;
  appId: string;
  ownerId: string;
  purpose: MediaPurpose;
  fileName: string;
  declaredType: string;
  kind: MediaKind;
  size: number;
  storageKey: string;
}

/** Inserts a pending media: its object is still to be uploaded and checked. */
export async function insertPendingMedia(t: Executor, m: NewMedia): Promise<MediaRow> {
  return t.one<MediaRow>(
    `INSERT INTO media (id, app_id, owner_id, purpose, status, file_name, declared_type, content_type, kind, size, storage_key)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [m.id, m.appId, m.ownerId, m.purpose, m.fileName, m.declaredType, m.kind, m.size, m.storageKey],
  );
}

/** The caller's own media in their app, deleted ones excluded. */
export function findOwnMedia(t: Executor, appId: string, ownerId: string, id: string): Promise<MediaRow | null> {
  return t.oneOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE app_id = $1 AND owner_id = $2 AND id = $3 AND hidden_at IS NULL`, [appId, ownerId, id]);
}

/** Any media of the app by id, whoever owns it, pending and hidden ones included (callers decide who may see it). */
export function findMediaInApp(t: Executor, appId: string, id: string): Promise<MediaRow | null> {
  return t.oneOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE app_id = $1 AND id = $2`, [appId, id]);
}

/** Row-locks media by id, in id order (the order every writer locks in). */
export function lockMediaRows(t: Executor, ids: string[]): Promise<MediaRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return t.manyOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE id IN ($1:csv) ORDER BY id FOR UPDATE`, [ids]);
}

/** Up to `limit` of an account's media not yet deleted by it (pending ones too), row-locked in id order. */
export function lockUndeletedMediaOfOwner(t: Executor, appId: string, ownerId: string, limit: number): Promise<MediaRow[]> {
  return t.manyOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE app_id = $1 AND owner_id = $2 AND hidden_at IS NULL ORDER BY id LIMIT $3 FOR UPDATE`, [
    appId,
    ownerId,
    limit,
  ]);
}

/** A media by id alone, for signed download URLs (the signature already names the media). */
export function findMediaById(t: Executor, id: string): Promise<MediaRow | null> {
  return t.oneOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE id = $1`, [id]);
}

/** Row-locks the caller's own media for a delete. */
export function lockOwnMedia(t: Executor, appId: string, ownerId: string, id: string): Promise<MediaRow | null> {
  return t.oneOrNone<MediaRow>(`SELECT ${COLUMNS} FROM media WHERE app_id = $1 AND owner_id = $2 AND id = $3 AND hidden_at IS NULL FOR UPDATE`, [
    appId,
    ownerId,
    id,
  ]);
}

/** Ready, not deleted media of one owner among `ids`, row-locked (for attaching them to a message). */
export function lockReadyMediaOfOwner(t: Executor, appId: string, ownerId: string, ids: string[]): Promise<MediaRow[]> {
  return t.manyOrNone<MediaRow>(
    `SELECT ${COLUMNS} FROM media WHERE app_id = $1 AND owner_id = $2 AND id IN ($3:csv) AND status = 'ready' AND hidden_at IS NULL ORDER BY id FOR UPDATE`,
    [appId, ownerId, ids],
  );
}

export interface ReadyFacts {
  contentType: string;
  kind: MediaKind;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnailKey: string | null;
}

/** Marks a pending media ready with what the checks found; null when it is no longer pending. */
export function markReady(t: Executor, id: string, f: ReadyFacts): Promise<MediaRow | null> {
  return t.oneOrNone<MediaRow>(
    `UPDATE media SET status = 'ready', content_type = $2, kind = $3, size = $4, width = $5, height = $6, duration_ms = $7, thumbnail_key = $8, ready_at = now()
     WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
    [id, f.contentType, f.kind, f.size, f.width, f.height, f.durationMs, f.thumbnailKey],
  );
}

/** One page of an owner's ready media, newest first (ids are time-ordered). */
export function listOwnReadyMedia(t: Executor, appId: string, ownerId: string, before: string | null, limit: number): Promise<MediaRow[]> {
  return t.manyOrNone<MediaRow>(
    `SELECT ${COLUMNS} FROM media
     WHERE app_id = $1 AND owner_id = $2 AND status = 'ready' AND hidden_at IS NULL AND ($3::uuid IS NULL OR id < $3::uuid)
     ORDER BY id DESC LIMIT $4`,
    [appId, ownerId, before, limit],
  );
}

/** Marks media deleted by their owner while messages still show them. */
export async function hideMedia(t: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await t.none('UPDATE media SET hidden_at = now() WHERE id IN ($1:csv) AND hidden_at IS NULL', [ids]);
}

/** Claims up to `limit` pending media created before `cutoff`, row-locked; replicas skip each other's. */
export function lockExpiredPending(t: Executor, cutoff: Date, limit: number): Promise<MediaRow[]> {
  return t.manyOrNone<MediaRow>(
    `SELECT ${COLUMNS} FROM media WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [cutoff, limit],
  );
}

export async function deleteMediaRows(t: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await t.none('DELETE FROM media WHERE id IN ($1:csv)', [ids]);
}
