// The files in deploy/ checked without a cluster or a Grafana: the dashboard is valid JSON whose every
// query names only metrics the bridge, the bridge service or the worker registers (names read from their
// registries), and the Kubernetes manifests parse and hold the fields the autoscaling recipe relies on.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BridgeMetrics } from '@sfn-bullmq/bridge';
import { WorkerMetrics } from '@sfn-bullmq/worker/metrics';
import { Registry } from 'prom-client';
import { createServiceRegistry } from 'sfn-bullmq';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const DEPLOY = fileURLToPath(new URL('../../../../deploy/', import.meta.url));

/** Every series name a scrape of the bridge service or the example worker can show. */
async function registeredSeriesNames(): Promise<Set<string>> {
  const bridge = createServiceRegistry([], () => undefined);
  new BridgeMetrics(bridge);
  const worker = new Registry();
  new WorkerMetrics(worker);
  const names = new Set<string>();
  for (const registry of [bridge, worker]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram' || String(metric.type) === 'summary') {
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      }
    }
  }
  return names;
}

const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'vector',
  'by',
  'without',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
  'clamp_min',
  'clamp_max',
  'label_values',
]);

/** The metric names in a PromQL expression: identifiers outside label matchers, ranges, groupings and strings. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\$[A-Za-z_]\w*/g, '');
  return [...bare.matchAll(/[A-Za-z_:][\w:]*/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets: { refId: string; expr: string }[];
}

describe('deploy/grafana/sfn-bullmq.json', () => {
  const dashboard = JSON.parse(readFileSync(`${DEPLOY}grafana/sfn-bullmq.json`, 'utf8')) as {
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };

  it('is a dashboard whose panels each have a unique id, a place on the grid and PromQL targets', () => {
    expect(typeof dashboard.uid).toBe('string');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.title, JSON.stringify(panel)).not.toBe('');
      expect(panel.gridPos.w * panel.gridPos.h).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length).toBeGreaterThan(0);
      expect(new Set(panel.targets.map((t) => t.refId)).size).toBe(panel.targets.length);
    }
  });

  it('queries only metrics that the bridge service or the worker registers', async () => {
    const known = await registeredSeriesNames();
    const unknown = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) =>
        metricNamesIn(target.expr)
          .filter((name) => !known.has(name))
          .map((name) => `${panel.title}: ${name}`),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it('has the panels the runbook names, and draws HeartbeatSeconds from a dashboard variable', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of [
      /outcome/,
      /Queue wait/,
      /1,000/,
      /Held tokens/,
      /back-pressure/,
      /throttling/,
      /Saturation/,
    ]) {
      expect(
        titles.some((title) => wanted.test(title)),
        `${wanted} in ${titles.join(' | ')}`,
      ).toBe(true);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toContain('heartbeat_seconds');
    const wait = dashboard.panels.find((p) => p.title.startsWith('Queue wait'));
    expect(wait?.targets.map((t) => t.expr)).toContain('vector($heartbeat_seconds)');
  });

  it('finds metric names the way the check needs it', () => {
    expect(
      metricNamesIn(
        'sum by (le) (rate(sfn_bullmq_x_bucket{queue=~"$queue",a="b{c}"}[$__rate_interval])) / vector(1)',
      ),
    ).toEqual(['sfn_bullmq_x_bucket']);
  });
});

