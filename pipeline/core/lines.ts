/**
 * The one streaming line reader: a text file, plain or gzip (told by its magic bytes, whatever its
 * name) with any number of members, line by line. Used by `database import` and `movies import-imdb`.
 * Kept over a library: it is node:zlib, a line split and the error wrapping, nothing more.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs'
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
 * The lines of `file` (without their \n or \r\n), streamed in batches (one per chunk read: a
 * generator step per line costs more than the line). A read or decompression fault (a gzip cut
 * short, say) is thrown as a UserError naming the file, after the lines read before it.
 */
export async function* readLineBatches(file: string): AsyncGenerator<string[]> {
  const gzip = isGzipFile(file)
  const raw = createReadStream(file, { highWaterMark: 1 << 16 })
  const input = gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 16 })) : raw
  let failure: unknown
  // pipe() does not forward errors: a read fault must end the gunzip stream too.
  raw.on('error', (e) => {
    failure = e
    if (input !== raw) input.destroy(e)
  })
  input.on('error', (e: Error) => {
    failure = e
  })
  // (64 KiB gunzip chunks: each is a round trip to libuv's thread pool, and 16 KiB ones cost the
  // import a tenth of its time in waiting.)
  // A multi-byte character may straddle two chunks: the decoder holds its first bytes back.
  input.setEncoding('utf8')
  let rest = ''
  const lines = (text: string): string[] => {
    const out = text.split('\n')
    rest = out.pop() as string
    for (let i = 0; i < out.length; i++) if ((out[i] as string).endsWith('\r')) out[i] = (out[i] as string).slice(0, -1)
    return out
  }
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const batch = lines(rest + chunk)
      if (batch.length) yield batch
    }
  } catch (err) {
    throw cannotRead(file, failure ?? err)
  } finally {
    raw.destroy()
  }
  if (rest) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest]
  if (failure) throw cannotRead(file, failure)
}

/** The lines of `file` one by one (see readLineBatches). */
export async function* readLines(file: string): AsyncGenerator<string> {
  for await (const batch of readLineBatches(file)) yield* batch
}
