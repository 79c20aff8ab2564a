/** `database create | reset | reset-tables | backup save | backup load | export | import`. */
import { rmSync } from 'node:fs'
import { sql } from 'drizzle-orm'
import { TABLES, type TableName } from '../../schema/tables.ts'
import type { Context } from '../context.ts'
import { EXIT_PARTIAL_FAILURE, UserError } from '../core/errors.ts'
import { out } from '../core/log.ts'
import { loadBackup, saveBackup } from './backup.ts'
import { closeDb, openDb, tx } from './client.ts'
import { exportNdjson, importFiles } from './ndjson.ts'

/** Table names of the older tool → ours. */
const OLD_TABLE_NAMES: Record<string, string> = {
  torrent: 'torrents',
  torrentracker: 'torrent_trackers',
  tracker: 'trackers',
}

function result(ctx: Context, data: Record<string, unknown>, text: string): void {
  out(ctx.json ? JSON.stringify(data) : text)
}

export async function databaseCreate(ctx: Context): Promise<void> {
  const db = ctx.db() // opening creates the file and applies every migration
  const tables = db.get<{ n: number }>(
    sql`SELECT count(*) n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`,
  )
  result(
    ctx,
    { path: ctx.config().sqlite.path, tables: tables.n },
    `database ready: ${ctx.config().sqlite.path} (${tables.n} tables)`,
  )
}

async function backupFirst(ctx: Context, noBackup: boolean): Promise<string | undefined> {
  if (noBackup) return undefined
  const { path, backup_dir: backupDir } = ctx.config().sqlite
  const file = await saveBackup(ctx.db(), path, backupDir, ctx.clock.now())
  ctx.log('database').info(`backup saved: ${file}`)
  return file
}

export async function databaseReset(ctx: Context, opts: { backup: boolean }): Promise<void> {
  const { path } = ctx.config().sqlite
  const backup = await backupFirst(ctx, !opts.backup)
  ctx.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  closeDb(openDb(path))
  result(ctx, { path, backup: backup ?? null }, `database reset: ${path}${backup ? ` (backup: ${backup})` : ''}`)
}

export async function databaseResetTables(ctx: Context, opts: { tables: string[]; backup: boolean }): Promise<void> {
  if (opts.tables.length === 0) throw new UserError('reset-tables: name at least one table with -t TABLE')
  opts = { ...opts, tables: opts.tables.map((t) => OLD_TABLE_NAMES[t] ?? t) }
  const unknown = opts.tables.filter((t) => !(t in TABLES))
  if (unknown.length) {
    throw new UserError(`reset-tables: unknown table ${unknown.join(', ')} (known: ${Object.keys(TABLES).join(', ')})`)
  }
  const backup = await backupFirst(ctx, !opts.backup)
  const db = ctx.db()
  tx(db, () => {
    for (const t of opts.tables as TableName[]) db.delete(TABLES[t]).run()
  })
  result(ctx, { tables: opts.tables, backup: backup ?? null }, `emptied: ${opts.tables.join(', ')}`)
}

export async function backupSave(ctx: Context): Promise<void> {
  const { path, backup_dir: backupDir } = ctx.config().sqlite
  const file = await saveBackup(ctx.db(), path, backupDir, ctx.clock.now())
  result(ctx, { backup: file }, `backup saved: ${file}`)
}

export async function backupLoad(ctx: Context, opts: { date?: string }): Promise<void> {
  const { path, backup_dir: backupDir } = ctx.config().sqlite
  ctx.close()
  const file = await loadBackup(path, backupDir, opts.date)
  closeDb(openDb(path)) // migrate an older backup to the current schema
  result(ctx, { restored: file, path }, `restored ${file} → ${path}`)
}

export async function databaseExport(ctx: Context, file: string, opts: { append: boolean }): Promise<void> {
  const { rows } = await exportNdjson(ctx.db(), file, { append: opts.append })
  result(ctx, { file, rows }, `exported ${rows} rows to ${file}`)
}

