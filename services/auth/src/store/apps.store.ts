import type { Executor } from '@chat/service-kit';

export const DEFAULT_APP_ID = '00000000-0000-7000-8000-000000000001';

export interface AppRow {
  id: string;
  name: string;
  apiSecretHash: string | null;
  createdAt: Date;
}

export function insertApp(t: Executor, app: { id: string; name: string; apiKey: string; apiSecretHash: string }): Promise<AppRow> {
  return t.one<AppRow>(
    `INSERT INTO apps (id, name, api_key, api_secret_hash) VALUES ($1, $2, $3, $4)
     RETURNING id, name, api_secret_hash AS "apiSecretHash", created_at AS "createdAt"`,
    [app.id, app.name, app.apiKey, app.apiSecretHash],
  );
}

export function findAppByApiKey(t: Executor, apiKey: string): Promise<AppRow | null> {
  return t.oneOrNone<AppRow>(`SELECT id, name, api_secret_hash AS "apiSecretHash", created_at AS "createdAt" FROM apps WHERE api_key = $1`, [apiKey]);
}
