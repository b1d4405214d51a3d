import type { StepStatus } from '../domain/step-result.js';
import { EXIT } from '../errors.js';

/**
 * The exit code of a step's result: 0 pass (consistent); 1 warn or fail (differences or
 * problems found); 3 error (Kubernetes or the destination could not be asked).
 * Usage errors (2) never get this far.
 */
export function exitCodeForStatus(status: StepStatus): number {
  switch (status) {
    case 'pass':
      return EXIT.ok;
    case 'warn':
    case 'fail':
      return EXIT.problem;
    case 'error':
      return EXIT.unreachable;
  }
}
