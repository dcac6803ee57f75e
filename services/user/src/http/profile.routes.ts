import { userRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { deleteAccount } from '../domain/account.js';
import { exportAccount } from '../domain/export.js';
import { getProfile, updateOwnProfile } from '../domain/profiles.js';
import { changeSettings, getSettings } from '../domain/settings.js';

/** The caller's own profile, settings and account. */
export function mountOwnProfileRoutes(mount: MountRoute, deps: UserDeps): void {
  mount(userRoutes.me, ({ auth }) => getProfile(deps, auth, auth.sub));
  mount(userRoutes.updateMe, ({ auth, body }) => updateOwnProfile(deps, auth, body));
  mount(userRoutes.deleteMe, ({ auth, body }) => deleteAccount(deps, auth, body.password));
  mount(userRoutes.settings, ({ auth }) => getSettings(deps, auth));
  mount(userRoutes.updateSettings, ({ auth, body }) => changeSettings(deps, auth, body));
  mount(userRoutes.export, ({ auth }) => exportAccount(deps, auth));
}

/** Other users' profiles: mounted after every `/users/me…` route. */
export function mountProfileRoutes(mount: MountRoute, deps: UserDeps): void {
  mount(userRoutes.get, ({ auth, params }) => getProfile(deps, auth, params.id));
}
