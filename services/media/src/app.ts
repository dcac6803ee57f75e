import { fileURLToPath } from 'node:url';
import {
  backgroundTasks,
  type BootFn,
  createLogger,
  createRemoteVerifier,
  createServiceApp,
  DependencyError,
  openPlatform,
  type Platform,
  type ServiceHandle,
  opsPortFor,
} from '@chat/service-kit';
import { serveCheckAvatar, serveClaim, serveClaimAvatar } from './bus/claim.rpc.js';
import { consumeAccountDeletions, consumeMessageDeletions } from './bus/cleanup.consumer.js';
import { type MediaConfig, loadMediaConfig } from './config.js';
import type { MediaDeps } from './deps.js';
import { startSweeper } from './domain/cleanup.js';
import { mountMediaRoutes } from './http/media.routes.js';
import { mountUploadRoutes } from './http/uploads.routes.js';
import { type EmbeddedS3, startEmbeddedS3 } from './storage/embedded-s3.js';
import { type ObjectStore, createObjectStore } from './storage/object-store.js';

export const SERVICE = 'media';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: MediaConfig, storage: ObjectStore): ServiceHandle {
  const deps: MediaDeps = { platform, config, storage };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, {
    verifier,
    readiness: { storage: () => storage.readiness() },
    routes: (mount) => {
      mountUploadRoutes(mount, deps);
      mountMediaRoutes(mount, deps);
    },
  });
  return {
    app,
    ...backgroundTasks(async () => [
      serveClaim(deps),
      serveClaimAvatar(deps),
      serveCheckAvatar(deps),
      startSweeper(deps),
      await consumeMessageDeletions(deps),
      await consumeAccountDeletions(deps),
    ]),
  };
}

/** The configured S3 endpoint, or (outside production, where it is required) an embedded store on loopback. */
async function openStorage(config: MediaConfig, logger: Platform['logger']): Promise<{ storage: ObjectStore; embedded?: EmbeddedS3 }> {
  const credentials = { accessKey: config.S3_ACCESS_KEY, secretKey: config.S3_SECRET_KEY };
  let embedded: EmbeddedS3 | undefined;
  if (!config.S3_ENDPOINT) {
    embedded = await startEmbeddedS3({
      dir: config.S3_EMBEDDED_DIR,
      host: '127.0.0.1',
      port: config.S3_EMBEDDED_PORT,
      buckets: [config.S3_BUCKET],
      ...credentials,
    });
    logger.info('embedded S3 store started', { endpoint: embedded.endpoint, dir: config.S3_EMBEDDED_DIR });
  }
  const endpoint = config.S3_ENDPOINT ?? embedded!.endpoint;
  const storage = createObjectStore({
    endpoint,
    publicEndpoint: config.S3_PUBLIC_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    ...credentials,
  });
  try {
    await storage.ensureBucket();
  } catch (err) {
    await embedded?.close();
    throw new DependencyError(`S3 store unreachable at ${endpoint}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { storage, embedded };
}

/** Reads config from `env`, opens connections (migrating the schema, creating the bucket) and builds the service. */
export const boot: BootFn = async (env) => {
  const config = loadMediaConfig(env);
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const { storage, embedded } = await openStorage(config, logger);
  const platform = await openPlatform({ service: SERVICE, config, migrationsDir: MIGRATIONS_DIR, logger }).catch(async (err: unknown) => {
    await embedded?.close();
    throw err;
  });
  return {
    handle: createService(platform, config, storage),
    logger,
    port: config.PORT,
    opsPort: opsPortFor(config),
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await platform.close();
      await embedded?.close();
    },
  };
};
