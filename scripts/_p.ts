import { parseRelease, normaliseTitle } from '../pipeline/group/parse.ts'
for (const n of process.argv.slice(2)) { const p = parseRelease(n); console.log(n, '=>', JSON.stringify(p), normaliseTitle(p.title)) }
