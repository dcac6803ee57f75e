#!/usr/bin/env node
// Validates every YAML document under infra/k8s (or the folder given as argument):
// each against the Kubernetes schema of its apiVersion/kind (kubernetes-models), then the rules the
// deployment relies on. Exits 1 naming every problem; prints what it checked on success.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = resolve(process.argv[2] ?? new URL('../k8s', import.meta.url).pathname);
const TEMPLATE = 'secrets.template.yaml';
const problems = [];
const objects = [];
const kustomizations = [];
/** Every schema-valid object, plus the invalid ones whose name others may refer to. */
const referenced = [];

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** The model class of apiVersion/kind, or undefined when kubernetes-models has none. */
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

const files = yamlFiles(root);
if (files.length === 0) problems.push(`${root}: no YAML files`);
for (const file of files) {
  const rel = relative(process.cwd(), file);
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { prettyErrors: true });
  for (const [i, doc] of docs.entries()) {
    const where = `${rel}#${i + 1}`;
    if (doc.errors.length > 0) {
      problems.push(`${where}: YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue; // a comment-only document
    if (obj.apiVersion === 'kustomize.config.k8s.io/v1beta1' && obj.kind === 'Kustomization') {
      kustomizations.push({ file, where, obj });
      continue;
    }
    const Model = await modelOf(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`${where}: unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      const details = err.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ') ?? err.message;
      problems.push(`${where}: ${obj.kind} ${obj.metadata?.name ?? '(no name)'} is not a valid ${obj.apiVersion}/${obj.kind}: ${details}`);
      // Kept for the cross-references (Services, budgets and autoscalers naming it), not for the rules.
      referenced.push({ file, where, obj });
      continue;
    }
    objects.push({ file, where, obj });
    referenced.push({ file, where, obj });
  }
}

const byKind = (kind) => objects.filter((o) => o.obj.kind === kind);
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const envValue = (container, name) => container.env?.find((e) => e.name === name)?.value;

/** The port number a probe or annotation names, resolving named container ports. */
function portNumber(container, port) {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(String(port))) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Container fields of the Kubernetes API: the schemas accept unknown keys, so a misspelt probe would vanish silently. */
const CONTAINER_FIELDS = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
]);

