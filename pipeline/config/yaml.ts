/**
 * indexers.yaml and trackers.yaml: read with line numbers, validated by their zod schemas, every
 * problem reported as `file:line: path.to.key: what`. Both files may have the older tool's
 * top-level key (`indexers:` / `trackers:`) or not.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import type { z } from 'zod'
import { errorMessage, UserError } from '../core/errors.ts'

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : errorMessage(err)
    throw new UserError(`${file}: cannot read ${what}: ${why}`)
  }
}

export interface YamlFile {
  file: string
  /** The content under the top-level key when the file has it (`indexers:`), else the whole document. */
  value: unknown
  /** Key path of `value` in the document ([] or ['indexers']): prefix of every reported path. */
  prefix: string[]
  /** The line of a key path (relative to `value`), or 0. */
  lineOf(path: readonly (string | number)[]): number
}

/**
 * Parse `file`; undefined when it has syntax errors (pushed to `problems`). `wrapper` is the
 * older tool's top-level key: a document whose only key it is gets unwrapped.
 */
export function readYaml(file: string, what: string, wrapper: string, problems: string[]): YamlFile | undefined {
  let text: string
  try {
    text = readText(file, what)
  } catch (err) {
    problems.push(errorMessage(err))
    return undefined
  }
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false })
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lc.linePos(e.pos[0])
      problems.push(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${e.message.split('\n')[0]}`)
    }
    return undefined
  }
  const whole = doc.toJS() ?? {}
  if (!isMap(doc.contents) && doc.contents !== null) {
    problems.push(`${file}: expected a mapping of names at the top level`)
    return undefined
  }
  const keys = whole && typeof whole === 'object' ? Object.keys(whole) : []
  const prefix = keys.length === 1 && keys[0] === wrapper ? [wrapper] : []
  const value = prefix.length ? ((whole as Record<string, unknown>)[wrapper] ?? {}) : whole
  const lineOf = (path: readonly (string | number)[]): number => {
    const full = [...prefix, ...path]
    // a key that is there: the line of the key itself
    const parent = full.length ? doc.getIn(full.slice(0, -1), true) : undefined
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(full.at(-1)))
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined
      if (range) return lc.linePos(range[0]).line
    }
    // a key that is missing: where its mapping starts
    for (let i = full.length; i >= 0; i--) {
      const node = doc.getIn(full.slice(0, i), true) as { range?: [number, number] } | undefined
      if (node?.range) return lc.linePos(node.range[0]).line
    }
    return 0
  }
  return { file, value, prefix, lineOf }
}

/** `file:line: a.b.c` of a key path (relative to the file's value). */
export function where(y: YamlFile, path: readonly (string | number)[]): string {
  const line = y.lineOf(path)
  const shown = [...y.prefix, ...path].map(String)
  return `${line ? `${y.file}:${line}` : y.file}: ${shown.length ? shown.join('.') : '(top level)'}`
}

/** Validate `value` (found at `path` in the file) with `schema`; problems are pushed with their lines. */
export function validate<T>(
  y: YamlFile,
  path: readonly (string | number)[],
  value: unknown,
  schema: z.ZodType<T>,
  problems: string[],
): T | undefined {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) {
    const at = [...path, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...at, k]) : [at]
    for (const keyPath of keys) {
      problems.push(`${where(y, keyPath)}: ${issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message}`)
    }
  }
  return undefined
}

/** Does the file exist? (A file named in the config that does not is the caller's problem to report.) */
export const fileExists = (file: string): boolean => file !== '' && existsSync(file)
