import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { allRoutes, buildAsyncApiDocument, buildOpenApiDocument, clientOps, operationIdOf, routeExamples, routeGroups } from '../src/index.js';

type Operation = {
  operationId?: string;
  description?: string;
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { description?: string }> } };

const openApi = () => buildOpenApiDocument() as unknown as OpenApi;
const operations = (doc: OpenApi) => Object.values(doc.paths).flatMap((path) => Object.values(path));

async function openApiErrors(doc: unknown): Promise<string | null> {
  const result = await validate(structuredClone(doc) as never);
  return result.valid ? null : compileErrors(result);
}

async function asyncApiErrors(doc: unknown): Promise<string[]> {
  const diagnostics = await new Parser().validate(JSON.stringify(doc));
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('OpenAPI document', () => {
  it('when it is generated, then @readme/openapi-parser finds it a valid OpenAPI 3.1 document', async () => {
    expect(await openApiErrors(openApi())).toBeNull();
  });

  it('when two operations share an operationId, then the validator rejects the document (a drift fails)', async () => {
    const doc = openApi();
    const [first, second] = operations(doc);
    second!.operationId = first!.operationId;
    expect(await openApiErrors(doc)).toMatch(/operationId/);
  });

  it('when any operation is read, then it has a unique camelCase operationId from its descriptor key and a description', () => {
    const ops = operations(openApi());
    expect(ops).toHaveLength(allRoutes.length);
    const ids = ops.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of ops) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(op.description, op.operationId).toBeTruthy();
    }
    expect(operationIdOf(routeGroups.auth.register)).toBe('authRegister');
    expect(operationIdOf(routeGroups.message.send)).toBe('messageSend');
    expect(ids).toContain('chatCreate');
  });

  it('when a component schema is read, then it has a description', () => {
    const undocumented = Object.entries(openApi().components.schemas).filter(([, schema]) => !schema.description);
    expect(undocumented.map(([name]) => name)).toEqual([]);
  });

  it('when the main flows are read, then they carry examples that their own schemas accept', () => {
    const main = [
      routeGroups.auth.register,
      routeGroups.auth.login,
      routeGroups.auth.refresh,
      routeGroups.auth.serverToken,
      routeGroups.chat.create,
      routeGroups.message.send,
      routeGroups.message.history,
      routeGroups.media.upload,
    ];
    for (const route of main) expect(routeExamples.get(route)?.response, operationIdOf(route)).toBeDefined();
    for (const [route, example] of routeExamples) {
      if (example.request !== undefined) expect(route.body!.safeParse(example.request).error, `${operationIdOf(route)} request`).toBeUndefined();
      if (example.response !== undefined) expect(route.response!.safeParse(example.response).error, `${operationIdOf(route)} response`).toBeUndefined();
    }
    const send = openApi().paths['/api/v1/chats/{id}/messages']!.post!;
    expect(send.requestBody!.content['application/json']!.example).toEqual(routeExamples.get(routeGroups.message.send)!.request);
    expect(send.responses['201']!.content!['application/json']!.example).toMatchObject({ clientMessageId: 'c-17' });
  });
});

describe('AsyncAPI document', () => {
  it('when it is generated, then @asyncapi/parser finds no error in it', async () => {
    expect(await asyncApiErrors(buildAsyncApiDocument())).toEqual([]);
  });

  it('when a message it names is missing, then the parser reports an error (a drift fails)', async () => {
    const doc = buildAsyncApiDocument() as { components: { messages: Record<string, unknown> } };
    delete doc.components.messages.messageSend;
    expect((await asyncApiErrors(doc)).length).toBeGreaterThan(0);
  });

  it('when it is read, then every client op is a send operation on /ws whose payload is the op schema, and the server frames are messages', () => {
    const doc = buildAsyncApiDocument();
    expect(doc.channels.ws.address).toBe('/ws');
    const ops = Object.values(doc.operations) as { action: string; messages: { $ref: string }[] }[];
    const messages: Record<string, unknown> = doc.components.messages;
    for (const op of Object.keys(clientOps)) {
      const key = op.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
      const message = messages[key] as { name: string; payload: { properties: { op: { const: string } } } };
      expect(message.name).toBe(op);
      expect(message.payload.properties.op.const).toBe(op);
      expect(
        ops.some((o) => o.action === 'send' && o.messages[0]!.$ref === `#/channels/ws/messages/${key}`),
        op,
      ).toBe(true);
    }
    for (const frame of ['ready', 'pong', 'ack', 'error', 'event']) expect(doc.components.messages, frame).toHaveProperty(frame);
    expect(ops.filter((o) => o.action === 'receive').map((o) => o.messages[0]!.$ref)).toContain('#/channels/ws/messages/event');
  });
});
