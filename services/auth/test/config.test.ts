import { ConfigError } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../src/config.js';

describe('auth config', () => {
  it('when auth runs in production without its secrets, then it refuses to start and names each one', () => {
    const attempt = () => loadAuthConfig({ NODE_ENV: 'production', BCRYPT_COST: '4' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    for (const key of ['TOTP_ENCRYPTION_KEY', 'AUTH_PRIVATE_KEY', 'MAIL_SMTP_URL', 'SMS_PROVIDER_URL', 'SMS_PROVIDER_TOKEN', 'BCRYPT_COST'])
      expect(message).toContain(key);
  });

  it('when an SMS provider URL is given without its token, then it refuses to start naming the token', () => {
    expect(() => loadAuthConfig({ NODE_ENV: 'development', SMS_PROVIDER_URL: 'https://sms.example.test/send' })).toThrow(/SMS_PROVIDER_TOKEN/);
  });

  it('when not in production, then it starts without any secret configured', () => {
    expect(loadAuthConfig({ NODE_ENV: 'development' }).BCRYPT_COST).toBe(12);
  });
});
