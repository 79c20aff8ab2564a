/**
 * What the data branch's snapshot lacks, tracked by the database itself: SQLite triggers on the
 * snapshot tables (partitions.ts SNAPSHOT) note each inserted or changed row in `save_dirty`
 * (table, rowid), so a save writes those rows only, whatever the number of torrents ever seen
 * (comparing every row with the branch's files grew with them).
 *
 * - A row is noted when a value it exports changes (an update that writes the same values is not),
 *   and the rows that reference a parent whose natural key changes (their lines carry that key).
 * - A save marks every noted row with its stamp (`pending`), writes them, and leaves them noted:
 *   only the next save, seeing a snapshot file of that stamp among the branch files it knows
 *   (the push went through), forgets them. A refused push, a crash or a save whose files never
 *   reached the branch leaves them noted, and the next save writes them again: never lost.
 * - The restore's import (rows that come from the branch) drops the triggers inside its own
 *   transaction and puts them back before it commits: nothing it writes is noted.
 * - The triggers are derived from schema/tables.ts (the export specs, as the export is) and put in
 *   place when a database is opened for writing; a table whose triggers were missing (a database
 *   from before them) has every row noted, since nothing says what the branch holds of it.
 */
import type Database from 'better-sqlite3'
import { SPECS, type TableSpec } from './ndjson.ts'

/** The table the triggers write (schema/tables.ts saveDirty). */
export const DIRTY = 'save_dirty'
const PREFIX = 'save_dirty:'
const q = (name: string) => `"${name.replace(/"/g, '""')}"`
const str = (s: string) => `'${s.replace(/'/g, "''")}'`

const changed = (cols: string[]) => cols.map((c) => `OLD.${q(c)} IS NOT NEW.${q(c)}`).join(' OR ')
// An upsert, not INSERT OR REPLACE: a trigger's OR clause gives way to the firing statement's
// conflict policy (an import's ABORT would then fail on a row noted already).
const UPSERT = 'ON CONFLICT (tbl, rid) DO UPDATE SET pending = NULL'
const note = (table: string, rid: string) =>
  `INSERT INTO ${q(DIRTY)} (tbl, rid, pending) VALUES (${str(table)}, ${rid}, NULL) ${UPSERT};`

/** name → SQL of every trigger, derived from the specs of the `tracked` tables (partitions.ts SNAPSHOT). */
export function triggerSql(tracked: string[]): Map<string, string> {
  const specs = tracked.map((n) => SPECS.get(n)).filter((s): s is TableSpec => s !== undefined)
  const out = new Map<string, string>()
  for (const s of specs) {
    const t = q(s.name)
    out.set(
      `${PREFIX}${s.name}:insert`,
      `CREATE TRIGGER ${q(`${PREFIX}${s.name}:insert`)} AFTER INSERT ON ${t} BEGIN ${note(s.name, 'NEW.rowid')} END`,
    )
    out.set(
      `${PREFIX}${s.name}:update`,
      `CREATE TRIGGER ${q(`${PREFIX}${s.name}:update`)} AFTER UPDATE ON ${t} WHEN ${changed(s.exported)} BEGIN ${note(s.name, 'NEW.rowid')} END`,
    )
    // A parent's natural key is written on its children's lines: a new key, new lines for them.
    if (!s.id) continue
    const children = specs.flatMap((c) =>
      Object.entries(c.refs)
        .filter(([, parent]) => parent === s.name)
        .map(([col]) => ({ child: c.name, col })),
    )
    if (!children.length) continue
    const marks = children
      .map(
        ({ child, col }) =>
          `INSERT INTO ${q(DIRTY)} (tbl, rid, pending) SELECT ${str(child)}, rowid, NULL FROM ${q(child)} WHERE ${q(col)} = NEW.id ${UPSERT};`,
      )
      .join(' ')
    out.set(
      `${PREFIX}${s.name}:key`,
      `CREATE TRIGGER ${q(`${PREFIX}${s.name}:key`)} AFTER UPDATE ON ${t} WHEN ${changed(s.key)} BEGIN ${marks} END`,
    )
  }
  return out
}

