import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Live, as, newUsers } from './helpers.js';
import { startPresenceStack } from './stack.js';

const AWAY_AFTER_MS = 600;

let stack: Stack;
let live: Live;
beforeAll(async () => {
  stack = await startPresenceStack({ PRESENCE_AWAY_AFTER_MS: String(AWAY_AFTER_MS), PRESENCE_OFFLINE_GRACE_MS: '100' });
  live = await Live.record(stack);
});
afterAll(async () => {
  await live?.close();
  await stack?.stop();
});

const statuses = (userId: string) => live.presence(userId).map((d) => d.status);

describe('away after inactivity', () => {
  it('when a connected user does nothing but ping, then away is published once, and activity brings online back', async () => {
    const [user] = await newUsers(stack, 1);
    // Connecting is the user's last activity: away may not come sooner than AWAY_AFTER_MS after it
    // (measured from here, not from when `online` was seen, which a busy machine delays).
    const startedAt = Date.now();
    const c = await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    await live.heartbeat([{ who: user!, connectionId: c, active: false }]);

    await live.waitPresence(user!.id, { status: 'away' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(AWAY_AFTER_MS - 100);
    await live.heartbeat([{ who: user!, connectionId: c, active: false }]);
    await live.heartbeat([{ who: user!, connectionId: c, active: true }]);
    await live.waitPresence(user!.id, { status: 'online' }, 2);
    expect(statuses(user!.id)).toEqual(['online', 'away', 'online']);
  });

  it('when the user chose dnd, then inactivity does not turn it into away', async () => {
    const [user, other] = await newUsers(stack, 2);
    await as(stack, user!).put('/presence/me', { status: 'dnd' });
    await live.connect(user!);
    await live.connect(other!);
    await live.waitPresence(user!.id, { status: 'dnd' });
    // `other` turning away proves the away timer of both has run out.
    await live.waitPresence(other!.id, { status: 'away' });
    expect(statuses(user!.id)).toEqual(['dnd']);
  });

  it('when activity keeps coming, then the user stays online', async () => {
    const [user, idle] = await newUsers(stack, 2);
    const c = await live.connect(user!);
    await live.connect(idle!);
    let running = true;
    const loop = (async () => {
      while (running) {
        await live.heartbeat([{ who: user!, connectionId: c, active: true }]);
        await new Promise((r) => setTimeout(r, AWAY_AFTER_MS / 4));
      }
    })();
    await live.waitPresence(idle!.id, { status: 'away' });
    running = false;
    await loop;
    expect(statuses(user!.id)).toEqual(['online']);
  });
});
