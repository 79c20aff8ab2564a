/**
 * INI files read the way the older Python tool read them (configparser with ExtendedInterpolation):
 * `key = value` or `key: value`, keys case-insensitive, full-line `#`/`;` comments only (a `;` inside
 * a value such as a user agent stays), indented continuation lines, `${key}` / `${section:key}`
 * interpolation and `$$` for a literal `$`.
 *
 * The `ini` package does the section/key structure; lines are first normalised to configparser's
 * rules (each value JSON-quoted) because `ini` alone would cut values at `;` or `#`.
 */
import ini from 'ini'
import { UserError } from '../core/errors.ts'

export interface IniValue {
  value: string
  file: string
  line: number
}
/** section → key → raw (uninterpolated) value with where it came from. */
export type IniData = Map<string, Map<string, IniValue>>

export function parseIni(text: string, file: string): IniData {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const normalised: string[] = []
  const where: { file: string; line: number }[] = []
  let section: string | undefined
  let last: { key: string; parts: string[]; line: number } | undefined
  const flush = () => {
    if (!last) return
    normalised.push(`${last.key}=${JSON.stringify(last.parts.join('\n').trim())}`)
    where.push({ file, line: last.line })
    last = undefined
  }
  lines.forEach((raw, i) => {
    const lineNo = i + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      // configparser ends a multi-line value at an empty line only if the next line is not indented;
      // we keep it simple: comments and blank lines end nothing, they are skipped.
      return
    }
    if (/^\s/.test(raw) && last) {
      last.parts.push(trimmed)
      return
    }
    flush()
    const sec = /^\[([^\]]+)\]\s*$/.exec(trimmed)
    if (sec?.[1]) {
      section = sec[1].trim()
      normalised.push(`[${JSON.stringify(section).slice(1, -1).replace(/[[\]]/g, '')}]`)
      where.push({ file, line: lineNo })
      return
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed)
    if (!m?.[1]) {
      throw new UserError(`${file}:${lineNo}: cannot read this line as "key = value" or "[section]": ${trimmed}`)
    }
    if (section === undefined) {
      throw new UserError(`${file}:${lineNo}: key "${m[1]}" comes before any [section]`)
    }
    const key = m[1].trim().toLowerCase()
    if (!/^[a-z0-9_.-]+$/.test(key)) {
      throw new UserError(`${file}:${lineNo}: invalid key name "${m[1].trim()}"`)
    }
    last = { key, parts: [m[2] ?? ''], line: lineNo }
  })
  flush()

  const decoded = ini.decode(normalised.join('\n')) as Record<string, unknown>
  // Rebuild with positions: walk the normalised lines again to pair each key with its line.
  const data: IniData = new Map()
  let current: Map<string, IniValue> | undefined
  let currentName = ''
  normalised.forEach((l, idx) => {
    const pos = where[idx] ?? { file, line: 0 }
    if (l.startsWith('[')) {
      currentName = l.slice(1, -1)
      current = data.get(currentName) ?? new Map()
      data.set(currentName, current)
      return
    }
    const key = l.slice(0, l.indexOf('='))
    const sectionObj = decoded[currentName] as Record<string, unknown> | undefined
    const value = sectionObj?.[key]
    current?.set(key, { value: typeof value === 'string' ? value : String(value ?? ''), ...pos })
  })
  return data
}

/** Later files override earlier ones, key by key. */
export function mergeIni(...layers: IniData[]): IniData {
  const merged: IniData = new Map()
  for (const layer of layers) {
    for (const [section, keys] of layer) {
      const target = merged.get(section) ?? new Map()
      for (const [k, v] of keys) target.set(k, v)
      merged.set(section, target)
    }
  }
  return merged
}

/** Resolve `${key}`, `${section:key}` and `$$` everywhere, as ExtendedInterpolation does. */
export function interpolate(data: IniData): Map<string, Map<string, IniValue>> {
  const out: IniData = new Map()
  const resolve = (section: string, key: string, stack: string[]): string => {
    const entry = data.get(section)?.get(key) ?? data.get('DEFAULT')?.get(key)
    if (!entry) throw new Error(`missing ${section}:${key}`)
    const id = `${section}:${key}`
    if (stack.includes(id)) {
      throw new UserError(
        `${entry.file}:${entry.line}: [${section}] ${key}: interpolation loop (${[...stack, id].join(' → ')})`,
      )
    }
    return entry.value.replace(/\$\$|\$\{([^}]*)\}|\$/g, (whole, ref: string | undefined) => {
      if (whole === '$$') return '$'
      if (ref === undefined) {
        throw new UserError(
          `${entry.file}:${entry.line}: [${section}] ${key}: a lone "$" must be written "$$" (configparser rules)`,
        )
      }
      const [refSection, refKey] = ref.includes(':') ? ref.split(':', 2) : [section, ref]
      const s = (refSection ?? '').trim()
      const k = (refKey ?? '').trim().toLowerCase()
      if (!data.get(s)?.has(k) && !data.get('DEFAULT')?.has(k)) {
        throw new UserError(
          `${entry.file}:${entry.line}: [${section}] ${key}: \${${ref}} refers to a key that does not exist`,
        )
      }
      return resolve(s, k, [...stack, id])
    })
  }
  for (const [section, keys] of data) {
    const target = new Map<string, IniValue>()
    for (const [k, v] of keys) target.set(k, { ...v, value: resolve(section, k, []) })
    out.set(section, target)
  }
  return out
}
