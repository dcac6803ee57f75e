import { createHash, createHmac } from 'node:crypto';

export interface PresignRequest {
  /** Where the client sends the request, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  expiresInS: number;
  /**
   * Headers the request must carry with exactly these values, besides `host` (names in lower
   * case). The store recomputes the signature from the request's own headers, so any other value
   * (or a missing header) is refused with 403.
   */
  signedHeaders: Record<string, string>;
  now?: Date;
}

/** RFC 3986 percent-encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** `20260101T120000Z` */
function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * An AWS Signature V4 presigned URL (query-string authentication, path-style) that also signs the
 * given headers. The `minio` client presigns only `host`: it leaves Content-Length out on
 * purpose, which lets a presigned PUT carry any body size. Signing it binds the size the same way
 * on S3, MinIO and the embedded store.
 */
export function presignV4(req: PresignRequest): string {
  const now = req.now ?? new Date();
  const endpoint = new URL(req.endpoint);
  const date = amzDate(now);
  const scope = `${date.slice(0, 8)}/${req.region}/s3/aws4_request`;
  const headers: Record<string, string> = { ...req.signedHeaders, host: endpoint.host };
  const names = Object.keys(headers).sort();
  const path = `/${[req.bucket, ...req.key.split('/')].map(encode).join('/')}`;
  const query: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${req.accessKey}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(req.expiresInS)],
    ['X-Amz-SignedHeaders', names.join(';')],
  ];
  const canonicalQuery = query
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery,
    names.map((name) => `${name}:${headers[name]!.trim()}\n`).join(''),
    names.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signingKey = ['s3', 'aws4_request'].reduce<Buffer>((key, part) => hmac(key, part), hmac(hmac(`AWS4${req.secretKey}`, date.slice(0, 8)), req.region));
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return `${endpoint.protocol}//${endpoint.host}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}
