import { ConfigError } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';
import { loadMediaConfig } from '../src/config.js';

function messageOf(attempt: () => unknown): string {
  try {
    attempt();
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('media config', () => {
  it('when media runs in production without its store and secrets, then it refuses to start and names each one', () => {
    const message = messageOf(() => loadMediaConfig({ NODE_ENV: 'production' }));
    for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'MEDIA_URL_SECRET']) expect(message).toContain(key);
  });

  it('when not in production, then it starts with no configuration, on the embedded store, 100 MB files', () => {
    const config = loadMediaConfig({ NODE_ENV: 'development' });
    expect(config.S3_ENDPOINT).toBeUndefined();
    expect(config.MEDIA_MAX_BYTES).toBe(100 * 1024 * 1024);
    expect(config.UPLOAD_URL_TTL_S).toBeLessThanOrEqual(300);
  });

  it('when a presigned upload would outlive 5 minutes or the URL secret is short, then the value is refused', () => {
    expect(messageOf(() => loadMediaConfig({ UPLOAD_URL_TTL_S: '301' }))).toContain('UPLOAD_URL_TTL_S');
    expect(messageOf(() => loadMediaConfig({ MEDIA_URL_SECRET: 'short' }))).toContain('MEDIA_URL_SECRET');
    expect(messageOf(() => loadMediaConfig({ MEDIA_ALLOWED_TYPES: 'images' }))).toContain('MEDIA_ALLOWED_TYPES');
  });
});
