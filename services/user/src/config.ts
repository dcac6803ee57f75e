import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

export const UserConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** How long a call to another service (rpc.auth.*) may take before the request fails with 504. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
});
export type UserConfig = z.infer<typeof UserConfig>;

export function loadUserConfig(env: Record<string, string | undefined>): UserConfig {
  return parseConfig(UserConfig, env);
}
