import { type Readable, Transform } from 'node:stream';
import * as Minio from 'minio';
import { presignV4 } from './presign-v4.js';

/** What the media service needs from an S3-compatible store; one bucket, keys chosen by the service. */
export interface ObjectStore {
  ensureBucket(): Promise<void>;
  /**
   * A PUT URL for `key`, valid `expiresInS` seconds, at the endpoint clients reach. The body's
   * Content-Length is signed: the store refuses a body of any other size.
   */
  presignPut(key: string, expiresInS: number, size: number): string;
  /** Size and stored content type, or undefined when there is no such object. */
  stat(key: string): Promise<{ size: number; contentType: string | undefined } | undefined>;
  /** Up to `length` bytes from `offset`. */
  read(key: string, offset: number, length: number): Promise<Buffer>;
  /** The object's bytes (a range when `range` is given) as a stream. */
  open(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Streams `body` of unknown length in parts; memory stays bounded by the part size. */
  putStream(key: string, body: Readable, contentType: string): Promise<void>;
  putBuffer(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Server-side copy with the source's metadata; false when the source does not exist. */
  copy(from: string, to: string): Promise<boolean>;
  /** Removes objects (missing ones are fine). */
  remove(keys: string[]): Promise<void>;
  readiness(): Promise<unknown>;
}

export interface ObjectStoreOptions {
  endpoint: string;
  /** Endpoint written into presigned URLs (defaults to `endpoint`). */
  publicEndpoint?: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

/** S3's smallest part: streamed uploads hold at most this much of a file in memory. */
const PART_SIZE = 5 * 1024 * 1024;

function clientFor(endpoint: string, opts: ObjectStoreOptions): Minio.Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Minio.Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: opts.accessKey,
    secretKey: opts.secretKey,
    // Set so that presigning never asks the server for the bucket's region.
    region: opts.region,
    pathStyle: true,
    partSize: PART_SIZE,
  });
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function createObjectStore(opts: ObjectStoreOptions): ObjectStore {
  const client = clientFor(opts.endpoint, opts);
  const { bucket } = opts;
  const signing = { endpoint: opts.publicEndpoint ?? opts.endpoint, region: opts.region, accessKey: opts.accessKey, secretKey: opts.secretKey, bucket };
  return {
    async ensureBucket() {
      if (await client.bucketExists(bucket)) return;
      await client.makeBucket(bucket, opts.region).catch(async (err: unknown) => {
        // Another replica created it meanwhile.
        if (!(await client.bucketExists(bucket))) throw err;
      });
    },
    presignPut: (key, expiresInS, size) => presignV4({ ...signing, method: 'PUT', key, expiresInS, signedHeaders: { 'content-length': String(size) } }),
    async stat(key) {
      try {
        const stat = await client.statObject(bucket, key);
        const contentType = stat.metaData['content-type'] as string | undefined;
        return { size: stat.size, contentType };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async read(key, offset, length) {
      return collect(await client.getPartialObject(bucket, key, offset, length));
    },
    open(key, range) {
      return range ? client.getPartialObject(bucket, key, range.start, range.end - range.start + 1) : client.getObject(bucket, key);
    },
    async putStream(key, body, contentType) {
      let seen = 0;
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            seen += chunk.length;
            done(null, chunk);
          },
        }),
      );
      try {
        await client.putObject(bucket, key, counted, undefined, { 'Content-Type': contentType });
      } catch (err) {
        await client.removeIncompleteUpload(bucket, key).catch(() => {});
        // A multipart upload needs at least one part: an empty stream becomes an empty object.
        if (seen > 0) throw err;
        await client.putObject(bucket, key, Buffer.alloc(0), 0, { 'Content-Type': contentType });
      }
    },
    async putBuffer(key, body, contentType) {
      await client.putObject(bucket, key, body, body.length, { 'Content-Type': contentType });
    },
    async copy(from, to) {
      try {
        await client.copyObject(bucket, to, `/${bucket}/${from}`, new Minio.CopyConditions());
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    async remove(keys) {
      // One DELETE per key, in turn: s3rver's multi-object delete races with itself when keys
      // share a folder, and a media has at most three objects.
      for (const key of keys) await client.removeObject(bucket, key);
    },
    readiness: () => client.bucketExists(bucket),
  };
}
