import type { RouteDef } from '@chat/contracts';

/**
 * Literal segments before parameters, so `/chats/unread` is matched before `/chats/:id` whatever
 * service owns each.
 */
export function compareRoutes(a: RouteDef, b: RouteDef): number {
  const sa = a.path.split('/');
  const sb = b.path.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const pa = sa[i]!.startsWith(':');
    const pb = sb[i]!.startsWith(':');
    if (pa !== pb) return pa ? 1 : -1;
  }
  return sb.length - sa.length;
}
