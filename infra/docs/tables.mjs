// Markdown tables of the contract descriptors (routes, events, rpc), for the generated parts of
// the READMEs and docs/architecture.md. Shapes are read from the zod schemas themselves.

const ACCESS = {
  user: 'user',
  public: 'public',
  admin: '`X-Admin-Key`',
  app: '`X-Api-Key` + `X-Api-Secret`',
};

/** A table cell: one line, pipes escaped. */
const cell = (text) =>
  String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(?<!\\)\|/g, '\\|');

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

/** Peels optional, default, nullable and pipes (their input side) off a schema. */
function unwrap(schema) {
  let optional = false;
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') {
      optional = true;
      current = def.innerType;
    } else if (def.type === 'nullable' || def.type === 'readonly' || def.type === 'catch') current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else return { schema: current, optional };
  }
}

const isObject = (schema) => schema._zod.def.type === 'object';

function field(key, value, depth) {
  const { schema, optional } = unwrap(value);
  const name = `${key}${optional ? '?' : ''}`;
  const def = schema._zod.def;
  if (def.type === 'enum') {
    const values = Object.values(def.entries);
    if (values.length <= 3) return `${name}: ${values.join('|')}`;
  }
  if (def.type === 'array' && depth < 1) {
    const element = unwrap(def.element).schema;
    if (isObject(element) && Object.keys(element._zod.def.shape).length <= 6) return `${name}: [${fields(element, depth + 1)}]`;
  }
  if (isObject(schema) && depth < 1 && Object.keys(def.shape).length <= 6 && Object.keys(def.shape).length > 0) return `${name}: ${fields(schema, depth + 1)}`;
  return name;
}

function fields(object, depth) {
  const entries = Object.entries(object._zod.def.shape);
  return entries.length ? `{ ${entries.map(([key, value]) => field(key, value, depth)).join(', ')} }` : '{}';
}

/** `{ userId, role: owner|admin, members: [{ userId, role }] }`: the keys of a payload, `?` when optional. */
export function shapeOf(schema) {
  const { schema: inner } = unwrap(schema);
  return isObject(inner) ? fields(inner, 0) : inner._zod.def.type;
}

const code = (text) => `\`${text}\``;

export function routesTable(routes) {
  return table(
    ['route', 'access', 'success', 'errors', 'notes'],
    routes.map((route) => [
      code(`${route.method.toUpperCase()} ${route.path}`),
      route.rateLimit ? `${ACCESS[route.access]}, limit ${code(route.rateLimit)}` : ACCESS[route.access],
      String(route.status),
      (route.errors ?? []).join(', '),
      route.description ?? route.summary,
    ]),
  );
}

export function eventsTable(events, { withPublisher = false } = {}) {
  const head = withPublisher ? ['subject', 'by', 'data', 'notes'] : ['subject', 'data', 'notes'];
  return table(
    head,
    events.map((event) => {
      const row = [code(`evt.${event.type}`), code(shapeOf(event.data)), event.description ?? ''];
      if (withPublisher) row.splice(1, 0, event.type.split('.')[0]);
      return row;
    }),
  );
}

export function rpcTable(rpcs) {
  return table(
    ['subject', 'request', 'reply', 'notes'],
    rpcs.map((rpc) => [code(rpc.subject), code(shapeOf(rpc.request)), code(shapeOf(rpc.response)), rpc.description ?? '']),
  );
}
