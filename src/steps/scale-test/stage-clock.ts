/**
 * How the scale test times its stages: each stage waits for the fact that ends it (from the
 * event timeline, no polling) within the stage limit, and is recorded and told as it settles:
 * done (with its time from the scale request and from the stage it follows), timeout or skipped.
 */
import type { EventTimeline, Fact, FactKind, FactOf } from './event-timeline.js';
import {
  STAGE_DIRECTION,
  STAGE_LABEL,
  type ScaleTestProgress,
  type StageName,
  type StageTiming,
} from './scale-test-types.js';

export interface StageClockDeps {
  /** Where stages are recorded (the test's data). */
  stages: StageTiming[];
  stageTimeoutMs: number;
  /** Authorities a destination stage waits on, each. */
  authorities: readonly string[];
  timeline: EventTimeline;
  /** Ends every wait (the test's limit, a cancel, a broken watch). */
  signal: AbortSignal;
  notify: ScaleTestProgress;
  /** The error a wait throws when `signal` aborted. */
  aborted(): Error;
}

export interface StageClock {
  /** Records a stage. */
  stage(name: StageName, limitMs: number, extra: Partial<StageTiming>): StageTiming;
  /** Records and tells a stage that could not be timed. */
  skip(name: StageName, note: string): void;
  /** Waits for a fact within the stage limit from `fromMs`; records the stage either way. */
  timeStage<K extends FactKind>(
    name: StageName,
    kind: K,
    pred: (f: FactOf<K>) => boolean,
    fromMs: number,
    originMs: number,
    subject?: (f: FactOf<K>) => string,
  ): Promise<FactOf<K> | undefined>;
  /** Destination stage over every authority: done when each stream has sent it. */
  timeDestination(
    name: 'destination-added' | 'destination-removed',
    ip: string,
    fromMs: number,
    originMs: number,
  ): Promise<boolean>;
}

export function createStageClock(deps: StageClockDeps): StageClock {
  const { timeline, notify, stageTimeoutMs } = deps;
  const stage = (name: StageName, limitMs: number, extra: Partial<StageTiming>): StageTiming => {
    const t: StageTiming = {
      stage: name,
      label: STAGE_LABEL[name],
      direction: STAGE_DIRECTION[name],
      outcome: 'pending',
      limitMs,
      ...extra,
    };
    deps.stages.push(t);
    return t;
  };
  return {
    stage,
    skip(name, note) {
      notify({ type: 'stage', timing: stage(name, stageTimeoutMs, { outcome: 'skipped', note }) });
    },
    async timeStage(name, kind, pred, fromMs, originMs, subject) {
      const got = await timeline.waitFor(kind, pred, fromMs + stageTimeoutMs, deps.signal);
      if (got === 'aborted') throw deps.aborted();
      const t =
        got === 'deadline'
          ? stage(name, stageTimeoutMs, { outcome: 'timeout' })
          : stage(name, stageTimeoutMs, {
              outcome: 'done',
              atMs: Math.round(got.atMs - originMs),
              tookMs: Math.round(Math.max(0, got.atMs - fromMs)),
              ...(subject ? { subject: subject(got) } : {}),
            });
      notify({ type: 'stage', timing: t });
      return got === 'deadline' ? undefined : got;
    },
    async timeDestination(name, ip, fromMs, originMs) {
      const kind = name === 'destination-added' ? 'destination-add' : 'destination-remove';
      const deadline = fromMs + stageTimeoutMs;
      let latest: Fact | undefined;
      for (const authority of deps.authorities) {
        const got = await timeline.waitFor(
          kind,
          (f) => f.ip === ip && f.authority === authority && f.atMs >= originMs,
          deadline,
          deps.signal,
        );
        if (got === 'aborted') throw deps.aborted();
        if (got === 'deadline') {
          notify({
            type: 'stage',
            timing: stage(name, stageTimeoutMs, {
              outcome: 'timeout',
              subject: ip,
              note: `no ${kind === 'destination-add' ? 'add' : 'remove'} on ${authority}`,
            }),
          });
          return false;
        }
        if (!latest || got.atMs > latest.atMs) latest = got;
      }
      const at = latest?.atMs ?? timeline.now();
      notify({
        type: 'stage',
        timing: stage(name, stageTimeoutMs, {
          outcome: 'done',
          atMs: Math.round(at - originMs),
          tookMs: Math.round(Math.max(0, at - fromMs)),
          subject: ip,
        }),
      });
      return true;
    },
  };
}
