import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  loadRunbookFile,
  loadRunbooks,
  parseRunbookYaml,
  RunbookError,
} from '../../../src/runbooks/load-runbooks.js';

const GOOD = `
id: tiny
title: Tiny
summary: A small runbook for tests.
target: service
steps:
  - id: first
    title: Endpoints
    why: Compares.
    run: endpoints {{service}}.{{namespace}}
    on:
      pass: { stop: { conclusion: All good. } }
  - id: fix
    title: Restart
    why: Fixes.
    run: restart deploy/linkerd-destination.linkerd
    on:
      pass: { goto: first }
      warn: { stop: { conclusion: Half. } }
      fail: { stop: { conclusion: No. } }
      error: { stop: { conclusion: No. } }
`;

function problemOf(text: string, source = 'bad.yaml'): RunbookError {
  try {
    parseRunbookYaml(text, source);
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('runbook loading', () => {
  it('loads the built-in runbooks', () => {
    const ids = loadRunbooks()
      .list()
      .map((r) => r.id);
    expect(ids).toEqual(['destination-overload', 'restart', 'service-errors', 'stale-endpoints']);
  });

  it('marks steps that change the cluster and hashes the content', () => {
    const rb = parseRunbookYaml(GOOD, 'tiny.yaml');
    expect(rb.steps.map((s) => [s.id, s.command, s.changesCluster])).toEqual([
      ['first', 'endpoints', false],
      ['fix', 'restart', true],
    ]);
    expect(rb.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(parseRunbookYaml(GOOD.replace('Fixes.', 'Fixes it.'), 'tiny.yaml').hash).not.toBe(rb.hash);
    // Layout and comments are not content.
    expect(parseRunbookYaml(`# a comment\n${GOOD}\n\n`, 'tiny.yaml').hash).toBe(rb.hash);
  });

  it('names the file and the field of a schema problem', () => {
    const err = problemOf(GOOD.replace('title: Endpoints', 'titel: Endpoints'), '/x/bad.yaml');
    expect(err.message).toContain('/x/bad.yaml is not a valid runbook');
    expect(err.message).toContain('steps[0]: unknown field "titel" (did you mean "title"?)');
    expect(err.message).toContain('steps[0].title');
    expect(err.hint).toContain('docs/runbooks.md');
  });

  it('refuses a command the grammar refuses, at load time', () => {
    const err = problemOf(GOOD.replace('run: endpoints {{service}}', 'run: endpionts {{service}}'));
    expect(err.message).toContain(
      'steps[0].run: "endpionts {{service}}.{{namespace}}" is not a meshbot command',
    );
    expect(err.message).toContain('did you mean "endpoints"');
  });

  it('refuses unknown placeholders, unknown goto targets and unreachable steps', () => {
    expect(problemOf(GOOD.replace('{{service}}', '{{workload}}')).message).toContain(
      'steps[0].run: unknown placeholder {{workload}}; a service runbook has {{service}}, {{namespace}}',
    );
    expect(problemOf(GOOD.replace('goto: first', 'goto: frist')).message).toContain(
      'steps[1].on.pass.goto: no step has the id "frist"',
    );
    const unreachable = GOOD.replace(
      'pass: { stop: { conclusion: All good. } }',
      [
        'pass: { stop: { conclusion: All good. } }',
        '      warn: { stop: { conclusion: W. } }',
        '      fail: { stop: { conclusion: F. } }',
        '      error: { stop: { conclusion: E. } }',
      ].join('\n'),
    );
    expect(problemOf(unreachable).message).toContain('steps[1]: step "fix" can never be reached');
  });

  it('refuses an outcome that is none of next, goto, stop', () => {
    expect(problemOf(GOOD.replace('pass: { goto: first }', 'pass: restart')).message).toContain(
      'steps[1].on.pass: one of: next, { goto: STEP_ID }, { stop: { conclusion: TEXT } }',
    );
  });

  it('loads an operator directory and names a bad file among them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbooks-'));
    try {
      writeFileSync(path.join(dir, 'tiny.yaml'), GOOD);
      expect(loadRunbooks({ extraDir: dir }).get('tiny')?.builtin).toBe(false);
      writeFileSync(path.join(dir, 'broken.yaml'), 'id: broken\ntitle: [');
      expect(() => loadRunbooks({ extraDir: dir })).toThrow(/broken\.yaml is not valid YAML/);
      rmSync(path.join(dir, 'broken.yaml'));
      writeFileSync(path.join(dir, 'again.yaml'), GOOD);
      expect(() => loadRunbooks({ extraDir: dir })).toThrow(/id "tiny" is already the id of/);
      expect(() => loadRunbookFile(path.join(dir, 'missing.yaml'))).toThrow(/cannot read the runbook file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
