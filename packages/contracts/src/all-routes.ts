import { authRoutes } from './auth.js';
import { chatRoutes } from './chat.js';
import { mediaRoutes } from './media.js';
import { messageRoutes } from './message.js';
import { presenceRoutes } from './presence.js';
import type { RouteDef } from './routes.js';
import { searchRoutes } from './search.js';
import { userRoutes } from './user.js';

/** Every public route of the system; the gateway routes by it and the OpenAPI document is built from it. */
export const allRoutes: RouteDef[] = [...Object.values(authRoutes), ...Object.values(mediaRoutes), ...Object.values(userRoutes), ...Object.values(chatRoutes), ...Object.values(messageRoutes), ...Object.values(presenceRoutes), ...Object.values(searchRoutes)];
