/**
 * Reading a file an app folder holds (anyone with a pull request controls it) without hanging or
 * reading without end: open it so a FIFO never waits for a writer and, unless asked, a final
 * symlink is never followed; let the caller decide from its stat how much to read; read at most
 * that from the start. Shared by the app-folder detectors and the Dockerfile check.
 */
import * as fs from "fs";

const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** The first bytes read, and the file's whole size. */
export interface Prefix {
    bytes: Buffer;
    size: number;
}

/**
 * Opens `file` and reads at most the number of bytes `limit` returns for its stat (a string
 * instead: why it is not read). Never throws: `error` says what went wrong.
 */
export function readPrefix(file: string, limit: (stat: fs.Stats) => number | string, options: { followSymlink?: boolean } = {}): Prefix | { error: string } {
    let fd: number | undefined;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK | (options.followSymlink ? 0 : NOFOLLOW));
        const stat = fs.fstatSync(fd);
        const want = limit(stat);
        if (typeof want === "string") return { error: want };
        const buffer = Buffer.alloc(Math.max(0, Math.min(want, stat.size)));
        let got = 0;
        while (got < buffer.length) {
            const n = fs.readSync(fd, buffer, got, buffer.length - got, got);
            if (n === 0) break;
            got += n;
        }
        return { bytes: buffer.subarray(0, got), size: stat.size };
    } catch (error) {
        return { error: `could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})` };
    } finally {
        if (fd !== undefined) fs.closeSync(fd);
    }
}