function checkDeployment({ where, obj }) {
  const spec = obj.spec.template.spec;
  const name = `${where}: Deployment ${obj.metadata.name}`;
  const podNonRoot = spec.securityContext?.runAsNonRoot === true;
  for (const c of spec.containers) {
    const at = `${name}, container ${c.name}`;
    for (const key of Object.keys(c)) if (!CONTAINER_FIELDS.has(key)) problems.push(`${at}: unknown container field ${key}`);
    const port = Number(envValue(c, 'PORT') ?? c.ports?.find((p) => p.name === 'http')?.containerPort);
    const ops = Number(envValue(c, 'OPS_PORT') ?? port + 1000);
    if (!Number.isInteger(ops)) problems.push(`${at}: cannot tell the ops port (set PORT or OPS_PORT)`);
    if (!c.ports?.some((p) => p.containerPort === ops)) problems.push(`${at}: the ops port ${ops} is not among the container ports`);
    for (const [probe, path] of [
      ['readinessProbe', '/ready'],
      ['livenessProbe', '/health'],
    ]) {
      const get = c[probe]?.httpGet;
      if (!get) problems.push(`${at}: no ${probe} (an httpGet on ${path} at the ops port ${ops})`);
      else {
        if (portNumber(c, get.port) !== ops) problems.push(`${at}: ${probe} is on port ${get.port}, not the ops port ${ops}`);
        if (get.path !== path) problems.push(`${at}: ${probe} asks ${get.path}, expected ${path}`);
      }
    }
    for (const r of ['cpu', 'memory']) if (!c.resources?.requests?.[r]) problems.push(`${at}: no resources.requests.${r}`);
    if (!c.resources?.limits?.memory) problems.push(`${at}: no resources.limits.memory`);
    if (!podNonRoot && c.securityContext?.runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot is not set`);
    if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!c.volumeMounts?.some((m) => m.mountPath === '/app/.data')) problems.push(`${at}: no writable volume at /app/.data`);
    const notes = obj.spec.template.metadata?.annotations ?? {};
    if (notes['prometheus.io/scrape'] !== 'true' || Number(notes['prometheus.io/port']) !== ops) {
      problems.push(`${at}: pod annotations must say prometheus.io/scrape "true" and prometheus.io/port "${ops}"`);
    }
  }
  if (!matches(obj.spec.selector.matchLabels, obj.spec.template.metadata?.labels)) problems.push(`${name}: selector does not match the pod labels`);
}

function checkSecret({ where, obj }) {
  const name = `${where}: Secret ${obj.metadata.name}`;
  if (obj.data && Object.keys(obj.data).length > 0)
    problems.push(`${name}: uses data (base64): secrets here are templates, use stringData with <placeholders>`);
  for (const [key, value] of Object.entries(obj.stringData ?? {})) {
    if (!/<[^<>]+>/.test(String(value))) problems.push(`${name}: ${key} holds a value without a <placeholder>: real secrets never go into the repository`);
  }
}

for (const d of byKind('Deployment')) checkDeployment(d);
for (const s of byKind('Secret')) {
  checkSecret(s);
  if (basename(s.file) !== TEMPLATE) problems.push(`${s.where}: Secret ${s.obj.metadata.name} outside ${TEMPLATE}`);
}

const deployments = referenced.filter((o) => o.obj.kind === 'Deployment' && o.obj.spec?.template).map((d) => d.obj);
const podLabels = deployments.map((d) => d.spec.template.metadata?.labels ?? {});
for (const { where, obj } of byKind('Service')) {
  if (obj.spec.type === 'ExternalName') continue;
  if (!podLabels.some((labels) => matches(obj.spec.selector, labels))) problems.push(`${where}: Service ${obj.metadata.name} selects no Deployment's pods`);
}
for (const { where, obj } of byKind('PodDisruptionBudget')) {
  if (!podLabels.some((labels) => matches(obj.spec.selector?.matchLabels, labels)))
    problems.push(`${where}: PodDisruptionBudget ${obj.metadata.name} selects no Deployment's pods`);
}
for (const { where, obj } of byKind('HorizontalPodAutoscaler')) {
  const target = deployments.find((d) => obj.spec.scaleTargetRef.kind === 'Deployment' && d.metadata.name === obj.spec.scaleTargetRef.name);
  if (!target) problems.push(`${where}: HorizontalPodAutoscaler ${obj.metadata.name} scales no Deployment defined here`);
  else if (target.spec.replicas !== undefined)
    problems.push(`${where}: Deployment ${target.metadata.name} sets replicas although ${obj.metadata.name} scales it (apply would reset the count)`);
}
const services = referenced.filter((o) => o.obj.kind === 'Service').map((s) => s.obj);
for (const { where, obj } of byKind('Ingress')) {
  for (const rule of obj.spec.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      const backend = path.backend.service;
      const svc = services.find((s) => s.metadata.name === backend?.name);
      const port = svc?.spec.ports?.find((p) => p.name === backend.port?.name || p.port === backend.port?.number);
      if (!svc || !port)
        problems.push(
          `${where}: Ingress ${obj.metadata.name} routes ${path.path} to ${backend?.name}:${backend?.port?.name ?? backend?.port?.number}, which is not defined here`,
        );
    }
  }
}

for (const { file, where, obj } of kustomizations) {
  const dir = resolve(file, '..');
  const listed = new Set((obj.resources ?? []).map((r) => resolve(dir, r)));
  for (const r of listed) {
    try {
      statSync(r);
    } catch {
      problems.push(`${where}: resource ${relative(dir, r)} does not exist`);
    }
  }
  for (const f of files) {
    if (resolve(f, '..') === dir && f !== file && basename(f) !== TEMPLATE && !listed.has(f))
      problems.push(`${where}: ${relative(dir, f)} is not listed in resources`);
  }
}
if (kustomizations.length === 0) problems.push(`${relative(process.cwd(), root)}: no kustomization.yaml`);

if (problems.length > 0) {
  console.error(`${relative(process.cwd(), root) || '.'}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const tally = new Map();
for (const { obj } of objects) tally.set(obj.kind, (tally.get(obj.kind) ?? 0) + 1);
const counts = [...tally].map(([kind, n]) => `${n} ${kind}`);
console.log(`${relative(process.cwd(), root) || '.'}: ${objects.length} objects valid in ${files.length} files (${counts.join(', ')})`);
