/**
 * A value already serialised as JSON, handed where the value would go and written out as it is:
 * a hot path serialises a message once and builds every frame, reply and row that carries it
 * around that text.
 */
export class JsonText {
  constructor(readonly json: string) {}
}

/** `objectJson` (a serialised object) with `key` added last, its value the JSON text `valueJson`. */
export function withJsonField(objectJson: string, key: string, valueJson: string): string {
  const open = objectJson.length > 2 ? `${objectJson.slice(0, -1)},` : '{';
  return `${open}${JSON.stringify(key)}:${valueJson}}`;
}
