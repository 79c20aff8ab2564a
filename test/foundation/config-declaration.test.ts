/**
 * The zod schema is the one declaration of the config keys; the shipped ini carries their
 * defaults. Adding a key means one line in each, and this test fails when either is forgotten.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseIni } from '../../pipeline/config/ini.ts'
import { DEFAULTS_FILE } from '../../pipeline/config/load.ts'
import { iniSchema } from '../../pipeline/config/schema.ts'

/** section → key → doc, from the schema's object shapes. */
function declared(): Map<string, Map<string, string | undefined>> {
  const out = new Map<string, Map<string, string | undefined>>()
  const shape = iniSchema('/tmp').shape as Record<string, z.ZodType>
  for (const [section, schema] of Object.entries(shape)) {
    const inner = schema instanceof z.ZodObject ? schema : undefined
    if (!inner) continue
    const keys = new Map<string, string | undefined>()
    for (const [key, value] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      keys.set(key, value.description)
    }
    out.set(section, keys)
  }
  return out
}

const shipped = () => parseIni(readFileSync(DEFAULTS_FILE, 'utf8'), DEFAULTS_FILE)

describe('config keys: one declaration, one shipped default', () => {
  it('the shipped ini parses without a problem', () => {
    expect(shipped().problems).toEqual([])
  })

  it('every declared key has a default in mediastrends.ini, and the ini has no undeclared key', () => {
    const ini = shipped().data
    const missing: string[] = []
    const extra: string[] = []
    const schema = declared()
    for (const [section, keys] of schema) {
      for (const key of keys.keys()) if (!ini.get(section)?.has(key)) missing.push(`[${section}] ${key}`)
    }
    for (const [section, keys] of ini) {
      for (const key of keys.keys()) if (!schema.get(section)?.has(key)) extra.push(`[${section}] ${key}`)
    }
    expect(missing).toEqual([])
    expect(extra).toEqual([])
    expect(schema.size).toBeGreaterThan(5)
  })

  it('every declared key has a one-line doc', () => {
    const undocumented = [...declared()].flatMap(([section, keys]) =>
      [...keys].filter(([, doc]) => !doc?.trim()).map(([key]) => `[${section}] ${key}`),
    )
    expect(undocumented).toEqual([])
  })
})
