// The benchmark's users and rooms, made through the public API with the client library: an app,
// its users minted by the app's server key, then group chats of a given size.
import { type Chat, RestClient } from '@chat/client';
import { pool } from '@chat/testkit';
import type { BenchStack } from './stack.js';

export interface User {
  id: string;
  token: string;
}

/** A user seated in one room of a layout. */
export interface Seat extends User {
  chatId: string;
}

/** `count` users of a new app. */
export async function mintUsers(stack: BenchStack, count: number): Promise<User[]> {
  const admin = new RestClient({ baseUrl: stack.gatewayUrl, headers: { 'x-admin-key': stack.adminKey } });
  const app = await admin.call<{ apiKey: string; apiSecret: string }>('POST', '/admin/apps', { body: { name: `bench ${Date.now()}` }, auth: false });
  const server = new RestClient({ baseUrl: stack.gatewayUrl, headers: { 'x-api-key': app.apiKey, 'x-api-secret': app.apiSecret } });
  return pool(count, 32, async (i) => {
    const res = await server.call<{ user: { id: string }; tokens: { accessToken: string } }>('POST', '/server/token', {
      body: { externalId: `u${i}` },
      auth: false,
    });
    return { id: res.user.id, token: res.tokens.accessToken };
  });
}

/** Seats `users` in group chats of `size` (the first of each room creates it). */
export async function seatInRooms(stack: BenchStack, users: User[], size: number): Promise<Seat[]> {
  const seats: Seat[] = [];
  await pool(Math.ceil(users.length / size), 8, async (r) => {
    const members = users.slice(r * size, (r + 1) * size);
    const owner = new RestClient({ baseUrl: stack.gatewayUrl, tokens: { accessToken: members[0]!.token } });
    const chat: Chat = await owner.createChat({ type: 'group', name: `room ${r}`, memberIds: members.slice(1).map((m) => m.id) });
    members.forEach((m, i) => (seats[r * size + i] = { ...m, chatId: chat.id }));
  });
  return seats;
}
