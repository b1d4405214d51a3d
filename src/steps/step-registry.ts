/**
 * The step registry: per command, the step that runs it, whether it changes the cluster, which
 * namespaces it reads (one, several, all), its target kind, and, for a step that changes the
 * cluster, its confirmation plan (plan -> confirm -> run). Authorization, the dispatcher
 * (run-command.ts), the Slack flows and the CLI read it; nobody keeps a second switch.
 *
 * Steps load lazily: a front end that runs one command imports only that step.
 */
import type { Adapters } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import type { MeshCommand, RunnableCommand } from '../grammar/parse-command.js';
import type { CheckData } from './check/check-types.js';
import { describePlan, describeProgress } from './scale-test/describe-progress.js';
import type { ScaleTestEvent, ScaleTestPlan, ScaleTestSettings } from './scale-test/scale-test-types.js';
import type { RestartPlan, RestartSettings } from './restart/plan-restart.js';
import type { RouteThresholds } from './routes/routes-types.js';
import type { TapData, TapLimits } from './tap/tap-types.js';
import { MeshbotError } from '../errors.js';
import type { ProxyLogLevelPlan, ProxyLogLevelSettings } from './proxy-log-level/plan-proxy-log-level.js';

/** Which namespaces a command reads or changes. */
export type NamespaceScope = { kind: 'none' } | { kind: 'some'; namespaces: string[] } | { kind: 'all' };

/** What the command's one argument names. */
export type TargetKind = 'service' | 'workload' | 'workload-or-service' | 'runbook' | 'none';

export type CommandOf<N extends RunnableCommand['name']> = Extract<RunnableCommand, { name: N }>;

export interface StepRunContext {
  /** Steps that take a while say what they are doing. */
  onProgress?(text: string): void;
  signal?: AbortSignal;
  /** What an operator configured for reading steps (serve's config); absent: the steps' defaults. */
  readingSettings?: ReadingSettings;
}

/** Configured limits of reading steps. */
export interface ReadingSettings {
  /** The routes step's verdict thresholds (config `routes:`). */
  routes?: Partial<RouteThresholds>;
  /** The operator's caps on tap (config `tap:`); default DEFAULT_TAP_LIMITS. */
  tap?: TapLimits;
}

/**
 * Plan -> confirm -> run, the general ability of steps that change the cluster. `plan` is
 * read-only and throws MeshbotError('refused') when the change is not allowed; a front end
 * shows `describe(plan)` and asks an authorized person; `run` changes the cluster and puts it
 * back. `Settings` are the limits an operator configured.
 */
export interface ConfirmationPlan<C extends RunnableCommand, Plan, Settings> {
  plan(command: C, adapters: Adapters, settings: Settings): Promise<Plan>;
  /** One line: what will change and the longest it may take. */
  describe(plan: Plan): string;
  run(
    command: C,
    adapters: Adapters,
    options: StepRunContext & { requestedBy: string; settings: Settings },
  ): Promise<StepResult>;
}

interface StepEntryBase<C extends RunnableCommand> {
  target: TargetKind;
  namespaces(command: C): NamespaceScope;
}

export interface ReadingStep<C extends RunnableCommand, Data = unknown> extends StepEntryBase<C> {
  mutating: false;
  run(command: C, adapters: Adapters, ctx: StepRunContext): Promise<StepResult<Data>>;
}

export interface MutatingStep<C extends RunnableCommand, Plan, Settings> extends StepEntryBase<C> {
  mutating: true;
  confirmation: ConfirmationPlan<C, Plan, Settings>;
}

