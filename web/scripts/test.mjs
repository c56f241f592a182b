// `npm test`: type check, unit tests, build, bundle-size check and the end-to-end
// suite. Ends with "N passed, N failed" (every unit and e2e case counted, the type
// check and the size check one each) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'renkei-web-test-'));
let passed = 0;
let failed = 0;

function run(title, cmd, args) {
  console.log(`\n== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: web, stdio: 'inherit', env: process.env });
  return r.status === 0;
}
function count(title, ok) {
  if (ok) ++passed;
  else {
    ++failed;
    console.log(`FAIL ${title}`);
  }
}
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const npx = path.join(web, 'node_modules', '.bin');
count('tsc --noEmit', run('type check', path.join(npx, 'tsc'), ['--noEmit']));

const unitFile = path.join(tmp, 'unit.json');
const unitOk = run('unit tests', path.join(npx, 'vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${unitFile}`,
]);
const unit = readJson(unitFile);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests + (unitOk || unit.numFailedTests ? 0 : 1);
} else count('unit tests', false);

const built = run('build', path.join(npx, 'vite'), ['build']);
count('vite build', built);
if (built) {
  count('bundle size', run('bundle size', process.execPath, ['scripts/bundle-size.mjs']));
  const e2eFile = path.join(tmp, 'e2e.json');
  const e2eOk = run('end-to-end', process.execPath, ['tests/e2e/run.mjs', '--summary', e2eFile]);
  const e2e = readJson(e2eFile);
  if (e2e) {
    passed += e2e.passed;
    failed += e2e.failed + (e2eOk || e2e.failed ? 0 : 1);
  } else count('end-to-end suite', false);
}
rmSync(tmp, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
