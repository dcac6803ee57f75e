import { OpenAPIRegistry, OpenApiGeneratorV31, type ZodRequestBody } from '@asteasolutions/zod-to-openapi';
import { allRoutes, operationIdOf } from './all-routes.js';
import { Problem } from './common.js';
import { type RouteExample, routeExamples } from './examples.js';
import type { RouteDef } from './routes.js';
import type { z } from './zod.js';

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const SECURITY: Record<RouteDef['access'], Record<string, string[]>[]> = {
  user: [{ bearer: [] }],
  public: [],
  admin: [{ adminKey: [] }],
  app: [{ apiKey: [], apiSecret: [] }],
};

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: Problem } } };
}

const BINARY = { type: 'string', format: 'binary' } as const;

const withExample = (example: unknown) => (example === undefined ? {} : { example });

function successResponse(route: RouteDef, example: RouteExample | undefined) {
  if (route.binaryResponse) return { description: 'The file', content: { 'application/octet-stream': { schema: BINARY } } };
  if (route.response) return { description: 'Success', content: { 'application/json': { schema: route.response, ...withExample(example?.response) } } };
  return { description: 'Success (no body)' };
}

function requestBody(route: RouteDef, example: RouteExample | undefined): ZodRequestBody | undefined {
  if (route.body) return { content: { 'application/json': { schema: route.body, ...withExample(example?.request) } } };
  if (route.multipartFile) {
    const schema = { type: 'object' as const, required: [route.multipartFile], properties: { [route.multipartFile]: { ...BINARY } } };
    return { content: { 'multipart/form-data': { schema } } };
  }
  return undefined;
}

function registerRoute(registry: OpenAPIRegistry, route: RouteDef): void {
  const example = routeExamples.get(route);
  const responses: Record<number, unknown> = {
    [route.status]: successResponse(route, example),
    400: problemResponse('Invalid request (`validation_failed`)'),
    429: problemResponse('Rate limited (`rate_limited`), with Retry-After'),
  };
  if (route.access !== 'public') responses[401] = problemResponse('Missing or invalid credentials');
  for (const status of route.errors ?? []) responses[status] = problemResponse('See `code`');
  registry.registerPath({
    method: route.method,
    path: `/api/v1${toOpenApiPath(route.path)}`,
    operationId: operationIdOf(route),
    summary: route.summary,
    description: route.description ?? route.summary,
    tags: [route.service],
    security: SECURITY[route.access],
    request: {
      params: route.params as z.ZodObject | undefined,
      query: route.query as z.ZodObject | undefined,
      body: requestBody(route, example),
    },
    responses: responses as never,
  });
}

/** The OpenAPI 3.1 document of the public API, generated from the route contracts. */
export function buildOpenApiDocument(routes: RouteDef[] = allRoutes) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'adminKey', { type: 'apiKey', in: 'header', name: 'X-Admin-Key' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  registry.registerComponent('securitySchemes', 'apiSecret', { type: 'apiKey', in: 'header', name: 'X-Api-Secret' });
  for (const route of routes) registerRoute(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Chat backend API',
      version: '1.0.0',
      description: 'REST API v1. Live events: the WebSocket at /ws, described by the AsyncAPI document at /asyncapi.json.',
    },
    servers: [{ url: '/' }],
  });
}
