// Writes .br and .gz twins of every text file in dist/, which trustdesk
// serves to browsers that accept them; prints the JavaScript's gzipped size.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
let jsGzip = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
    const data = readFileSync(p);
    const gz = gzipSync(data, { level: 9 });
    writeFileSync(p + '.gz', gz);
    writeFileSync(p + '.br', brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    if (name.endsWith('.js')) jsGzip += gz.length;
  }
}
walk(root);
console.log(`JavaScript, gzipped: ${(jsGzip / 1024).toFixed(1)} kB (budget 200 kB)`);
if (jsGzip > 200 * 1024) { console.error('JavaScript exceeds the 200 kB budget'); process.exit(1); }
