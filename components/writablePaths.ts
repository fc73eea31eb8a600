/**
 * The folders a dashboard's container may write when its root file system is read-only, and the
 * task definition's volumes for them. Pure, shared by DashboardService (its arguments) and the
 * stack-file validator (`dashboards[].writablePaths`), so both refuse the same paths.
 *
 * Each folder gets a bind mount of the task's own storage (Fargate's 20 GiB of ephemeral storage,
 * no extra charge), which lasts as long as the task. ECS fills a mount with what the image has at
 * that path when the image declares it with VOLUME, permissions included; without VOLUME the folder
 * is empty and root's, mode 0755, so an app running as another user cannot write it.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
 */
import { repeats } from "./iamPolicyArns";

/** Writable whenever the root is read-only: R does not start without it, and most runtimes write temporary files there. */
export const ALWAYS_WRITABLE = "/tmp";
/** At most this many further writable folders: each is a volume and a mount point of the task definition. */
export const MAX_WRITABLE_PATHS = 10;
/** An absolute folder path: segments of letters, digits, `.`, `_` and `-`, no trailing slash. */
const FOLDER_PATH = /^(?:\/[A-Za-z0-9._-]+)+$/;
const MAX_PATH_LENGTH = 255;
/** The container runtime's own file systems: a volume there would hide what it mounts. */
const RUNTIME_FOLDERS = ["/proc", "/sys", "/dev"];
/** Folders that hold the system's programs and settings: writable, they would undo the read-only root. */
const SYSTEM_FOLDERS = ["/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr"];

/** Whether folder `p` is `folder` or inside it. */
export const within = (p: string, folder: string) => p === folder || p.startsWith(folder + "/");

/** What is wrong with one writable folder, or undefined. */
export function writablePathProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return "is not a string";
    if (value.length > MAX_PATH_LENGTH) return `is ${value.length} characters long; at most ${MAX_PATH_LENGTH}`;
    if (!FOLDER_PATH.test(value)) return "is not an absolute folder path (segments of letters, digits, . _ -, no trailing slash), e.g. /app/cache";
    if (value.split("/").some((s) => s === "." || s === "..")) return "has a . or .. segment; write the folder's own path, e.g. /app/cache";
    if (within(value, ALWAYS_WRITABLE)) return `is inside ${ALWAYS_WRITABLE}, which is always writable with a read-only root file system; remove it`;
    const runtime = RUNTIME_FOLDERS.find((f) => within(value, f));
    if (runtime) return `is inside ${runtime}, which the container runtime provides; remove it`;
    if (SYSTEM_FOLDERS.includes(value)) return "holds the system's programs or settings, and writable it would undo the read-only root; name the folder under it that the app writes";
    return undefined;
}

/**
 * Whether a dashboard runs with a read-only root when its stack file does not say: when the image
 * is one the platform generates, or its Dockerfile's built stage declares /tmp a VOLUME (then the
 * image says it is ready: the templates, the portal and an ejected generated Dockerfile do).
 */
export function readonlyByDefault(image: { generated: boolean; volumes: readonly string[] }): boolean {
    return image.generated || image.volumes.includes(ALWAYS_WRITABLE);
}

/** One problem of a dashboard's writable folders, by index (or of the list as a whole). */
export interface WritablePathProblem {
    index?: number;
    problem: string;
}

/**
 * Every problem of a list of writable folders: each entry, repeats, one inside another (the outer
 * one covers it), and more than MAX_WRITABLE_PATHS.
 *
 * @param malformed "skip" leaves entries that are not strings to a schema that reports them.
 */
export function writablePathsProblems(paths: readonly unknown[], malformed: "report" | "skip"): WritablePathProblem[] {
    // Too many: said alone, before the pairwise checks (quadratic in the list's length).
    if (paths.length > MAX_WRITABLE_PATHS) return [{ problem: `lists ${paths.length} folders; at most ${MAX_WRITABLE_PATHS}` }];
    const problems: WritablePathProblem[] = [];
    paths.forEach((value, index) => {
        if (typeof value !== "string" && malformed === "skip") return;
        const problem = writablePathProblem(value);
        if (problem) {
            problems.push({ index, problem });
            return;
        }
        const outer = paths.findIndex((other, i) => i !== index && typeof other === "string" && other !== value && within(value as string, other) && !writablePathProblem(other));
        if (outer >= 0) problems.push({ index, problem: `is inside ${paths[outer] as string} (index ${outer}), which is writable already; remove one` });
    });
    for (const { index, first } of repeats(paths)) {
        if (typeof paths[index] !== "string") continue;
        problems.push({ index, problem: `is listed twice (also index ${first})` });
    }
    return problems;
}

/** The task definition's volumes and the container's mount points for the writable folders (ALWAYS_WRITABLE first). */
export function writableMounts(paths: readonly string[]): { volumes: { name: string }[]; mountPoints: { sourceVolume: string; containerPath: string; readOnly: false }[] } {
    const all = [ALWAYS_WRITABLE, ...paths.filter((p) => p !== ALWAYS_WRITABLE)];
    // Volume names: letters, digits, - and _ (at most 255); from the path, so a console reader sees which is which.
    const names = all.map((p, i) => `writable-${i}-${p.slice(1).replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 255));
    return {
        volumes: names.map((name) => ({ name })),
        mountPoints: all.map((containerPath, i) => ({ sourceVolume: names[i], containerPath, readOnly: false })),
    };
}
