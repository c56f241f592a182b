// Fails when the app's JavaScript in dist/assets is over the budget gzipped. Map data
// (world-atlas JSON) is not counted.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const kBudgetBytes = 300 * 1024;
const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'assets');
let files;
try {
  files = readdirSync(assets).filter((f) => f.endsWith('.js'));
} catch {
  console.log(`FAIL bundle size: no ${assets}; run npm run build first`);
  process.exit(1);
}
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length;
  total += gz;
  console.log(`  ${f}: ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const ok = files.length > 0 && total < kBudgetBytes;
console.log(
  `${ok ? 'ok  ' : 'FAIL'} bundle size: app JS ${(total / 1024).toFixed(1)} KB gzipped ` +
    `(budget ${kBudgetBytes / 1024} KB, map data excluded)`,
);
process.exit(ok ? 0 : 1);
