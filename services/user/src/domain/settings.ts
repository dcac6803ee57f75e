import type { AccessClaims, Settings, UpdateSettingsBody } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { type SettingsRow, findSettings, updateSettings } from '../store/settings.store.js';
import { ensureOwnProfile, lockOwnProfile } from './profiles.js';

export function toSettings(row: SettingsRow): Settings {
  const { notifications, ...privacy } = row;
  return { privacy, notifications };
}

export async function getSettings(deps: UserDeps, caller: AccessClaims): Promise<Settings> {
  await ensureOwnProfile(deps, caller);
  const row = await findSettings(deps.platform.db, caller.app, caller.sub);
  if (!row) throw new NotFoundError('account not found');
  return toSettings(row);
}

export async function changeSettings(deps: UserDeps, caller: AccessClaims, patch: UpdateSettingsBody): Promise<Settings> {
  await ensureOwnProfile(deps, caller);
  return deps.platform.tx(async (t) => {
    await lockOwnProfile(t, caller);
    return toSettings(await updateSettings(t, caller.app, caller.sub, patch));
  });
}
