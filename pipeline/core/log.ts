/**
 * Tagged loggers (consola). Logs go to stderr; results go to stdout through `out()`.
 * Every registered secret (API keys) is replaced by "***" in every log line, whatever logs it.
 */
import { type ConsolaInstance, type ConsolaReporter, createConsola, type LogObject } from 'consola'

const secrets = new Set<string>()

/** Register a value (an API key...) that must never be printed. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value)
}

/** Replace every registered secret in `text` by "***" (also URL-encoded forms). */
export function redact(text: string): string {
  let out = text
  for (const s of secrets) {
    out = out.split(s).join('***')
    const enc = encodeURIComponent(s)
    if (enc !== s) out = out.split(enc).join('***')
  }
  return out
}

function redactArg(arg: unknown): unknown {
  if (typeof arg === 'string') return redact(arg)
  if (arg instanceof Error) {
    const copy = new Error(redact(arg.message))
    copy.name = arg.name
    copy.stack = arg.stack ? redact(arg.stack) : undefined
    return copy
  }
  return arg
}

/** consola levels: 0 fatal/error, 1 warn, 2 log, 3 info, 4 debug, 5 trace. */
export function levelFromVerbosity(v: number): number {
  return Math.min(5, 3 + Math.max(0, v))
}

const root: ConsolaInstance = createConsola({
  level: levelFromVerbosity(0),
  stdout: process.stderr,
  stderr: process.stderr,
  formatOptions: { date: false, colors: process.stderr.isTTY === true },
})
const inner = [...root.options.reporters]
const redacting: ConsolaReporter = {
  log(logObj: LogObject, ctx) {
    const safe = { ...logObj, args: logObj.args.map(redactArg) } as LogObject
    if (typeof safe.message === 'string') safe.message = redact(safe.message)
    for (const r of inner) r.log(safe, ctx)
  },
}
root.setReporters([redacting])

/** Tagged loggers copy the level when created: keep them all to change it everywhere. */
const tagged: ConsolaInstance[] = []

export function setVerbosity(v: number): void {
  setLogLevel(levelFromVerbosity(v))
}

/** Set the consola level directly (0 errors only … 5 trace); returns the previous level. */
export function setLogLevel(level: number): number {
  const previous = root.level
  root.level = level
  for (const l of tagged) l.level = level
  return previous
}

/** A logger tagged with a stage or module name: `logger('collect')`. */
export function logger(tag: string): ConsolaInstance {
  const l = root.withTag(tag)
  tagged.push(l)
  return l
}

export type Logger = ConsolaInstance

/** Results of a command: stdout, one line per call. Secrets are redacted here too. */
export function out(text: string): void {
  process.stdout.write(`${redact(text)}\n`)
}

/** A log line as a memory logger keeps it. */
export interface LogLine {
  /** consola type: info, warn, error, success, start, debug… */
  type: string
  tag: string
  text: string
}

/**
 * A logger factory that keeps lines in memory (redacted like the real ones) instead of writing
 * them: tests hand it to a context and assert on `lines`; the demo uses it to keep quiet.
 */
export function memoryLog(level = 5): { log: (tag: string) => Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = []
  const base = createConsola({
    level,
    reporters: [
      {
        log(obj) {
          const text = redact(obj.args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '))
          lines.push({ type: obj.type, tag: obj.tag, text })
        },
      },
    ],
  })
  return {
    log: (tag: string) => base.withTag(tag),
    lines,
    text: () => lines.map((l) => `[${l.tag}] ${l.type}: ${l.text}`).join('\n'),
  }
}
