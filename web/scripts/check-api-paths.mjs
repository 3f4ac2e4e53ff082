// Fails the build when code outside src/api/ names an API path or talks to
// the server itself: screens call the typed functions of src/api/<resource>.ts,
// which alone know the paths, the CSRF header and the error handling.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const src = new URL('../src/', import.meta.url).pathname;
const banned = [
  [/['"`]\/api\//, 'an API path'],
  [/\bfetch\s*\(/, 'fetch()'],
  [/\bXMLHttpRequest\b/, 'XMLHttpRequest'],
];
const problems = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const rel = relative(src, p);
    if (statSync(p).isDirectory()) { if (rel !== 'api') walk(p); continue; }
    if (!/\.tsx?$/.test(name) || name === 'api-types.ts') continue;
    readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
      for (const [re, what] of banned)
        if (re.test(line)) problems.push(`src/${rel}:${i + 1}: ${what} outside src/api/ (add a function to src/api/<resource>.ts)`);
    });
  }
}
walk(src);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log('api: every call goes through src/api/');