/**
 * Put the triggers in place (those missing or different; stale ones of ours dropped). `noteAll`:
 * a table that had none of its triggers gets every row noted (a database from before them).
 */
export function installTriggers(sqlite: Database.Database, tracked: string[], opts: { noteAll?: boolean } = {}): void {
  if (!sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(DIRTY)) return
  const want = triggerSql(tracked)
  const rows = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, ?) = ?`)
    .all(PREFIX.length, PREFIX) as { name: string; sql: string }[]
  const have = new Map(rows.map((r) => [r.name, r.sql]))
  const drop = [...have.keys()].filter((name) => want.get(name) !== have.get(name))
  const create = [...want].filter(([name, sql]) => have.get(name) !== sql)
  if (!drop.length && !create.length) return
  const apply = () => {
    for (const name of drop) sqlite.exec(`DROP TRIGGER ${q(name)}`)
    if (opts.noteAll)
      for (const s of tracked)
        if (![...have.keys()].some((n) => n.startsWith(`${PREFIX}${s}:`)))
          sqlite.exec(
            `INSERT OR REPLACE INTO ${q(DIRTY)} (tbl, rid, pending) SELECT ${str(s)}, rowid, NULL FROM ${q(s)}`,
          )
    for (const [, sql] of create) sqlite.exec(sql)
  }
  if (sqlite.inTransaction) apply()
  else sqlite.transaction(apply).immediate()
}

/** Note the rows of `table` that `where` selects (alias `t`; `params` bound to its `?`), as the triggers would. */
export function noteRows(sqlite: Database.Database, table: string, where: string, ...params: unknown[]): number {
  return sqlite
    .prepare(
      `INSERT INTO ${q(DIRTY)} (tbl, rid, pending) SELECT ${str(table)}, t.rowid, NULL FROM ${q(table)} t WHERE ${where} ${UPSERT}`,
    )
    .run(...params).changes
}

/** Drop the triggers (inside the caller's transaction: the restore's import). */
export function dropTriggers(sqlite: Database.Database, tracked: string[]): void {
  for (const name of triggerSql(tracked).keys()) sqlite.exec(`DROP TRIGGER IF EXISTS ${q(name)}`)
}

/**
 * A save's bookkeeping, before it reads (one write transaction): forget the rows of earlier saves
 * whose snapshot file is among `knownStamps` (they reached the branch), drop the notes whose row
 * `skip` selects (rows a save leaves out; `where` is tried on the noted rows only), and mark every row still noted with `stamp`. Returns how many
 * rows are noted.
 */
export function markPending(
  sqlite: Database.Database,
  stamp: string,
  knownStamps: Set<string>,
  skip: { table: string; where: string }[] = [],
): number {
  return sqlite
    .transaction(() => {
      const pending = sqlite
        .prepare(`SELECT DISTINCT pending FROM ${q(DIRTY)} WHERE pending IS NOT NULL`)
        .pluck()
        .all() as string[]
      const forget = sqlite.prepare(`DELETE FROM ${q(DIRTY)} WHERE pending = ?`)
      for (const p of pending) if (knownStamps.has(p)) forget.run(p)
      for (const { table, where } of skip)
        sqlite
          .prepare(
            `DELETE FROM ${q(DIRTY)} WHERE tbl = ${str(table)} AND rid IN (SELECT t.rowid FROM ${q(table)} t ` +
              `WHERE ${notedRows(table)} AND (${where}))`,
          )
          .run()
      sqlite.prepare(`UPDATE ${q(DIRTY)} SET pending = ?`).run(stamp)
      return (
        (sqlite
          .prepare(`SELECT COUNT(*) FROM ${q(DIRTY)}`)
          .pluck()
          .get() as number) ?? 0
      )
    })
    .immediate()
}

/** The condition (alias `t`) of a table's noted rows, for tableLines. */
export const notedRows = (table: string): string => `t.rowid IN (SELECT rid FROM ${q(DIRTY)} WHERE tbl = ${str(table)})`
