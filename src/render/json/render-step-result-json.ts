import type { StepResult } from '../../domain/step-result.js';

/**
 * The StepResult as JSON, exactly the object front ends receive (docs/step-result.md).
 * Attachments serialize without their bytes (their own toJSON).
 */
export function renderStepResultJson(result: StepResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
