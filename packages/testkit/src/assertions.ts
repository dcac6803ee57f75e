import { expect } from 'vitest';
import type { ApiResponse } from './client.js';
import type { Stack } from './stack.js';

/** Asserts an RFC 9457 answer: problem+json with the given status and code, and every required member. */
export function expectProblem(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code });
}

/** Asserts a 400 validation_failed whose errors[] name `path`. */
export function expectInvalid(res: ApiResponse, path: string): void {
  expectProblem(res, 400, 'validation_failed');
  expect(res.body.errors?.map((e: { path: string }) => e.path)).toContain(path);
}

/** A caller: anything with an access token. */
export interface Caller {
  id: string;
  accessToken: string;
}

/** Calls `/api/v1<path>` through the gateway as `who`. */
export function as(stack: Stack, who: Caller) {
  const opts = { token: who.accessToken };
  return {
    get: (path: string) => stack.api.get(`/api/v1${path}`, opts),
    post: (path: string, body?: unknown) => stack.api.post(`/api/v1${path}`, body, opts),
    put: (path: string, body?: unknown) => stack.api.put(`/api/v1${path}`, body, opts),
    patch: (path: string, body?: unknown) => stack.api.patch(`/api/v1${path}`, body, opts),
    delete: (path: string, body?: unknown) => stack.api.request('DELETE', `/api/v1${path}`, { ...opts, body }),
  };
}
