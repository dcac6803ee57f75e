import { BaseConfig, ConfigError, parseConfig, requiredInProduction, withDevSecrets } from '@chat/service-kit';
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

  it('when not in production, then dev secrets fill the gaps; in production they never do', () => {
    expect(withDevSecrets({ NODE_ENV: 'development' }, { K: 'dev' }).K).toBe('dev');
    expect(withDevSecrets({ NODE_ENV: 'production' }, { K: 'dev' }).K).toBeUndefined();
  });

  it('when production rules fail, then they are reported together with schema errors', () => {
    const attempt = () => parseConfig(BaseConfig, { NODE_ENV: 'production', PORT: 'x' }, { SECRET_A: requiredInProduction, SECRET_B: requiredInProduction });
    expect(attempt).toThrow(/PORT[\s\S]*SECRET_A[\s\S]*SECRET_B/);
    expect(() => parseConfig(BaseConfig, { NODE_ENV: 'development', PORT: '1' }, { SECRET_A: requiredInProduction })).not.toThrow();
  });
});
