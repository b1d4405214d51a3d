import { reportSchema } from '../../../src/config/reports-schema.js';
import { listReports, reportNamed } from '../../../src/drift/report-commands.js';

const reports = [
  reportSchema.parse({
    name: 'mesh-drift',
    schedule: '*/15 * * * *',
    timezone: 'Europe/Paris',
    channel: 'C012AB3CD',
    scope: { namespaces: ['shop', 'payments'], selector: 'tier=backend' },
  }),
  reportSchema.parse({ name: 'certs', schedule: '0 9 * * *', channel: 'C0CERTS1' }),
];

describe('report list', () => {
  it('lists each report with its schedule and time zone, channel, scope and next run', () => {
    const next = new Date('2026-11-30T06:15:00Z');
    const r = listReports(reports, { leader: true, nextRun: (n) => (n === 'mesh-drift' ? next : null) });
    expect(r.summary).toBe('2 reports configured; this replica leads: it runs the schedules.');
    expect(r.evidence[0]!.rows).toEqual([
      [
        'mesh-drift',
        '*/15 * * * * (Europe/Paris)',
        '<#C012AB3CD>',
        'shop, payments; tier=backend',
        next.toISOString(),
      ],
      ['certs', '0 9 * * * (UTC)', '<#C0CERTS1>', 'all namespaces', 'not scheduled'],
    ]);
    expect(r.next.map((n) => n.command)).toEqual([
      { name: 'report', action: 'run', report: 'mesh-drift' },
      { name: 'report', action: 'run', report: 'certs' },
    ]);
    expect(r.data.leader).toBe(true);
  });

  it('says when this replica does not lead, and when nothing is configured', () => {
    expect(listReports(reports, { leader: false, nextRun: () => null }).summary).toMatch(
      /does not lead: another replica runs the schedules/,
    );
    expect(listReports([], { leader: false, nextRun: () => null }).summary).toBe('No report is configured.');
  });
});

describe('report run NAME', () => {
  it('finds the report, or suggests the nearest name', () => {
    expect(reportNamed('certs', reports).name).toBe('certs');
    expect(() => reportNamed('mesh-drfit', reports)).toThrow(
      'no report named "mesh-drfit"; did you mean "mesh-drift"?',
    );
    expect(() => reportNamed('x', [])).toThrow('no report is configured');
  });
});
