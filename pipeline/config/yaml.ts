/**
 * indexers.yaml and trackers.yaml: read with line numbers, validated by their zod schema, every
 * problem reported as `file:line: path.to.key: what`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isMap, LineCounter, parseDocument } from 'yaml'
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

/** Parse and validate `file`; undefined when it does not exist or has problems (pushed to `problems`). */
export function readYamlFile<T>(file: string, schema: z.ZodType<T>, what: string, problems: string[]): T | undefined {
  if (!existsSync(file)) return undefined
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
  const value = doc.toJS() ?? {}
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const lineOf = (path: string[]): number => {
    for (let i = path.length; i >= 0; i--) {
      const node = doc.getIn(path.slice(0, i), true) as { range?: [number, number] } | undefined
      if (node?.range) return lc.linePos(node.range[0]).line
    }
    return 0
  }
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String)
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path]
    for (const keyPath of keys) {
      const line = lineOf(keyPath)
      const msg = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message
      problems.push(`${line ? `${file}:${line}` : file}: ${keyPath.length ? keyPath.join('.') : '(top level)'}: ${msg}`)
    }
  }
  if (!isMap(doc.contents) && value !== null) problems.push(`${file}: expected a mapping of names at the top level`)
  return undefined
}
