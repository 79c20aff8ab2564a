/**
 * INI files read the way the older Python tool read them (configparser with ExtendedInterpolation):
 * `key = value` or `key: value`, keys case-insensitive, full-line `#`/`;` comments only (a `;` inside
 * a value such as a user agent stays), indented continuation lines, `${key}` / `${section:key}`
 * interpolation and `$$` for a literal `$`.
 *
 * Hand-written rather than the `ini` package: that package cuts values at `;` and `#` and keeps no
 * line numbers, and configparser's rules fit in a few lines. Problems are collected, never thrown,
 * so the loader can report every problem of every file at once.
 */

export interface IniValue {
  value: string
  file: string
  line: number
}
/** section → key → raw (uninterpolated) value with where it came from. */
export type IniData = Map<string, Map<string, IniValue>>

export interface Parsed<T> {
  data: T
  /** One line per problem: `file:line: what`. */
  problems: string[]
}

export function parseIni(text: string, file: string): Parsed<IniData> {
  const data: IniData = new Map()
  const problems: string[] = []
  let section: Map<string, IniValue> | undefined
  let last: IniValue | undefined
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1
      const trimmed = raw.trim()
      // Comments and blank lines end nothing (configparser would end a value at a blank line
      // followed by a non-indented one: the same thing for every file we have seen).
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return
      if (/^\s/.test(raw) && last) {
        last.value = `${last.value}\n${trimmed}`.trim()
        return
      }
      last = undefined
      const sec = /^\[([^\]]+)\]\s*$/.exec(trimmed)
      if (sec?.[1]) {
        const name = sec[1].trim()
        section = data.get(name) ?? new Map()
        data.set(name, section)
        return
      }
      const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed)
      if (!m?.[1]) {
        problems.push(`${file}:${line}: cannot read this line as "key = value" or "[section]": ${trimmed}`)
        return
      }
      if (!section) {
        problems.push(`${file}:${line}: key "${m[1]}" comes before any [section]`)
        return
      }
      const key = m[1].trim().toLowerCase()
      if (!/^[a-z0-9_.-]+$/.test(key)) {
        problems.push(`${file}:${line}: invalid key name "${m[1].trim()}"`)
        return
      }
      last = { value: (m[2] ?? '').trim(), file, line }
      section.set(key, last)
    })
  return { data, problems }
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

/** `file:line: [section] key` of a value, or its file alone for values from the environment. */
export const whereOf = (v: IniValue, section: string, key: string): string =>
  `${v.line ? `${v.file}:${v.line}` : v.file}: [${section}] ${key}`

/**
 * Resolve `${key}`, `${section:key}` and `$$` everywhere, as ExtendedInterpolation does. A value
 * that cannot be resolved is reported and left out.
 */
export function interpolate(data: IniData): Parsed<IniData> {
  const out: IniData = new Map()
  const problems: string[] = []
  class Problem extends Error {}
  const entryOf = (section: string, key: string) => data.get(section)?.get(key) ?? data.get('DEFAULT')?.get(key)
  const resolve = (section: string, key: string, stack: string[]): string => {
    const entry = entryOf(section, key) as IniValue
    const id = `${section}:${key}`
    if (stack.includes(id)) {
      throw new Problem(`${whereOf(entry, section, key)}: interpolation loop (${[...stack, id].join(' → ')})`)
    }
    return entry.value.replace(/\$\$|\$\{([^}]*)\}|\$/g, (whole, ref: string | undefined) => {
      if (whole === '$$') return '$'
      if (ref === undefined) {
        throw new Problem(`${whereOf(entry, section, key)}: a lone "$" must be written "$$" (configparser rules)`)
      }
      const [refSection, refKey] = ref.includes(':') ? ref.split(':', 2) : [section, ref]
      const s = (refSection ?? '').trim()
      const k = (refKey ?? '').trim().toLowerCase()
      if (!entryOf(s, k)) {
        throw new Problem(`${whereOf(entry, section, key)}: \${${ref}} refers to a key that does not exist`)
      }
      return resolve(s, k, [...stack, id])
    })
  }
  for (const [section, keys] of data) {
    const target = new Map<string, IniValue>()
    for (const [k, v] of keys) {
      try {
        target.set(k, { ...v, value: resolve(section, k, []) })
      } catch (err) {
        if (!(err instanceof Problem)) throw err
        problems.push(err.message)
      }
    }
    out.set(section, target)
  }
  return { data: out, problems }
}
