import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIT_MIGRATIONS_DIR, createDatabase, createLogger, ensureDatabase, migrate } from '@chat/service-kit';
import { type Isolation, createIsolation } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MIGRATIONS } from './helpers.js';

const logger = createLogger('test', 'silent');
const sets = [
  { source: 'kit', dir: KIT_MIGRATIONS_DIR },
  { source: 'kittest', dir: FIXTURE_MIGRATIONS },
];

describe('migration runner', () => {
  let isolation: Isolation;
  beforeAll(() => {
    isolation = createIsolation();
  });
  afterAll(() => isolation.cleanup());

  it('when the database is missing, then it is created', async () => {
    await ensureDatabase(isolation.env.DATABASE_URL!);
    await ensureDatabase(isolation.env.DATABASE_URL!); // and a second call is harmless
    const db = createDatabase(isolation.env.DATABASE_URL!, 'public', 1);
    try {
      expect(await db.one('SELECT current_database() AS name')).toEqual({ name: `chat_test_${isolation.id}` });
    } finally {
      await db.$pool.end();
    }
  });

  it('when two replicas start at once, then each migration is applied exactly once', async () => {
    await ensureDatabase(isolation.env.DATABASE_URL!);
    const a = createDatabase(isolation.env.DATABASE_URL!, 'race', 2);
    const b = createDatabase(isolation.env.DATABASE_URL!, 'race', 2);
    try {
      const [appliedA, appliedB] = await Promise.all([migrate(a, 'race', sets, logger), migrate(b, 'race', sets, logger)]);
      expect([...appliedA, ...appliedB].sort()).toEqual([
        'kit:0001_outbox.sql',
        'kit:0002_outbox_json.sql',
        'kittest:0001_items.sql',
        'kittest:0002_items_created_at.sql',
      ]);
      const rows = await a.any('SELECT name FROM race.migrations ORDER BY name');
      expect(rows).toHaveLength(4);
      await a.none('INSERT INTO race.items (id, name) VALUES (gen_random_uuid(), $1)', ['ok']);
      expect(await migrate(a, 'race', sets, logger)).toEqual([]);
    } finally {
      await Promise.all([a.$pool.end(), b.$pool.end()]);
    }
  });

  it('when a migration fails, then nothing of it is kept and it is retried next time', async () => {
    await ensureDatabase(isolation.env.DATABASE_URL!);
    const dir = mkdtempSync(join(tmpdir(), 'migr-'));
    writeFileSync(join(dir, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
    writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE half (id int); SELECT no_such_function();');
    const db = createDatabase(isolation.env.DATABASE_URL!, 'broken', 1);
    try {
      await expect(migrate(db, 'broken', [{ source: 'x', dir }], logger)).rejects.toThrow();
      const tables = await db.map("SELECT table_name FROM information_schema.tables WHERE table_schema = 'broken' ORDER BY 1", [], (r) => r.table_name);
      expect(tables).toEqual(['migrations', 'ok']);
      writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE half (id int);');
      expect(await migrate(db, 'broken', [{ source: 'x', dir }], logger)).toEqual(['x:0002_broken.sql']);
    } finally {
      await db.$pool.end();
    }
  });

  it('when a file is not named NNNN_name.sql, then the runner refuses to start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migr-'));
    writeFileSync(join(dir, 'init.sql'), 'SELECT 1;');
    const db = createDatabase(isolation.env.DATABASE_URL!, 'badname', 1);
    try {
      await expect(migrate(db, 'badname', [{ source: 'x', dir }], logger)).rejects.toThrow(/0001_name\.sql/);
    } finally {
      await db.$pool.end();
    }
  });
});
