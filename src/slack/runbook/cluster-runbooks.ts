/**
 * The runbooks `serve` offers in Slack: the catalog (checked at start), and steps run over one
 * set of cluster adapters opened on first use (a failed open is retried by the next step).
 * TODO(issue 9): take the adapter set keyed by cluster once it lands on main.
 */
import type { Adapters } from '../../adapters/open-adapters.js';
import { executeRunbookStep, type RunbookStepSettings } from '../../runbooks/execute-runbook-step.js';
import type { RunbookCatalog } from '../../runbooks/load-runbooks.js';
import type { SlackRunbooks } from './runbook-thread.js';

export function createClusterRunbooks(options: {
  catalog: RunbookCatalog;
  cluster: string;
  buttonTtlMs: number;
  openAdapters: () => Promise<Adapters>;
  settings?: RunbookStepSettings;
}): SlackRunbooks & { close(): Promise<void> } {
  let adapters: Promise<Adapters> | undefined;
  const get = (): Promise<Adapters> => {
    if (!adapters) {
      adapters = options.openAdapters();
      adapters.catch(() => {
        adapters = undefined;
      });
    }
    return adapters;
  };
  return {
    catalog: options.catalog,
    cluster: options.cluster,
    buttonTtlMs: options.buttonTtlMs,
    async executeStep(cmd, exec, onProgress) {
      return executeRunbookStep(cmd, exec, await get(), { ...options.settings, onProgress });
    },
    async close() {
      const a = adapters;
      adapters = undefined;
      if (a)
        await a.then(
          (x) => x.close(),
          () => undefined,
        );
    },
  };
}
