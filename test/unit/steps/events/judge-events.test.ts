import type { CoreV1Event } from '@kubernetes/client-node';
import {
  judgeEvents,
  warningEventsOf,
  type EventsData,
} from '../../../../src/steps/events/run-events-step.js';

const since = Date.parse('2026-11-30T04:00:00Z');
const base: EventsData = {
  windowSeconds: 3600,
  selector: 'app=web',
  pods: [{ name: 'web-1', phase: 'Running', ready: true, restarts: 0 }],
  containers: [{ pod: 'web-1', container: 'web', ready: true, restarts: 0 }],
  warnings: [],
};

describe('the events step judgement', () => {
  it('passes quiet pods', () => {
    expect(judgeEvents(base, since).map((f) => f.code)).toEqual(['pods-quiet']);
  });

  it('fails an OOM kill in the window, warns a restart, names the pod', () => {
    const oom = judgeEvents(
      {
        ...base,
        containers: [
          {
            pod: 'web-1',
            container: 'web',
            ready: true,
            restarts: 2,
            lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-11-30T04:30:00.000Z' },
          },
        ],
      },
      since,
    );
    expect(oom).toEqual([
      expect.objectContaining({
        severity: 'fail',
        code: 'oom-killed',
        subject: 'web-1',
        message: 'web-1 (web) was OOMKilled at 2026-11-30T04:30:00.000Z; 2 restarts',
      }),
    ]);
    // An OOM kill before the window is old news; a restart inside it is a warning.
    const old = judgeEvents(
      {
        ...base,
        containers: [
          {
            pod: 'web-1',
            container: 'web',
            ready: true,
            restarts: 1,
            lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2026-11-30T04:10:00.000Z' },
          },
        ],
      },
      since,
    );
    expect(old.map((f) => `${f.severity}:${f.code}`)).toEqual(['warn:restarted']);
  });

  it('reads failing probes and other warnings of the pods and of objects named after the workload', () => {
    const ev = (name: string, reason: string, at: string, kind = 'Pod'): CoreV1Event => ({
      metadata: {},
      involvedObject: { kind, name },
      type: 'Warning',
      reason,
      message: `${reason} happened`,
      count: 2,
      lastTimestamp: new Date(at),
    });
    const warnings = warningEventsOf(
      [
        ev('web-1', 'Unhealthy', '2026-11-30T04:50:00Z'),
        ev('web-7f9c-old', 'BackOff', '2026-11-30T04:40:00Z'),
        ev('web-7f9c', 'FailedCreate', '2026-11-30T04:45:00Z', 'ReplicaSet'),
        ev('api-1', 'Unhealthy', '2026-11-30T04:50:00Z'),
        ev('web-1', 'Unhealthy', '2026-11-30T03:00:00Z'),
      ],
      new Set(['web-1']),
      'web-',
      since,
    );
    expect(warnings.map((w) => `${w.object} ${w.reason}`)).toEqual([
      'pod/web-1 Unhealthy',
      'replicaset/web-7f9c FailedCreate',
      'pod/web-7f9c-old BackOff',
    ]);
    expect(judgeEvents({ ...base, warnings }, since).map((f) => `${f.severity}:${f.code}`)).toEqual([
      'warn:probe-failing',
      'warn:warning-event',
      'warn:warning-event',
    ]);
  });
});
