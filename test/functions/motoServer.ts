/**
 * A moto server (PyPI `moto[server]`, installed into apps/.venv-tools by scripts/setup-app-tests.sh)
 * on a free 127.0.0.1 port, for tests whose code calls AWS: the SDK clients point at it with
 * dummy credentials, so every call is a real API request answered by moto's emulation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

export const MOTO_SERVER = path.resolve(__dirname, "..", "..", "apps", ".venv-tools", "bin", "moto_server");
export const REGION = "eu-west-1";
/** moto's default account. */
export const ACCOUNT = "123456789012";

export interface MotoServer {
    endpoint: string;
    /** Client options for this server: region, endpoint, dummy credentials, no retries. */
    clientConfig: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
    /** Forgets every resource (moto's reset API). */
    reset(): Promise<void>;
    /** What the server printed (for a failing test's message). */
    output(): string;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Starts moto_server and waits until it answers (at most `timeoutMs`). */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        try {
            process.kill(-child.pid!, "SIGTERM");
        } catch {
            return;
        }
        const timer = setTimeout(() => {
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                /* gone */
            }
        }, 3000);
        await exited;
        clearTimeout(timer);
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
        try {
            const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
            if (res.ok) {
                return {
                    endpoint,
                    clientConfig: { region: REGION, endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 },
                    reset: async () => {
                        const r = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
                        if (!r.ok) throw new Error(`moto reset failed: ${r.status}`);
                    },
                    output: () => output,
                    stop,
                };
            }
        } catch {
            /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    await stop();
    throw new Error(`moto_server did not answer within ${timeoutMs} ms:\n${output}`);
}
