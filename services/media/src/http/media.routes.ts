import { pipeline } from 'node:stream/promises';
import { mediaRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { openContent } from '../domain/content.js';
import { doDeleteMedia, getMedia, listMedia } from '../domain/media.js';

function isClientGone(err: unknown): boolean {
  return (err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

export function mountMediaRoutes(mount: MountRoute, deps: MediaDeps): void {
  mount(mediaRoutes.list, ({ auth, query }) => listMedia(deps, auth, query.cursor, query.limit));
  mount(mediaRoutes.get, ({ auth, params }) => getMedia(deps, auth, params.id));
  mount(mediaRoutes.delete, ({ auth, params }) => doDeleteMedia(deps, auth, params.id));
  mount(mediaRoutes.content, async ({ params, query, req, res }) => {
    const content = await openContent(deps, params.id, query, req.headers.range);
    res.status(content.status).set(content.headers);
    // A reader that goes away mid-download is not an error of ours.
    await pipeline(content.body, res).catch((err: unknown) => {
      if (!isClientGone(err)) throw err;
    });
  });
}