export interface StepRegistry {
  endpoints: ReadingStep<CommandOf<'endpoints'>>;
  check: ReadingStep<CommandOf<'check'>, CheckData>;
  metrics: ReadingStep<CommandOf<'metrics'>>;
  'scale-test': MutatingStep<CommandOf<'scale-test'>, ScaleTestPlan, Partial<ScaleTestSettings>>;
  events: ReadingStep<CommandOf<'events'>>;
  restart: MutatingStep<CommandOf<'restart'>, RestartPlan, RestartSettings>;
  routes: ReadingStep<CommandOf<'routes'>>;
  runbook: ReadingStep<CommandOf<'runbook'>>;
  report: ReadingStep<CommandOf<'report'>>;
  clusters: ReadingStep<CommandOf<'clusters'>>;
  tap: ReadingStep<CommandOf<'tap'>, TapData | null>;
  'proxy-logs': ReadingStep<CommandOf<'proxy-logs'>>;
  'proxy-log-level': MutatingStep<
    CommandOf<'proxy-log-level'>,
    ProxyLogLevelPlan,
    Partial<ProxyLogLevelSettings>
  >;
}

const oneNamespace = (c: { target: { namespace: string } }): NamespaceScope => ({
  kind: 'some',
  namespaces: [c.target.namespace],
});

