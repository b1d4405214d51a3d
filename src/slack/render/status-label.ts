import type { FindingSeverity, StepStatus } from '../../domain/step-result.js';

/** A status as an emoji and a word, so it reads without colour. */
export function statusLabel(status: StepStatus | 'running'): string {
  switch (status) {
    case 'pass':
      return ':white_check_mark: Pass';
    case 'warn':
      return ':warning: Warn';
    case 'fail':
      return ':x: Fail';
    case 'error':
      return ':exclamation: Error';
    case 'running':
      return ':hourglass_flowing_sand: Running';
  }
}

export function severityEmoji(severity: FindingSeverity): string {
  switch (severity) {
    case 'info':
      return ':information_source:';
    case 'warn':
      return ':warning:';
    case 'fail':
      return ':x:';
    case 'error':
      return ':exclamation:';
  }
}
