import { fileURLToPath } from 'node:url';
import { z } from '@chat/contracts';
import { BaseConfig, parseConfig, requiredInProduction, withGeneratedSecrets } from '@chat/service-kit';

const MIB = 1024 * 1024;

/** Generated once per install outside production (see SECRETS_DIR); production must set each of them. */
const GENERATED_SECRETS = { MEDIA_URL_SECRET: 'hex-32', S3_ACCESS_KEY: 'token', S3_SECRET_KEY: 'token' } as const;

/** `<repo>/.data/s3`, whichever folder the service is started from (this file sits at the same depth in src/ and dist/). */
const DEFAULT_EMBEDDED_DIR = fileURLToPath(new URL('../../../.data/s3', import.meta.url));

/** Types accepted for upload (declared and sniffed); `type/*` matches a whole family. */
const DEFAULT_ALLOWED_TYPES = [
  'image/*',
  'video/*',
  'audio/*',
  'text/*',
  'application/pdf',
  'application/rtf',
  'application/json',
  'application/xml',
  'application/zip',
  'application/gzip',
  'application/x-7z-compressed',
  'application/x-rar-compressed',
  'application/x-tar',
  'application/epub+zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.*',
  'application/vnd.oasis.opendocument.*',
  'application/octet-stream',
].join(',');

const typeList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.+-]+\/([a-z0-9.+-]+\*?|\*)$/, 'each entry must be type/subtype or type/*')).min(1));

export const MediaConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8085),
  /** Base of the download URLs handed to clients: the gateway's public address. */
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  /** Signs download URLs (HMAC-SHA256). */
  MEDIA_URL_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Lifetime of download URLs; a URL claiming to live longer is refused (see domain/urls.ts). */
  DOWNLOAD_URL_TTL_S: z.coerce.number().int().min(10).max(900).default(300),
  UPLOAD_URL_TTL_S: z.coerce.number().int().min(10).max(300).default(300),
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(100 * MIB),
  MEDIA_ALLOWED_TYPES: typeList.default(typeList.parse(DEFAULT_ALLOWED_TYPES)),
  /** Pending uploads older than this are removed with their object. */
  PENDING_UPLOAD_TTL_S: z.coerce.number().int().min(1).default(3600),
  PENDING_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(60_000),
  /** Images with more pixels are refused before decoding (decompression bombs). */
  IMAGE_MAX_PIXELS: z.coerce.number().int().min(1).default(50_000_000),
  /** Larger images are stored without thumbnail and dimensions (decoding needs them in memory). */
  THUMBNAIL_MAX_SOURCE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * MIB),
  THUMBNAIL_SIZE: z.coerce.number().int().min(16).max(2048).default(320),
  /** How much of a video or audio file is read for its duration; files whose header lies further in get none. */
  DURATION_SCAN_BYTES: z.coerce.number().int().min(4096).default(MIB),
  /** Calls to the chat service (membership) and the user service (profile photo privacy). */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(50).default(2000),
  /** Unset outside production: an embedded S3-compatible server is started on loopback. */
  S3_ENDPOINT: z.url().optional(),
  /** Where clients reach the store for presigned uploads, when not at S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY: z.string().min(3),
  S3_SECRET_KEY: z.string().min(8),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .default('media'),
  S3_EMBEDDED_DIR: z.string().default(DEFAULT_EMBEDDED_DIR),
  /** 0 picks a free port. */
  S3_EMBEDDED_PORT: z.coerce.number().int().min(0).max(65535).default(9000),
});
export type MediaConfig = z.infer<typeof MediaConfig>;

export function loadMediaConfig(env: Record<string, string | undefined>): MediaConfig {
  return parseConfig(MediaConfig, withGeneratedSecrets(env, GENERATED_SECRETS), {
    S3_ENDPOINT: requiredInProduction,
    S3_ACCESS_KEY: requiredInProduction,
    S3_SECRET_KEY: requiredInProduction,
    MEDIA_URL_SECRET: requiredInProduction,
  });
}
