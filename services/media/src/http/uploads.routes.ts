import { mediaRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { doCompleteUpload, doCreateUpload, doDirectUpload } from '../domain/uploads.js';
import { acceptMultipart, receiveFile } from './multipart.js';

export function mountUploadRoutes(mount: MountRoute, deps: MediaDeps): void {
  const maxBytes = deps.config.MEDIA_MAX_BYTES;
  mount(mediaRoutes.createUpload, ({ auth, body }) => doCreateUpload(deps, auth, body));
  mount(mediaRoutes.completeUpload, ({ auth, params }) => doCompleteUpload(deps, auth, params.id));
  mount(
    mediaRoutes.upload,
    async ({ auth, query, req }) =>
      doDirectUpload(deps, auth, query.purpose ?? 'attachment', await receiveFile(req, mediaRoutes.upload.multipartFile, maxBytes)),
    acceptMultipart(maxBytes),
  );
}
