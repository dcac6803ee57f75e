import { randomBytes } from 'node:crypto';
import type { AccessClaims, CreateInviteBody, InviteLink } from '@chat/contracts';
import { NotFoundError, ValidationError } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { insertInvite, revokeInvite as markRevoked } from '../store/invites.store.js';
import { accessChatFor } from './access.js';
import { toInviteLink } from './views.js';

/** 128 random bits: codes cannot be guessed, so a wrong code needs no lock-out. */
function newInviteCode(): string {
  return randomBytes(16).toString('base64url');
}

/** A time a client sets must lie ahead (a mute may lie anywhere). */
export function futureTime(value: string | undefined, path: string): Date | null {
  if (value === undefined) return null;
  const at = new Date(value);
  if (at.getTime() <= Date.now()) throw new ValidationError([{ path, message: 'must be in the future' }]);
  return at;
}

export async function createInvite(deps: ChatDeps, caller: AccessClaims, chatId: string, body: CreateInviteBody): Promise<InviteLink> {
  const expiresAt = futureTime(body.expiresAt, 'expiresAt');
  const { db } = deps.platform;
  const { chat } = await accessChatFor(db, caller, chatId, 'manage_invites');
  const row = await insertInvite(db, {
    code: newInviteCode(),
    appId: caller.app,
    chatId: chat.id,
    createdBy: caller.sub,
    expiresAt,
    maxUses: body.maxUses ?? null,
  });
  return toInviteLink(row);
}

/** Revokes a link of the chat: joining with it is 404 from then on. */
export async function revokeInvite(deps: ChatDeps, caller: AccessClaims, chatId: string, code: string): Promise<void> {
  const { db } = deps.platform;
  const { chat } = await accessChatFor(db, caller, chatId, 'manage_invites');
  if (!(await markRevoked(db, chat.id, code))) throw new NotFoundError('invite link not found');
}
