import { ConfigError, loadSettings } from "./config.js";
import { createServer } from "./server.js";

// Entry point of the container: validate the environment, then serve until SIGTERM (ECS stop).
async function main(): Promise<void> {
    let settings;
    try {
        settings = loadSettings(process.env);
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(err.message);
            process.exit(1);
        }
        throw err;
    }
    const server = await createServer({ settings });
    console.info(`portal: listening on port ${server.port} with ${settings.portal.dashboards.length} dashboards`);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
            server.close().then(() => process.exit(0), () => process.exit(1));
        });
    }
}

main().catch((err: unknown) => {
    console.error(`portal: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
