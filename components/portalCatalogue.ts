/**
 * The portal's catalogue of dashboards, delivered in its image rather than its task definition:
 * a task definition holds 64 KiB, and the catalogue of hundreds of dashboards (names, descriptions,
 * groups, hours) is larger. The platform writes it as a build context of its own, in a folder
 * named after its content, so the portal image is rebuilt exactly when the catalogue changes.
 */
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html (task definition size: 64 KiB)
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The name the portal's Dockerfile takes the catalogue from (`COPY --from=portal-catalogue catalogue.json ...`). */
export const PORTAL_CATALOGUE_CONTEXT = "portal-catalogue";
/** The file in that context. */
export const PORTAL_CATALOGUE_FILE = "catalogue.json";

/**
 * How long an earlier catalogue's folder is kept: another plan or preview of the same stack running
 * at the same time (a CI job beside a laptop, parallel tests) may still be building from it.
 */
export const KEEP_EARLIER_CATALOGUES_MS = 60 * 60 * 1000;

/**
 * Writes `json` to `<root>/portal-catalogue/<content hash>/catalogue.json` and removes the folders
 * of earlier catalogues beside it that nobody has written for `KEEP_EARLIER_CATALOGUES_MS`; returns
 * the folder (relative when `root` is). The folder name depends on the content only, so an
 * unchanged catalogue is the same build input on every machine.
 *
 * @param root Where the platform keeps one stack's generated build inputs, e.g. `.dashboards/prod`
 *   (git-ignored; one per stack, so that planning one stack never removes another's).
 * @param now Milliseconds since the epoch (tests).
 */
export function writePortalCatalogue(json: string, root: string, now = Date.now()): string {
    const parent = path.join(root, PORTAL_CATALOGUE_CONTEXT);
    const dir = path.join(parent, createHash("sha256").update(json).digest("hex").slice(0, 16));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, PORTAL_CATALOGUE_FILE);
    // Rewritten only when absent or different, so a build already under way never sees a partial file.
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== json) {
        fs.writeFileSync(`${file}.tmp`, json);
        fs.renameSync(`${file}.tmp`, file);
    }
    // This folder is in use from now on, also when its file was already there.
    fs.utimesSync(dir, now / 1000, now / 1000);
    for (const entry of fs.readdirSync(parent)) {
        if (entry === path.basename(dir)) continue;
        const earlier = path.join(parent, entry);
        const written = fs.statSync(earlier, { throwIfNoEntry: false })?.mtimeMs;
        // Gone already (a concurrent run removed it) or still recent: leave it.
        if (written !== undefined && now - written > KEEP_EARLIER_CATALOGUES_MS) fs.rmSync(earlier, { recursive: true, force: true });
    }
    return dir;
}
