import type { MeshCommand } from './parse-command.js';
import { formatTapCommand } from './tap-command.js';
import { formatScaleTarget, formatServiceTarget, formatWorkloadTarget } from './targets.js';
import {
  DEFAULT_EVENTS_WINDOW_SECONDS,
  DEFAULT_METRICS_WINDOW_SECONDS,
  DEFAULT_ROUTES_WINDOW_SECONDS,
  DEFAULT_PROXY_LOG_LEVEL_SECONDS,
  DEFAULT_PROXY_LOGS_SINCE_SECONDS,
  DEFAULT_PROXY_LOGS_TAIL,
} from './parse-command.js';
import { formatPodOrWorkloadTarget } from './pod-target.js';
import { formatRoutesTarget } from './routes-target.js';

/** A window as `--window` accepts it: whole hours, whole minutes, or seconds. */
function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * A parsed command back in the grammar, the one renderer of commands (next steps, buttons,
 * help): `parseCommand(formatCommand(c))` equals `c` for every command. Defaults are left out.
 */
export function formatCommand(command: MeshCommand): string {
  const text = formatCommandOf(command);
  return command.cluster !== undefined && command.name !== 'help'
    ? `${text} --cluster ${command.cluster}`
    : text;
}

function formatCommandOf(command: MeshCommand): string {
  switch (command.name) {
    case 'help':
      return command.topic ? `help ${command.topic}` : 'help';
    case 'endpoints':
      return `endpoints ${formatServiceTarget(command.target)}`;
    case 'check':
      if (command.namespace !== undefined) return `check --namespace ${command.namespace}`;
      return command.proxy ? 'check --proxy' : 'check';
    case 'metrics': {
      const window =
        command.windowSeconds === DEFAULT_METRICS_WINDOW_SECONDS
          ? ''
          : ` --window ${formatWindow(command.windowSeconds)}`;
      return command.target ? `metrics ${formatServiceTarget(command.target)}${window}` : `metrics${window}`;
    }
    case 'scale-test':
      return `scale-test ${formatScaleTarget(command.target)}`;
    case 'events': {
      const window =
        command.windowSeconds === DEFAULT_EVENTS_WINDOW_SECONDS
          ? ''
          : ` --window ${formatWindow(command.windowSeconds)}`;
      return `events ${formatScaleTarget(command.target)}${window}`;
    }
    case 'restart':
      return `restart ${formatWorkloadTarget(command.target)}`;
    case 'routes': {
      const window =
        command.windowSeconds === DEFAULT_ROUTES_WINDOW_SECONDS
          ? ''
          : ` --window ${formatWindow(command.windowSeconds)}`;
      return `routes ${formatRoutesTarget(command.target)}${window}`;
    }
    case 'proxy-logs': {
      const since =
        command.sinceSeconds === DEFAULT_PROXY_LOGS_SINCE_SECONDS
          ? ''
          : ` --since ${formatWindow(command.sinceSeconds)}`;
      const tail = command.tailLines === DEFAULT_PROXY_LOGS_TAIL ? '' : ` --tail ${command.tailLines}`;
      return `proxy-logs ${formatPodOrWorkloadTarget(command.target)}${since}${tail}`;
    }
    case 'proxy-log-level': {
      const f =
        command.forSeconds === DEFAULT_PROXY_LOG_LEVEL_SECONDS
          ? ''
          : ` --for ${formatWindow(command.forSeconds)}`;
      return `proxy-log-level ${formatWorkloadTarget(command.target)} ${command.level}${f}`;
    }
    case 'runbook':
      return command.runbook !== undefined && command.target !== undefined
        ? `runbook ${command.runbook} ${command.target}`
        : 'runbook';
    case 'report':
      return command.action === 'run' ? `report run ${command.report}` : 'report list';
    case 'clusters':
      return 'clusters';
    case 'tap':
      return formatTapCommand(command);
  }
}
