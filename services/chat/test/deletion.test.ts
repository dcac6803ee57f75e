import type { Stack } from '@chat/testkit';
import { waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, deleteAccount, memberIds, newGroup, newUsers, setRole, watchEvents } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await stack?.stop();
});

/** Publishes `user.account.deleted` as the user service's relay would. */
async function publishAccountDeleted(appId: string, userId: string): Promise<void> {
  const event = { id: crypto.randomUUID(), type: 'user.account.deleted', occurredAt: new Date().toISOString(), appId, data: { userId } };
  await log.nc.request(`${stack.env.NATS_PREFIX}evt.user.account.deleted`, JSON.stringify(event), { timeout: 5000 });
}

describe('account deletion (user.account.deleted, durable chat-account-deletion)', () => {
  it('when a user deletes the account, then they leave every chat, owned ones passing to the oldest admin', async () => {
    const [gone, admin, member, peer] = await newUsers(stack, 4);
    const owned = await newGroup(stack, gone, [member, admin]);
    await setRole(stack, gone, owned.id, admin.id, 'admin');
    const joined = await newGroup(stack, member, [gone]);
    const direct = (await as(stack, peer).post('/chats', { type: 'direct', memberIds: [gone.id] })).body;

    expect((await deleteAccount(stack, gone)).status).toBe(204);

    await waitFor(async () => ((await memberIds(stack, admin, owned.id)).includes(gone.id) ? undefined : true), 5000, 'owner gone from the group');
    expect((await as(stack, admin).get(`/chats/${owned.id}`)).body.myRole).toBe('owner');
    await waitFor(async () => ((await as(stack, peer).get(`/chats/${direct.id}`)).body.memberCount === 1 ? true : undefined), 5000, 'direct chat left');
    expect(await memberIds(stack, member, joined.id)).toEqual([member.id]);
    const left = await log.waitFor('chat.member.left', { chatId: owned.id, userId: gone.id });
    expect(left.data).toEqual({ chatId: owned.id, userId: gone.id, reason: 'account_deleted', newOwnerId: admin.id });
    const chats = await log.rpc('rpc.chat.user-chats', { appId: gone.appId, userId: gone.id });
    expect(chats.data).toEqual({ chatIds: [], nextAfter: null });
  });

  it('when the same deletion event arrives twice, then the second changes nothing', async () => {
    const [gone, stays, marker] = await newUsers(stack, 3);
    const chat = await newGroup(stack, stays, [gone, marker]);
    expect((await deleteAccount(stack, gone)).status).toBe(204);
    await log.waitFor('chat.member.left', { chatId: chat.id, userId: gone.id });

    // Redelivery, then a later event: the consumer handles them in stream order.
    await publishAccountDeleted(gone.appId, gone.id);
    await publishAccountDeleted(marker.appId, marker.id);
    await log.waitFor('chat.member.left', { chatId: chat.id, userId: marker.id });
    expect(log.about('chat.member.left', chat.id).filter((e) => e.data.userId === gone.id)).toHaveLength(1);
    expect((await as(stack, stays).get(`/chats/${chat.id}`)).body).toMatchObject({ memberCount: 1, myRole: 'owner' });
  });
});
