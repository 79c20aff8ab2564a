/** `config show`: the resolved config (secrets masked) and the files it was read from. */

import type { Context } from '../context.ts'
import { out } from '../core/log.ts'
import { maskedConfig } from './load.ts'

function flatten(value: unknown, prefix: string, lines: string[]): void {
  if (value instanceof Date) lines.push(`${prefix} = ${value.toISOString()}`)
  else if (Array.isArray(value)) lines.push(`${prefix} = ${value.join(',')}`)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, lines)
  } else lines.push(`${prefix} = ${value ?? ''}`)
}

export async function configShow(ctx: Context): Promise<void> {
  const config = ctx.config()
  const masked = maskedConfig(config)
  if (ctx.json) {
    out(JSON.stringify(masked, null, 2))
    return
  }
  out(`# mode: ${config.mode}`)
  out(`# files read (later wins): ${config.files.join(', ')}`)
  const { files: _files, mode: _mode, ...rest } = masked
  const lines: string[] = []
  flatten(rest, '', lines)
  for (const l of lines) out(l)
}
