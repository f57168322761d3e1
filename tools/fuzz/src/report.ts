import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { FuzzResult } from './fuzz-run';

/** A plain-text table, numbers right-aligned (as tools/bench prints its results). */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const sum = (counts: Record<string, number>, keep: (key: string) => boolean) =>
  Object.entries(counts).reduce((n, [k, v]) => n + (keep(k) ? v : 0), 0);
const total = (counts: Record<string, number>) => sum(counts, () => true);

/** Statuses per route: 2xx, each 4xx code seen, 5xx, connections dropped and timeouts, breaches. */
export function routeTable(result: FuzzResult): string {
  const codes = [...new Set(result.routes.flatMap((r) => Object.keys(r.statuses)))]
    .filter((c) => /^4\d\d$/.test(c))
    .sort();
  return table(
    ['route', 'inputs', '2xx', ...codes, '5xx', 'conn err', 'timeout', 'breaches'],
    result.routes.map((r) => [
      r.route,
      r.inputs,
      sum(r.statuses, (k) => k.startsWith('2')),
      ...codes.map((c) => r.statuses[c] ?? 0),
      sum(r.statuses, (k) => k.startsWith('5')),
      r.statuses['conn-error'] ?? 0,
      r.statuses.timeout ?? 0,
      total(r.breaches),
    ]),
  );
}

export function subjectTable(result: FuzzResult): string {
  return table(
    [
      'subject',
      'inputs',
      'stored',
      'refused at publish',
      'processed',
      'dead-lettered',
      'undelivered',
      'breaches',
    ],
    result.subjects.map((s) => [
      s.subject,
      s.inputs,
      s.published,
      s.refusedAtPublish,
      s.processed,
      s.deadLettered,
      s.undelivered,
      total(s.breaches),
    ]),
  );
}

export function checkTable(result: FuzzResult): string {
  return table(
    ['check', 'ok', 'detail'],
    result.checks.map((c) => [c.check, c.ok ? 'yes' : 'NO', c.detail]),
  );
}

/** Control characters as `\xNN`, so a binary body prints on one line. */
const visible = (text: string) =>
  // eslint-disable-next-line no-control-regex -- making control characters visible is the point
  text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Each broken invariant: how often, and the first inputs that broke it, with a reproduction. */
export function breachReport(result: FuzzResult): string {
  const lines: string[] = [];
  for (const row of [
    ...result.routes.map((r) => ({ name: r.route, ...r })),
    ...result.subjects.map((s) => ({ name: s.subject, ...s })),
  ]) {
    for (const [rule, count] of Object.entries(row.breaches)) {
      lines.push(`${row.name}: ${rule} (${count})`);
      for (const e of row.examples.filter((x) => x.rule === rule)) {
        lines.push(`  input: ${e.input}`, `  got:   ${e.detail}`);
        if ('reproduce' in e) lines.push(`  repro: ${String(e.reproduce).slice(0, 600)}`);
        if ('body' in e && e.body) lines.push(`  body:  ${visible(String(e.body))}`);
      }
    }
  }
  return lines.join('\n');
}

export function fullReport(result: FuzzResult): string {
  return [
    `fuzz run: seed ${result.seed}, ${result.runs} inputs per route, ${result.eventRuns} per subject, plant ${result.plant}, ${result.seconds} s`,
    '',
    routeTable(result),
    '',
    subjectTable(result),
    '',
    checkTable(result),
    ...(result.ok ? ['', 'every invariant held'] : ['', 'BROKEN INVARIANTS', breachReport(result)]),
    ...(result.logs ? ['', `service logs: ${result.logs}`] : []),
  ].join('\n');
}

/** Writes the result as JSON (by default where the benchmarks keep theirs: bench/results/fuzz-latest.json). */
export function writeFuzzResult(result: FuzzResult, file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine, ...result }, null, 2)}\n`);
  return file;
}
