import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INFRA_SECRETS_DIR, LOCAL_NATS_URL, localRedisUrl } from '@chat/service-kit';
import { type NatsConnection, connect } from '@nats-io/transport-node';

/** Credentials of the local NATS and Redis (infra/local-infra.sh writes them). */
export const INFRA_SECRETS_DIR = process.env.INFRA_SECRETS_DIR ?? DEFAULT_INFRA_SECRETS_DIR;
export const TEST_NATS_URL = process.env.NATS_URL ?? LOCAL_NATS_URL;
/** As the services' ACL user: what a test reads or writes there, a service could too. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? localRedisUrl(INFRA_SECRETS_DIR);

/** The operator's NATS user (every subject): what tests use to watch events, inject frames and clean up. */
export function toolsNatsCredentials(): { user: string; pass: string } | undefined {
  if (process.env.TEST_NATS_USER) return { user: process.env.TEST_NATS_USER, pass: process.env.TEST_NATS_PASSWORD ?? '' };
  try {
    return { user: 'tools', pass: readFileSync(join(INFRA_SECRETS_DIR, 'nats', 'tools.password'), 'utf8').trim() };
  } catch {
    return undefined;
  }
}

/** A NATS connection to `url` (default: the tests' server) as the operator. */
export function connectNats(url = TEST_NATS_URL): Promise<NatsConnection> {
  return connect({ servers: url.split(','), ...toolsNatsCredentials() });
}
