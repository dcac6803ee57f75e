import { authRoutes } from './auth.js';
import { chatRoutes } from './chat.js';
import { mediaRoutes } from './media.js';
import { messageRoutes } from './message.js';
import type { RouteDef } from './routes.js';

/** A request body and a success body of one route, shown in the OpenAPI document (checked against the route's schemas by the contract tests). */
export interface RouteExample {
  request?: unknown;
  response?: unknown;
}

const APP = '0190f3c2-6a1e-7c3b-9d2f-000000000001';
const ALICE = '0190f3c2-6a1e-7c3b-9d2f-00000000a11c';
const BOB = '0190f3c2-6a1e-7c3b-9d2f-000000000b0b';
const CHAT = '0190f3c2-6a1e-7c3b-9d2f-00000000c4a7';
const MESSAGE = '0190f3c2-6a1e-7c3b-9d2f-0000000000e1';
const MEDIA = '0190f3c2-6a1e-7c3b-9d2f-0000000000d1';
const NOW = '2026-01-01T12:00:00.000Z';

const user = {
  id: ALICE,
  appId: APP,
  username: 'alice',
  displayName: 'Alice',
  email: 'alice@example.com',
  emailVerified: false,
  phoneVerified: false,
  twoFactorEnabled: false,
  createdAt: NOW,
};
/** An app's user minted by `POST /server/token`: no email or password of its own. */
const appUser = {
  id: BOB,
  appId: APP,
  username: 'u_customer_8812',
  displayName: 'Carol',
  emailVerified: false,
  phoneVerified: false,
  twoFactorEnabled: false,
  createdAt: NOW,
};
const tokens = {
  accessToken: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl',
  refreshToken: 'Jm9yZXZlci1yYW5kb20tb3BhcXVlLXRva2Vu',
  accessTokenExpiresAt: '2026-01-01T12:15:00.000Z',
  refreshTokenExpiresAt: '2026-01-31T12:00:00.000Z',
};
const attachment = { id: MEDIA, kind: 'image', contentType: 'image/png', size: 48213, fileName: 'photo.png', width: 800, height: 600 };
const message = {
  id: MESSAGE,
  chatId: CHAT,
  seq: 42,
  senderId: ALICE,
  clientMessageId: 'c-17',
  type: 'text',
  text: 'hi Bob',
  attachments: [],
  replyToId: null,
  quotedMessageId: null,
  mentions: [],
  silent: false,
  forwardedFrom: null,
  location: null,
  contact: null,
  poll: null,
  reactions: [],
  pinned: false,
  replyCount: 0,
  lastReplyAt: null,
  editedAt: null,
  deleted: false,
  createdAt: NOW,
};
const chat = {
  id: CHAT,
  type: 'group',
  name: 'Weekend trip',
  description: null,
  avatarMediaId: null,
  isPublic: false,
  membersCanAdd: false,
  memberCount: 2,
  peerId: null,
  frozen: false,
  slowModeSeconds: 0,
  truncatedAt: null,
  createdBy: ALICE,
  createdAt: NOW,
  updatedAt: NOW,
  lastActivityAt: NOW,
  myRole: 'owner',
  muted: false,
  mutedUntil: null,
  pinned: false,
  archived: false,
  lastMessage: null,
  lastSeq: 0,
  unreadCount: 0,
};
const media = {
  id: MEDIA,
  ownerId: ALICE,
  fileName: 'photo.png',
  contentType: 'image/png',
  size: 48213,
  kind: 'image',
  purpose: 'attachment',
  status: 'ready',
  width: 800,
  height: 600,
  url: `/api/v1/media/${MEDIA}/content?variant=original&exp=1767272400&sig=q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c`,
  thumbnailUrl: `/api/v1/media/${MEDIA}/content?variant=thumb&exp=1767272400&sig=m1n2b3v4c5x6z7l8k9j0h1g2f3d4s5a6p7o8i9u0y1t`,
  urlExpiresAt: '2026-01-01T13:00:00.000Z',
  createdAt: NOW,
};

/** The main flows: sign up or in, keep a session, open a chat, talk in it, share a file, and an app's backend minting tokens. */
export const routeExamples = new Map<RouteDef, RouteExample>([
  [
    authRoutes.register,
    {
      request: { username: 'alice', password: 'correct horse battery', email: 'alice@example.com', displayName: 'Alice', deviceName: 'Pixel 9' },
      response: { user, tokens },
    },
  ],
  [authRoutes.login, { request: { identifier: 'alice', password: 'correct horse battery', deviceName: 'Pixel 9' }, response: { user, tokens } }],
  [authRoutes.refresh, { request: { refreshToken: tokens.refreshToken }, response: { tokens } }],
  [authRoutes.serverToken, { request: { externalId: 'customer-8812', displayName: 'Carol' }, response: { user: appUser, tokens } }],
  [chatRoutes.create, { request: { type: 'group', name: 'Weekend trip', memberIds: [BOB] }, response: chat }],
  [messageRoutes.send, { request: { clientMessageId: 'c-17', text: 'hi Bob' }, response: message }],
  [
    messageRoutes.history,
    {
      response: {
        data: [
          message,
          {
            ...message,
            id: '0190f3c2-6a1e-7c3b-9d2f-0000000000e0',
            seq: 41,
            clientMessageId: 'c-16',
            text: 'photos from Saturday',
            type: 'image',
            attachments: [attachment],
          },
        ],
        hasMore: true,
      },
    },
  ],
  [mediaRoutes.upload, { response: media }],
  [
    mediaRoutes.createUpload,
    {
      request: { fileName: 'photo.png', contentType: 'image/png', size: 48213, purpose: 'attachment' },
      response: {
        mediaId: MEDIA,
        uploadUrl: `https://uploads.example.com/bucket/${APP}/${MEDIA}/upload?X-Amz-Signature=abc123`,
        uploadMethod: 'PUT',
        uploadHeaders: { 'content-type': 'image/png', 'content-length': '48213' },
        expiresAt: '2026-01-01T12:05:00.000Z',
      },
    },
  ],
  [mediaRoutes.completeUpload, { response: media }],
]);
