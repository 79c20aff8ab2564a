#!/usr/bin/env node
// Thin entry: run the TypeScript CLI through tsx's loader (no build step needed after `npm ci`).
import { register } from 'tsx/esm/api'

register()
// `mediastrends … | head` closes stdout early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
const { main } = await import('../pipeline/cli.ts')
process.exitCode = await main(process.argv.slice(2))