export const STEP_REGISTRY: StepRegistry = {
  endpoints: {
    mutating: false,
    target: 'service',
    namespaces: oneNamespace,
    run: async (c, adapters) =>
      (await import('./endpoints/run-endpoints-step.js')).runEndpointsStep(c.target, adapters),
  },
  check: {
    mutating: false,
    target: 'none',
    // Without --namespace the data-plane checks read pods in every namespace.
    namespaces: (c) =>
      c.namespace === undefined ? { kind: 'all' } : { kind: 'some', namespaces: [c.namespace] },
    run: async (c, adapters, ctx) =>
      (await import('./check/run-check-step.js')).runCheckStep(
        c,
        adapters,
        ctx.signal ? { signal: ctx.signal } : {},
      ),
  },
  metrics: {
    mutating: false,
    target: 'service',
    // Without a target: the destination controller and pod churn, cluster-wide.
    namespaces: (c) => (c.target ? oneNamespace({ target: c.target }) : { kind: 'all' }),
    run: async (c, adapters) =>
      c.target
        ? (await import('./metrics/run-metrics-step.js')).runMetricsStep(
            { target: c.target, windowSeconds: c.windowSeconds },
            adapters,
          )
        : (await import('./metrics/run-destination-metrics-step.js')).runDestinationMetricsStep(
            { windowSeconds: c.windowSeconds },
            adapters,
          ),
  },
  events: {
    mutating: false,
    target: 'workload-or-service',
    namespaces: oneNamespace,
    run: async (c, adapters) =>
      (await import('./events/run-events-step.js')).runEventsStep(
        { target: c.target, windowSeconds: c.windowSeconds },
        {
          kube: adapters.kube,
          controlPlane: adapters.controlPlane,
          scaling: adapters.scaling,
        },
      ),
  },
  routes: {
    mutating: false,
    target: 'service',
    namespaces: oneNamespace,
    run: async (c, adapters, ctx) =>
      (await import('./routes/run-routes-step.js')).runRoutesStep(
        {
          target: c.target,
          windowSeconds: c.windowSeconds,
          ...(ctx.readingSettings?.routes ? { thresholds: ctx.readingSettings.routes } : {}),
          ...(adapters.options.clusterDomain ? { clusterDomain: adapters.options.clusterDomain } : {}),
        },
        {
          cluster: adapters.cluster,
          kube: adapters.kube,
          routes: adapters.routes,
          ...(adapters.prometheus ? { prometheus: adapters.prometheus } : {}),
        },
      ),
  },
  restart: {
    mutating: true,
    target: 'workload',
    namespaces: oneNamespace,
    confirmation: {
      plan: async (c, adapters, settings) =>
        (await import('./restart/plan-restart.js')).planRestart(c.target, adapters, settings),
      describe: (plan) => plan.description,
      run: async (c, adapters, options) =>
        (await import('./restart/plan-restart.js')).runRestart(c.target, adapters, options),
    },
  },
  runbook: {
    mutating: false,
    target: 'runbook',
    // Listing reads nothing; each step of a run is authorized on its own when it runs.
    namespaces: () => ({ kind: 'none' }),
    run: () =>
      Promise.reject(
        new MeshbotError('usage', 'a runbook is not one step', 'Run it with: meshbot runbook NAME TARGET'),
      ),
  },
  report: {
    mutating: false,
    target: 'none',
    // A listing reads no cluster; a run sweeps the report's scope, which is in the config: here
    // every namespace (the widest a report may read); Slack's authorization narrows it to the
    // report's scope (AuthorizationPolicy.reportScopes).
    namespaces: (c) => (c.action === 'list' ? { kind: 'none' } : { kind: 'all' }),
    run: () =>
      Promise.reject(
        new MeshbotError(
          'usage',
          'the scheduled reports run in meshbot serve',
          'In Slack: /mesh report list, /mesh report run NAME. On the command line: meshbot sweep.',
        ),
      ),
  },
  clusters: {
    mutating: false,
    target: 'none',
    // Versions and reachability only: no namespace is read.
    namespaces: () => ({ kind: 'none' }),
    run: () =>
      Promise.reject(
        new MeshbotError(
          'usage',
          'clusters looks at every cluster, not one adapter set',
          'The front ends answer it with runClustersStep (src/steps/clusters/run-clusters-step.ts).',
        ),
      ),
  },
  tap: {
    mutating: false,
    target: 'workload',
    // The tapped workload's or pod's namespace (a namespace target's own name), and --to's.
    namespaces: (c) => ({
      kind: 'some',
      namespaces: [...new Set([c.target.namespace, ...(c.to ? [c.to.namespace] : [])])],
    }),
    run: async (c, adapters, ctx) =>
      (await import('./tap/run-tap-step.js')).runTapStep(c, adapters, {
        ...(ctx.readingSettings?.tap ? { limits: ctx.readingSettings.tap } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
      }),
  },
  'proxy-logs': {
    mutating: false,
    target: 'workload',
    namespaces: oneNamespace,
    run: async (c, adapters) =>
      (await import('./proxy-logs/run-proxy-logs-step.js')).runProxyLogsStep(
        { target: c.target, sinceSeconds: c.sinceSeconds, tailLines: c.tailLines },
        adapters,
      ),
  },
  'proxy-log-level': {
    mutating: true,
    target: 'workload',
    namespaces: oneNamespace,
    confirmation: {
      plan: async (c, adapters, settings) =>
        (await import('./proxy-log-level/plan-proxy-log-level.js')).planProxyLogLevel(c, adapters, settings),
      describe: (plan) => plan.description,
      run: async (c, adapters, options) =>
        (await import('./proxy-log-level/run-proxy-log-level.js')).runProxyLogLevel(c, adapters, {
          requestedBy: options.requestedBy,
          settings: options.settings,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        }),
    },
  },
  'scale-test': {
    mutating: true,
    target: 'workload-or-service',
    namespaces: oneNamespace,
    confirmation: {
      plan: async (c, adapters, settings) =>
        (await import('./scale-test/plan-scale-test.js')).planScaleTest(c.target, adapters, settings),
      describe: describePlan,
      run: async (c, adapters, options) =>
        (await import('./scale-test/run-scale-test-step.js')).runScaleTestStep(
          {
            target: c.target,
            requestedBy: options.requestedBy,
            settings: options.settings,
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onProgress
              ? { onProgress: (e: ScaleTestEvent) => options.onProgress?.(describeProgress(e)) }
              : {}),
          },
          adapters,
        ),
    },
  },
};

/** The registry's entry of a command. */
export function stepOf<N extends RunnableCommand['name']>(name: N): StepRegistry[N] {
  return STEP_REGISTRY[name];
}

/** Whether a command changes the cluster (help does not). */
export function isMutating(command: MeshCommand): boolean {
  return command.name !== 'help' && STEP_REGISTRY[command.name].mutating;
}

/** The namespaces a command reads or changes (help: none). */
export function namespaceScopeOf(command: MeshCommand): NamespaceScope {
  if (command.name === 'help') return { kind: 'none' };
  const namespaces = STEP_REGISTRY[command.name].namespaces as (c: RunnableCommand) => NamespaceScope;
  return namespaces(command);
}
