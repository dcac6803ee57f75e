import { IdParams, PageQuery, Timestamp, Uuid, pageOf } from './common.js';
import { defineEvent } from './events.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { z } from './zod.js';

export const MediaPurpose = z.enum(['attachment', 'avatar', 'story']);
export type MediaPurpose = z.infer<typeof MediaPurpose>;
export const MediaKind = z.enum(['image', 'video', 'audio', 'voice', 'document', 'other']);
export type MediaKind = z.infer<typeof MediaKind>;
export const MediaStatus = z.enum(['pending', 'ready']);
export type MediaStatus = z.infer<typeof MediaStatus>;
export const MediaVariant = z.enum(['original', 'thumb']);
export type MediaVariant = z.infer<typeof MediaVariant>;

/** A file's name as the client shows it; never used to build a path or an object key. */
export const FileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'file name must not contain control characters');
/** A MIME type without parameters, e.g. `image/png`. */
export const ContentType = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/, 'content type must look like type/subtype');

export const Media = z
  .object({
    id: Uuid,
    ownerId: Uuid,
    fileName: z.string(),
    /** The sniffed type once ready (the client's claim while pending). */
    contentType: z.string(),
    size: z.number().int(),
    kind: MediaKind,
    purpose: MediaPurpose,
    status: MediaStatus,
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    /** Video and audio, where the container's header tells it. */
    durationMs: z.number().int().optional(),
    /** Short-lived signed URL of the bytes (ready media only). */
    url: z.string().optional(),
    thumbnailUrl: z.string().optional(),
    urlExpiresAt: Timestamp.optional(),
    createdAt: Timestamp,
  })
  .openapi('Media')
  .describe('An uploaded file: pending until its bytes are checked, then ready with short-lived signed URLs.');
export type Media = z.infer<typeof Media>;

export const CreateUploadBody = z.strictObject({
  fileName: FileName,
  contentType: ContentType,
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  purpose: MediaPurpose.default('attachment'),
});
export type CreateUploadBody = z.infer<typeof CreateUploadBody>;

export const UploadTicket = z
  .object({
    mediaId: Uuid,
    uploadUrl: z.string(),
    uploadMethod: z.literal('PUT'),
    /** Headers the PUT must carry: the object is checked against them on completion. */
    uploadHeaders: z.record(z.string(), z.string()),
    expiresAt: Timestamp,
  })
  .openapi('UploadTicket')
  .describe('Where and how to PUT the bytes of a presigned upload, then `POST /media/:id/complete`.');
export type UploadTicket = z.infer<typeof UploadTicket>;

export const DirectUploadQuery = z.strictObject({ purpose: MediaPurpose.optional() });

