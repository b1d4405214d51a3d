import type { CoreV1Event, V1CustomResourceDefinition, V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  evaluateCrds,
  expectedCrds,
  LINKERD_CRDS,
} from '../../../../src/steps/check/checks/config-checks.js';
import {
  evaluateProxiesReady,
  evaluateProxyVersions,
} from '../../../../src/steps/check/checks/data-plane-checks.js';
import {
  evaluateDestinationEvents,
  evaluateDestinationReplicas,
} from '../../../../src/steps/check/checks/destination-checks.js';
import {
  evaluateControlPlanePods,
  evaluateUnschedulable,
} from '../../../../src/steps/check/checks/existence-checks.js';
import { describePodHealth, evaluatePod } from '../../../../src/steps/check/pod-health.js';

interface PodShape {
  name: string;
  component?: string;
  namespace?: string;
  phase?: string;
  ready?: boolean;
  restarts?: number;
  waiting?: string;
  unschedulable?: string;
  proxyVersion?: string;
}

function pod(s: PodShape): V1Pod {
  const ready = s.ready ?? true;
  const phase = s.phase ?? (s.unschedulable ? 'Pending' : 'Running');
  return {
    metadata: {
      name: s.name,
      namespace: s.namespace ?? 'linkerd',
      labels: s.component ? { 'linkerd.io/control-plane-component': s.component } : {},
      annotations: s.proxyVersion ? { 'linkerd.io/proxy-version': s.proxyVersion } : {},
    },
    status: {
      phase,
      conditions: s.unschedulable
        ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: s.unschedulable }]
        : [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: ready ? 'True' : 'False' },
          ],
      containerStatuses: s.unschedulable
        ? []
        : [
            {
              name: 'linkerd-proxy',
              ready: true,
              restartCount: 0,
              image: 'proxy',
              imageID: '',
              state: { running: {} },
            },
            {
              name: s.component ?? 'app',
              ready,
              restartCount: s.restarts ?? 0,
              image: 'x',
              imageID: '',
              state: s.waiting ? { waiting: { reason: s.waiting } } : { running: {} },
            },
          ],
    },
  } as V1Pod;
}

const healthy = [
  pod({ name: 'linkerd-destination-abc', component: 'destination' }),
  pod({ name: 'linkerd-identity-def', component: 'identity' }),
  pod({ name: 'linkerd-proxy-injector-ghi', component: 'proxy-injector' }),
];

describe('pod evaluation', () => {
  it('reads readiness, restarts and why a container waits', () => {
    const h = evaluatePod(
      pod({ name: 'd', component: 'destination', ready: false, restarts: 7, waiting: 'CrashLoopBackOff' }),
    );
    expect(h).toMatchObject({ ready: false, restarts: 7, notReady: ['destination (CrashLoopBackOff)'] });
    expect(describePodHealth(h)).toBe('Running, not ready: destination (CrashLoopBackOff), 7 restarts');
  });

  it('passes control-plane pods that are Running and Ready', () => {
    expect(evaluateControlPlanePods(healthy)).toMatchObject({ status: 'pass' });
  });

  it('fails a component without a ready pod, counting restarts, and one without pods', () => {
    const pods = [
      pod({
        name: 'linkerd-destination-abc',
        component: 'destination',
        ready: false,
        restarts: 5,
        waiting: 'CrashLoopBackOff',
      }),
      pod({ name: 'linkerd-identity-def', component: 'identity' }),
    ];
    const outcome = evaluateControlPlanePods(pods);
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe(
      'no pods for linkerd-proxy-injector; no ready pod for linkerd-destination; 5 restarts in all',
    );
    expect(outcome.details).toContain(
      'destination: pod/linkerd-destination-abc Running, not ready: destination (CrashLoopBackOff), 5 restarts',
    );
  });

  it('warns when every component is ready but one restarted', () => {
    const pods = [...healthy, pod({ name: 'linkerd-destination-x', component: 'destination', restarts: 2 })];
    expect(evaluateControlPlanePods(pods)).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/linkerd-destination .* 2 restarts/),
    });
  });

  it('fails unschedulable pods with the scheduler message', () => {
    const stuck = pod({
      name: 'linkerd-identity-p',
      component: 'identity',
      unschedulable: '0/3 nodes are available: 3 Insufficient cpu.',
    });
    expect(evaluateUnschedulable([...healthy, stuck])).toMatchObject({
      status: 'fail',
      details: ['pod/linkerd-identity-p: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.'],
    });
    expect(evaluateUnschedulable(healthy).status).toBe('pass');
  });
});