export async function databaseImport(ctx: Context, files: string[]): Promise<number> {
  const counts = await importFiles(ctx.db(), files)
  const log = ctx.log('database')
  for (const p of counts.problems) log.warn(p.line ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`)
  if (counts.bad > counts.problems.filter((p) => p.line).length) {
    log.warn(`… ${counts.bad} bad line(s) in all`)
  }
  result(
    ctx,
    { files, ...counts },
    `imported ${files.join(', ')}: ${counts.imported} imported, ${counts.unchanged} unchanged` +
      (counts.bad ? `, ${counts.bad} bad line(s) skipped` : '') +
      (counts.damaged.length ? `, ${counts.damaged.length} file(s) damaged (their intact rows imported)` : ''),
  )
  return counts.bad || counts.damaged.length ? EXIT_PARTIAL_FAILURE : 0
}

/** How far back the config's runs read (the trend engine's lookback, the site's page days). */
export async function runNeeds(ctx: Context) {
  const { needsOf } = await import('./partitions.ts')
  const { engines } = await import('../score/engines.ts')
  const cfg = ctx.config()
  return needsOf(cfg, engines[cfg.trends_manager.engine].lookbackSeconds)
}

/** `database partitions pick LIST`: the branch folders a run restores (LIST: the branch's paths, one a line). */
export async function partitionsPick(ctx: Context, list: string): Promise<void> {
  const { readFileSync } = await import('node:fs')
  const { pick } = await import('./partitions.ts')
  const needs = await runNeeds(ctx)
  let text: string
  try {
    text = readFileSync(list, 'utf8')
  } catch (err) {
    throw new UserError(`${list}: cannot read (${(err as Error).message})`)
  }
  const paths = text.split('\n').filter(Boolean)
  for (const p of pick(paths, ctx.clock.nowSeconds(), needs)) out(p)
}

/** `database partitions restore DIR`: import the extracted branch files; damaged ones are reported, the rest imported. */
export async function partitionsRestore(ctx: Context, dir: string, opts: { prune?: boolean } = {}): Promise<number> {
  const { restorePartitions, pruneGrowing } = await import('./partitions.ts')
  const run = { now: ctx.clock.nowSeconds(), needs: await runNeeds(ctx) }
  const counts = await restorePartitions(ctx.db(), dir, run)
  const pruned = opts.prune ? pruneGrowing(ctx.db(), run.now, run.needs) : {}
  const prunedRows = Object.values(pruned).reduce((a, b) => a + b, 0)
  const log = ctx.log('database')
  for (const p of counts.problems) log.warn(p.line ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`)
  result(
    ctx,
    { dir, ...counts, pruned },
    `restored ${counts.files} file(s) from ${dir}: ${counts.imported} imported, ${counts.unchanged} unchanged` +
      (prunedRows ? `, ${prunedRows} row(s) older than a run reads dropped (they stay on the branch)` : '') +
      (counts.bad ? `, ${counts.bad} bad line(s) skipped` : '') +
      (counts.damaged.length ? `; damaged (intact rows imported): ${counts.damaged.join(', ')}` : ''),
  )
  return counts.bad || counts.damaged.length ? EXIT_PARTIAL_FAILURE : 0
}

/** `database partitions save KNOWN OUT`: write the rows not in the KNOWN branch files as new files under OUT. */
export async function partitionsSave(ctx: Context, known: string, outDir: string): Promise<void> {
  const { savePartitions } = await import('./partitions.ts')
  const r = await savePartitions(ctx.db(), known, outDir, ctx.clock.nowSeconds(), await runNeeds(ctx))
  const per = Object.entries(r.tables)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')
  result(ctx, { ...r }, `${r.rows} new row(s) in ${r.files.length} file(s)${per ? ` (${per})` : ''}`)
}
