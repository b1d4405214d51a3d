/** Summary line, evidence tables and next steps of the endpoints step, from its data and findings. */
import { compareAddresses } from '../../adapters/destination/apply-updates.js';
import type { EvidenceTable, Finding, NextStep, StepStatus } from '../../domain/step-result.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import type { ServiceTarget } from '../../grammar/targets.js';
import type { EndpointsData, PortComparison } from './endpoints-data.js';

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function portTitle(p: PortComparison): string {
  const name = p.name ? ` (${p.name})` : '';
  return `port ${p.port}${name} -> ${p.targetPort}`;
}

/** One table per port: every address either side knows, with both verdicts. */
export function comparisonTable(service: string, p: PortComparison, asked: boolean): EvidenceTable {
  const k8s = new Map(p.kubernetes.map((e) => [e.address, e]));
  const dest = new Map(p.destination.endpoints.map((e) => [e.address, e]));
  const stale = new Set(p.diff.staleInDestination);
  const missing = new Set(p.diff.missingFromDestination);
  const addresses = [...new Set([...k8s.keys(), ...dest.keys()])].sort(compareAddresses);
  const rows = addresses.map((address) => {
    const k = k8s.get(address);
    const d = dest.get(address);
    const kState = !k ? '-' : k.terminating ? 'terminating' : k.ready ? 'ready' : 'not ready';
    const dState = !asked ? '?' : d ? 'served' : '-';
    const verdict = !asked
      ? ''
      : stale.has(address)
        ? 'STALE'
        : missing.has(address)
          ? 'MISSING'
          : k?.ready
            ? 'ok'
            : '';
    return [
      address,
      k?.pod ?? d?.pod ?? '',
      k?.node ?? '',
      kState,
      dState,
      verdict,
      d?.protocolHint ?? '',
      d?.identity ?? '',
    ];
  });
  return {
    title: `${service} ${portTitle(p)}: Kubernetes vs destination`,
    columns: ['ADDRESS', 'POD', 'NODE', 'KUBERNETES', 'DESTINATION', 'VERDICT', 'PROTOCOL', 'IDENTITY'],
    rows,
  };
}

export function podsTable(service: string, data: EndpointsData): EvidenceTable {
  return {
    title: `${service}: pods of the selector`,
    columns: ['NAME', 'PHASE', 'READY', 'IP', 'NODE', 'DELETING'],
    rows: data.pods.map((p) => [
      p.name,
      p.phase,
      p.ready ? 'true' : 'false',
      p.ip ?? '',
      p.node ?? '',
      p.deleting ? 'true' : '',
    ]),
  };
}

export function summarize(
  service: string,
  data: EndpointsData,
  findings: Finding[],
  status: StepStatus,
): string {
  const count = (code: string): number => findings.filter((f) => f.code === code).length;
  if (!data.service.namespaceExists) return `${service}: namespace ${data.service.namespace} does not exist`;
  if (!data.service.exists) {
    return count('exists-only-in-destination') > 0
      ? `${service}: no such service in Kubernetes, but the destination still serves it`
      : `${service}: no such service in Kubernetes`;
  }
  if (data.service.externalName !== undefined || data.service.type === 'ExternalName') {
    return `${service}: ExternalName service (${data.service.externalName ?? '?'}): no endpoints to compare`;
  }
  const k8sReady = new Set(
    data.ports.flatMap((p) => p.kubernetes.filter((e) => e.ready).map((e) => e.address)),
  ).size;
  if (data.service.headless) {
    return `${service}: headless service with ${plural(k8sReady, 'ready endpoint')}; not compared with the destination`;
  }
  const ports =
    data.ports.length > 1
      ? ` across ${data.ports.length} ports`
      : data.ports[0]
        ? ` (port ${data.ports[0].port})`
        : '';
  if (status === 'error') {
    const failed = data.ports.filter((p) =>
      ['unavailable', 'timeout', 'error'].includes(p.destination.answer),
    );
    const why = failed[0]?.destination.error?.kind ?? failed[0]?.destination.answer ?? 'error';
    return `${service}: could not ask the destination for ${failed.length} of ${plural(data.ports.length, 'port')} (${why})`;
  }
  const stale = new Set(
    data.ports.flatMap((p) =>
      p.diff.staleInDestination.filter((a) => !p.kubernetes.some((e) => e.address === a)),
    ),
  ).size;
  const missing = new Set(data.ports.flatMap((p) => p.diff.missingFromDestination)).size;
  if (status === 'fail') {
    const parts: string[] = [];
    if (stale) parts.push(`${plural(stale, 'stale address', 'stale addresses')} in the destination`);
    if (missing) parts.push(`${plural(missing, 'address', 'addresses')} missing from the destination`);
    if (count('unknown-to-destination')) parts.push('the destination does not know the service');
    const where =
      data.ports.length > 1
        ? ` across ${data.ports.length} ports`
        : data.ports[0]
          ? ` on port ${data.ports[0].port}`
          : '';
    return `${service}: ${parts.join(', ') || 'differences found'}; Kubernetes has ${plural(k8sReady, 'ready endpoint')}${where}`;
  }
  if (status === 'warn') {
    if (count('no-ready-endpoints') > 0 && k8sReady === 0)
      return `${service}: no ready endpoints${ports}, on either side`;
    const transient =
      count('terminating-in-destination') + count('not-ready-in-destination') + count('not-ready-endpoint');
    return `${service}: the destination matches Kubernetes on ${plural(k8sReady, 'ready endpoint')}${ports}, with ${plural(transient, 'transient difference')} (terminating or not-ready pods)`;
  }
  return `${service}: Kubernetes and the destination agree on ${plural(k8sReady, 'endpoint')}${ports}`;
}

/** Next steps in meshbot's own grammar. */
export function nextSteps(target: ServiceTarget, findings: Finding[], status: StepStatus): NextStep[] {
  const codes = new Set(findings.map((f) => f.code));
  const destinationWrong =
    codes.has('stale-in-destination') ||
    codes.has('missing-from-destination') ||
    codes.has('unknown-to-destination') ||
    codes.has('exists-only-in-destination');
  const destinationDown = codes.has('destination-unavailable') || codes.has('destination-timeout');
  const next: NextStep[] = [];
  if (destinationWrong) {
    next.push({
      label: 'Start the stale-endpoints runbook',
      command: meshCommands.runbook('stale-endpoints', target),
      description: 'Diagnose step by step, restart the destination controller if it is stale, and verify.',
    });
  }
  if (destinationWrong || destinationDown) {
    next.push({
      label: "Check the destination controller's metrics",
      command: meshCommands.metrics(target),
      description: 'Informer lag, update counts and queue overflows for this service.',
    });
  }
  if (destinationWrong) {
    next.push({
      label: 'Run the scale-by-one test',
      command: meshCommands.scaleTest(target),
      description: 'Scale up by one and time every propagation stage to the destination, then put it back.',
    });
  }
  if (destinationWrong || destinationDown || status === 'error') {
    next.push({ label: 'Check the control plane (destination pod health)', command: meshCommands.check() });
  }
  if (
    status === 'warn' &&
    (codes.has('terminating-in-destination') || codes.has('not-ready-in-destination'))
  ) {
    next.push({
      label: 'Compare again in a few seconds',
      command: meshCommands.endpoints(target),
      description: 'Terminating and not-ready pods should leave both sets shortly.',
    });
  }
  if (status === 'pass') {
    next.push({ label: "See the service's golden metrics", command: meshCommands.metrics(target) });
  }
  return next;
}
