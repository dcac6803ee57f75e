import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createLimiter, createServiceApp, type Platform, type ServiceHandle, TokenVerifier } from '@chat/service-kit';
import bcrypt from 'bcrypt';
import { consumeAccountDeletions } from './bus/account-deletion.consumer.js';
import { serveAccountLookup, serveVerifyPassword } from './bus/accounts.rpc.js';
import { serveAppCredentials } from './bus/apps.rpc.js';
import { serveJwks } from './bus/jwks.rpc.js';
import { type AuthConfig, loadAuthConfig } from './config.js';
import type { AuthDeps } from './deps.js';
import { normalizeIdentifier } from './domain/login.js';
import { restoreRevocations, watchRevocations } from './domain/sessions.js';
import { mountAccountRoutes } from './http/account.routes.js';
import { mountPasswordRoutes } from './http/password.routes.js';
import { mountPhoneRoutes } from './http/phone.routes.js';
import { mountSessionRoutes } from './http/sessions.routes.js';
import { mountTenancyRoutes } from './http/tenancy.routes.js';
import { mountTwoFactorRoutes } from './http/two-factor.routes.js';
import { type Mailer, mailboxMailer, smtpMailer } from './mailer.js';
import { authRateLimits } from './rate-limits.js';
import { jwksOf, loadSigningKey, localKeySource } from './signing-key.js';
import { createSmsSender } from './sms.js';

export const SERVICE = 'auth';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Failed logins are counted per normalized identifier; bodies without a string identifier share one bucket. */
function loginIdentifierKey(req: import('express').Request): string {
  const identifier: unknown = req.body?.identifier;
  return typeof identifier === 'string' ? normalizeIdentifier(identifier) : '';
}

export function createMailer(config: AuthConfig): Mailer {
  return config.MAIL_SMTP_URL ? smtpMailer(config.MAIL_SMTP_URL, config.MAIL_FROM) : mailboxMailer(config.MAILBOX_DIR, config.MAIL_FROM);
}

export function createService(platform: Platform, config: AuthConfig): ServiceHandle {
  const signingKey = loadSigningKey(config.AUTH_PRIVATE_KEY, config.AUTH_KEYS_DIR, platform.logger);
  const deps: AuthDeps = {
    platform,
    config,
    signingKey,
    mailer: createMailer(config),
    sms: createSmsSender(config),
    dummyPasswordHash: bcrypt.hashSync('not-a-real-password', config.BCRYPT_COST),
  };
  const verifier = new TokenVerifier(localKeySource(signingKey), platform.revocations);
  const limits = authRateLimits(config);
  const limiter = (name: string, rule: (typeof limits)[keyof typeof limits], key?: (req: import('express').Request) => string) =>
    createLimiter(platform.redis, platform.keys, { name, rule, key, countFailuresOnly: true });

  const app = createServiceApp(platform, {
    verifier,
    routes: (mount, app) => {
      app.get('/.well-known/jwks.json', (_req, res) => {
        res.set('cache-control', 'public, max-age=300').json(jwksOf(signingKey));
      });
      const loginLimiters = [
        limiter('login-ip-failures', limits.loginPerIp),
        limiter('login-identifier-failures', limits.loginPerIdentifier, loginIdentifierKey),
      ];
      mountAccountRoutes(mount, deps, loginLimiters);
      mountSessionRoutes(mount, deps);
      mountPasswordRoutes(mount, deps);
      const perUser = (req: import('express').Request) => String(req.res?.locals.auth?.sub);
      mountTwoFactorRoutes(mount, deps, limiter('totp-failures', limits.totpPerUser, perUser));
      mountPhoneRoutes(mount, deps, limiter('phone-code-failures', limits.phoneCodePerUser, perUser));
      mountTenancyRoutes(mount, deps);
    },
  });
  return {
    app,
    ...backgroundTasks(async () => {
      const rpcs = [serveJwks(platform.bus, signingKey), serveAccountLookup(deps), serveVerifyPassword(deps), serveAppCredentials(deps)];
      await restoreRevocations(deps);
      return [...rpcs, watchRevocations(deps, config.REVOCATION_CHECK_MS), await consumeAccountDeletions(deps)];
    }),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadAuthConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
