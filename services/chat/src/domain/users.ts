import { type AccessClaims, authRpcs, userRpcs } from '@chat/contracts';
import { AppError, ForbiddenError, callRpc } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';

/** What the caller may do with another user of the app. */
export interface UserStanding {
  /** Either of the two blocked the other. */
  blocked: boolean;
  /** The user's `addToGroups` privacy lets the caller add them (false when blocked). */
  canAddToGroups: boolean;
}

/** A profile-less account has default settings and no blocks: the user service keeps both on the profile. */
const NEW_ACCOUNT: UserStanding = { blocked: false, canAddToGroups: true };

/** Where a user id sits in the request body, for `errors[].path`. */
export type PathOf = (userId: string) => string;

/** `<field>.<index>` of the id's first place in the body's list. */
export function pathIn(field: string, list: string[]): PathOf {
  return (userId) => `${field}.${list.indexOf(userId)}`;
}

function noSuchUser(path: string): AppError {
  return new AppError(404, 'not_found', 'user not found', { errors: [{ path, message: 'no such user' }] });
}

/**
 * The standing of each user (of the caller's app) towards the caller, in one batched
 * rpc.user.privacy call. A user the user service does not know yet is a new account whose profile
 * is still being created, or no account of this app: auth settles which, stopping at the first
 * unknown id so a list of made-up ids costs one lookup. Unknown, deleted and other apps' users are
 * 404 naming where the id sits in the body.
 */
export async function getStandings(deps: ChatDeps, caller: AccessClaims, userIds: string[], pathOf: PathOf): Promise<Map<string, UserStanding>> {
  const { bus } = deps.platform;
  const timeout = deps.config.RPC_TIMEOUT_MS;
  const standings = new Map<string, UserStanding>();
  if (userIds.length === 0) return standings;
  const { users } = await callRpc(bus, userRpcs.privacy, { appId: caller.app, userIds, viewerId: caller.sub }, timeout);
  const known = new Map(users.map((u) => [u.userId, u]));
  for (const id of userIds) {
    const user = known.get(id);
    if (user) {
      if (user.deleted || !user.viewer) throw noSuchUser(pathOf(id));
      standings.set(id, { blocked: user.viewer.blocked, canAddToGroups: user.viewer.canAddToGroups });
      continue;
    }
    const { user: account } = await callRpc(bus, authRpcs.user, { appId: caller.app, userId: id }, timeout);
    if (!account || account.appId !== caller.app || account.deleted) throw noSuchUser(pathOf(id));
    standings.set(id, NEW_ACCOUNT);
  }
  return standings;
}

/**
 * 403 naming each user whose privacy (`addToGroups`) or a block either way keeps the caller from
 * adding them. Which of the two is not said: a block is not revealed.
 */
export function checkAddable(standings: Map<string, UserStanding>, userIds: string[], pathOf: PathOf): void {
  const refused = userIds.flatMap((id) => (standings.get(id)?.canAddToGroups ? [] : [{ path: pathOf(id), message: 'this user cannot be added by you' }]));
  if (refused.length > 0) throw new AppError(403, 'forbidden', 'some users cannot be added by you', { errors: refused });
}

/** Blocks either way keep a direct chat from being opened. */
export function checkNotBlocked(standing: UserStanding | undefined): void {
  if (!standing || standing.blocked) throw new ForbiddenError('you cannot open a direct chat with this user', 'blocked');
}
