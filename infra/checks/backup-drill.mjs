#!/usr/bin/env node
// Data for the backup drill (infra/checks/backup-drill.sh), through the public API only.
//   node infra/checks/backup-drill.mjs seed <state.json>    users, chats, messages, uploaded images
//   node infra/checks/backup-drill.mjs verify <state.json>  logs in again, reads every message and
//                                                           downloads every image, compares bytes
// GATEWAY_URL (default http://127.0.0.1:8080). Sizes: DRILL_USERS (10), DRILL_MESSAGES_PER_USER (100).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const base = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const USERS = Number(process.env.DRILL_USERS ?? 10);
const PER_USER = Number(process.env.DRILL_MESSAGES_PER_USER ?? 100);
const [phase, statePath] = process.argv.slice(2);

async function api(method, path, { token, json, form } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) body = form;
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** A PNG of w×h noisy pixels (noise keeps it from compressing to nothing), made with zlib alone. */
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const noise = randomBytes(raw.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x + (noise[o] & 15)) & 255;
      raw[o + 1] = (y + (noise[o + 1] & 15)) & 255;
      raw[o + 2] = noise[o + 2];
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function seed() {
  const run = randomBytes(3).toString('hex');
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const username = `drill_${run}_${i}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const { user, tokens } = await api('POST', '/auth/register', { json: { username, password, displayName: `Drill ${i}` } });
    users.push({ id: user.id, username, password, token: tokens.accessToken });
  }
  const [owner, ...others] = users;
  const group = await api('POST', '/chats', { token: owner.token, json: { type: 'group', name: `drill ${run}`, memberIds: others.map((u) => u.id) } });
  const media = [];
  for (const u of users) {
    const bytes = png(640, 480);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), `photo-${u.username}.png`);
    const m = await api('POST', '/media?purpose=attachment', { token: u.token, form });
    await api('POST', `/chats/${group.id}/messages`, {
      token: u.token,
      json: { clientMessageId: `img-${m.id}`, text: 'a photo', attachments: [{ mediaId: m.id }] },
    });
    media.push({ id: m.id, owner: u.username, size: bytes.length, sha256: sha256(bytes) });
  }
  let sent = users.length;
  const texts = [];
  for (let i = 0; i < PER_USER; i++) {
    await Promise.all(
      users.map(async (u, j) => {
        const text = `message ${i} from ${j}: ${randomBytes(24).toString('base64')}`;
        await api('POST', `/chats/${group.id}/messages`, { token: u.token, json: { clientMessageId: `m-${run}-${j}-${i}`, text } });
        texts.push(text);
        sent++;
      }),
    );
  }
  const textDigest = sha256(texts.sort().join('\n'));
  const state = { run, chatId: group.id, users: users.map(({ token, ...u }) => u), media, messages: sent, textDigest };
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  console.log(JSON.stringify({ phase: 'seed', users: users.length, messages: sent, images: media.length, imageBytes: media.reduce((s, m) => s + m.size, 0) }));
}

async function verify() {
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  const tokens = {};
  for (const u of state.users)
    tokens[u.username] = (await api('POST', '/auth/login', { json: { identifier: u.username, password: u.password } })).tokens.accessToken;
  const reader = tokens[state.users.at(-1).username];
  const messages = [];
  let before;
  for (;;) {
    const q = new URLSearchParams({ limit: '100', ...(before ? { before: String(before) } : {}) });
    const page = await api('GET', `/chats/${state.chatId}/messages?${q}`, { token: reader });
    const items = page.data;
    if (items.length === 0) break;
    messages.push(...items);
    before = Math.min(...items.map((m) => m.seq));
    if (!page.hasMore) break;
  }
  const texts = messages.filter((m) => m.text && m.text.startsWith('message ')).map((m) => m.text);
  const withMedia = messages.filter((m) => (m.attachments ?? []).length > 0).length;
  let imagesOk = 0;
  for (const m of state.media) {
    const meta = await api('GET', `/media/${m.id}`, { token: reader });
    const url = new URL(meta.url, base);
    const res = await fetch(new URL(url.pathname + url.search, base));
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.ok && sha256(bytes) === m.sha256) imagesOk++;
    else console.error(`media ${m.id}: ${res.status}, ${bytes.length} bytes`);
  }
  const result = {
    phase: 'verify',
    logins: Object.keys(tokens).length,
    messagesRead: messages.length,
    messagesExpected: state.messages,
    textsMatch: sha256(texts.sort().join('\n')) === state.textDigest,
    messagesWithImages: withMedia,
    imagesIdentical: imagesOk,
    imagesExpected: state.media.length,
  };
  console.log(JSON.stringify(result));
  const ok = result.messagesRead >= result.messagesExpected && result.textsMatch && imagesOk === state.media.length;
  if (!ok) process.exit(1);
}

if (phase === 'seed' && statePath) await seed();
else if (phase === 'verify' && statePath) await verify();
else {
  console.error('usage: backup-drill.mjs seed|verify <state.json>');
  process.exit(2);
}
