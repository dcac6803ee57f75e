import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseConfig, ConfigError, parseConfig, requiredInProduction, withGeneratedSecrets } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';

describe('config', () => {
  it('when a value is bad, then the error names every bad key', () => {
    expect(() => parseConfig(BaseConfig, { PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrow(ConfigError);
    try {
      parseConfig(BaseConfig, { PORT: 'eighty', DATABASE_URL: 'not a url' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('when a value is empty, then it counts as unset and the default applies', () => {
    expect(parseConfig(BaseConfig, { PORT: '1', REDIS_PREFIX: '' }).REDIS_PREFIX).toBe('chat:');
  });

  it('when not in production, then a missing secret is generated once per install and kept private; in production never', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const first = withGeneratedSecrets({ NODE_ENV: 'development', SECRETS_DIR: dir }, { K: 'base64-32' }).K;
    expect(Buffer.from(first ?? '', 'base64')).toHaveLength(32);
    expect(withGeneratedSecrets({ NODE_ENV: 'development', SECRETS_DIR: dir }, { K: 'base64-32' }).K).toBe(first);
    expect(readFileSync(join(dir, 'K'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'K')).mode & 0o077).toBe(0);
    const other = withGeneratedSecrets({ NODE_ENV: 'development', SECRETS_DIR: mkdtempSync(join(tmpdir(), 'secrets-')) }, { K: 'base64-32' }).K;
    expect(other).not.toBe(first);
    expect(withGeneratedSecrets({ NODE_ENV: 'development', SECRETS_DIR: dir, K: 'set' }, { K: 'token' }).K).toBe('set');
    expect(withGeneratedSecrets({ NODE_ENV: 'production', SECRETS_DIR: dir }, { K: 'token' }).K).toBeUndefined();
  });

  it('when production rules fail, then they are reported together with schema errors', () => {
    const attempt = () => parseConfig(BaseConfig, { NODE_ENV: 'production', PORT: 'x' }, { SECRET_A: requiredInProduction, SECRET_B: requiredInProduction });
    expect(attempt).toThrow(/PORT[\s\S]*SECRET_A[\s\S]*SECRET_B/);
    expect(() => parseConfig(BaseConfig, { NODE_ENV: 'development', PORT: '1' }, { SECRET_A: requiredInProduction })).not.toThrow();
  });

  it('when in production, then NATS credentials and a Redis URL with credentials are required; given, they pass', () => {
    const message = (env: Record<string, string>) => {
      try {
        parseConfig(BaseConfig, { NODE_ENV: 'production', PORT: '1', ...env });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const bare = message({});
    for (const key of ['NATS_USER', 'NATS_PASSWORD', 'REDIS_URL']) expect(bare).toContain(key);
    expect(message({ NATS_USER: 'chat', NATS_PASSWORD: 'pw', REDIS_URL: 'redis://redis:6379' })).toMatch(/REDIS_URL: must carry credentials/);
    expect(message({ NATS_USER: 'chat', NATS_PASSWORD: 'pw', REDIS_URL: 'redis://chat:secret@redis:6379' })).toBe('');
  });
});