describe('destination health', () => {
  const deployment = (replicas: number): V1Deployment => ({
    metadata: {
      name: 'linkerd-destination',
      labels: { 'linkerd.io/control-plane-component': 'destination' },
    },
    spec: { replicas, selector: {}, template: {} },
  });
  const now = new Date('2026-11-23T12:00:00Z');
  const event = (
    reason: string,
    minutesAgo: number,
    count = 1,
    name = 'linkerd-destination-abc',
  ): CoreV1Event => ({
    metadata: { name: `${name}.${reason}` },
    involvedObject: { kind: 'Pod', name },
    reason,
    message:
      reason === 'Unhealthy'
        ? 'Readiness probe failed: HTTP probe failed with statuscode: 503'
        : 'Back-off restarting failed container',
    count,
    lastTimestamp: new Date(now.getTime() - minutesAgo * 60_000),
  });

  it('compares ready replicas with the desired count', () => {
    expect(evaluateDestinationReplicas([deployment(1)], healthy)).toMatchObject({
      status: 'pass',
      message: '1 of 1 desired destination replicas ready',
    });
    expect(evaluateDestinationReplicas([deployment(3)], healthy)).toMatchObject({
      status: 'warn',
      message: '1 of 3 desired destination replicas ready',
    });
    const down = [pod({ name: 'linkerd-destination-abc', component: 'destination', ready: false })];
    expect(evaluateDestinationReplicas([deployment(1)], down).status).toBe('fail');
  });

  it('fails BackOff, warns Unhealthy, ignores old events and other pods', () => {
    expect(evaluateDestinationEvents([event('BackOff', 1, 4)], healthy, now, 15 * 60_000)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^destination is crash-looping: 4 BackOff/),
    });
    expect(evaluateDestinationEvents([event('Unhealthy', 2, 3)], healthy, now, 15 * 60_000)).toMatchObject({
      status: 'warn',
      message: '3 readiness-probe failures (Unhealthy) in the last 15 min; 0 restarts',
    });
    const ignored = [event('BackOff', 60), event('BackOff', 1, 1, 'web-123')];
    expect(evaluateDestinationEvents(ignored, healthy, now, 15 * 60_000).status).toBe('pass');
  });
});

describe('data plane', () => {
  it('names the pods whose proxy is older than the control plane', () => {
    const pods = [
      pod({ name: 'web-1', namespace: 'emojivoto', proxyVersion: 'edge-26.8.3' }),
      pod({ name: 'vote-1', namespace: 'emojivoto', proxyVersion: 'edge-26.5.1' }),
    ];
    const outcome = evaluateProxyVersions(pods, 'edge-26.8.3', 'namespace emojivoto');
    expect(outcome).toMatchObject({
      status: 'warn',
      message:
        "1 of 2 proxies in namespace emojivoto do not run the control plane's version edge-26.8.3 (1 older): vote-1.emojivoto",
      details: ['pod/vote-1.emojivoto runs edge-26.5.1 (older than edge-26.8.3)'],
    });
    expect(evaluateProxyVersions(pods.slice(0, 1), 'edge-26.8.3', 'x').status).toBe('pass');
    expect(evaluateProxyVersions(pods, undefined, 'x').status).toBe('warn');
  });

  it('fails when no meshed pod exists or a proxy is not ready', () => {
    expect(evaluateProxiesReady([], 'namespace empty').status).toBe('fail');
    const notReady = pod({ name: 'web-1', namespace: 'emojivoto', phase: 'Pending', ready: false });
    expect(evaluateProxiesReady([notReady], 'namespace emojivoto')).toMatchObject({
      status: 'fail',
      details: ['pod/web-1.emojivoto is Pending'],
    });
  });
});

describe('CRDs', () => {
  it('names the missing CRDs', () => {
    const crds = LINKERD_CRDS.filter((n) => n !== 'servers.policy.linkerd.io').map(
      (name): V1CustomResourceDefinition => ({
        metadata: { name },
        spec: {} as V1CustomResourceDefinition['spec'],
      }),
    );
    expect(evaluateCrds(crds)).toMatchObject({
      status: 'fail',
      message: `missing 1 of ${LINKERD_CRDS.length} Linkerd CRDs: servers.policy.linkerd.io`,
    });
  });

  it('expects the CRDs of the control plane release', () => {
    expect(expectedCrds('stable-2.14.10')).toHaveLength(7);
    expect(expectedCrds('version-2.16.1')).toContain('externalworkloads.workload.linkerd.io');
    expect(expectedCrds('version-2.16.1')).not.toContain('egressnetworks.policy.linkerd.io');
    expect(expectedCrds('enterprise-2.17.1')).toHaveLength(10);
    expect(expectedCrds('edge-24.10.4')).toContain('egressnetworks.policy.linkerd.io');
    expect(expectedCrds('edge-24.10.4')).not.toContain('httplocalratelimitpolicies.policy.linkerd.io');
    expect(expectedCrds('edge-26.8.3')).toEqual(LINKERD_CRDS);
    expect(expectedCrds(undefined)).toHaveLength(7);
  });
});