export const ContentQuery = z.strictObject({
  variant: MediaVariant.default('original'),
  /** Unix time (seconds) after which the URL is refused; ten digits at most (until the year 2286). */
  exp: z.string().regex(/^\d{1,10}$/, 'must be a Unix time in seconds'),
  /** base64url HMAC-SHA256 over id, variant and exp. */
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type ContentQuery = z.infer<typeof ContentQuery>;

const media = { service: 'media' } as const;

export const mediaRoutes = {
  createUpload: defineRoute({
    ...media,
    method: 'post',
    path: '/media/uploads',
    summary: 'Start a presigned upload',
    description:
      '`{ fileName, contentType, size, purpose? }` → `{ mediaId, uploadUrl, uploadMethod: "PUT", uploadHeaders, expiresAt }`: PUT the bytes with those headers within 5 minutes, then complete.',
    access: 'user',
    rateLimit: 'upload',
    body: CreateUploadBody,
    status: 201,
    response: UploadTicket,
    errors: [413, 415],
  }),
  completeUpload: defineRoute({
    ...media,
    method: 'post',
    path: '/media/:id/complete',
    summary: 'Check the uploaded object and make the media ready',
    description: '→ media (ready). 404; 409 nothing uploaded; 413 image pixels; 415; 422 size or an undecodable image. The stored type is the sniffed one.',
    access: 'user',
    params: IdParams,
    status: 200,
    response: Media,
    errors: [404, 409, 413, 415, 422],
  }),
  upload: defineRoute({
    ...media,
    method: 'post',
    path: '/media',
    summary: 'Upload a file (multipart/form-data, field `file`)',
    description: '`?purpose=`, multipart `file` → media; the size limit holds while streaming.',
    access: 'user',
    rateLimit: 'upload',
    query: DirectUploadQuery,
    multipartFile: 'file',
    status: 201,
    response: Media,
    errors: [413, 415, 422],
  }),
  list: defineRoute({
    ...media,
    method: 'get',
    path: '/media',
    summary: "The caller's uploads, newest first",
    description: "`?cursor=&limit=` → the caller's ready media, newest first.",
    access: 'user',
    query: PageQuery,
    status: 200,
    response: pageOf(Media),
  }),
  get: defineRoute({
    ...media,
    method: 'get',
    path: '/media/:id',
    summary: 'Media metadata with short-lived URLs',
    description:
      "`{ id, ownerId, fileName, contentType, size, kind, purpose, status, width?, height?, durationMs?, url?, thumbnailUrl?, urlExpiresAt?, createdAt }` for a reader: the owner, members of a chat where a message shows it, and whoever may see the owner's profile photo while it is that photo; 404 for anyone else.",
    access: 'user',
    params: IdParams,
    status: 200,
    response: Media,
    errors: [404],
  }),
  content: defineRoute({
    ...media,
    method: 'get',
    path: '/media/:id/content',
    summary: 'The bytes, through a signed URL (the signature is the credential)',
    description:
      'The bytes with `nosniff`, a sandboxing CSP, and `attachment` for anything but plain images, video and audio. The signed URL (`variant`, `exp`, `sig`) is the credential.',
    access: 'public',
    params: IdParams,
    query: ContentQuery,
    status: 200,
    binaryResponse: true,
    errors: [404],
  }),
  delete: defineRoute({
    ...media,
    method: 'delete',
    path: '/media/:id',
    summary: 'Delete own media (kept for messages it is attached to)',
    description:
      "Removes the objects, unless a message shows the media: then it only leaves the owner's listing. It also stops being the owner's profile photo.",
    access: 'user',
    params: IdParams,
    status: 204,
    errors: [404],
  }),
};

export const mediaEvents = {
  ready: defineEvent(
    'media.ready',
    z.object({
      mediaId: Uuid,
      ownerId: Uuid,
      purpose: MediaPurpose,
      kind: MediaKind,
      contentType: z.string(),
      size: z.number().int(),
      width: z.number().int().optional(),
      height: z.number().int().optional(),
      durationMs: z.number().int().optional(),
    }),
    'An upload was checked and is ready to be attached or shown.',
  ),
  deleted: defineEvent(
    'media.deleted',
    z.object({ mediaId: Uuid, ownerId: Uuid, objectRemoved: z.boolean() }),
    '`objectRemoved` is false when the media stays for messages it is attached to; a later `true` follows once they no longer show it.',
  ),
};

/** What a message keeps about an attachment (URLs are minted per reader, on demand). */
export const AttachmentSummary = z.object({
  id: Uuid,
  kind: MediaKind,
  contentType: z.string(),
  size: z.number().int(),
  fileName: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  durationMs: z.number().int().optional(),
});
export type AttachmentSummary = z.infer<typeof AttachmentSummary>;

export const ClaimRequest = z.object({
  appId: Uuid,
  userId: Uuid,
  chatId: Uuid,
  messageId: Uuid,
  mediaIds: z.array(Uuid).min(1).max(20),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

/** `mediaId: null`: the user has no profile photo any more. */
export const AvatarClaimRequest = z.object({ appId: Uuid, userId: Uuid, mediaId: Uuid.nullable() });
export type AvatarClaimRequest = z.infer<typeof AvatarClaimRequest>;

/** A media someone wants to show as an avatar they set (a chat's picture). */
export const AvatarCheckRequest = z.object({ appId: Uuid, userId: Uuid, mediaId: Uuid });
export type AvatarCheckRequest = z.infer<typeof AvatarCheckRequest>;

export const mediaRpcs = {
  claim: defineRpc(
    'rpc.media.claim',
    ClaimRequest,
    z.object({ media: z.array(AttachmentSummary) }),
    "Attaches media to a message: every id must be the sender's own ready media, else `not_found` and nothing is attached. Idempotent per (media, message). From then on the chat's members may read it, and deleting the media keeps it for the message.",
  ),
  claimAvatar: defineRpc(
    'rpc.media.claim-avatar',
    AvatarClaimRequest,
    z.object({ media: AttachmentSummary.nullable() }),
    "Makes a media the user's profile photo (replacing the one before; null: no photo), readable from then on by whoever may see that profile's photo. It must be the user's own ready image (JPEG, PNG, GIF, WebP or AVIF; purpose `avatar` or `attachment`): else `not_found`, or `unsupported_media_type` when it is not a plain image. Idempotent.",
  ),
  checkAvatar: defineRpc(
    'rpc.media.check-avatar',
    AvatarCheckRequest,
    z.object({ media: AttachmentSummary }),
    "Checks, without recording anything, that a media may be shown as an avatar the user sets (a chat's picture): the same rule as `claim-avatar`, so `not_found` (unknown, someone else's, pending, deleted and other apps' media alike) or `unsupported_media_type`.",
  ),
};
