/**
 * Incident notes: a runbook run as Markdown, ready to paste into a postmortem. A UTC timeline
 * (who asked, who confirmed what, each step's verdict), each step's key evidence (its
 * findings and the first rows of its first evidence table), the changes made and their
 * verification, and the conclusion.
 */
import type { EvidenceTable, Finding } from '../../domain/step-result.js';
import type { RunbookEntry, RunbookReport } from '../../runbooks/drive-runbook.js';

/** `2026-11-30T04:41:02.123Z` -> `04:41:02Z` (the date is in the header). */
function clock(iso: string): string {
  return `${iso.slice(11, 19)}Z`;
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(t: Pick<EvidenceTable, 'columns' | 'rows'>, maxRows: number): string[] {
  const rows = t.rows.slice(0, maxRows);
  const out = [
    `| ${t.columns.map(cell).join(' | ')} |`,
    `|${t.columns.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  if (t.rows.length > maxRows) out.push('', `_${t.rows.length - maxRows} more rows left out._`);
  return out;
}

const VERDICT: Record<RunbookEntry['outcome'], string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIPPED',
  stopped: 'STOPPED',
};

function keyFindings(findings: Finding[]): Finding[] {
  const problems = findings.filter((f) => f.severity !== 'info');
  return (problems.length ? problems : findings).slice(0, 6);
}

function who(e: RunbookEntry, report: RunbookReport): string {
  if (e.confirmedBy) return `confirmed by ${e.confirmedBy}`;
  if (e.outcome === 'skipped' || e.outcome === 'stopped') return e.note ?? '';
  return `asked by ${report.requestedBy}`;
}

export function renderIncidentNotes(report: RunbookReport): string {
  const out: string[] = [];
  out.push(`# Incident notes: ${report.runbook.title} on ${report.target}`, '');
  out.push(
    `- **Runbook:** ${report.runbook.id} (content ${report.runbook.hash})`,
    `- **Target:** ${report.target} on cluster ${report.cluster}`,
    `- **Asked by:** ${report.requestedBy}`,
    `- **Ran:** ${report.startedAt} to ${report.finishedAt} (UTC)`,
    `- **Worst verdict:** ${report.worst.toUpperCase()}`,
    '',
    '## Conclusion',
    '',
    report.stop.conclusion,
    '',
    '## Timeline (UTC)',
    '',
    `| Time | Step | Command | Verdict | Who | Summary |`,
    `| --- | --- | --- | --- | --- | --- |`,
    `| ${clock(report.startedAt)} | runbook started | \`runbook ${report.runbook.id} ${report.target}\` | | asked by ${cell(report.requestedBy)} | |`,
  );
  for (const e of report.entries) {
    out.push(
      `| ${clock(e.startedAt)} | ${cell(e.title)} | \`${e.command}\` | ${VERDICT[e.outcome]} | ${cell(who(e, report))} | ${cell(e.result?.summary ?? e.summary ?? e.note ?? '')} |`,
    );
  }
  out.push(
    `| ${clock(report.finishedAt)} | runbook ended (${report.stop.reason}) | | ${report.worst.toUpperCase()} | | |`,
    '',
  );

  const changes = report.entries.filter((e) => e.changesCluster);
  out.push('## Changes made', '');
  if (changes.length === 0) out.push('None: no step that changes the cluster was part of this run.', '');
  for (const e of changes) {
    const summary = e.result?.summary ?? e.summary;
    if (summary !== undefined) {
      out.push(
        `- ${clock(e.startedAt)} \`${e.command}\`, ${e.confirmedBy ? `confirmed by ${e.confirmedBy}` : 'unconfirmed'}: ${VERDICT[e.outcome]}, ${summary}`,
      );
    } else {
      out.push(`- \`${e.command}\`: ${VERDICT[e.outcome]} (${e.note ?? 'not run'}); nothing was changed`);
    }
  }
  out.push('');

  const ran = (e: RunbookEntry): boolean => e.outcome !== 'skipped' && e.outcome !== 'stopped';
  const lastChange = report.entries.reduce((i, e, n) => (e.changesCluster && ran(e) ? n : i), -1);
  out.push('## Verification', '');
  if (lastChange === -1) {
    out.push('No change was made, so there was nothing to verify.', '');
  } else {
    const after = report.entries.slice(lastChange + 1).filter(ran);
    if (after.length === 0) out.push('No step ran after the last change: it is not verified.', '');
    for (const e of after) {
      const summary = e.result?.summary ?? e.summary ?? '';
      out.push(`- ${clock(e.startedAt)} \`${e.command}\`: ${VERDICT[e.outcome]}, ${summary}`);
    }
    out.push('');
  }

  out.push('## Steps and evidence', '');
  report.entries.forEach((e, i) => {
    out.push(`### ${i + 1}. ${e.title}: ${VERDICT[e.outcome]}`, '');
    out.push(
      `\`${e.command}\` at ${e.startedAt}${e.confirmedBy ? `, confirmed by ${e.confirmedBy}` : ''}`,
      '',
    );
    out.push(`_Why:_ ${e.why}`, '');
    if (!e.result) {
      if (e.summary !== undefined) {
        out.push(e.summary, '', ...(e.keyEvidence ?? []).map((k) => `- ${k}`), '');
      } else out.push(`${e.note ?? 'Not run.'}`, '');
      return;
    }
    out.push(e.result.summary, '');
    for (const f of keyFindings(e.result.findings)) {
      out.push(`- **${f.severity}** ${f.message}${f.hint ? ` _(${f.hint})_` : ''}`);
    }
    out.push('');
    const first = e.result.evidence[0];
    if (first && first.rows.length) out.push(`**${first.title}**`, '', ...table(first, 10), '');
  });
  return `${out.join('\n').trimEnd()}\n`;
}
