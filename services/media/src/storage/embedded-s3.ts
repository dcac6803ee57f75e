import { mkdirSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from '@20minutes/s3rver';
import AWSAccount from '@20minutes/s3rver/lib/models/account.js';

export interface EmbeddedS3Options {
  dir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  accessKey: string;
  secretKey: string;
  buckets: string[];
}

export interface EmbeddedS3 {
  /** `http://host:port` of the running server. */
  endpoint: string;
  close(): Promise<void>;
}

/** Browsers upload straight to the store with the presigned PUT. */
const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

const EMPTY_UPLOADS_LIST = (bucket: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`;

const ACCESS_DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

function isSigned(url: URL, req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined || url.searchParams.has('X-Amz-Algorithm') || url.searchParams.has('Signature');
}

/**
 * s3rver with the two fixes it needs to stand in for MinIO: unsigned requests are refused (it
 * would serve objects to anyone), and listing a bucket's multipart uploads answers with an empty
 * list (it answers NotImplemented, which breaks the client's streamed uploads of unknown size).
 * Only `accessKey` is accepted: the built-in dummy key is revoked.
 */
export async function startEmbeddedS3(opts: EmbeddedS3Options): Promise<EmbeddedS3> {
  mkdirSync(opts.dir, { recursive: true });
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(opts.accessKey, opts.secretKey);
  const s3 = new S3rver({
    directory: opts.dir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((name) => ({ name, configs: [CORS] })),
  });
  await s3.configureBuckets();
  const handle = s3.getMiddleware();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://embedded');
    const segments = url.pathname.split('/').filter(Boolean);
    if (req.method !== 'OPTIONS' && !isSigned(url, req)) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end(ACCESS_DENIED);
      return;
    }
    if (req.method === 'GET' && segments.length === 1 && url.searchParams.has('uploads')) {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(EMPTY_UPLOADS_LIST(segments[0]!));
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