describe('deploy/k8s', () => {
  type Doc = Record<string, unknown> & { apiVersion: string; kind: string; metadata?: { name?: string } };
  const manifests = new Map<string, Doc[]>();
  for (const file of readdirSync(`${DEPLOY}k8s`).filter((name) => name.endsWith('.yaml'))) {
    const documents = parseAllDocuments(readFileSync(`${DEPLOY}k8s/${file}`, 'utf8'), { strict: true });
    manifests.set(
      file,
      documents.map((document) => {
        expect(document.errors, file).toEqual([]);
        return document.toJS() as Doc;
      }),
    );
  }
  const byKind = (kind: string): Doc =>
    [...manifests.values()].flat().find((doc) => doc.kind === kind) ??
    (() => {
      throw new Error(`no ${kind} in deploy/k8s`);
    })();
  const at = (value: unknown, path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

  it('has a worker Deployment that exposes /metrics and probes /healthz and /readyz on the same port', () => {
    const deployment = byKind('Deployment');
    expect(deployment.apiVersion).toBe('apps/v1');
    const [container] = at(deployment, 'spec.template.spec.containers') as Record<string, unknown>[];
    const port = (at(container, 'ports') as { name: string; containerPort: number }[])[0];
    expect(at(container, 'livenessProbe.httpGet.path')).toBe('/healthz');
    expect(at(container, 'readinessProbe.httpGet.path')).toBe('/readyz');
    expect(at(container, 'readinessProbe.httpGet.port')).toBe(port?.name);
    const env = at(container, 'env') as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'METRICS_PORT')?.value).toBe(String(port?.containerPort));
    expect(at(deployment, 'spec.selector.matchLabels')).toEqual(
      at(deployment, 'spec.template.metadata.labels'),
    );
  });

  it('has a KEDA ScaledObject on the Deployment with Prometheus triggers over registered metrics', async () => {
    const known = await registeredSeriesNames();
    const scaled = byKind('ScaledObject');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(at(scaled, 'spec.scaleTargetRef.name')).toBe(byKind('Deployment').metadata?.name);
    expect(Number(at(scaled, 'spec.minReplicaCount'))).toBeLessThanOrEqual(
      Number(at(scaled, 'spec.maxReplicaCount')),
    );
    const triggers = at(scaled, 'spec.triggers') as {
      type: string;
      metricType: string;
      metadata: Record<string, string>;
    }[];
    expect(triggers.length).toBeGreaterThanOrEqual(2);
    for (const trigger of triggers) {
      expect(trigger.type).toBe('prometheus');
      expect(['AverageValue', 'Value']).toContain(trigger.metricType);
      expect(trigger.metadata['serverAddress']).toMatch(/^https?:\/\//);
      // KEDA takes thresholds as strings holding a number.
      expect(typeof trigger.metadata['threshold']).toBe('string');
      expect(Number.isFinite(Number(trigger.metadata['threshold']))).toBe(true);
      expect(metricNamesIn(trigger.metadata['query'] ?? '').filter((name) => !known.has(name))).toEqual([]);
    }
  });

  it('has an autoscaling/v2 HPA on the Deployment whose external metrics prometheus-adapter serves', async () => {
    const known = await registeredSeriesNames();
    const hpa = byKind('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(at(hpa, 'spec.scaleTargetRef.name')).toBe(byKind('Deployment').metadata?.name);
    expect(Number(at(hpa, 'spec.minReplicas'))).toBeLessThanOrEqual(Number(at(hpa, 'spec.maxReplicas')));
    const rules = at(manifests.get('prometheus-adapter-rules.yaml')?.[0], 'rules.external') as {
      name: { as: string };
      metricsQuery: string;
      seriesQuery: string;
    }[];
    const served = new Set(rules.map((rule) => rule.name.as));
    for (const rule of rules) {
      for (const query of [rule.metricsQuery, rule.seriesQuery])
        expect(metricNamesIn(query).filter((name) => !known.has(name))).toEqual([]);
    }
    const metrics = at(hpa, 'spec.metrics') as {
      type: string;
      external: { metric: { name: string }; target: Record<string, string> };
    }[];
    expect(metrics.length).toBeGreaterThanOrEqual(2);
    for (const metric of metrics) {
      expect(metric.type).toBe('External');
      expect(served).toContain(metric.external.metric.name);
      const { type, value, averageValue } = metric.external.target;
      expect(type === 'Value' ? value : averageValue, JSON.stringify(metric)).toMatch(/^\d+(\.\d+)?m?$/);
    }
  });
});
