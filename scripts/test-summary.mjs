#!/usr/bin/env node
/**
 * Sums the vitest JSON reports (`test-results.json`) of every workspace package that has a
 * `test` script and prints one line: `N passed, N failed`. A package whose report is missing
 * (its run crashed before reporting) counts as one failure, so a crash never reads as green.
 * Exits 1 when anything failed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageDirs = ['apps', 'packages']
  .flatMap((group) => {
    const dir = path.join(root, group);
    return existsSync(dir) ? readdirSync(dir).map((name) => path.join(dir, name)) : [];
  })
  .filter((dir) => existsSync(path.join(dir, 'package.json')));

let passed = 0;
let failed = 0;
for (const dir of packageDirs) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (!manifest.scripts?.test) continue;
  const report = path.join(dir, 'test-results.json');
  if (!existsSync(report)) {
    console.error(`${manifest.name}: no test report (the run crashed before reporting)`);
    failed += 1;
    continue;
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  const packageFailed =
    results.numFailedTests + (results.success === false && results.numFailedTests === 0 ? 1 : 0);
  console.error(`${manifest.name}: ${results.numPassedTests} passed, ${packageFailed} failed`);
  passed += results.numPassedTests;
  failed += packageFailed;
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
