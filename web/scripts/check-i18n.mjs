// Fails the build when the Dutch and English strings differ in their keys,
// or when the code asks for a key that neither has.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const src = new URL('../src/', import.meta.url).pathname;
const nl = JSON.parse(readFileSync(join(src, 'i18n/nl.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(src, 'i18n/en.json'), 'utf8'));
const problems = [];
for (const k of Object.keys(nl)) if (!(k in en)) problems.push(`${k}: in nl.json, not in en.json`);
for (const k of Object.keys(en)) if (!(k in nl)) problems.push(`${k}: in en.json, not in nl.json`);
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!/\.tsx?$/.test(name) || name === 'api-types.ts') continue;
    for (const m of readFileSync(p, 'utf8').matchAll(/\bt\('([a-z_]+\.[a-z_0-9]+)'/g))
      if (!(m[1] in nl)) problems.push(`${m[1]}: used in ${name}, missing in the string files`);
  }
}
walk(src);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log(`strings: ${Object.keys(nl).length} keys in nl and en`);
