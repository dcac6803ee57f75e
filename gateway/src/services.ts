import type { RouteDef, ServiceName } from '@chat/contracts';

/** Where each service listens by default; `<NAME>_URL` overrides it. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  auth: 8081,
  user: 8082,
  chat: 8083,
  message: 8084,
  media: 8085,
  presence: 8086,
  search: 8087,
  realtime: 8088,
};

export function serviceUrls(config: Partial<Record<`${Uppercase<ServiceName>}_URL`, string>>): Record<ServiceName, string> {
  const entries = Object.entries(DEFAULT_PORTS).map(([name, port]) => [
    name,
    config[`${name.toUpperCase() as Uppercase<ServiceName>}_URL`] ?? `http://127.0.0.1:${port}`,
  ]);
  return Object.fromEntries(entries) as Record<ServiceName, string>;
}

/** The services `/health` reports: every owner of a public route, plus realtime once it serves `/ws`. */
export function reportedServices(routes: RouteDef[], extra: ServiceName[] = []): ServiceName[] {
  return [...new Set([...routes.map((r) => r.service), ...extra])];
}
