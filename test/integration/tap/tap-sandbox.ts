/**
 * A small emojivoto for tap: web calls voting-svc on two gRPC paths, one of which fails a fifth
 * of its requests, and emoji-svc over plain HTTP; vote-bot calls web-svc; web also reports to
 * a meshed DaemonSet `node-agent` (one pod per node) behind node-agent-svc. Fast to start.
 */
import type { ScenarioInput } from '../../../src/sandbox/scenario/scenario-schema.js';

export const FAILING_PATH = '/emojivoto.v1.VotingService/VoteDoughnut';
export const HEALTHY_PATH = '/emojivoto.v1.VotingService/VotePoop';
export const AGENT_PATH = '/agent/report';

/** The DaemonSet node-agent, as `kubectl apply` would take it (the sandbox runs a pod per node). */
export const NODE_AGENT = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'node-agent', namespace: 'emojivoto', labels: { app: 'node-agent' } },
  spec: {
    selector: { matchLabels: { app: 'node-agent' } },
    template: {
      metadata: { labels: { app: 'node-agent' }, annotations: { 'linkerd.io/inject': 'enabled' } },
      spec: {
        serviceAccountName: 'node-agent',
        containers: [
          { name: 'agent', image: 'example/node-agent:1.0', ports: [{ name: 'http', containerPort: 9100 }] },
        ],
      },
    },
  },
};

export function tapScenario(viz?: ScenarioInput['viz']): ScenarioInput {
  const deployment = (name: string, app: string) => ({
    name,
    namespace: 'emojivoto',
    replicas: 1,
    labels: { app },
    meshed: true,
    serviceAccount: name,
    containerPorts: [{ name: 'http', port: 8080 }],
  });
  return {
    name: 'tap-emojivoto',
    namespaces: ['emojivoto'],
    linkerd: {},
    ...(viz ? { viz } : {}),
    deployments: [
      deployment('web', 'web-svc'),
      deployment('voting', 'voting-svc'),
      deployment('emoji', 'emoji-svc'),
      deployment('vote-bot', 'vote-bot'),
    ],
    services: [
      {
        name: 'web-svc',
        namespace: 'emojivoto',
        selector: { app: 'web-svc' },
        ports: [{ port: 80, targetPort: 8080 }],
      },
      {
        name: 'voting-svc',
        namespace: 'emojivoto',
        selector: { app: 'voting-svc' },
        ports: [{ port: 8080, targetPort: 8080 }],
      },
      {
        name: 'emoji-svc',
        namespace: 'emojivoto',
        selector: { app: 'emoji-svc' },
        ports: [{ port: 8080, targetPort: 8080 }],
      },
      {
        name: 'node-agent-svc',
        namespace: 'emojivoto',
        selector: { app: 'node-agent' },
        ports: [{ port: 9100, targetPort: 9100 }],
      },
    ],
    objects: [NODE_AGENT],
    traffic: [
      {
        from: 'web',
        namespace: 'emojivoto',
        to: 'voting-svc',
        path: FAILING_PATH,
        protocol: 'grpc',
        rps: 25,
        successRate: 0.8,
        latencyMs: { p50: 5, p99: 40 },
      },
      {
        from: 'web',
        namespace: 'emojivoto',
        to: 'voting-svc',
        path: HEALTHY_PATH,
        protocol: 'grpc',
        rps: 25,
        successRate: 1,
        latencyMs: { p50: 4, p99: 30 },
      },
      {
        from: 'web',
        namespace: 'emojivoto',
        to: 'emoji-svc',
        path: '/api/list',
        rps: 20,
        successRate: 1,
        latencyMs: { p50: 3, p99: 20 },
      },
      {
        from: 'web',
        namespace: 'emojivoto',
        to: 'node-agent-svc',
        path: AGENT_PATH,
        method: 'POST',
        rps: 15,
        successRate: 1,
        latencyMs: { p50: 2, p99: 10 },
      },
      {
        from: 'vote-bot',
        namespace: 'emojivoto',
        to: 'web-svc',
        path: '/api/vote',
        rps: 10,
        successRate: 1,
        latencyMs: { p50: 12, p99: 95 },
      },
    ],
  };
}
