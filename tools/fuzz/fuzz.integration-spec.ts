import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from '@plantbridge/testing';
import type { FuzzResult } from './src/fuzz-run';
import { breachReport } from './src/report';

// Setup, 400 requests per route, 300 events per subject and the settling: about a minute here.
jest.setTimeout(420_000);

const SEED = 20251;

/**
 * The short variant of `npm run fuzz` (see tools/fuzz/README.md): the same command, plant, generators
 * and invariants, seeded, with fewer inputs. It runs as its own process, as `npm run fuzz` does:
 * in jest's process, under --detectOpenHandles' async hooks, the fuzzer ran at half its speed. A
 * failure prints each broken invariant with the inputs that broke it and a curl line (or the event
 * body) that reproduces it; `npm run fuzz -- --seed 20251` sends the same inputs, more of them.
 */
describe('no input stops a plant: fuzzing every route and consumed subject', () => {
  let result: FuzzResult;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-result-'));
    const out = join(dir, 'fuzz.json');
    // Every route and every subject, as the full run.
    const args = ['--seed', String(SEED), '--runs', '400', '--event-runs', '300', '--out', out];
    const fuzz = ServiceProcess.startEntry('tools/fuzz/main.ts', args);
    // Before jest's own timeout: stopped, the run stops its plant instead of leaving it running.
    const deadline = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), 330_000).unref(),
    );
    const exit = await Promise.race([fuzz.exited(), deadline]);
    if (!exit) {
      await fuzz.stop();
      throw new Error(`npm run fuzz did not finish in 330 s:\n${fuzz.text().slice(-3000)}`);
    }
    const { code } = exit;
    try {
      result = JSON.parse(readFileSync(out, 'utf8')) as FuzzResult;
    } catch {
      throw new Error(`npm run fuzz exited with ${code} and no result:\n${fuzz.text().slice(-3000)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Fails with the report itself: each broken invariant, the inputs that broke it, how to reproduce. */
  const expectNoBreaches = (part: 'routes' | 'subjects') => {
    const report = breachReport({ ...result, [part === 'routes' ? 'subjects' : 'routes']: [] });
    if (report) throw new Error(`broken invariants:\n${report}`);
  };

  it('answers every hostile request with no 5xx and names the field or rule of every refusal', () => {
    expectNoBreaches('routes');
  });

  it('dead-letters every bad event with its reason, and still processes the valid ones among them', () => {
    expectNoBreaches('subjects');
  });

  it('keeps /health/live answering, memory at its level, and every accepted confirmation on its way to ERP', () => {
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
