/**
 * Consistent backups with SQLite's online backup API, named by date in `[sqlite] backup_dir`:
 * `<db name>.<YYYY-MM-DDTHH-MM-SSZ>.db`. `loadBackup` restores the newest (or the newest of a day).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import Database from 'better-sqlite3'
import { UserError } from '../core/errors.ts'
import type { Db } from './client.ts'

const stem = (dbPath: string) => basename(dbPath, extname(dbPath))
const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-')

export async function saveBackup(db: Db, dbPath: string, backupDir: string, at: Date): Promise<string> {
  mkdirSync(backupDir, { recursive: true })
  let file = join(backupDir, `${stem(dbPath)}.${stamp(at)}.db`)
  for (let i = 1; existsSync(file); i++) file = join(backupDir, `${stem(dbPath)}.${stamp(at)}-${i}.db`)
  await db.$client.backup(file)
  return file
}

/** Backups of this database, oldest first. */
export function listBackups(dbPath: string, backupDir: string): string[] {
  if (!existsSync(backupDir)) return []
  const prefix = `${stem(dbPath)}.`
  return readdirSync(backupDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.db') && /\d{4}-\d{2}-\d{2}T/.test(f))
    .sort()
    .map((f) => join(backupDir, f))
}

/** Restore a backup over dbPath (which must not be open). `date` = YYYY-MM-DD or a full stamp prefix. */
export async function loadBackup(dbPath: string, backupDir: string, date?: string): Promise<string> {
  const all = listBackups(dbPath, backupDir)
  // The older tool's YYYYMMDD-HHMM → our stamp prefix YYYY-MM-DDTHH-MM.
  const old = date ? /^(\d{4})(\d{2})(\d{2})(?:-(\d{2})(\d{2}))?$/.exec(date) : null
  if (old) date = `${old[1]}-${old[2]}-${old[3]}${old[4] ? `T${old[4]}-${old[5]}` : ''}`
  const wanted = date
    ? all.filter((f) =>
        basename(f)
          .slice(stem(dbPath).length + 1)
          .startsWith(date.replace(/:/g, '-')),
      )
    : all
  const chosen = wanted.at(-1)
  if (!chosen) {
    throw new UserError(date ? `no backup of ${date} in ${backupDir}` : `no backup in ${backupDir}`, {
      details: all.length ? [`available: ${all.map((f) => basename(f)).join(', ')}`] : [],
    })
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true })
  const src = new Database(chosen, { readonly: true, fileMustExist: true })
  try {
    const tmp = `${dbPath}.restoring`
    rmSync(tmp, { force: true })
    await src.backup(tmp)
    rmSync(dbPath, { force: true })
    renameSync(tmp, dbPath)
  } finally {
    src.close()
  }
  return chosen
}
