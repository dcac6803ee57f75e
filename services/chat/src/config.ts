import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

export const ChatConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8083),
  /** How long a call to another service (rpc.user.*, rpc.auth.*) may take before the request fails with 504. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Most members a group may have (the owner included). */
  CHAT_MAX_MEMBERS: z.coerce.number().int().min(2).max(1_000_000).default(10_000),
  /** Most members a channel may have (readers are cheap: only owner and admins post). */
  CHAT_MAX_CHANNEL_MEMBERS: z.coerce.number().int().min(2).max(10_000_000).default(200_000),
});
export type ChatConfig = z.infer<typeof ChatConfig>;

export function loadChatConfig(env: Record<string, string | undefined>): ChatConfig {
  return parseConfig(ChatConfig, env);
}
