// Fails the build when the JavaScript the first page needs (the entry and
// the chunks index.html preloads) is over the budget, gzipped.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET = 350 * 1024
const dir = new URL('../dist/app/', import.meta.url).pathname
const html = readFileSync(join(dir, 'index.html'), 'utf8')
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1])
let total = 0
for (const f of files) {
  const n = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length
  total += n
  console.log(`  ${f}: ${(n / 1024).toFixed(1)} KB gzipped`)
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`)
if (total > BUDGET) {
  console.error('initial JavaScript is over budget')
  process.exit(1)
}
