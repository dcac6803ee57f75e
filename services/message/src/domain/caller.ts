import type { AccessClaims } from '@chat/contracts';

/** Who acts: the same shape whether the call came over REST (token claims) or rpc. */
export interface Caller {
  appId: string;
  userId: string;
}

export const callerOf = (claims: AccessClaims): Caller => ({ appId: claims.app, userId: claims.sub });
