/** One line of plain text per progress event: the CLI prints it, Slack shows it live. */
import { limitText, seconds } from './judge-scale-test.js';
import type { ScaleTestEvent, ScaleTestPlan } from './scale-test-types.js';

export function describePlan(plan: ScaleTestPlan): string {
  return `${plan.workloadText}: replicas ${plan.fromReplicas} -> ${plan.toReplicas}, then back to ${plan.fromReplicas}, in namespace ${plan.workload.namespace}; watching ${plan.authorities.join(', ')}; at most ${limitText(plan.longestMs)} (${limitText(plan.stageTimeoutMs)} per stage)`;
}

export function describeProgress(event: ScaleTestEvent): string {
  switch (event.type) {
    case 'plan':
      return `plan: ${describePlan(event.plan)}`;
    case 'watching':
      return `watching pods, EndpointSlices and ${event.streams} destination stream(s)`;
    case 'scaled':
      return event.direction === 'up'
        ? `scaled up to ${event.replicas} replicas`
        : `scaled back to ${event.replicas} replicas`;
    case 'stage': {
      const t = event.timing;
      const arrow = t.direction === 'up' ? '↑' : '↓';
      const subject = t.subject ? ` (${t.subject})` : '';
      switch (t.outcome) {
        case 'done':
          return `${arrow} ${t.label}${subject} at +${seconds(t.atMs)}${t.tookMs !== undefined ? `, ${seconds(t.tookMs)} after the previous stage` : ''}`;
        case 'timeout':
          return `${arrow} ${t.label}${subject}: not within ${limitText(t.limitMs)}`;
        case 'skipped':
          return `${arrow} ${t.label}: skipped${t.note ? ` (${t.note})` : ''}`;
        case 'pending':
          return `${arrow} ${t.label}: waiting`;
      }
      return t.label;
    }
    case 'restored':
      return `restored ${event.replicas} replicas${event.attempts > 1 ? ` (${event.attempts} writes)` : ''}`;
    case 'note':
      return event.text;
  }
}
