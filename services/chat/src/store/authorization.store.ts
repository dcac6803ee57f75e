import type { ChatRole, ChatType } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

/** Everything an authorization decision needs about one chat and one user, in one row. */
export interface AuthorizationRow {
  type: ChatType;
  membersCanAdd: boolean;
  frozen: boolean;
  slowModeSeconds: number;
  truncatedAt: Date | null;
  directLow: string | null;
  directHigh: string | null;
  role: ChatRole | null;
  banned: boolean;
  shadowBanned: boolean;
}

// A named (server-side prepared) statement: rpc.chat.authorize runs on every message send.
const AUTHORIZATION = {
  name: 'chat-authorization',
  text: `SELECT c.type, c.members_can_add AS "membersCanAdd", c.frozen, c.slow_mode_seconds AS "slowModeSeconds", c.truncated_at AS "truncatedAt",
      c.direct_low AS "directLow", c.direct_high AS "directHigh", m.role,
      COALESCE(NOT b.shadow, false) AS banned, COALESCE(b.shadow, false) AS "shadowBanned"
    FROM chats c
    LEFT JOIN members m ON m.chat_id = c.id AND m.user_id = $3
    LEFT JOIN bans b ON b.chat_id = c.id AND b.user_id = $3 AND (b.expires_at IS NULL OR b.expires_at > now())
    WHERE c.app_id = $1 AND c.id = $2 AND c.deleted_at IS NULL`,
};

export function findAuthorization(t: Executor, appId: string, chatId: string, userId: string): Promise<AuthorizationRow | null> {
  return t.oneOrNone<AuthorizationRow>({ ...AUTHORIZATION, values: [appId, chatId, userId] });
}
