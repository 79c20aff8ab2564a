/**
 * The one streaming line reader: a text file, plain or gzip (told by its magic bytes, whatever its
 * name) with any number of members, line by line. Used by `database import` and `movies import-imdb`.
 * Kept over a library: it is node:zlib + node:readline and the error wrapping, nothing more.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { errorMessage, UserError } from './errors.ts'

const cannotRead = (file: string, err: unknown) => new UserError(`${file}: cannot read (${errorMessage(err)})`)

/** True when the file starts with the gzip magic bytes (1f 8b). */
export function isGzipFile(file: string): boolean {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (err) {
    throw cannotRead(file, err)
  }
  try {
    const b = Buffer.alloc(2)
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b
  } finally {
    closeSync(fd)
  }
}

/**
 * The lines of `file` (without their \n or \r\n), streamed. A read or decompression fault (a gzip
 * cut short, say) is thrown as a UserError naming the file, after the lines read before it.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const gzip = isGzipFile(file)
  const raw = createReadStream(file)
  const input = gzip ? raw.pipe(createGunzip()) : raw
  let failure: unknown
  // pipe() does not forward errors: a read fault must end the gunzip stream too.
  raw.on('error', (e) => {
    failure = e
    if (input !== raw) input.destroy(e)
  })
  input.on('error', (e: Error) => {
    failure = e
  })
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of rl) yield line
  } catch (err) {
    throw cannotRead(file, failure ?? err)
  } finally {
    rl.close()
    raw.destroy()
  }
  if (failure) throw cannotRead(file, failure)
}
