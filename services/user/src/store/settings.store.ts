import type { GroupAddPolicy, NotificationSettings, PrivacySettings, UpdateSettingsBody, Visibility } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

export interface SettingsRow {
  lastSeen: Visibility;
  profilePhoto: Visibility;
  readReceipts: boolean;
  addToGroups: GroupAddPolicy;
  discoverableByPhone: boolean;
  discoverableByEmail: boolean;
  notifications: NotificationSettings;
}

const COLUMNS = `last_seen AS "lastSeen", profile_photo AS "profilePhoto", read_receipts AS "readReceipts", add_to_groups AS "addToGroups",
  discoverable_by_phone AS "discoverableByPhone", discoverable_by_email AS "discoverableByEmail", notifications`;

export function findSettings(t: Executor, appId: string, userId: string): Promise<SettingsRow | null> {
  return t.oneOrNone<SettingsRow>(`SELECT ${COLUMNS} FROM settings WHERE app_id = $1 AND user_id = $2`, [appId, userId]);
}

/** Applies the given settings; absent ones are kept. */
export function updateSettings(t: Executor, appId: string, userId: string, patch: UpdateSettingsBody): Promise<SettingsRow> {
  const p: Partial<PrivacySettings> = patch.privacy ?? {};
  return t.one<SettingsRow>(
    `UPDATE settings SET
       last_seen = COALESCE($<lastSeen>, last_seen),
       profile_photo = COALESCE($<profilePhoto>, profile_photo),
       read_receipts = COALESCE($<readReceipts>, read_receipts),
       add_to_groups = COALESCE($<addToGroups>, add_to_groups),
       discoverable_by_phone = COALESCE($<discoverableByPhone>, discoverable_by_phone),
       discoverable_by_email = COALESCE($<discoverableByEmail>, discoverable_by_email),
       notifications = notifications || $<notifications>::jsonb,
       updated_at = now()
     WHERE app_id = $<appId> AND user_id = $<userId> RETURNING ${COLUMNS}`,
    {
      appId,
      userId,
      lastSeen: p.lastSeen ?? null,
      profilePhoto: p.profilePhoto ?? null,
      readReceipts: p.readReceipts ?? null,
      addToGroups: p.addToGroups ?? null,
      discoverableByPhone: p.discoverableByPhone ?? null,
      discoverableByEmail: p.discoverableByEmail ?? null,
      notifications: JSON.stringify(patch.notifications ?? {}),
    },
  );
}
